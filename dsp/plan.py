"""Hop plans: how to cover frequency ranges with a receiver that sees 2.4 MHz at a time.

Each hop keeps the flat middle of its window (the edges roll off in the tuner's filters) and
hops are spaced by exactly that kept width on one bin grid, so the kept slices of consecutive
hops tile the range with no gaps and no overlap. Stitching then removes the two artefacts a
naive concatenation shows: the DC spike at every hop centre and the residual passband ripple
that repeats with every hop.

Hop centres sit at ``lo + 107.5 bins + k * 214 bins`` (9.375 kHz bins): for any ``lo`` on a
6.25 kHz raster the centres are always at least 1.56 kHz away from that raster, so the narrow
notch left by DC removal never swallows a channelised carrier.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

import numpy as np

from dsp import bands as bandmod
from dsp import psd

#: Named plans. "full" is whatever the tuner reaches: its range is the driver's to state
#: (``hw.radio.TUNER_RANGE_HZ``), so it is filled in by :func:`preset`.
PRESETS: dict[str, tuple[tuple[float, float], ...] | None] = {
    "full": None,
    # analog camera bands (900 MHz, 1.2-1.3 GHz) with the 868/915 ISM bands inside, plus ISM 433
    "cameras": ((433.05e6, 434.79e6), (850e6, 1400e6)),
}


def preset(name: str, tuning_range: tuple[float, float]) -> tuple[tuple[float, float], ...]:
    """The ranges of a named plan (``KeyError`` for an unknown name)."""
    ranges = PRESETS[name]
    return ((float(tuning_range[0]), float(tuning_range[1])),) if ranges is None else ranges


_UNITS = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9}
_FREQ_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?\s*([kKmMgG]?)(?:hz|Hz|HZ)?\s*$")


def parse_frequency(text: str) -> float:
    """``"433.92M"`` -> 433.92e6. Accepts k/M/G suffixes, plain Hz and exponents."""
    match = _FREQ_RE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a frequency (examples: 433.92M, 1.2G, 98100000)")
    value = float(match[1]) * (10 ** int(match[2]) if match[2] else 1)
    return value * _UNITS[match[3].lower()]


def parse_ranges(text: str) -> tuple[tuple[float, float], ...]:
    """``"24M:1766M"`` or ``"430M:440M,850M:1.4G"`` -> ((lo, hi), ...), sorted and validated."""
    ranges = []
    for part in text.split(","):
        lo_text, sep, hi_text = part.partition(":")
        if not sep:
            raise ValueError(f"range {part.strip()!r} needs the form LOW:HIGH, e.g. 24M:1766M")
        lo, hi = parse_frequency(lo_text), parse_frequency(hi_text)
        if hi <= lo:
            raise ValueError(f"range {part.strip()!r}: the high end must be above the low end")
        ranges.append((lo, hi))
    return merge_ranges(ranges)


def merge_ranges(ranges: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """Sort and join overlapping (lo, hi) ranges."""
    merged: list[tuple[float, float]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def check_tunable(
    ranges: tuple[tuple[float, float], ...], tuning_range: tuple[float, float], tuner: str = "the RTL-SDR"
) -> None:
    """Explain, in user terms, a range ``tuner`` cannot cover (``ValueError``).

    The one range check: plans, settings, the CLI and every radio's ``tune`` come here with the
    range the driver states (``hw.radio.TUNER_RANGE_HZ`` for the dongle).
    """
    t_lo, t_hi = tuning_range
    for lo, hi in ranges:
        if lo < t_lo:
            raise ValueError(f"{lo / 1e6:g} MHz is below {tuner}'s {t_lo / 1e6:g} MHz limit; it cannot tune there")
        if hi > t_hi:
            extra = " (2.4/5.8 GHz Wi-Fi cameras are invisible to it: use the optical sweep)" if hi > 2e9 else ""
            raise ValueError(f"{hi / 1e6:g} MHz is above {tuner}'s {t_hi / 1e6:g} MHz limit{extra}")


@dataclass(frozen=True)
class Hop:
    index: int
    center_hz: float
    first_bin: int  # kept bins [first_bin, last_bin) of the FFT-shifted window
    last_bin: int
    dwell_samples: int
    frame_samples: int  # == dwell_samples when the hop is one frame

    @property
    def frames(self) -> int:
        return max(1, self.dwell_samples // self.frame_samples)


@dataclass(frozen=True)
class Plan:
    ranges: tuple[tuple[float, float], ...]
    sample_rate: float
    nfft: int
    keep_bins: int
    hops: tuple[Hop, ...]

    @property
    def bin_hz(self) -> float:
        return self.sample_rate / self.nfft

    @property
    def n_bins(self) -> int:
        return sum(h.last_bin - h.first_bin for h in self.hops)

    def hop_frequencies(self, hop: Hop) -> np.ndarray:
        """Centre frequencies of a hop's kept bins."""
        k = np.arange(hop.first_bin, hop.last_bin)
        return hop.center_hz + (k - self.nfft // 2) * self.bin_hz

    def hop_span(self, hop: Hop) -> tuple[float, float]:
        """Lowest and highest frequency a hop's kept bins cover (bin edges)."""
        half = self.bin_hz / 2
        return (
            hop.center_hz + (hop.first_bin - self.nfft // 2) * self.bin_hz - half,
            hop.center_hz + (hop.last_bin - 1 - self.nfft // 2) * self.bin_hz + half,
        )

    def radio_time_s(self, retune_s: float, settle_samples: int, read_overhead_s: float = 0.0) -> float:
        """Modelled radio time: retune, discarded settle samples and dwell, for every hop."""
        per_hop = retune_s + settle_samples / self.sample_rate + 2 * read_overhead_s
        return sum(per_hop + h.dwell_samples / self.sample_rate for h in self.hops)


def make_plan(
    ranges: tuple[tuple[float, float], ...],
    *,
    sample_rate: float = 2.4e6,
    nfft: int = 256,
    keep_fraction: float = 0.836,
    dwell_samples: int = 4096,
    tuning_range: tuple[float, float],
    band_table: tuple[bandmod.Band, ...] = bandmod.BANDS,
) -> Plan:
    """Cover ``ranges`` with hops on one bin grid; dwell longer where the band table asks.

    ``tuning_range`` is what the radio can reach (``hw.radio.TUNER_RANGE_HZ``): hops stay inside it.
    """
    if not ranges:
        raise ValueError("nothing to sweep: no ranges given")
    if sample_rate <= 0 or nfft < 16 or nfft & (nfft - 1):
        raise ValueError("sample rate must be positive and nfft a power of two >= 16")
    check_tunable(ranges, tuning_range)
    keep = int(nfft * keep_fraction) // 2 * 2
    bin_hz = sample_rate / nfft
    hops: list[Hop] = []
    for lo, hi, dwell_s, frame_s in _pieces(ranges, band_table):
        dwell, frame = dwell_samples, dwell_samples
        if dwell_s:
            dwell = max(dwell_samples, math.ceil(dwell_s * sample_rate / 1024) * 1024)
            frame = max(1024, int(frame_s * sample_rate) // 1024 * 1024) if frame_s else dwell
        for center, first, last in _tile(lo, hi, nfft, keep, bin_hz, tuning_range):
            hops.append(Hop(len(hops), center, first, last, dwell, frame))
    return Plan(ranges=tuple(ranges), sample_rate=sample_rate, nfft=nfft, keep_bins=keep, hops=tuple(hops))


def _pieces(ranges, band_table) -> list[tuple[float, float, float, float]]:
    """Split ranges at the edges of bands that need a longer dwell: (lo, hi, dwell_s, frame_s).

    A long-dwell band then gets hops of its own instead of lengthening every hop that touches it.
    """
    special = [b for b in band_table if b.min_dwell_s]
    pieces = []
    for lo, hi in ranges:
        cuts = sorted({lo, hi, *(e for b in special for e in (b.lo_hz, b.hi_hz) if lo < e < hi)})
        for a, b in itertools.pairwise(cuts):
            inside = [band for band in special if band.lo_hz <= a and b <= band.hi_hz]
            slowest = max(inside, key=lambda band: band.min_dwell_s, default=None)
            pieces.append((a, b, slowest.min_dwell_s if slowest else 0.0, slowest.frame_s if slowest else 0.0))
    return pieces


def _tile(lo: float, hi: float, nfft: int, keep: int, bin_hz: float, tuning_range) -> list[tuple[float, int, int]]:
    """Hop centres and kept-bin slices covering [lo, hi): bins whose centres fall inside."""
    half_keep = keep // 2
    step = keep * bin_hz
    out = []
    for i in range(max(1, math.ceil((hi - lo) / step))):
        # kept bins are [centre - half_keep, centre + half_keep) in bin units around DC
        center = lo + half_keep * bin_hz + i * step + bin_hz / 2
        seg_lo, seg_hi = lo + i * step, min(hi, lo + (i + 1) * step)
        center = min(max(center, tuning_range[0]), tuning_range[1])
        first = nfft // 2 + math.ceil((seg_lo - center) / bin_hz)
        last = nfft // 2 + math.ceil((seg_hi - center) / bin_hz)
        first, last = max(first, nfft // 2 - half_keep), min(last, nfft // 2 + half_keep)
        if last > first:
            out.append((center, first, last))
    return out


@dataclass
class Spectrum:
    """A stitched sweep: per-bin mean and peak-hold power (linear, full scale) on one grid."""

    freqs: np.ndarray
    mean: np.ndarray
    peak: np.ndarray
    hop_of_bin: np.ndarray  # index of the hop each bin came from
    averages: np.ndarray  # effective independent averages behind each bin's mean
    frames: np.ndarray  # frames behind each bin's peak-hold
    bin_hz: float

    @property
    def measured(self) -> np.ndarray:
        return np.isfinite(self.mean)


def passband_shape(windows: list[np.ndarray], plan: Plan) -> np.ndarray | None:
    """Per-bin receiver response estimated from the median over many hops (emitters are outliers).

    ``windows`` are full FFT-shifted mean spectra of hops that span the whole kept width.
    Returns a shape normalised to median 1 over the kept bins, or None when too few hops.
    """
    usable = [w for w in windows if np.median(w) > 0]  # a dead front end reads all zeros
    if len(usable) < 16:
        return None
    stack = np.stack(usable)
    level = np.median(stack, axis=1, keepdims=True)
    shape = np.median(stack / level, axis=0)
    kept = slice(plan.nfft // 2 - plan.keep_bins // 2, plan.nfft // 2 + plan.keep_bins // 2)
    middle = np.median(shape[kept])
    if not middle > 0:
        return None
    shape /= middle
    return np.where(shape > 0, shape, 1.0)


def stitch(
    plan: Plan,
    means: list[np.ndarray | None],
    peaks: list[np.ndarray | None],
    averages: list[float],
) -> Spectrum:
    """Concatenate the kept bins of every hop; hops not measured (``None``) become NaN.

    ``means``/``peaks`` are full FFT-shifted windows (nfft bins) from :func:`measure_hop`.
    """
    full = [
        m for m, h in zip(means, plan.hops, strict=True) if m is not None and h.last_bin - h.first_bin == plan.keep_bins
    ]
    shape = passband_shape(full, plan)
    parts_f, parts_m, parts_p, parts_h, parts_a, parts_n = [], [], [], [], [], []
    for hop, mean, peak, avg in zip(plan.hops, means, peaks, averages, strict=True):
        sl = slice(hop.first_bin, hop.last_bin)
        width = hop.last_bin - hop.first_bin
        parts_f.append(plan.hop_frequencies(hop))
        if mean is None:
            parts_m.append(np.full(width, np.nan))
            parts_p.append(np.full(width, np.nan))
        else:
            gain = shape[sl] if shape is not None else 1.0
            parts_m.append(mean[sl] / gain)
            parts_p.append((peak if peak is not None else mean)[sl] / gain)
        parts_h.append(np.full(width, hop.index, dtype=np.int32))
        parts_a.append(np.full(width, avg))
        parts_n.append(np.full(width, hop.frames, dtype=np.int32))
    return Spectrum(
        freqs=np.concatenate(parts_f),
        mean=np.concatenate(parts_m),
        peak=np.concatenate(parts_p),
        hop_of_bin=np.concatenate(parts_h),
        averages=np.concatenate(parts_a),
        frames=np.concatenate(parts_n),
        bin_hz=plan.bin_hz,
    )


def measure_hop(raw: np.ndarray, plan: Plan, hop: Hop) -> tuple[np.ndarray, np.ndarray, float]:
    """A hop's full-window mean and peak-hold spectra and its averages.

    The DC spike (the RTL2832's LO leakage, a near-constant offset) is removed by subtracting the
    block mean, which only notches what sits within ~1/dwell of DC; the hop raster (see
    ``make_plan``) keeps hop centres off every 6.25 kHz channel raster, so no channelised
    transmitter falls into that notch.
    """
    if hop.frames > 1:
        per_frame = psd.frames(raw, plan.nfft, hop.frame_samples)
        mean, peak = per_frame.mean(axis=0), per_frame.max(axis=0)
        segments = per_frame.shape[0] * psd.segment_count(hop.frame_samples, plan.nfft)
    else:
        mean = psd.welch(raw, plan.nfft)
        peak = mean
        segments = psd.segment_count(raw.size // 2, plan.nfft)
    return mean, peak, psd.effective_averages(segments)
