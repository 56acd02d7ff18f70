"""Power spectra by Welch's method: the hot path of every sweep.

A batched radix-4 FFT in Numba works on eight segments at once (structure-of-arrays, so every
butterfly is a SIMD operation) and fuses sample conversion, DC removal, Hann windowing and power
accumulation, so the raw bytes are touched once and nothing bigger than a few cache lines is
allocated per segment. Output bins come out of the decimation-in-frequency FFT in bit-reversed
order; accumulating in that order and un-permuting once at the end saves a pass per segment.

Units: power per bin in full-scale units, scaled so that a complex tone of amplitude A centred
on a bin reads A**2 (a full-scale tone reads 1.0 = 0 dBFS). Bins are FFT-shifted: DC in the middle.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numba
import numpy as np
from numba import njit, prange

from dsp import iq as iqmod

_BATCH = 8  # segments transformed together; 8 float32 lanes = one AVX2 register
_PARALLEL_MIN_SEGMENTS = 512  # below this the thread pool costs more than it saves
# Numba's default workqueue threading layer must not be entered from two threads at once.
_PARALLEL_LOCK = threading.Lock()


@lru_cache(maxsize=16)
def _tables(nfft: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Window, radix-4 twiddles and the bit-reversal permutation for one FFT size."""
    if nfft < 4 or nfft & (nfft - 1):
        raise ValueError(f"nfft must be a power of two >= 4, got {nfft}")
    bits = nfft.bit_length() - 1
    window = hann(nfft)
    twiddles = np.zeros((6, nfft), dtype=np.float32)
    q = 1
    while q < nfft:
        j = np.arange(q)
        for row, mult in enumerate((1, 2, 3)):
            angle = -2.0 * np.pi * mult * j / (4 * q)
            twiddles[2 * row, q : 2 * q] = np.cos(angle)
            twiddles[2 * row + 1, q : 2 * q] = np.sin(angle)
        q *= 2
    index = np.arange(nfft)
    reverse = np.zeros(nfft, dtype=np.int64)
    for b in range(bits):
        reverse |= ((index >> b) & 1) << (bits - 1 - b)
    return window, twiddles, reverse, bits % 2 == 1


def hann(nfft: int) -> np.ndarray:
    """Periodic Hann window (the DFT-even form Welch's method wants)."""
    return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(nfft) / nfft)).astype(np.float32)


def noise_bin_gain(nfft: int) -> float:
    """Fraction of a white signal's total power that lands in one bin (Hann: 1.5 / nfft).

    The simulator uses it to place the noise floor where the spectrum will show it.
    """
    w = hann(nfft).astype(np.float64)
    return float(np.sum(w**2) / np.sum(w) ** 2)


def segment_count(n_samples: int, nfft: int, overlap: float = 0.5) -> int:
    """How many Welch segments fit in ``n_samples`` (0 when fewer than ``nfft``)."""
    step = _step(nfft, overlap)
    return 0 if n_samples < nfft else (n_samples - nfft) // step + 1


def effective_averages(n_segments: int, overlap: float = 0.5) -> float:
    """Independent averages a Hann Welch estimate is worth (Welch 1967: 50 % overlap ~ 0.95 each)."""
    if n_segments <= 1:
        return float(max(n_segments, 1))
    return n_segments / (1.0 + 2.0 * _overlap_correlation(overlap))


@lru_cache(maxsize=8)
def _overlap_correlation(overlap: float) -> float:
    """Squared correlation of Hann-windowed segments that overlap by ``overlap``."""
    nfft = 1024
    w = hann(nfft).astype(np.float64)
    lag = round((1.0 - overlap) * nfft)
    return float(np.sum(w[lag:] * w[:-lag]) ** 2 / np.sum(w**2) ** 2) if 0 < lag < nfft else 0.0


def _step(nfft: int, overlap: float) -> int:
    if not 0.0 <= overlap < 1.0:
        raise ValueError(f"overlap must be in [0, 1), got {overlap}")
    return max(1, nfft - round(nfft * overlap))


@njit(cache=True, fastmath=True, inline="always")
def _fft_batch(re, im, tw, n, odd):  # pragma: no cover - compiled
    """In-place radix-4 DIF FFT of _BATCH transforms stored as (n, _BATCH) re/im arrays."""
    q = n // 4
    while q >= 1:
        for g in range(0, n, 4 * q):
            for j in range(q):
                i0 = g + j
                i1 = i0 + q
                i2 = i1 + q
                i3 = i2 + q
                w1r = tw[0, q + j]
                w1i = tw[1, q + j]
                w2r = tw[2, q + j]
                w2i = tw[3, q + j]
                w3r = tw[4, q + j]
                w3i = tw[5, q + j]
                for b in range(8):
                    ar = re[i0, b] + re[i2, b]
                    ai = im[i0, b] + im[i2, b]
                    br = re[i0, b] - re[i2, b]
                    bi = im[i0, b] - im[i2, b]
                    cr = re[i1, b] + re[i3, b]
                    ci = im[i1, b] + im[i3, b]
                    dr = re[i1, b] - re[i3, b]
                    di = im[i1, b] - im[i3, b]
                    re[i0, b] = ar + cr
                    im[i0, b] = ai + ci
                    tr = ar - cr
                    ti = ai - ci
                    re[i1, b] = tr * w2r - ti * w2i
                    im[i1, b] = tr * w2i + ti * w2r
                    tr = br + di
                    ti = bi - dr
                    re[i2, b] = tr * w1r - ti * w1i
                    im[i2, b] = tr * w1i + ti * w1r
                    tr = br - di
                    ti = bi + dr
                    re[i3, b] = tr * w3r - ti * w3i
                    im[i3, b] = tr * w3i + ti * w3r
        q //= 4
    if odd:
        for a in range(0, n, 2):
            for b in range(8):
                xr = re[a + 1, b]
                xi = im[a + 1, b]
                re[a + 1, b] = re[a, b] - xr
                im[a + 1, b] = im[a, b] - xi
                re[a, b] += xr
                im[a, b] += xi


@njit(cache=True, fastmath=True)
def _accumulate(src, base, first, count, step, n, win, tw, odd, mi, mq, acc):  # pragma: no cover
    """Add |FFT|^2 of segments [first, first+count) of interleaved ``src`` into ``acc``.

    Segment ``s`` starts at sample ``base + s * step``.

    ``src`` may be uint8, int8, int16 or float32; ``mi``/``mq`` are subtracted from I/Q before
    windowing (offset binary centre or measured DC). ``acc`` is in bit-reversed bin order.
    """
    re = np.empty((n, 8), np.float32)
    im = np.empty((n, 8), np.float32)
    part = np.zeros((n, 8), np.float32)
    since_flush = 0
    end = first + count
    for s0 in range(first, end, 8):
        if s0 + 8 <= end:
            for k in range(n):
                w = win[k]
                for b in range(8):
                    o = 2 * (base + (s0 + b) * step + k)
                    re[k, b] = (np.float32(src[o]) - mi) * w
                    im[k, b] = (np.float32(src[o + 1]) - mq) * w
        else:
            for b in range(8):
                s = s0 + b
                if s < end:
                    start = 2 * (base + s * step)
                    for k in range(n):
                        w = win[k]
                        re[k, b] = (np.float32(src[start + 2 * k]) - mi) * w
                        im[k, b] = (np.float32(src[start + 2 * k + 1]) - mq) * w
                else:
                    for k in range(n):
                        re[k, b] = 0.0
                        im[k, b] = 0.0
        _fft_batch(re, im, tw, n, odd)
        for k in range(n):
            for b in range(8):
                part[k, b] += re[k, b] * re[k, b] + im[k, b] * im[k, b]
        since_flush += 1
        if since_flush == 16:  # keep float32 partial sums short; the total lives in float64
            for k in range(n):
                for b in range(8):
                    acc[k] += part[k, b]
                    part[k, b] = 0.0
            since_flush = 0
    for k in range(n):
        for b in range(8):
            acc[k] += part[k, b]


@njit(cache=True, fastmath=True, parallel=True)
def _accumulate_parallel(src, nseg, nth, step, n, win, tw, odd, mi, mq):  # pragma: no cover
    """Split the segments into ``nth`` contiguous runs, one per thread; sum their spectra."""
    acc = np.zeros((nth, n), np.float64)
    per = (nseg + nth - 1) // nth
    per = ((per + 7) // 8) * 8
    for t in prange(nth):
        first = t * per
        count = min(nseg, first + per) - first
        if count > 0:
            _accumulate(src, 0, first, count, step, n, win, tw, odd, mi, mq, acc[t])
    return acc.sum(axis=0)


@njit(cache=True, fastmath=True, parallel=True)
def _accumulate_frames(src, nframes, frame_len, frame_segs, step, n, win, tw, odd, mi, mq):  # pragma: no cover
    """One accumulated spectrum per frame of ``frame_len`` samples (segments inside the frame)."""
    out = np.zeros((nframes, n), np.float64)
    for f in prange(nframes):
        _accumulate(src, f * frame_len, 0, frame_segs, step, n, win, tw, odd, mi, mq, out[f])
    return out


def _prepare(samples: np.ndarray, remove_dc: bool) -> tuple[np.ndarray, float, float, float]:
    """Interleaved view, the per-channel value to subtract, and the full-scale factor."""
    src = iqmod.as_interleaved(samples)
    if not src.flags.c_contiguous:
        src = np.ascontiguousarray(src)
    offset, scale = iqmod.normalisation(iqmod.format_of(src))
    if remove_dc:
        mi, mq = iqmod.channel_means(src)
    else:
        mi = mq = offset
    return src, mi, mq, scale


def _finish(acc: np.ndarray, reverse: np.ndarray, divisor: float) -> np.ndarray:
    """Un-permute bit-reversed bins, normalise, and FFT-shift (last axis)."""
    natural = np.empty_like(acc)
    natural[..., reverse] = acc
    natural /= divisor
    return np.fft.fftshift(natural, axes=-1)


def welch(samples: np.ndarray, nfft: int, overlap: float = 0.5, *, remove_dc: bool = True) -> np.ndarray:
    """Averaged Hann-windowed power spectrum of an IQ block, FFT-shifted, full-scale units.

    ``samples`` is interleaved raw IQ (uint8 as read from an RTL-SDR, int8, int16 or float32) or
    complex64. ``remove_dc`` subtracts the block mean first (the RTL-SDR's DC spike).
    """
    window, twiddles, reverse, odd = _tables(nfft)
    src, mi, mq, scale = _prepare(samples, remove_dc)
    step = _step(nfft, overlap)
    nseg = segment_count(src.size // 2, nfft, overlap)
    if nseg == 0:
        raise ValueError(f"need at least nfft={nfft} samples, got {src.size // 2}")
    args = (step, nfft, window, twiddles, odd, np.float32(mi), np.float32(mq))
    if nseg < _PARALLEL_MIN_SEGMENTS:
        acc = np.zeros(nfft, np.float64)
        _accumulate(src, 0, 0, nseg, *args, acc)
    else:
        with _PARALLEL_LOCK:
            acc = _accumulate_parallel(src, nseg, numba.get_num_threads(), *args)
    divisor = nseg * float(np.sum(window, dtype=np.float64)) ** 2 / scale**2
    return _finish(acc, reverse, divisor)


def frames(
    samples: np.ndarray, nfft: int, frame_samples: int, overlap: float = 0.5, *, remove_dc: bool = True
) -> np.ndarray:
    """Welch spectra of consecutive frames, shape (frames, nfft): for peak-hold and burst timing.

    Frame ``f`` is the Welch estimate of samples ``[f * frame_samples, (f + 1) * frame_samples)``
    (DC removed with the whole block's mean); a tail shorter than a frame is dropped.
    """
    window, twiddles, reverse, odd = _tables(nfft)
    src, mi, mq, scale = _prepare(samples, remove_dc)
    step = _step(nfft, overlap)
    frame_segs = segment_count(frame_samples, nfft, overlap)
    nframes = src.size // 2 // frame_samples
    if nframes == 0 or frame_segs == 0:
        raise ValueError(f"need at least one frame of {frame_samples} >= nfft samples, got {src.size // 2}")
    args = (step, nfft, window, twiddles, odd, np.float32(mi), np.float32(mq))
    with _PARALLEL_LOCK:
        acc = _accumulate_frames(src, nframes, frame_samples, frame_segs, *args)
    divisor = frame_segs * float(np.sum(window, dtype=np.float64)) ** 2 / scale**2
    return _finish(acc, reverse, divisor)


def bin_frequencies(nfft: int, sample_rate: float, center_hz: float = 0.0) -> np.ndarray:
    """Centre frequency of each FFT-shifted bin."""
    return center_hz + (np.arange(nfft) - nfft // 2) * (sample_rate / nfft)


def to_db(power: np.ndarray) -> np.ndarray:
    """Linear power to dB, with a floor so empty bins stay finite."""
    return 10.0 * np.log10(np.maximum(power, 1e-20))


__all__ = [
    "bin_frequencies",
    "effective_averages",
    "frames",
    "hann",
    "noise_bin_gain",
    "segment_count",
    "to_db",
    "welch",
]
