"""What an analog camera sees: its picture, folded out of a still scene sent frame after frame.

A hidden camera sends the same still room every frame, so many noisy frames average into one
clean one — if every frame is sampled at the same place in its lines. The steps:

1. **A series to fold.** FM: the lag product z[n] = x[n]·x*[n−1], whose angle is the
   instantaneous frequency. AM: synchronous detection (the carrier's phase from a moving average
   over whole lines, the envelope as the in-phase part: no noise bias, no threshold).
2. **Line timing.** The line rate from the classifier's line-harmonic comb, then tracked: the
   mean line profile of every block of ~64 lines is cross-correlated with the segment's mean
   profile, and a robust straight-line fit of those shifts corrects the period (to ~0.01 ppm from a
   second). One timing model holds over a continuous stream, so several tunings fold onto the
   same grid.
3. **Folding.** The series is interpolated onto a line-locked grid and averaged over frames per
   line of the frame. FM averages the *complex* lag products and takes the angle of the mean, not
   the mean of angles: that is what keeps a picture at 0 dB, below FM's threshold.
4. **FM stitching.** A camera's FM swing (±3 MHz) is wider than the 2.4 MHz window: per tuning,
   pixel frequency = tuned centre + arg(z̄)·fs/2π where |z̄| is strong and the frequency inside the
   window, weighted and combined.
5. **Sync and calibration.** The line start is the sync's leading edge (half-way between sync tip
   and blanking), line 1 the vertical interval's broad pulses; luma comes from the sync-tip and
   blanking levels, so neither deviation nor gain needs to be known.
6. **The picture.** Both fields' active lines, averaged pairwise (deinterlaced), cropped to the
   active line and resampled to 4:3.

When the samples hold no video line structure, :class:`NoVideo` is raised: never a garbage picture.
The picture has the detail of a ~1.2 MHz video bandwidth (about 125 samples across the active
line at 2.4 MS/s) and shows a still scene; anything that moves blurs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from dsp import features
from dsp import iq as iqmod

GRID = 256  # line-locked samples per line (a line is ~154 samples at 2.4 MS/s)
BLOCK_LINES = 64  # lines per timing block
TRACK_PASSES = 3
COMB_SECONDS = 0.25  # the classifier's dwell: enough for the comb's line rate
MIN_FRAMES = 2.0  # fewer frames than this folds nothing worth showing
STRONG_COHERENCE = 0.25  # |z̄| over the tuning's mean |z| for an FM pixel to count as measured
WINDOW_USE = 0.4  # FM pixels count only inside ±0.4·fs (the tuner's flat part)
AM_COHERENCE = 0.5  # an AM carrier's phase holds over 0.1 s (FM's runs with the picture)
CARRIER_LINES = 4  # AM carrier phase: moving average over whole lines (nulls the line harmonics)
#: A camera that sees the device follows the ring closely (r ≈ 0.99 at 0 dB with a 5 % response);
#: the floor keeps a camera that follows some other light from "responding" to a schedule by chance
#: (unrelated schedules against a seeing camera: 95th percentile |r| = 0.59, 3 in 200 above 0.6).
STIMULUS_MIN_STATISTIC = 0.8


class NoVideo(ValueError):
    """The samples hold no video line structure: there is no picture to show."""


@dataclass(frozen=True)
class Standard:
    """Line and field geometry (ITU-R BT.470 / SMPTE 170M), in the units the fold needs."""

    name: str
    lines: int
    sync_s: float  # horizontal sync pulse
    active_start_s: float  # sync leading edge to the first active sample
    active_s: float
    first_active: int  # lines from the first broad-pulse line to a field's first active line
    active_lines: int  # active lines per field
    sync_ratio: float  # (blanking − sync tip) / (white − blanking)
    width: int  # output picture, 4:3

    @property
    def height(self) -> int:
        return self.active_lines


#: BT.470 / SMPTE 170M line timing; first active lines as hacktv's standards-exact renders place
#: them (fitted on test cards to within a line).
STANDARDS = {
    "PAL": Standard("PAL", 625, 4.7e-6, 10.5e-6, 52.0e-6, 22, 288, 0.3 / 0.7, 384),
    "NTSC": Standard("NTSC", 525, 4.7e-6, 9.4e-6, 52.6e-6, 19, 240, 40.0 / 100.0, 320),
}


@dataclass
class Segment:
    """One tuning's stretch of a continuous sample stream.

    ``start`` is the index of the first sample in the stream's own sample clock (retunes drop
    samples but the count goes on, so one timing model covers every segment); ``tuned_hz`` is the
    tuning's centre frequency (for FM stitching; any common reference works).
    """

    samples: np.ndarray  # interleaved raw IQ or complex
    start: int
    tuned_hz: float

    @property
    def n(self) -> int:
        return self.samples.size if np.iscomplexobj(self.samples) else self.samples.size // 2

    def complex(self) -> np.ndarray:
        return iqmod.remove_dc(iqmod.to_complex(self.samples))


@dataclass(frozen=True)
class Picture:
    """A recovered picture and how it was made."""

    luma: np.ndarray  # float32 (height, width), 0 = black, 1 = peak white (may overshoot slightly)
    standard: str
    modulation: str  # "fm" or "am"
    line_rate_hz: float
    frames_averaged: float
    measured: float  # share of pixels measured (FM: some tuning saw them strongly)
    coherence: float  # mean |z̄| over mean |z| of the measured pixels (1 = noiseless)
    vertical_sync: bool  # line 1 came from the vertical interval

    @property
    def quality(self) -> float:
        """One figure in [0, 1]: measured share × coherence (low: stitch more tunings, dwell longer)."""
        return float(np.clip(self.measured * self.coherence, 0.0, 1.0))


# --- kernels --------------------------------------------------------------------------------


@njit(cache=True, inline="always")
def _at(series, t):  # pragma: no cover - compiled
    i = int(math.floor(t))  # noqa: RUF046 - Numba types floor() by its argument
    a = t - i
    return series[i] * (1.0 - a) + series[i + 1] * a


@njit(cache=True)
def _block_profiles(series, first, period, grid, block_lines, blocks):  # pragma: no cover - compiled
    """Mean line profile of each block of ``block_lines`` lines, on ``grid`` points per line."""
    out = np.zeros((blocks, grid), np.complex128)
    step = period / grid
    for b in range(blocks):
        for k in range(b * block_lines, (b + 1) * block_lines):
            pos = first + k * period
            for j in range(grid):
                out[b, j] += _at(series, pos + j * step)
    return out / block_lines


@njit(cache=True)
def _fold(series, first, period, grid, lines, first_row, sums, mags, counts):  # pragma: no cover - compiled
    """Add every whole line of ``series`` into row (first_row + k) mod ``lines`` of ``sums`` (and
    its magnitude into ``mags``)."""
    step = period / grid
    k = 0
    while True:
        pos = first + k * period
        if pos + period + 2 >= series.size:
            break
        row = (first_row + k) % lines
        for j in range(grid):
            v = _at(series, pos + j * step)
            sums[row, j] += v
            mags[row, j] += abs(v)
        counts[row] += 1
        k += 1


# --- the series to fold ------------------------------------------------------------------------


def lag_product(x: np.ndarray) -> np.ndarray:
    """z[n] = x[n]·x*[n−1] (z[0] = 0): its angle is the instantaneous frequency in radians per sample."""
    z = np.empty_like(x)
    z[0] = 0
    np.conjugate(x[:-1], out=z[1:])  # in place: no temporary as long as the series
    z[1:] *= x[1:]
    return z


def _moving_mean(x: np.ndarray, width: int) -> np.ndarray:
    """Mean over ``width`` samples centred on each (the first and last half-widths repeat the edge)."""
    n = x.size
    width = min(width, n)
    c = np.empty(n + 1, np.complex128)
    c[0] = 0
    np.cumsum(x, out=c[1:])
    half = width // 2
    out = np.empty(n, np.complex64)
    out[half : n - width + half + 1] = (c[width:] - c[: n - width + 1]) / width
    out[:half] = out[half]
    out[n - width + half + 1 :] = out[n - width + half]
    return out


def _mixed_down(x: np.ndarray, rate_hz: float) -> tuple[float, np.ndarray]:
    """The strongest spectral line's offset (Hz) and the signal moved so that line sits at 0 Hz."""
    n = min(x.size, 1 << 18)
    spec = np.abs(np.fft.fft(x[:n])) ** 2
    k = int(np.argmax(spec))
    a, b, c = np.log(spec[[(k - 1) % n, k, (k + 1) % n]] + 1e-30)
    denom = a - 2 * b + c
    delta = 0.5 * (a - c) / denom if denom < 0 else 0.0
    offset = float(np.fft.fftfreq(n, 1 / rate_hz)[k] + delta * rate_hz / n)
    u = np.exp(-2j * np.pi * offset / rate_hz * np.arange(x.size)).astype(np.complex64)
    u *= x
    return offset, u


def carrier(x: np.ndarray, rate_hz: float, period: float) -> tuple[float, np.ndarray]:
    """An AM carrier: its offset (Hz, from the strongest spectral line) and its phasor per sample
    (moving average of the mixed-down signal over whole lines)."""
    offset, u = _mixed_down(x, rate_hz)
    return offset, _moving_mean(u, max(8, round(CARRIER_LINES * period)))


def synchronous_envelope(x: np.ndarray, rate_hz: float, period: float) -> np.ndarray:
    """AM's envelope by synchronous detection: the in-phase part against the tracked carrier."""
    _, u = _mixed_down(x, rate_hz)
    phasor = _moving_mean(u, max(8, round(CARRIER_LINES * period)))
    phasor /= np.maximum(np.abs(phasor), np.float32(1e-12))
    return (u.real * phasor.real + u.imag * phasor.imag).astype(np.float32)


def modulation_of(x: np.ndarray, rate_hz: float, period: float) -> str:
    """``"am"`` when a steady carrier is there (its phase holds over the block), else ``"fm"``
    (an FM carrier's phase runs with the picture). Robust to noise: the phasor is a line average."""
    part = x[: min(x.size, round(0.1 * rate_hz))]
    _, phasor = carrier(part, rate_hz, period)
    unit = phasor / np.maximum(np.abs(phasor), 1e-30)
    return "am" if float(np.abs(unit.mean())) >= AM_COHERENCE else "fm"


def _series(segment: Segment, modulation: str, rate_hz: float, period: float) -> np.ndarray:
    x = segment.complex()
    if modulation == "am":
        # negative modulation (PAL I, NTSC M): the sync tip is the strongest carrier; make it lowest
        return (-synchronous_envelope(x, rate_hz, period)).astype(np.complex64)
    return lag_product(x)


class _Series(Sequence):
    """Each segment's series, made when it is read and not kept: one tuning's series (38 MB a second of
    2.4 MS/s) is in memory at a time instead of all of them, for the price of making each once a pass."""

    def __init__(self, segments: Sequence[Segment], modulation: str, rate_hz: float, period: float) -> None:
        self._args = (modulation, rate_hz, period)
        self._segments = segments

    def __len__(self) -> int:
        return len(self._segments)

    def __getitem__(self, i):  # the Sequence protocol
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return _series(self._segments[i], *self._args)


# --- line timing -----------------------------------------------------------------------------


def line_structure(segments: Sequence[Segment], rate_hz: float) -> features.LineComb:
    """The classifier's line comb from the segment that shows it best, or :class:`NoVideo`."""
    best = None
    for seg in segments:
        n = min(seg.n, round(COMB_SECONDS * rate_hz))
        raw = seg.samples[:n] if np.iscomplexobj(seg.samples) else seg.samples[: 2 * n]
        line = features.measure(raw, rate_hz).line
        if line is not None and (best is None or features._rank(line) > features._rank(best)):
            best = line
    if best is None:
        raise NoVideo("no video line structure")
    return best


def _shifts(profiles: np.ndarray) -> np.ndarray:
    """Delay of each block's profile against their mean, in grid points (sub-point by parabola)."""
    centred = profiles - profiles.mean(axis=1, keepdims=True)
    ref = centred.mean(axis=0)
    spec = np.fft.fft(centred, axis=1) * np.conj(np.fft.fft(ref))[None, :]
    xc = np.fft.ifft(spec, axis=1).real
    grid = profiles.shape[1]
    k = np.argmax(xc, axis=1)
    rows = np.arange(xc.shape[0])
    a, b, c = xc[rows, (k - 1) % grid], xc[rows, k], xc[rows, (k + 1) % grid]
    denom = a - 2 * b + c
    delta = np.where(denom < 0, 0.5 * (a - c) / np.where(denom < 0, denom, -1.0), 0.0)
    shift = k + np.clip(delta, -0.5, 0.5)
    return np.where(shift > grid / 2, shift - grid, shift)


def _robust_slope(xs: list[np.ndarray], ys: list[np.ndarray]) -> float:
    """Common slope of several (x, y) runs, each with its own intercept; outliers dropped (3×MAD)."""
    x = np.concatenate([v - v.mean() for v in xs])
    y = np.concatenate([v - np.median(v) for v in ys])
    keep = np.ones(x.size, bool)
    slope = 0.0
    for _ in range(4):
        if keep.sum() < 3 or not np.any(x[keep]):
            break
        xk, yk = x[keep], y[keep]
        xc = xk - xk.mean()
        slope = float(np.dot(xc, yk - yk.mean()) / np.dot(xc, xc))
        resid = y - slope * x
        resid -= np.median(resid[keep])
        mad = float(np.median(np.abs(resid[keep]))) or 1e-9
        keep = np.abs(resid) <= 3 * 1.4826 * mad
    return slope


def _first_line(origin: float, period: float, start: int) -> tuple[int, float]:
    """Global index and segment-local position of the first line starting inside a segment."""
    k = math.ceil((start - origin) / period)
    return k, origin + k * period - start


def track_period(series: Sequence[np.ndarray], starts: Sequence[int], period: float) -> float:
    """The line period (samples) refined by tracking line timing in blocks over every segment."""
    for _ in range(TRACK_PASSES):
        xs, ys = [], []
        for z, start in zip(series, starts, strict=True):
            _, pos = _first_line(0.0, period, start)
            blocks = int((z.size - pos - 2) // (period * BLOCK_LINES))
            if blocks < 3:
                continue
            profiles = _block_profiles(z, pos, period, GRID, BLOCK_LINES, blocks)
            shift = _shifts(profiles) * (period / GRID)
            centres = (np.arange(blocks) + 0.5) * BLOCK_LINES
            xs.append(centres)
            ys.append(shift)
        if not xs:
            raise NoVideo("too few lines to track the line timing")
        period += _robust_slope(xs, ys)
    return period


# --- folding, sync, calibration ------------------------------------------------------------------


@dataclass(frozen=True)
class Fold:
    """One segment folded over frames: per line of the frame and grid point."""

    sums: np.ndarray  # complex sum of the series
    mags: np.ndarray  # sum of its magnitude (|z̄| over mean |z| is the point's coherence)
    counts: np.ndarray  # lines added per row
    tuned_hz: float

    @property
    def mean(self) -> np.ndarray:
        return self.sums / np.maximum(self.counts, 1)[:, None]

    @property
    def coherence(self) -> np.ndarray:
        return np.abs(self.sums) / np.maximum(self.mags, 1e-30)


def fold(z: np.ndarray, start: int, period: float, lines: int, tuned_hz: float = 0.0) -> Fold:
    """The series folded over frames of ``lines`` lines on the stream's timing model."""
    k, pos = _first_line(0.0, period, start)
    sums = np.zeros((lines, GRID), np.complex128)
    mags = np.zeros((lines, GRID))
    counts = np.zeros(lines, np.int64)
    _fold(z, pos, period, GRID, lines, k % lines, sums, mags, counts)
    return Fold(sums, mags, counts, tuned_hz)


def _fm_levels(folds: list[Fold], rate_hz: float) -> tuple[np.ndarray, float, float]:
    """Stitched pixel frequency (Hz, NaN where unmeasured), share measured, mean coherence."""
    shape = folds[0].sums.shape
    num, den, coh_sum = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for f in folds:
        inst = np.angle(f.sums) * rate_hz / (2 * np.pi)
        coherence = f.coherence
        magnitude = np.abs(f.mean)
        strong = magnitude >= STRONG_COHERENCE * np.percentile(magnitude, 95)  # in the window, not the roll-off
        usable = strong & (np.abs(inst) <= WINDOW_USE * rate_hz) & (f.counts[:, None] > 0)
        w = np.where(usable, coherence**2 * magnitude * f.counts[:, None], 0.0)
        num += w * (f.tuned_hz + inst)
        den += w
        coh_sum += np.where(usable, coherence, 0.0) * w
    measured = den > 0
    freq = np.full(den.shape, np.nan)
    freq[measured] = num[measured] / den[measured]
    coherence = float((coh_sum[measured] / den[measured]).mean()) if measured.any() else 0.0
    return freq, float(measured.mean()), coherence


def _circular_box(p: np.ndarray, width: int) -> np.ndarray:
    """Mean of ``width`` points starting at each index (circular)."""
    c = np.concatenate([[0.0], np.cumsum(np.concatenate([p, p[:width]]))])
    return (c[width : width + p.size] - c[: p.size]) / width


def _filled(levels: np.ndarray) -> np.ndarray:
    """Unmeasured (NaN) points take the row's nearest measured value (or the frame median)."""
    out = levels.copy()
    bad = ~np.isfinite(out)
    if not bad.any():
        return out
    median = float(np.nanmedian(out)) if (~bad).any() else 0.0
    cols = np.arange(out.shape[1])
    for r in np.flatnonzero(bad.any(axis=1)):
        good = ~bad[r]
        out[r] = np.interp(cols, cols[good], out[r, good]) if good.sum() >= 2 else median
    return out


@dataclass(frozen=True)
class _Sync:
    edge: float  # grid points from row start to the sync's leading edge
    tip: float
    blank: float


def _line_sync(levels: np.ndarray, period_s: float, std: Standard) -> _Sync:
    """Sync tip, blanking level and the leading edge, from the median line profile."""
    profile = np.median(levels, axis=0)
    per_s = GRID / period_s
    width = max(2, round(std.sync_s * per_s))
    box = _circular_box(profile, width)
    start = int(np.argmin(box))
    tip = float(np.median(np.take(profile, np.arange(start + 1, start + width - 1), mode="wrap")))
    # blanking: the front porch, and the back porch between the colour burst (ends by 7.9 µs) and the
    # earliest active start (9.4 µs, NTSC)
    back = np.arange(start + round(8.2e-6 * per_s), start + round(9.3e-6 * per_s))
    front = np.arange(start - round(1.3e-6 * per_s), start - round(0.3e-6 * per_s))
    blank = float(np.median(np.take(profile, np.concatenate([front, back]), mode="wrap")))
    half = 0.5 * (tip + blank)
    # walk back from the pulse to the last point above half-level: the leading edge between them
    j = start + width // 2
    for _ in range(width * 2):
        if profile[(j - 1) % GRID] > half:
            break
        j -= 1
    a, b = profile[(j - 1) % GRID], profile[j % GRID]
    frac = (a - half) / (a - b) if a != b else 0.0
    return _Sync(edge=(j - 1 + frac) % GRID, tip=tip, blank=blank)


def _aligned(levels: np.ndarray, edge: float) -> np.ndarray:
    """Rows re-cut so each starts at its sync's leading edge (the frame is one circular line train)."""
    flat = levels.reshape(-1)
    idx = np.arange(flat.size) + edge
    lo = np.floor(idx).astype(np.int64)
    a = idx - lo
    out = flat[lo % flat.size] * (1 - a) + flat[(lo + 1) % flat.size] * a
    return out.reshape(levels.shape)


def _field_starts(aligned: np.ndarray, sync: _Sync, std: Standard, period_s: float) -> list[int] | None:
    """First broad-pulse row of each field (rows mostly at sync level), or None when not found."""
    per_s = GRID / period_s
    body = aligned[:, round((std.sync_s + 1e-6) * per_s) :]
    low = (body < 0.5 * (sync.tip + sync.blank)).mean(axis=1)
    broad = low > 0.3
    lines = aligned.shape[0]
    starts = [r for r in range(lines) if broad[r] and not broad[r - 1]]
    if len(starts) != 2:
        return None
    gap = (starts[1] - starts[0]) % lines
    if abs(gap - lines / 2) > 2:
        return None
    return starts


def _picture_rows(aligned: np.ndarray, starts: list[int] | None, std: Standard) -> np.ndarray:
    """Both fields' active lines, averaged pairwise: one deinterlaced picture of ``height`` rows."""
    lines = aligned.shape[0]
    if starts is None:  # no vertical interval seen: show the frame from wherever it began
        starts = [0, lines // 2]
    fields = []
    for s in starts:
        rows = (s + std.first_active + np.arange(std.active_lines)) % lines
        fields.append(aligned[rows])
    return 0.5 * (fields[0] + fields[1])


def _active(rows: np.ndarray, std: Standard, period_s: float) -> np.ndarray:
    per_s = GRID / period_s
    cols = std.active_start_s * per_s + (np.arange(std.width) + 0.5) * (std.active_s * per_s / std.width)
    grid = np.arange(rows.shape[1])
    return np.stack([np.interp(cols, grid, r) for r in rows])


def fm_tunings(low_hz: float, high_hz: float, rate_hz: float) -> list[float]:
    """Window centres whose flat parts (±``WINDOW_USE``·fs) cover an FM swing from ``low_hz`` (sync
    tip) to ``high_hz`` (peak white), evenly spaced, fewest first."""
    use = 2 * WINDOW_USE * rate_hz
    count = max(1, math.ceil((high_hz - low_hz) / use - 1e-9))
    first = 0.5 * (low_hz + high_hz) - 0.5 * (count - 1) * use
    return [first + i * use for i in range(count)]


# --- the whole recovery ------------------------------------------------------------------------


def recover(
    segments: Sequence[Segment],
    rate_hz: float,
    *,
    modulation: str | None = None,
    line: features.LineComb | None = None,
) -> Picture:
    """The picture in one or more segments of a continuous stream (see the module docstring).

    ``modulation`` (``"fm"``/``"am"``) is detected when omitted; ``line`` is the classifier's
    comb when the caller has it. Raises :class:`NoVideo` when there is no video line structure.
    """
    segments = [s for s in segments if s.n > 0]
    if not segments:
        raise NoVideo("no samples")
    line = line or line_structure(segments, rate_hz)
    std = STANDARDS[line.standard]
    period = rate_hz / line.line_rate_hz
    if modulation is None:
        modulation = modulation_of(segments[0].complex(), rate_hz, period)
    series = _Series(segments, modulation, rate_hz, period)
    starts = [s.start for s in segments]
    period = track_period(series, starts, period)
    folds = [fold(z, seg.start, period, std.lines, seg.tuned_hz) for seg, z in zip(segments, series, strict=True)]
    frames = sum(float(f.counts.sum()) for f in folds) / std.lines
    if frames < MIN_FRAMES:
        raise NoVideo(f"only {frames:.1f} frames: too short for a picture")
    if modulation == "fm":
        levels, measured, coherence = _fm_levels(folds, rate_hz)
        levels = _filled(levels)
    else:
        sums = sum(f.sums for f in folds)
        counts = sum(f.counts for f in folds)
        levels = (sums / np.maximum(counts, 1)[:, None]).real
        measured, coherence = 1.0, _am_coherence(levels)
    period_s = period / rate_hz
    sync = _line_sync(levels, period_s, std)
    if not sync.blank > sync.tip:
        raise NoVideo("no sync pulse in the folded line")
    aligned = _aligned(levels, sync.edge)
    starts_rows = _field_starts(aligned, sync, std, period_s)
    rows = _picture_rows(aligned, starts_rows, std)
    luma = (_active(rows, std, period_s) - sync.blank) / ((sync.blank - sync.tip) / std.sync_ratio)
    return Picture(
        luma=luma.astype(np.float32),
        standard=std.name,
        modulation=modulation,
        line_rate_hz=rate_hz / period,
        frames_averaged=frames,
        measured=measured,
        coherence=coherence,
        vertical_sync=starts_rows is not None,
    )


def _am_coherence(levels: np.ndarray) -> float:
    """AM's counterpart of |z̄|: line-to-line agreement of the folded sync region (1 = noiseless)."""
    rows = levels - levels.mean(axis=1, keepdims=True)
    a, b = rows[:-1].reshape(-1), rows[1:].reshape(-1)
    denom = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    return float(np.clip(np.dot(a, b) / denom, 0.0, 1.0)) if denom > 0 else 0.0


def field_response(
    segment: Segment, rate_hz: float, line: features.LineComb, modulation: str
) -> tuple[np.ndarray, np.ndarray]:
    """How bright the picture is, field by field: (times in the stream's seconds, level).

    FM: the mean instantaneous frequency of the in-window carrier (the angle of the field's mean
    lag product: strong samples weigh most); AM: the mean synchronous envelope, sign-flipped so
    that brighter is higher for negative modulation. The stimulus test (``dsp.stimulus``) judges it.
    """
    std = STANDARDS[line.standard]
    period = rate_hz / line.line_rate_hz
    field = max(1, round(period * std.lines / 2))
    x = segment.complex()
    count = x.size // field
    if count == 0:
        return np.zeros(0), np.zeros(0)
    if modulation == "am":
        y = synchronous_envelope(x, rate_hz, period)[: count * field]
        values = -y.reshape(count, field).mean(axis=1, dtype=np.float64)
    else:
        z = lag_product(x)[: count * field]
        values = np.angle(z.reshape(count, field).sum(axis=1, dtype=np.complex128)) * rate_hz / (2 * np.pi)
    times = (segment.start + (np.arange(count) + 0.5) * field) / rate_hz
    return times, values


def to_8bit(luma: np.ndarray) -> np.ndarray:
    """The picture as 8-bit grey (black 0, white 255) for a PNG."""
    return np.clip(np.rint(luma * 255.0), 0, 255).astype(np.uint8)


def pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson r of two pictures of one shape (how well a recovered picture follows its source)."""
    a = np.asarray(a, np.float64).ravel() - np.mean(a)
    b = np.asarray(b, np.float64).ravel() - np.mean(b)
    denom = math.sqrt(float(np.dot(a, a) * np.dot(b, b)))
    return float(np.dot(a, b) / denom) if denom > 0 else 0.0
