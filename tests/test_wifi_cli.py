"""``roomsweep wifi``: the simulated room end to end, a kept capture re-judged, real captures, bad input."""

from __future__ import annotations

import contextlib
import io
import itertools
import json

import pytest

from appliance.cli import main
from dsp.classify import SUSPECT_SCORE
from tests.conftest import SHARED_DATA
from tests.fake_iw import FakeWifi

SEES, BLIND, CALL = "a4:cf:12:3e:51:07", "d8:f1:5b:20:0c:44", "3c:22:fb:8a:10:5e"  # the demo room's


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["wifi", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """One simulated sweep of the demo room, kept with --pcap (shared by the tests below; capsys is per test)."""
    out = tmp_path_factory.mktemp("wifi") / "room.pcap"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["wifi", "--simulate", "--channels", "6,11", "--pcap", str(out), "--json"])
    return code, json.loads(buffer.getvalue()), out


def by_mac(doc: dict) -> dict[str, dict]:
    return {d["mac"]: d for d in doc["devices"]}


def test_simulated_room_finds_the_camera_that_sees_the_device(kept):
    code, doc, _ = kept
    assert code == 0 and doc["status"] == "complete"
    assert doc["channels_mhz"] == [2437, 2462]
    devices = by_mac(doc)
    sees, blind, call = devices[SEES], devices[BLIND], devices[CALL]
    assert sees["kind"] == "camera" and sees["stimulus"]["responds"] and sees["stimulus"]["p_value"] < 0.01
    assert sees["reasons"][0].startswith("this camera sees the device")
    assert sees["vendor"] == "Espressif Inc." and sees["channel_mhz"] == 2437
    assert blind["kind"] == "camera" and not blind["stimulus"]["responds"]
    assert blind["reasons"][0].startswith("streams like a camera; does not see the device from here")
    assert call["kind"] == "video-call" and call["camera_score"] < 0.5 and call["stimulus"] is None
    assert doc["stimulus"]["kind"] == "ir-ring" and doc["stimulus"]["channels_mhz"] == [2437, 2462]


def test_kept_capture_and_schedule_rejudge_the_same(kept, capsys):
    _, live, pcap = kept
    schedule = pcap.with_suffix(".stimulus.json")
    played = json.loads(schedule.read_text())
    assert played == {k: live["stimulus"][k] for k in ("kind", "start_s", "slot_s", "pattern")}
    code, doc = run_json(capsys, "--replay", str(pcap), "--stimulus", str(schedule))
    assert code == 0
    devices = by_mac(doc)
    assert devices[SEES]["kind"] == "camera" and devices[SEES]["stimulus"]["responds"]
    assert not devices[BLIND]["stimulus"]["responds"]
    assert devices[CALL]["kind"] == "video-call"
    code, doc = run_json(capsys, "--replay", str(pcap))  # without the schedule: streams, no verdict
    assert by_mac(doc)[SEES]["kind"] == "camera" and by_mac(doc)[SEES]["stimulus"] is None


def test_real_captures_read_and_claim_no_camera(capsys):
    for path in sorted((SHARED_DATA / "wifi" / "radiotap").glob("*.pcap")):
        code, doc = run_json(capsys, "--replay", str(path))
        assert code == 0 and doc["devices"], path.name
        assert not [d for d in doc["devices"] if d["kind"] == "camera" or d["camera_score"] >= SUSPECT_SCORE], path.name


@pytest.mark.parametrize("path", sorted((SHARED_DATA / "wifi" / "lan").glob("*.pcap")), ids=lambda p: p.name)
def test_ethernet_ip_camera_captures_are_refused_in_one_line(path, capsys):
    assert main(["wifi", "--replay", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "link type 1 (Ethernet) is not a Wi-Fi capture" in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--replay", "{sample}", "--stimulus", "ir"], "a replay cannot play a stimulus"),
        (["--replay", "{sample}", "--stimulus", "{tmp}/missing.json"], "no such schedule file"),
        (["--replay", "{sample}", "--stimulus", "{tmp}/bad.json"], "schedule lacks"),
        (["--replay", "{tmp}/missing.pcap"], "no such file"),
        (["--simulate", "--stimulus", "{tmp}/bad.json"], "use it with --replay"),
        (["--channels", "6,500"], "neither a Wi-Fi channel"),
        (["--replay", "{sample}", "--seconds", "-1"], "--seconds must be"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, words, tmp_path, capsys):
    (tmp_path / "bad.json").write_text('{"kind": "ir-ring"}')
    sample = SHARED_DATA / "wifi" / "radiotap" / "80211-sample.pcap"
    argv = [a.format(sample=sample, tmp=tmp_path) for a in argv]
    assert main(["wifi", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err


def test_no_adapter_is_exit_1_with_the_device_page_line(tmp_path, monkeypatch, capsys):
    wifi = FakeWifi(tmp_path, monkeypatch)
    from hw.wifi import iw

    monkeypatch.setattr(iw, "SYSFS_NET", wifi.sysfs)
    assert main(["wifi"]) == 1
    assert capsys.readouterr().err == "roomsweep: no monitor-capable Wi-Fi adapter: the Wi-Fi sweep is off\n"
    wifi.plug("phy2", "wlan1", "rtl8192cu", monitor=False)
    assert main(["wifi", "--iface", "wlan1"]) == 1
    assert "wlan1 (rtl8192cu, phy2) cannot do monitor mode" in capsys.readouterr().err


def test_lights_test_prompts_once_per_change_in_the_terminal(capsys):
    code = main(["wifi", "--simulate", "--channels", "6", "--stimulus", "lights", "--seconds", "5", "--json"])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert code == 0 and doc["stimulus"]["kind"] == "lights"
    lines = captured.err.splitlines()
    assert set(lines) == {"switch the room light ON now", "switch the room light OFF now"}
    assert all(a != b for a, b in itertools.pairwise(lines)) and lines[-1].endswith("OFF now")


def test_a_long_replay_is_judged_in_bounded_memory(capsys, monkeypatch):
    from appliance import wifi_sweep

    path = SHARED_DATA / "wifi" / "radiotap" / "80211-sample2.pcap"
    _, whole = run_json(capsys, "--replay", str(path))
    monkeypatch.setattr(wifi_sweep, "MAX_FRAMES", 500)
    code, windowed = run_json(capsys, "--replay", str(path))
    assert code == 0 and windowed["problems"][-1].startswith("a long capture (over 500 frames)")
    assert {d["mac"] for d in windowed["devices"]} <= {d["mac"] for d in whole["devices"]}
    assert windowed["devices"] and not [d for d in windowed["devices"] if d["camera_score"] >= SUSPECT_SCORE]
