"""What the panel shows and sounds in each appliance state.

    ready      green steady
    sweeping   amber blinking, rising chirp at the start
    results    green steady and a falling chirp; with a suspect: red steady and an alarm; with a camera
               confirmed to see the device (its picture brightened with the LED ring): red and amber
               steady and a slower alarm of long high beeps
    partial    as results, plus red blinking slowly (part of the spectrum was not measured)
    fault      red blinking fast and a low beep
    tracking   one LED flash and buzzer tick per beat; beats speed up and the tone rises as the
               level rises, the LED goes green -> amber -> red

Buzzer sequences and tracking ticks run on one player thread so a new pattern can cut an old
one short and nothing ever blocks the caller (a button callback or the session worker).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from hw.panel import Panel

Sequence = tuple[tuple[float | None, float], ...]  # (tone Hz or None for a rest, seconds)

START_CHIRP: Sequence = ((2000.0, 0.06), (None, 0.04), (2600.0, 0.08))
FINISH_CHIRP: Sequence = ((2600.0, 0.06), (None, 0.04), (2000.0, 0.08))
SUSPECT_ALARM: Sequence = ((2900.0, 0.12), (None, 0.03), (1900.0, 0.12), (None, 0.03)) * 4
CONFIRMED_ALARM: Sequence = ((3400.0, 0.3), (None, 0.1)) * 6  # long beeps: unlike the suspect alarm's trills
FAULT_BEEP: Sequence = ((700.0, 0.4),)
LIGHT_ON_PROMPT: Sequence = ((3200.0, 0.15), (None, 0.05), (3200.0, 0.15))  # "switch the room light on now"
LIGHT_OFF_PROMPT: Sequence = ((1200.0, 0.35),)  # "... off now"

TICK_SLOWEST_S = 1.0  # cold
TICK_FASTEST_S = 0.06  # hot
TICK_S = 0.03


def tick_interval(proximity: float) -> float:
    """Seconds between ticks for a proximity in [0, 1] (geometric: equal steps feel equal)."""
    p = min(max(proximity, 0.0), 1.0)
    return TICK_SLOWEST_S * (TICK_FASTEST_S / TICK_SLOWEST_S) ** p


def tick_tone(proximity: float) -> float:
    return 1500.0 + 2000.0 * min(max(proximity, 0.0), 1.0)


@dataclass(frozen=True)
class Shown:
    """One thing the panel did, for the device page and for tests."""

    at: float
    pattern: str


class Feedback:
    def __init__(self, panel: Panel) -> None:
        self.panel = panel
        self.history: deque[Shown] = deque(maxlen=200)
        self._cond = threading.Condition()
        self._queue: deque[Sequence] = deque()
        self._proximity: float | None = None  # tracking when not None
        self._stop = False
        self._thread = threading.Thread(target=self._play, name="buzzer", daemon=True)
        self._thread.start()

    def _note(self, pattern: str) -> None:
        self.history.append(Shown(time.monotonic(), pattern))

    def _leds(self, green: bool = False, amber: bool = False, red: bool = False) -> None:
        for led, on in ((self.panel.green, green), (self.panel.amber, amber), (self.panel.red, red)):
            led.on() if on else led.off()

    def _sound(self, sequence: Sequence) -> None:
        with self._cond:
            self._queue.clear()
            self._queue.append(sequence)
            self._cond.notify()

    # --- states ------------------------------------------------------------------------------

    def ready(self) -> None:
        self._stop_tracking()
        self._leds(green=True)
        self._note("ready")

    def sweeping(self) -> None:
        self._stop_tracking()
        self._leds()
        self.panel.amber.blink(on_time=0.25, off_time=0.25)
        self._sound(START_CHIRP)
        self._note("sweeping")

    def results(self, suspects: int, *, partial: bool = False, confirmed: int = 0) -> None:
        """``confirmed``: cameras proven to see the device (the sweep document's ``counts.sees_device``)."""
        self._stop_tracking()
        confirmed = confirmed if suspects else 0
        self._leds(green=suspects == 0 and not partial, red=suspects > 0, amber=confirmed > 0)
        if partial and suspects == 0:
            self.panel.red.blink(on_time=0.1, off_time=0.9)
        if confirmed:
            self._sound(CONFIRMED_ALARM)
            self._note("results-confirmed")
        else:
            self._sound(SUSPECT_ALARM if suspects else FINISH_CHIRP)
            self._note("results-suspect" if suspects else "results-clear")
        if partial:
            self._note("results-partial")

    def fault(self) -> None:
        self._stop_tracking()
        self._leds()
        self.panel.red.blink(on_time=0.15, off_time=0.15)
        self._sound(FAULT_BEEP)
        self._note("fault")

    def prompt_light(self, on: bool) -> None:
        """The Wi-Fi "lights" test asks the user to switch the room light: two high beeps on, one low off."""
        self._sound(LIGHT_ON_PROMPT if on else LIGHT_OFF_PROMPT)
        self._note("prompt-light-on" if on else "prompt-light-off")

    def tracking(self, proximity: float) -> None:
        """Called on every level update; the player thread turns it into beats."""
        with self._cond:
            starting = self._proximity is None
            self._proximity = min(max(proximity, 0.0), 1.0)
            self._cond.notify()
        if starting:
            self._leds()
            self._note("tracking")

    def _stop_tracking(self) -> None:
        with self._cond:
            self._proximity = None

    # --- the player thread --------------------------------------------------------------------

    def _play(self) -> None:
        while True:
            with self._cond:
                while not self._stop and not self._queue and self._proximity is None:
                    self._cond.wait()
                if self._stop:
                    return
                sequence = self._queue.popleft() if self._queue else None
                proximity = self._proximity
            if sequence is not None:
                self._play_sequence(sequence)
            elif proximity is not None:
                self._tick(proximity)

    def _play_sequence(self, sequence: Sequence) -> None:
        for hz, seconds in sequence:
            with self._cond:
                if self._stop or self._queue:
                    break  # a newer pattern replaces this one
            self.panel.tone(hz)
            time.sleep(seconds)
        self.panel.tone(None)

    def _tick(self, proximity: float) -> None:
        started = time.monotonic()
        led = self.panel.red if proximity > 0.66 else self.panel.amber if proximity > 0.33 else self.panel.green
        led.on()
        self.panel.tone(tick_tone(proximity))
        time.sleep(TICK_S)
        self.panel.tone(None)
        led.off()
        self._note(f"tick {proximity:.2f}")
        # Wait out the beat (its length follows the latest level), waking at once for a new
        # pattern or a stop; level updates alone do not cut the beat short.
        with self._cond:
            while not self._stop and not self._queue and self._proximity is not None:
                remaining = started + tick_interval(self._proximity) - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(timeout=remaining)

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._proximity = None
            self._cond.notify()
        self._thread.join(timeout=2)
        self.panel.tone(None)
