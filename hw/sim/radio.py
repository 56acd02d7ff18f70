"""SimRadio: an RTL-SDR twin that renders a scene for whatever centre it is tuned to.

It returns uint8 I/Q like the real dongle (receiver noise, the emitters inside the window, the
tuner's edge roll-off, the DC spike, 8-bit quantisation) and charges the time a real retune and
read would take. ``time_scale`` = 1 sleeps that long (the demo feels like a real sweep); 0 only
books it in ``modelled_time_s`` so tests run fast.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from dsp import iq as iqmod
from dsp import psd
from hw.errors import BadInputError
from hw.radio import TUNER_RANGE_HZ, StreamPart, refuse_untunable
from hw.sim import emitters as models
from hw.sim.scene import Scene

REFERENCE_RBW_HZ = 2.4e6 / 256  # scene levels are dBFS per bin of this width
RENDER_CHUNK = 1 << 18  # long reads are rendered in pieces: bounded memory on a 1 GB Pi
TIME_SCALE_ENV = "ROOMSWEEP_SIM_TIME_SCALE"


@dataclass(frozen=True)
class Latency:
    """What a real R820T dongle costs, from librtlsdr behaviour (see DEVELOPERS.md)."""

    retune_s: float = 0.005  # PLL programming over USB control transfers, lock check
    settle_samples: int = 4096  # stale samples in the USB pipeline, read and thrown away
    read_overhead_s: float = 0.0003  # per bulk read call


def time_scale_from_env(default: float = 1.0) -> float:
    """``ROOMSWEEP_SIM_TIME_SCALE`` (0 = instant, 1 = real time), for tests and demos."""
    raw = os.environ.get(TIME_SCALE_ENV)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadInputError(f"{TIME_SCALE_ENV} must be a number, got {raw!r}") from None
    if not 0 <= value < float("inf"):
        raise BadInputError(f"{TIME_SCALE_ENV} must be a number >= 0, got {raw!r}")
    return value


class SimRadio:
    """The simulated receiver. Same protocol as :class:`hw.radio.RtlSdrRadio`."""

    tuning_range = TUNER_RANGE_HZ

    def __init__(
        self,
        scene: Scene,
        *,
        sample_rate: float = 2.4e6,
        gain: float | str = "auto",
        latency: Latency | None = None,
        time_scale: float | None = None,
        seed: int = 0,
        lit: Callable[[], bool] | None = None,
    ) -> None:
        self.scene = scene
        self.sample_rate = float(sample_rate)
        self.center_hz = 100e6
        self.latency = latency or Latency()
        self._clock = 0  # samples since the radio started; signals evolve with it
        self._streaming = False
        self.time_scale = time_scale_from_env() if time_scale is None else time_scale
        self.modelled_time_s = 0.0
        self._gain = gain
        self._rng = np.random.default_rng(seed)
        self._models = models.build(scene, seed)
        if lit is not None:  # simulated cameras see the rig's LED ring
            for model in self._models:
                if isinstance(model, models.AnalogVideo):
                    model.lit = lit
        self._wall_due = time.monotonic()
        self._dc = complex(0.012, -0.008)  # LO leakage, a few LSB like a real dongle
        self.closed = False

    @property
    def gain(self) -> float | str:
        return self._gain

    @property
    def sim_time_s(self) -> float:
        """Simulation time: what the emitters' clocks read."""
        return self._clock / self.sample_rate

    @property
    def time_scale(self) -> float:
        """Wall seconds per simulated second (0: as fast as the CPU renders)."""
        return self._time_scale

    @time_scale.setter
    def time_scale(self, value: float) -> None:
        self._time_scale = float(value)
        self._wall_ref = (time.monotonic(), self._clock)

    def _catch_up(self) -> None:
        """In real time the room does not wait between reads: an idle gap is time the emitters lived too
        (a walk towards a camera raises its level per second walked, not per sample read)."""
        if self._time_scale > 0 and not self._streaming:
            wall0, clock0 = self._wall_ref
            due = clock0 + round((time.monotonic() - wall0) / self._time_scale * self.sample_rate)
            self._clock = max(self._clock, due)

    def _spend(self, seconds: float, began: float | None = None) -> None:
        """Book radio time; in real-time mode wait until it has passed on the wall clock.

        ``began`` is when the operation started: rendering the samples overlaps the time a real
        dongle would take to deliver them.
        """
        self.modelled_time_s += seconds
        self._clock += round(seconds * self.sample_rate)
        if self.time_scale > 0:
            now = time.monotonic()
            start = began if began is not None else now
            self._wall_due = max(self._wall_due, start) + seconds * self.time_scale
            delay = self._wall_due - now
            if delay > 0:
                time.sleep(delay)

    def tune(self, hz: float) -> None:
        refuse_untunable(hz, self.tuning_range)
        self.center_hz = float(hz)
        settle = self.latency.settle_samples / self.sample_rate
        self._spend(self.latency.retune_s + settle + self.latency.read_overhead_s)

    def read(self, n: int) -> np.ndarray:
        if n <= 0:
            raise ValueError(f"read size must be positive, got {n}")
        self._catch_up()
        began = time.monotonic()
        out = np.empty(2 * n, dtype=np.uint8)
        for start in range(0, n, RENDER_CHUNK):
            count = min(RENDER_CHUNK, n - start)
            out[2 * start : 2 * (start + count)] = iqmod.to_cu8(self.render(self.center_hz, self._clock + start, count))
        self._spend(n / self.sample_rate + self.latency.read_overhead_s, began)
        return out

    def stream(self, tunings: Sequence[float], samples_each: int) -> list[StreamPart]:
        """A continuous stream: each retune books its settling time on the simulated clock."""
        parts = []
        self._catch_up()
        end = self._clock  # the last sample delivered (a read's overhead is clock time too)
        self._streaming = True  # one sample clock: no gap but the retunes'
        try:
            for hz in tunings:
                self.tune(hz)
                start = self._clock
                parts.append(StreamPart(float(hz), start, self.read(samples_each), start - end))
                end = start + samples_each
        finally:
            self._streaming = False
        return parts

    def render(self, center_hz: float, start_sample: int, n: int) -> np.ndarray:
        """Complex full-scale samples the ADC would see, before quantisation."""
        fs = self.sample_rate
        t = (start_sample + np.arange(n)) / fs
        noise_power = (
            10 ** (self.scene.noise_floor_dbfs / 10) * (fs / REFERENCE_RBW_HZ) / (psd.noise_bin_gain(256) * 256)
        )
        x = np.empty(n, dtype=np.complex64)
        x.real = self._rng.standard_normal(n, dtype=np.float32)
        x.imag = self._rng.standard_normal(n, dtype=np.float32)
        x *= np.float32(np.sqrt(noise_power / 2))
        lo, hi = center_hz - fs / 2, center_hz + fs / 2
        ref_bin_power = psd.noise_bin_gain(256) * 256 * REFERENCE_RBW_HZ  # Hz of flat signal per bin level
        now = start_sample / fs
        for model in self._models:
            e_lo, e_hi = model.extent()
            if e_hi < lo or e_lo > hi:
                continue
            level = 10 ** (model.emitter.power_at(now) / 10)
            total = level * max(1.0, model.bandwidth_hz / ref_bin_power)
            x += np.sqrt(total) * model.render(t, fs, model.emitter.freq_hz - center_hz)
        x = _rolloff(x, fs)
        wander = 0.002 * np.sin(2 * np.pi * 3.0 * t[0])
        x += np.complex64(self._dc + wander)
        return x

    def close(self) -> None:
        self.closed = True


def tuner_response(freqs_hz: np.ndarray, fs: float) -> np.ndarray:
    """Amplitude response of the tuner IF filter and RTL2832 decimator at baseband frequencies:
    flat to 80 % of Nyquist, then a raised-cosine slope to -25 dB at the window's edge."""
    edge = np.abs(freqs_hz) / (fs / 2)
    taper = np.clip((edge - 0.8) / 0.2, 0.0, 1.0)
    gain_db = -25.0 * (1 - np.cos(np.pi * taper)) / 2
    return (10 ** (gain_db / 20)).astype(np.float32)


def _rolloff(x: np.ndarray, fs: float) -> np.ndarray:
    spec = np.fft.fft(x)
    spec *= tuner_response(np.fft.fftfreq(x.size, 1 / fs), fs)
    return np.fft.ifft(spec).astype(np.complex64)
