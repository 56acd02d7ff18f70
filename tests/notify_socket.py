"""A stand-in for systemd's end of the notify protocol: a real AF_UNIX datagram socket."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Message:
    at: float  # time.monotonic() when received
    lines: tuple[str, ...]


class NotifySocket:
    """Collects every notify datagram; ``address`` is what goes into NOTIFY_SOCKET."""

    def __init__(self, *, abstract: bool = False) -> None:
        self._dir: Path | None = None
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = f"roomsweep-test-{uuid.uuid4().hex}"
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:  # a short path: sun_path holds only 108 bytes
            self._dir = Path(tempfile.mkdtemp(prefix="rs-notify-", dir="/tmp"))
            path = self._dir / "notify"
            self.sock.bind(str(path))
            self.address = str(path)
        self.sock.settimeout(0.1)
        self._messages: list[Message] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)
        self._thread.start()

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._messages.append(Message(time.monotonic(), tuple(data.decode().split("\n"))))

    def messages(self) -> list[Message]:
        with self._lock:
            return list(self._messages)

    def times(self, line: str) -> list[float]:
        """When each message carrying ``line`` (e.g. ``WATCHDOG=1``) arrived."""
        return [m.at for m in self.messages() if line in m.lines]

    def wait_for(self, line: str, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := self.times(line):
                return found[0]
            time.sleep(0.02)
        raise AssertionError(f"no {line!r} within {timeout} s; got {[m.lines for m in self.messages()]}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
