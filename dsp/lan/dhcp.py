"""DHCP requests (RFC 2131/2132) as a device joining a network sends them: its MAC, the address it asks
for, its host name (option 12) and vendor class (option 60: often the firmware's DHCP client)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from dsp.lan.ether import mac_text

COOKIE = b"\x63\x82\x53\x63"
OPT_HOSTNAME, OPT_REQUESTED_IP, OPT_MESSAGE_TYPE, OPT_VENDOR_CLASS, OPT_END = 12, 50, 53, 60, 255


@dataclass(frozen=True)
class DhcpClient:
    mac: str
    requested_ip: str | None
    hostname: str | None
    vendor_class: str | None
    message_type: int | None


def _text(raw: bytes) -> str | None:
    value = raw.split(b"\x00", 1)[0].decode("utf-8", "replace").strip()
    return value or None


def parse_client(data: bytes) -> DhcpClient | None:
    """A BOOTREQUEST (op 1, Ethernet) with its options; None for replies and anything else."""
    if len(data) < 240 or data[0] != 1 or data[1] != 1 or data[2] != 6 or data[236:240] != COOKIE:
        return None
    options: dict[int, bytes] = {}
    pos = 240
    while pos < len(data):
        code = data[pos]
        if code == OPT_END:
            break
        if code == 0:
            pos += 1
            continue
        if pos + 1 >= len(data):
            break
        size = data[pos + 1]
        options.setdefault(code, data[pos + 2 : pos + 2 + size])
        pos += 2 + size
    requested = options.get(OPT_REQUESTED_IP)
    ciaddr = data[12:16]
    ip = requested if requested and len(requested) == 4 else (ciaddr if any(ciaddr) else None)
    kind = options.get(OPT_MESSAGE_TYPE)
    return DhcpClient(
        mac=mac_text(data[28:34]),
        requested_ip=str(ipaddress.IPv4Address(ip)) if ip else None,
        hostname=_text(options.get(OPT_HOSTNAME, b"")),
        vendor_class=_text(options.get(OPT_VENDOR_CLASS, b"")),
        message_type=kind[0] if kind else None,
    )
