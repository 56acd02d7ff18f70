"""The simulated room's Wi-Fi: the scene's ``wifi`` block (strict schema) and SimWifi, the adapter
that hears it — only on the tuned channel, with the LED ring read from the rig's real pin."""

import json

import numpy as np
import pytest

from appliance import config as cfg
from appliance.rig import SimulatedRig
from dsp import frames as fr
from dsp import stimulus, traffic
from hw.errors import ChannelRefused, SceneError, WifiLost
from hw.sim import scene as scenemod
from hw.sim.wifi import SimWifi, frames_of
from hw.wifi import WifiCapture

AP = {"kind": "access-point", "mac": "02:00:00:00:00:01", "channel_mhz": 2412}


def parse(*devices, **top):
    return scenemod.parse({"name": "t", "wifi": {"devices": [AP, *devices], **top}})


@pytest.mark.parametrize(
    ("device", "message"),
    [
        ({"kind": "camera", "mac": "a4:cf:12:00:00:01", "channel_mhz": 2412, "fsp": 15}, "unknown key 'fsp'"),
        ({"kind": "camera", "mac": "a4:cf:12:00", "channel_mhz": 2412}, "not a MAC address"),
        ({"kind": "camera", "mac": "a4:cf:12:00:00:01", "channel_mhz": 2437}, "no access point on 2437 MHz"),
        ({"kind": "camera", "mac": "a4:cf:12:00:00:01", "channel_mhz": 2412, "fps": 500}, "above the maximum"),
        ({"kind": "doorbell", "mac": "a4:cf:12:00:00:01", "channel_mhz": 2412}, "'doorbell' is not one of"),
        ({"kind": "phone", "mac": "02:00:00:00:00:01", "channel_mhz": 2412}, r"is already devices\[0\]"),
        ({"kind": "camera", "mac": "a4:cf:12:00:00:01", "channel_mhz": 2412, "sees_device": 1}, "true or false"),
    ],
)
def test_a_bad_wifi_block_is_one_clear_error(device, message):
    with pytest.raises(SceneError, match=message):
        parse(device)


def test_unknown_keys_in_the_block_itself_are_refused():
    with pytest.raises(SceneError, match="unknown key 'cameras'"):
        parse(cameras=[])


def test_a_station_joins_the_access_point_on_its_channel_with_the_kinds_defaults():
    scene = parse({"kind": "camera", "mac": "A4:CF:12:00:00:01", "channel_mhz": 2412})
    camera = scene.wifi["devices"][1]
    assert camera["bssid"] == AP["mac"]
    assert camera["fps"] == 15.0 and camera["transport"] == "rtp" and camera["sees_device"] is False


def test_a_scene_file_with_a_bad_wifi_block_names_the_file(tmp_path):
    path = tmp_path / "room.json"
    path.write_text(json.dumps({"wifi": {"devices": [{"kind": "plug", "mac": "x", "channel_mhz": 2412}]}}))
    with pytest.raises(SceneError, match=r"room.json: wifi.devices\[0\]"):
        scenemod.load(path)


def test_the_demo_room_has_the_wifi_devices_the_readme_promises():
    kinds = sorted(d["kind"] for d in scenemod.load_demo().wifi["devices"])
    assert kinds == ["access-point", "access-point", "camera", "camera", "phone", "plug", "video-call"]
    cameras = [d for d in scenemod.load_demo().wifi["devices"] if d["kind"] == "camera"]
    assert sorted(c["sees_device"] for c in cameras) == [False, True]


class Dark:
    is_on = False


def demo_capture(**options):
    return SimWifi(scenemod.load_demo().wifi, Dark(), time_scale=0, **options)


def test_simwifi_is_a_wifi_capture_that_hears_only_the_tuned_channel():
    capture = demo_capture()
    assert isinstance(capture, WifiCapture)
    capture.tune(2462)
    frames = frames_of(capture, 3.0)
    assert capture.clock() == pytest.approx(3.0)
    heard = {fr.mac_text(m) for m in np.unique(frames["tx"])}
    assert heard == {"02:1a:11:00:00:02", "d8:f1:5b:20:0c:44"}  # the neighbour's AP and the corridor camera
    assert set(np.unique(frames["freq_mhz"])) == {2462}
    assert np.all(np.diff(frames["t"]) >= 0)
    capture.tune(2437)
    frames = capture.read(2.0)
    assert "a4:cf:12:3e:51:07" in {fr.mac_text(m) for m in np.unique(frames["tx"])}
    assert frames["t"].min() >= 3.0


def test_rssi_fades_around_the_scene_level():
    capture = demo_capture()
    capture.tune(2437)
    frames = frames_of(capture, 10.0)
    camera = frames[frames["tx"] == fr.mac_to_int("a4:cf:12:3e:51:07")]
    assert np.median(camera["rssi_dbm"]) == pytest.approx(-52, abs=2)
    assert 1.0 < camera["rssi_dbm"].std() < 5.0


def test_channels_the_adapter_cannot_receive_are_refused():
    capture = demo_capture()
    with pytest.raises(ChannelRefused, match="2484 MHz"):
        capture.tune(2484)
    with pytest.raises(ChannelRefused, match="width"):
        capture.tune(2412, 160)


def test_an_unplugged_adapter_raises_wifilost_mid_read():
    capture = demo_capture(fail_after_s=1.0)
    capture.read(1.0)
    with pytest.raises(WifiLost, match="stopped answering"):
        capture.read(1.0)


def test_the_rigs_real_ring_pin_drives_the_camera_that_sees_the_device():
    """The stimulus is played on the SimulatedRig's own illuminator (gpiozero mock pin): only the
    camera facing the device follows it."""
    rig = SimulatedRig(cfg.load(None, env={}), scenemod.load_demo(), time_scale=0)
    try:
        capture = SimWifi(rig.scene.wifi, rig.illuminator, seed=4, time_scale=0)
        capture.tune(2437)
        devices = traffic.analyze(frames_of(capture, 5.0))
        rng = np.random.default_rng(4)
        schedule = stimulus.make_schedule("ir-ring", capture.clock(), 1.0, 40, rng)
        parts = []
        for state in schedule.pattern:
            rig.illuminator.set(bool(state))
            pin = rig.pin_factory.pin(rig.settings["panel.illuminator_pin"])
            assert pin.state == state
            parts.append(capture.read(schedule.slot_s))
        rig.illuminator.off()
        parts.append(capture.read(2.0))
        responses = traffic.judge_stimulus(np.concatenate(parts), devices, schedule, rng, permutations=999)
    finally:
        rig.close()
    assert responses["a4:cf:12:3e:51:07"].to_json()["responds"]


def test_a_ramped_level_rises_as_the_finder_walks_closer_up_to_its_limit():
    scene = parse(
        {
            "kind": "camera",
            "mac": "a4:cf:12:00:00:01",
            "channel_mhz": 2412,
            "rssi_dbm": -80,
            "rssi_ramp_db_per_s": 2.0,
            "rssi_limit_dbm": -40,
        }
    )
    capture = SimWifi(scene.wifi, Dark(), time_scale=0)
    capture.tune(2412)
    camera = fr.mac_to_int("a4:cf:12:00:00:01")
    levels = []
    for _ in range(30):
        batch = capture.read(1.0)
        levels.append(np.median(batch["rssi_dbm"][batch["tx"] == camera]))
    assert levels[0] == pytest.approx(-79, abs=3)
    assert levels[10] == pytest.approx(-59, abs=3)
    assert levels[-1] == pytest.approx(-40, abs=3)  # held at the limit once reached (at 20 s)
    ap = capture.read(1.0)
    assert np.median(ap["rssi_dbm"][ap["tx"] == fr.mac_to_int(AP["mac"])]) == pytest.approx(-60, abs=3)


def test_time_scale_one_paces_reads_like_a_real_adapter():
    import time

    capture = SimWifi(scenemod.load_demo().wifi, Dark(), time_scale=1.0)
    capture.tune(2437)
    started = time.monotonic()
    frames = capture.read(0.3)
    assert time.monotonic() - started >= 0.28
    assert frames.size and capture.clock() == pytest.approx(0.3)
