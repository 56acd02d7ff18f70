"""``LanReplay``: a classic pcap of a network's discovery traffic (Ethernet frames, link type 1) as
observations, so the real captures of cameras joining a network run through the live scan's parsers."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from dsp import pcap as pcapindex
from dsp.lan import ether, observe
from hw.errors import CaptureFileError

LINKTYPE_ETHERNET = 1
_MAGIC = {0xA1B2C3D4: (False, False), 0xA1B23C4D: (False, True), 0xD4C3B2A1: (True, False), 0x4D3CB2A1: (True, True)}
_BATCH = 65_536


class LanReplay:
    """Every observation in ``path``, in capture order; ``frames`` counts what was read, ``warnings`` says
    when the file was cut mid-record (what came before is kept)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise CaptureFileError(f"{self.path}: no such file") from None
        except IsADirectoryError:
            raise CaptureFileError(f"{self.path}: is a directory, not a capture") from None
        except OSError as exc:
            raise CaptureFileError(f"{self.path}: cannot be read ({exc.strerror or exc})") from None
        if len(data) < 24:
            raise CaptureFileError(f"{self.path.name}: empty or too short to be a pcap capture")
        magic = int.from_bytes(data[:4], "little")
        if magic not in _MAGIC:
            raise CaptureFileError(
                f"{self.path.name}: not a classic pcap (starts with {magic:08x}); convert a pcapng with "
                "'editcap -F pcap IN OUT'"
            )
        self._big, self._ns = _MAGIC[magic]
        (linktype,) = struct.unpack_from(">I" if self._big else "<I", data, 20)
        if linktype & 0x0FFFFFFF != LINKTYPE_ETHERNET:
            raise CaptureFileError(
                f"{self.path.name}: link type {linktype} is not Ethernet (1); the network scan replays "
                "captures of a network's own traffic (a monitor-mode capture goes to 'roomsweep wifi --replay')"
            )
        self._data = np.frombuffer(data, dtype=np.uint8)
        self.frames = 0
        self.warnings: list[str] = []
        self.seconds = 0.0

    def observations(self) -> list[observe.Observation]:
        out: list[observe.Observation] = []
        raw = self._data.tobytes()
        pos, first, last = 24, None, None
        while True:
            offsets, caplens, _, times, pos, status = pcapindex.records(
                self._data, pos, big_endian=self._big, nanoseconds=self._ns, limit=_BATCH
            )
            for offset, size in zip(offsets.tolist(), caplens.tolist(), strict=True):
                out.extend(observe.from_packet(ether.parse_frame(raw[offset : offset + size])))
            self.frames += len(offsets)
            if len(times):
                first = float(times[0]) if first is None else first
                last = float(times[-1])
            if status == pcapindex.CUT:
                self.warnings.append(f"{self.path.name}: the file ends mid-record; read up to the cut")
                break
            if status == pcapindex.END:
                break
        self.seconds = (last - first) if first is not None and last is not None else 0.0
        return out
