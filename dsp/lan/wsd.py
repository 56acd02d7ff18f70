"""WS-Discovery (the discovery of ONVIF): the Probe the scan multicasts and the ProbeMatches cameras send.

An ONVIF camera answers a Probe for ``dn:NetworkVideoTransmitter`` with its types, its scopes
(``onvif://www.onvif.org/name/…``, ``/hardware/…``, ``/type/video_encoder``) and its service addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from dsp.lan import xmltext

WSD_GROUP, WSD_PORT = "239.255.255.250", 3702
VIDEO_TRANSMITTER = "NetworkVideoTransmitter"


@dataclass(frozen=True)
class ProbeMatch:
    """One ProbeMatch: the endpoint's address (a URN), types, scopes and service addresses."""

    endpoint: str | None
    types: tuple[str, ...]
    scopes: tuple[str, ...]
    xaddrs: tuple[str, ...]

    @property
    def video_transmitter(self) -> bool:
        return any(t.rsplit(":", 1)[-1] == VIDEO_TRANSMITTER for t in self.types)

    def scope(self, key: str) -> str | None:
        """The value of an ONVIF scope such as ``name`` or ``hardware`` (URL-decoded), or None."""
        prefix = f"onvif://www.onvif.org/{key}/"
        for s in self.scopes:
            if s.lower().startswith(prefix):
                return unquote(s[len(prefix) :]) or None
        return None


def parse_probe_matches(data: bytes) -> list[ProbeMatch]:
    """Every ProbeMatch in a SOAP envelope; [] for anything else."""
    root = xmltext.parse(data)
    if root is None:
        return []
    out = []
    for match in (el for el in root.iter() if xmltext.local(el.tag) == "ProbeMatch"):
        out.append(
            ProbeMatch(
                endpoint=xmltext.first(match, "Address"),
                types=tuple(" ".join(xmltext.texts(match, "Types")).split()),
                scopes=tuple(" ".join(xmltext.texts(match, "Scopes")).split()),
                xaddrs=tuple(" ".join(xmltext.texts(match, "XAddrs")).split()),
            )
        )
    return out


def probe(message_id: str) -> bytes:
    """A WS-Discovery Probe for ONVIF video transmitters (``message_id`` a ``urn:uuid:…``)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
        'xmlns:dn="http://www.onvif.org/ver10/network/wsdl">'
        f"<e:Header><w:MessageID>{message_id}</w:MessageID>"
        "<w:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>"
        "<w:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>"
        "<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>"
    ).encode()
