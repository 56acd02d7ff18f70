"""The appliance session: the one owner of the hardware, and its state machine.

    idle ──press──► sweeping (RF, then optical) ──► results ──long press──► tracking
      ▲                 │ cancel / dongle lost: partial results kept          │
      └──── error ◄─────┘ (radio absent, camera absent: shown, recoverable)   ┘ press: back

Commands (from the button, the web UI, the CLI) are accepted from any thread and run on one
worker thread, which is also the loop that feeds the systemd watchdog: if a USB read hangs
there, the heartbeats stop and systemd restarts the daemon. Every sweep is stored as it goes, so
a crash loses at most the sweep in progress (marked interrupted at the next start).
"""

from __future__ import annotations

import contextlib
import enum
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from appliance import baseline, optical, picture_stage, report, rf_sweep
from appliance.ble_stage import BleStage
from appliance.config import Config
from appliance.events import EventBus
from appliance.feedback import Feedback
from appliance.store import Store, is_storage_failure
from appliance.tracking import LevelUpdate, Target, track
from appliance.wifi_stage import WifiStage
from appliance.wifi_tracking import WifiTarget, track_wifi
from dsp import plan as planmod
from hw.errors import HardwareError, RadioError
from hw.radio import TUNER_RANGE_HZ, Radio

log = logging.getLogger(__name__)

HOP_POINTS = 4  # hop spectra are max-pooled by this factor before they go to watchers


class State(enum.StrEnum):
    IDLE = "idle"
    SWEEPING = "sweeping"
    RESULTS = "results"
    TRACKING = "tracking"
    ERROR = "error"


class SessionBusy(Exception):
    """A command that needs the hardware arrived while another job holds it."""


class AdapterClaimed(SessionBusy):
    """Something outside the session holds the Wi-Fi adapter (the opt-in network scan); the message says what."""


@dataclass
class _Run:
    """The state of one sweep while it runs: its row, its parts so far, what could not be stored."""

    plan: planmod.Plan
    started: float  # time.monotonic()
    sweep_id: int | None = None
    rf: dict[str, Any] | None = None  # report.rf_part
    rf_error: str | None = None  # the radio could not be opened
    optical: dict[str, Any] | None = None  # report.optical_part
    wifi: dict[str, Any] | None = None  # report.wifi_part
    ble: dict[str, Any] | None = None  # report.ble_part
    pictures: dict[str, Any] | None = None  # report.picture_part
    storage_problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Job:
    kind: str  # "sweep" | "track"
    params: dict[str, Any]


class Session:
    """The state machine over one rig's hardware; ``rig`` is an ``appliance.rig.Rig``."""

    def __init__(
        self,
        *,
        rig: Any,
        store: Store,
        config: Config,
        feedback: Feedback | None = None,
        heartbeat: Callable[[], Any] | None = None,
    ) -> None:
        self.rig = rig
        self.adapter_claim: Callable[[], str | None] | None = None  # the daemon's: the network scan holds the adapter
        self.store = store
        self.config = config
        self.feedback = feedback
        self._heartbeat = heartbeat or (lambda: None)
        self.source = rig.source
        self.events = EventBus()
        self._lock = threading.RLock()
        self._state = State.IDLE
        self._message = ""
        self._radio: Radio | None = None
        self._cancel = threading.Event()
        self._jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=1)
        self._current_sweep: int | None = None
        self._tracking_target: Target | WifiTarget | None = None
        self._closing = False
        self._publish_state()
        if feedback is not None:
            feedback.ready()
        self._worker = threading.Thread(target=self._work, name="session", daemon=True)
        self._worker.start()

    @property
    def config(self) -> Config:
        return self._config

    @config.setter
    def config(self, value: Config) -> None:
        """New settings apply from the next job, to the session and the hardware it opens."""
        self._config = value
        self.rig.settings = value

    # --- state ------------------------------------------------------------------------------

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def _set_state(self, state: State, message: str = "") -> None:
        with self._lock:
            self._state = state
            self._message = message
        self._publish_state()

    def _publish_state(self) -> None:
        with self._lock:
            data = {"state": self._state.value, "message": self._message, "sweep_id": self._current_sweep}
            target = self._tracking_target
            if isinstance(target, WifiTarget) and self._state is State.TRACKING:
                data["target"] = target.to_json()
            elif target is not None and self._state is State.TRACKING:
                data["target"] = {"freq_hz": target.freq_hz, "bandwidth_hz": target.bandwidth_hz, "label": target.label}
        self.events.publish("state", data)

    def status(self) -> dict[str, Any]:
        with self._lock:
            progress = self.events.latest("progress")
            return {
                "state": self._state.value,
                "message": self._message,
                "sweep_id": self._current_sweep,
                "progress": progress.data if progress and self._state is State.SWEEPING else None,
                "source": self.source,
            }

    # --- commands (any thread) --------------------------------------------------------------------

    def start_sweep(
        self, *, ranges: tuple[tuple[float, float], ...] | None = None, optical: bool | None = None
    ) -> None:
        """Queue a sweep; raises SessionBusy while a sweep or tracking holds the hardware."""
        self._check_claims()
        with self._lock:
            if self._state in (State.SWEEPING, State.TRACKING) or not self._jobs.empty():
                raise SessionBusy(f"busy: {self._state.value}")
            self._cancel.clear()
            self._state = State.SWEEPING
            self._message = "starting"
            self._jobs.put_nowait(_Job("sweep", {"ranges": ranges, "optical": optical}))
        self._publish_state()

    def start_tracking(self, target: Target | WifiTarget) -> None:
        self._check_claims()
        with self._lock:
            if self._state in (State.SWEEPING, State.TRACKING) or not self._jobs.empty():
                raise SessionBusy(f"busy: {self._state.value}")
            self._cancel.clear()
            self._tracking_target = target
            self._state = State.TRACKING
            self._jobs.put_nowait(_Job("track", {"target": target}))
        self._publish_state()

    def _check_claims(self) -> None:
        """``adapter_claim`` (set by the daemon: the network scan's) says when the Wi-Fi adapter is taken."""
        reason = self.adapter_claim() if self.adapter_claim is not None else None
        if reason:
            raise AdapterClaimed(reason)

    def cancel(self) -> bool:
        """Cancel a sweep or stop tracking; False when there was nothing to stop."""
        with self._lock:
            if self._state not in (State.SWEEPING, State.TRACKING):
                return False
            self._cancel.set()
            return True

    def top_target(self) -> Target | WifiTarget | None:
        """The top suspect of the newest finished sweep when it is a Wi-Fi device (a camera that sees the
        device heads the suspects), else its top radio suspect (or its most camera-like emitter)."""
        for record in self.store.sweeps(limit=5):
            if record.status == "running":
                continue
            wifi = wifi_target((record.summary or {}).get("suspects") or [], (record.summary or {}).get("wifi"))
            if wifi is not None:
                return wifi
            emitters = self.store.emitters(record.id)
            if not emitters:
                return None
            return target_for(max(emitters, key=lambda e: (e["camera_score"], e.get("power_dbfs") or -999.0)))
        return None

    # --- the button -----------------------------------------------------------------------------

    def short_press(self) -> None:
        """Start a sweep; during a sweep cancel it; during tracking stop."""
        if self.cancel():
            return
        with contextlib.suppress(SessionBusy):
            self.start_sweep()

    def long_press(self) -> None:
        """Enter or leave proximity tracking of the top suspect."""
        if self.state is State.TRACKING:
            self.cancel()
            return
        target = self.top_target()
        if target is None:
            self._set_state(self.state, "nothing to track yet: run a sweep first")
            if self.feedback is not None:
                self.feedback.fault()
            return
        with contextlib.suppress(SessionBusy):
            self.start_tracking(target)

    # --- the worker ---------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._closing:
            self._heartbeat()
            try:
                job = self._jobs.get(timeout=1.0)
            except queue.Empty:
                continue
            if job is None:
                return
            try:
                if job.kind == "sweep":
                    self._run_sweep(**job.params)
                else:
                    self._run_tracking(**job.params)
            except Exception as exc:  # a bug must not kill the appliance: show it, keep going
                log.exception("job %s failed", job.kind)
                self._fault(f"internal error: {exc}")

    def _fault(self, message: str) -> None:
        # the panel first: whoever sees the ERROR state sees the LEDs already saying so
        if self.feedback is not None:
            self.feedback.fault()
        self.events.publish("error", {"message": message})
        self._set_state(State.ERROR, message)

    def _radio_for_job(self) -> Radio:
        if self._radio is None:
            self._radio = self.rig.open_radio()
        return self._radio

    def _drop_radio(self) -> None:
        if self._radio is not None:
            try:
                self._radio.close()
            except Exception:  # a lost dongle may not close cleanly; we reopen next time anyway
                log.debug("closing the radio failed", exc_info=True)
            self._radio = None

    def _plan(self, ranges: tuple[tuple[float, float], ...] | None) -> planmod.Plan:
        if ranges is None:
            custom = self.config["sweep.ranges"]
            ranges = (
                planmod.parse_ranges(custom) if custom else planmod.preset(self.config["sweep.preset"], TUNER_RANGE_HZ)
            )
        return planmod.make_plan(ranges, tuning_range=TUNER_RANGE_HZ)

    def _persist(self, what: str, action: Callable[[], Any], problems: list[str]) -> Any:
        """Run a storage action; a full or failing SD card is reported, never fatal to the sweep."""
        try:
            return action()
        except (sqlite3.Error, OSError) as exc:
            message = f"storage: could not save the {what} ({exc})"
            if is_storage_failure(exc):
                message += f": {self.store.explain(exc)}"
            log.error(message)
            if message not in problems:
                problems.append(message)
            return None

    def _run_sweep(self, ranges: tuple[tuple[float, float], ...] | None, optical: bool | None) -> None:
        """One sweep: begin (stored as running), RF, optical, then judged, stored and announced once."""
        run = self._begin(self._plan(ranges))
        wifi = self._wifi_start()
        bluetooth = self._ble_start()
        self._radio_part(run)
        run.wifi = self._wifi_join(wifi)
        run.ble = self._ble_join(bluetooth)
        if self.config["sweep.picture"] and not self._cancel.is_set():
            self._picture_part(run)  # after the Wi-Fi stage: both blink the LED ring
        want_optical = self.config["sweep.optical"] if optical is None else optical
        if want_optical and not self._cancel.is_set():
            self._optical_part(run)
        self._finish(run)

    def _begin(self, plan: planmod.Plan) -> _Run:
        run = _Run(plan=plan, started=time.monotonic())  # durations survive a wall-clock jump (no RTC)
        self._retention()  # make room first: a full card would lose this sweep
        run.sweep_id = self._persist(
            "sweep", lambda: self.store.begin_sweep(self.source, report.pending(plan)), run.storage_problems
        )
        with self._lock:
            self._current_sweep = run.sweep_id
        self._set_state(State.SWEEPING, "RF sweep")
        if self.feedback is not None:
            self.feedback.sweeping()
        return run

    def _radio_part(self, run: _Run) -> None:
        """The RF stage; what it measured is kept as the document's RF part, its IQ dropped."""
        ranges = [list(r) for r in run.plan.ranges]
        self.events.publish(
            "progress",
            {
                "stage": "rf",
                "percent": 0.0,
                "hop": 0,
                "hops": len(run.plan.hops),
                "elapsed_s": 0.0,
                "ranges_hz": ranges,
            },
        )
        try:
            radio = self._radio_for_job()
        except HardwareError as exc:
            run.rf_error = str(exc)
            return
        result = self._rf_stage(radio, run.plan, run.started)
        if run.sweep_id is not None:
            spectrum, sweep_id = result.spectrum, run.sweep_id
            self._persist(
                "spectrum",
                lambda: self.store.save_spectrum(sweep_id, spectrum.freqs, spectrum.mean, spectrum.peak),
                run.storage_problems,
            )
        run.rf = report.rf_part(result)
        if result.error:
            self._drop_radio()  # reopen next time: the dongle may come back
        for emitter in sorted(run.rf["emitters"], key=lambda e: -e["camera_score"]):
            self.events.publish("emitter", emitter)
        # the result's IQ and spectra go here: the optical stage needs the memory more (1 GB Pi)

    def _wifi_start(self) -> WifiStage | None:
        """The Wi-Fi sweep on its own thread (None when switched off in the settings)."""
        if not self.config["sweep.wifi"]:
            return None
        stage = WifiStage(
            self.rig, self.config, publish=self.events.publish, cancel=self._cancel, feedback=self.feedback
        )
        stage.start()
        return stage

    def _wifi_join(self, stage: WifiStage | None) -> dict[str, Any] | None:
        if stage is None:
            return None
        if stage.part is None:
            self._set_state(State.SWEEPING, "Wi-Fi sweep")
        part = stage.join(self._heartbeat)
        for device in (part or {}).get("devices", []):
            if device["suspect"]:
                self.events.publish("wifi", device)
        return part

    def _ble_start(self) -> BleStage | None:
        """The BLE scan on its own thread (None when switched off in the settings)."""
        if not self.config["sweep.ble"]:
            return None
        stage = BleStage(self.rig, self.config, publish=self.events.publish, cancel=self._cancel)
        stage.start()
        return stage

    def _ble_join(self, stage: BleStage | None) -> dict[str, Any] | None:
        if stage is None:
            return None
        if stage.part is None:
            self._set_state(State.SWEEPING, "Bluetooth scan")
        return stage.join(self._heartbeat)

    def _picture_part(self, run: _Run) -> None:
        """Each analog camera suspect's picture (stored with the sweep) and whether it sees the device."""
        if run.rf is None or run.rf["cancelled"] or self._radio is None:
            return
        emitters = run.rf["emitters"]
        if not picture_stage.camera_indices(emitters):
            return
        self._set_state(State.SWEEPING, "camera pictures")

        def progress(fraction: float, freq_hz: float) -> None:
            self._heartbeat()
            event = {"stage": "picture", "percent": round(100 * fraction, 1)}
            if freq_hz:
                event["freq_hz"] = freq_hz
            self.events.publish("progress", event)

        outcome = picture_stage.run(
            self._radio,
            lambda: self.rig.illuminator,
            emitters,
            picture_s=self.config["picture.seconds"],
            confirm_s=self.config["confirm.seconds"],
            rng=np.random.default_rng(),
            progress=progress,
            cancel=self._cancel,
        )
        if outcome.radio_lost:
            self._drop_radio()
        for shot in outcome.shots:
            if shot.png and shot.picture and run.sweep_id is not None:
                sweep_id, name, data = run.sweep_id, shot.picture["file"], shot.png
                self._persist(
                    "camera picture",
                    lambda: self.store.add_file(sweep_id, "picture", name, data),  # noqa: B023 (called at once)
                    run.storage_problems,
                )
        run.pictures = report.picture_part(emitters, outcome)

    def _optical_part(self, run: _Run) -> None:
        if run.rf is not None and run.rf["cancelled"]:
            return
        self._set_state(State.SWEEPING, "optical sweep")

        def progress(fraction: float) -> None:
            self._heartbeat()
            self.events.publish("progress", {"stage": "optical", "percent": round(100 * fraction, 1)})

        scan = optical.scan_room(self.rig, pairs=self.config["optical.pairs"], progress=progress, cancel=self._cancel)
        run.optical = report.optical_part(scan)
        image = scan.annotated_jpeg()
        del scan  # its frames
        if image and run.sweep_id is not None:
            sweep_id = run.sweep_id
            self._persist(
                "glint photo",
                lambda: self.store.add_file(sweep_id, "image", optical.ANNOTATION_NAME, image),
                run.storage_problems,
            )
        for finding in run.optical["findings"]:
            self.events.publish("finding", finding)

    def _finish(self, run: _Run) -> None:
        """Judge the sweep (suspects, the baseline in force, status) once, store it, say it."""
        reference = self._persist("baseline", lambda: baseline.latest(self.store), run.storage_problems)
        doc = report.sweep_document(
            run.plan,
            rf=run.rf,
            rf_error=run.rf_error,
            optical=run.optical,
            wifi=run.wifi,
            ble=run.ble,
            pictures=run.pictures,
            reference=reference,
            rise_db=self.config["sweep.baseline_rise_db"],
            cancelled=self._cancel.is_set(),
            wall_time_s=time.monotonic() - run.started,
        )
        errors = [e for e in (doc["error"], *doc["problems"], (doc["optical"] or {}).get("error")) if e]
        if (doc["wifi"] or {}).get("status") == "partial":
            errors += [f"Wi-Fi: {p}" for p in doc["wifi"]["problems"] or [doc["wifi"]["error"]] if p]
        if (doc["ble"] or {}).get("status") == "partial":
            errors += [f"Bluetooth: {p}" for p in doc["ble"]["problems"] or [doc["ble"]["error"]] if p]
        errors += [f"camera pictures: {p}" for p in (doc["pictures"] or {}).get("problems", [])]
        if run.sweep_id is not None:
            sweep_id = run.sweep_id
            self._persist(
                "results",
                lambda: self.store.finish_sweep(sweep_id, doc, error="; ".join(errors) or None),
                run.storage_problems,
            )
            self._retention()
        status, storage = doc["status"], run.storage_problems
        saved = run.sweep_id is not None and not storage
        self.events.publish(
            "result",
            {
                "sweep_id": run.sweep_id,
                "status": status,
                "summary": report.head(doc),
                "saved": saved,
                "storage": storage,
            },
        )
        if status == "failed":
            self._fault("; ".join(errors + storage))
            return
        message = {"complete": "done", "cancelled": "cancelled", "partial": "partly measured: " + "; ".join(errors)}
        if storage:  # the results were shown but could not be kept: say so loudly
            self.events.publish("error", {"message": "; ".join(storage)})
            if self.feedback is not None:
                self.feedback.fault()
            self._set_state(State.RESULTS, f"{message[status]}; NOT SAVED: {storage[0]}")
            return
        if self.feedback is not None:  # the LEDs first: whoever sees the state sees them already
            counted = doc["counts"]
            self.feedback.results(counted["suspects"], partial=status == "partial", confirmed=counted["sees_device"])
        self._set_state(State.RESULTS, message[status])

    def _rf_stage(self, radio: Radio, plan: planmod.Plan, started: float) -> rf_sweep.SweepResult:
        """``started`` is a time.monotonic() reading."""
        ranges = [list(r) for r in plan.ranges]  # in every RF progress event: a page that joins late can lay out

        def on_hop(hop: rf_sweep.HopDone) -> None:
            self._heartbeat()
            pooled = _pool(hop.level_dbfs, HOP_POINTS)
            step = hop.freqs[1] - hop.freqs[0] if hop.freqs.size > 1 else plan.bin_hz
            self.events.publish(
                "hop",
                {
                    "hop": hop.hop,
                    "f0_hz": float(hop.freqs[0] + step * (HOP_POINTS - 1) / 2),
                    "df_hz": float(step * HOP_POINTS),
                    "dbfs": [round(float(v), 1) for v in pooled],
                },
            )
            self.events.publish(
                "progress",
                {
                    "stage": "rf",
                    "percent": round(100 * hop.fraction, 1),
                    "freq_hz": hop.center_hz,
                    "hop": hop.hop + 1,
                    "hops": hop.hops,
                    "elapsed_s": round(time.monotonic() - started, 1),
                    "ranges_hz": ranges,
                },
            )

        def on_stage(stage: str, fraction: float) -> None:
            """One event per closer look: the page shows which stage and how far into it."""
            self._heartbeat()
            elapsed = round(time.monotonic() - started, 1)
            self.events.publish("progress", {"stage": stage, "percent": round(100 * fraction, 1), "elapsed_s": elapsed})

        return rf_sweep.sweep(radio, plan, on_hop=on_hop, on_stage=on_stage, cancel=self._cancel)

    def _run_tracking(self, target: Target | WifiTarget) -> None:
        """Hot/cold on a radio emitter (band level) or a Wi-Fi device (RSSI, in dBm) until cancelled."""
        wifi = isinstance(target, WifiTarget)
        with self._lock:
            self._tracking_target = target
        self._set_state(State.TRACKING, target.label or (target.mac if wifi else f"{target.freq_hz / 1e6:.3f} MHz"))
        unit = {"unit": "dBm"} if wifi else {}

        def on_update(update: LevelUpdate) -> None:
            self.events.publish("tracking", {**update.to_json(), **unit})
            if self.feedback is not None:
                self.feedback.tracking(update.proximity)

        options = {
            "rate_hz": self.config["tracking.rate_hz"],
            "smoothing_s": self.config["tracking.smoothing_s"],
            "on_update": on_update,
            "stop": self._cancel,
            "heartbeat": self._heartbeat,
        }
        try:
            if wifi:
                capture = self.rig.open_wifi()
                try:
                    track_wifi(capture, target, **options)
                finally:
                    capture.close()
            else:
                track(self._radio_for_job(), target, **options)
        except HardwareError as exc:
            if isinstance(exc, RadioError):
                self._drop_radio()
            self._fault(str(exc))
            return
        self._set_state(State.RESULTS if self.store.sweeps(limit=1) else State.IDLE, "tracking stopped")
        if self.feedback is not None:
            self.feedback.ready()

    def _retention(self) -> None:
        try:
            self.store.enforce_retention(
                max_sweeps=self.config["storage.max_sweeps"],
                max_bytes=self.config["storage.max_mb"] * 1_000_000,
                min_free_bytes=self.config["storage.min_free_mb"] * 1_000_000,
                keep_newest=self.config["storage.keep_newest"],
            )
        except (OSError, sqlite3.Error) as exc:  # disk trouble must not fail the sweep itself
            log.warning("retention failed: %s", exc)

    def close(self) -> None:
        self._closing = True
        self._cancel.set()
        with contextlib.suppress(queue.Full):
            self._jobs.put_nowait(None)
        self._worker.join(timeout=10)
        self._drop_radio()


def wifi_target(suspects: list[dict[str, Any]], wifi: dict[str, Any] | None) -> WifiTarget | None:
    """The hot/cold target for the document's first suspect, when that is a Wi-Fi device on a known channel."""
    if not suspects or suspects[0]["part"] != "wifi" or not wifi:
        return None
    device = wifi["devices"][suspects[0]["index"]]
    if device.get("channel_mhz") is None:
        return None
    return WifiTarget(device["mac"], int(device["channel_mhz"]), label=f"Wi-Fi {device['kind']} {device['mac']}")


def target_for(emitter: dict[str, Any]) -> Target:
    """The stored emitter as a tracking target; its floor (level minus SNR) is the sweep's noise per bin."""
    label = f"{emitter['freq_hz'] / 1e6:.3f} MHz {emitter['kind']}"
    power, snr = emitter.get("power_dbfs"), emitter.get("snr_db")
    floor = power - snr if power is not None and snr is not None else None
    width = max(emitter["bandwidth_hz"], 25e3)
    return Target(freq_hz=emitter["freq_hz"], bandwidth_hz=width, label=label, floor_dbfs=floor)


def _pool(values: np.ndarray, factor: int) -> np.ndarray:
    """Max-pool a hop's levels so the live spectrum stays small without hiding peaks."""
    n = values.size // factor * factor
    head = values[:n].reshape(-1, factor).max(axis=1)
    return np.append(head, values[n:].max()) if n < values.size else head
