"""The handheld's front panel through gpiozero: three status LEDs, a buzzer and a button.

gpiozero devices ask a pin *factory* for their pins, so the same code drives real pins on a Pi
(``GPIOZERO_PIN_FACTORY=lgpio``) and gpiozero's own ``MockFactory`` in simulation and tests. The
mock is never chosen silently: :func:`mock_pin_factory` is called only for ``--simulate``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hw.errors import PanelError

log = logging.getLogger(__name__)

# A passive piezo is loudest around 2-4 kHz; TonalBuzzer needs the playable range up front.
TONE_MID_HZ = 1760.0
TONE_OCTAVES = 2  # 440 Hz .. 7040 Hz


@dataclass(frozen=True)
class PanelPins:
    """BCM GPIO numbers (see README "Wiring")."""

    green: int = 17
    amber: int = 27
    red: int = 22
    buzzer: int = 18
    button: int = 23
    buzzer_kind: str = "passive"  # "passive" piezo (tones, needs PWM) or "active" (on/off)


def mock_pin_factory() -> Any:
    """gpiozero's MockFactory with PWM-capable pins (TonalBuzzer needs PWM)."""
    from gpiozero.pins.mock import MockFactory, MockPWMPin

    return MockFactory(pin_class=MockPWMPin)


class Panel:
    """LEDs, buzzer and button; callbacks fire on gpiozero's event thread."""

    def __init__(self, pins: PanelPins, *, pin_factory: Any = None, long_press_s: float = 1.5) -> None:
        try:
            import gpiozero
            from gpiozero.tones import Tone
        except ImportError as exc:  # pragma: no cover - gpiozero is a dependency
            raise PanelError(f"gpiozero is not installed ({exc})") from None
        self.pins = pins
        self._devices: list[Any] = []
        self.on_short_press: Callable[[], Any] | None = None
        self.on_long_press: Callable[[], Any] | None = None
        self._held = False
        self._lock = threading.Lock()
        try:
            self.green = self._add(gpiozero.LED(pins.green, pin_factory=pin_factory))
            self.amber = self._add(gpiozero.LED(pins.amber, pin_factory=pin_factory))
            self.red = self._add(gpiozero.LED(pins.red, pin_factory=pin_factory))
            if pins.buzzer_kind == "passive":
                self.buzzer = self._add(
                    gpiozero.TonalBuzzer(
                        pins.buzzer,
                        mid_tone=Tone(frequency=TONE_MID_HZ),
                        octaves=TONE_OCTAVES,
                        pin_factory=pin_factory,
                    )
                )
            else:
                self.buzzer = self._add(gpiozero.Buzzer(pins.buzzer, pin_factory=pin_factory))
            self.button = self._add(
                gpiozero.Button(pins.button, pull_up=True, hold_time=long_press_s, pin_factory=pin_factory)
            )
        except gpiozero.GPIOZeroError as exc:
            self.close()
            raise PanelError(
                f"cannot drive the panel's GPIO pins ({exc}); on a laptop use --simulate, on a Pi check "
                "GPIOZERO_PIN_FACTORY=lgpio and the pin numbers"
            ) from None
        self._tone_cls = Tone
        self.button.when_pressed = self._pressed
        self.button.when_held = self._long
        self.button.when_released = self._released

    def _add(self, device: Any) -> Any:
        self._devices.append(device)
        return device

    # --- button: a short press fires on release, a long press fires once when held ---------

    def _pressed(self) -> None:
        with self._lock:
            self._held = False

    def _long(self) -> None:
        with self._lock:
            self._held = True
        if self.on_long_press is not None:
            self.on_long_press()

    def _released(self) -> None:
        with self._lock:
            was_held = self._held
        if not was_held and self.on_short_press is not None:
            self.on_short_press()

    # --- outputs --------------------------------------------------------------------------

    def tone(self, hz: float | None) -> None:
        """Sound ``hz`` (passive buzzer) or just on (active buzzer); None is silence."""
        if hz is None:
            self.buzzer.off() if self.pins.buzzer_kind == "active" else self.buzzer.stop()
        elif self.pins.buzzer_kind == "active":
            self.buzzer.on()
        else:
            lo, hi = TONE_MID_HZ / 2**TONE_OCTAVES, TONE_MID_HZ * 2**TONE_OCTAVES
            self.buzzer.play(self._tone_cls(frequency=min(max(hz, lo), hi)))

    def close(self) -> None:
        for device in reversed(self._devices):
            try:
                device.close()
            except Exception:  # closing must never stop the shutdown of the others
                log.debug("closing %r failed", device, exc_info=True)
        self._devices.clear()
