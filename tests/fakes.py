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
    instances: ClassVar[list] = []

    def __init__(self, device_index=0):
        if not self.present:
            raise FakeLibUSBError(-1, "Could not open SDR (device index = 0)")
        self.valid_gains_db = [0.0, 9.7, 19.7, 29.7, 40.2, 49.6]
        self.sample_rate = 0.0
        self.center_freq = 0.0
        self.gain = None
        self.freq_correction = 0
        self.reads = []
        self.closed = False
        FakeRtlSdr.instances.append(self)

    def read_bytes(self, num_bytes):
        troubled = self.trouble_after is None or len(self.reads) >= self.trouble_after
        if troubled and self.hang_reads:
            threading.Event().wait(30)
        if troubled and self.gone_reads:
            raise FakeLibUSBError(-4, f"Could not read {num_bytes} bytes")  # LIBUSB_ERROR_NO_DEVICE
        n = num_bytes // 2 if troubled and self.short_reads else num_bytes
        self.reads.append((self.center_freq, num_bytes))
        buf = (np.ctypeslib.ctypes.c_ubyte * n)()
        for i in range(0, n, 2):
            buf[i] = 127
        return buf

    def close(self):
        self.closed = True


@pytest.fixture
def fake_rtlsdr(monkeypatch):
    """Install FakeRtlSdr as ``rtlsdr``; class attributes steer its failures."""
    module = types.SimpleNamespace(RtlSdr=FakeRtlSdr, LibUSBError=FakeLibUSBError)
    monkeypatch.setitem(sys.modules, "rtlsdr", module)
    FakeRtlSdr.present, FakeRtlSdr.hang_reads, FakeRtlSdr.short_reads = True, False, False
    FakeRtlSdr.gone_reads, FakeRtlSdr.trouble_after = False, None
    FakeRtlSdr.instances = []
    return FakeRtlSdr
