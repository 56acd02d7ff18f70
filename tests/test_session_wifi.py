"""The Wi-Fi stage in the assembled appliance on the simulated demo room: button → RF + Wi-Fi + optical →
the camera that sees the device is the red alarm, stored, and found again by the hot/cold finder."""

from __future__ import annotations

import itertools
import time

from appliance import config as cfg
from appliance.feedback import Feedback
from appliance.rig import SimulatedRig
from appliance.session import Session, State
from appliance.store import Store
from appliance.wifi_tracking import WifiTarget
from hw.errors import ChannelRefused
from hw.panel import Panel, PanelPins
from hw.sim import scene as scenemod
from hw.sim.wifi import SimWifi

PINS = PanelPins()
SEES, BLIND, CALL = "a4:cf:12:3e:51:07", "d8:f1:5b:20:0c:44", "3c:22:fb:8a:10:5e"
FAST = {
    "ROOMSWEEP_SWEEP_PRESET": "cameras",
    "ROOMSWEEP_OPTICAL_PAIRS": "2",
    "ROOMSWEEP_WIFI_SURVEY_S": "0.2",
    "ROOMSWEEP_WIFI_DWELL_S": "5",
    "ROOMSWEEP_WIFI_STIMULUS_S": "30",
}


def appliance(tmp_path, factory, *, scene=None, wifi=None, env=None):
    settings = cfg.load(None, env={**FAST, **(env or {})})
    scene = scene or scenemod.load_demo()
    panel = Panel(PINS, pin_factory=factory, long_press_s=0.3)
    feedback = Feedback(panel)
    store = Store(tmp_path / "data")
    rig = SimulatedRig(settings, scene, time_scale=0.0, pin_factory=factory, wifi=wifi and (lambda: wifi(rig)))
    session = Session(rig=rig, store=store, config=settings, feedback=feedback)
    panel.on_short_press = session.short_press
    panel.on_long_press = session.long_press
    return session, panel, store, rig


def press(factory):
    button = factory.pin(PINS.button)
    button.drive_low()
    time.sleep(0.05)
    button.drive_high()


def wait_state(session, states, timeout=180.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if session.state in states:
            return True
        time.sleep(0.05)
    return False


def sweep(session, factory, store):
    press(factory)
    assert wait_state(session, {State.SWEEPING})
    assert wait_state(session, {State.RESULTS, State.ERROR})
    record = store.sweeps(limit=1)[0]
    return store.document(record.id), record


def test_button_sweeps_rf_wifi_and_optical_and_the_seeing_camera_is_the_alarm(tmp_path, factory):
    session, panel, store, rig = appliance(tmp_path, factory)
    try:
        doc, record = sweep(session, factory, store)
        assert doc["status"] == "complete", doc.get("problems")
        assert doc["emitters"] and doc["optical"] is not None  # RF and optical ran too
        wifi = doc["wifi"]
        assert wifi["state"] == "ran" and wifi["status"] == "complete"
        devices = {d["mac"]: (i, d) for i, d in enumerate(wifi["devices"])}
        i_sees, sees = devices[SEES]
        _, blind = devices[BLIND]
        _, call = devices[CALL]
        assert sees["kind"] == "camera" and sees["suspect"] and sees["sees_device"]
        assert sees["reasons"][0].startswith("this camera sees the device")
        assert blind["kind"] == "camera" and blind["suspect"] and not blind["sees_device"]
        assert blind["reasons"][0].startswith("streams like a camera; does not see the device from here")
        assert call["kind"] == "video-call" and not call["suspect"]
        assert doc["suspects"][0] == {"part": "wifi", "index": i_sees}  # the proven camera heads the list
        assert doc["counts"]["sees_device"] == 1 and doc["counts"]["wifi_suspects"] == 2
        assert factory.pin(PINS.red).state  # the red alarm
        assert not rig.illuminator.is_on  # the ring is dark again
        # stored: the document comes back from SQLite as it was built
        assert store.document(record.id)["wifi"]["devices"][i_sees]["sees_device"] is True
        # the camera's own ESP32 Bluetooth (its Wi-Fi MAC + 2) names it in the BLE part
        esp32 = next(d for d in doc["ble"]["devices"] if d["address"] == "a4:cf:12:3e:51:09")
        assert esp32["wifi_mac"] == SEES
        assert (
            esp32["reasons"][-1]
            == f"same chip as a Wi-Fi camera suspect {SEES}: its Bluetooth address is the Wi-Fi MAC + 2"
        )
        # the hot/cold finder: the seeing camera (-52 dBm) is hotter than the corridor camera (-68 dBm)
        heat = {}
        for mac, channel in ((SEES, 2437), (BLIND, 2462)):
            levels = []
            with session.events.subscribe() as events:
                session.start_tracking(WifiTarget(mac, channel, label=f"Wi-Fi {mac}"))
                while len(levels) < 20:
                    event = events.get(timeout=30)
                    assert event is not None, "no tracking updates"
                    if event.type == "tracking":
                        levels.append(event.data)
            assert session.events.latest("state").data["target"] == {
                "kind": "wifi",
                "mac": mac,
                "channel_mhz": channel,
                "label": f"Wi-Fi {mac}",
            }
            session.cancel()
            assert wait_state(session, {State.RESULTS})
            assert all(u["unit"] == "dBm" for u in levels)
            heat[mac] = sum(u["proximity"] for u in levels[-10:]) / 10
        assert heat[SEES] > heat[BLIND] + 0.15
        # the button: a long press tracks the top suspect, the camera that sees the device
        assert session.top_target() == WifiTarget(SEES, 2437, label=f"Wi-Fi camera {SEES}")
        button = factory.pin(PINS.button)
        button.drive_low()
        time.sleep(0.5)
        button.drive_high()
        assert wait_state(session, {State.TRACKING}, timeout=10)
        assert session.events.latest("state").data["target"]["mac"] == SEES
        session.cancel()
        assert wait_state(session, {State.RESULTS})
    finally:
        session.close()
        rig.close()


def test_no_adapter_is_a_state_and_the_rest_of_the_sweep_goes_on(tmp_path, factory):
    scene = scenemod.parse({"name": "no wifi", "noise_floor_dbfs": -55, "emitters": []})
    session, panel, store, rig = appliance(tmp_path, factory, scene=scene, env={"ROOMSWEEP_SWEEP_OPTICAL": "false"})
    try:
        doc, _ = sweep(session, factory, store)
        assert doc["status"] == "complete"
        assert doc["wifi"]["state"] == "off"
        assert doc["wifi"]["error"].startswith("no monitor-capable Wi-Fi adapter: the Wi-Fi sweep is off")
        assert rig.wifi_probe()["warnings"] == ["no monitor-capable Wi-Fi adapter: the Wi-Fi sweep is off"]
    finally:
        session.close()
        rig.close()


def test_adapter_pulled_mid_survey_marks_the_wifi_part_partial(tmp_path, factory):
    def pulled(rig):
        return SimWifi(rig.scene.wifi, rig.illuminator, time_scale=0.0, fail_after_s=3.0)

    session, panel, store, rig = appliance(tmp_path, factory, wifi=pulled, env={"ROOMSWEEP_SWEEP_OPTICAL": "false"})
    try:
        doc, record = sweep(session, factory, store)
        assert doc["status"] == "partial" and doc["emitters"]  # the RF part is all there
        assert doc["wifi"]["status"] == "partial"
        assert "stopped answering" in doc["wifi"]["problems"][0]
        assert "Wi-Fi: the Wi-Fi adapter stopped answering" in (record.error or "")
        assert "stopped answering" in rig.wifi_probe()["last_sweep"]
    finally:
        session.close()
        rig.close()


class RefusesChannel(SimWifi):
    def tune(self, freq_mhz: int, width_mhz: int = 20) -> None:
        if freq_mhz == 2462:
            raise ChannelRefused("2462 MHz: the regulatory domain does not allow it")
        super().tune(freq_mhz, width_mhz)


def test_a_refused_channel_is_named_and_the_rest_surveyed(tmp_path, factory):
    def refusing(rig):
        return RefusesChannel(rig.scene.wifi, rig.illuminator, time_scale=0.0)

    session, panel, store, rig = appliance(tmp_path, factory, wifi=refusing, env={"ROOMSWEEP_SWEEP_OPTICAL": "false"})
    try:
        doc, _ = sweep(session, factory, store)
        wifi = doc["wifi"]
        assert wifi["problems"] == ["2462 MHz: the regulatory domain does not allow it"]
        assert 2462 not in wifi["channels_mhz"] and 2437 in wifi["channels_mhz"]
        assert BLIND not in {d["mac"] for d in wifi["devices"]}  # it lives on the refused channel
        assert rig.wifi_probe()["last_sweep"] == "2462 MHz: the regulatory domain does not allow it"
    finally:
        session.close()
        rig.close()


def test_the_lights_test_prompts_on_the_phone_and_the_buzzer_and_leaves_the_ring_dark(tmp_path, factory):
    # the picture stage blinks the ring at the room's analog camera: off, this is the Wi-Fi stage's test
    env = {"ROOMSWEEP_SWEEP_OPTICAL": "false", "ROOMSWEEP_SWEEP_PICTURE": "false", "ROOMSWEEP_WIFI_STIMULUS": "lights"}
    session, panel, store, rig = appliance(tmp_path, factory, env=env)
    ring = factory.pin(rig.settings["panel.illuminator_pin"])
    try:
        with session.events.subscribe(maxlen=20000) as events:
            doc, _ = sweep(session, factory, store)
            prompts = []
            while (event := events.get(timeout=0.1)) is not None:
                if event.type == "prompt":
                    prompts.append(event.data)
        stimulus = doc["wifi"]["stimulus"]
        assert stimulus["kind"] == "lights" and stimulus["slot_s"] == 4.0
        texts = [p["text"] for p in prompts]
        assert texts and set(texts) == {"Switch the room light ON now", "Switch the room light OFF now"}
        assert texts[-1] == "Switch the room light OFF now"  # the room is left as it was
        assert all(a != b for a, b in itertools.pairwise(texts))  # one prompt per change
        beeps = [s.pattern for s in panel_history(session) if s.pattern.startswith("prompt-light")]
        assert len(beeps) == len(texts)
        assert not any(s.state for s in ring.states[1:])  # the LED ring never lit
    finally:
        session.close()
        rig.close()


def panel_history(session):
    return list(session.feedback.history)
