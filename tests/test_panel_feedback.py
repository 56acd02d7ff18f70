"""Front panel on gpiozero's own MockFactory: LEDs, buzzer patterns, short and long presses."""

from __future__ import annotations

import itertools
import time

import pytest

from appliance.feedback import Feedback, tick_interval
from hw.panel import Panel, PanelPins

PINS = PanelPins()


@pytest.fixture
def panel(factory):
    panel = Panel(PINS, pin_factory=factory, long_press_s=0.3)
    yield panel
    panel.close()


def pin(factory, number):
    return factory.pin(number)


def test_short_and_long_presses(panel, factory):
    pressed = []
    panel.on_short_press = lambda: pressed.append("short")
    panel.on_long_press = lambda: pressed.append("long")
    button = pin(factory, PINS.button)
    button.drive_low()
    time.sleep(0.05)
    button.drive_high()
    time.sleep(0.05)
    assert pressed == ["short"]
    button.drive_low()
    time.sleep(0.6)  # held past long_press_s
    button.drive_high()
    time.sleep(0.05)
    assert pressed == ["short", "long"], "a long press must not also count as a short press"


def test_states_light_the_right_leds(panel, factory):
    feedback = Feedback(panel)
    try:
        feedback.ready()
        assert pin(factory, PINS.green).state and not pin(factory, PINS.red).state
        amber = pin(factory, PINS.amber)
        amber.clear_states()
        feedback.sweeping()
        time.sleep(0.8)
        toggles = [s.state for s in amber.states]
        assert toggles.count(True) >= 2 and toggles.count(False) >= 2, "amber blinks while sweeping"
        feedback.results(1)
        time.sleep(0.05)
        assert pin(factory, PINS.red).state and not pin(factory, PINS.green).state
        assert not pin(factory, PINS.amber).state
        feedback.results(0)
        time.sleep(0.05)
        assert pin(factory, PINS.green).state and not pin(factory, PINS.red).state
    finally:
        feedback.close()


def test_suspect_alarm_is_distinct_from_the_finish_chirp(panel, factory):
    feedback = Feedback(panel)
    buzzer = pin(factory, PINS.buzzer)
    try:
        buzzer.clear_states()
        feedback.results(0)
        time.sleep(0.4)
        chirp_beeps = sum(1 for s in buzzer.states if s.state)
        buzzer.clear_states()
        feedback.results(2)
        time.sleep(1.6)
        alarm_beeps = sum(1 for s in buzzer.states if s.state)
    finally:
        feedback.close()
    assert 1 <= chirp_beeps <= 3
    assert alarm_beeps >= 6
    assert [s.pattern for s in feedback.history][-2:] == ["results-clear", "results-suspect"]


def _beeps(buzzer) -> list[float]:
    """How long each beep lasted (s), from the buzzer pin's recorded states."""
    states = list(buzzer.states)
    return [b.timestamp - a.timestamp for a, b in itertools.pairwise(states) if a.state and not b.state]


def test_a_confirmed_camera_has_its_own_lights_and_alarm(panel, factory):
    feedback = Feedback(panel)
    buzzer = pin(factory, PINS.buzzer)
    try:
        buzzer.clear_states()
        feedback.results(2)
        time.sleep(1.3)
        suspect = _beeps(buzzer)
        assert not pin(factory, PINS.amber).state
        buzzer.clear_states()
        feedback.results(2, confirmed=1)
        time.sleep(1.3)
        confirmed = _beeps(buzzer)
        assert pin(factory, PINS.red).state and pin(factory, PINS.amber).state and not pin(factory, PINS.green).state
        feedback.results(0, confirmed=1)  # no suspect: nothing to confirm
        time.sleep(0.05)
        assert pin(factory, PINS.green).state and not pin(factory, PINS.amber).state
    finally:
        feedback.close()
    assert [s.pattern for s in feedback.history][-3:] == ["results-suspect", "results-confirmed", "results-clear"]
    assert len(suspect) >= 6 and max(suspect) < 0.2  # trills
    assert 2 <= len(confirmed) < len(suspect) and max(confirmed) > 0.25  # fewer, longer beeps


def test_tracking_ticks_speed_up_as_the_level_rises(panel, factory):
    feedback = Feedback(panel)
    buzzer = pin(factory, PINS.buzzer)
    try:
        feedback.tracking(0.1)
        time.sleep(0.1)
        buzzer.clear_states()
        time.sleep(1.5)
        cold = sum(1 for s in buzzer.states if s.state)
        feedback.tracking(0.95)
        time.sleep(0.2)
        buzzer.clear_states()
        time.sleep(1.5)
        hot = sum(1 for s in buzzer.states if s.state)
    finally:
        feedback.close()
    assert hot >= 3 * cold >= 3
    assert tick_interval(0) == pytest.approx(1.0) and tick_interval(1) == pytest.approx(0.06)


def test_active_buzzer_variant(factory):
    panel = Panel(PanelPins(buzzer_kind="active"), pin_factory=factory)
    try:
        panel.tone(2000)
        assert pin(factory, PINS.buzzer).state
        panel.tone(None)
        assert not pin(factory, PINS.buzzer).state
    finally:
        panel.close()


def test_panel_without_gpio_is_a_clear_error(monkeypatch):
    from gpiozero.pins.mock import MockFactory

    from hw.errors import PanelError

    factory = MockFactory()  # plain mock pins cannot do PWM: a passive buzzer needs it
    try:
        with pytest.raises(PanelError, match="cannot drive the panel"):
            Panel(PINS, pin_factory=factory)
    finally:
        factory.reset()
