"""Proximity levels: in-band SNR that grows as the user closes in, for narrow and window-filling emitters."""

from __future__ import annotations

import numpy as np

from dsp import level, psd

RATE = 2.4e6
NFFT = 256


def capture(signal_rms: float, width_hz: float, seed: int = 0, n: int = 65536) -> np.ndarray:
    """uint8 IQ: receiver noise plus a flat band of ``width_hz`` around +300 kHz."""
    rng = np.random.default_rng(seed)
    noise = (rng.normal(0, 3, n) + 1j * rng.normal(0, 3, n)).astype(np.complex64)
    band = np.fft.fft(rng.normal(0, 1, n) + 1j * rng.normal(0, 1, n))
    f = np.fft.fftfreq(n, 1 / RATE)
    band[np.abs(f - 300e3) > width_hz / 2] = 0
    wide = np.fft.ifft(band)
    wide *= signal_rms / np.sqrt(np.mean(np.abs(wide) ** 2))
    x = noise + wide
    iq = np.empty(2 * n, np.uint8)
    iq[0::2] = np.clip(np.rint(127.4 + x.real), 0, 255)
    iq[1::2] = np.clip(np.rint(127.4 + x.imag), 0, 255)
    return iq


def snr(iq: np.ndarray, lo: float, hi: float, floor_dbfs: float | None = None) -> float:
    lvl, noise = level.band_level(
        iq, nfft=NFFT, sample_rate=RATE, center_hz=0.0, lo_hz=lo, hi_hz=hi, floor_dbfs=floor_dbfs
    )
    return lvl - noise


def test_a_narrow_emitter_gains_snr_as_it_gets_stronger():
    weak, strong = (snr(capture(rms, 100e3), 250e3, 350e3) for rms in (3.0, 30.0))
    assert 17 < strong - weak < 23  # +20 dB of signal


def test_a_window_filling_emitter_is_measured_against_the_sweeps_floor():
    """FM video fills the window: no noise left to measure there, so the sweep's floor is the reference."""
    sweep_floor = 10 * np.log10(np.median(psd.welch(capture(0.0, 0.0, seed=9), NFFT)))  # as the sweep measured it
    weak, strong = (snr(capture(rms, 3e6), -0.96e6, 0.96e6, floor_dbfs=sweep_floor) for rms in (6.0, 60.0))
    assert weak > 2 and strong - weak > 15  # (S+N)/N: from about 4 dB to about 22 dB
    blind_weak, blind_strong = (snr(capture(rms, 3e6), -0.96e6, 0.96e6) for rms in (6.0, 60.0))
    assert blind_strong - blind_weak < 6, "without a reference the window's own quietest bins rise with the signal"
