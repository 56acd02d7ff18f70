"""hw.ble and hw.sim.ble: the replayed log, the simulated room's scene block, and the real driver without an adapter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance import config as cfg
from appliance import rig as rigmod
from dsp import ble
from hw.ble import NO_ADAPTER, AdvertLogReplay, BleakScanner, BleScanner, write_log
from hw.errors import AdvertLogError, BleUnavailable, SceneError
from hw.sim import scene as scenemod
from hw.sim.ble import SimBle

LOG = Path(__file__).parent / "data" / "ble" / "room.jsonl"


def test_replay_plays_the_log_on_its_own_clock():
    replay = AdvertLogReplay(LOG)
    assert isinstance(replay, BleScanner)
    first = replay.scan(1.0)
    assert first and all(s.t < first[0].t + 1.0 for s in first)
    rest = []
    while not replay.exhausted:
        rest += replay.scan(1.0)
    assert len(first) + len(rest) == sum(1 for line in LOG.read_text().splitlines() if line.strip())
    camera = next(s for s in first if s.address == "3a:9c:54:e0:7b:12")
    assert camera.address_type == "random" and camera.rssi_dbm == -63
    assert [h.reason for h in ble.hints(camera.advert)] == ["HomeKit accessory of category IP camera (not paired yet)"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2: not JSON"),
        ('{"t": 1, "address": "aa:bb:cc:dd:ee:ff", "rssi": -50}', "line 2: missing 'adv'"),
        ('{"t": 1, "address": "aa:bb:cc:dd:ee", "adv": ""}', "line 2: not a Bluetooth address: 'aa:bb:cc:dd:ee'"),
        ('{"t": 1, "address": "aa:bb:cc:dd:ee:ff", "adv": "zz"}', "line 2: 'adv' is not hex"),
        ('{"t": "1", "address": "aa:bb:cc:dd:ee:ff", "adv": ""}', "line 2: 't' has the wrong type (str)"),
        ('{"t": 1, "address": "aa:bb:cc:dd:ee:ff", "adv": "", "x": 1}', "line 2: unknown key 'x'"),
        ('{"t": 1, "address": "aa:bb:cc:dd:ee:ff", "adv": "", "address_type": "odd"}', "address_type 'odd' is not"),
        ("[1, 2]", "line 2: expected an object, got list"),
    ],
)
def test_a_bad_log_line_is_one_line_saying_where(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"t": 0, "address": "aa:bb:cc:dd:ee:ff", "adv": "020106"}\n' + line + "\n")
    with pytest.raises(AdvertLogError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        AdvertLogReplay(path)
    assert "\n" not in str(err.value)


def test_missing_and_binary_logs(tmp_path):
    with pytest.raises(AdvertLogError, match="no such advertisement log"):
        AdvertLogReplay(tmp_path / "absent.jsonl")
    (tmp_path / "bin.jsonl").write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(AdvertLogError, match="not a text file"):
        AdvertLogReplay(tmp_path / "bin.jsonl")


def test_write_log_replays_to_the_same_sightings(tmp_path):
    original = AdvertLogReplay(LOG).scan(100.0)
    assert write_log(tmp_path / "again.jsonl", original) == len(original)
    again = AdvertLogReplay(tmp_path / "again.jsonl").scan(100.0)
    assert [(s.t, s.address, s.rssi_dbm, s.address_type) for s in again] == [
        (s.t, s.address, s.rssi_dbm, s.address_type) for s in original
    ]
    assert [s.advert for s in again] == [s.advert for s in original]


def test_the_demo_rooms_advertisers_are_heard_at_their_intervals():
    scene = scenemod.load_demo()
    scanner = SimBle(scene.ble, time_scale=0, name=scene.name)
    heard = scanner.scan(10.0)
    counts = {d["address"]: sum(1 for s in heard if s.address == d["address"]) for d in scene.ble["devices"]}
    for device in scene.ble["devices"]:
        expected = 10.0 / (device["interval_ms"] / 1e3 + 0.005)
        assert abs(counts[device["address"]] - expected) <= 0.1 * expected + 1, device["address"]
    tuya = next(s for s in heard if s.address == "f3:41:7c:20:9b:11")
    assert "product id k7fq2v9x" in ble.hints(tuya.advert)[0].reason
    assert all(s.t < 10.0 for s in heard) and scanner.scan(1.0)[0].t >= 10.0


def scene_with(ble_block: object) -> dict:
    return {"name": "t", "ble": ble_block}


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"devices": [{"name": "x"}]}, "missing required key 'address'"),
        ({"devices": [{"address": "aa:bb:cc:dd:ee"}]}, "not a Bluetooth address"),
        ({"devices": [{"address": "aa:bb:cc:dd:ee:ff", "colour": 1}]}, "unknown key 'colour'"),
        ({"devices": [{"address": "aa:bb:cc:dd:ee:ff", "manufacturer_data": {"tuya": "00"}}]}, "is not a number"),
        ({"devices": [{"address": "aa:bb:cc:dd:ee:ff", "manufacturer_data": {"0x07D0": "0g"}}]}, "expected hex"),
        ({"devices": [{"address": "aa:bb:cc:dd:ee:ff", "service_uuids": ["fd50"]}]}, "neither 0x1234"),
        ({"devices": [{"address": "aa:bb:cc:dd:ee:ff", "rssi_dbm": 5}]}, "above the maximum"),
        ({"devices": [{"address": "aa:bb:cc:dd:ee:ff"}, {"address": "AA:BB:CC:DD:EE:FF"}]}, "is already devices[0]"),
        ({"devices": [{"address": "aa:bb:cc:dd:ee:ff", "name": "n" * 300}]}, "at most 254 bytes"),
    ],
)
def test_a_bad_ble_block_is_refused_in_one_line(block, message):
    with pytest.raises(SceneError, match=message.replace("[", r"\[").replace("]", r"\]")) as err:
        scenemod.parse(scene_with(block))
    assert str(err.value).startswith("scene: ble.devices[")
    assert "\n" not in str(err.value)


def test_no_adapter_is_said_plainly(tmp_path):
    with pytest.raises(BleUnavailable, match=f"^{NO_ADAPTER}$"):
        BleakScanner(sysfs=tmp_path)
    (tmp_path / "hci0").mkdir()
    with pytest.raises(BleUnavailable, match=r"hci1 not among hci0"):
        BleakScanner("hci1", sysfs=tmp_path)


def test_real_driver_without_bluez_is_unavailable_not_a_crash(tmp_path):
    (tmp_path / "hci0").mkdir()  # the kernel has a controller, but this machine runs no BlueZ on a system bus
    scanner = BleakScanner(sysfs=tmp_path)
    assert scanner.name == "hci0 (BlueZ)"
    with pytest.raises(BleUnavailable, match="BlueZ"):
        scanner.scan(0.2)


def test_the_rigs_open_ble():
    settings = cfg.load(None)
    demo = rigmod.choose(settings, simulate=True)
    scanner = demo.open_ble()
    assert scanner.name == f"simulated: {demo.scene.name}" and demo.ble_probe()["state"] == "simulated"
    bare = rigmod.SimulatedRig(settings, scenemod.parse({"name": "bare"}))
    with pytest.raises(BleUnavailable, match=NO_ADAPTER):
        bare.open_ble()
    assert bare.ble_probe() == {"state": "absent", "warnings": [NO_ADAPTER]}
    replayed = rigmod.SimulatedRig(settings, scenemod.parse({"name": "bare"}), ble=lambda: AdvertLogReplay(LOG))
    assert replayed.open_ble().name == "replay: room.jsonl"
    assert json.dumps(demo.probes()["ble"]())
