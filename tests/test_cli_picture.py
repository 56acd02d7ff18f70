"""``roomsweep picture``: the simulated camera's picture, and no file where there is no video."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

from appliance.cli import main
from dsp import picture as picmod
from hw.sim import video


def _scene(tmp_path, emitter: dict):
    path = tmp_path / "room.json"
    path.write_text(json.dumps({"name": "test room", "noise_floor_dbfs": -60, "emitters": [emitter]}))
    return path


def test_picture_of_a_simulated_fm_camera_is_its_room(tmp_path, capsys):
    camera = {"kind": "analog-video", "freq_hz": 1.2e9, "power_dbfs": -40, "standard": "PAL", "deviation_hz": 3e6}
    out = tmp_path / "cam.png"
    code = main(
        ["picture", "1200M", "--scene", str(_scene(tmp_path, camera)), "--seconds", "2", "--out", str(out), "--json"]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["standard"] == "PAL" and doc["modulation"] == "fm" and doc["out"] == str(out)
    assert len(doc["tunings_hz"]) >= 2  # a ±3 MHz swing needs more than one window
    assert (doc["width"], doc["height"]) == (384, 288)
    img = np.asarray(Image.open(out), np.float32)
    assert img.shape == (288, 384)
    source = np.asarray(Image.fromarray(video.room_picture()).resize((384, 288), Image.Resampling.BILINEAR))
    # the simulator's field starts 3 lines later than the standard's: compare what both show
    assert picmod.pearson(img[8:-8], source[5:-11]) > 0.8


def test_no_picture_at_an_fm_station(tmp_path, capsys):
    station = {"kind": "fm-broadcast", "freq_hz": 98.1e6, "power_dbfs": -25}
    out = tmp_path / "station.png"
    code = main(["picture", "98.1M", "--scene", str(_scene(tmp_path, station)), "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["roomsweep picture: no video line structure at 98.100 MHz: no picture written"]
    assert not out.exists()


def test_picture_needs_a_png_in_an_existing_directory(tmp_path, capsys):
    assert main(["picture", "1200M", "--simulate", "--out", str(tmp_path / "cam.jpg")]) == 2
    assert main(["picture", "1200M", "--simulate", "--out", str(tmp_path / "nowhere" / "cam.png")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 2


def test_picture_of_a_simulated_am_camera_from_one_window(tmp_path, capsys):
    camera = {"kind": "analog-video", "freq_hz": 1.2e9, "power_dbfs": -30, "standard": "PAL", "modulation": "am"}
    out = tmp_path / "am.png"
    assert (
        main(
            [
                "picture",
                "1200M",
                "--scene",
                str(_scene(tmp_path, camera)),
                "--seconds",
                "1",
                "--out",
                str(out),
                "--json",
            ]
        )
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    # one window, tuned above the carrier (off the DC spike, the upper sideband inside)
    assert doc["modulation"] == "am" and doc["tunings_hz"] == [1.2003e9]
    img = np.asarray(Image.open(out), np.float32)
    source = np.asarray(Image.fromarray(video.room_picture()).resize((384, 288), Image.Resampling.BILINEAR))
    assert picmod.pearson(img[8:-8], source[5:-11]) > 0.8
