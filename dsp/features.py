"""What one emitter's IQ says about it: the evidence the classifier weighs.

All features come from one dwell (a block of IQ at one tuning), measured per emitter:

- **Line-rate comb.** Analog video repeats every line: a sync pulse every 64 µs (625-line PAL and
  SECAM, 15 625 Hz) or 63.6 µs (525-line NTSC, 15 734.27 Hz), and a vertical interval every field
  (50 or 59.94 Hz). Both the envelope |x|² and the FM discriminator output of a video carrier
  show a comb of lines at the line rate's harmonics. FM video swings several MHz, wider than
  the receiver's window, so the window gates it: the carrier is inside only while the picture
  is at some levels, which puts the line structure on the envelope; a narrow swing stays inside
  and shows on the discriminator instead; AM video shows on the envelope directly. The comb is
  searched within ±1 % of both standards, checked for purity (line power sits at the harmonics,
  not everywhere, as it would for a TDMA frame, an OOK symbol clock or LTE's slots), measured
  from the interpolated harmonics to a few ppm and accepted within ±0.5 % of a standard; the
  field rate is measured from the same spectrum.
- **Bursts.** Block power over 50 µs: duty cycle against the quietest blocks, the repetition
  period of the on/off pattern (GSM's 4.615 ms frame, LTE's 1 ms subframes, OOK packets).
- **Spectrum.** Occupied bandwidth (99 % of the excess power) and spectral flatness over it.
- **FM broadcast pilot.** The 19 kHz stereo pilot as a line in the discriminator spectrum.

Emitters narrower than ~320 kHz are first cut out of the window (FFT channeliser, 600 kS/s) so
their neighbours do not leak into their features; wider ones are measured on the whole window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numba import njit

from dsp import iq as iqmod
from dsp import psd


@dataclass(frozen=True)
class VideoStandard:
    name: str  # DESIGN.md vocabulary: "PAL" for every 625-line/50 Hz system (SECAM too), "NTSC" for 525
    lines: int
    line_rate_hz: float

    @property
    def field_rate_hz(self) -> float:
        return 2.0 * self.line_rate_hz / self.lines


VIDEO_STANDARDS: tuple[VideoStandard, ...] = (
    VideoStandard("PAL", 625, 15625.0),  # ITU-R BT.470: 625 lines, 25 frames/s
    VideoStandard("NTSC", 525, 4.5e6 / 286),  # 15 734.27 Hz, 59.94 fields/s
)
LINE_SEARCH = 0.01  # search ±1 % around each standard's line rate ...
LINE_TOLERANCE = 0.005  # ... and accept ±0.5 % (crystal-timed cameras are within 0.01 %)
HARMONICS = 12  # up to ~190 kHz: the sync pulse (4.7 µs) has its first spectral null at ~210 kHz
STRONG = 30.0  # a harmonic counts when it stands this far (x, ~15 dB) over the local median
MIN_HARMONICS = 3
MIN_PURITY = 0.85  # share of the strong lines' power on the comb (video: > 0.98; LTE slots: ~0.6)
FIELD_HARMONICS = 8
ANALYSIS_RATE_HZ = 600e3  # envelope/discriminator rate: 19 line harmonics below Nyquist
CHANNEL_MIN_HALF_HZ = 200e3  # a channel keeps at least ±200 kHz: AM video's first 12 sideband pairs
CHANNEL_MAX_HALF_HZ = 240e3  # wider emitters are measured on the whole window
WINDOW_RATE_HZ = 2.4e6  # wide emitters in faster recordings are measured in a window this wide ...
WINDOW_FLAT = 0.8  # ... flat over this share of it (an R820T's is about 80 %)
BURST_BLOCK_S = 50e-6
SPECTRUM_BIN_HZ = 9375.0  # Welch bins as wide as the survey's, so levels compare directly
SPECTRUM_SEGMENTS = 255  # ~500 averages (the shape to 0.2 dB); below psd's threading threshold
PILOT_HZ = 19e3
PILOT_MIN_DB = 15.0


@dataclass(frozen=True)
class LineComb:
    """A measured video line structure."""

    standard: str
    line_rate_hz: float
    harmonics: int  # how many of the first HARMONICS stand out
    strength_db: float  # strongest harmonic over the local median
    purity: float  # share of strong lines that sit on the comb
    field_rate_hz: float | None  # measured field rate, when its comb is there
    source: str  # "envelope" or "frequency" (discriminator)

    @property
    def field_consistent(self) -> bool:
        """The field rate matches the line rate's standard (50 Hz with 625 lines, 59.94 with 525)."""
        if self.field_rate_hz is None:
            return False
        std = next(s for s in VIDEO_STANDARDS if s.name == self.standard)
        expected = 2.0 * self.line_rate_hz / std.lines
        return abs(self.field_rate_hz / expected - 1.0) < 0.015


@dataclass(frozen=True)
class Bursts:
    duty_cycle: float  # fraction of 50 µs blocks clearly above the quietest ones (1.0 = continuous)
    contrast_db: float  # loud blocks over quiet ones (95th over 5th percentile)
    period_s: float | None  # repetition period of the on/off pattern, when regular
    burst_s: float | None  # median length of a burst
    whole_ms: bool = False  # bursts last whole milliseconds (LTE subframes)

    @property
    def bursty(self) -> bool:
        return self.contrast_db >= 6.0 and self.duty_cycle <= 0.8


@dataclass(frozen=True)
class Features:
    seconds: float
    channel_hz: float  # width of the band the features were measured on
    line: LineComb | None
    bursts: Bursts
    occupied_bandwidth_hz: float
    flatness: float  # geometric over arithmetic mean of the PSD across the occupied band (1 = flat)
    pilot_db: float | None  # 19 kHz pilot over the discriminator noise around it; None when not measured
    envelope_spread: float  # std / mean of |x| (≈ 0 for constant-envelope FM/GMSK/FSK)

    def summary(self) -> dict[str, float | int | str | None]:
        """Numbers for reports (JSON-friendly)."""

        def rounded(value: float | None, digits: int) -> float | None:
            return None if value is None or not math.isfinite(value) else round(float(value), digits)

        return {
            "seconds": rounded(self.seconds, 3),
            "line_harmonics": self.line.harmonics if self.line else 0,
            "line_source": self.line.source if self.line else None,
            "field_rate_hz": rounded(self.line.field_rate_hz, 2) if self.line else None,
            "duty_cycle": rounded(self.bursts.duty_cycle, 3),
            "burst_period_s": rounded(self.bursts.period_s, 6),
            "burst_s": rounded(self.bursts.burst_s, 6),
            "occupied_bandwidth_hz": rounded(self.occupied_bandwidth_hz, 0),
            "flatness": rounded(self.flatness, 3),
            "pilot_db": rounded(self.pilot_db, 1),
        }


# --- kernels --------------------------------------------------------------------------------


@njit(cache=True, fastmath=True, inline="always")
def _atan2(y, x):  # pragma: no cover - compiled
    """atan2 to within 0.004 rad (Rajan et al.'s first-order correction): plenty for a comb."""
    ax = abs(x)
    ay = abs(y)
    if ax == 0.0 and ay == 0.0:
        return 0.0
    if ax >= ay:
        z = ay / ax
        a = z * (0.7853981633974483 + 0.273 * (1.0 - z))
    else:
        z = ax / ay
        a = 1.5707963267948966 - z * (0.7853981633974483 + 0.273 * (1.0 - z))
    if x < 0.0:
        a = np.pi - a
    return -a if y < 0.0 else a


@njit(cache=True, fastmath=True)
def _envelope_and_frequency(x, rate, decim):  # pragma: no cover - compiled
    """|x|² and instantaneous frequency (Hz), each through a CIC-2 low-pass and decimated by ``decim``.

    The CIC's double zeros at multiples of the output rate keep line harmonics above the new
    Nyquist from folding back onto the comb. Prefix sums make it two additions per sample.
    """
    n = x.size - 1
    pe = np.zeros(n + 1, np.float64)
    pf = np.zeros(n + 1, np.float64)
    se = 0.0
    sf = 0.0
    for i in range(n):
        re = x[i + 1].real
        im = x[i + 1].imag
        pre = x[i].real
        pim = x[i].imag
        se += re * re + im * im
        sf += _atan2(im * pre - re * pim, re * pre + im * pim)  # angle of x[i+1] * conj(x[i])
        pe[i + 1] = se
        pf[i + 1] = sf
    m = max(0, (n - 2 * decim + 1) // decim)
    env = np.empty(m, np.float32)
    freq = np.empty(m, np.float32)
    norm = 1.0 / (decim * decim)
    scale = rate / (2.0 * np.pi) * norm
    for k in range(m):
        acc_e = 0.0
        acc_f = 0.0
        for j in range(decim):  # a boxcar of boxcars: triangular weights over 2 * decim - 1 samples
            i = k * decim + j
            acc_e += pe[i + decim] - pe[i]
            acc_f += pf[i + decim] - pf[i]
        env[k] = acc_e * norm
        freq[k] = acc_f * scale
    return env, freq


@njit(cache=True)
def _block_means(s, block):  # pragma: no cover - compiled
    m = s.size // block
    out = np.empty(m, np.float64)
    for k in range(m):
        acc = 0.0
        for j in range(block):
            acc += s[k * block + j]
        out[k] = acc / block
    return out


# --- spectra of a real series -------------------------------------------------------------


@lru_cache(maxsize=8)
def _hann(n: int) -> np.ndarray:
    return psd.hann(n)


def smooth_length(n: int, multiple: int = 1) -> int:
    """The largest length <= ``n`` that is a multiple of ``multiple`` and has no prime factor
    above 5: FFTs of such lengths are fast (a prime factor of 293 makes one ten times slower)."""
    best = multiple if n >= multiple else n
    p2 = 1
    while p2 <= n:
        p3 = p2
        while p3 <= n:
            p5 = p3
            while p5 <= n:
                if p5 > best and p5 % multiple == 0:
                    best = p5
                p5 *= 5
            p3 *= 3
        p2 *= 2
    return best


def is_smooth(n: int) -> bool:
    """True when ``n`` has no prime factor above 5."""
    for p in (2, 3, 5):
        while n % p == 0:
            n //= p
    return n == 1


def analysis_decimation(rate_hz: float, target_hz: float = ANALYSIS_RATE_HZ) -> int:
    """The decimation from ``rate_hz`` to about ``ANALYSIS_RATE_HZ``, with no prime factor above 5.

    The block is cut to a multiple of it and the channel's FFT is the block's divided by it, so a
    factor like 13 (8 MS/s) would leave no fast length at all; the nearest 5-smooth factor keeps
    the analysis rate within ±12 % of 600 kS/s at any input rate.
    """
    target = rate_hz / target_hz
    if not target >= 1.5:
        return 1
    below = max(d for d in range(1, math.floor(target) + 1) if is_smooth(d))
    above = next(d for d in range(math.ceil(target), 4 * math.ceil(target) + 2) if is_smooth(d))
    return below if target / below <= above / target else above


def next_smooth(n: int) -> int:
    """The smallest even length >= ``n`` with no prime factor above 5 (a fast FFT size)."""
    m = max(2, n + (n % 2))
    while not is_smooth(m):
        m += 2
    return m


@dataclass(frozen=True)
class Periodogram:
    """Hann-windowed power spectrum of a real series (mean removed), bins ``df`` apart from 0 Hz."""

    power: np.ndarray
    df: float


def periodogram(series: np.ndarray, rate: float) -> Periodogram:
    s = series.astype(np.float32) - np.float32(series.mean(dtype=np.float64))
    nfft = next_smooth(s.size)
    spec = np.fft.rfft(s * _hann(s.size), nfft)
    return Periodogram((spec.real**2 + spec.imag**2).astype(np.float64), rate / nfft)


def _whiten(power: np.ndarray, block: int) -> np.ndarray:
    """Power over a local noise level (median of ~``block`` bins, smoothed): noise ≈ Exp(ln 2)."""
    n = power.size
    nblocks = max(1, n // block)
    usable = nblocks * block
    medians = np.median(power[:usable].reshape(nblocks, block), axis=1)
    if nblocks >= 3:
        padded = np.concatenate([medians[:1], medians, medians[-1:]])
        medians = np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0)
    centres = (np.arange(nblocks) + 0.5) * block
    level = np.interp(np.arange(n), centres, medians)
    return power / np.maximum(level, 1e-30)


def _harmonic_values(ratio: np.ndarray, f0: np.ndarray, df: float, count: int) -> np.ndarray:
    """Largest whitened value within ±1 bin of each harmonic k·f0, shape (len(f0), count)."""
    k = np.arange(1, count + 1)
    idx = np.rint(np.outer(f0, k) / df).astype(np.int64)
    idx = np.clip(idx, 1, ratio.size - 2)
    return np.maximum(np.maximum(ratio[idx - 1], ratio[idx]), ratio[idx + 1])


def _refine(power: np.ndarray, df: float, f0: float, ks: np.ndarray) -> float:
    """Line rate from the interpolated peaks of strong harmonics (least squares through 0)."""
    num = den = 0.0
    for k in ks:
        centre = round(k * f0 / df)
        lo, hi = max(1, centre - 2), min(power.size - 2, centre + 2)
        j = lo + int(np.argmax(power[lo : hi + 1]))
        a, b, c = np.log(np.maximum(power[j - 1 : j + 2], 1e-30))
        denom = a - 2 * b + c
        delta = 0.5 * (a - c) / denom if denom < 0 else 0.0
        fk = (j + float(np.clip(delta, -0.5, 0.5))) * df
        num += k * fk
        den += k * k
    return num / den


def line_comb(series: np.ndarray, rate: float, source: str, spectrum: Periodogram | None = None) -> LineComb | None:
    """The video line structure in a real series (envelope or discriminator), if there is one.

    ``spectrum`` is the series' periodogram when the caller already has it.
    """
    top = VIDEO_STANDARDS[-1].line_rate_hz * (1 + LINE_SEARCH)
    count = min(HARMONICS, int(0.45 * rate / top))
    if count < MIN_HARMONICS or series.size < rate * 0.02:
        return None
    spectrum = spectrum or periodogram(series, rate)
    df = spectrum.df
    power = spectrum.power[: round((count + 1) * top / df)]  # nothing above the last harmonic matters
    ratio = _whiten(power, max(16, round(600.0 / df)))
    best: tuple[float, float, np.ndarray, VideoStandard] | None = None
    for std in VIDEO_STANDARDS:
        lo, hi = std.line_rate_hz * (1 - LINE_SEARCH), std.line_rate_hz * (1 + LINE_SEARCH)
        grid = np.arange(lo, hi, df / (2 * count))
        values = _harmonic_values(ratio, grid, df, count)
        score = np.minimum(values, 1e3).sum(axis=1)
        i = int(np.argmax(score))
        if best is None or score[i] > best[0]:
            best = (float(score[i]), float(grid[i]), values[i], std)
    assert best is not None
    _, f0, values, _ = best
    strong = np.flatnonzero(values >= STRONG) + 1
    if strong.size < MIN_HARMONICS:
        return None
    line_rate = _refine(power, df, f0, strong)
    purity = _purity(ratio, df, line_rate, count)
    if purity < MIN_PURITY:
        return None
    std = min(VIDEO_STANDARDS, key=lambda s: abs(line_rate / s.line_rate_hz - 1))
    if abs(line_rate / std.line_rate_hz - 1) > LINE_TOLERANCE:
        return None
    return LineComb(
        standard=std.name,
        line_rate_hz=line_rate,
        harmonics=int(strong.size),
        strength_db=float(10 * np.log10(values.max())),
        purity=purity,
        field_rate_hz=_field_rate(power, ratio, df),
        source=source,
    )


def _purity(ratio: np.ndarray, df: float, f0: float, count: int) -> float:
    """Share of the strong lines' excess power (between f0/2 and the last harmonic) near k·f0.

    Video puts its periodic power at the line harmonics (with field-rate sidebands close by); a
    TDMA frame or an OOK symbol clock that happens to have a harmonic there spreads it evenly.
    """
    lo, hi = round(0.5 * f0 / df), min(ratio.size, round((count + 0.5) * f0 / df))
    freqs = np.arange(lo, hi) * df
    excess = np.where(ratio[lo:hi] >= STRONG, ratio[lo:hi] - 1.0, 0.0)
    phase = freqs / f0 - np.rint(freqs / f0)
    near = np.abs(phase) <= 0.25
    total = excess.sum()
    return float(excess[near].sum() / total) if total > 0 else 0.0


def _field_rate(power: np.ndarray, ratio: np.ndarray, df: float) -> float | None:
    """Fundamental of the low-frequency comb (vertical interval every field), 45–65 Hz."""
    if FIELD_HARMONICS * 65.0 / df >= ratio.size - 2 or df > 10.0:
        return None
    grid = np.arange(45.0, 65.0, df / (2 * FIELD_HARMONICS))
    values = _harmonic_values(ratio, grid, df, FIELD_HARMONICS)
    score = np.minimum(values, 1e3).sum(axis=1)
    i = int(np.argmax(score))
    strong = np.flatnonzero(values[i] >= STRONG) + 1
    if strong.size < 2:
        return None
    return _refine(power, df, float(grid[i]), strong)


# --- bursts ---------------------------------------------------------------------------------


def bursts(envelope: np.ndarray, rate: float) -> Bursts:
    """Duty cycle, contrast and repetition period from the power envelope."""
    block = max(1, round(BURST_BLOCK_S * rate))
    blocks = _block_means(np.ascontiguousarray(envelope, dtype=np.float32), block)
    if blocks.size < 8:
        return Bursts(1.0, 0.0, None, None)
    level = 10 * np.log10(np.maximum(blocks, 1e-20))
    quiet, loud = np.percentile(level, [5, 95])
    contrast = float(loud - quiet)
    floor = np.percentile(level, 2)
    on = level > floor + max(3.0, 0.5 * contrast)
    duty = float(on.mean()) if contrast >= 6.0 else 1.0
    if contrast < 6.0 or on.all() or not on.any():
        return Bursts(duty, contrast, None, None)
    step = block / rate
    runs = _runs(on) * step
    whole_ms = bool(runs.size >= 3 and np.mean(np.abs(runs / 1e-3 - np.rint(runs / 1e-3)) < 0.12) >= 0.8)
    whole_ms &= bool(np.all(runs >= 0.9e-3))
    return Bursts(duty, contrast, _period(on, step), float(np.median(runs)) if runs.size else None, whole_ms)


def _runs(on: np.ndarray) -> np.ndarray:
    """Lengths (in blocks) of the on-runs that start and end inside the record."""
    edges = np.diff(on.astype(np.int8))
    starts, stops = np.flatnonzero(edges == 1) + 1, np.flatnonzero(edges == -1) + 1
    if starts.size == 0 or stops.size == 0:
        return np.zeros(0)
    stops = stops[stops > starts[0]]
    count = min(starts.size, stops.size)
    return (stops[:count] - starts[:count]).astype(np.float64)


def _period(on: np.ndarray, step: float) -> float | None:
    """Lag of the strongest autocorrelation peak of the on/off pattern (0.5 ms – 60 ms)."""
    s = on.astype(np.float64) - on.mean()
    n = s.size
    nfft = 1 << math.ceil(math.log2(2 * n))
    spec = np.fft.rfft(s, nfft)
    acf = np.fft.irfft(spec.real**2 + spec.imag**2, nfft)[:n]
    if acf[0] <= 0:
        return None
    acf /= acf[0]
    lo, hi = max(2, round(0.5e-3 / step)), min(n // 3, round(60e-3 / step))
    if hi <= lo + 2:
        return None
    seg = acf[lo:hi]
    # local maxima above 0.4: the first one that is nearly as strong as the best is the period
    peaks = np.flatnonzero((seg[1:-1] >= seg[:-2]) & (seg[1:-1] >= seg[2:]) & (seg[1:-1] > 0.4)) + 1
    if peaks.size == 0:
        return None
    top = seg[peaks].max()
    first = peaks[np.argmax(seg[peaks] >= 0.85 * top)]
    j = lo + int(first)
    a, b, c = acf[j - 1 : j + 2]
    denom = a - 2 * b + c
    delta = 0.5 * (a - c) / denom if denom < 0 else 0.0
    return (j + float(np.clip(delta, -0.5, 0.5))) * step


# --- spectrum shape ------------------------------------------------------------------------


def occupied_band(power: np.ndarray, freqs: np.ndarray, floor: float) -> tuple[float, float, float]:
    """(low, high, flatness) of the band holding 99 % of the power above ``floor``."""
    excess = np.clip(power - floor, 0, None)
    if power.size == 0 or excess.sum() <= 0:
        middle = float(freqs[power.size // 2]) if power.size else 0.0
        return middle, middle, 0.0
    cum = np.cumsum(excess) / excess.sum()
    lo = int(np.searchsorted(cum, 0.005))
    hi = min(int(np.searchsorted(cum, 0.995)), power.size - 1)
    df = freqs[1] - freqs[0] if freqs.size > 1 else 0.0
    return float(freqs[lo] - df / 2), float(freqs[hi] + df / 2), flatness(power[lo : hi + 1])


def flatness(power: np.ndarray) -> float:
    """Geometric over arithmetic mean of PSD bins (1 = flat like OFDM; 0 for fewer than 3 bins)."""
    if power.size < 3:
        return 0.0
    return float(np.exp(np.mean(np.log(np.maximum(power, 1e-30)))) / max(np.mean(power), 1e-30))


def pilot_strength(frequency: np.ndarray, rate: float, spectrum: Periodogram | None = None) -> float | None:
    """The 19 kHz stereo pilot in a discriminator series: peak over the median around it (dB)."""
    if rate < 4 * PILOT_HZ or frequency.size < rate * 0.02:
        return None
    spectrum = spectrum or periodogram(frequency, rate)
    power, df = spectrum.power, spectrum.df
    centre = round(PILOT_HZ / df)
    near = power[max(1, centre - round(20 / df)) : centre + round(20 / df) + 1]
    around = power[round(17e3 / df) : round(21e3 / df)]
    return float(10 * np.log10(near.max() / max(np.median(around), 1e-30)))


# --- one dwell, several emitters ------------------------------------------------------------


class Block:
    """One dwell of IQ at one tuning; emitters inside it are measured one at a time.

    DC is removed once (the RTL-SDR's LO leakage), the window's FFT is taken once for every
    narrow emitter's channel, and the whole-window envelope is computed once for wide ones.
    """

    def __init__(self, samples: np.ndarray, rate_hz: float) -> None:
        x = iqmod.remove_dc(iqmod.to_complex(np.asarray(samples)))
        self.decim = analysis_decimation(rate_hz)
        # Wide emitters in a recording much wider than a dongle's window are measured in a
        # window like the dongle's (what the classifier is calibrated on): the whole band's
        # discriminator, decimated 13-33 times, folds colour subcarriers onto false combs.
        self.window_decim = analysis_decimation(rate_hz, WINDOW_RATE_HZ)
        self.x = x[: smooth_length(x.size, math.lcm(self.decim, self.window_decim))]
        self.rate = float(rate_hz)
        self._fft: np.ndarray | None = None
        self._wide: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def seconds(self) -> float:
        return self.x.size / self.rate

    def channel(self, offset_hz: float, half_width_hz: float, decim: int | None = None) -> np.ndarray:
        """The emitter moved to 0 Hz, band-limited to ±``half_width_hz``, at ``rate / decim``
        (``self.decim`` unless given)."""
        n = self.x.size
        m = n // (decim or self.decim)  # same bin spacing in and out: the channel is a slice of the spectrum
        if self._fft is None:
            self._fft = np.fft.fft(self.x)
        df = self.rate / n
        width = min(int(1.15 * half_width_hz / df) + 1, m // 2 - 1)  # the raised-cosine edge ends here
        bins = np.arange(-width, width + 1)
        edge = np.clip((np.abs(bins) * df - half_width_hz) / (0.15 * half_width_hz), 0.0, 1.0)
        taper = ((0.5 + 0.5 * np.cos(np.pi * edge)) * (m / n)).astype(np.float32)
        spec = np.zeros(m, np.complex64)
        spec[bins % m] = self._fft[(bins + round(offset_hz / df)) % n] * taper
        return np.fft.ifft(spec).astype(np.complex64)

    def _wide_series(self) -> tuple[np.ndarray, np.ndarray]:
        if self._wide is None:
            self._wide = _envelope_and_frequency(self.x, self.rate, self.decim)
        return self._wide

    def measure(
        self, offset_hz: float = 0.0, bandwidth_hz: float | None = None, noise_per_hz: float | None = None
    ) -> Features:
        """Features of the emitter ``offset_hz`` from the window centre, ``bandwidth_hz`` wide.

        ``noise_per_hz`` (full-scale power per Hz of Welch bin, e.g. a survey floor divided by
        its bin width) is the noise the occupied bandwidth is measured against; estimated
        from the quietest bins when omitted.
        """
        half = max(CHANNEL_MIN_HALF_HZ, 0.75 * (bandwidth_hz or 0.0))
        narrow = bandwidth_hz is not None and half <= CHANNEL_MAX_HALF_HZ and self.decim >= 2
        if narrow:
            sig = self.channel(offset_hz, half)
            rate = self.rate / self.decim
            env, freq = _envelope_and_frequency(sig, rate, 1)
            channel_hz = 2 * half
            spectrum_source = sig
        elif self.window_decim > 1:
            window_rate = self.rate / self.window_decim
            sig = self.channel(offset_hz, WINDOW_FLAT * window_rate / 2, self.window_decim)
            inner = analysis_decimation(window_rate)
            env, freq = _envelope_and_frequency(sig, window_rate, inner)
            rate = window_rate / inner
            channel_hz = self.rate
            spectrum_source = self.x
        else:
            env, freq = self._wide_series()
            rate = self.rate / self.decim
            channel_hz = self.rate
            spectrum_source = self.x
        freq_spectrum = periodogram(freq, rate)  # for the comb and the pilot
        line = _best_comb(env, freq, rate, freq_spectrum)
        if line is None and not narrow and self.window_decim > 1:
            # the window missed the carrier (detection centred a wide AM signal on its sound
            # carrier): the whole band's series, as a last resort
            wide_env, wide_freq = self._wide_series()
            line = _best_comb(wide_env, wide_freq, self.rate / self.decim)
        mag = np.sqrt(env)
        spread = float(mag.std() / mag.mean()) if mag.size and mag.mean() > 0 else 0.0
        spec_rate = rate if narrow else self.rate
        nfft = 1 << max(4, round(math.log2(spec_rate / SPECTRUM_BIN_HZ)))
        power = psd.welch(spectrum_source[: SPECTRUM_SEGMENTS * nfft], nfft)
        # bins relative to the emitter, inside the channel (narrow) or the window's flat part (wide)
        freqs = psd.bin_frequencies(nfft, spec_rate) - (0.0 if narrow else offset_hz)
        inside = np.abs(freqs) <= half if narrow else np.abs(freqs + offset_hz) <= 0.4 * self.rate
        bin_hz = spec_rate / nfft
        floor = float(np.percentile(power[inside], 10)) if noise_per_hz is None else noise_per_hz * bin_hz
        lo, hi, _ = occupied_band(power[inside], freqs[inside], 2.0 * floor)
        span = 0.5 * (bandwidth_hz or channel_hz)
        own = inside & (np.abs(freqs) <= 0.8 * span)
        return Features(
            seconds=self.seconds,
            channel_hz=channel_hz,
            line=line,
            bursts=bursts(env, rate),
            occupied_bandwidth_hz=hi - lo,
            flatness=flatness(power[own]),
            pilot_db=pilot_strength(freq, rate, freq_spectrum) if narrow else None,
            envelope_spread=spread,
        )


def _best_comb(
    envelope: np.ndarray, frequency: np.ndarray, rate: float, freq_spectrum: Periodogram | None = None
) -> LineComb | None:
    """The better of the combs on the envelope and on the discriminator, if either has one."""
    line = line_comb(envelope, rate, "envelope")
    by_freq = line_comb(frequency, rate, "frequency", freq_spectrum)
    if by_freq is not None and (line is None or _rank(by_freq) > _rank(line)):
        return by_freq
    return line


def _rank(comb: LineComb) -> tuple[bool, int, float]:
    return (comb.field_consistent, comb.harmonics, comb.strength_db)


def measure(samples: np.ndarray, rate_hz: float, offset_hz: float = 0.0, bandwidth_hz: float | None = None) -> Features:
    """Features of one emitter in a block of IQ (raw interleaved or complex)."""
    return Block(samples, rate_hz).measure(offset_hz, bandwidth_hz)
