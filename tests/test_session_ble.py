"""The BLE stage in the assembled appliance: the button's sweep scans Bluetooth beside the RF survey, and the
document's BLE part (simulated room, replayed log, pulled adapter, no adapter) is judged, stored and read back."""

from __future__ import annotations

import time
from pathlib import Path

from appliance import config as cfg
from appliance import report
from appliance.rig import SimulatedRig
from appliance.session import Session, State
from appliance.store import Store
from hw.ble import NO_ADAPTER, AdvertLogReplay
from hw.errors import BleLost
from hw.sim import scene as scenemod
from hw.sim.ble import SimBle

LOG = Path(__file__).parent / "data" / "ble" / "room.jsonl"
TUYA, ESP32 = "f3:41:7c:20:9b:11", "a4:cf:12:3e:51:09"
FAST = {
    "ROOMSWEEP_SWEEP_PRESET": "cameras",
    "ROOMSWEEP_SWEEP_OPTICAL": "false",
    "ROOMSWEEP_SWEEP_WIFI": "false",
    "ROOMSWEEP_BLE_SECONDS": "4",
}


def run_sweep(tmp_path, factory, *, scene=None, ble=None, env=None):
    settings = cfg.load(None, env={**FAST, **(env or {})})
    rig = SimulatedRig(settings, scene or scenemod.load_demo(), time_scale=0.0, pin_factory=factory, ble=ble)
    store = Store(tmp_path / "data")
    session = Session(rig=rig, store=store, config=settings)
    events = session.events.subscribe()
    try:
        session.start_sweep()
        deadline = time.monotonic() + 120
        while session.state is not State.RESULTS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert session.state is State.RESULTS
        record = store.sweeps(limit=1)[0]
        seen = []
        while (event := events.get(timeout=0)) is not None:
            seen.append((event.type, event.data))
        return store.document(record.id), record, seen
    finally:
        session.close()
        rig.close()


def test_the_demo_rooms_bluetooth_is_in_the_stored_document(tmp_path, factory):
    doc, record, events = run_sweep(tmp_path, factory)
    part = doc["ble"]
    assert part["state"] == "ran" and part["status"] == "complete" and part["seconds"] == 4.0
    assert part["adapter"] == "simulated: hotel room (demo)"
    devices = {d["address"]: d for d in part["devices"]}
    assert len(devices) == 5
    tuya = devices[TUYA]
    assert tuya["hint"] and tuya["vendor"] == "Hangzhou Tuya Information Technology Co., Ltd"
    assert tuya["hints"][0]["kind"] == "setup" and "product id k7fq2v9x" in tuya["reasons"][0]
    assert tuya["services"] == [{"uuid": "0xa201", "name": "Tuya BLE SDK"}]
    assert devices[ESP32]["name"] == "IPC_3E5107" and devices[ESP32]["hint"]
    assert not devices["5e:91:0a:c2:44:e0"]["hint"]  # the guest's phone
    assert [d["address"] for d in part["devices"][:2]] == [TUYA, ESP32]  # hinted first, the set-up advert first
    assert doc["counts"]["ble_devices"] == 5 and doc["counts"]["ble_hints"] == 2
    assert all(s["part"] != "ble" for s in doc["suspects"])  # hints are never suspects
    assert doc["status"] == "complete" and record.status == "complete"
    assert any(e[0] == "progress" and e[1].get("stage") == "ble" and e[1]["percent"] == 100.0 for e in events)


def test_a_replayed_log_goes_through_the_session(tmp_path, factory):
    doc, _, _ = run_sweep(tmp_path, factory, ble=lambda: AdvertLogReplay(LOG))
    part = doc["ble"]
    assert part["adapter"] == "replay: room.jsonl" and part["adverts"] == 56
    first = part["devices"][0]
    assert first["address"] == "3a:9c:54:e0:7b:12"
    assert first["reasons"] == ["HomeKit accessory of category IP camera (not paired yet)"]
    assert doc["counts"]["ble_hints"] == 4


class PulledAfter(SimBle):
    """The demo room's adapter, pulled after two seconds of scanning."""

    def __init__(self, block):
        super().__init__(block, time_scale=0.0, name="pulled")
        self.scans = 0

    def scan(self, seconds):
        self.scans += 1
        if self.scans > 2:
            raise BleLost("the Bluetooth adapter hci0 went away mid-scan (org.bluez.Error.NotReady)")
        return super().scan(seconds)


def test_an_adapter_pulled_mid_scan_keeps_what_was_heard(tmp_path, factory):
    scene = scenemod.load_demo()
    doc, record, _ = run_sweep(tmp_path, factory, scene=scene, ble=lambda: PulledAfter(scene.ble))
    part = doc["ble"]
    assert part["status"] == "partial" and part["seconds"] == 2.0 and len(part["devices"]) == 5
    assert part["problems"] == ["the Bluetooth adapter hci0 went away mid-scan (org.bluez.Error.NotReady)"]
    assert doc["status"] == "partial" and doc["emitters"]  # the RF part went on
    assert "Bluetooth: the Bluetooth adapter hci0 went away" in record.error


def test_no_adapter_is_a_state_not_a_failure(tmp_path, factory):
    bare = scenemod.parse(
        {"name": "bare room", "emitters": [{"kind": "carrier", "freq_hz": 433.92e6, "power_dbfs": -30}]}
    )
    doc, _, _ = run_sweep(tmp_path, factory, scene=bare)
    assert doc["ble"]["state"] == "off" and doc["ble"]["error"].startswith(NO_ADAPTER)
    assert doc["status"] == "complete"


def test_switched_off_in_the_settings(tmp_path, factory):
    doc, _, _ = run_sweep(tmp_path, factory, env={"ROOMSWEEP_SWEEP_BLE": "false"})
    assert doc["ble"] is None and doc["counts"]["ble_devices"] == 0


def wifi_part(mac: str, *, suspect: bool) -> dict:
    device = {"mac": mac, "kind": "camera" if suspect else "idle", "camera_score": 0.9 if suspect else 0.1}
    return {"state": "ran", "devices": [{**device, "suspect": suspect}]}


def ble_device(address: str, address_type: str = "public") -> dict:
    return {"address": address, "address_type": address_type, "hints": [], "hint": False, "reasons": []}


def test_a_chips_bluetooth_names_its_wifi_camera():
    ble = report.ble_part(
        {
            "adapter": "x",
            "seconds": 1,
            "adverts": 3,
            "status": "complete",
            "problems": [],
            "devices": [
                ble_device("a4:cf:12:3e:51:09"),  # ESP32: Bluetooth = Wi-Fi station + 2
                ble_device("a4:cf:12:3e:51:30"),  # same maker, not the same chip
                ble_device("a4:cf:12:3e:51:08", "random"),  # a random address says nothing
            ],
        }
    )
    report.link_ble_to_wifi(ble, wifi_part("a4:cf:12:3e:51:07", suspect=True))
    same, other, random = ble["devices"]
    assert same["wifi_mac"] == "a4:cf:12:3e:51:07"
    assert same["reasons"] == [
        "same chip as a Wi-Fi camera suspect a4:cf:12:3e:51:07: its Bluetooth address is the Wi-Fi MAC + 2"
    ]
    assert other["wifi_mac"] is None and random["wifi_mac"] is None


def test_too_many_advertisers_are_capped_and_said():
    devices = [
        ble_device(f"02:00:00:00:{i // 256:02x}:{i % 256:02x}", "random") for i in range(report.MAX_BLE_DEVICES + 7)
    ]
    part = report.ble_part(
        {"adapter": "x", "seconds": 1, "adverts": 1, "status": "complete", "problems": [], "devices": devices}
    )
    assert len(part["devices"]) == report.MAX_BLE_DEVICES
    assert part["problems"] == ["7 more Bluetooth devices heard, the least telling, not listed (at most 200)"]
