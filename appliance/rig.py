"""The hardware of one run, chosen once: the Pi's devices, or the simulated room.

gpiozero's idea for the whole box: devices never decide where their pins come from, they are
handed a factory. Here the composition root (``roomsweep serve``, a CLI command, a test) picks a
rig once — :class:`DeviceRig` or :class:`SimulatedRig` — and everything below it asks the rig
for a radio, a camera, the LED ring or the panel. Nothing below this module asks "simulated?".

The LED ring is one object for the rig's life: the optical stage switches it, and a simulated
camera (optical, RF or Wi-Fi) reads that same pin to know whether it is lit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appliance import config as cfg
from appliance import lan_scan
from dsp.frames import mac_to_int
from hw.ble import NO_ADAPTER, BleakScanner, BleScanner
from hw.camera import Camera, Illuminator, Picamera2Camera, camera_models
from hw.errors import (
    BleUnavailable,
    CameraError,
    CameraUnavailable,
    LanUnavailable,
    PanelError,
    WifiError,
    WifiNoMonitor,
    WifiUnavailable,
)
from hw.panel import Panel, PanelPins, mock_pin_factory
from hw.radio import Radio, RtlSdrRadio, rtlsdr_devices
from hw.sim import scene as scenemod
from hw.sim.camera import SimCamera
from hw.sim.radio import SimRadio
from hw.wifi import WifiCapture
from hw.wifi.monitor import MonitorCapture

log = logging.getLogger(__name__)

Probe = Callable[[], dict[str, Any]]
CAMERA_SIZE = (1280, 720)


def load_scene(path: str | Path | None) -> scenemod.Scene:
    """The given scene file, or the bundled demo room."""
    return scenemod.load(path) if path else scenemod.load_demo()


class Rig:
    """What every rig offers; subclasses open their own kind of device."""

    simulated = False
    pins = "gpio"  # what the panel's pins are, for the device page

    def __init__(self, settings: cfg.Config, *, pin_factory: Any = None) -> None:
        self.settings = settings  # the appliance replaces it when the phone changes a setting
        self.pin_factory = pin_factory  # one factory for the panel and the LED ring
        self._illuminator: Illuminator | None = None
        self.wifi_problem: str | None = None  # what went wrong in the last Wi-Fi sweep, for the device page

    # --- what a subclass provides ----------------------------------------------------------

    @property
    def source(self) -> str:
        """Where the sweeps come from, for people: "rtl-sdr", "simulated: hotel room"."""
        raise NotImplementedError

    def open_radio(self, *, gain: float | str | None = None, ppm: int | None = None) -> Radio:
        """A radio (``gain``/``ppm`` override the settings); RadioUnavailable when there is none."""
        raise NotImplementedError

    def open_camera(self) -> Camera:
        """The camera at the settings' exposure; CameraUnavailable / CameraBusy when it cannot be had."""
        raise NotImplementedError

    def open_wifi(self) -> WifiCapture:
        """The Wi-Fi capture (receive-only); WifiUnavailable / WifiNoMonitor when there is none."""
        raise NotImplementedError

    def open_ble(self) -> BleScanner:
        """The Bluetooth LE scanner (receive-only); BleUnavailable when there is no adapter."""
        raise NotImplementedError

    def ble_probe(self) -> dict[str, Any]:
        """The Bluetooth adapter as the device page shows it (without scanning)."""
        raise NotImplementedError

    def radio_probe(self) -> dict[str, Any]:
        raise NotImplementedError

    def camera_probe(self) -> dict[str, Any]:
        raise NotImplementedError

    def wifi_adapter(self) -> dict[str, Any]:
        """The Wi-Fi adapter as the device page shows it (without opening it)."""
        raise NotImplementedError

    def lan_scan(
        self,
        *,
        iface: str | None = None,
        ssid: str | None = None,
        passphrase: str | None = None,
        budget_s: float = 45.0,
    ) -> lan_scan.LanOutcome:
        """Discovery on the room's network: ``iface`` as it is, or the USB adapter joined to ``ssid`` first."""
        raise LanUnavailable("this rig has no network to scan; replay a capture with 'roomsweep lan --replay'")

    def own_addresses(self) -> set[int]:
        """MACs the Wi-Fi sweep must never judge: the hotspot's (its stations, the user's phone, go with it)."""
        return set()

    def wifi_probe(self) -> dict[str, Any]:
        """The adapter's state, and what went wrong in the last Wi-Fi sweep (pulled, a refused channel)."""
        probe = self.wifi_adapter()
        if self.wifi_problem:
            probe = {**probe, "last_sweep": self.wifi_problem}
            probe["warnings"] = [*probe.get("warnings", []), f"last Wi-Fi sweep: {self.wifi_problem}"]
        return probe

    # --- shared ------------------------------------------------------------------------------

    @property
    def illuminator(self) -> Illuminator:
        """The LED ring on ``panel.illuminator_pin`` (PanelError if the pin cannot be driven)."""
        if self._illuminator is None:
            self._illuminator = Illuminator(self.settings["panel.illuminator_pin"], pin_factory=self.pin_factory)
        return self._illuminator

    def make_panel(self) -> Panel:
        """The LEDs, buzzer and button on the pins the settings name (PanelError if unusable)."""
        pins = self.settings.section("panel")
        return Panel(
            PanelPins(
                green=pins["green_pin"],
                amber=pins["amber_pin"],
                red=pins["red_pin"],
                buzzer=pins["buzzer_pin"],
                button=pins["button_pin"],
                buzzer_kind=pins["buzzer"],
            ),
            pin_factory=self.pin_factory,
            long_press_s=pins["long_press_s"],
        )

    def probes(self) -> dict[str, Probe]:
        """The device page's answers for the hardware this rig owns."""
        return {"radio": self.radio_probe, "camera": self.camera_probe, "wifi": self.wifi_probe, "ble": self.ble_probe}

    def _gain(self, gain: float | str | None) -> float | str:
        value = self.settings["radio.gain"] if gain is None else gain
        return value if value == "auto" else float(value)

    def close(self) -> None:
        """Leave the LED ring dark and release its pin."""
        if self._illuminator is not None:
            self._illuminator.close()
            self._illuminator = None


class DeviceRig(Rig):
    """The Pi's own devices: the RTL-SDR, the Pi camera, GPIO pins (gpiozero's default factory)."""

    source = "rtl-sdr"

    def open_radio(self, *, gain: float | str | None = None, ppm: int | None = None) -> Radio:
        return RtlSdrRadio(
            device_index=self.settings["radio.device_index"],
            gain=self._gain(gain),
            ppm=self.settings["radio.ppm"] if ppm is None else ppm,
            timeout_s=self.settings["radio.timeout_s"],
        )

    def open_camera(self) -> Camera:
        return Picamera2Camera(
            size=CAMERA_SIZE,
            exposure_us=self.settings["optical.exposure_us"],
            analogue_gain=self.settings["optical.analogue_gain"],
        )

    def open_wifi(self) -> WifiCapture:
        return MonitorCapture.open(self.settings["wifi.interface"])

    def open_ble(self) -> BleScanner:
        return BleakScanner(self.settings["ble.adapter"])

    def ble_probe(self) -> dict[str, Any]:
        from hw.ble import adapters

        present = adapters()
        if not present:
            return {"state": "absent", "warnings": [NO_ADAPTER]}
        return {"state": "present", "adapters": present}

    def lan_scan(
        self,
        *,
        iface: str | None = None,
        ssid: str | None = None,
        passphrase: str | None = None,
        budget_s: float = 45.0,
    ) -> lan_scan.LanOutcome:
        from hw.lan.join import HOTSPOT_INTERFACE, GuestJoin
        from hw.wifi import iw

        if iface == HOTSPOT_INTERFACE:
            raise LanUnavailable(
                f"{iface} is the device's own hotspot: the scan is of the room's network, not the phone's"
            )
        if ssid is None:
            if iface is None:
                raise LanUnavailable("give --iface (an interface already on the room's network) or --ssid to join it")
            return lan_scan.scan(iface, budget_s=budget_s)
        adapter = iface or iw.choose(iw.adapters(), self.settings["wifi.interface"]).name
        with GuestJoin(adapter, ssid, passphrase) as joined:
            return lan_scan.scan(joined, budget_s=budget_s)

    def own_addresses(self) -> set[int]:
        from hw.wifi import iw

        try:
            text = (iw.SYSFS_NET / iw.HOTSPOT_INTERFACE / "address").read_text().strip()
            return {mac_to_int(text)}
        except (OSError, ValueError):
            return set()

    def wifi_adapter(self) -> dict[str, Any]:
        from hw.wifi import iw

        try:
            adapter = iw.choose(iw.adapters(), self.settings["wifi.interface"])
        except WifiNoMonitor as exc:
            return {"state": "no-monitor", "warnings": [str(exc)]}
        except WifiError as exc:
            return {"state": "absent", "warnings": [str(exc)]}
        return {"state": "present", "name": adapter.name, "driver": adapter.driver, "bands": list(adapter.bands)}

    def radio_probe(self) -> dict[str, Any]:
        try:
            names = rtlsdr_devices()
        except Exception as exc:  # library missing: say so on the device page
            return {"state": "unavailable", "error": str(exc), "warnings": [f"radio: {exc}"]}
        if not names:
            return {"state": "absent", "warnings": ["no RTL-SDR plugged in"]}
        return {"state": "present", "devices": names}

    def camera_probe(self) -> dict[str, Any]:
        try:
            models = camera_models()
        except CameraError as exc:
            return {"state": "unavailable", "error": str(exc), "warnings": [f"camera: {exc}"]}
        if not models:
            return {"state": "absent", "warnings": ["no camera connected: the optical sweep cannot run"]}
        return {"state": "present", "models": models}


class SimulatedRig(Rig):
    """The simulated room of a scene file, on gpiozero's mock pins.

    ``time_scale`` paces the simulated devices (1 real time, 0 instant); ``radio`` replaces the
    simulated radio's factory (tests use it for a dongle that fails on cue), ``wifi`` the Wi-Fi capture's
    (an adapter pulled mid-survey, a channel refused), ``ble`` the Bluetooth scanner's (a replayed
    advertisement log, an adapter pulled mid-scan), ``lan`` the network scan's (a replayed capture of a
    network; without one the simulated room has no network to scan).
    """

    simulated = True
    pins = "mock pins"

    def __init__(
        self,
        settings: cfg.Config,
        scene: scenemod.Scene,
        *,
        time_scale: float | None = None,
        pin_factory: Any = None,
        radio: Callable[[], Radio] | None = None,
        wifi: Callable[[], WifiCapture] | None = None,
        ble: Callable[[], BleScanner] | None = None,
        lan: Callable[..., lan_scan.LanOutcome] | None = None,
        seed: int = 0,
    ) -> None:
        super().__init__(settings, pin_factory=pin_factory or mock_pin_factory())
        self.scene = scene
        self.time_scale = time_scale
        self.seed = seed
        self._radio_factory = radio
        self._wifi_factory = wifi
        self.ble_factory = ble  # public: a running appliance can be handed a recorded log (tests)
        self.lan_factory = lan  # tests may set it on a running rig

    def lan_scan(
        self,
        *,
        iface: str | None = None,
        ssid: str | None = None,
        passphrase: str | None = None,
        budget_s: float = 45.0,
    ) -> lan_scan.LanOutcome:
        if self.lan_factory is None:
            raise LanUnavailable("the simulated room has no network to scan (replay a capture: roomsweep lan --replay)")
        return self.lan_factory(ssid=ssid, budget_s=budget_s)

    @property
    def source(self) -> str:
        return f"simulated: {self.scene.name}"

    def open_radio(self, *, gain: float | str | None = None, ppm: int | None = None) -> Radio:
        if self._radio_factory is not None:
            return self._radio_factory()
        return SimRadio(
            self.scene, gain=self._gain(gain), time_scale=self.time_scale, seed=self.seed, lit=self._ring_lit
        )

    def _ring_lit(self) -> bool:
        """Whether the LED ring is lit, for simulated cameras that see the device."""
        try:
            return bool(self.illuminator.is_on)
        except PanelError:
            return False

    def open_camera(self) -> Camera:
        if self.scene.optical is None:
            raise CameraUnavailable(f"scene {self.scene.name!r} has no 'optical' block: nothing for the camera to see")
        camera = SimCamera(self.scene.optical, self.illuminator, seed=self.seed, time_scale=self.time_scale)
        camera.set_exposure(self.settings["optical.exposure_us"], self.settings["optical.analogue_gain"])
        return camera

    def open_wifi(self) -> WifiCapture:
        if self._wifi_factory is not None:
            return self._wifi_factory()
        block = self.scene.wifi
        if block is None:
            raise WifiUnavailable(
                "no monitor-capable Wi-Fi adapter: the Wi-Fi sweep is off (the room has no 'wifi' block)"
            )
        from hw.sim.wifi import SimWifi

        return SimWifi(block, self.illuminator, seed=self.seed, time_scale=self.time_scale, name=self.scene.name)

    def wifi_adapter(self) -> dict[str, Any]:
        if self.scene.wifi is None:
            return {"state": "absent", "warnings": ["no monitor-capable Wi-Fi adapter: the Wi-Fi sweep is off"]}
        return {
            "state": "simulated",
            "name": f"SimWifi ({self.scene.name})",
            "driver": "simulated",
            "bands": ["2.4 GHz", "5 GHz"],
        }

    def open_ble(self) -> BleScanner:
        if self.ble_factory is not None:
            return self.ble_factory()
        if self.scene.ble is None:
            raise BleUnavailable(f"{NO_ADAPTER} (the room has no 'ble' block)")
        from hw.sim.ble import SimBle

        return SimBle(self.scene.ble, seed=self.seed, time_scale=self.time_scale, name=self.scene.name)

    def ble_probe(self) -> dict[str, Any]:
        if self.ble_factory is None and self.scene.ble is None:
            return {"state": "absent", "warnings": [NO_ADAPTER]}
        return {"state": "simulated", "name": f"SimBle ({self.scene.name})"}

    def radio_probe(self) -> dict[str, Any]:
        return {"state": "simulated", "name": f"SimRadio ({self.scene.name})"}

    def camera_probe(self) -> dict[str, Any]:
        if self.scene.optical is None:
            return {"state": "absent", "warnings": ["the simulated room has no camera view: no optical sweep"]}
        return {"state": "simulated", "name": "SimCamera (NoIR)"}


@dataclass(frozen=True)
class Choice:
    """What the command line asked for, before the settings are known (the daemon reads its
    settings from the store first, then opens the rig)."""

    simulate: bool = False
    scene_path: str | Path | None = None
    time_scale: float | None = None
    pin_factory: Any = None

    def open(self, settings: cfg.Config) -> Rig:
        """The one place that turns "--simulate / --scene" into hardware. A scene implies simulation."""
        if self.simulate or self.scene_path is not None:
            scene = load_scene(self.scene_path)
            return SimulatedRig(settings, scene, time_scale=self.time_scale, pin_factory=self.pin_factory)
        return DeviceRig(settings, pin_factory=self.pin_factory)


def choose(settings: cfg.Config, *, simulate: bool, scene_path: str | Path | None = None, **options: Any) -> Rig:
    """``Choice(...).open(settings)`` in one call, for commands that have their settings already."""
    return Choice(simulate, scene_path, **options).open(settings)


def try_panel(rig: Rig) -> tuple[Panel | None, str | None]:
    """The panel, or None and why (an appliance without LEDs still sweeps from the phone)."""
    try:
        return rig.make_panel(), None
    except PanelError as exc:
        log.error("panel: %s", exc)
        return None, str(exc)
