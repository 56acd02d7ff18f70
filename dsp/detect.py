"""Noise floor, CFAR detection and grouping of bins into emitters.

Statistics: a Welch bin of pure noise averaged over K independent segments is Gamma(K, mean/K).
The floor comes from a low percentile of each block of bins, corrected by that distribution's
percentile, then a median across neighbouring blocks (robust to emitters several MHz wide).
Thresholds are Gamma quantiles for a per-bin false-alarm probability (Wilson-Hilferty), so the
detector adapts to however long each hop dwelt. Peak-hold (max over F frames) gets its own
threshold. A coarse pass on a smoothed spectrum catches wide, weak emitters that no single bin
shows, and merges the lumpy spectrum of FM video into one emitter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from dsp.plan import Spectrum

DEFAULT_PFA = 1e-7  # per bin and test; ~0.02 false bins in a full 185 000-bin sweep
SURVEY_PFA = 1e-5  # permissive first pass: every candidate near the floor is then confirmed
PEAK_HOLD_PFA = 1e-8  # bursts cannot be re-measured on demand, so their test is strict
# However long a hop dwells, the floor estimate and the passband correction are only good to a
# dB or so; a threshold tighter than this would flag ripple, not emitters.
MIN_MARGIN_DB = 1.5
_FLOOR_PERCENTILE = 25.0
_COARSE_SCALES = (11, 55)  # smoothing widths in bins: ~100 kHz and ~500 kHz at 9.4 kHz bins
_MERGE_GAP_BINS = 3
_SKIRT_BINS = 2  # a detected emitter's Hann skirts: kept out of the coarse pass
_SPLIT_GAP_BINS = 21  # ~200 kHz of nothing between two emitters keeps them apart


def _normal_isf(p: float) -> float:
    """z with P(Z > z) = p, for small p (Acklam-style rational approximation, |err| < 1e-4)."""
    if not 0 < p < 1:
        raise ValueError("probability must be in (0, 1)")
    lo, hi = -10.0, 40.0
    for _ in range(80):  # bisection on erfc: simple, exact enough, no scipy needed
        mid = (lo + hi) / 2
        if 0.5 * math.erfc(mid / math.sqrt(2)) > p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def gamma_quantile_factor(averages: float, p_exceed: float) -> float:
    """x/mean exceeded with probability ``p_exceed`` by a mean of ``averages`` exponential bins."""
    k = max(float(averages), 0.5)
    z = _normal_isf(p_exceed)
    c = 1.0 / (9.0 * k)
    return max((1.0 - c + z * math.sqrt(c)) ** 3, 1e-6)


def threshold_factor(averages: float, pfa: float) -> float:
    """Detection threshold over the floor: the Gamma quantile, never under ``MIN_MARGIN_DB``."""
    return max(gamma_quantile_factor(averages, pfa), 10 ** (MIN_MARGIN_DB / 10))


def percentile_factor(averages: float, percentile: float) -> float:
    """The given percentile of Gamma(K, 1/K): the bias of a percentile floor estimate."""
    return gamma_quantile_factor(averages, 1.0 - percentile / 100.0)


def noise_floor(power: np.ndarray, averages: np.ndarray, block_bins: int = 214, span_blocks: int = 4) -> np.ndarray:
    """Per-bin noise floor (linear) of a spectrum; NaN bins (not measured) stay NaN."""
    n = power.size
    floor = np.full(n, np.nan)
    finite = np.isfinite(power)
    if not finite.any():
        return floor
    n_blocks = max(1, math.ceil(n / block_bins))
    estimates = np.full(n_blocks, np.nan)
    for b in range(n_blocks):
        sl = slice(b * block_bins, min(n, (b + 1) * block_bins))
        vals = power[sl][finite[sl]]
        if vals.size >= 8:
            k = float(np.median(averages[sl][finite[sl]]))
            estimates[b] = np.percentile(vals, _FLOOR_PERCENTILE) / percentile_factor(k, _FLOOR_PERCENTILE)
    smoothed = np.full(n_blocks, np.nan)
    for b in range(n_blocks):
        window = estimates[max(0, b - span_blocks) : b + span_blocks + 1]
        window = window[np.isfinite(window)]
        if window.size:
            smoothed[b] = np.median(window)
    per_bin = np.repeat(smoothed, block_bins)[:n]
    floor[finite] = per_bin[finite]
    return floor


@njit(cache=True)
def _runs(mask):  # pragma: no cover - compiled
    """Start/stop index pairs of True runs."""
    starts = []
    stops = []
    inside = False
    for i in range(mask.size):
        if mask[i] and not inside:
            starts.append(i)
            inside = True
        elif not mask[i] and inside:
            stops.append(i)
            inside = False
    if inside:
        stops.append(mask.size)
    out = np.empty((len(starts), 2), np.int64)
    for i in range(len(starts)):
        out[i, 0] = starts[i]
        out[i, 1] = stops[i]
    return out


@dataclass
class Detection:
    """A group of bins that stands above the noise: one emitter as the spectrum shows it."""

    start: int  # bin slice [start, stop) in the spectrum
    stop: int
    freq_hz: float
    bandwidth_hz: float
    power_dbfs: float  # peak bin level (mean spectrum, or peak-hold for bursts)
    floor_dbfs: float
    snr_db: float
    mean_dbfs: float  # peak of the mean spectrum
    peak_hold_dbfs: float
    bursty: bool  # seen only in peak-hold, or peak-hold far above the mean
    extra: dict = field(default_factory=dict)


def detect(
    spectrum: Spectrum,
    *,
    pfa: float = DEFAULT_PFA,
    peak_pfa: float = PEAK_HOLD_PFA,
    floor: np.ndarray | None = None,
    min_snr_db: float = 0.0,
) -> list[Detection]:
    """Emitters in a stitched spectrum, lowest frequency first.

    ``pfa`` is the per-bin false-alarm probability of the mean-spectrum and coarse tests,
    ``peak_pfa`` that of the peak-hold test (per frame-bin).
    """
    mean, peak = spectrum.mean, spectrum.peak
    finite = np.isfinite(mean)
    if floor is None:
        floor = noise_floor(mean, spectrum.averages, block_bins=_block_bins(spectrum))
    safe_floor = np.where(np.isfinite(floor), floor, np.inf)
    mask = np.zeros(mean.size, dtype=bool)
    for k in np.unique(spectrum.averages[finite]):
        sel = finite & (spectrum.averages == k)
        mask[sel] |= mean[sel] > safe_floor[sel] * threshold_factor(k, pfa)
    multi = finite & (spectrum.frames > 1)
    if multi.any():
        for frames in np.unique(spectrum.frames[multi]):
            sel = multi & (spectrum.frames == frames)
            k_frame = float(np.median(spectrum.averages[sel])) / frames
            mask[sel] |= peak[sel] > safe_floor[sel] * threshold_factor(k_frame, peak_pfa / frames)
    fine = mask.copy()
    mask |= _coarse_mask(mean, safe_floor, spectrum.averages, pfa)
    mask &= finite
    mask = _close_gaps(mask, _MERGE_GAP_BINS)
    mask &= ~_bridges(mean, fine, mask, safe_floor, spectrum.averages, pfa)
    detections = []
    for start, stop in _runs(mask):
        det = _describe(spectrum, floor, int(start), int(stop), pfa)
        if det is not None and det.snr_db >= min_snr_db:
            detections.append(det)
    return detections


def _block_bins(spectrum: Spectrum) -> int:
    hops = spectrum.hop_of_bin
    if hops.size == 0:
        return 1
    counts = np.bincount(hops - hops.min())
    return int(max(32, np.median(counts[counts > 0])))


def _coarse_mask(mean: np.ndarray, floor: np.ndarray, averages: np.ndarray, pfa: float) -> np.ndarray:
    """Smooth over ~100 kHz and ~500 kHz and test against thresholds for the extra averaging."""
    hit_any = np.zeros(mean.size, dtype=bool)
    filled = np.where(np.isfinite(mean), mean, 0.0)
    for width in _COARSE_SCALES:
        if mean.size < width:
            continue
        smooth = np.convolve(filled, np.ones(width) / width, mode="same")
        # adjacent Hann bins are correlated: ``width`` bins are worth about width/1.5 independent ones
        k = np.maximum(averages, 1.0) * (width / 1.5)
        levels = np.unique(k)
        factors = {v: max(gamma_quantile_factor(v, pfa), 10 ** (MIN_MARGIN_DB / 20)) for v in levels}
        threshold = np.vectorize(factors.__getitem__)(k) if len(levels) > 1 else factors[levels[0]]
        hit = smooth > floor * threshold
        # widen by half the kernel so the coarse run covers the emitter's skirts
        hit_any |= np.convolve(hit.astype(np.int32), np.ones(width, np.int32), mode="same") > 0
    return hit_any


def _bridges(
    mean: np.ndarray, fine: np.ndarray, mask: np.ndarray, floor: np.ndarray, averages: np.ndarray, pfa: float
) -> np.ndarray:
    """Stretches where the coarse pass only joined separate emitters: to be cut.

    Smoothing spreads a strong narrow emitter over the kernel's width, so the coarse pass joins
    neighbours hundreds of kHz apart (FM stations, GSM carriers). Seen on the spectrum with what
    the bin tests found (and its skirts) set to the floor, such a stretch holds nothing; when at
    least ``_SPLIT_GAP_BINS`` long and between two parts of one run, it is cut. The lumps and
    pedestal of FM video, and the close lobes of FSK, stay joined.
    """
    found = np.convolve(fine, np.ones(2 * _SKIRT_BINS + 1), mode="same") > 0
    residual = np.where(found, floor, mean)
    bridge = mask & ~found & ~_coarse_mask(residual, floor, averages, pfa)
    cut = np.zeros(mask.size, dtype=bool)
    for start, stop in _runs(bridge):
        inside = start > 0 and stop < mask.size and mask[start - 1] and mask[stop]
        if inside and stop - start >= _SPLIT_GAP_BINS:
            cut[start:stop] = True
    return cut


def _close_gaps(mask: np.ndarray, gap: int) -> np.ndarray:
    """Fill runs of at most ``gap`` False bins between True bins."""
    out = mask.copy()
    runs = _runs(~mask)
    for start, stop in runs:
        if start > 0 and stop < mask.size and stop - start <= gap:
            out[start:stop] = True
    return out


def _describe(spectrum: Spectrum, floor: np.ndarray, start: int, stop: int, pfa: float) -> Detection | None:
    sl = slice(start, stop)
    frames = spectrum.frames[sl]
    det = describe(
        spectrum.freqs[sl],
        spectrum.mean[sl],
        floor[sl],
        float(np.median(spectrum.averages[sl])),
        peak=spectrum.peak[sl] if (frames > 1).any() else None,
        frames=float(np.median(frames)),
        bin_hz=spectrum.bin_hz,
        pfa=pfa,
    )
    if det is not None:
        det.start, det.stop = start, stop
    return det


def describe(
    freqs: np.ndarray,
    mean: np.ndarray,
    floor: np.ndarray,
    averages: float,
    *,
    peak: np.ndarray | None = None,
    frames: float = 1.0,
    bin_hz: float,
    pfa: float = DEFAULT_PFA,
) -> Detection | None:
    """Centre, occupied bandwidth, level, SNR and burstiness of one group of bins.

    Occupied bandwidth holds 99 % of the power that clears the detection threshold. The centre
    is the interpolated peak when the emitter has a carrier line (a tone, an OOK burst, the
    blanking level of FM video, which is where the clamped modulator rests); otherwise the
    middle of the occupied band (OFDM's flat top, the two lobes of FSK).
    """
    if not np.isfinite(floor).all() or mean.size == 0:
        return None
    peak_db = float(10 * np.log10(max((peak if peak is not None else mean).max(), 1e-20)))
    mean_db = float(10 * np.log10(max(mean.max(), 1e-20)))
    bursty = peak is not None and peak_db - mean_db > 6.0
    trace = peak if bursty else mean
    k = averages / frames if bursty else averages
    excess = trace - floor
    if excess.sum() <= 0:
        return None
    strong = np.clip(trace - floor * threshold_factor(k, pfa), 0, None)
    if strong.sum() <= 0:  # found by the coarse pass only: use the whole group
        strong = np.clip(excess, 0, None)
    cum = np.cumsum(strong) / strong.sum()
    lo_i = int(np.searchsorted(cum, 0.005))
    hi_i = min(int(np.searchsorted(cum, 0.995)), len(freqs) - 1)
    bandwidth = float(freqs[hi_i] - freqs[lo_i] + bin_hz)
    top = int(np.argmax(excess))
    occupied = strong[lo_i : hi_i + 1]
    has_line = hi_i - lo_i < 4 or excess[top] > 10 * np.median(occupied[occupied > 0])
    if has_line:  # a carrier, or the blanking-level line of FM video: the carrier's frequency
        centre = float(freqs[top]) + _interpolate_peak(trace, top) * bin_hz
    else:  # flat (OFDM) or two-lobed (FSK/MSK): the middle of the occupied band
        centre = float((freqs[lo_i] + freqs[hi_i]) / 2)
    power_db = peak_db if bursty else mean_db
    floor_db = float(10 * np.log10(max(np.median(floor), 1e-20)))
    return Detection(
        start=0,
        stop=mean.size,
        freq_hz=centre,
        bandwidth_hz=bandwidth,
        power_dbfs=power_db,
        floor_dbfs=floor_db,
        snr_db=power_db - floor_db,
        mean_dbfs=mean_db,
        peak_hold_dbfs=peak_db,
        bursty=bool(bursty),
        extra={"peak_bin_hz": float(freqs[top])},
    )


def _interpolate_peak(trace: np.ndarray, top: int) -> float:
    """Sub-bin offset of a peak by a parabola through the log of three bins (Gaussian fit)."""
    if top == 0 or top == trace.size - 1:
        return 0.0
    a, b, c = np.log(np.maximum(trace[top - 1 : top + 2], 1e-30))
    denom = a - 2 * b + c
    return float(np.clip(0.5 * (a - c) / denom, -0.5, 0.5)) if denom < 0 else 0.0


def confirm(power: np.ndarray, floor: np.ndarray, averages: float, *, pfa: float = DEFAULT_PFA) -> tuple[bool, float]:
    """Re-test a candidate's bins from a longer dwell: (still above threshold, peak excess dB).

    ``power`` and ``floor`` are the candidate's bins in the confirmation spectrum and the survey
    floor there; the test uses the dwell's larger number of averages.
    """
    if power.size == 0:
        return False, float("-inf")
    ratio = power / np.maximum(floor, 1e-30)
    best = float(ratio.max())
    limit = threshold_factor(averages, pfa / max(1, power.size))
    return best > limit, 10 * math.log10(max(best, 1e-30))
