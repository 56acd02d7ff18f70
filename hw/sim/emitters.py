"""Baseband synthesis of each emitter kind, as a receiver tuned ``offset_hz`` away would see it.

Every model returns complex64 samples normalised to unit power *over its whole bandwidth while
on*; :class:`hw.sim.radio.SimRadio` scales them to the scene's level. Signals reaching past the
receiver's window are rendered only where they fall inside it (subcarriers in the window, FM
samples gated by their instantaneous frequency, AM sidebands and recordings cut to the window in
the spectrum, narrow signals dropped once outside): what the tuner's filters leave. Nothing that
is outside the window ever wraps in at the other edge.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import cached_property

import numpy as np

from dsp import iq as iqmod
from hw import recording as recmod
from hw.errors import RecordingError, SceneError
from hw.sim import video
from hw.sim.scene import Emitter, Scene


def _passband_gate(freq: np.ndarray, fs: float) -> np.ndarray:
    """1 inside the receiver window, cosine taper to 0 at the edges (for FM gating)."""
    edge = np.abs(freq) / (fs / 2)
    return np.clip((1.0 - edge) / 0.1, 0.0, 1.0).astype(np.float32)


def _in_window(offset_hz: float, fs: float) -> bool:
    """A narrow signal at ``offset_hz`` is inside the receiver window (else the tuner removes it)."""
    return abs(offset_hz) < fs / 2


def _into_window(baseband: np.ndarray, t: np.ndarray, fs: float, offset_hz: float) -> np.ndarray:
    """``baseband`` (sampled at times ``t``) moved up by ``offset_hz``, keeping only what lands
    inside ±fs/2: what would cross the window's edge is removed by the tuner's filters, never
    wrapped to the other side. Inside the window it equals ``baseband * exp(2j pi offset t)``."""
    n = baseband.size
    shift = round(offset_hz * n / fs)
    spec = np.fft.fftshift(np.fft.fft(baseband))
    moved = np.zeros_like(spec)
    if abs(shift) < n:
        if shift >= 0:
            moved[shift:] = spec[: n - shift]
        else:
            moved[:shift] = spec[-shift:]
    residual = offset_hz - shift * fs / n
    t0 = t[0] if n else 0.0
    rotation = np.exp(2j * np.pi * (residual * (t - t0) + offset_hz * t0))
    return (np.fft.ifft(np.fft.ifftshift(moved)) * rotation).astype(np.complex64)


def _fm(inst_freq: np.ndarray, fs: float, phase0: float) -> np.ndarray:
    phase = phase0 + np.cumsum(inst_freq * (2 * np.pi / fs))
    return np.exp(1j * phase).astype(np.complex64)


def _bandlimited_noise(rng: np.random.Generator, n: int, fs: float, lo: float, hi: float) -> np.ndarray:
    """Real noise limited to ``lo``..``hi`` Hz, unit variance."""
    spec = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / fs)
    spec[(freqs < lo) | (freqs > hi)] = 0
    out = np.fft.irfft(spec, n)
    std = out.std()
    return out / std if std > 0 else out


class Model:
    """Base: an emitter's spectrum extent and its waveform."""

    #: bandwidth over which ``power_dbfs`` is the in-band level; 0 = narrow (level = total power)
    bandwidth_hz = 0.0

    def __init__(self, emitter: Emitter, scene: Scene, seed: int) -> None:
        self.emitter = emitter
        self.scene = scene
        self.rng = np.random.default_rng(seed)

    def extent(self) -> tuple[float, float]:
        half = max(self.bandwidth_hz, 50e3) / 2
        return self.emitter.freq_hz - half, self.emitter.freq_hz + half

    def render(self, t: np.ndarray, fs: float, offset_hz: float) -> np.ndarray:
        raise NotImplementedError


class Carrier(Model):
    def render(self, t, fs, offset_hz):
        if not _in_window(offset_hz, fs):
            return np.zeros(t.size, np.complex64)
        drift = np.cumsum(self.rng.standard_normal(t.size)) * 1e-3  # a little phase noise
        return np.exp(1j * (2 * np.pi * offset_hz * t + drift)).astype(np.complex64)


class AnalogVideo(Model):
    """A camera's video link: FM (deviation wider than the window) or negative/positive AM."""

    def __init__(self, emitter, scene, seed):
        super().__init__(emitter, scene, seed)
        self.standard = emitter.params["standard"]
        self.modulation = emitter.params["modulation"]
        self.deviation = float(emitter.params["deviation_hz"])
        self.bandwidth_hz = 2 * self.deviation if self.modulation == "fm" else 0.0
        self._phase = 0.0
        self.lit: Callable[[], bool] = lambda: False  # the LED ring's state; the radio wires it

    def extent(self):
        half = self.deviation if self.modulation == "fm" else 3e6
        return self.emitter.freq_hz - half - 0.3e6, self.emitter.freq_hz + half + 0.3e6

    def render(self, t, fs, offset_hz):
        level = video.composite(self.standard, t)
        if self.emitter.params["sees_device"] and self.lit():
            # the LED ring lights what the camera sees: its active picture brightens
            lifted = level > video.BLACK
            level[lifted] = np.minimum(
                level[lifted] + self.emitter.params["led_response"] * (video.WHITE - video.BLACK), video.WHITE
            )
        if self.modulation == "fm":
            # The modulator clamps the back porch: blanking sits on the carrier, peak white
            # reaches the full deviation and the sync tip swings the other way.
            k = self.deviation / (video.WHITE - video.BLACK)
            inst = offset_hz + k * (level - video.BLACK)
            out = _fm(inst, fs, self._phase) * _passband_gate(inst, fs)
            self._phase = float(np.angle(out[-1])) if out.size and abs(out[-1]) > 0 else self._phase
            return out
        # AM: PAL/NTSC use negative modulation (sync = full carrier); SECAM L is positive.
        envelope = 0.1 + 0.9 * level if self.standard == "SECAM" else 1.0 - 0.875 * level
        envelope = envelope / np.sqrt(np.mean(envelope**2))
        return _into_window(envelope.astype(np.complex64), t, fs, offset_hz)  # sidebands past the edge are cut


class FmBroadcast(Model):
    """Wideband FM: audio, 19 kHz stereo pilot and the 38 kHz L-R subcarrier, 75 kHz deviation."""

    bandwidth_hz = 200e3

    def render(self, t, fs, offset_hz):
        n = t.size
        mono = _bandlimited_noise(self.rng, n, fs, 50, 15e3)
        mpx = 0.4 * mono / 3
        if self.emitter.params["stereo"]:
            side = _bandlimited_noise(self.rng, n, fs, 50, 15e3)
            mpx = mpx + 0.1 * np.cos(2 * np.pi * 19e3 * t) + 0.3 * side / 3 * np.cos(2 * np.pi * 38e3 * t)
        baseband = _fm(75e3 * np.clip(mpx, -1, 1), fs, self.rng.uniform(0, 2 * np.pi))
        return _into_window(baseband, t, fs, offset_hz)


class Tdma(Model):
    """A GSM-like handset: GMSK-ish bursts in one or more slots of 4.615 ms frames."""

    def __init__(self, emitter, scene, seed):
        super().__init__(emitter, scene, seed)
        self.bandwidth_hz = float(emitter.params["bandwidth_hz"])
        self.frame_s = float(emitter.params["frame_s"])
        self.slots = int(emitter.params["slots"])
        self.offset_s = self.rng.uniform(0, self.frame_s)

    def render(self, t, fs, offset_hz):
        symbol_rate = self.bandwidth_hz * 1.354  # 270.833 kbit/s in a 200 kHz channel
        bits = self.rng.integers(0, 2, int(t.size * symbol_rate / fs) + 2) * 2 - 1
        k = np.minimum((np.arange(t.size) * symbol_rate / fs).astype(np.int64), bits.size - 1)
        inst = bits[k] * symbol_rate / 4  # MSK: h = 0.5
        slot_s = self.frame_s / 8
        within = np.mod(t - self.offset_s, self.frame_s)
        on = (within < slot_s * self.slots).astype(np.float32)
        return _into_window(_fm(inst, fs, 0.0) * on, t, fs, offset_hz)


class Lte(Model):
    """An LTE handset's uplink: SC-FDMA symbols (15 kHz subcarriers, 7 per 0.5 ms slot with the
    normal cyclic prefix, a constant-amplitude reference symbol mid-slot) in the 1 ms subframes
    the base station schedules it in; silent in the others."""

    _TS = 1.0 / 30.72e6  # LTE basic time unit
    _SYMBOL_TS = (2208, 2192, 2192, 2192, 2192, 2192, 2192)  # CP + 2048, first symbol's CP longer

    def __init__(self, emitter, scene, seed):
        super().__init__(emitter, scene, seed)
        self.bandwidth_hz = float(emitter.params["bandwidth_hz"])
        self.subcarriers = max(12, int(self.bandwidth_hz / 15e3) // 12 * 12)
        self.scheduled = self.rng.random(997) < float(emitter.params["load"])  # a 997 ms pattern
        starts = np.concatenate([[0], np.cumsum(self._SYMBOL_TS)])
        self._starts_s = starts * self._TS  # symbol starts within a slot
        self._cp_s = (np.array(self._SYMBOL_TS) - 2048) * self._TS

    def extent(self):
        half = self.bandwidth_hz / 2
        return self.emitter.freq_hz - half, self.emitter.freq_hz + half

    def render(self, t, fs, offset_hz):
        m = self.subcarriers
        freqs = offset_hz + (np.arange(m) - m / 2 + 0.5) * 15e3  # uplink: half-subcarrier shift
        slot_s = 0.5e-3
        slot = np.floor(t / slot_s).astype(np.int64)
        within = t - slot * slot_s
        symbol = np.clip(np.searchsorted(self._starts_s, within, side="right") - 1, 0, 6)
        ids = slot * 7 + symbol  # one id per SC-FDMA symbol; ``t`` increases, so ids come in runs
        bounds = np.concatenate([[0], np.flatnonzero(np.diff(ids)) + 1, [t.size]])
        unique = ids[bounds[:-1]]
        qpsk = (
            self.rng.integers(0, 2, (unique.size, m)) * 2 - 1 + 1j * (self.rng.integers(0, 2, (unique.size, m)) * 2 - 1)
        )
        coeffs = np.fft.fft(qpsk, axis=1) / (m * np.sqrt(2))  # DFT precoding (single-carrier-like), unit power
        reference = (unique % 7) == 3
        zc = np.exp(-1j * np.pi * 25 * np.arange(m) * (np.arange(m) + 1) / (m + 1))
        coeffs[reference] = zc / np.sqrt(m)
        coeffs[:, np.abs(freqs) >= fs / 2] = 0  # subcarriers past the window's edge: filtered out, not aliased
        # time since each sample's symbol's useful part began (the CP is the cyclic extension)
        useful_start = self._starts_s[symbol] + self._cp_s[symbol]
        tau = within - useful_start
        # Each symbol is sum_k c_k exp(2j pi f_k tau): with tau = tau0 + n / fs that is one small
        # matrix product per symbol against a shared table of exp(2j pi k 15 kHz n / fs).
        lengths = np.diff(bounds)
        spacing = (freqs - freqs[0])[None, :]
        first = tau[bounds[:-1]]
        table = np.exp(2j * np.pi * (np.arange(lengths.max()) / fs)[:, None] * spacing)
        blocks = (coeffs * np.exp(2j * np.pi * first[:, None] * spacing)) @ table.T
        row = np.repeat(np.arange(unique.size), lengths)
        out = blocks[row, np.arange(t.size) - np.repeat(bounds[:-1], lengths)] * np.exp(2j * np.pi * freqs[0] * tau)
        subframe = np.floor(t / 1e-3).astype(np.int64) % self.scheduled.size
        return (out * self.scheduled[subframe]).astype(np.complex64)


class Ofdm(Model):
    """DVB-T-like: random QPSK on a dense subcarrier raster with a 1/4 cyclic prefix."""

    def __init__(self, emitter, scene, seed):
        super().__init__(emitter, scene, seed)
        self.bandwidth_hz = float(emitter.params["bandwidth_hz"])

    def extent(self):
        half = self.bandwidth_hz / 2
        return self.emitter.freq_hz - half, self.emitter.freq_hz + half

    def render(self, t, fs, offset_hz):
        size = 2048
        guard = size // 4
        freqs = np.fft.fftfreq(size, 1 / fs)
        used = np.abs(freqs - offset_hz) <= self.bandwidth_hz / 2
        total_carriers = max(1, int(self.bandwidth_hz / (fs / size)))
        n_sym = t.size // (size + guard) + 2
        grid = np.zeros((n_sym, size), np.complex64)
        qpsk = (self.rng.integers(0, 2, (n_sym, int(used.sum()))) * 2 - 1) + 1j * (
            self.rng.integers(0, 2, (n_sym, int(used.sum()))) * 2 - 1
        )
        grid[:, used] = qpsk / np.sqrt(2)
        symbols = np.fft.ifft(grid, axis=1) * (size / np.sqrt(total_carriers))
        with_guard = np.concatenate([symbols[:, -guard:], symbols], axis=1).reshape(-1)
        start = int(self.rng.integers(0, size + guard))
        return with_guard[start : start + t.size].astype(np.complex64)


class Burst(Model):
    """An OOK remote or sensor: a keyed carrier for ``burst_s`` every ``period_s``."""

    def __init__(self, emitter, scene, seed):
        super().__init__(emitter, scene, seed)
        self.period = float(emitter.params["period_s"])
        self.burst = float(emitter.params["burst_s"])
        self.symbol = float(emitter.params["symbol_s"])
        self.phase_s = self.rng.uniform(0, self.period)
        self.pattern = self.rng.integers(0, 2, 256).astype(np.float32)
        self.pattern[::3] = 1.0

    def render(self, t, fs, offset_hz):
        within = np.mod(t - self.phase_s, self.period)
        symbol = np.minimum((within / self.symbol).astype(np.int64), self.pattern.size - 1)
        on = (within < self.burst) * self.pattern[symbol]
        if not _in_window(offset_hz, fs):
            return np.zeros(t.size, np.complex64)
        return (on * np.exp(2j * np.pi * offset_hz * t)).astype(np.complex64)


class Recording(Model):
    """A real capture played at the emitter's frequency, as a receiver window sees it.

    The loop's spectrum is taken once; a window at ``offset_hz`` from the recording's centre and
    ``fs`` wide is the slice of that spectrum the window covers, moved to its place and inverse
    transformed at ``fs`` (same bin spacing, so the loop stays a loop). Nothing outside the window
    wraps in, and a recording wider than the window (a 16 MS/s hacktv render) can be retuned
    across. ``render`` depends only on (offset, rate, time span): a stream can call it per buffer.
    """

    CACHED_WINDOWS = 6  # a sweep's hops over a wide recording, and the looks at it

    def __init__(self, emitter, scene, seed):
        super().__init__(emitter, scene, seed)
        params = emitter.params
        path = scene.resolve(params["path"])
        try:
            rec = recmod.load(path, fmt=params["format"], rate_hz=params["rate_hz"])
        except RecordingError as exc:
            raise SceneError(f"recording emitter {params['path']!r}: {exc}") from None
        self.source_rate = rec.rate_hz
        self.samples = iqmod.remove_dc(iqmod.to_complex(np.asarray(rec.raw)))
        self._windows: OrderedDict[tuple[float, int], np.ndarray] = OrderedDict()

    def extent(self):
        half = self.source_rate / 2
        return self.emitter.freq_hz - half, self.emitter.freq_hz + half

    @cached_property
    def _peak_power(self) -> float:
        """Loudest 1 ms mean power (a running sum: a convolution is too slow at 16 MS/s)."""
        width = max(1, int(self.source_rate * 1e-3))
        total = np.concatenate([[0.0], np.cumsum(np.abs(self.samples) ** 2, dtype=np.float64)])
        smooth = (total[width:] - total[:-width]) / width
        return float(smooth.max()) if smooth.size and smooth.max() > 0 else 1.0

    @cached_property
    def _spectrum(self) -> np.ndarray:
        return np.fft.fft(self.samples).astype(np.complex64)

    @property
    def _bin_hz(self) -> float:
        return self.source_rate / self.samples.size

    def window(self, fs: float, shift_bins: int) -> np.ndarray:
        """The whole loop at ``fs``, moved up by ``shift_bins`` source bins, limited to ±fs/2."""
        key = (fs, shift_bins)
        if key in self._windows:
            self._windows.move_to_end(key)
            return self._windows[key]
        n = self.samples.size
        m = max(1, round(n * fs / self.source_rate))
        spec = iqmod.retuned_spectrum(self._spectrum, m, shift_bins)
        loop = np.fft.ifft(spec) * (m / n / np.sqrt(self._peak_power))
        self._windows[key] = loop.astype(np.complex64)
        while len(self._windows) > self.CACHED_WINDOWS:
            self._windows.popitem(last=False)
        return self._windows[key]

    def render(self, t, fs, offset_hz):
        shift = round(offset_hz / self._bin_hz)
        residual = offset_hz - shift * self._bin_hz  # under half a bin: a slow rotation, continuous in t
        loop = self.window(fs, shift)
        start = round(t[0] * fs) if t.size else 0
        index = (start + np.arange(t.size)) % loop.size
        return (loop[index] * np.exp(2j * np.pi * residual * t)).astype(np.complex64)


MODELS: dict[str, type[Model]] = {
    "carrier": Carrier,
    "analog-video": AnalogVideo,
    "fm-broadcast": FmBroadcast,
    "tdma": Tdma,
    "lte": Lte,
    "ofdm": Ofdm,
    "burst": Burst,
    "recording": Recording,
}


def build(scene: Scene, seed: int = 0) -> list[Model]:
    """One model per scene emitter, each with its own reproducible random stream."""
    return [MODELS[e.kind](e, scene, seed * 1000 + i) for i, e in enumerate(scene.emitters)]
