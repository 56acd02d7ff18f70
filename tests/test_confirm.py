"""``roomsweep confirm``: the LED ring blinks a fresh schedule; a simulated camera that sees the
device brightens with it (scene keys ``sees_device``, ``led_response``), one that does not, does not."""

from __future__ import annotations

import json

import pytest

from appliance.cli import main


def _scene(tmp_path, **camera):
    emitter = {"kind": "analog-video", "freq_hz": 1.2e9, "power_dbfs": -45, "standard": "PAL", "deviation_hz": 3e6}
    path = tmp_path / "room.json"
    path.write_text(json.dumps({"name": "room", "noise_floor_dbfs": -60, "emitters": [{**emitter, **camera}]}))
    return str(path)


@pytest.mark.parametrize(("sees", "responds"), [(True, True), (False, False)], ids=["sees", "blind"])
def test_confirm_says_whether_the_camera_sees_the_device(tmp_path, capsys, sees, responds):
    scene = _scene(tmp_path, sees_device=sees, led_response=0.05)
    assert main(["confirm", "1200M", "--scene", scene, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["standard"] == "PAL" and doc["schedule"]["kind"] == "ir-ring"
    assert len(doc["schedule"]["pattern"]) == 20
    assert doc["stimulus"]["responds"] is responds
    if responds:
        assert doc["stimulus"]["p_value"] < 0.001 and doc["stimulus"]["statistic"] > 0.8


def test_confirm_in_words_and_refused_without_video(tmp_path, capsys):
    assert main(["confirm", "1200M", "--scene", _scene(tmp_path, sees_device=True)]) == 0
    assert "it sees this device: its picture brightened each time the LED ring was lit" in capsys.readouterr().out
    station = tmp_path / "station.json"
    station.write_text(
        json.dumps({"name": "s", "emitters": [{"kind": "fm-broadcast", "freq_hz": 98.1e6, "power_dbfs": -25}]})
    )
    assert main(["confirm", "98.1M", "--scene", str(station)]) == 1
    assert capsys.readouterr().err.strip() == "roomsweep confirm: no video line structure at 98.100 MHz"
