"""Received level of one emitter from short blocks, smoothed for proximity tracking."""

from __future__ import annotations

import math

import numpy as np

from dsp import psd

MIN_NOISE_BINS = 32  # flat bins outside the band needed to measure the noise in the window itself


def band_level(
    raw: np.ndarray,
    *,
    nfft: int,
    sample_rate: float,
    center_hz: float,
    lo_hz: float,
    hi_hz: float,
    floor_dbfs: float | None = None,
) -> tuple[float, float]:
    """(power in the band, noise power in the same band), both dBFS.

    The level is the band's total power, so a wide emitter counts all of its energy; the noise
    is the median bin outside the band (away from the window's rolled-off edges) times the
    number of bins in the band, so level - noise is a true in-band SNR. An emitter that fills
    the window (FM video is 4–8 MHz wide) leaves no noise to measure: then the sweep's floor per
    bin (``floor_dbfs``, same nfft and rate) is the reference, else the window's quietest tenth.
    """
    spectrum = psd.welch(raw, nfft)
    freqs = psd.bin_frequencies(nfft, sample_rate, center_hz)
    inside = (freqs >= lo_hz) & (freqs <= hi_hz)
    if not inside.any():
        inside[np.argmin(np.abs(freqs - (lo_hz + hi_hz) / 2))] = True
    flat = np.abs(freqs - center_hz) < 0.4 * sample_rate
    outside = flat & ~inside
    if outside.sum() >= MIN_NOISE_BINS:
        floor = float(np.median(spectrum[outside]))
    elif floor_dbfs is not None:
        floor = 10 ** (floor_dbfs / 10)
    else:
        floor = float(np.percentile(spectrum, 10))
    level = float(np.sum(spectrum[inside]))
    noise = floor * int(inside.sum())
    return 10 * math.log10(max(level, 1e-20)), 10 * math.log10(max(noise, 1e-20))


class Smoother:
    """Exponential smoothing in dB with a time constant, so a hand wave does not jump the level."""

    def __init__(self, time_constant_s: float) -> None:
        self.tau = time_constant_s
        self.value: float | None = None

    def update(self, sample_db: float, dt_s: float) -> float:
        if self.value is None:
            self.value = sample_db
        else:
            alpha = 1.0 - math.exp(-max(dt_s, 0.0) / self.tau)
            self.value += alpha * (sample_db - self.value)
        return self.value


def proximity(snr_db: float, *, cold_db: float = 3.0, hot_db: float = 43.0) -> float:
    """Map a level above the floor to 0 (barely there) .. 1 (right next to it)."""
    return min(max((snr_db - cold_db) / (hot_db - cold_db), 0.0), 1.0)
