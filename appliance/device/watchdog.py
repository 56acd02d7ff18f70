"""The systemd watchdog, fed only while the session's worker loop is alive.

A background thread that pinged systemd unconditionally would keep pinging while the worker
thread sits forever in a hung USB read, and the watchdog would never fire. So the worker loop
calls :meth:`Watchdog.kick` (every pass, every hop), and the pinger sends ``WATCHDOG=1`` every
half ``WatchdogSec`` only while the last kick is younger than ``WatchdogSec``. When the worker
stalls the pings stop, systemd kills the service (SIGABRT: with ``PYTHONFAULTHANDLER`` set, every
thread's stack lands in the journal) and ``Restart=on-failure`` starts it again.

Off systemd (no ``NOTIFY_SOCKET``/``WATCHDOG_USEC``) every method is a cheap no-op.

    watchdog = Watchdog.from_env()
    session = Session(..., heartbeat=watchdog.kick)
    ...                                    # listening socket open, hardware set up
    watchdog.ready("web UI on http://10.42.0.1/")
    ...
    watchdog.stopping()                    # on SIGTERM, before closing things
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping

from appliance.device.sdnotify import Notifier, status_line

log = logging.getLogger(__name__)


def watchdog_interval(env: Mapping[str, str] | None = None, pid: int | None = None) -> float | None:
    """``WatchdogSec`` in seconds as systemd passed it (``WATCHDOG_USEC``), or None.

    Like ``sd_watchdog_enabled``: a ``WATCHDOG_PID`` naming another process means the watchdog
    is not ours (we are a child of the service's main process).
    """
    env = os.environ if env is None else env
    usec, owner = env.get("WATCHDOG_USEC"), env.get("WATCHDOG_PID")
    if not usec:
        return None
    try:
        if owner and int(owner) != (os.getpid() if pid is None else pid):
            return None
        value = int(usec)
    except ValueError:
        log.warning("ignoring malformed WATCHDOG_USEC=%r / WATCHDOG_PID=%r", usec, owner)
        return None
    return value / 1e6 if value > 0 else None


class Watchdog:
    def __init__(
        self,
        notifier: Notifier,
        interval_s: float | None,
        *,
        stall_after_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.notifier = notifier
        self.interval_s = interval_s if notifier.enabled else None
        self.stall_after_s = stall_after_s if stall_after_s is not None else interval_s
        self._clock = clock
        self._last_kick = clock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._describe: Callable[[], str] | None = None
        self._shown = ""
        self._stopping = False
        self.stalled = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Watchdog:
        return cls(Notifier.from_env(env), watchdog_interval(env))

    @property
    def enabled(self) -> bool:
        """True when systemd expects watchdog pings from us."""
        return self.interval_s is not None

    def kick(self) -> None:
        """The worker loop is alive (call it every pass and between long steps)."""
        self._last_kick = self._clock()

    def silent_for(self) -> float:
        """Seconds since the last kick."""
        return self._clock() - self._last_kick

    def ready(self, status: str | None = None, describe: Callable[[], str] | None = None) -> None:
        """Start-up is complete: ``READY=1``, then keep the watchdog fed while the worker kicks.

        ``describe`` (e.g. the session's state) is asked at every ping; a changed answer is
        sent as the new ``STATUS=`` line.
        """
        self.kick()
        self._describe = describe
        self._shown = status or ""
        self.notifier.send("READY=1", *([status_line(status)] if status else []))
        if self.enabled and self._thread is None:
            self._thread = threading.Thread(target=self._feed, name="watchdog", daemon=True)
            self._thread.start()

    def status(self, text: str) -> None:
        """A one-line status for ``systemctl status``."""
        self.notifier.send(status_line(text))

    def stopping(self, status: str | None = "stopping") -> None:
        """Shutdown has begun: ``STOPPING=1`` (once); no more pings."""
        self._halt()
        if not self._stopping:
            self._stopping = True
            self.notifier.send("STOPPING=1", *([status_line(status)] if status else []))

    def close(self) -> None:
        self._halt()
        self.notifier.close()

    def _halt(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

    def _feed(self) -> None:
        period = self.interval_s / 2
        while True:
            silent = self.silent_for()
            if silent < self.stall_after_s:
                if self.stalled:
                    log.warning("the worker loop is alive again after %.1f s; watchdog pings resume", silent)
                    self.status("running")
                self.stalled = False
                self.notifier.send("WATCHDOG=1", *self._changed_status())
            elif not self.stalled:
                self.stalled = True
                log.error(
                    "the worker loop has been silent for %.1f s (hung device read?): watchdog pings stop, "
                    "systemd will restart the service",
                    silent,
                )
                self.status(f"stalled: worker loop silent for {silent:.0f} s, waiting for the watchdog")
            if self._stop.wait(period):
                return

    def _changed_status(self) -> list[str]:
        if self._describe is None:
            return []
        try:
            text = self._describe()
        except Exception as exc:  # a status line is never worth a missed ping
            log.debug("watchdog status callback failed: %s", exc)
            return []
        if text == self._shown:
            return []
        self._shown = text
        return [status_line(text)]
