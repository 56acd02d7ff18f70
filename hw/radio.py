"""Radios: the ``Radio`` protocol, the RTL-SDR driver and a replay of recordings.

A radio tunes to a centre frequency and hands back raw interleaved uint8 I/Q, exactly what an
RTL-SDR's ADC produces, so the simulated and replayed radios exercise the same DSP path as the
real one. The simulated radio lives in :mod:`hw.sim.radio`.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from dsp import iq as iqmod
from dsp import plan as planmod
from hw.errors import RadioLost, RadioUnavailable, TuneError
from hw.recording import Recording

#: What the R820T/R820T2/R828D (the tuners in nearly every RTL-SDR sold today) reach. The one
#: statement of it: plans (``dsp.plan.make_plan``), settings, the CLI and the API schema read it here.
TUNER_RANGE_HZ: tuple[float, float] = (24e6, 1766e6)
STREAM_BUFFER_SAMPLES = 16384  # asynchronous read buffers of 6.8 ms at 2.4 MS/s
STREAM_QUEUED_BUFFERS = 15  # librtlsdr's default number of transfers in flight


@runtime_checkable
class Radio(Protocol):
    """What the sweep needs from a receiver."""

    sample_rate: float
    center_hz: float

    @property
    def gain(self) -> float | str: ...

    @property
    def tuning_range(self) -> tuple[float, float]: ...

    def tune(self, hz: float) -> None:
        """Retune; samples read afterwards are from the new frequency (stale ones discarded)."""

    def read(self, n: int) -> np.ndarray:
        """Read ``n`` complex samples as 2*n interleaved uint8 values."""

    def stream(self, tunings: Sequence[float], samples_each: int) -> list[StreamPart]:
        """One continuous sample stream visiting ``tunings`` in turn, ``samples_each`` at each
        (what a stitched picture needs: one sample clock over every tuning)."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class StreamPart:
    """One tuning's samples out of a continuous stream.

    ``start`` is the index of the first sample in the stream's own clock: the samples a retune
    costs are dropped but counted (``dropped``), so the clock runs on unbroken across tunings.
    """

    tuned_hz: float
    start: int
    raw: np.ndarray  # interleaved uint8, 2 * samples
    dropped: int


def refuse_untunable(hz: float, tuning_range: tuple[float, float], tuner: str = "the RTL-SDR") -> None:
    """:class:`TuneError` for a frequency the tuner cannot reach (``dsp.plan.check_tunable``'s reason)."""
    try:
        planmod.check_tunable(((hz, hz),), tuning_range, tuner)
    except ValueError as exc:
        raise TuneError(str(exc)) from None


class _GuardedCaller:
    """Runs blocking driver calls on one daemon thread and gives up after a timeout.

    librtlsdr's synchronous read has no timeout and can block forever when the dongle is pulled;
    the appliance must notice (and the systemd watchdog must keep being fed), so every call into
    the driver goes through here. After a timeout the worker is abandoned (it is a daemon thread)
    and the caller is poisoned: the radio has to be reopened.
    """

    def __init__(self, name: str) -> None:
        self._requests: queue.Queue[tuple[Callable[[], Any], queue.Queue] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()
        self.poisoned = False

    def _serve(self) -> None:
        while True:
            item = self._requests.get()
            if item is None:
                return
            func, reply = item
            try:
                reply.put((True, func()))
            except BaseException as exc:  # handed back to the caller's thread
                reply.put((False, exc))

    def call(self, func: Callable[[], Any], timeout_s: float, what: str) -> Any:
        if self.poisoned:
            raise RadioLost(f"radio stopped answering earlier ({what} refused); reopen it")
        reply: queue.Queue = queue.Queue(maxsize=1)
        self._requests.put((func, reply))
        try:
            ok, value = reply.get(timeout=timeout_s)
        except queue.Empty:
            self.poisoned = True
            raise RadioLost(f"radio did not answer within {timeout_s:g} s ({what}): unplugged or hung?") from None
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        if not self.poisoned:
            self._requests.put(None)


def _import_rtlsdr() -> Any:
    try:
        import rtlsdr  # vendor library, imported only when real hardware is wanted
    except ImportError as exc:
        raise RadioUnavailable(
            f"pyrtlsdr is not usable here ({exc}); install the Pi extra: pip install 'roomsweep[pi]'"
        ) from None
    except (OSError, AttributeError) as exc:  # librtlsdr missing or too old (no rtlsdr_set_dithering)
        raise RadioUnavailable(f"librtlsdr could not be loaded ({exc}); see DEVELOPERS.md") from None
    return rtlsdr


def rtlsdr_devices() -> list[str]:
    """Names of the RTL-SDR dongles librtlsdr can see (without opening them)."""
    _import_rtlsdr()
    from rtlsdr.librtlsdr import librtlsdr as lib  # the loaded C library, typed by pyrtlsdr

    count = int(lib.rtlsdr_get_device_count())
    return [lib.rtlsdr_get_device_name(i).decode(errors="replace") for i in range(count)]


class RtlSdrRadio:
    """An RTL-SDR dongle through pyrtlsdr's synchronous API, with every call time-guarded."""

    tuning_range = TUNER_RANGE_HZ

    def __init__(
        self,
        *,
        device_index: int = 0,
        sample_rate: float = 2.4e6,
        gain: float | str = "auto",
        ppm: int = 0,
        settle_samples: int = 4096,
        timeout_s: float = 2.0,
    ) -> None:
        self.sample_rate = float(sample_rate)
        self.center_hz = 0.0
        self.settle_samples = settle_samples
        # a retune mid-stream: librtlsdr's 15 queued buffers, then the PLL's settling
        self.stream_settle_samples = STREAM_QUEUED_BUFFERS * STREAM_BUFFER_SAMPLES + settle_samples
        self.timeout_s = timeout_s
        self._gain: float | str = gain
        self._vendor = _import_rtlsdr()
        self._caller = _GuardedCaller("rtlsdr-io")
        self._device: Any = None
        try:
            self._device = self._caller.call(lambda: self._vendor.RtlSdr(device_index), timeout_s, "open")
            self._configure(gain, ppm)
        except RadioLost as exc:
            raise RadioUnavailable(f"RTL-SDR #{device_index} did not open: {exc}") from None
        except (OSError, ValueError) as exc:
            self._close_quietly()
            raise RadioUnavailable(
                f"no usable RTL-SDR #{device_index} ({exc}); plugged in? claimed by the DVB-T driver "
                "(dvb_usb_rtl28xxu) or another program?"
            ) from None

    def _configure(self, gain: float | str, ppm: int) -> None:
        dev = self._device

        def setup() -> None:
            dev.sample_rate = self.sample_rate
            if ppm:
                dev.freq_correction = int(ppm)
            dev.gain = gain if gain == "auto" else self._nearest_gain(float(gain))

        self._caller.call(setup, self.timeout_s, "configure")
        self._gain = gain if gain == "auto" else self._nearest_gain(float(gain))

    def _nearest_gain(self, gain_db: float) -> float:
        valid = list(getattr(self._device, "valid_gains_db", []) or [])
        return min(valid, key=lambda g: abs(g - gain_db)) if valid else gain_db

    @property
    def gain(self) -> float | str:
        return self._gain

    def tune(self, hz: float) -> None:
        refuse_untunable(hz, self.tuning_range)
        dev = self._device

        def retune() -> None:
            dev.center_freq = float(hz)
            if self.settle_samples:
                dev.read_bytes(2 * self.settle_samples)  # stale samples from before the retune

        self._io(retune, "tune")
        self.center_hz = float(hz)

    def read(self, n: int) -> np.ndarray:
        dev = self._device
        data = self._io(lambda: np.ctypeslib.as_array(dev.read_bytes(2 * n)).copy(), "read")
        if data.size != 2 * n:
            raise RadioLost(f"short read: asked for {n} samples, got {data.size // 2}")
        return data

    def stream(self, tunings: Sequence[float], samples_each: int) -> list[StreamPart]:
        """librtlsdr's asynchronous read, retuned between buffers from its callback.

        The buffers already queued when a retune is asked for hold the old frequency: they and
        the PLL's settling (``stream_settle_samples``) are dropped and counted.
        """
        for hz in tunings:
            refuse_untunable(hz, self.tuning_range)
        dev = self._device
        settle = self.stream_settle_samples
        parts: list[StreamPart] = []

        def collect() -> None:
            clock = index = got = dropped = start = 0
            pieces: list[np.ndarray] = []
            to_drop = settle
            dev.center_freq = float(tunings[0])

            def on_buffer(buffer: Any, _context: Any) -> None:
                nonlocal clock, index, got, to_drop, dropped, start
                if index == len(tunings):
                    return  # buffers still arriving after the cancel
                data = np.ctypeslib.as_array(buffer)
                n = data.size // 2
                skip = min(n, to_drop)
                to_drop -= skip
                dropped += skip
                take = min(n - skip, samples_each - got)
                if take > 0:
                    if got == 0:
                        start = clock + skip
                    pieces.append(data[2 * skip : 2 * (skip + take)].copy())
                    got += take
                    if got == samples_each:
                        parts.append(StreamPart(float(tunings[index]), start, np.concatenate(pieces), dropped))
                        pieces.clear()
                        got, dropped, to_drop = 0, 0, settle
                        index += 1
                        if index == len(tunings):
                            dev.cancel_read_async()
                        else:
                            dev.center_freq = float(tunings[index])
                            dropped = n - skip - take  # the rest of this buffer is from before the retune
                clock += n

            dev.read_bytes_async(on_buffer, 2 * STREAM_BUFFER_SAMPLES)

        seconds = len(tunings) * (samples_each + settle) / self.sample_rate
        try:
            self._caller.call(collect, self.timeout_s + 2 * seconds, "stream")
        except RadioLost:
            raise
        except (OSError, ValueError, AttributeError) as exc:
            raise RadioLost(f"RTL-SDR stream failed: {exc}") from None
        if len(parts) != len(tunings):
            raise RadioLost(f"stream ended after {len(parts)} of {len(tunings)} tunings")
        self.center_hz = float(tunings[-1])
        return parts

    def _io(self, func: Callable[[], Any], what: str) -> Any:
        try:
            return self._caller.call(func, self.timeout_s, what)
        except RadioLost:
            raise
        except (OSError, ValueError, AttributeError) as exc:  # LibUSBError is an IOError
            raise RadioLost(f"RTL-SDR {what} failed: {exc}") from None

    def _close_quietly(self) -> None:
        if self._device is not None and not self._caller.poisoned:
            # closing a dead device may fail in many ways; there is nothing left to save
            with contextlib.suppress(Exception):
                self._caller.call(self._device.close, 1.0, "close")
        self._device = None

    def close(self) -> None:
        self._close_quietly()
        self._caller.stop()


class ReplayRadio:
    """A recording played back as a radio fixed to the recording's band.

    Tuning anywhere inside the recorded band shifts the recording digitally so the requested
    frequency sits at DC, which is all a receiver parked on that band could show.
    """

    def __init__(self, recording: Recording, *, loop: bool = True) -> None:
        self.recording = recording
        self.sample_rate = recording.rate_hz
        self._base_hz = recording.center_hz or 0.0
        self.center_hz = self._base_hz
        self.loop = loop
        self._position = 0
        self._clock = 0  # samples played or skipped: the stream's clock

    @property
    def gain(self) -> float | str:
        return "recorded"

    @property
    def tuning_range(self) -> tuple[float, float]:
        half = self.sample_rate / 2
        return self._base_hz - half, self._base_hz + half

    def tune(self, hz: float) -> None:
        refuse_untunable(hz, self.tuning_range, "the recording")
        self.center_hz = float(hz)

    def read(self, n: int) -> np.ndarray:
        total = self.recording.n_samples
        if not self.loop and self._position + n > total:
            raise RadioLost(f"recording {self.recording.path.name} ended")
        index = (self._position + np.arange(n)) % total
        start = self._position
        self._position = (self._position + n) % total
        self._clock += n
        pairs = self.recording.raw.reshape(-1, 2)[index]
        if self.recording.format == "cu8" and self.center_hz == self._base_hz:
            return np.ascontiguousarray(pairs).reshape(-1)
        samples = iqmod.to_complex(pairs.reshape(-1))
        shift = self.center_hz - self._base_hz
        if shift:
            t = (start + np.arange(n)) / self.sample_rate
            samples = samples * np.exp(-2j * np.pi * shift * t).astype(np.complex64)
        return iqmod.to_cu8(samples)

    def stream(self, tunings: Sequence[float], samples_each: int, settle: int = 4096) -> list[StreamPart]:
        """The recording played on, retuned digitally; ``settle`` samples skipped at each retune."""
        parts = []
        for hz in tunings:
            self.tune(hz)
            self._position = (self._position + settle) % self.recording.n_samples
            self._clock += settle
            start = self._clock
            raw = self.read(samples_each)
            parts.append(StreamPart(float(hz), start, raw, settle))
        return parts

    def close(self) -> None:
        """Nothing to release: the recording is memory-mapped read-only."""
