"""Ethernet frames as a scanner or a capture sees them: the addresses, ARP, and IPv4/UDP/TCP payloads.

Only what discovery needs: IPv4 without fragments reassembled (a discovery answer fits a datagram),
802.1Q tags skipped. Anything shorter than its headers claim is ``None``, never an exception.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

ETH_IPV4, ETH_ARP, ETH_VLAN = 0x0800, 0x0806, 0x8100
PROTO_TCP, PROTO_UDP = 6, 17


def mac_text(raw: bytes) -> str:
    """``b'\\xb0\\xc5...'`` → ``"b0:c5:..."``."""
    return ":".join(f"{b:02x}" for b in raw)


def ip_text(raw: bytes) -> str:
    return str(ipaddress.IPv4Address(raw))


@dataclass(frozen=True)
class Arp:
    """An ARP packet: ``op`` 1 request, 2 reply; the sender is who it is about."""

    op: int
    sender_mac: str
    sender_ip: str
    target_mac: str
    target_ip: str


@dataclass(frozen=True)
class Datagram:
    """An IPv4 UDP datagram or TCP segment with the Ethernet source it came from (``src_mac`` may be empty
    when it was received through the kernel's IP stack, not read off the wire)."""

    src_mac: str
    src_ip: str
    dst_ip: str
    proto: int
    sport: int
    dport: int
    payload: bytes


def parse_frame(frame: bytes) -> Arp | Datagram | None:
    """One Ethernet II frame → its ARP packet or IPv4 datagram; None for anything else or anything cut."""
    if len(frame) < 14:
        return None
    src_mac = mac_text(frame[6:12])
    (ethertype,) = struct.unpack_from("!H", frame, 12)
    body = 14
    if ethertype == ETH_VLAN and len(frame) >= 18:
        (ethertype,) = struct.unpack_from("!H", frame, 16)
        body = 18
    if ethertype == ETH_ARP:
        return parse_arp(frame[body:])
    if ethertype == ETH_IPV4:
        return parse_ipv4(frame[body:], src_mac)
    return None


def parse_arp(data: bytes) -> Arp | None:
    """An Ethernet/IPv4 ARP packet (28 bytes)."""
    if len(data) < 28:
        return None
    htype, ptype, hlen, plen, op = struct.unpack_from("!HHBBH", data)
    if (htype, ptype, hlen, plen) != (1, ETH_IPV4, 6, 4):
        return None
    return Arp(op, mac_text(data[8:14]), ip_text(data[14:18]), mac_text(data[18:24]), ip_text(data[24:28]))


def parse_ipv4(data: bytes, src_mac: str = "") -> Datagram | None:
    """An IPv4 packet carrying UDP or TCP; fragments after the first and other protocols are None."""
    if len(data) < 20 or data[0] >> 4 != 4:
        return None
    ihl = (data[0] & 0x0F) * 4
    (total,) = struct.unpack_from("!H", data, 2)
    (frag,) = struct.unpack_from("!H", data, 6)
    proto = data[9]
    if ihl < 20 or total < ihl or len(data) < total or frag & 0x1FFF:
        return None
    src, dst = ip_text(data[12:16]), ip_text(data[16:20])
    seg = data[ihl:total]
    if proto == PROTO_UDP and len(seg) >= 8:
        sport, dport, length = struct.unpack_from("!HHH", seg)
        return Datagram(src_mac, src, dst, proto, sport, dport, bytes(seg[8 : max(8, min(length, len(seg)))]))
    if proto == PROTO_TCP and len(seg) >= 20:
        sport, dport = struct.unpack_from("!HH", seg)
        offset = (seg[12] >> 4) * 4
        if offset < 20 or offset > len(seg):
            return None
        return Datagram(src_mac, src, dst, proto, sport, dport, bytes(seg[offset:]))
    return None


def arp_request(sender_mac: bytes, sender_ip: str, target_ip: str) -> bytes:
    """A broadcast Ethernet frame asking who has ``target_ip`` (the scanner's ARP sweep)."""
    header = b"\xff" * 6 + sender_mac + struct.pack("!H", ETH_ARP)
    body = struct.pack("!HHBBH", 1, ETH_IPV4, 6, 4, 1) + sender_mac + ipaddress.IPv4Address(sender_ip).packed
    return header + body + b"\x00" * 6 + ipaddress.IPv4Address(target_ip).packed
