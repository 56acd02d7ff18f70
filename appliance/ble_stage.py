"""The session's BLE stage: a few seconds of Bluetooth LE scanning on its own thread, beside the RF survey.

The Bluetooth adapter is its own hardware, so the scan runs while the RF sweep runs (the session waits for it
with the Wi-Fi stage, before the optical stage). No adapter is a state, not a failure: the document's BLE
part says "off" and why. An adapter pulled mid-scan makes the part partial with what was heard.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from appliance import ble_survey, report
from hw.errors import BleError

log = logging.getLogger(__name__)


class BleStage:
    """``start()`` opens the scanner and scans on a thread; ``join()`` gives the document's BLE part."""

    def __init__(
        self, rig: Any, config: Any, *, publish: Callable[[str, dict[str, Any]], None], cancel: threading.Event
    ) -> None:
        self.rig = rig
        self.config = config
        self.publish = publish
        self.cancel = cancel
        self.part: dict[str, Any] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            scanner = self.rig.open_ble()
        except BleError as exc:
            log.info("ble: %s", exc)
            self.part = report.ble_part(off=str(exc))
            return
        self.publish("progress", {"stage": "ble", "percent": 0.0})
        self._thread = threading.Thread(target=self._run, args=(scanner,), name="ble", daemon=True)
        self._thread.start()

    def _run(self, scanner: Any) -> None:
        def progress(fraction: float) -> None:
            self.publish("progress", {"stage": "ble", "percent": round(100 * fraction, 1)})

        try:
            outcome = ble_survey.survey(scanner, self.config["ble.seconds"], progress=progress, cancel=self.cancel)
            self.part = report.ble_part(outcome.to_json())
        except BleError as exc:  # no BlueZ behind the adapter: off, and why
            log.info("ble: %s", exc)
            self.part = report.ble_part(off=str(exc))
        except Exception as exc:  # a bug here must not take the RF and optical results with it
            log.exception("ble stage failed")
            self.part = {**report.ble_part(off=f"the BLE scan failed: {exc}"), "status": "partial"}
        finally:
            scanner.close()

    def join(self, heartbeat: Callable[[], Any]) -> dict[str, Any] | None:
        """Wait for the scan (feeding the watchdog meanwhile); the document's BLE part."""
        while self._thread is not None and self._thread.is_alive():
            heartbeat()
            self._thread.join(timeout=0.5)
        return self.part
