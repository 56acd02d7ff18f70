"""``roomsweep ble``: the simulated room, a recorded scan replayed, the terminal table, bad input and no adapter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.cli import main
from hw.ble import NO_ADAPTER

LOG = Path(__file__).parent / "data" / "ble" / "room.jsonl"
TUYA, ESP32 = "f3:41:7c:20:9b:11", "a4:cf:12:3e:51:09"  # the demo room's


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["ble", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_simulated_room_recorded_and_replayed(capsys, tmp_path):
    kept = tmp_path / "scan.jsonl"
    code, doc = run_json(capsys, "--simulate", "--seconds", "3", "--record", str(kept))
    assert code == 0 and doc["state"] == "ran" and doc["status"] == "complete" and doc["seconds"] == 3.0
    assert [d["address"] for d in doc["devices"][:2]] == [TUYA, ESP32]
    code, again = run_json(capsys, "--replay", str(kept))
    assert code == 0 and again["adapter"] == "replay: scan.jsonl" and again["adverts"] == doc["adverts"]
    assert [(d["address"], d["reasons"], d["rssi_dbm"]) for d in again["devices"]] == [
        (d["address"], d["reasons"], d["rssi_dbm"]) for d in doc["devices"]
    ]


def test_the_terminal_table_puts_hints_first_with_their_reasons(capsys):
    assert main(["ble", "--replay", str(LOG)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Bluetooth: 3.0 s on replay: room.jsonl, 56 adverts from 6 devices, 4 with hints; status complete"
    assert out[2].startswith("! 3a:9c:54:e0:7b:12  random")
    assert out[3].strip() == "· HomeKit accessory of category IP camera (not paired yet)"
    assert any(line.startswith("  f8:df:15:c1:07:aa  public  JBL Flip 5") for line in out)


def test_seconds_bound_a_replay(capsys):
    code, doc = run_json(capsys, "--replay", str(LOG), "--seconds", "1")
    assert code == 0 and doc["seconds"] == 1.0 and 0 < doc["adverts"] < 56


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seconds", "0"], "--seconds must be in (0, 600]"),
        (["--replay", "x.jsonl", "--scene", "room.json"], "--scene and --adapter go with a scan"),
        (["--simulate", "--replay", "x.jsonl"], "not allowed with argument"),
        (["--replay", "/nonexistent/scan.jsonl"], "no such advertisement log"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    assert main(["ble", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_no_adapter_is_one_line_and_exit_1(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("hw.ble.SYSFS_BLUETOOTH", tmp_path)  # a machine without a Bluetooth controller
    assert main(["ble", "--seconds", "1"]) == 1
    assert capsys.readouterr().err == f"roomsweep: {NO_ADAPTER}\n"
