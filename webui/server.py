"""The bounded HTTP server: waitress sized for a Pi on a hotspot where every guest is a stranger.

A guest who has the Wi-Fi passphrase must not be able to tie the UI up or fill the SD card:

- a body over ``MAX_BODY_BYTES`` is refused (413) from its ``Content-Length`` before any of it is
  stored (waitress would otherwise spool it to a temporary file first); headers are small;
- idle connections close after ``IDLE_TIMEOUT_S``; a request whose head and body are not in
  after ``REQUEST_DEADLINE_S`` is dropped (a guest trickling one header line every few seconds
  keeps a socket "active" for ever otherwise);
- one address holds at most ``PER_SOURCE_LIMIT`` connections; the next is answered 503 and
  closed, so 200 sockets from one phone leave ``/login`` answering for everyone else;
- ``CONNECTION_LIMIT`` sockets in all (waitress stops accepting beyond it).

The same server runs in ``roomsweep serve`` and in the tests (``tests/live.py``).
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

MAX_BODY_BYTES = 64 * 1024  # the largest JSON body the API takes is a few hundred bytes
MAX_HEADER_BYTES = 8 * 1024
IDLE_TIMEOUT_S = 10
REQUEST_DEADLINE_S = 15.0
CLEANUP_INTERVAL_S = 1
CONNECTION_LIMIT = 100
PER_SOURCE_LIMIT = 16  # a phone's browser opens ~6 per host, plus the live-progress streams

_REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
    b"Retry-After: 5\r\nContent-Length: 62\r\n\r\n"
    b'{"error": "too many connections from your address; try again"}'
)


def server_options(threads: int) -> dict[str, Any]:
    """waitress's adjustments for the UI (``threads`` is the ``web.threads`` setting)."""
    return {
        "threads": threads,
        "ident": "roomsweep",
        "max_request_body_size": MAX_BODY_BYTES,
        "max_request_header_size": MAX_HEADER_BYTES,
        "channel_timeout": IDLE_TIMEOUT_S,
        "cleanup_interval": CLEANUP_INTERVAL_S,
        "connection_limit": CONNECTION_LIMIT,
        "channel_request_lookahead": 1,  # lets a live stream notice its page has gone (webui/stream.py)
    }


class _Channel(HTTPChannel):
    """A connection that remembers when its current, unfinished request began."""

    request_began = 0.0

    def received(self, data: bytes) -> bool:
        if self.request is None:
            self.request_began = time.time()
        return super().received(data)


class BoundedServer(TcpWSGIServer):
    """waitress's TCP server with a per-address connection cap and a deadline for a request."""

    channel_class = _Channel
    per_source_limit = PER_SOURCE_LIMIT
    request_deadline_s = REQUEST_DEADLINE_S

    def handle_accept(self) -> None:
        try:
            accepted = self.accept()
            if accepted is None:
                return
            conn, addr = accepted
            self.set_socket_options(conn)
        except OSError:  # the peer went before we could look at it
            return
        addr = self.fix_addr(addr)
        source = addr[0] if isinstance(addr, tuple) else addr
        held = sum(1 for ch in self.active_channels.values() if isinstance(ch.addr, tuple) and ch.addr[0] == source)
        if held >= self.per_source_limit:
            with contextlib.suppress(OSError):
                conn.send(_REFUSAL)
            conn.close()
            return
        self.channel_class(self, conn, addr, self.adj, map=self._map)

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # idle connections
        cutoff = now - self.request_deadline_s
        for channel in list(self.active_channels.values()):
            if getattr(channel, "request", None) is not None and channel.request_began < cutoff:
                channel.will_close = True  # a request trickled in slower than any phone sends one


def create_bounded_server(app: Any, *, host: str, port: int, threads: int, **overrides: Any) -> BoundedServer:
    """Listen on ``host:port`` (the first address it resolves to); raises OSError if it cannot."""
    adj = Adjustments(host=host, port=port, **{**server_options(threads), **overrides})
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    return BoundedServer(app, {}, True, None, dispatcher=dispatcher, adj=adj, sockinfo=adj.listen[0])
