"""Camera makers' own discovery broadcasts, read where their layout is known.

- **Hikvision SADP** (UDP 37020, multicast 239.255.255.250): an XML ``<Probe>`` with ``<Types>inquiry``
  asks; each device answers a ``<ProbeMatch>`` with ``DeviceType``, ``DeviceDescription`` (the model),
  ``DeviceSN``, ``MAC``, ``IPv4Address``, ``SoftwareVersion`` and its ports.
- **D-Link cameras** (UDP 62976, broadcast): a fixed-layout datagram announcing the camera's MAC, IPv4
  address, a description ("Wireless Internet Camera"), firmware and model (``DCS-935L``); the offsets are
  those of the DCS-935L joining a network in ``wifi/lan/D-LinkCam_Setup-A-1-STA.pcap``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from dsp.lan import xmltext
from dsp.lan.ether import mac_text

SADP_GROUP, SADP_PORT = "239.255.255.250", 37020
DLINK_PORT = 62976


@dataclass(frozen=True)
class Announcement:
    """What a vendor broadcast said: the sender's MAC and IP as it gave them, its model and a description."""

    protocol: str  # "sadp" or "dlink"
    mac: str | None
    ip: str | None
    model: str | None
    description: str | None
    firmware: str | None
    serial: str | None = None


def sadp_probe(uuid: str) -> bytes:
    """The SADP inquiry the scan multicasts (``uuid`` upper-case, as SADP's own tool sends it)."""
    return f'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>{uuid}</Uuid><Types>inquiry</Types></Probe>'.encode()


def parse_sadp(data: bytes) -> Announcement | None:
    """A SADP ``<ProbeMatch>`` (an answer or a device's own hello); None for an inquiry or anything else."""
    root = xmltext.parse(data)
    if root is None or xmltext.local(root.tag) != "ProbeMatch":
        return None
    mac = xmltext.first(root, "MAC")
    return Announcement(
        protocol="sadp",
        mac=mac.replace("-", ":").lower() if mac else None,
        ip=xmltext.first(root, "IPv4Address"),
        model=xmltext.first(root, "DeviceDescription"),
        description=xmltext.first(root, "DeviceType"),
        firmware=xmltext.first(root, "SoftwareVersion"),
        serial=xmltext.first(root, "DeviceSN"),
    )


def _cstring(data: bytes, start: int, size: int) -> str | None:
    text = data[start : start + size].split(b"\x00", 1)[0].decode("ascii", "replace").strip()
    return text if text and text.isprintable() else None


def parse_dlink(data: bytes) -> Announcement | None:
    """The D-Link camera broadcast on UDP 62976; None when it does not have that layout."""
    if len(data) < 284 or data[:2] != b"\xff\xff":
        return None
    model = _cstring(data, 220, 64)
    description = _cstring(data, 22, 64)
    if model is None and description is None:
        return None
    return Announcement(
        protocol="dlink",
        mac=mac_text(data[6:12]),
        ip=str(ipaddress.IPv4Address(data[12:16])),
        model=model,
        description=description,
        firmware=_cstring(data, 118, 32),
    )
