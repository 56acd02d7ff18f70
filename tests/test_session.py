"""The whole appliance through gpiozero's mock pins: button -> LEDs -> sweep -> SQLite -> tracking."""

from __future__ import annotations

import json
import threading
import time

import pytest

from appliance import config as cfg
from appliance.feedback import Feedback
from appliance.rig import SimulatedRig
from appliance.session import Session, State
from appliance.store import Store
from hw.errors import RadioLost, RadioUnavailable
from hw.panel import Panel, PanelPins
from hw.sim import scene as scenemod
from hw.sim.radio import SimRadio

PINS = PanelPins()


def room(tmp_path, emitters, name="room.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"name": "test room", "noise_floor_dbfs": -55, "emitters": emitters}))
    return scenemod.load(path)


CAMERA = {"kind": "analog-video", "freq_hz": 1.28e9, "power_dbfs": -40, "standard": "PAL", "deviation_hz": 3e6}


@pytest.fixture
def settings(tmp_path):
    return cfg.load(None, env={"ROOMSWEEP_SWEEP_PRESET": "cameras", "ROOMSWEEP_SWEEP_OPTICAL": "false"})


def wait_for(predicate, timeout=60.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def make_appliance(tmp_path, factory, settings, scene, *, open_radio=None, time_scale=0.0):
    panel = Panel(PINS, pin_factory=factory, long_press_s=0.3)
    feedback = Feedback(panel)
    store = Store(tmp_path / "data")
    radio_factory = open_radio or (lambda: SimRadio(scene, time_scale=time_scale))
    rig = SimulatedRig(settings, scene, time_scale=time_scale, pin_factory=factory, radio=radio_factory)
    session = Session(rig=rig, store=store, config=settings, feedback=feedback)
    panel.on_short_press = session.short_press
    panel.on_long_press = session.long_press
    return session, panel, feedback, store


def press(factory, hold=0.05):
    button = factory.pin(PINS.button)
    button.drive_low()
    time.sleep(hold)
    button.drive_high()


def test_press_sweeps_lights_red_for_the_camera_stores_rows_and_long_press_tracks(tmp_path, factory, settings):
    # the user walks towards the camera: +1.5 dB per simulated second (the sweep takes about 4)
    approaching = {**CAMERA, "power_dbfs": -50, "power_ramp_db_per_s": 1.5, "power_limit_dbfs": -10}
    scene = room(tmp_path, [approaching, {"kind": "fm-broadcast", "freq_hz": 98.1e6, "power_dbfs": -30}])
    radios = []

    def open_radio():
        radios.append(SimRadio(scene, time_scale=0.0))  # the sweep runs instantly
        return radios[-1]

    session, panel, feedback, store = make_appliance(tmp_path, factory, settings, scene, open_radio=open_radio)
    amber = factory.pin(PINS.amber)
    try:
        amber.clear_states()
        press(factory)
        assert wait_for(lambda: session.state is State.SWEEPING, 5)
        assert wait_for(lambda: session.state is State.RESULTS, 120), session.status()
        assert sum(1 for s in amber.states if s.state) >= 1, "amber lit while sweeping"
        assert factory.pin(PINS.red).state, "red LED for the planted camera"
        assert "results-suspect" in [s.pattern for s in feedback.history]
        (record,) = store.sweeps()
        assert record.status == "complete" and record.summary["counts"]["suspects"] >= 1
        top = store.emitters(record.id)[0]
        assert abs(top["freq_hz"] - 1.28e9) < 10e3 and top["camera_score"] >= 0.5
        for radio in radios:  # tracking in real time: the ramp is 1.5 dB per second of the walk, whatever the load
            radio.time_scale = 1.0
        press(factory, hold=0.6)  # long press: track the top suspect
        assert wait_for(lambda: session.state is State.TRACKING, 5)
        buzzer = factory.pin(PINS.buzzer)
        time.sleep(0.5)
        buzzer.clear_states()
        time.sleep(2.0)
        early = sum(1 for s in buzzer.states if s.state)
        time.sleep(3.0)  # the camera's level keeps rising: the "distance" closes
        buzzer.clear_states()
        time.sleep(2.0)
        late = sum(1 for s in buzzer.states if s.state)
        assert late > early, f"ticks should speed up ({early} -> {late} per 2 s)"
        press(factory, hold=0.6)
        assert wait_for(lambda: session.state is not State.TRACKING, 5)
    finally:
        session.close()
        feedback.close()
        panel.close()


def test_tracking_streams_levels_with_real_read_latency_until_cancelled(tmp_path, factory, settings):
    """The rate itself (>= 10 a second) is measured by benchmarks/tracking_rate.py."""
    scene = room(tmp_path, [CAMERA])
    session, panel, feedback, _store = make_appliance(tmp_path, factory, settings, scene, time_scale=1.0)
    updates = []
    sub = session.events.subscribe()
    try:
        from appliance.tracking import Target

        session.start_tracking(Target(1.28e9, 4.7e6))
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            event = sub.get(timeout=0.5)
            if event is not None and event.type == "tracking":
                updates.append(event.data)
        session.cancel()
        assert wait_for(lambda: session.state is not State.TRACKING, 5), "cancel ends tracking"
    finally:
        sub.close()
        session.close()
        feedback.close()
        panel.close()
    assert len(updates) >= 5, "levels keep coming while the radio paces reads like a dongle"
    elapsed = [u["elapsed_s"] for u in updates]
    assert elapsed == sorted(elapsed) and all(-60 < u["level_dbfs"] < 10 for u in updates), updates[-1]


def test_no_dongle_is_a_visible_fault_and_the_next_press_recovers(tmp_path, factory, settings):
    scene = room(tmp_path, [{"kind": "carrier", "freq_hz": 433.5e6, "power_dbfs": -30}])
    attempts = {"n": 0}

    def flaky_radio():
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise RadioUnavailable("no usable RTL-SDR #0")
        return SimRadio(scene, time_scale=0)

    session, panel, feedback, store = make_appliance(tmp_path, factory, settings, scene, open_radio=flaky_radio)
    try:
        press(factory)
        assert wait_for(lambda: session.state is State.ERROR, 10)
        assert "RTL-SDR" in session.status()["message"]
        assert wait_for(lambda: "fault" in [s.pattern for s in feedback.history], 2)
        assert store.sweeps()[0].status == "failed"
        press(factory)  # the dongle is back
        assert wait_for(lambda: session.state is State.RESULTS, 60)
        assert store.sweeps()[0].status == "complete"
    finally:
        session.close()
        feedback.close()
        panel.close()


class PulledRadio(SimRadio):
    def __init__(self, *args, fail_after, **kwargs):
        super().__init__(*args, **kwargs)
        self.fail_after, self.tunes = fail_after, 0

    def tune(self, hz):
        self.tunes += 1
        if self.tunes > self.fail_after:
            raise RadioLost("RTL-SDR read failed: LIBUSB_ERROR_NO_DEVICE")
        super().tune(hz)


def test_dongle_pulled_mid_sweep_keeps_the_partial_sweep(tmp_path, factory, settings):
    scene = room(tmp_path, [{"kind": "carrier", "freq_hz": 433.5e6, "power_dbfs": -30}])
    session, panel, feedback, store = make_appliance(
        tmp_path, factory, settings, scene, open_radio=lambda: PulledRadio(scene, time_scale=0, fail_after=100)
    )
    try:
        session.start_sweep()
        assert wait_for(lambda: session.state is State.RESULTS, 60)
        record = store.sweeps()[0]
        assert record.status == "partial" and "NO_DEVICE" in record.error
        assert record.summary["missing_bands_hz"] and record.summary["hops_done"] == 100
        assert any(abs(e["freq_hz"] - 433.5e6) < 10e3 for e in store.emitters(record.id))
        assert store.load_spectrum(record.id) is not None
        assert "results-partial" in [s.pattern for s in feedback.history]
    finally:
        session.close()
        feedback.close()
        panel.close()


def test_cancel_during_a_sweep(tmp_path, factory, settings):
    scene = room(tmp_path, [])
    session, panel, feedback, store = make_appliance(tmp_path, factory, settings, scene, time_scale=1.0)
    try:
        press(factory)
        assert wait_for(lambda: session.status()["progress"] is not None, 10)
        press(factory)  # a second short press cancels
        assert wait_for(lambda: session.state is State.RESULTS, 10)
        assert store.sweeps()[0].status == "cancelled"
    finally:
        session.close()
        feedback.close()
        panel.close()


def test_progress_events_stream_while_sweeping(tmp_path, factory, settings):
    scene = room(tmp_path, [CAMERA])
    session, panel, feedback, _store = make_appliance(tmp_path, factory, settings, scene)
    seen: list[str] = []
    sub = session.events.subscribe()
    done = threading.Event()
    try:
        session.start_sweep()
        while not done.is_set():
            event = sub.get(timeout=30)
            assert event is not None, "events stopped"
            seen.append(event.type)
            if event.type == "result":
                done.set()
    finally:
        sub.close()
        session.close()
        feedback.close()
        panel.close()
    assert seen.count("hop") > 100 and "progress" in seen and "emitter" in seen
    assert seen.index("emitter") < seen.index("result")


def test_rf_progress_events_carry_the_swept_ranges(tmp_path, factory, settings):
    """A page that joins mid-sweep lays out its live spectrum from any RF progress event."""
    scene = room(tmp_path, [CAMERA])
    session, panel, feedback, _store = make_appliance(tmp_path, factory, settings, scene)
    progress: list[dict] = []
    sub = session.events.subscribe()
    try:
        session.start_sweep()
        while (event := sub.get(timeout=30)) is not None and event.type != "result":
            if event.type == "progress" and event.data["stage"] == "rf":
                progress.append(event.data)
    finally:
        sub.close()
        session.close()
        feedback.close()
        panel.close()
    assert len(progress) > 100
    assert all(p["ranges_hz"] == [[433.05e6, 434.79e6], [850e6, 1400e6]] for p in progress)
