"""SSDP (UPnP discovery over HTTPU) and RTSP replies: a start line and headers, read the same way.

A camera's SSDP NOTIFY or M-SEARCH answer names its description (``LOCATION``), its software
(``SERVER``) and what it is (``NT``/``ST``, ``USN``); an RTSP server's answer to ``OPTIONS`` is a status
line and its ``Server``/``Public`` headers. Nothing here follows a LOCATION: the scan never fetches it.
"""

from __future__ import annotations

from dataclasses import dataclass

SSDP_GROUP, SSDP_PORT = "239.255.255.250", 1900
MAX_HEADERS = 64


@dataclass(frozen=True)
class Headers:
    """An HTTP-like message: its start line and headers (names upper-cased, the first of a repeat kept)."""

    start: str
    fields: dict[str, str]

    def get(self, name: str) -> str | None:
        return self.fields.get(name.upper())


def parse_headers(data: bytes) -> Headers | None:
    """``b"NOTIFY * HTTP/1.1\\r\\nHOST: ...\\r\\n\\r\\n"`` → its start line and headers; None if not text."""
    text = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    lines = text.replace("\r\n", "\n").split("\n")
    start = lines[0].strip()
    if not start or "\ufffd" in start:
        return None
    fields: dict[str, str] = {}
    for line in lines[1 : 1 + MAX_HEADERS]:
        name, sep, value = line.partition(":")
        if sep and name.strip():
            fields.setdefault(name.strip().upper(), value.strip())
    return Headers(start, fields)


def parse_ssdp(data: bytes) -> Headers | None:
    """An SSDP NOTIFY, M-SEARCH answer (``HTTP/1.1 200``) or M-SEARCH; None for anything else."""
    msg = parse_headers(data)
    if msg is None:
        return None
    if msg.start.startswith(("NOTIFY ", "M-SEARCH ")) or msg.start.startswith("HTTP/1."):
        return msg
    return None


def m_search(target: str = "ssdp:all", wait_s: int = 2) -> bytes:
    """An M-SEARCH asking every UPnP device on the subnet to answer within ``wait_s`` seconds."""
    return (
        f'M-SEARCH * HTTP/1.1\r\nHOST: {SSDP_GROUP}:{SSDP_PORT}\r\nMAN: "ssdp:discover"\r\n'
        f"MX: {wait_s}\r\nST: {target}\r\n\r\n"
    ).encode()


@dataclass(frozen=True)
class RtspReply:
    """An RTSP server's status line and what it said about itself."""

    version: str
    status: int
    reason: str
    server: str | None
    public: str | None


def parse_rtsp(data: bytes) -> RtspReply | None:
    """``RTSP/1.0 200 OK`` (or 401, 404, …) with its headers; None when the bytes are not RTSP."""
    msg = parse_headers(data)
    if msg is None or not msg.start.startswith("RTSP/"):
        return None
    version, _, rest = msg.start.partition(" ")
    code, _, reason = rest.partition(" ")
    if not (code.isdigit() and len(code) == 3):
        return None
    return RtspReply(version, int(code), reason.strip(), msg.get("Server"), msg.get("Public"))


def rtsp_options(host: str, port: int) -> bytes:
    """The one RTSP request the scan sends: ``OPTIONS`` (no credentials, no DESCRIBE, no stream)."""
    return f"OPTIONS rtsp://{host}:{port}/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: roomsweep\r\n\r\n".encode()
