"""Signal features on RTL-SDR-like captures: hacktv video, synthetic decoys, real recordings."""

from __future__ import annotations

import numpy as np
import pytest

from dsp import features
from hw.sim import frontend

RATE = 2.4e6
LINE = {"PAL": 15625.0, "SECAM": 15625.0, "NTSC": 4.5e6 / 286}
NAMED = {"PAL": "PAL", "SECAM": "PAL", "NTSC": "NTSC"}  # DESIGN.md: SECAM is a 625-line "PAL" system


@pytest.mark.parametrize("standard", ["PAL", "NTSC", "SECAM"])
@pytest.mark.parametrize("modulation", ["fm", "am"])
@pytest.mark.parametrize("offset_hz", [-0.8e6, 0.8e6])
def test_video_line_rate_and_standard_at_0_db(hacktv_video, rtl_capture, standard, modulation, offset_hz):
    wide = hacktv_video(standard, modulation, 3e6 if modulation == "fm" else None)
    raw = rtl_capture(wide, offset_hz, 0.0, seed=hash((standard, modulation, offset_hz)) % 1000)
    bandwidth = 2e6 if modulation == "fm" else 120e3
    line = features.measure(raw, RATE, offset_hz, bandwidth).line
    assert line is not None
    assert line.standard == NAMED[standard]
    assert line.line_rate_hz == pytest.approx(LINE[standard], rel=1e-3)  # the bound
    assert line.line_rate_hz == pytest.approx(LINE[standard], rel=2e-5)  # what it really manages
    assert line.field_consistent, line.field_rate_hz


def test_narrow_fm_video_shows_on_the_discriminator(hacktv_video, rtl_capture):
    """A 1 MHz swing stays inside the window: the envelope is flat, the frequency carries the lines."""
    raw = rtl_capture(hacktv_video("PAL", "fm", 1e6), 0.3e6, 0.0, seed=4)
    feats = features.measure(raw, RATE, 0.3e6, 1.1e6)
    assert feats.line is not None and feats.line.source == "frequency"
    assert feats.line.line_rate_hz == pytest.approx(15625.0, rel=2e-5)


def test_wide_fm_video_found_below_the_noise(hacktv_video, rtl_capture):
    raw = rtl_capture(hacktv_video("NTSC", "fm", 3e6), -0.5e6, -5.0, seed=5)
    line = features.measure(raw, RATE, -0.5e6, 2e6).line
    assert line is not None and line.standard == "NTSC"


def test_gsm_bursts_repeat_every_tdma_frame(decoy):
    feats = features.measure(decoy({"kind": "tdma", "slots": 1}, 0.3e6, 20, 1), RATE, 0.3e6, 200e3)
    assert feats.line is None
    assert feats.bursts.bursty
    assert feats.bursts.period_s == pytest.approx(60e-3 / 13, rel=0.01)
    assert feats.bursts.duty_cycle == pytest.approx(1 / 8, abs=0.03)


def test_lte_uplink_bursts_last_whole_subframes(decoy):
    doc = {"kind": "lte", "load": 0.3, "bandwidth_hz": 360e3}
    feats = features.measure(decoy(doc, 0.3e6, 20, 2), RATE, 0.3e6, 360e3)
    assert feats.line is None and feats.bursts.bursty and feats.bursts.whole_ms


def test_fm_broadcast_stereo_pilot(decoy):
    stereo = features.measure(decoy({"kind": "fm-broadcast"}, -0.5e6, 10, 3), RATE, -0.5e6, 200e3)
    mono = features.measure(decoy({"kind": "fm-broadcast", "stereo": False}, -0.5e6, 10, 3), RATE, -0.5e6, 200e3)
    assert stereo.pilot_db > 30 and mono.pilot_db < 15
    assert stereo.line is None and stereo.envelope_spread < 0.3


def test_ofdm_is_flat_and_continuous(decoy):
    feats = features.measure(decoy({"kind": "ofdm", "bandwidth_hz": 7.6e6}, 0.0, 20, 4), RATE, 0.0, 7.6e6)
    assert feats.line is None
    assert feats.flatness > 0.9 and not feats.bursts.bursty


@pytest.mark.parametrize(
    "doc",
    [
        {"kind": "burst", "period_s": 0.1, "burst_s": 0.06, "symbol_s": 512e-6},
        # symbols exactly one PAL line long: a clock at the line rate, but not a video comb
        {"kind": "burst", "period_s": 0.1, "burst_s": 0.08, "symbol_s": 64e-6},
        {"kind": "carrier"},
    ],
)
def test_no_comb_on_keyed_or_plain_carriers(decoy, doc):
    feats = features.measure(decoy(doc, 0.3e6, 20, 5), RATE, 0.3e6, 30e3)
    assert feats.line is None


def test_no_comb_in_noise():
    raw = frontend.capture(np.zeros(600_000, np.complex64), 0.0, np.random.default_rng(6))
    assert features.measure(raw, RATE, 0.0, 2e6).line is None
    assert features.measure(raw, RATE, 0.3e6, 30e3).line is None


def test_real_ook_capture_is_bursty_without_comb(rtl433_recordings):
    raw = np.fromfile(rtl433_recordings[3], dtype=np.uint8)
    feats = features.measure(raw, 250e3, -0.1e3, 40e3)
    assert feats.line is None and feats.bursts.bursty


def test_smooth_lengths_keep_ffts_fast():
    assert features.smooth_length(600_064, 4) == 600_000
    assert features.smooth_length(1_200_000, 4) == 1_200_000
    n = features.smooth_length(987_654, 3)
    assert n % 3 == 0 and n <= 987_654 and n > 0.97 * 987_654
    for p in (2, 3, 5):
        while n % p == 0:
            n //= p
    assert n == 1
