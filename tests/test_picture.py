"""The camera's picture, recovered from hacktv renders of our own test cards through a model
RTL-SDR, and no picture where there is no video."""

from __future__ import annotations

import numpy as np
import pytest

from dsp import picture as picmod
from hw.sim import hacktv
from hw.sim import scene as scenemod
from hw.sim.radio import SimRadio
from tests import video_captures as vc

FM_TUNINGS = [2.4e6, 0.8e6, -0.8e6, -2.4e6]  # the carrier's offset from each window's centre: ±3.4 MHz covered
RATE = 2.4e6


@pytest.fixture(scope="module")
def camera(tmp_path_factory):
    """``camera(standard, modulation, offsets, seconds_each, snr_db)`` -> (segments, reference luma)."""
    if not hacktv.available():
        pytest.fail("hacktv is missing: apt-get install hacktv (listed in .ci/apt-packages.txt)")
    cache = tmp_path_factory.mktemp("picture")
    card = vc.test_card("room")
    png = vc.write_png(card, cache / "room.png")

    def make(standard, modulation, offsets, seconds_each, snr_db, **kw):
        extra = {"deviation_hz": 6e6} if modulation == "fm" else {}
        signal = vc.render(png, standard, modulation, len(offsets) * (seconds_each + 0.01) + 0.05, cache, **extra)
        return vc.stream(signal, offsets, seconds_each, snr_db, **kw), vc.reference(card, standard)

    return make


def test_pal_fm_stitched_from_four_tunings_is_the_test_card(camera):
    segments, ref = camera("PAL", "fm", FM_TUNINGS, 0.3, 10.0)
    pic = picmod.recover(segments, RATE)
    assert (pic.standard, pic.modulation) == ("PAL", "fm")
    assert pic.luma.shape == (288, 384)  # active picture, deinterlaced, 4:3
    assert pic.vertical_sync and pic.measured > 0.99
    assert abs(pic.line_rate_hz - 15625 / (1 + 23e-6)) < 0.01  # the dongle's 23 ppm clock, tracked
    assert picmod.pearson(pic.luma, ref) >= 0.9
    # calibrated from sync tip and blanking: the card's white window is white, its darkest block near black
    assert 0.85 <= np.percentile(pic.luma, 99.5) <= 1.15
    assert -0.1 <= np.percentile(pic.luma, 1) <= 0.2


def test_ntsc_fm_stitched_is_the_test_card(camera):
    segments, ref = camera("NTSC", "fm", FM_TUNINGS, 0.3, 10.0)
    pic = picmod.recover(segments, RATE)
    assert pic.standard == "NTSC" and pic.luma.shape == (240, 320)
    assert picmod.pearson(pic.luma, ref) >= 0.9


def test_fm_at_0_db_still_shows_the_card(camera):
    segments, ref = camera("PAL", "fm", FM_TUNINGS, 0.3, 0.0, seed=4)
    assert picmod.pearson(picmod.recover(segments, RATE).luma, ref) >= 0.8


def test_fm_from_one_tuning_measures_only_part_of_the_swing(camera):
    segments, ref = camera("PAL", "fm", [0.0], 0.5, 20.0)
    pic = picmod.recover(segments, RATE)
    assert pic.measured < 0.95  # the sync tip and the brightest parts are outside the window
    assert picmod.pearson(pic.luma, ref) >= 0.5


def test_pal_am_one_window_by_synchronous_detection(camera):
    segments, ref = camera("PAL", "am", [0.0], 0.5, 10.0)
    pic = picmod.recover(segments, RATE)
    assert (pic.standard, pic.modulation) == ("PAL", "am")
    assert picmod.pearson(pic.luma, ref) >= 0.85


def _sim_capture(emitter: dict, center_hz: float, seconds: float = 0.3) -> picmod.Segment:
    scene = scenemod.parse({"name": "no camera", "noise_floor_dbfs": -60, "emitters": [emitter]})
    radio = SimRadio(scene, time_scale=0, seed=3)
    radio.tune(center_hz)
    return picmod.Segment(radio.read(round(seconds * RATE)), 0, center_hz)


@pytest.mark.parametrize(
    "emitter",
    [
        {"kind": "fm-broadcast", "freq_hz": 98.1e6, "power_dbfs": -25},
        {"kind": "ofdm", "freq_hz": 98.1e6, "power_dbfs": -35, "bandwidth_hz": 1.7e6},
        {"kind": "carrier", "freq_hz": 98.1e6, "power_dbfs": -90},  # receiver noise only
    ],
    ids=["fm-station", "ofdm-multiplex", "noise"],
)
def test_no_picture_without_video_line_structure(emitter):
    with pytest.raises(picmod.NoVideo, match="no video line structure"):
        picmod.recover([_sim_capture(emitter, 98.1e6)], RATE)


def test_too_few_frames_is_no_picture(camera):
    segments, _ = camera("PAL", "am", [0.0], 0.05, 20.0)
    with pytest.raises(picmod.NoVideo):
        picmod.recover(segments, RATE)
