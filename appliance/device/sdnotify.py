"""systemd's notify protocol (``sd_notify``): a few ``KEY=value`` lines in one datagram.

systemd passes the socket in ``NOTIFY_SOCKET`` (a path, or ``@name`` for the abstract namespace)
to ``Type=notify`` services. Off systemd the variable is unset and every call is a no-op, so the
daemon runs the same on a laptop. A failed send is logged once and never raised: losing a status
line must not take the appliance down (a lost watchdog ping is what the watchdog is for).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends notify messages to one socket address; ``enabled`` is False when there is none."""

    def __init__(self, address: str | None) -> None:
        self.address = _socket_address(address)
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._failed = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Notifier:
        env = os.environ if env is None else env
        return cls(env.get("NOTIFY_SOCKET"))

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *lines: str) -> bool:
        """Send ``KEY=value`` lines as one message; True if it was handed to the socket."""
        if self.address is None or not lines:
            return False
        for line in lines:
            if "=" not in line or "\n" in line:
                raise ValueError(f"not a notify assignment: {line!r}")
        payload = "\n".join(lines).encode()
        with self._lock:
            try:
                if self._sock is None:
                    self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._sock.sendto(payload, self.address)
            except OSError as exc:
                if not self._failed:
                    log.warning("systemd notify socket %r: %s", self.address, exc)
                self._failed = True
                return False
        self._failed = False
        return True

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None


def _socket_address(value: str | None) -> str | None:
    """``@name`` is the abstract namespace (a leading NUL byte); ``vsock:`` addresses are not for us."""
    if not value:
        return None
    if value.startswith("@"):
        return "\0" + value[1:]
    if value.startswith("/"):
        return value
    log.warning("NOTIFY_SOCKET=%r is not a unix socket address; systemd notifications are off", value)
    return None


def status_line(text: str) -> str:
    """``STATUS=`` with anything that would break the line format folded away."""
    return "STATUS=" + " ".join(text.split())
