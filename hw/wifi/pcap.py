"""Packet captures on disk: ``PcapReplay`` reads pcap and pcapng as a :class:`WifiCapture`; ``PcapWriter``
keeps a capture as headers only.

Accepted: classic pcap (micro- or nanosecond, either byte order) and pcapng (EPB and SPB, ``if_tsresol``,
``if_tsoffset``), link type 127 (radiotap) or 105 (plain 802.11). Truncated frames are sized from each
record's original length. A file cut mid-record is read up to the cut with one warning. Anything else
(Ethernet captures, other files) is a :class:`CaptureFileError` with one line.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from dsp import dot11
from dsp import frames as fr
from dsp import pcap as pcapindex
from hw.errors import CaptureFileError
from hw.wifi import AdapterInfo

log = logging.getLogger(__name__)

BATCH = 65_536  # records indexed and parsed per step: bounded memory whatever the file's size

_PCAP_MAGIC = {  # magic as read little-endian → (big endian, nanoseconds)
    0xA1B2C3D4: (False, False),
    0xA1B23C4D: (False, True),
    0xD4C3B2A1: (True, False),
    0x4D3CB2A1: (True, True),
}
_PCAPNG_SHB, _PCAPNG_IDB, _PCAPNG_SPB, _PCAPNG_EPB = 0x0A0D0D0A, 1, 3, 6
_PCAPNG_BOM = 0x1A2B3C4D
_LINKTYPE_NAMES = {0: "null/loopback", 1: "Ethernet", 101: "raw IP", 113: "Linux cooked", 276: "Linux cooked v2"}


def _linktype_error(path: Path, linktype: int) -> CaptureFileError:
    name = _LINKTYPE_NAMES.get(linktype, "not 802.11")
    return CaptureFileError(
        f"{path.name}: link type {linktype} ({name}) is not a Wi-Fi capture; roomsweep reads monitor-mode "
        "captures with radiotap (127) or plain 802.11 (105) headers"
    )


class PcapReplay:
    """A capture file as a Wi-Fi source: ``read(seconds)`` steps through it by its own timestamps.

    ``tune`` is accepted and changes nothing (a file holds what was on the air then). Frames the radio
    marked with a bad checksum are dropped (their addresses are noise); ``warnings`` says when the file was
    cut mid-record."""

    def __init__(self, path: str | Path, *, batch: int = BATCH) -> None:
        self.path = Path(path)
        try:
            self._buf = np.memmap(self.path, dtype=np.uint8, mode="r") if self.path.stat().st_size else None
        except FileNotFoundError:
            raise CaptureFileError(f"{self.path}: no such file") from None
        except IsADirectoryError:
            raise CaptureFileError(f"{self.path}: is a directory, not a capture") from None
        except OSError as exc:
            raise CaptureFileError(f"{self.path}: cannot be read ({exc.strerror or exc})") from None
        if self._buf is None or len(self._buf) < 12:
            raise CaptureFileError(f"{self.path.name}: empty or too short to be a pcap/pcapng capture")
        self._batch = batch
        self.warnings: list[str] = []
        self.frames_read = 0
        self.bad_fcs = 0
        magic = int.from_bytes(bytes(self._buf[:4]), "little")
        if magic in _PCAP_MAGIC:
            self.format = "pcap"
            self._records = self._pcap_batches(*_PCAP_MAGIC[magic])
        elif magic == _PCAPNG_SHB:
            self.format = "pcapng"
            self._records = self._pcapng_batches()
        else:
            raise CaptureFileError(f"{self.path.name}: not a pcap or pcapng capture (starts with {magic:08x})")
        self.info = AdapterInfo(name=f"replay: {self.path.name}", driver=self.format, bands=())
        self._pending = fr.empty()
        self._done = False
        self._now: float | None = None
        self._fill()  # reads the header: a wrong link type is refused before anything else

    # --- WifiCapture -----------------------------------------------------------------------

    def channels_mhz(self) -> list[int]:
        return []  # a replay holds whatever channels were captured; nothing to survey

    def tune(self, freq_mhz: int, width_mhz: int = 20) -> None:
        """A file cannot be retuned: accepted so the session's plan runs unchanged."""

    def clock(self) -> float:
        return self._now if self._now is not None else 0.0

    @property
    def exhausted(self) -> bool:
        return self._done and not len(self._pending)

    def read(self, seconds: float) -> np.ndarray:
        """The frames of the next ``seconds`` of the file's own time."""
        if self._now is None:
            if not len(self._pending):
                return fr.empty()
            self._now = float(self._pending["t"][0])
        until = self._now + seconds
        parts = []
        while True:
            cut = int(np.searchsorted(self._pending["t"], until, side="left"))
            parts.append(self._pending[:cut])
            self._pending = self._pending[cut:]
            if len(self._pending) or self._done:
                break
            self._fill()
        self._now = until
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def close(self) -> None:
        self._buf = None
        self._records = iter(())

    # --- whole-file helpers ------------------------------------------------------------------

    def batches(self) -> Iterator[np.ndarray]:
        """Every remaining frame, a batch at a time (the CLI's ``--replay`` reads the whole file)."""
        while not self.exhausted:
            if not len(self._pending):
                self._fill()
                continue
            batch, self._pending = self._pending, fr.empty()
            yield batch

    def _fill(self) -> None:
        try:
            parsed = next(self._records)
        except StopIteration:
            self._done = True
            return
        bad = (parsed["flags"] & fr.FLAG_BAD_FCS) != 0
        self.bad_fcs += int(bad.sum())
        self.frames_read += len(parsed)
        kept = parsed[~bad]
        self._pending = np.concatenate([self._pending, kept]) if len(self._pending) else kept

    def _cut(self, count: int) -> None:
        message = f"{self.path.name}: file ends mid-record after {count} frames; read up to the cut"
        self.warnings.append(message)
        log.warning("%s", message)

    # --- classic pcap ------------------------------------------------------------------------

    def _pcap_batches(self, big_endian: bool, nanoseconds: bool) -> Iterator[np.ndarray]:
        buf = self._buf
        if len(buf) < 24:
            raise CaptureFileError(f"{self.path.name}: pcap header is cut short")
        linktype = struct.unpack_from(">I" if big_endian else "<I", bytes(buf[20:24]))[0] & 0x0FFF_FFFF
        if linktype not in dot11.LINKTYPES:
            raise _linktype_error(self.path, linktype)
        pos, count = 24, 0
        while True:
            offsets, caplens, origlens, times, pos, status = pcapindex.records(
                buf, pos, big_endian=big_endian, nanoseconds=nanoseconds, limit=self._batch
            )
            count += len(offsets)
            if len(offsets):
                yield dot11.parse(buf, offsets, caplens, origlens, times, linktype)
            if status == pcapindex.CUT:
                self._cut(count)
            if status != pcapindex.MORE:
                return

    # --- pcapng --------------------------------------------------------------------------------

    def _pcapng_batches(self) -> Iterator[np.ndarray]:
        buf, size = self._buf, len(self._buf)
        pos, count, order = 0, 0, "<"
        interfaces: list[tuple[int, float, float]] = []  # (link type, seconds per tick, offset s)
        offsets: list[int] = []
        caplens: list[int] = []
        origlens: list[int] = []
        times: list[float] = []
        kinds: list[int] = []

        def flush() -> np.ndarray:
            batch = dot11.parse(buf, offsets, caplens, origlens, times, np.array(kinds, dtype=np.int64))
            for column in (offsets, caplens, origlens, times, kinds):
                column.clear()
            return batch

        while pos < size:
            if pos + 12 > size:
                self._cut(count)
                break
            head = bytes(buf[pos : pos + 12])
            block_type = struct.unpack_from(order + "I", head)[0]
            if block_type == _PCAPNG_SHB:
                bom = head[8:12]
                order = "<" if struct.unpack("<I", bom)[0] == _PCAPNG_BOM else ">"
                if struct.unpack(order + "I", bom)[0] != _PCAPNG_BOM:
                    raise CaptureFileError(f"{self.path.name}: pcapng section header has no byte-order magic")
                interfaces = []  # interface ids restart in every section
            total = struct.unpack_from(order + "I", head, 4)[0]
            if total < 12 or total % 4:
                raise CaptureFileError(f"{self.path.name}: pcapng block at byte {pos} has a bad length {total}")
            if pos + total > size:
                self._cut(count)
                break
            body = pos + 8
            if block_type == _PCAPNG_IDB:
                interfaces.append(self._interface(bytes(buf[body : pos + total - 4]), order))
            elif block_type in (_PCAPNG_EPB, _PCAPNG_SPB):
                if block_type == _PCAPNG_EPB:
                    if_id, hi, lo, cap, orig = struct.unpack_from(order + "5I", bytes(buf[body : body + 20]))
                    data = body + 20
                else:
                    if_id, hi, lo, orig = 0, 0, 0, struct.unpack_from(order + "I", bytes(buf[body : body + 4]))[0]
                    data = body + 4
                    cap = min(orig, pos + total - 4 - data)
                if if_id >= len(interfaces):
                    raise CaptureFileError(f"{self.path.name}: packet block at byte {pos} names no interface")
                linktype, tick, offset = interfaces[if_id]
                if data + cap > pos + total - 4:
                    raise CaptureFileError(f"{self.path.name}: packet block at byte {pos} overruns its block")
                offsets.append(data)
                caplens.append(cap)
                origlens.append(max(orig, cap))
                times.append(((hi << 32) | lo) * tick + offset)
                kinds.append(linktype)
                count += 1
                if len(offsets) >= self._batch:
                    yield flush()
            pos += total
        if offsets:
            yield flush()

    def _interface(self, body: bytes, order: str) -> tuple[int, float, float]:
        linktype = struct.unpack_from(order + "H", body)[0]
        if linktype not in dot11.LINKTYPES:
            raise _linktype_error(self.path, linktype)
        tick, offset, p = 1e-6, 0.0, 8
        while p + 4 <= len(body):
            code, length = struct.unpack_from(order + "HH", body, p)
            value = body[p + 4 : p + 4 + length]
            if code == 0:
                break
            if code == 9 and length >= 1:  # if_tsresol: 10^-n, or 2^-n with the top bit set
                tick = 2.0 ** -(value[0] & 0x7F) if value[0] & 0x80 else 10.0 ** -value[0]
            elif code == 14 and length >= 8:  # if_tsoffset, seconds
                offset = float(struct.unpack_from(order + "q", value)[0])
            p += 4 + (length + 3) // 4 * 4
        return linktype, tick, offset


class PcapWriter:
    """Writes frame records as a radiotap pcap (nanosecond timestamps) holding headers only.

    Each record becomes a minimal radiotap header (channel, signal) and the fixed 802.11 header its type
    needs, with the frame's true length as the original length — the same records come back from
    :class:`PcapReplay`, and no payload can be in the file because none was ever kept."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._file = self.path.open("wb")
        except OSError as exc:
            raise CaptureFileError(f"{self.path}: cannot be written ({exc.strerror or exc})") from None
        self._file.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, dot11.LINKTYPE_RADIOTAP))
        self.count = 0

    def write(self, batch: np.ndarray) -> None:
        out = bytearray()
        for rec in batch:
            out += _record_bytes(rec)
        self._file.write(out)
        self.count += len(batch)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PcapWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _record_bytes(rec: np.void) -> bytes:
    signal = int(rec["rssi_dbm"])
    freq = int(rec["freq_mhz"])
    present = 1 << 3 | (1 << 5 if signal != fr.RSSI_UNKNOWN else 0)
    band = 0x0080 if 2400 <= freq < 2500 else 0x0100 if freq >= 4900 else 0
    radiotap = struct.pack("<BBHIHH", 0, 0, 16, present, freq, band)
    radiotap += struct.pack("<b3x", signal) if signal != fr.RSSI_UNKNOWN else b"\0\0\0\0"
    ftype, subtype, flags = int(rec["ftype"]), int(rec["subtype"]), int(rec["flags"])
    fc1 = (
        (0x01 if flags & fr.FLAG_TO_DS else 0)
        | (0x02 if flags & fr.FLAG_FROM_DS else 0)
        | (0x08 if flags & fr.FLAG_RETRY else 0)
        | (0x40 if flags & fr.FLAG_PROTECTED else 0)
    )
    macs = [int(rec["rx"]), int(rec["tx"]), _third_address(ftype, subtype, flags, int(rec["bssid"])), 0]
    header = bytes([(subtype & 15) << 4 | (ftype & 3) << 2, fc1, 0, 0])
    for k, mac in enumerate(macs):
        header += mac.to_bytes(6, "big")
        if k == 2:
            header += b"\0\0"  # sequence control
    need = dot11.header_length(ftype, subtype, flags)
    header = header[: min(need, int(rec["length"]))]
    t = float(rec["t"])
    seconds = int(t)
    nanos = min(round((t - seconds) * 1e9), 999_999_999)
    captured = radiotap + header
    return struct.pack("<IIII", seconds, nanos, len(captured), len(radiotap) + int(rec["length"])) + captured


def _third_address(ftype: int, subtype: int, flags: int, bssid: int) -> int:
    """Address 3 as the parser reads it back: the BSSID for management and DS-less data frames."""
    if ftype == fr.TYPE_MANAGEMENT:
        return bssid
    if ftype == fr.TYPE_DATA and not flags & (fr.FLAG_TO_DS | fr.FLAG_FROM_DS):
        return bssid
    return 0
