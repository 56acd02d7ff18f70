"""The session's Wi-Fi stage: the Wi-Fi sweep on its own adapter and thread, beside the RF survey.

The adapter and the RTL-SDR are separate hardware, so the Wi-Fi sweep runs *while* the RF sweep runs; the
session waits for it before the optical stage (both use the LED ring). No adapter is a state, not a failure:
the document's Wi-Fi part says "off" and why. A pulled adapter makes the part partial; the rest goes on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from appliance import report, wifi_sweep
from hw.errors import WifiError

log = logging.getLogger(__name__)


class WifiStage:
    """``start()`` opens the capture and runs the sweep on a thread; ``join()`` gives the document's part."""

    def __init__(
        self,
        rig: Any,
        config: Any,
        *,
        publish: Callable[[str, dict[str, Any]], None],
        cancel: threading.Event,
        feedback: Any = None,
    ) -> None:
        self.rig = rig
        self.config = config
        self.publish = publish
        self.cancel = cancel
        self.feedback = feedback
        self._lit: bool | None = None
        self.part: dict[str, Any] | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            capture = self.rig.open_wifi()
        except WifiError as exc:
            log.info("wifi: %s", exc)
            self.part = report.wifi_part(off=str(exc))
            return
        self.rig.wifi_problem = None
        self.publish("progress", {"stage": "wifi", "percent": 0.0, "phase": "survey"})
        self._thread = threading.Thread(target=self._run, args=(capture,), name="wifi", daemon=True)
        self._thread.start()

    def _run(self, capture: Any) -> None:
        def progress(phase: str, fraction: float, details: dict[str, Any]) -> None:
            self.publish("progress", {"stage": "wifi", "percent": round(100 * fraction, 1), "phase": phase, **details})

        try:
            sweep = wifi_sweep.WifiSweep(
                capture,
                wifi_sweep.WifiPlan.from_settings(self.config),
                stimulator=self.prompt_light if self.config["wifi.stimulus"] == "lights" else self.rig.illuminator.set,
                exclude=self.rig.own_addresses(),
                progress=progress,
                cancel=self.cancel,
            )
            outcome = sweep.run()
            self.part = report.wifi_part(outcome.to_json())
            if outcome.problems:
                self.rig.wifi_problem = "; ".join(outcome.problems)
        except Exception as exc:  # a bug here must not take the RF and optical results with it
            log.exception("wifi stage failed")
            self.part = {**report.wifi_part(off=f"the Wi-Fi sweep failed: {exc}"), "status": "partial"}
        finally:
            capture.close()

    def prompt_light(self, on: bool) -> None:
        """The "lights" stimulus: ask the user, on the phone and by the buzzer, at each change of state."""
        if on == self._lit:
            return
        self._lit = on
        text = "Switch the room light ON now" if on else "Switch the room light OFF now"
        self.publish("prompt", {"stage": "wifi", "text": text, "light_on": on})
        if self.feedback is not None:
            self.feedback.prompt_light(on)

    def join(self, heartbeat: Callable[[], Any]) -> dict[str, Any] | None:
        """Wait for the sweep (feeding the watchdog meanwhile); the document's Wi-Fi part."""
        while self._thread is not None and self._thread.is_alive():
            heartbeat()
            self._thread.join(timeout=0.5)
        return self.part
