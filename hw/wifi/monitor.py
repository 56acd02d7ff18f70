"""``MonitorCapture``: a USB Wi-Fi adapter in monitor mode, read headers-only from an AF_PACKET socket.

How: ``iw phy PHY interface add rsmon0 type monitor`` beside the adapter's own interface (which is taken
down so nothing else hops its channel; NetworkManager leaves the adapter unmanaged, see systemd/), the
channel set with ``iw dev rsmon0 set freq``; an AF_PACKET socket bound to rsmon0 with a classic BPF filter
that drops control frames (ACK/CTS/BlockAck: the bulk of a busy channel, no transmitter to learn) in the
kernel; each frame is received into a 256-byte slot with ``MSG_TRUNC``, so the call returns the frame's
wire length while only its radiotap + MAC header is copied out — payloads never reach user space.
The socket's timestamps (``SO_TIMESTAMPNS``) are the capture clock. Receive only: nothing is sent.
Needs CAP_NET_RAW (the socket) and CAP_NET_ADMIN (the interface); the service has both as ambient caps.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from dsp import dot11
from dsp import frames as fr
from hw.errors import ChannelRefused, WifiLost, WifiNoMonitor, WifiUnavailable
from hw.wifi import CHANNELS_5_MHZ, CHANNELS_24_MHZ, AdapterInfo
from hw.wifi import iw as iwmod

log = logging.getLogger(__name__)

MONITOR_INTERFACE = "rsmon0"
SLOT = 256  # bytes kept of each frame: radiotap (≤ ~100 with several antennas) + the 802.11 header
BATCH = 4096  # frames parsed together
ETH_P_ALL = 0x0003
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
SO_ATTACH_FILTER = getattr(socket, "SO_ATTACH_FILTER", 26)
_LOST_ERRNOS = {errno.ENETDOWN, errno.ENODEV, errno.ENXIO, errno.EBADF}


def _bpf(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


#: Keep every frame but control frames. The radiotap length is little-endian at bytes 2–3 (BPF loads are
#: big-endian, so it is built byte by byte), the 802.11 frame-control byte follows the radiotap header.
BPF_DROP_CONTROL = b"".join(
    (
        _bpf(0x30, 0, 0, 3),  # ldb [3]
        _bpf(0x64, 0, 0, 8),  # lsh #8
        _bpf(0x07, 0, 0, 0),  # tax
        _bpf(0x30, 0, 0, 2),  # ldb [2]
        _bpf(0x4C, 0, 0, 0),  # or x
        _bpf(0x07, 0, 0, 0),  # tax            X = radiotap length
        _bpf(0x50, 0, 0, 0),  # ldb [x + 0]    frame control, first byte
        _bpf(0x54, 0, 0, 0x0C),  # and #0x0c   the type bits
        _bpf(0x15, 1, 0, 0x04),  # jeq #4 (control) → drop
        _bpf(0x06, 0, 0, 0x40000),  # ret: keep (the whole frame is offered; we copy SLOT bytes)
        _bpf(0x06, 0, 0, 0),  # ret 0: drop
    )
)


def attach_filter(sock: socket.socket, program: bytes = BPF_DROP_CONTROL) -> None:
    """Attach a classic BPF program (``struct sock_fprog``) to ``sock``."""
    import ctypes

    holder = ctypes.create_string_buffer(program)
    fprog = struct.pack("HL", len(program) // 8, ctypes.addressof(holder))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)


def packet_socket(interface: str) -> socket.socket:
    """A raw AF_PACKET socket on ``interface`` with the filter and kernel timestamps."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    try:
        attach_filter(sock)
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.bind((interface, ETH_P_ALL))
    except OSError:
        sock.close()
        raise
    return sock


class FrameReceiver:
    """Frames from a datagram socket into a reused arena, parsed a batch at a time."""

    def __init__(self, sock: Any, *, clock: Callable[[], float] = time.time) -> None:
        self.sock = sock
        self._clock = clock
        self._arena = np.zeros(BATCH * SLOT, np.uint8)
        self._view = memoryview(self._arena)
        self._anc = socket.CMSG_SPACE(16)

    def receive(self, seconds: float, *, name: str) -> np.ndarray:
        """Frame records of what arrives in the next ``seconds``; WifiLost when the interface goes."""
        deadline = time.monotonic() + seconds
        parts = []
        n = 0
        caplens, origlens, times = np.zeros(BATCH, np.int64), np.zeros(BATCH, np.int64), np.zeros(BATCH)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(min(left, 0.25))
            try:
                slot = self._view[n * SLOT : (n + 1) * SLOT]
                size, anc, _, _ = self.sock.recvmsg_into([slot], self._anc, socket.MSG_TRUNC)
            except TimeoutError:
                continue
            except OSError as exc:
                if exc.errno in _LOST_ERRNOS:
                    raise WifiLost(f"{name} went away mid-capture ({exc.strerror or exc})") from None
                raise
            caplens[n] = min(size, SLOT)
            origlens[n] = size
            times[n] = _timestamp(anc) or self._clock()
            n += 1
            if n == BATCH:
                parts.append(self._parse(n, caplens, origlens, times))
                n = 0
        if n:
            parts.append(self._parse(n, caplens, origlens, times))
        return np.concatenate(parts) if parts else fr.empty()

    def _parse(self, n: int, caplens: np.ndarray, origlens: np.ndarray, times: np.ndarray) -> np.ndarray:
        offsets = np.arange(n, dtype=np.int64) * SLOT
        batch = dot11.parse(self._arena, offsets, caplens[:n], origlens[:n], times[:n], dot11.LINKTYPE_RADIOTAP)
        return batch[(batch["flags"] & fr.FLAG_BAD_FCS) == 0]


def _timestamp(ancillary: list[tuple[int, int, bytes]]) -> float | None:
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            sec, nsec = struct.unpack_from("qq", data)
            return sec + nsec * 1e-9
    return None


class MonitorCapture:
    """A monitor interface on one adapter (never wlan0) as a :class:`hw.wifi.WifiCapture`."""

    def __init__(
        self,
        adapter: iwmod.Adapter,
        *,
        interface: str = MONITOR_INTERFACE,
        open_socket: Callable[[str], Any] = packet_socket,
    ) -> None:
        if not adapter.monitor:
            raise WifiNoMonitor(f"{adapter.name} cannot do monitor mode: the Wi-Fi sweep is off")
        self.adapter = adapter
        self.interface = interface
        self.info = AdapterInfo(name=adapter.name, driver=adapter.driver, bands=adapter.bands)
        self._downed: list[str] = []
        self._freq: int | None = None
        self._receiver: FrameReceiver | None = None
        try:
            with contextlib.suppress(iwmod.IwFailed):  # one left behind by a killed daemon (usually none)
                iwmod.run(["iw", "dev", interface, "del"])
            iwmod.run(["iw", "phy", adapter.phy, "interface", "add", interface, "type", "monitor"])
            for own in adapter.interfaces:  # the adapter's managed interface must not hop channels
                iwmod.run(["ip", "link", "set", own, "down"])
                self._downed.append(own)
            iwmod.run(["ip", "link", "set", interface, "up"])
            self._receiver = FrameReceiver(open_socket(interface))
        except iwmod.IwFailed as exc:
            self.close()
            raise WifiUnavailable(f"{adapter.name}: cannot start monitor mode ({exc.line})") from None
        except OSError as exc:
            self.close()
            raise WifiUnavailable(f"{adapter.name}: cannot open a capture socket ({exc.strerror or exc})") from None

    @classmethod
    def open(cls, interface: str = "", *, sysfs: Path | None = None, **options: Any) -> MonitorCapture:
        """The named adapter, or the first monitor-capable one beside wlan0."""
        return cls(iwmod.choose(iwmod.adapters(sysfs=sysfs), interface), **options)

    def channels_mhz(self) -> list[int]:
        wanted = set(CHANNELS_24_MHZ) | set(CHANNELS_5_MHZ)
        return [c.freq_mhz for c in self.adapter.channels if c.freq_mhz in wanted and not c.disabled]

    def tune(self, freq_mhz: int, width_mhz: int = 20) -> None:
        if self.adapter.receivable(freq_mhz) is None:
            raise ChannelRefused(f"{freq_mhz} MHz: {self.adapter.name} or its regulatory domain does not allow it")
        iwmod.set_freq(self.interface, freq_mhz, width_mhz)
        self._freq = freq_mhz

    def read(self, seconds: float) -> np.ndarray:
        if self._receiver is None:
            raise WifiLost(f"{self.adapter.name}: the capture is closed")
        batch = self._receiver.receive(seconds, name=self.adapter.name)
        if self._freq is not None:  # drivers that omit the radiotap channel: we know where we listen
            batch["freq_mhz"][batch["freq_mhz"] == 0] = self._freq
        return batch

    def clock(self) -> float:
        return time.time()

    @property
    def exhausted(self) -> bool:
        return False

    def close(self) -> None:
        if self._receiver is not None:
            self._receiver.sock.close()
            self._receiver = None
        for command in (
            ["iw", "dev", self.interface, "del"],
            *(["ip", "link", "set", own, "up"] for own in self._downed),
        ):
            try:
                iwmod.run(command)
            except (iwmod.IwFailed, WifiUnavailable) as exc:
                log.info("wifi cleanup: %s", exc)  # already gone with the adapter
        self._downed = []
