"""Raspberry Pi power and heat: the firmware's under-voltage/throttling flags and the SoC temperature.

A weak power supply is the commonest fault of a Pi appliance and shows up elsewhere as a
dongle that drops off the USB bus mid-sweep; heat slows every sweep down. The firmware keeps
both as bit flags, "now" in bits 0–3 and "has happened since boot" in bits 16–19 (Raspberry Pi
documentation, ``vcgencmd get_throttled``), readable without privileges from sysfs (the kernel
prints them in hex). Off a Pi everything answers "unknown" and nothing raises.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# where the Raspberry Pi kernel's firmware driver exposes the flags (Pi 0–4: soc/soc:firmware)
THROTTLED_GLOBS = (
    "devices/platform/soc/soc:firmware/get_throttled",
    "devices/platform/soc@*/*:firmware/get_throttled",
    "devices/platform/*firmware*/get_throttled",
)
FLAGS = {
    0: "under-voltage",
    1: "ARM frequency capped",
    2: "throttled",
    3: "soft temperature limit",
}
SINCE_BOOT_SHIFT = 16
HOT_C = 75.0  # warn before the firmware starts throttling ...
THROTTLE_C = 80.0  # ... at 80 °C (Pi 4 and 5)


@dataclass(frozen=True)
class Throttling:
    raw: int
    now: tuple[str, ...]
    since_boot: tuple[str, ...]


def decode_throttled(raw: int) -> Throttling:
    return Throttling(
        raw=raw,
        now=tuple(name for bit, name in FLAGS.items() if raw >> bit & 1),
        since_boot=tuple(name for bit, name in FLAGS.items() if raw >> (bit + SINCE_BOOT_SHIFT) & 1),
    )


def read_throttled(sys_root: Path = Path("/sys"), vcgencmd: str | None = "vcgencmd") -> int | None:
    """The firmware's flags from sysfs, else from ``vcgencmd get_throttled``; None off a Pi."""
    for pattern in THROTTLED_GLOBS:
        for path in sorted(sys_root.glob(pattern)):
            try:
                return int(path.read_text().strip().removeprefix("0x"), 16)
            except (OSError, ValueError) as exc:
                log.debug("cannot read %s: %s", path, exc)
    tool = shutil.which(vcgencmd) if vcgencmd else None
    if tool is None:
        return None
    try:
        out = subprocess.run([tool, "get_throttled"], capture_output=True, text=True, timeout=3, check=True).stdout
        return int(out.strip().split("=", 1)[1], 16)  # "throttled=0x50005"
    except (OSError, subprocess.SubprocessError, IndexError, ValueError) as exc:
        log.debug("vcgencmd get_throttled failed: %s", exc)
        return None


def read_temperature(sys_root: Path = Path("/sys")) -> float | None:
    """The SoC's temperature in °C (the ``cpu-thermal`` zone, else the first zone); None if unknown."""
    zones = sorted(sys_root.glob("class/thermal/thermal_zone*"))
    for zone in sorted(zones, key=lambda z: _zone_type(z) != "cpu-thermal"):
        try:
            return int((zone / "temp").read_text().strip()) / 1000.0
        except (OSError, ValueError):
            continue
    return None


def _zone_type(zone: Path) -> str:
    try:
        return (zone / "type").read_text().strip()
    except OSError:
        return ""


def status(sys_root: Path = Path("/sys"), vcgencmd: str | None = "vcgencmd") -> dict[str, Any]:
    """Power and heat for the device page: readings plus plain-language ``warnings``."""
    raw = read_throttled(sys_root, vcgencmd)
    temperature = read_temperature(sys_root)
    doc: dict[str, Any] = {
        "state": "unknown",
        "temperature_c": None if temperature is None else round(temperature, 1),
        "throttled": None,
        "now": [],
        "since_boot": [],
        "warnings": [],
    }
    if raw is None:  # not a Pi (or its firmware interface is hidden): report what we have, judge nothing
        return doc
    flags = decode_throttled(raw)
    doc.update(throttled=f"0x{raw:x}", now=list(flags.now), since_boot=list(flags.since_boot))
    doc["warnings"] = _warnings(flags, temperature)
    doc["state"] = "warning" if doc["warnings"] else "ok"
    return doc


def _warnings(flags: Throttling, temperature: float | None) -> list[str]:
    warnings = []
    if "under-voltage" in flags.now:
        warnings.append(
            "under-voltage now: the power supply or its cable is too weak (a Pi 4 needs 5 V 3 A, a Pi 5 5 V 5 A); "
            "the RTL-SDR may drop out"
        )
    elif "under-voltage" in flags.since_boot:
        warnings.append("under-voltage happened since boot: check the power supply if the dongle dropped out")
    slowed = [f for f in ("throttled", "ARM frequency capped", "soft temperature limit") if f in flags.now]
    if slowed:
        warnings.append(f"CPU slowed down now ({', '.join(slowed)}): sweeps take longer")
    if temperature is not None and temperature >= THROTTLE_C:
        warnings.append(
            f"SoC at {temperature:.0f} °C: the Pi throttles from {THROTTLE_C:.0f} °C; give it air or a heatsink"
        )
    elif temperature is not None and temperature >= HOT_C:
        warnings.append(f"SoC at {temperature:.0f} °C: close to the {THROTTLE_C:.0f} °C throttling point")
    return warnings


class PowerMonitor:
    """Checks every ``interval_s`` in the background and logs each warning when it appears;
    :meth:`check` is also the device page's probe (``Appliance.probes``)."""

    def __init__(
        self, sys_root: Path = Path("/sys"), vcgencmd: str | None = "vcgencmd", interval_s: float = 30.0
    ) -> None:
        self.sys_root, self.vcgencmd, self.interval_s = sys_root, vcgencmd, interval_s
        self._active: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> dict[str, Any]:
        doc = status(self.sys_root, self.vcgencmd)
        current = set(doc["warnings"])
        with self._lock:
            appeared, cleared = current - self._active, self._active - current
            self._active = current
        for warning in sorted(appeared):
            log.warning("power/heat: %s", warning)
        for warning in sorted(cleared):
            log.info("power/heat cleared: %s", warning)
        return doc

    def start(self) -> PowerMonitor:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="power-monitor", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while True:
            try:
                self.check()
            except Exception:  # a monitor must never take the daemon down
                log.exception("power/heat check failed")
            if self._stop.wait(self.interval_s):
                return

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
