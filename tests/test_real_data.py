"""``roomsweep analyze`` on every real capture in ../shared/data: exit 0, no camera, no traceback.

The captures were recorded by other projects with real radios (RTL-SDR, HackRF, URH's devices):
ISM sensors and remotes, URH recordings in three sample formats, LTE downlink bursts, HackRF noise.
None of them is a camera. ``real/manifest.json`` gives each file's format, rate and centre.
"""

from __future__ import annotations

import json

import pytest

from appliance.cli import main
from tests.conftest import SHARED_DATA

REAL = SHARED_DATA / "real"
MANIFEST = json.loads((REAL / "manifest.json").read_text()) if (REAL / "manifest.json").is_file() else []


def analyze_json(capsys, *args: str) -> dict:
    code = main(["analyze", *args, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    return json.loads(out)


def test_the_manifest_lists_the_real_captures():
    assert len(MANIFEST) >= 24, f"expected the real captures' manifest in {REAL}"
    assert all((REAL / entry["file"]).is_file() for entry in MANIFEST)


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_every_real_capture_analyses_and_none_is_a_camera(capsys, entry):
    args = [str(REAL / entry["file"]), "--format", entry["format"], "--rate", str(entry["rate_hz"])]
    doc = analyze_json(capsys, *args, "--center", str(entry["center_hz"]))
    assert doc["source"]["rate_hz"] == entry["rate_hz"]
    suspects = [e for e in doc["emitters"] if e["suspect"]]
    assert not suspects, suspects
    assert all(e["kind"] != "analog-video" for e in doc["emitters"]), doc["emitters"]
    if entry["file"].startswith(("ism/", "urh/")):  # keyed sensors and remotes, however wide their splatter
        assert {e["kind"] for e in doc["emitters"]} == {"burst"}, doc["emitters"]
    if "noise" in entry["what"]:
        assert doc["emitters"] == []  # the HackRF negative control holds nothing


@pytest.mark.parametrize("name", ["f796_s1.92_bw1.2_0.08s_rtlsdr.cu8", "f806_s1.92_bw1.2_0.08s_rtlsdr.cu8"])
def test_real_lte_downlink_is_named_lte(capsys, name):
    entry = next(e for e in MANIFEST if e["file"].endswith(name))
    args = [str(REAL / entry["file"]), "--format", "cu8", "--rate", "1.92M", "--center", str(entry["center_hz"])]
    doc = analyze_json(capsys, *args)
    (cell,) = [e for e in doc["emitters"] if e["bandwidth_hz"] > 1e6]
    assert cell["kind"] == "lte", cell["reasons"]
    assert abs(cell["freq_hz"] - entry["center_hz"]) < 0.2e6
    assert any("1.00 ms" in reason for reason in cell["reasons"])


def test_every_file_in_shared_data_analyses_or_says_why_in_one_line(capsys):
    """Recordings analyse (exit 0, no camera); anything else (pcaps, notes) is refused in one line."""
    files = sorted(p for p in SHARED_DATA.rglob("*") if p.is_file())
    assert len(files) > 40
    for path in files:
        code = main(["analyze", str(path), "--json"])
        out, err = capsys.readouterr()
        assert "Traceback" not in err, path
        if code == 0:
            suspects = [e for e in json.loads(out)["emitters"] if e["suspect"]]
            assert not suspects, (path, suspects)
        else:
            assert code == 2 and len(err.strip().splitlines()) == 1, (path, code, err)
