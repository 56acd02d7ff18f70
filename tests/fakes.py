"""Fakes at the vendor boundary: a pyrtlsdr stand-in, injected as the ``rtlsdr`` module."""

from __future__ import annotations

import sys
import threading
import types
from typing import ClassVar

import numpy as np
import pytest


class FakeLibUSBError(OSError):
    pass


class FakeRtlSdr:
    """Behaves like pyrtlsdr's RtlSdr; class attributes steer the failure being tested."""

    present = True
    hang_reads = False
    short_reads = False
    gone_reads = False
    trouble_after: int | None = None  # the failure starts after this many reads (None: at once)
    noise_rms = 0.0  # > 0: reads give receiver noise of this RMS (in ADC steps), else a constant
    unlocked: ClassVar[dict[float, int]] = {}  # frequency -> how many tunes there fail to lock (ADC noise only)
    instances: ClassVar[list] = []

    def __init__(self, device_index=0):
        if not self.present:
            raise FakeLibUSBError(-1, "Could not open SDR (device index = 0)")
        self.valid_gains_db = [0.0, 9.7, 19.7, 29.7, 40.2, 49.6]
        self.sample_rate = 0.0
        self.locked = True
        self._center_freq = 0.0
        self.gain = None
        self.freq_correction = 0
        self.reads = []
        self.closed = False
        FakeRtlSdr.instances.append(self)

    @property
    def center_freq(self):
        return self._center_freq

    @center_freq.setter
    def center_freq(self, hz):
        """Like an R820T whose PLL sometimes fails to lock: librtlsdr says nothing."""
        self._center_freq = hz
        failing = next((f for f in self.unlocked if abs(f - hz) < 1e3 and self.unlocked[f] > 0), None)
        self.locked = failing is None
        if failing is not None:
            self.unlocked[failing] -= 1

    def read_bytes(self, num_bytes):
        troubled = self.trouble_after is None or len(self.reads) >= self.trouble_after
        if troubled and self.hang_reads:
            threading.Event().wait(30)
        if troubled and self.gone_reads:
            raise FakeLibUSBError(-4, f"Could not read {num_bytes} bytes")  # LIBUSB_ERROR_NO_DEVICE
        n = num_bytes // 2 if troubled and self.short_reads else num_bytes
        self.reads.append((self.center_freq, num_bytes))
        buf = (np.ctypeslib.ctypes.c_ubyte * n)()
        samples = np.ctypeslib.as_array(buf)
        if self.noise_rms > 0:  # receiver noise, or only the ADC's own when the PLL did not lock
            rms = self.noise_rms if self.locked else 0.3
            samples[:] = np.clip(np.rint(127.4 + np.random.default_rng().normal(0, rms, n)), 0, 255)
        else:
            samples[0::2] = 127
        return buf

    def read_bytes_async(self, callback, num_bytes, context=None):
        """Buffers of a counter (sample k holds k mod 256 in I) until ``cancel_read_async``;
        records the tuning each buffer was delivered at."""
        self.async_buffers = []
        self._cancelled = False
        k = 0
        while not self._cancelled:
            buf = (np.ctypeslib.ctypes.c_ubyte * num_bytes)()
            samples = np.ctypeslib.as_array(buf)
            samples[0::2] = (k + np.arange(num_bytes // 2)) % 256
            self.async_buffers.append(self.center_freq)
            k += num_bytes // 2
            callback(buf, context)

    def cancel_read_async(self):
        self._cancelled = True

    def close(self):
        self.closed = True


@pytest.fixture
def fake_rtlsdr(monkeypatch):
    """Install FakeRtlSdr as ``rtlsdr``; class attributes steer its failures."""
    module = types.SimpleNamespace(RtlSdr=FakeRtlSdr, LibUSBError=FakeLibUSBError)
    monkeypatch.setitem(sys.modules, "rtlsdr", module)
    FakeRtlSdr.present, FakeRtlSdr.hang_reads, FakeRtlSdr.short_reads = True, False, False
    FakeRtlSdr.gone_reads, FakeRtlSdr.trouble_after = False, None
    FakeRtlSdr.noise_rms, FakeRtlSdr.unlocked = 0.0, {}
    FakeRtlSdr.instances = []
    return FakeRtlSdr


# --- picamera2 -------------------------------------------------------------------------------------


class FakeRequest:
    def __init__(self, cam, metadata, frame):
        self.cam, self.metadata, self.frame = cam, metadata, frame
        self.released = False

    def get_metadata(self):
        return dict(self.metadata)

    def make_array(self, name):
        assert name == "main"
        return self.frame.copy()

    def release(self):
        self.released = True


class FakePicamera2:
    """Just enough of picamera2.Picamera2, recording how it was driven."""

    cameras: ClassVar[list] = [{"Model": "imx219", "Num": 0}]
    open_error: BaseException | None = None
    instances: ClassVar[list] = []

    def __init__(self, camera_num=0, tuning=None):
        if self.open_error is not None:
            raise self.open_error
        self.camera_num = camera_num
        self.config = None
        self.controls = {}
        self.started = self.closed = False
        self.flushes = []
        self.queue = []  # (metadata, frame) to hand out, or an exception to raise
        self.requests = []
        FakePicamera2.instances.append(self)

    @staticmethod
    def global_camera_info():
        return list(FakePicamera2.cameras)

    def create_video_configuration(self, main, buffer_count, controls):
        return {"main": main, "buffer_count": buffer_count, "controls": controls}

    def configure(self, config):
        self.config = config
        self.controls.update(config["controls"])

    def start(self):
        self.started = True

    def set_controls(self, controls):
        self.controls.update(controls)

    def capture_request(self, wait=None, flush=None):
        self.flushes.append((wait, flush))
        item = self.queue.pop(0)
        if isinstance(item, BaseException):
            raise item
        request = FakeRequest(self, *item)
        self.requests.append(request)
        return request

    def close(self):
        self.closed = True


@pytest.fixture
def picamera2(monkeypatch):
    """Install FakePicamera2 as ``picamera2``: set ``open_error`` or queue frames per test."""
    module = types.ModuleType("picamera2")
    FakePicamera2.cameras = [{"Model": "imx219", "Num": 0}]
    FakePicamera2.open_error = None
    FakePicamera2.instances = []
    module.Picamera2 = FakePicamera2
    monkeypatch.setitem(sys.modules, "picamera2", module)
    return FakePicamera2
