"""Hop plans, stitching and detection on synthetic spectra."""

from __future__ import annotations

import numpy as np
import pytest

from dsp import detect, psd
from dsp import plan as planmod
from hw.radio import TUNER_RANGE_HZ
from hw.sim.radio import Latency


@pytest.mark.parametrize(
    "text,expected",
    [("433.92M", 433.92e6), ("1.2G", 1.2e9), ("98100000", 98.1e6), ("500k", 5e5), ("2.4e6", 2.4e6)],
)
def test_frequencies_parse_with_suffixes(text, expected):
    assert planmod.parse_frequency(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "abc", "12X", "M"])
def test_bad_frequencies_say_what_is_wrong(text):
    with pytest.raises(ValueError, match="not a frequency"):
        planmod.parse_frequency(text)


def test_ranges_merge_and_validate():
    assert planmod.parse_ranges("900M:930M,850M:910M,1.2G:1.3G") == ((850e6, 930e6), (1.2e9, 1.3e9))
    with pytest.raises(ValueError, match="LOW:HIGH"):
        planmod.parse_ranges("433M")
    with pytest.raises(ValueError, match="high end"):
        planmod.parse_ranges("900M:800M")


@pytest.mark.parametrize(
    "ranges,message",
    [
        (((10e6, 100e6),), "below the RTL-SDR's 24 MHz"),
        (((2.4e9, 2.5e9),), "2.4/5.8 GHz Wi-Fi cameras are invisible"),
    ],
)
def test_ranges_outside_the_tuner_are_explained(ranges, message):
    with pytest.raises(ValueError, match=message):
        planmod.make_plan(ranges, tuning_range=TUNER_RANGE_HZ)


def test_full_plan_tiles_the_range_on_one_grid_within_the_tuner():
    plan = planmod.make_plan(planmod.preset("full", TUNER_RANGE_HZ), tuning_range=TUNER_RANGE_HZ)
    freqs = np.concatenate([plan.hop_frequencies(h) for h in plan.hops])
    steps = np.diff(freqs)
    assert (steps > 0).all(), "bins strictly increase: no overlap between hops"
    assert steps.max() <= plan.bin_hz * 1.5, "no gaps between hops"
    assert freqs[0] - plan.bin_hz / 2 == pytest.approx(24e6, abs=1)
    assert freqs[-1] + plan.bin_hz / 2 <= 1766e6 + 1
    assert all(24e6 <= h.center_hz <= 1766e6 for h in plan.hops)


def test_full_plan_costs_at_most_ten_seconds_of_modelled_radio_time():
    plan = planmod.make_plan(planmod.preset("full", TUNER_RANGE_HZ), tuning_range=TUNER_RANGE_HZ)
    lat = Latency()
    assert plan.radio_time_s(lat.retune_s, lat.settle_samples, lat.read_overhead_s) <= 10.0


def test_hop_centres_stay_off_every_6_25_khz_channel_raster():
    plan = planmod.make_plan(planmod.preset("full", TUNER_RANGE_HZ), tuning_range=TUNER_RANGE_HZ)
    centres = np.array([h.center_hz for h in plan.hops if h.dwell_samples == 4096])
    distance = np.abs(((centres + 3125) % 6250) - 3125)
    assert distance.min() >= 1500


def test_ism_433_gets_one_long_peak_hold_hop():
    plan = planmod.make_plan(planmod.preset("full", TUNER_RANGE_HZ), tuning_range=TUNER_RANGE_HZ)
    long = [h for h in plan.hops if h.dwell_samples > 1_000_000]
    assert len(long) == 1
    lo, hi = plan.hop_span(long[0])
    assert lo <= 433.06e6 and hi >= 434.78e6
    assert long[0].frames > 100


def _noise_windows(plan, rng, shape_db=None):
    nfft = plan.nfft
    means = []
    for _ in plan.hops:
        m = rng.gamma(30, 1 / 30, nfft) * 1e-6
        if shape_db is not None:
            m *= 10 ** (shape_db / 10)
        means.append(m)
    return means


def test_stitching_removes_the_passband_ripple_that_repeats_every_hop():
    plan = planmod.make_plan(((100e6, 200e6),), tuning_range=TUNER_RANGE_HZ)
    k = np.arange(plan.nfft) - plan.nfft // 2
    ripple = -3.0 * (np.abs(k) / (plan.nfft / 2)) ** 4  # edges 3 dB down, like a tuner filter
    means = _noise_windows(plan, np.random.default_rng(0), ripple)
    spec = planmod.stitch(plan, means, means, [30.0] * len(means))
    full = [h.index for h in plan.hops if h.last_bin - h.first_bin == plan.keep_bins]
    per_position = np.mean([spec.mean[spec.hop_of_bin == i] for i in full], axis=0)
    assert 10 * np.log10(per_position.max() / per_position.min()) < 0.5


def test_unmeasured_hops_are_nan_and_named_missing():
    from appliance.rf_sweep import missing_bands

    plan = planmod.make_plan(((100e6, 120e6),), tuning_range=TUNER_RANGE_HZ)
    means = _noise_windows(plan, np.random.default_rng(0))
    means[3] = means[4] = None
    spec = planmod.stitch(plan, means, means, [30.0] * len(means))
    assert np.isnan(spec.mean[spec.hop_of_bin == 3]).all()
    ((lo, hi),) = missing_bands(plan, means)
    assert lo == pytest.approx(plan.hop_span(plan.hops[3])[0])
    assert hi == pytest.approx(plan.hop_span(plan.hops[4])[1])


def _spectrum(power, averages=30.0, bin_hz=9375.0):
    n = power.size
    return planmod.Spectrum(
        freqs=100e6 + np.arange(n) * bin_hz,
        mean=power,
        peak=power,
        hop_of_bin=(np.arange(n) // 214).astype(np.int32),
        averages=np.full(n, averages),
        frames=np.ones(n, np.int32),
        bin_hz=bin_hz,
    )


def test_pure_noise_gives_no_detections():
    rng = np.random.default_rng(7)
    false = 0
    for _ in range(20):
        power = rng.gamma(29.4, 1 / 29.4, 20_000) * 1e-6
        false += len(detect.detect(_spectrum(power)))
    assert false == 0


def test_tone_and_wide_block_are_found_where_they_are():
    rng = np.random.default_rng(8)
    power = rng.gamma(29.4, 1 / 29.4, 20_000) * 1e-6
    power[5000] += 1e-5  # a tone 10 dB up
    power[12_000:12_800] += 4e-6  # 7.5 MHz wide, 7 dB up
    found = detect.detect(_spectrum(power))
    assert len(found) == 2
    tone, block = found
    assert abs(tone.freq_hz - (100e6 + 5000 * 9375)) < 9375
    assert tone.bandwidth_hz <= 3 * 9375
    assert abs(block.freq_hz - (100e6 + 12_399.5 * 9375)) < 9375
    assert 7.2e6 < block.bandwidth_hz < 7.8e6


def test_weak_wide_emitter_is_found_by_the_coarse_pass():
    rng = np.random.default_rng(9)
    power = rng.gamma(29.4, 1 / 29.4, 20_000) * 1e-6
    power[8000:8600] *= 10 ** (2.0 / 10)  # 2 dB up: under any single-bin threshold (3.6 dB)
    found = detect.detect(_spectrum(power))
    assert len(found) == 1
    assert 8000 * 9375 < found[0].freq_hz - 100e6 < 8600 * 9375


def test_strong_neighbours_hundreds_of_khz_apart_stay_separate():
    """FM stations 400 kHz apart: the smoothed pass must not join them into one wide emitter."""
    rng = np.random.default_rng(10)
    power = rng.gamma(29.4, 1 / 29.4, 20_000) * 1e-6
    centres = [6000, 6043, 6086, 6150]  # 400 kHz apart, then 600 kHz
    for c in centres:
        power[c - 4 : c + 5] += 3e-3  # 35 dB up, 84 kHz wide
    found = detect.detect(_spectrum(power))
    assert [round((d.freq_hz - 100e6) / 9375) for d in found] == centres
    assert all(d.bandwidth_hz < 120e3 for d in found)


def test_confirmation_uses_the_longer_dwell():
    floor = np.full(5, 1e-6)
    ok, excess = detect.confirm(np.array([1, 1, 2.2, 1, 1]) * 1e-6, floor, averages=250)
    assert ok and excess == pytest.approx(10 * np.log10(2.2))
    ok, _ = detect.confirm(np.array([1, 1.1, 1.2, 1, 1]) * 1e-6, floor, averages=250)
    assert not ok


def test_gamma_threshold_is_a_real_false_alarm_rate():
    rng = np.random.default_rng(11)
    k = 30
    factor = detect.gamma_quantile_factor(k, 1e-3)
    draws = rng.gamma(k, 1 / k, 2_000_000)
    assert 0.5e-3 < np.mean(draws > factor) < 2e-3
    assert psd.effective_averages(31) == pytest.approx(29.4, abs=0.1)
