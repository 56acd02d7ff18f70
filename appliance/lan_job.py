"""The phone's "Scan the room's Wi-Fi": one opt-in network scan at a time, on its own thread, attached to
the latest finished sweep's document (``report.attach_lan``) and kept by the store.

The passphrase lives only in the call that joins (``Rig.lan_scan`` → ``GuestJoin``): it is not kept on the
job, not in its state, not in an event or a log line. Only while the session is idle or showing results,
since the scan borrows the Wi-Fi sweep's USB adapter.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from appliance import report
from hw.errors import RoomsweepError

log = logging.getLogger(__name__)

BUDGET_S = 45.0
FREE_STATES = ("idle", "results", "error")


class LanBusy(Exception):
    """A scan is already running, or the session is using the adapter (a sweep, tracking)."""


class LanJob:
    def __init__(self, session: Any, store: Any, *, budget_s: float = BUDGET_S) -> None:
        self.session = session
        self.store = store
        self.budget_s = budget_s
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._state: dict[str, Any] = {"state": "idle", "sweep_id": None, "ssid": None, "error": None,
                                       "started_at": None, "finished_at": None}  # fmt: skip

    def claim(self) -> str | None:
        """Why the session may not start a sweep or tracking now (the scan holds the Wi-Fi adapter), or None."""
        with self._lock:
            running = self._state["state"] == "running"
        return "a network scan of the room's Wi-Fi is using the Wi-Fi adapter; wait for it to end" if running else None

    def status(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._state)

    def start(self, ssid: str, passphrase: str | None) -> dict[str, Any]:
        """Begin a scan of ``ssid`` for the latest sweep; ``LanBusy`` when it cannot now (no finished
        sweep, a sweep or a scan running, the adapter in use)."""
        latest = self.store.sweeps(limit=1)
        if not latest:
            raise LanBusy("run a sweep first: the network scan is added to a finished sweep's results")
        if latest[0].status == "running":
            raise LanBusy("a sweep is running: the network scan is added to it once it has finished")
        with self._lock:
            if self._state["state"] == "running":
                raise LanBusy("a network scan is already running")
            if self.session.state.value not in FREE_STATES:
                raise LanBusy(f"the device is {self.session.state.value}; the scan needs the Wi-Fi adapter")
            sweep_id = latest[0].id
            self._state = {"state": "running", "sweep_id": sweep_id, "ssid": ssid, "error": None,
                           "started_at": time.time(), "finished_at": None}  # fmt: skip
            self._thread = threading.Thread(
                target=self._run, args=(sweep_id, ssid, passphrase), name="lan-scan", daemon=True
            )
            self._thread.start()
            return dict(self._state)

    def _run(self, sweep_id: int, ssid: str, passphrase: str | None) -> None:
        self.session.events.publish("lan", {"state": "running", "sweep_id": sweep_id})
        try:
            outcome = self.session.rig.lan_scan(ssid=ssid, passphrase=passphrase, budget_s=self.budget_s)
            part = report.lan_part(outcome.to_json())
            error = None
        except RoomsweepError as exc:  # join refused, no adapter, subnet too large: said on the page
            part, error = report.lan_part(off=str(exc)), str(exc)
        except Exception as exc:  # a bug must not leave the job "running" forever
            log.exception("network scan failed")
            part, error = report.lan_part(off=f"the scan failed: {exc}"), f"the scan failed: {exc}"
        del passphrase
        try:
            doc = self.store.document(sweep_id)
            if doc is not None:
                self.store.replace_head(sweep_id, report.attach_lan(doc, part))
        except Exception as exc:
            log.warning("could not keep the network scan with sweep %d: %s", sweep_id, exc)
            error = error or f"the scan ran but could not be kept: {exc}"
        with self._lock:
            self._state.update(state="failed" if error else "done", error=error, finished_at=time.time())
        self.session.events.publish("lan", {"state": self._state["state"], "sweep_id": sweep_id, "error": error})

    def join(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def close(self) -> None:
        self.join(1.0)
