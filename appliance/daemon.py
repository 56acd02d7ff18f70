"""The appliance as one object: session + store + settings + device status, as the web UI sees it.

``build()`` wires it for ``roomsweep serve`` / ``roomsweep demo``: the hardware comes from
``appliance.rig`` (the Pi's devices, or the simulated room on gpiozero's mock pins), chosen once.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from appliance import config as cfg
from appliance import rig as rigmod
from appliance import startup
from appliance.feedback import Feedback
from appliance.lan_job import LanJob
from appliance.session import Session
from appliance.store import Store
from hw.thermal import PowerMonitor

log = logging.getLogger(__name__)

Probe = Callable[[], dict[str, Any]]


def version() -> str:
    try:
        return metadata.version("roomsweep")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        return "unknown"


@dataclass
class Appliance:
    session: Session
    store: Store
    settings: cfg.Config
    admin_secret: str
    data_dir: Path
    simulated: bool = False
    config_error: str | None = None  # the settings file was unusable: defaults are in force
    warnings: list[str] = field(default_factory=list)  # from a degraded start (appliance.startup)
    ui_addresses: list[str] = field(default_factory=list)
    probes: dict[str, Probe] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
    closers: list[Any] = field(default_factory=list)  # closed after the session, in order
    lan: LanJob | None = None  # the phone's opt-in "Scan the room's Wi-Fi"
    _settings_lock: threading.Lock = field(default_factory=threading.Lock)

    def update_settings(self, changes: dict[str, Any]) -> cfg.Config:
        """Validate and store web UI edits; the session uses the new values from its next job."""
        with self._settings_lock:
            valid = cfg.validate_update(self.settings, changes)
            self.store.set_settings(valid)
            self.settings = cfg.load(self.settings.path, ui=self.store.settings())
            self.session.config = self.settings
            return self.settings

    def reset_settings(self, keys: list[str] | None = None) -> cfg.Config:
        with self._settings_lock:
            self.store.reset_settings(keys)
            self.settings = cfg.load(self.settings.path, ui=self.store.settings())
            self.session.config = self.settings
            return self.settings

    def device_status(self) -> dict[str, Any]:
        """Radio, camera, temperature, disk: each probe answers for itself and never raises."""
        usage = shutil.disk_usage(self.data_dir)
        status: dict[str, Any] = {
            "version": version(),
            "simulated": self.simulated,
            "uptime_s": round(time.time() - self.started_at, 1),
            "config_error": self.config_error,
            "disk": {
                "used_by_roomsweep_bytes": self.store.disk_usage(),
                "free_bytes": usage.free,
                "total_bytes": usage.total,
            },
            "ui_addresses": self.ui_addresses,
        }
        warnings = []
        for name, probe in self.probes.items():
            try:
                status[name] = probe()
            except Exception as exc:  # a broken probe must not break the status page
                log.warning("device probe %s failed: %s", name, exc)
                status[name] = {"state": "unknown", "error": str(exc)}
            warnings.extend(status[name].get("warnings", []))
        if usage.free < self.settings["storage.min_free_mb"] * 1_000_000:
            warnings.append(f"SD card nearly full: {usage.free // 1_000_000} MB free")
        if self.config_error:
            warnings.append(f"settings file ignored: {self.config_error}")
        warnings.extend(self.warnings)
        status["warnings"] = warnings
        return status

    def close(self) -> None:
        self.session.close()
        for thing in self.closers:
            thing.close()
        self.store.close()


def _settings(config_path: Path, store: Store) -> tuple[cfg.Config, str | None]:
    """Settings, falling back (file, then web edits, then environment) rather than not starting.

    An appliance with no screen must come up even with a typo in its settings file; the error
    is shown on the device page and logged.
    """
    try:
        return cfg.load(config_path, ui=store.settings()), None
    except cfg.ConfigError as exc:
        error = str(exc)
    log.error("settings: %s; using defaults for the file's settings", error)
    for attempt in ({"ui": store.settings()}, {"ui": {}, "env": {}}):
        try:
            settings = cfg.load(None, **attempt)
            settings.path = config_path
            return settings, error
        except cfg.ConfigError as exc:
            error = f"{error}; {exc}"
    raise AssertionError("built-in defaults must always load")  # pragma: no cover


def build(
    *,
    hardware: rigmod.Choice,
    data_dir: Path,
    config_path: Path,
    admin_secret: str,
    heartbeat: Callable[[], Any] | None = None,
    power: PowerMonitor | None = None,
) -> Appliance:
    """Wire the appliance: the rig (real or simulated hardware, chosen once), store, settings, session.

    ``hardware`` is what the command line chose (``appliance.rig.Choice``); ``heartbeat`` is
    called from the session's worker loop (the systemd watchdog's kick);
    ``power`` watches the Pi's supply and temperature (a real one unless given).
    """
    power = power or PowerMonitor()
    with contextlib.suppress(OSError):  # a read-only card: the store says so
        data_dir.mkdir(parents=True, exist_ok=True)
    store, storage_warning = startup.open_store(data_dir)
    settings, config_error = _settings(config_path, store)
    rig = hardware.open(settings)
    panel, panel_error = rigmod.try_panel(rig)
    feedback = Feedback(panel) if panel is not None else None
    session = Session(rig=rig, store=store, config=settings, feedback=feedback, heartbeat=heartbeat)
    if panel is not None:
        panel.on_short_press = session.short_press
        panel.on_long_press = session.long_press

    def panel_probe() -> dict[str, Any]:
        if panel is None:
            return {"state": "unavailable", "error": panel_error, "warnings": [f"buttons and LEDs: {panel_error}"]}
        shown = feedback.history[-1].pattern if feedback and feedback.history else None
        return {"state": rig.pins, "showing": shown}

    appliance = Appliance(
        session=session,
        store=store,
        settings=settings,
        admin_secret=admin_secret,
        data_dir=data_dir,
        simulated=rig.simulated,
        config_error=config_error,
        probes={**rig.probes(), "panel": panel_probe, "power": power.check},
        warnings=[storage_warning] if storage_warning else [],
    )
    appliance.lan = LanJob(session, store)
    session.adapter_claim = appliance.lan.claim  # no sweep or tracking while the scan holds the adapter
    if storage_warning and feedback is not None:
        feedback.fault()  # the red LED: this box is not keeping what it finds
    appliance.closers.extend(c for c in (appliance.lan, feedback, panel, rig, power.start()) if c is not None)
    if store.interrupted_at_start:
        log.warning("%d sweep(s) were cut off by the last shutdown", store.interrupted_at_start)
    return appliance
