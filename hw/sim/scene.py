"""Scene files: the simulated room, validated strictly (unknown keys are an error).

Levels: ``noise_floor_dbfs`` and each emitter's ``power_dbfs`` are what the survey spectrum shows,
in dBFS per 9.375 kHz bin (2.4 MS/s / 256): a narrow emitter's total power, a wide emitter's
in-band level. See README "Scene files".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from hw.errors import SceneError
from hw.sim.ble_scene import parse_ble
from hw.sim.schema import NUMBER as _NUMBER
from hw.sim.schema import Field
from hw.sim.schema import check as _check
from hw.sim.schema import fields as _fields
from hw.sim.wifi_scene import parse_wifi

KINDS = ("analog-video", "fm-broadcast", "tdma", "lte", "ofdm", "burst", "carrier", "recording")
STANDARDS = ("PAL", "NTSC", "SECAM")
MAX_FREQ_HZ = 6e9  # scenes may hold 2.4/5.8 GHz emitters the RTL-SDR cannot see

_COMMON = {
    "kind": Field(str, choices=KINDS),
    "freq_hz": Field(_NUMBER, lo=1e3, hi=MAX_FREQ_HZ),
    "power_dbfs": Field(_NUMBER, lo=-150, hi=10),
    "label": Field(str, ""),
    # A level that changes with time, for proximity tracking: power rises (or falls) at this rate
    # from the start of the simulation until it reaches ``power_limit_dbfs``.
    "power_ramp_db_per_s": Field(_NUMBER, 0.0, lo=-100, hi=100),
    "power_limit_dbfs": Field(_NUMBER, 0.0, lo=-150, hi=10),
}
_BY_KIND: dict[str, dict[str, Field]] = {
    "analog-video": {
        "standard": Field(str, "PAL", choices=STANDARDS),
        "modulation": Field(str, "fm", choices=("fm", "am")),
        "deviation_hz": Field(_NUMBER, 3e6, lo=1e5, hi=20e6),
        # does the camera see the device, and how much brighter (a fraction of white) its picture
        # gets while the LED ring is lit (what ``roomsweep confirm`` looks for)
        "sees_device": Field(bool, False),
        "led_response": Field(_NUMBER, 0.1, lo=0, hi=1),
    },
    "fm-broadcast": {"stereo": Field(bool, True)},
    "tdma": {
        "slots": Field(int, 1, lo=1, hi=8),
        "frame_s": Field(_NUMBER, 4.615e-3, lo=1e-4, hi=1.0),
        "bandwidth_hz": Field(_NUMBER, 200e3, lo=1e3, hi=20e6),
    },
    # an LTE handset: SC-FDMA in 1 ms subframes, ``load`` of them scheduled
    "lte": {
        "bandwidth_hz": Field(_NUMBER, 1.08e6, lo=180e3, hi=18e6),
        "load": Field(_NUMBER, 0.5, lo=0.01, hi=1.0),
    },
    "ofdm": {"bandwidth_hz": Field(_NUMBER, 7.6e6, lo=1e4, hi=40e6)},
    "burst": {
        "period_s": Field(_NUMBER, 1.0, lo=1e-3, hi=3600),
        "burst_s": Field(_NUMBER, 0.05, lo=1e-4, hi=3600),
        "symbol_s": Field(_NUMBER, 500e-6, lo=1e-5, hi=0.1),
    },
    "carrier": {},
    "recording": {
        "path": Field(str),
        "rate_hz": Field(_NUMBER, None, lo=1e3, hi=100e6),
        "format": Field(str, None, choices=("cu8", "cs8", "cs16", "cf32")),
    },
}
_OPTICAL = {
    "width": Field(int, 1280, lo=64, hi=4608),  # up to a Camera Module 3 still (4608×3072)
    "height": Field(int, 720, lo=64, hi=4608),
    "lenses": Field(list, []),
    "ir_leds": Field(list, []),
    "ir_rings": Field(list, []),  # addition: night-vision rings whose LEDs may merge into one annulus
    "decoys": Field(list, []),
    # Additions for the simulated camera (hw/sim/camera.py); levels are fractions of full scale at the
    # default exposure (20 ms, gain 4).
    "ambient": Field(_NUMBER, 0.5, lo=0, hi=1),  # room light on a white wall
    "led_fill": Field(_NUMBER, 0.1, lo=0, hi=2),  # the LED ring's light on a white wall (image centre)
    "noise": Field(_NUMBER, 2.0, lo=0, hi=50),  # sensor noise, standard deviation in 8-bit steps
    "shake_px": Field(_NUMBER, 2.0, lo=0, hi=20),  # hand shake: RMS movement between frames
    "fps": Field(_NUMBER, 30.0, lo=1, hi=120),
    "grain": Field(_NUMBER, 0.03, lo=0, hi=0.3),  # fine texture of walls and fabric, RMS share of reflectance
}
_OPTICAL_ITEMS = {
    "lenses": {
        "x": Field(_NUMBER, lo=0, hi=1),
        "y": Field(_NUMBER, lo=0, hi=1),
        "radius_px": Field(_NUMBER, 2.0, lo=0.5, hi=50),
        "reflectivity": Field(_NUMBER, 0.8, lo=0, hi=1),
    },
    "ir_leds": {
        "x": Field(_NUMBER, lo=0, hi=1),
        "y": Field(_NUMBER, lo=0, hi=1),
        "radius_px": Field(_NUMBER, 3.0, lo=0.5, hi=50),
        "brightness": Field(_NUMBER, 0.9, lo=0, hi=1),
    },
    "ir_rings": {
        "x": Field(_NUMBER, lo=0, hi=1),  # the ring's centre (where the camera's lens sits)
        "y": Field(_NUMBER, lo=0, hi=1),
        "ring_radius_px": Field(_NUMBER, 16.0, lo=3, hi=100),
        "leds": Field(int, 8, lo=3, hi=64),
        "led_radius_px": Field(_NUMBER, 2.5, lo=0.5, hi=20),
        "brightness": Field(_NUMBER, 0.9, lo=0, hi=1),
    },
    "decoys": {
        "kind": Field(str, "specular", choices=("specular", "glossy", "status-led", "lamp", "foliage")),
        "x": Field(_NUMBER, lo=0, hi=1),
        "y": Field(_NUMBER, lo=0, hi=1),
        "radius_px": Field(_NUMBER, 8.0, lo=0.5, hi=200),
        "brightness": Field(_NUMBER, 0.9, lo=0, hi=1),
        "blink_hz": Field(_NUMBER, 0.0, lo=0, hi=100),
        # additions: elongated highlights, and the colour of a status LED
        "aspect": Field(_NUMBER, 1.0, lo=1, hi=20),
        "angle_deg": Field(_NUMBER, 0.0, lo=-360, hi=360),
        "color": Field(str, "green", choices=("red", "green", "blue", "amber", "white")),
    },
}


@dataclass(frozen=True)
class Emitter:
    """One transmitter in the room; ``params`` holds the kind-specific keys (with defaults)."""

    kind: str
    freq_hz: float
    power_dbfs: float
    label: str = ""
    power_ramp_db_per_s: float = 0.0
    power_limit_dbfs: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)

    def power_at(self, t_s: float) -> float:
        """Level in dBFS at simulation time ``t_s`` (constant unless a ramp is set)."""
        if not self.power_ramp_db_per_s:
            return self.power_dbfs
        level = self.power_dbfs + self.power_ramp_db_per_s * t_s
        limit = self.power_limit_dbfs
        return min(level, limit) if self.power_ramp_db_per_s > 0 else max(level, limit)


@dataclass(frozen=True)
class Scene:
    name: str
    noise_floor_dbfs: float
    emitters: tuple[Emitter, ...]
    optical: dict[str, Any] | None
    path: Path | None = None
    wifi: dict[str, Any] | None = None  # ``hw.sim.wifi_scene.parse_wifi``'s block
    ble: dict[str, Any] | None = None  # ``hw.sim.ble_scene.parse_ble``'s block

    def resolve(self, relative: str) -> Path:
        """A path in the scene resolved against the scene file's directory."""
        candidate = Path(relative)
        if candidate.is_absolute() or self.path is None:
            return candidate
        return (self.path.parent / candidate).resolve()


def _emitter(obj: Any, where: str) -> Emitter:
    if not isinstance(obj, dict):
        raise SceneError(f"{where}: expected an object, got {type(obj).__name__}")
    if "kind" not in obj:
        raise SceneError(f"{where}: missing required key 'kind'")
    kind = _check(obj["kind"], _COMMON["kind"], f"{where}.kind")
    values = _fields(obj, {**_COMMON, **_BY_KIND[kind]}, where)
    if kind == "burst" and values["burst_s"] >= values["period_s"]:
        raise SceneError(f"{where}.burst_s: must be shorter than period_s")
    common = {key: values.pop(key) for key in list(_COMMON)}
    common["freq_hz"] = float(common["freq_hz"])
    common["power_dbfs"] = float(common["power_dbfs"])
    if obj.get("power_limit_dbfs") is None:
        common["power_limit_dbfs"] = 10.0 if common["power_ramp_db_per_s"] >= 0 else -150.0
    return Emitter(params=values, **common)


def _optical(obj: Any, where: str) -> dict[str, Any]:
    values = _fields(obj, _OPTICAL, where)
    for key, specs in _OPTICAL_ITEMS.items():
        values[key] = [_fields(item, specs, f"{where}.{key}[{i}]") for i, item in enumerate(values[key])]
    return values


def parse(data: Any, path: Path | None = None) -> Scene:
    """Validate a decoded scene document and build a :class:`Scene`."""
    where = path.name if path else "scene"
    top = _fields(
        data,
        {
            "name": Field(str, "unnamed room"),
            "noise_floor_dbfs": Field(_NUMBER, -55.0, lo=-120, hi=-10),
            "emitters": Field(list, []),
            "optical": Field(dict, None),
            "wifi": Field(dict, None),
            "ble": Field(dict, None),
        },
        where,
    )
    emitters = tuple(_emitter(item, f"{where}: emitters[{i}]") for i, item in enumerate(top["emitters"]))
    optical = None if top["optical"] is None else _optical(top["optical"], f"{where}: optical")
    wifi = None if top["wifi"] is None else parse_wifi(top["wifi"], f"{where}: wifi")
    ble = None if top["ble"] is None else parse_ble(top["ble"], f"{where}: ble")
    return Scene(
        name=top["name"],
        noise_floor_dbfs=float(top["noise_floor_dbfs"]),
        emitters=emitters,
        optical=optical,
        path=path,
        wifi=wifi,
        ble=ble,
    )


def load(path: str | Path) -> Scene:
    """Read and validate a scene file; :class:`SceneError` says what is wrong and where."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SceneError(f"{path}: no such scene file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SceneError(f"{path}: cannot read scene ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SceneError(f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    return parse(data, path.resolve())


def demo_scene_path() -> Path:
    """The bundled demo room."""
    return Path(str(resources.files("hw.sim") / "scenes" / "hotel-room.json"))


def load_demo() -> Scene:
    return load(demo_scene_path())
