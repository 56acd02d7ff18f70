"""DNS messages as mDNS (RFC 6762) and DNS-SD (RFC 6763) use them: the records a host announced.

Both halves of a discovery exchange are read: answers (a responder's PTR, SRV, TXT, A records) and the
probes a device sends while claiming its names (their authority section carries the records it is about
to own). Compressed names are followed with a hop limit; a malformed message gives what was read before
the damage, never an exception.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass, field

TYPE_A, TYPE_PTR, TYPE_TXT, TYPE_AAAA, TYPE_SRV, TYPE_ANY = 1, 12, 16, 28, 33, 255
MAX_POINTER_HOPS = 32
MAX_RECORDS = 256


@dataclass(frozen=True)
class Record:
    name: str
    rtype: int
    value: str  # PTR/SRV target, A/AAAA address, TXT strings joined by "; "
    port: int | None = None  # SRV only


@dataclass
class Message:
    """One DNS message: ``response`` from the QR bit, the questions' names, and every record it carries."""

    response: bool
    questions: list[str] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)


class _Malformed(Exception):
    pass


def _name(data: bytes, pos: int) -> tuple[str, int]:
    """A possibly compressed name at ``pos``: (dotted name, position after it in the message)."""
    labels: list[str] = []
    end = None
    hops = 0
    while True:
        if pos >= len(data):
            raise _Malformed
        length = data[pos]
        if length & 0xC0 == 0xC0:
            if pos + 1 >= len(data) or hops >= MAX_POINTER_HOPS:
                raise _Malformed
            if end is None:
                end = pos + 2
            pos = ((length & 0x3F) << 8) | data[pos + 1]
            hops += 1
            continue
        if length == 0:
            return ".".join(labels), (end if end is not None else pos + 1)
        if length & 0xC0 or pos + 1 + length > len(data):
            raise _Malformed
        labels.append(data[pos + 1 : pos + 1 + length].decode("utf-8", "replace"))
        pos += 1 + length


def _txt(rdata: bytes) -> str:
    parts, pos = [], 0
    while pos < len(rdata):
        n = rdata[pos]
        parts.append(rdata[pos + 1 : pos + 1 + n].decode("utf-8", "replace"))
        pos += 1 + n
    return "; ".join(p for p in parts if p)


def parse(data: bytes) -> Message | None:
    """A DNS message → its questions and records; None when not even the header is there."""
    if len(data) < 12:
        return None
    _, flags, qd, an, ns, ar = struct.unpack_from("!HHHHHH", data)
    msg = Message(response=bool(flags & 0x8000))
    pos = 12
    try:
        for _ in range(min(qd, MAX_RECORDS)):
            qname, pos = _name(data, pos)
            pos += 4
            msg.questions.append(qname)
        for _ in range(min(an + ns + ar, MAX_RECORDS)):
            rname, pos = _name(data, pos)
            if pos + 10 > len(data):
                raise _Malformed
            rtype, _, _, rdlength = struct.unpack_from("!HHIH", data, pos)
            pos += 10
            if pos + rdlength > len(data):
                raise _Malformed
            record = _record(data, pos, rname, rtype, rdlength)
            if record is not None:
                msg.records.append(record)
            pos += rdlength
    except _Malformed:
        pass
    return msg


def _record(data: bytes, pos: int, name: str, rtype: int, rdlength: int) -> Record | None:
    rdata = data[pos : pos + rdlength]
    if rtype == TYPE_A and rdlength == 4:
        return Record(name, rtype, str(ipaddress.IPv4Address(rdata)))
    if rtype == TYPE_AAAA and rdlength == 16:
        return Record(name, rtype, str(ipaddress.IPv6Address(rdata)))
    if rtype == TYPE_PTR:
        return Record(name, rtype, _name(data, pos)[0])
    if rtype == TYPE_SRV and rdlength >= 7:
        (port,) = struct.unpack_from("!H", data, pos + 4)
        return Record(name, rtype, _name(data, pos + 6)[0], port=port)
    if rtype == TYPE_TXT:
        return Record(name, rtype, _txt(rdata))
    return None


def query(names: list[str], rtype: int = TYPE_PTR, *, unicast_response: bool = True) -> bytes:
    """A one-shot mDNS query for ``names`` (the QU bit asks responders to answer the asker directly)."""
    out = bytearray(struct.pack("!HHHHHH", 0, 0, len(names), 0, 0, 0))
    for name in names:
        for label in name.rstrip(".").split("."):
            raw = label.encode()
            out += bytes([len(raw)]) + raw
        out += b"\x00" + struct.pack("!HH", rtype, 0x8001 if unicast_response else 1)
    return bytes(out)


def instance_name(service_instance: str, service: str) -> str:
    """``"D-Link HNAP Service._dhnap._tcp.local"`` → ``"D-Link HNAP Service"``."""
    suffix = "." + service
    return service_instance[: -len(suffix)] if service_instance.endswith(suffix) else service_instance


def service_type(name: str) -> str | None:
    """The ``_x._tcp`` part of a DNS-SD name, or None."""
    labels = name.split(".")
    for i in range(len(labels) - 1):
        if labels[i].startswith("_") and labels[i + 1] in ("_tcp", "_udp"):
            return f"{labels[i]}.{labels[i + 1]}"
    return None
