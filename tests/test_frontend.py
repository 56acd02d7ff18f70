"""The capture builder the evaluation relies on: offsets, SNR and flaws as documented."""

from __future__ import annotations

import numpy as np
import pytest

from dsp import iq, psd
from hw.sim import emitters, frontend, hacktv
from hw.sim import scene as scenemod

RATE = 2.4e6


def test_window_puts_the_carrier_at_the_offset_with_the_tuner_roll_off():
    fs, n = 13.5e6, 135_000
    tone = np.exp(2j * np.pi * 1e6 * np.arange(n) / fs).astype(np.complex64)  # 1 MHz above "0 Hz"
    wide = frontend.Wideband(tone, fs)
    inside = wide.window(-0.7e6)  # the render's 0 Hz 0.7 MHz below centre: the tone at +0.3 MHz
    spec = np.abs(np.fft.fft(inside)) ** 2
    peak = np.fft.fftfreq(inside.size, 1 / RATE)[np.argmax(spec)]
    assert inside.size == 24_000 and peak == pytest.approx(0.3e6, abs=100)
    assert np.mean(np.abs(inside) ** 2) == pytest.approx(1.0, rel=0.01)
    edge = wide.window(0.15e6)  # the tone at 1.15 MHz: in the roll-off, ~-22 dB
    assert -24 < 10 * np.log10(np.mean(np.abs(edge) ** 2)) < -16


@pytest.mark.parametrize("snr_db", [-5.0, 0.0, 20.0])
def test_capture_has_the_requested_in_window_snr(snr_db):
    n = 240_000
    tone = (0.5 * np.exp(2j * np.pi * 0.3e6 * np.arange(n) / RATE)).astype(np.complex64)
    flat = frontend.Impairments(dc=0j, iq_gain_db=0.0, iq_phase_deg=0.0, level_dbfs=-15.0)
    raw = frontend.capture(tone, snr_db, np.random.default_rng(1), flat)
    x = iq.to_complex(raw)
    spec = np.abs(np.fft.fft(x)) ** 2
    k = round(0.3e6 * n / RATE)
    signal = spec[k - 1 : k + 2].sum()
    noise = spec.sum() - signal
    assert 10 * np.log10(signal / noise) == pytest.approx(snr_db, abs=0.3)
    assert 10 * np.log10(np.mean(np.abs(x) ** 2)) == pytest.approx(-15.0, abs=0.3)


def test_flaws_show_as_a_dc_spike_and_a_mirror_image():
    n = 240_000
    tone = (0.5 * np.exp(2j * np.pi * 0.3e6 * np.arange(n) / RATE)).astype(np.complex64)
    flaws = frontend.Impairments(dc=complex(0.03, 0.02), iq_gain_db=0.8, iq_phase_deg=4.0, level_dbfs=-10.0)
    raw = frontend.capture(tone, 30.0, np.random.default_rng(2), flaws)
    power = psd.welch(raw, 256, remove_dc=False)
    freqs = psd.bin_frequencies(256, RATE)
    level = psd.to_db(power)
    tone_db = level[np.argmin(np.abs(freqs - 0.3e6))]
    image_db = level[np.argmin(np.abs(freqs + 0.3e6))]
    assert 20 < tone_db - image_db < 40  # image rejection of an uncorrected RTL-SDR
    assert level[128] > np.median(level) + 20  # the DC spike


def test_hacktv_fm_deviation_is_peak_to_peak():
    x = hacktv.render("PAL", "fm", 0.02, deviation_hz=4e6, rate_hz=13.5e6)
    freq = np.angle(x[1:] * np.conj(x[:-1])) * 13.5e6 / (2 * np.pi)
    smooth = np.convolve(freq, np.ones(16) / 16, mode="valid")
    lo, hi = np.percentile(smooth, [0.5, 99.5])
    assert lo == pytest.approx(-2e6, rel=0.05) and hi == pytest.approx(2e6, rel=0.05)


def test_lte_handset_transmits_in_whole_subframes_across_its_bandwidth():
    scene = scenemod.parse(
        {"emitters": [{"kind": "lte", "freq_hz": 847e6, "power_dbfs": -40, "bandwidth_hz": 1.08e6, "load": 0.5}]}
    )
    model = emitters.build(scene, seed=3)[0]
    t = np.arange(240_000) / RATE
    x = model.render(t, RATE, 0.0)
    per_ms = (np.abs(x) ** 2).reshape(-1, 2400).mean(axis=1)  # 1 ms subframes
    on = per_ms > 0.5
    assert 0.3 < on.mean() < 0.7 and np.all((per_ms < 1e-9) | (per_ms > 0.5))
    assert np.mean(np.abs(x[np.repeat(on, 2400)]) ** 2) == pytest.approx(1.0, rel=0.05)
    power = psd.welch(x[np.repeat(on, 2400)], 256)
    freqs = psd.bin_frequencies(256, RATE)
    occupied = freqs[power > power.max() / 10]
    assert occupied.min() == pytest.approx(-0.54e6, abs=30e3) and occupied.max() == pytest.approx(0.54e6, abs=30e3)
