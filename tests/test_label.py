"""The printed label: its QR codes scan back to the device's credentials (PNG and SVG)."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from appliance.device import identity
from appliance.device import label as labelmod

ROOMSWEEP = str(Path(sys.executable).with_name("roomsweep"))
SVG_NS = "{http://www.w3.org/2000/svg}"


def parse_wifi(text: str) -> dict[str, str]:
    """A reader of the ``WIFI:`` QR format written from its description, independent of ours."""
    assert text.startswith("WIFI:") and text.endswith(";;"), text
    fields, key, value, i, body = {}, None, "", 0, text[5:-1]
    while i < len(body):
        c = body[i]
        if c == "\\":
            value += body[i + 1]
            i += 2
            continue
        if key is None and c == ":":
            key, value = value, ""
        elif c == ";":
            fields[key] = value
            key, value = None, ""
        else:
            value += c
        i += 1
    return fields


def decode(png: bytes) -> dict[str, str]:
    """Every QR code in the image, by kind: 'wifi' and 'url'."""
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    texts = [b.text for b in found if b.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(texts) == 2, texts
    return {
        "wifi": next(t for t in texts if t.startswith("WIFI:")),
        "url": next(t for t in texts if t.startswith("http")),
    }


DEVICES = [
    identity.Identity("roomsweep-7KQ2", "k7mq-x3vp-9dtc-ahe4", "samz-mfx7-urac-ak6d"),
    identity.Identity('caf;é,:"\\x', 'p\\a;s,s:w"o rd', "Zq3_legacy-secret"),
    identity.Identity("A" * 32, "".join(chr(33 + i % 94) for i in range(63)), "x" * 40),  # longest allowed
]
URLS = ["http://roomsweep.home.arpa/", "http://10.42.0.1/"]


def test_wifi_payload_escapes_the_special_characters():
    assert labelmod.wifi_qr_payload('a;b,c:d\\e"f', "pw") == 'WIFI:T:WPA;S:a\\;b\\,c\\:d\\\\e\\"f;P:pw;;'
    assert labelmod.wifi_qr_payload("n", "p", hidden=True) == "WIFI:T:WPA;S:n;P:p;H:true;;"


@pytest.mark.parametrize("device", DEVICES, ids=["generated", "special-characters", "longest"])
def test_the_png_labels_qr_codes_decode_to_the_credentials(device):
    label = labelmod.layout(device, URLS)
    codes = decode(labelmod.to_png(label))
    assert parse_wifi(codes["wifi"]) == {"T": "WPA", "S": device.ssid, "P": device.passphrase}
    assert codes["url"] == "http://10.42.0.1/"
    texts = [item.text for item in label.items if isinstance(item, labelmod.Text)]
    for shown in (device.ssid, device.passphrase, device.admin_secret, *URLS):
        assert shown in texts
    text_column_end = min(item.x for item in label.items if isinstance(item, labelmod.Code))
    for item in label.items:
        if isinstance(item, labelmod.Text):  # long values shrink instead of running into the codes
            right = item.x + labelmod._width(item.text, item.size, item.mono, item.bold)
            assert right <= (labelmod.WIDTH_MM - 0.5 if item.x >= text_column_end else text_column_end), item
    png = Image.open(io.BytesIO(labelmod.to_png(label)))
    assert png.size == (1417, 827) and round(png.info["dpi"][0]) == 300  # 120 × 70 mm at 300 dpi


@pytest.mark.parametrize("device", DEVICES[:2], ids=["generated", "special-characters"])
def test_the_svg_label_renders_and_scans_like_the_png(device, tmp_path):
    rsvg = shutil.which("rsvg-convert")
    assert rsvg, "rsvg-convert (Debian librsvg2-bin) renders the SVG as a viewer would"
    svg = labelmod.to_svg(labelmod.layout(device, URLS))
    root = ET.fromstring(svg.encode())
    assert root.get("width") == "120mm" and root.get("height") == "70mm"
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]
    assert device.ssid in texts and device.passphrase in texts and device.admin_secret in texts
    (tmp_path / "label.svg").write_text(svg)
    out = tmp_path / "label.png"
    subprocess.run([rsvg, "-d", "300", "-p", "300", "-o", str(out), str(tmp_path / "label.svg")], check=True)
    codes = decode(out.read_bytes())
    assert parse_wifi(codes["wifi"]) == {"T": "WPA", "S": device.ssid, "P": device.passphrase}
    assert codes["url"] == "http://10.42.0.1/"


def test_roomsweep_label_writes_private_files_from_the_device_identity(tmp_path):
    data = tmp_path / "state"
    made = identity.load_or_create(data)
    config = tmp_path / "roomsweep.toml"
    config.write_text("[web]\nport = 80\n")
    env = {**os.environ, "ROOMSWEEP_DATA_DIR": str(data), "ROOMSWEEP_CONFIG": str(config)}
    done = subprocess.run(
        [ROOMSWEEP, "label", "--text"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    png, svg = tmp_path / "roomsweep-label.png", tmp_path / "roomsweep-label.svg"
    assert stat.S_IMODE(png.stat().st_mode) == 0o600 and stat.S_IMODE(svg.stat().st_mode) == 0o600
    codes = decode(png.read_bytes())
    assert parse_wifi(codes["wifi"])["P"] == made.passphrase
    assert codes["url"] == "http://10.42.0.1/"  # port 80 from the settings file: no ":80"
    assert f"Admin secret:  {made.admin_secret}" in done.stdout
    assert "http://roomsweep.home.arpa/ or http://10.42.0.1/" in done.stdout


def test_roomsweep_label_never_invents_an_identity(tmp_path):
    env = {**os.environ, "ROOMSWEEP_DATA_DIR": str(tmp_path / "empty")}
    done = subprocess.run([ROOMSWEEP, "label"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "no device identity" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "empty").exists() and not list(tmp_path.glob("*.png"))
