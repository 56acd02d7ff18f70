"""One packet → what it tells about its sender: an :class:`Observation` per device it names.

The same function reads a replayed capture's frames and the scanner's received datagrams, so a camera
is named the same way from a file as on the air. TCP connects and RTSP answers are observations too,
made by the scanner (:func:`open_port`, :func:`rtsp_answer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dsp.lan import dhcp, mdns, ssdp, vendor, wsd
from dsp.lan.ether import PROTO_UDP, Arp, Datagram

MDNS_PORT, DHCP_SERVER_PORT = 5353, 67
UNSPECIFIED = "0.0.0.0"


@dataclass(frozen=True)
class Observation:
    """Something one device said or did. ``mac`` is "" when only the IP is known (the scanner's TCP
    answers, resolved later through ARP); ``said`` is one line for the reasons."""

    mac: str
    ip: str | None
    source: str  # arp, dhcp, mdns, ssdp, wsd, sadp, dlink, tcp, rtsp
    said: str | None = None
    names: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    model: str | None = None
    onvif: bool = False
    port: int | None = None
    rtsp_status: int | None = None


def _ip(value: str | None) -> str | None:
    return None if value in (None, "", UNSPECIFIED) else value


def from_packet(packet: Arp | Datagram | None) -> list[Observation]:
    """What ``packet`` (from :func:`dsp.lan.ether.parse_frame`) tells about its sender; [] if nothing."""
    if packet is None:
        return []
    if isinstance(packet, Arp):
        if packet.sender_ip == UNSPECIFIED:  # an ARP probe: the address is not the sender's yet
            return [Observation(packet.sender_mac, None, "arp")]
        return [Observation(packet.sender_mac, packet.sender_ip, "arp")]
    if packet.proto != PROTO_UDP:
        return []
    ports = {packet.sport, packet.dport}
    if MDNS_PORT in ports:
        return _mdns(packet)
    if packet.dport == DHCP_SERVER_PORT:
        return _dhcp(packet)
    if ssdp.SSDP_PORT in ports:
        return _ssdp(packet)
    if wsd.WSD_PORT in ports:
        return _wsd(packet)
    if vendor.SADP_PORT in ports:
        return _vendor(packet, vendor.parse_sadp(packet.payload))
    if vendor.DLINK_PORT in ports:
        return _vendor(packet, vendor.parse_dlink(packet.payload))
    return []


def from_answer(packet: Datagram) -> list[Observation]:
    """An answer to one of the scanner's probes, by its content: responders answer from any port (a
    WS-Discovery ProbeMatch from an ephemeral one), so the port says nothing here."""
    body = packet.payload.lstrip()
    if body.startswith(b"<"):
        return _wsd(packet) or _vendor(packet, vendor.parse_sadp(body))
    if body.startswith((b"HTTP/", b"NOTIFY ")):
        return _ssdp(packet)
    return _mdns(packet)


def _mdns(packet: Datagram) -> list[Observation]:
    msg = mdns.parse(packet.payload)
    if msg is None or not msg.records:
        return []
    hosts, services, names = [], [], []
    for rec in msg.records:
        if rec.rtype in (mdns.TYPE_A, mdns.TYPE_AAAA):
            hosts.append(rec.name)
        elif rec.rtype == mdns.TYPE_SRV:
            kind = mdns.service_type(rec.name)
            if kind:
                services.append(f"{kind} port {rec.port}")
                names.append(mdns.instance_name(rec.name, f"{kind}.local"))
            hosts.append(rec.value)
        elif rec.rtype == mdns.TYPE_PTR and not rec.name.endswith(".arpa"):
            kind = mdns.service_type(rec.value)
            if kind and rec.name != "_services._dns-sd._udp.local":
                names.append(mdns.instance_name(rec.value, f"{kind}.local"))
                services.append(kind)
    names = _unique([*hosts, *names])
    services = _unique(services)
    if not names and not services:
        return []
    said = "mDNS: " + ", ".join(names[:4]) + (f" ({', '.join(services[:4])})" if services else "")
    return [Observation(packet.src_mac, _ip(packet.src_ip), "mdns", said, tuple(names), tuple(services))]


def _dhcp(packet: Datagram) -> list[Observation]:
    client = dhcp.parse_client(packet.payload)
    if client is None:
        return []
    names = tuple(n for n in (client.hostname,) if n)
    parts = [f"host name {client.hostname!r}" if client.hostname else None, client.vendor_class]
    said = "DHCP: " + ", ".join(p for p in parts if p) if any(parts) else None
    ip = _ip(packet.src_ip) or client.requested_ip
    return [Observation(client.mac, ip, "dhcp", said, names)]


def _ssdp(packet: Datagram) -> list[Observation]:
    msg = ssdp.parse_ssdp(packet.payload)
    if msg is None or msg.start.startswith("M-SEARCH"):
        return []  # a device searching says nothing about itself
    kind = msg.get("NT") or msg.get("ST")
    server, location = msg.get("SERVER"), msg.get("LOCATION")
    names = tuple(n for n in (server,) if n)
    services = tuple(s for s in (f"upnp {kind}" if kind else None,) if s)
    parts = [server, f"description at {location}" if location else None, kind]
    said = "SSDP: " + ", ".join(p for p in parts if p)
    return [Observation(packet.src_mac, _ip(packet.src_ip), "ssdp", said, names, services)]


def _wsd(packet: Datagram) -> list[Observation]:
    out = []
    for match in wsd.parse_probe_matches(packet.payload):
        name, hardware = match.scope("name"), match.scope("hardware")
        types = " ".join(t.rsplit(":", 1)[-1] for t in match.types)
        said = f"WS-Discovery: {types}" + (f" {name!r}" if name else "") + (f" ({hardware})" if hardware else "")
        out.append(
            Observation(
                packet.src_mac,
                _ip(packet.src_ip),
                "wsd",
                said,
                tuple(n for n in (name,) if n),
                tuple(f"onvif {x}" for x in match.xaddrs),
                model=hardware,
                onvif=match.video_transmitter,
            )
        )
    return out


def _vendor(packet: Datagram, found: vendor.Announcement | None) -> list[Observation]:
    if found is None:
        return []
    label = {"sadp": "Hikvision SADP", "dlink": "D-Link discovery"}[found.protocol]
    parts = [found.description, found.model, f"firmware {found.firmware}" if found.firmware else None]
    said = f"{label}: " + ", ".join(p for p in parts if p)
    mac = packet.src_mac or (found.mac or "")
    names = tuple(n for n in (found.description,) if n)
    return [Observation(mac, _ip(packet.src_ip) or found.ip, found.protocol, said, names, (), model=found.model)]


def open_port(ip: str, port: int) -> Observation:
    """The scanner's TCP connect to ``port`` was accepted (nothing was sent on it)."""
    return Observation("", ip, "tcp", f"TCP port {port} open", port=port)


def rtsp_answer(ip: str, port: int, reply: ssdp.RtspReply) -> Observation:
    """An RTSP server answered the scanner's OPTIONS on ``port``."""
    server = f", server {reply.server!r}" if reply.server else ""
    said = f"RTSP on port {port}: {reply.version} {reply.status} {reply.reason}{server}"
    return Observation("", ip, "rtsp", said, port=port, rtsp_status=reply.status, services=(f"rtsp {port}",))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i.strip() for i in items if i and i.strip()))
