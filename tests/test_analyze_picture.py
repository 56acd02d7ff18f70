"""``roomsweep analyze REC --picture/--stimulus``: a kept capture re-derives the camera's picture and
whether it saw the device."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from appliance.cli import main
from dsp import picture as picmod
from dsp import stimulus as stim
from hw.sim import frontend, hacktv
from tests import video_captures as vc

RATE = 2.5e6  # hacktv renders straight at the receiver's rate (160 samples a line): no resampling
SECONDS = 4.0


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    """A ±1 MHz FM camera that saw the LED ring on ``schedule`` (a 5 % brighter picture while
    lit), recorded in one window at 5 dB, plus its schedule, an unrelated one and the reference."""
    if not hacktv.available():
        pytest.fail("hacktv is missing: apt-get install hacktv (listed in .ci/apt-packages.txt)")
    tmp = tmp_path_factory.mktemp("analyze_picture")
    card = vc.test_card("shelf")
    renders = [
        vc.render(vc.write_png(pic, tmp / f"{name}.png"), "PAL", "fm", SECONDS, tmp, RATE, deviation_hz=2e6)
        for name, pic in (("dark", card), ("bright", np.clip(card + 0.05, 0, 1)))
    ]
    schedule = stim.make_schedule("ir-ring", 0.2, 0.2, 18, np.random.default_rng(7))
    signal = vc.stimulated(*renders, schedule, RATE)
    path = tmp / "cam_1280M_2500k.cu8"
    frontend.capture(signal, 5.0, np.random.default_rng(2), rate_hz=RATE).tofile(path)
    files = []
    for name, sched in (
        ("cam", schedule),
        ("other", stim.make_schedule("ir-ring", 0.2, 0.2, 18, np.random.default_rng(8))),
    ):
        files.append(tmp / f"{name}.stimulus.json")
        files[-1].write_text(json.dumps(sched.to_json()))
    return path, files[0], files[1], vc.reference(card, "PAL")


def test_analyze_picture_writes_the_cameras_picture(recordings, tmp_path, capsys):
    path, _, _, ref = recordings
    out = tmp_path / "cam.png"
    assert main(["analyze", str(path), "--picture", str(out)]) == 0
    img = np.asarray(Image.open(out), np.float32) / 255
    assert img.shape == (288, 384)
    assert picmod.pearson(img, ref) >= 0.85


def test_analyze_stimulus_says_the_camera_responds_to_its_schedule(recordings, capsys):
    path, schedule_file, _, _ = recordings
    assert main(["analyze", str(path), "--stimulus", str(schedule_file), "--json"]) == 0
    (video,) = [e for e in json.loads(capsys.readouterr().out)["emitters"] if e["kind"] == "analog-video"]
    assert video["stimulus"]["responds"] is True
    assert video["stimulus"]["p_value"] < 0.01 and video["stimulus"]["statistic"] > 0.8


def test_analyze_stimulus_with_an_unrelated_schedule_does_not_respond(recordings, capsys):
    path, _, other_file, _ = recordings
    assert main(["analyze", str(path), "--stimulus", str(other_file), "--json"]) == 0
    (video,) = [e for e in json.loads(capsys.readouterr().out)["emitters"] if e["kind"] == "analog-video"]
    assert video["stimulus"]["responds"] is False


def test_analyze_picture_of_a_recording_without_video_is_refused(tmp_path, capsys, rtl433_recordings):
    out = tmp_path / "none.png"
    assert main(["analyze", str(rtl433_recordings[0]), "--picture", str(out)]) == 1
    assert capsys.readouterr().err.strip().endswith("no picture written")
    assert not out.exists()
