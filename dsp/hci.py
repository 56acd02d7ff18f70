"""btsnoop captures (what ``btmon -w FILE`` and Android's HCI snoop log write): the LE advertising reports in them.

btsnoop (RFC 1761's snoop layout, as BlueZ and Android use it): a 16-byte header — ``btsnoop\\0``, version 1,
datalink (1001 HCI H4 with a packet-type byte, 1002 HCI without one, 2001 the Linux monitor that btmon writes,
where a record's flags carry the opcode) — then records of original length, included length, flags, drops
(4 bytes each, big endian) and a 64-bit timestamp in microseconds since year 0, followed by the packet.

The packets read are HCI LE Meta events (0x3E) with an LE Advertising Report (subevent 0x02) or an LE Extended
Advertising Report (0x0D), laid out per report as BlueZ's monitor parses them (Core Spec Vol 4 Part E
§7.7.65.2 and §7.7.65.13). Everything else is skipped. Pure: bytes in, reports out.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAGIC = b"btsnoop\x00"
DATALINK_H4, DATALINK_HCI, DATALINK_MONITOR = 1001, 1002, 2001
MONITOR_EVENT = 3  # btmon's opcode of an HCI event packet (the low 16 bits of a record's flags)
H4_EVENT = 0x04
EVENT_LE_META = 0x3E
SUB_ADV_REPORT, SUB_EXT_ADV_REPORT = 0x02, 0x0D
EPOCH_US = 0x00DCDDB30F2F8000  # btsnoop's timestamp of 1970-01-01 (microseconds since year 0)
ADDRESS_TYPES = {0: "public", 1: "random", 2: "public", 3: "random"}  # 2, 3: identity addresses
_HEADER = struct.Struct(">8sII")
_RECORD = struct.Struct(">IIIIq")


class CaptureError(ValueError):
    """Not a btsnoop capture, or one we do not read (the message says which)."""


@dataclass(frozen=True)
class AdvReport:
    t: float  # Unix seconds
    address: str
    address_type: str
    rssi_dbm: int | None
    data: bytes


def _address(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in reversed(raw))


def _rssi(value: int) -> int | None:
    signed = value - 256 if value > 127 else value
    return None if signed == 127 else signed  # 127: not available


def adv_reports(event: bytes, t: float) -> list[AdvReport]:
    """The advertising reports of one HCI event (event code, length, parameters); [] for any other event."""
    if len(event) < 4 or event[0] != EVENT_LE_META:
        return []
    params = event[2 : 2 + event[1]]
    sub, count, i = params[0], params[1], 2
    out = []
    for _ in range(count):
        if sub == SUB_ADV_REPORT and i + 9 <= len(params):
            kind, address = params[i + 1], params[i + 2 : i + 8]
            length = params[i + 8]
            data = params[i + 9 : i + 9 + length]
            if i + 10 + length > len(params):
                break
            rssi = params[i + 9 + length]
            i += 10 + length
        elif sub == SUB_EXT_ADV_REPORT and i + 24 <= len(params):
            kind, address = params[i + 2], params[i + 3 : i + 9]
            rssi = params[i + 13]
            length = params[i + 23]
            data = params[i + 24 : i + 24 + length]
            if len(data) < length:
                break
            i += 24 + length
        else:
            break
        out.append(AdvReport(t, _address(address), ADDRESS_TYPES.get(kind, "unknown"), _rssi(rssi), bytes(data)))
    return out


def read_btsnoop(blob: bytes) -> tuple[list[AdvReport], list[str]]:
    """Every LE advertising report in a btsnoop capture, and warnings (a capture cut mid-record)."""
    if len(blob) < _HEADER.size or blob[:8] != MAGIC:
        raise CaptureError("not a btsnoop capture")
    _, version, datalink = _HEADER.unpack_from(blob)
    if version != 1 or datalink not in (DATALINK_H4, DATALINK_HCI, DATALINK_MONITOR):
        raise CaptureError(f"btsnoop version {version}, datalink {datalink}: only HCI (1001, 1002) and btmon's 2001")
    reports: list[AdvReport] = []
    warnings: list[str] = []
    offset = _HEADER.size
    while offset < len(blob):
        if offset + _RECORD.size > len(blob):
            warnings.append(f"capture cut mid-record at byte {offset}: read up to there")
            break
        _, included, flags, _, stamp = _RECORD.unpack_from(blob, offset)
        packet = blob[offset + _RECORD.size : offset + _RECORD.size + included]
        if len(packet) < included:
            warnings.append(f"capture cut mid-record at byte {offset}: read up to there")
            break
        offset += _RECORD.size + included
        t = (stamp - EPOCH_US) / 1e6
        if datalink == DATALINK_MONITOR:
            event = packet if flags & 0xFFFF == MONITOR_EVENT else b""
        elif datalink == DATALINK_H4:
            event = packet[1:] if packet[:1] == bytes([H4_EVENT]) else b""
        else:
            event = packet if flags & 0x02 else b""  # bit 1: command/event (not ACL data)
        reports += adv_reports(event, t)
    return reports, warnings
