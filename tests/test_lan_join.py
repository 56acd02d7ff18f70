"""GuestJoin against a fake ``nmcli`` on PATH (it logs each call's arguments and standard input), and the
``roomsweep lan`` command line: the passphrase is never an argument, the profile never outlives the scan."""

from __future__ import annotations

import json
import os
import stat
import sys

import pytest

from appliance import cli
from hw.errors import JoinFailed
from hw.lan.join import GuestJoin
from tests.conftest import SHARED_DATA

SECRET = "hotel-guest-2026"
FAKE = """#!{python}
import json, os, sys
data = sys.stdin.read() if not sys.stdin.isatty() else ""
with open(os.environ["FAKE_NMCLI_LOG"], "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "stdin": data}}) + "\\n")
if "up" in sys.argv and os.environ.get("FAKE_NMCLI_FAIL_UP"):
    print("Error: Connection activation failed: Secrets were required, but not provided", file=sys.stderr)
    sys.exit(4)
"""


@pytest.fixture
def nmcli(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "nmcli"
    tool.write_text(FAKE.format(python=sys.executable))
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "nmcli.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_NMCLI_LOG", str(log))

    def calls() -> list[dict]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return calls


def test_join_uses_a_temporary_profile_and_gives_the_passphrase_on_stdin_only(nmcli):
    join = GuestJoin("wlan1", "Hotel Guest", SECRET)
    with join as iface:
        assert iface == "wlan1"
        during = nmcli()
    after = nmcli()
    argv = [c["argv"] for c in after]
    assert argv[0] == ["device", "set", "wlan1", "managed", "yes"]
    add = argv[1]
    assert add[:3] == ["connection", "add", "save"] and add[3] == "no"  # in memory only, never a keyfile
    assert add[add.index("ssid") + 1] == "Hotel Guest" and add[add.index("wifi-sec.psk-flags") + 1] == "2"
    assert add[add.index("connection.autoconnect") + 1] == "no"
    up = during[-1]
    assert up["argv"][-2:] == ["passwd-file", "/dev/stdin"]
    assert up["stdin"] == f"802-11-wireless-security.psk:{SECRET}\n"
    assert all(SECRET not in " ".join(a) for a in argv)  # never a command-line argument (ps shows those)
    assert argv[-3][:3] == ["connection", "down", "id"] and argv[-2][:3] == ["connection", "delete", "id"]
    assert argv[-2][-1] == join.profile and argv[-1] == ["device", "set", "wlan1", "managed", "no"]
    assert join._passphrase is None  # dropped once the join is done


def test_a_refused_join_says_why_and_leaves_nothing_behind(nmcli, monkeypatch):
    monkeypatch.setenv("FAKE_NMCLI_FAIL_UP", "1")
    with pytest.raises(JoinFailed, match="Secrets were required"), GuestJoin("wlan1", "Hotel Guest", SECRET):
        pytest.fail("joined")
    argv = [c["argv"] for c in nmcli()]
    assert argv[-2][:3] == ["connection", "delete", "id"] and argv[-1][-1] == "no"


def test_the_hotspot_and_impossible_credentials_are_refused_before_nmcli(nmcli):
    with pytest.raises(JoinFailed, match="hotspot"):
        GuestJoin("wlan0", "Hotel Guest", SECRET)
    with pytest.raises(JoinFailed, match="8 to 63"):
        GuestJoin("wlan1", "Hotel Guest", "short")
    with pytest.raises(JoinFailed, match="1 to 32 bytes"):
        GuestJoin("wlan1", "x" * 33, None)
    assert nmcli() == []


def test_an_open_network_needs_no_passphrase(nmcli):
    with GuestJoin("wlan1", "Free WiFi", None):
        pass
    argv = [c["argv"] for c in nmcli()]
    assert "wifi-sec.key-mgmt" not in argv[1] and "passwd-file" not in argv[2]


def test_cli_refuses_a_passphrase_on_the_command_line(capsys):
    assert cli.main(["lan", "--iface", "wlan1", "--ssid", "Hotel", "--passphrase", SECRET]) == 2
    err = capsys.readouterr().err
    assert "reads stdin" in err and SECRET not in err


@pytest.mark.skipif(not (SHARED_DATA / "wifi" / "lan").is_dir(), reason="../shared/data/wifi/lan is not there")
def test_cli_replays_a_capture(capsys):
    path = SHARED_DATA / "wifi" / "lan" / "EdimaxCam1_Setup-A-1-STA.pcap"
    assert cli.main(["lan", "--replay", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["source"] == "replay" and doc["devices"][0]["mac"] == "74:da:38:80:7a:08"
    assert doc["devices"][0]["kind"] == "camera" and doc["devices"][0]["vendor"] == "Edimax Technology Co. Ltd."
    assert cli.main(["lan", "--replay", str(path)]) == 0
    assert "!!74:da:38:80:7a:08" in capsys.readouterr().out
    wrong = SHARED_DATA / "wifi" / "lan" / "EdimaxCam1_iotdevice-mac.txt"
    assert cli.main(["lan", "--replay", str(wrong)]) == 2
    assert cli.main(["lan", "--replay", str(path), "--ssid", "x"]) == 2
