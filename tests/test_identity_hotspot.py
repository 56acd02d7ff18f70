"""Device identity (first boot), the hotspot profile as NetworkManager reads it, its DNS name."""

from __future__ import annotations

import json
import os
import pwd
import random
import shutil
import socket
import stat
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from appliance.device import hotspot, identity

ROOMSWEEP = str(Path(sys.executable).with_name("roomsweep"))
SYSTEM_PYTHON = "/usr/bin/python3"  # python3-gi and gir1.2-nm-1.0 are Debian packages (.ci/apt-packages.txt)

# NetworkManager's own keyfile parser (libnm through GObject introspection) reads the profile.
NM_READ = r"""
import json, sys, gi
gi.require_version("NM", "1.0")
from gi.repository import NM, GLib
data = open(sys.argv[1], encoding="utf-8").read()
keyfile = GLib.KeyFile()
keyfile.load_from_data(data, len(data.encode()), GLib.KeyFileFlags.NONE)
conn = NM.keyfile_read(keyfile, "/etc/NetworkManager/system-connections", NM.KeyfileHandlerFlags.NONE, None, None)
conn.verify()
wifi, sec, ip4 = conn.get_setting_wireless(), conn.get_setting_wireless_security(), conn.get_setting_ip4_config()
print(json.dumps({
    "id": conn.get_id(), "uuid": conn.get_uuid(), "type": conn.get_connection_type(),
    "interface": conn.get_interface_name(), "autoconnect": conn.get_setting_connection().get_autoconnect(),
    "mode": wifi.get_mode(), "band": wifi.get_band(), "channel": wifi.get_channel(),
    "ap_isolation": int(wifi.get_ap_isolation()),
    "ssid": list(wifi.get_ssid().get_data()),
    "key_mgmt": sec.get_key_mgmt(), "psk": sec.get_psk(),
    "proto": [sec.get_proto(i) for i in range(sec.get_num_protos())],
    "pairwise": [sec.get_pairwise(i) for i in range(sec.get_num_pairwise())],
    "group": [sec.get_group(i) for i in range(sec.get_num_groups())],
    "pmf": int(sec.get_pmf()),
    "ipv4_method": ip4.get_method(),
    "ipv4_address": [ip4.get_address(0).get_address(), ip4.get_address(0).get_prefix()],
    "ipv6_method": conn.get_setting_ip6_config().get_method(),
}))
"""


def nm_read(path: Path) -> dict:
    proc = subprocess.run([SYSTEM_PYTHON, "-c", NM_READ, str(path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"libnm rejected the profile (or python3-gi / gir1.2-nm-1.0 missing): {proc.stderr}"
    return json.loads(proc.stdout)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def device_env(tmp_path, monkeypatch):
    data = tmp_path / "state"
    monkeypatch.setenv("ROOMSWEEP_DATA_DIR", str(data))
    monkeypatch.setenv("ROOMSWEEP_CONFIG", str(tmp_path / "roomsweep.toml"))
    return data


# --- identity ---------------------------------------------------------------------------------


def test_first_boot_makes_a_private_strong_identity_once(tmp_path):
    made = identity.load_or_create(tmp_path)
    assert made == identity.load_or_create(tmp_path) == identity.load(tmp_path)
    assert made.ssid.startswith("roomsweep-") and len(made.ssid) == 14
    assert len(made.passphrase) == 19 and len(made.passphrase.replace("-", "")) == 16
    assert len(made.admin_secret) >= 16 and made.admin_secret != made.passphrase
    assert made.ui_hostname == "roomsweep.home.arpa"
    for name in ("identity.json", "admin-secret"):
        assert mode(tmp_path / name) == 0o600
    others = {identity.load_or_create(tmp_path / str(i)) for i in range(20)}
    assert len({o.passphrase for o in others}) == 20 and len({o.admin_secret for o in others}) == 20


def test_processes_starting_together_agree_on_one_identity(tmp_path):
    results: list[identity.Identity] = []
    barrier = threading.Barrier(8)

    def start():
        barrier.wait()
        results.append(identity.load_or_create(tmp_path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["admin-secret", "identity.json"]  # no temp files left


def test_the_web_uis_existing_admin_secret_is_kept(tmp_path):
    (tmp_path / "admin-secret").write_text("Zq3_legacy-secret\n")
    assert identity.load_or_create(tmp_path).admin_secret == "Zq3_legacy-secret"
    assert identity.load_admin_secret(tmp_path) == "Zq3_legacy-secret"


def test_a_broken_identity_is_explained_and_renew_repairs_it(tmp_path):
    identity.load_or_create(tmp_path)
    secret = identity.load(tmp_path).admin_secret
    (tmp_path / "identity.json").write_text('{"ssid": "x"')
    with pytest.raises(identity.IdentityError, match=r"identity.json: .*sudo roomsweep hotspot"):
        identity.load(tmp_path)
    (tmp_path / "identity.json").write_text(json.dumps({"ssid": "x", "passphrase": "short", "ui_hostname": "a.b"}))
    with pytest.raises(identity.IdentityError, match="passphrase must be 8–63"):
        identity.load_or_create(tmp_path)
    renewed = identity.update(tmp_path, renew=True)
    assert renewed.ssid.startswith("roomsweep-") and renewed.admin_secret == secret


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ssid", "", "1–32 bytes"),
        ("ssid", "é" * 17, "1–32 bytes"),
        ("ssid", "bad\nname", "control characters"),
        ("passphrase", "1234567", "8–63"),
        ("passphrase", "x" * 64, "8–63"),
        ("passphrase", "pässwörter", "printable ASCII"),
        ("ui_hostname", "roomsweep", "two labels"),
        ("ui_hostname", "bad_name.home.arpa", "DNS name"),
    ],
)
def test_impossible_credentials_are_refused(tmp_path, field, value, message):
    with pytest.raises(identity.IdentityError, match=message):
        identity.update(tmp_path, **{field: value})


# --- the NetworkManager profile -------------------------------------------------------------------

SPECIAL = [
    ("roomsweep-7KQ2", "k7mq-x3vp-9dtc-ahe4"),
    ('caf;é,:"\\x', 'p\\a;s,s:w"o rd'),
    ("97;98;", " lead and trail "),
    (" spaced ", "#not-a-comment=[x]"),
]


@pytest.mark.parametrize(("ssid", "passphrase"), SPECIAL)
def test_networkmanager_reads_the_profile_as_a_wpa2_ccmp_access_point(tmp_path, ssid, passphrase):
    device = identity.Identity(ssid=ssid, passphrase=passphrase, admin_secret="a" * 16)
    written = hotspot.write(device, connections_dir=tmp_path / "nm", dnsmasq_dir=tmp_path / "dnsmasq")
    profile = tmp_path / "nm" / "roomsweep-hotspot.nmconnection"
    assert written[0].path == profile and mode(profile) == 0o600
    assert mode(tmp_path / "dnsmasq" / "roomsweep.conf") == 0o644
    got = nm_read(profile)
    assert bytes(got.pop("ssid")) == ssid.encode()
    assert got == {
        "id": "roomsweep-hotspot",
        "uuid": hotspot.CONNECTION_UUID,
        "type": "802-11-wireless",
        "interface": "wlan0",
        "autoconnect": True,
        "mode": "ap",
        "band": "bg",
        "channel": 6,
        "ap_isolation": 1,  # NM_TERNARY_TRUE: guests reach only the device
        "key_mgmt": "wpa-psk",
        "psk": passphrase,
        "proto": ["rsn"],  # WPA2 only
        "pairwise": ["ccmp"],  # no TKIP
        "group": ["ccmp"],
        "pmf": 1,  # NM_SETTING_WIRELESS_SECURITY_PMF_DISABLE
        "ipv4_method": "shared",
        "ipv4_address": ["10.42.0.1", 24],
        "ipv6_method": "disabled",
    }


def _dns_query(name: str, port: int) -> list[str]:
    """Ask for ``name``'s A records over UDP; the answer's IPv4 addresses."""
    qid = random.randrange(65536)
    question = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question, ("127.0.0.1", port))
        reply = s.recv(512)
    rid, _flags, _qd, answers = struct.unpack(">HHHH", reply[:8])
    assert rid == qid
    pos, found = 12 + len(question), []
    for _ in range(answers):
        pos += 2 if reply[pos] & 0xC0 else reply.index(b"\0", pos) + 1 - pos  # compressed or plain name
        rtype, _cls, _ttl, size = struct.unpack(">HHIH", reply[pos : pos + 10])
        if rtype == 1:
            found.append(socket.inet_ntoa(reply[pos + 10 : pos + 10 + size]))
        pos += 10 + size
    return found


def test_the_shared_mode_dnsmasq_answers_the_ui_name_with_the_hotspot_address(tmp_path):
    dnsmasq = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
    assert Path(dnsmasq).exists(), "dnsmasq (Debian dnsmasq-base, which NetworkManager uses) is needed"
    device = identity.Identity(ssid="roomsweep-7KQ2", passphrase="k7mq-x3vp-9dtc-ahe4", admin_secret="a" * 16)
    hotspot.write(device, connections_dir=tmp_path / "nm", dnsmasq_dir=tmp_path / "dnsmasq-shared.d")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # as NetworkManager starts it for a shared connection: --conf-dir=.../dnsmasq-shared.d
    proc = subprocess.Popen(
        [dnsmasq, "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces",
         "--listen-address=127.0.0.1", f"--port={port}", f"--user={pwd.getpwuid(os.getuid()).pw_name}",
         f"--conf-dir={tmp_path / 'dnsmasq-shared.d'}", "--pid-file="],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                answer = _dns_query("roomsweep.home.arpa", port)
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert answer == ["10.42.0.1"]
        assert _dns_query("other.home.arpa", port) == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# --- `roomsweep hotspot` ---------------------------------------------------------------------------


def run_cli(*args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ROOMSWEEP, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}, input=stdin
    )


@pytest.fixture
def fake_nmcli(tmp_path):
    """An nmcli that records its calls and reports the hotspot as active."""
    bindir, log = tmp_path / "bin", tmp_path / "nmcli.log"
    bindir.mkdir()
    (bindir / "nmcli").write_text(
        f'#!/bin/sh\necho "$*" >> {log}\ncase "$*" in *--active*) echo roomsweep-hotspot ;; esac\nexit 0\n'
    )
    (bindir / "nmcli").chmod(0o755)
    return {"PATH": f"{bindir}:{os.environ['PATH']}"}, log


def test_the_hotspot_command_writes_once_reloads_networkmanager_and_never_prints_the_passphrase(
    tmp_path, device_env, fake_nmcli
):
    path_env, log = fake_nmcli
    dirs = ["--connections-dir", str(tmp_path / "nm"), "--dnsmasq-dir", str(tmp_path / "dns")]
    first = run_cli("hotspot", *dirs, env=path_env)
    assert first.returncode == 0, first.stderr
    device = identity.load(device_env)
    assert device.passphrase not in first.stdout + first.stderr
    assert device.ssid in first.stdout and "wrote:" in first.stdout
    profile = tmp_path / "nm" / "roomsweep-hotspot.nmconnection"
    assert log.read_text().splitlines()[0] == f"connection load {profile}"
    assert "connection up" not in log.read_text()  # nothing changed for connected phones

    again = run_cli("hotspot", *dirs, env=path_env)
    assert again.returncode == 0 and again.stdout.count("unchanged:") == 2
    assert len(log.read_text().splitlines()) == 2  # load + show --active only from the first run

    renewed = run_cli("hotspot", "--renew", *dirs, env=path_env)
    assert renewed.returncode == 0, renewed.stderr
    new = identity.load(device_env)
    assert new.passphrase != device.passphrase and new.admin_secret == device.admin_secret
    assert "connection up id roomsweep-hotspot" in log.read_text()  # the new passphrase applies now
    assert nm_read(profile)["psk"] == new.passphrase
    assert "print a new label" in renewed.stdout


def test_the_hotspot_command_takes_a_passphrase_from_stdin_and_rejects_bad_ones(tmp_path, device_env):
    dirs = ["--connections-dir", str(tmp_path / "nm"), "--dnsmasq-dir", str(tmp_path / "dns"), "--no-reload"]
    ok = run_cli("hotspot", "--passphrase", "-", *dirs, stdin="correct horse battery\n")
    assert ok.returncode == 0, ok.stderr
    assert identity.load(device_env).passphrase == "correct horse battery"
    bad = run_cli("hotspot", "--passphrase", "short", *dirs)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "8–63" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_without_networkmanager_the_profile_waits_for_its_next_start(tmp_path, device_env):
    env = {"PATH": str(Path(sys.executable).parent)}  # no nmcli anywhere
    done = run_cli("hotspot", "--connections-dir", str(tmp_path / "nm"), "--dnsmasq-dir", str(tmp_path / "d"), env=env)
    assert done.returncode == 0 and "nmcli not found" in done.stdout


def test_writing_the_system_profile_without_root_is_a_one_line_error(tmp_path, device_env):
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o555)
    if os.geteuid() == 0:
        # root ignores directory modes; a path under a regular file fails the same way for everyone
        blocker = tmp_path / "file"
        blocker.write_text("")
        readonly = blocker / "sub"
    done = run_cli("hotspot", "--connections-dir", str(readonly), "--dnsmasq-dir", str(tmp_path / "d"), "--no-reload")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "cannot write" in done.stderr
