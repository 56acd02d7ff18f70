"""Recognising hops from a tuner that silently failed to retune."""

from __future__ import annotations

import numpy as np

from dsp import health


def noise(rng, level=1e-6, n=256):
    return rng.gamma(30, level / 30, n)


def test_a_healthy_hop_passes():
    rng = np.random.default_rng(1)
    floors = [health.window_floor_db(noise(rng)) for _ in range(8)]
    assert health.verdict(noise(rng), floors, noise(rng)) is None


def test_only_adc_noise_is_dead():
    rng = np.random.default_rng(2)
    floors = [health.window_floor_db(noise(rng)) for _ in range(8)]
    assert health.verdict(noise(rng, level=1e-8), floors, None) == "dead"


def test_a_repeat_of_the_last_hop_is_stale():
    rng = np.random.default_rng(3)
    last = noise(rng)
    last[40:60] *= 100  # an emitter the previous hop saw
    assert health.verdict(last * 1.0000001, [], last) == "stale"


def test_first_hops_have_nothing_to_compare_with():
    rng = np.random.default_rng(4)
    assert health.verdict(noise(rng, level=1e-9), [], None) is None


def test_quiet_spectrum_after_a_busy_band_is_alive():
    """Leaving the FM band: the last hops' medians are raised by stations, this one is plain noise."""
    rng = np.random.default_rng(5)
    busy = [health.window_floor_db(noise(rng, level=3e-5)) for _ in range(7)]
    quiet = [health.window_floor_db(noise(rng))]
    assert health.verdict(noise(rng), busy + quiet, None) is None


def test_a_low_floor_under_a_strong_emitter_is_alive():
    """Tuner AGC backs off for a strong signal: the floor drops, but the window is not empty."""
    rng = np.random.default_rng(6)
    floors = [health.window_floor_db(noise(rng)) for _ in range(8)]
    window = noise(rng, level=1e-8)
    window[120:136] = 1e-5  # the emitter the gain control reacted to
    assert health.verdict(window, floors, None) is None
