"""Settings: one table of typed defaults, layered from four sources.

    built-in default  <  TOML file  <  web UI (stored in the database)  <  environment

The TOML file (``appliance.paths.config_path()``) is the administrator's; the web UI's edits are
kept in the database because the service cannot write its configuration directory; environment
variables (``ROOMSWEEP_<SECTION>_<NAME>``, e.g. ``ROOMSWEEP_PANEL_RED_PIN=5``) win over both, for
deployments and tests. Every value is validated with a message that names where it came from.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dsp import plan as planmod
from hw.errors import BadInputError
from hw.radio import TUNER_RANGE_HZ


class ConfigError(BadInputError):
    """A setting is malformed; the message names the file or variable and the key."""


class SettingConflict(ConfigError):
    """A well-formed value that cannot be taken now: two parts on one pin, a value fixed elsewhere."""


@dataclass(frozen=True)
class Setting:
    key: str  # "section.name"
    kind: type
    default: Any
    help: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None
    check: Callable[[Any], None] | None = None  # raises ValueError with a reason
    pattern: str | None = None  # the form a text value must have (also in the API document)
    ui: bool = True  # editable from the web UI
    restart: bool = False  # takes effect when the daemon restarts

    @property
    def env_name(self) -> str:
        return "ROOMSWEEP_" + self.key.replace(".", "_").upper()


class _Conflict(ValueError):
    """Raised by a check for a well-formed value the device cannot take."""


def _gain(value: str) -> None:
    if value != "auto":
        try:
            number = float(value)
        except ValueError:
            raise ValueError("'auto' or a gain in dB (0–50)") from None
        if not 0 <= number <= 50:
            raise ValueError("'auto' or a gain in dB (0–50)")


RANGES_PATTERN = (
    r"^$|^\s*[0-9.]+\s*[kKmMgG]?\s*:\s*[0-9.]+\s*[kKmMgG]?\s*(,\s*[0-9.]+\s*[kKmMgG]?\s*:\s*[0-9.]+\s*[kKmMgG]?\s*)*$"
)
GAIN_PATTERN = r"^(auto|50(\.0+)?|[1-4]?[0-9](\.[0-9]+)?)$"


def _ranges(value: str) -> None:
    """The pattern already holds (coerce checks it): what is left is meaning, not form."""
    if value:
        try:
            planmod.check_tunable(planmod.parse_ranges(value), TUNER_RANGE_HZ)
        except ValueError as exc:  # well-formed, but backwards or beyond what this tuner can do
            raise _Conflict(str(exc)) from None


HOST_PATTERN = (
    r"^(\*|::|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*|(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?)$"
)


def _host(value: str) -> None:
    """An IP address or a host name (RFC 1123); what it resolves to is checked when binding."""
    if ":" in value:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValueError("not an IPv6 address") from None


_PIN = {"kind": int, "lo": 2, "hi": 27, "restart": True}  # BCM numbers of the 40-pin header's GPIOs

SETTINGS: tuple[Setting, ...] = (
    Setting("radio.device_index", int, 0, "which RTL-SDR (0 = first)", lo=0, hi=9, restart=True),
    Setting("radio.gain", str, "auto", "tuner gain: 'auto' or a gain in dB (0–50)", check=_gain, pattern=GAIN_PATTERN),
    Setting("radio.ppm", int, 0, "frequency correction of the dongle (ppm)", lo=-200, hi=200),
    Setting("radio.timeout_s", float, 2.0, "a read that takes longer means the dongle is gone", lo=0.5, hi=30),
    Setting("sweep.preset", str, "full", "what a button press sweeps", choices=tuple(planmod.PRESETS)),
    Setting(
        "sweep.ranges",
        str,
        "",
        "custom ranges instead of the preset, e.g. 850M:1400M",
        check=_ranges,
        pattern=RANGES_PATTERN,
    ),
    Setting("sweep.optical", bool, True, "run the optical sweep after the RF sweep"),
    Setting("sweep.picture", bool, True, "take each analog camera suspect's picture and blink the ring at it"),
    Setting("picture.seconds", float, 4.0, "radio time for each analog camera's picture (s)", lo=0.5, hi=30.0),
    Setting("confirm.seconds", float, 4.0, "LED ring schedule played at each analog camera (s)", lo=1.6, hi=30.0),
    Setting("sweep.dwell_s", float, 0.25, "dwell on each camera candidate (s)", lo=0.1, hi=2.0),
    Setting("sweep.baseline_rise_db", float, 6.0, "flag an emitter this much stronger than the baseline", lo=1, hi=40),
    Setting("sweep.wifi", bool, True, "run the Wi-Fi sweep beside the RF sweep (needs a monitor-mode USB adapter)"),
    Setting(
        "wifi.interface",
        str,
        "",
        "Wi-Fi adapter for the sweep, e.g. wlan1 (empty: the first monitor-capable one; never wlan0)",
        pattern=r"^(?!wlan0$)[A-Za-z0-9_.-]{0,15}$",  # anchored: JSON Schema patterns search, they do not match
        restart=True,
    ),
    Setting(
        "wifi.stimulus",
        str,
        "ir",
        "how the Wi-Fi sweep tests a camera: the LED ring (ir), prompts to switch the room light (lights), none",
        choices=("ir", "lights", "none"),
    ),
    Setting("wifi.survey_s", float, 0.5, "listen this long on each channel of the Wi-Fi survey (s)", lo=0.1, hi=5.0),
    Setting("wifi.dwell_s", float, 6.0, "listen this long on a channel with a possible camera (s)", lo=1.0, hi=60.0),
    Setting(
        "wifi.stimulus_s",
        float,
        30.0,
        "LED-ring test per Wi-Fi camera channel (s); under 30 s rarely proves anything",
        lo=20.0,
        hi=120.0,
    ),
    Setting("sweep.ble", bool, True, "scan Bluetooth LE beside the RF sweep for camera makers' set-up adverts"),
    Setting("ble.seconds", float, 8.0, "listen this long for Bluetooth LE advertisements (s)", lo=1.0, hi=60.0),
    Setting(
        "ble.adapter",
        str,
        "",
        "Bluetooth adapter for the BLE scan, e.g. hci0 (empty: BlueZ's default)",
        pattern=r"^(hci[0-9]{1,2})?$",
        restart=True,
    ),
    Setting("optical.pairs", int, 8, "LED-on/LED-off frame pairs per optical scan", lo=2, hi=60),
    Setting("optical.exposure_us", int, 20000, "camera exposure (µs)", lo=100, hi=200000),
    Setting("optical.analogue_gain", float, 4.0, "camera analogue gain", lo=1.0, hi=16.0),
    Setting("panel.green_pin", **_PIN, default=17, help="green LED (ready), BCM GPIO"),
    Setting("panel.amber_pin", **_PIN, default=27, help="amber LED (sweeping), BCM GPIO"),
    Setting("panel.red_pin", **_PIN, default=22, help="red LED (suspect / fault), BCM GPIO"),
    Setting("panel.buzzer_pin", **_PIN, default=18, help="buzzer, BCM GPIO (18 has hardware PWM)"),
    Setting("panel.button_pin", **_PIN, default=23, help="push button to ground, BCM GPIO"),
    Setting("panel.illuminator_pin", **_PIN, default=24, help="IR/red LED ring driver, BCM GPIO"),
    Setting(
        "panel.buzzer",
        str,
        "passive",
        "passive piezo (tones) or active buzzer (on/off)",
        choices=("passive", "active"),
        restart=True,
    ),
    Setting("panel.long_press_s", float, 1.5, "hold this long for proximity tracking (s)", lo=0.5, hi=5.0),
    Setting("tracking.rate_hz", float, 20.0, "level updates per second", lo=10.0, hi=50.0),
    Setting("tracking.smoothing_s", float, 0.4, "time constant of the level smoothing (s)", lo=0.05, hi=3.0),
    Setting("storage.max_sweeps", int, 200, "keep at most this many sweeps", lo=1, hi=100000),
    Setting("storage.max_mb", int, 2000, "keep stored sweeps under this size (MB)", lo=10, hi=1_000_000),
    Setting(
        "storage.min_free_mb",
        int,
        300,
        "delete old sweeps to keep this much of the SD card free (MB), when roomsweep's own data fills it",
        lo=0,
        hi=1_000_000,
    ),
    Setting("storage.keep_newest", int, 10, "never delete the newest this many sweeps", lo=1, hi=100000),
    Setting(
        "web.host",
        str,
        "0.0.0.0",
        "address the web UI listens on (an IP address or a host name)",
        check=_host,
        pattern=HOST_PATTERN,
        ui=False,
        restart=True,
    ),
    Setting("web.port", int, 8080, "port of the web UI", lo=1, hi=65535, ui=False, restart=True),
    Setting("web.threads", int, 12, "waitress worker threads", lo=4, hi=64, ui=False, restart=True),
    Setting("web.max_streams", int, 4, "live-progress streams open at once", lo=1, hi=32, ui=False, restart=True),
)
BY_KEY = {s.key: s for s in SETTINGS}
_PIN_KEYS = tuple(k for k in BY_KEY if k.startswith("panel.") and k.endswith("_pin"))


def coerce(setting: Setting, value: Any, where: str) -> Any:
    """Check and convert one value (from TOML, JSON or an environment string)."""
    name = f"{where}: {setting.key}"
    if isinstance(value, str) and setting.kind is not str:
        value = _from_text(setting, value, name)
    if setting.kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, setting.kind) or (isinstance(value, bool) and setting.kind is not bool):
        expected = {int: "an integer", float: "a number", str: "text", bool: "true or false"}[setting.kind]
        raise ConfigError(f"{name}: expected {expected}, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{name}: must be a finite number, got {value!r}")
    if setting.choices is not None and value not in setting.choices:
        raise ConfigError(f"{name}: {value!r} is not one of {', '.join(setting.choices)}")
    if setting.pattern is not None and not re.fullmatch(setting.pattern, value):
        raise ConfigError(f"{name}: {value!r} is not valid here ({setting.help})")
    if (setting.lo is not None and value < setting.lo) or (setting.hi is not None and value > setting.hi):
        raise ConfigError(f"{name}: {value!r} is outside {setting.lo:g}–{setting.hi:g}")
    if setting.check is not None:
        try:
            setting.check(value)
        except _Conflict as exc:
            raise SettingConflict(f"{name}: {value!r}: {exc}") from None
        except ValueError as exc:
            raise ConfigError(f"{name}: {value!r}: {exc}") from None
    return value


def _from_text(setting: Setting, text: str, name: str) -> Any:
    try:
        if setting.kind is bool:
            lowered = text.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError
        return setting.kind(text.strip())
    except ValueError:
        raise ConfigError(f"{name}: cannot read {text!r} as {setting.kind.__name__}") from None


@dataclass
class Config:
    """Resolved settings and where each came from ('default', 'file', 'ui', 'env')."""

    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def overridden(self, values: Mapping[str, Any]) -> Config:
        """A copy with some values replaced (a command-line flag that beats the settings)."""
        unknown = set(values) - set(self.values)
        if unknown:
            raise KeyError(f"no such setting: {', '.join(sorted(unknown))}")
        changed = {**self.values, **values}
        return Config(changed, {**self.sources, **dict.fromkeys(values, "command line")}, self.path)

    def section(self, name: str) -> dict[str, Any]:
        prefix = name + "."
        return {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}

    def describe(self) -> list[dict[str, Any]]:
        """Every setting with its value, source and limits: what the settings page shows."""
        return [
            {
                "key": s.key,
                "type": s.kind.__name__,
                "value": self.values[s.key],
                "default": s.default,
                "source": self.sources.get(s.key, "default"),
                "help": s.help,
                "min": s.lo,
                "max": s.hi,
                "choices": list(s.choices) if s.choices else None,
                "editable": s.ui and self.sources.get(s.key) != "env",
                "restart": s.restart,
            }
            for s in SETTINGS
        ]


def _check_pins(values: Mapping[str, Any], where: str) -> None:
    seen: dict[int, str] = {}
    for key in _PIN_KEYS:
        pin = values[key]
        if pin in seen:
            raise SettingConflict(f"{where}: {seen[pin]} and {key} are both GPIO{pin}; each needs its own pin")
        seen[pin] = key


def read_file(path: Path) -> dict[str, Any]:
    """Flatten a TOML settings file into {"section.name": value}; unknown keys are errors."""
    try:
        with path.open("rb") as handle:
            doc = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); a settings file is UTF-8 TOML") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to be a settings file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    flat: dict[str, Any] = {}
    for section, body in doc.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{path}: {section!r} must be a [section] table")
        for name, value in body.items():
            key = f"{section}.{name}"
            if key not in BY_KEY:
                raise ConfigError(f"{path}: unknown setting {key!r}")
            flat[key] = value
    return flat


def load(
    path: Path | None = None,
    *,
    ui: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    require_file: bool = False,
) -> Config:
    """Resolve all settings. A missing file means defaults unless ``require_file``."""
    env = os.environ if env is None else env
    values = {s.key: s.default for s in SETTINGS}
    sources = {s.key: "default" for s in SETTINGS}
    if path is not None and path.exists():
        for key, value in read_file(path).items():
            values[key] = coerce(BY_KEY[key], value, str(path))
            sources[key] = "file"
    elif path is not None and require_file:
        raise ConfigError(f"{path}: no such settings file")
    for key, value in (ui or {}).items():
        if key in BY_KEY and BY_KEY[key].ui:  # stale keys from an older version are ignored
            values[key] = coerce(BY_KEY[key], value, "web settings")
            sources[key] = "ui"
    for setting in SETTINGS:
        if setting.env_name in env:
            values[setting.key] = coerce(setting, env[setting.env_name], setting.env_name)
            sources[setting.key] = "env"
    _check_pins(values, "settings")
    return Config(values=values, sources=sources, path=path)


def validate_update(config: Config, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Check a web UI edit against the table and the current values; returns the coerced changes."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        setting = BY_KEY.get(key)
        if setting is None:
            raise ConfigError(f"unknown setting {key!r}")
        if not setting.ui:
            raise SettingConflict(f"{key} can only be changed in the settings file")
        if config.sources.get(key) == "env":
            raise SettingConflict(f"{key} is fixed by the environment variable {setting.env_name}")
        out[key] = coerce(setting, value, "web settings")
    _check_pins({**config.values, **out}, "web settings")
    return out
