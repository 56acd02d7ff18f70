"""dsp.traffic: per-transmitter features, kinds and the Wi-Fi stimulus test, on frame trains from the
simulated room (hw.sim.wifi) and on hand-built trains."""

import numpy as np
import pytest

from dsp import frames as fr
from dsp import stimulus, traffic
from hw.sim.wifi import SimWifi, frames_of
from hw.sim.wifi_scene import parse_wifi

AP = "02:00:00:00:00:01"
CH = 2437


class Ring:
    """A lit/dark flag standing in for the LED ring (the rig test drives the real pin)."""

    is_on = False


def room(*devices, seed=0, ring=None):
    block = parse_wifi({"devices": [{"kind": "access-point", "mac": AP, "channel_mhz": CH}, *devices]}, "wifi")
    capture = SimWifi(block, ring or Ring(), seed=seed, time_scale=0)
    capture.tune(CH)
    return capture


def station(kind, n, **traffic_keys):
    return {"kind": kind, "mac": f"a4:cf:12:00:00:{n:02x}", "channel_mhz": CH, "rssi_dbm": -55, **traffic_keys}


def by_mac(devices):
    return {d.mac: d for d in devices}


@pytest.fixture(scope="module")
def busy_room():
    capture = room(
        station("camera", 1, bitrate_bps=1.2e6, fps=15, gop=30),
        station("camera", 2, bitrate_bps=300e3, fps=10, gop=20, transport="tcp", rssi_dbm=-72),
        station("video-call", 3),
        station("vod-client", 4),
        station("tv-client", 5),
        station("uploader", 6),
        station("uploader", 7, paced=True, uplink_bps=300e3),
        station("phone", 8),
        station("plug", 9),
        seed=3,
    )
    return by_mac(traffic.analyze(frames_of(capture, 20.0)))


def test_each_kind_of_traffic_is_named(busy_room):
    kinds = {mac: d.kind for mac, d in busy_room.items()}
    assert kinds == {
        AP: "access-point",
        "a4:cf:12:00:00:01": "camera",
        "a4:cf:12:00:00:02": "camera",
        "a4:cf:12:00:00:03": "video-call",
        "a4:cf:12:00:00:04": "streaming-client",
        "a4:cf:12:00:00:05": "streaming-client",
        "a4:cf:12:00:00:06": "uploader",
        "a4:cf:12:00:00:07": "uploader",
        "a4:cf:12:00:00:08": "idle",
        "a4:cf:12:00:00:09": "idle",
    }
    suspects = sorted(mac for mac, d in busy_room.items() if d.suspect)
    assert suspects == ["a4:cf:12:00:00:01", "a4:cf:12:00:00:02"]


def test_a_camera_stream_is_measured(busy_room):
    cam = busy_room["a4:cf:12:00:00:01"]
    assert cam.frame_rate_hz == pytest.approx(15.0, rel=0.02)
    assert cam.uplink_bps == pytest.approx(1.2e6, rel=0.2)
    assert cam.uplink.gop_s == pytest.approx(2.0, rel=0.05)
    assert cam.uplink.near_mtu_share > 0.8
    assert cam.camera_score > 0.95
    assert cam.reasons[0].startswith("uplink video stream: 1.")
    assert any("key frame every 2.0 s (30 frames)" in r for r in cam.reasons)
    assert any("one-way" in r for r in cam.reasons)
    slow = busy_room["a4:cf:12:00:00:02"]  # TCP at 300 kbit/s, weak signal
    assert slow.frame_rate_hz == pytest.approx(10.0, rel=0.02)
    assert slow.rssi_dbm == pytest.approx(-72, abs=3)


def test_a_video_call_is_not_a_camera(busy_room):
    call = busy_room["a4:cf:12:00:00:03"]
    assert call.camera_score < 0.5
    assert any("two-way video" in r for r in call.reasons)


def test_a_paced_upload_beats_like_video_but_its_frames_never_change_size(busy_room):
    upload = busy_room["a4:cf:12:00:00:07"]
    assert upload.uplink.regularity > 0.9  # one segment every 41 ms, on the beat...
    assert upload.uplink.size_spread == 0.0  # ...but every one exactly a full frame
    assert upload.kind == "uploader" and upload.camera_score < 0.05


def test_a_set_top_box_that_only_receives_is_listed_without_a_level(busy_room):
    tv = busy_room["a4:cf:12:00:00:05"]
    assert tv.downlink_bps == pytest.approx(4e6, rel=0.1)
    assert tv.rssi_dbm is None  # it never transmits: nothing to home in on


def test_json_has_the_design_shape(busy_room):
    doc = busy_room["a4:cf:12:00:00:01"].to_json()
    assert set(doc) == {
        "mac",
        "vendor",
        "kind",
        "camera_score",
        "uplink_bps",
        "downlink_bps",
        "frame_rate_hz",
        "rssi_dbm",
        "channel_mhz",
        "bssid",
        "stimulus",
        "reasons",
    }
    assert doc["channel_mhz"] == CH and doc["bssid"] == AP and doc["stimulus"] is None
    assert doc["kind"] in traffic.KINDS


def test_excluded_addresses_are_never_judged():
    capture = room(station("camera", 1), seed=1)
    frames = frames_of(capture, 6.0)
    macs = {d.mac for d in traffic.analyze(frames, exclude={fr.mac_to_int("a4:cf:12:00:00:01")})}
    assert macs == {AP}


def _train(times, sizes, mac=0xA4CF12000001, bssid=0x020000000001):
    """Hand-built uplink data frames: each burst split into 1550-byte frames 0.4 ms apart."""
    rows = []
    for t, size in zip(times, sizes, strict=True):
        n, rest = divmod(int(size), 1550)
        lengths = [1550] * n + ([rest] if rest >= 100 else [])
        rows += [(t + 0.0004 * i, length) for i, length in enumerate(lengths)]
    out = fr.empty(len(rows))
    out["t"], out["length"] = np.array(rows).T
    out["tx"], out["rx"], out["bssid"] = mac, bssid, bssid
    out["ftype"], out["flags"] = fr.TYPE_DATA, fr.FLAG_TO_DS | fr.FLAG_PROTECTED
    return out


def test_bursts_are_rebuilt_from_hand_built_packet_trains():
    rng = np.random.default_rng(0)
    times = np.arange(0, 20, 0.08) + rng.normal(0, 0.002, 250)  # 12.5 frames a second
    sizes = np.round(6000 * np.exp(rng.normal(0, 0.15, 250)))
    sizes[::25] *= 6  # a key frame every 2 s
    train = _train(times, sizes)
    bursts = traffic.rebuild_bursts(train["t"], train["length"])
    assert len(bursts) == 250
    tails = np.where(sizes % 1550 >= traffic.MIN_PAYLOAD, sizes % 1550, 0)  # a short last piece joins its train
    assert np.allclose(bursts.sizes, np.floor(sizes / 1550) * 1550 + tails, atol=2)
    (device,) = traffic.analyze(_train(times, sizes))
    assert device.kind == "camera" and device.frame_rate_hz == pytest.approx(12.5, rel=0.01)
    assert device.uplink.gop_s == pytest.approx(2.0, rel=0.02)


def test_random_arrivals_are_no_frame_beat():
    rng = np.random.default_rng(1)
    times = np.cumsum(rng.exponential(0.07, 300))
    sizes = 5000 * np.exp(rng.normal(0, 0.3, 300))
    (device,) = traffic.analyze(_train(times, sizes))
    assert device.uplink.regularity < traffic.REGULAR
    assert device.kind == "uploader" and not device.suspect


def test_retries_are_not_counted_twice():
    times = np.arange(0, 10, 0.1)
    train = _train(times, np.full(times.size, 3100.0))
    retried = train.copy()
    retried["t"] += 0.0002
    retried["flags"] |= fr.FLAG_RETRY
    (once,) = traffic.analyze(train)
    (twice,) = traffic.analyze(np.concatenate((train, retried)))
    assert twice.uplink_bps == pytest.approx(once.uplink_bps)


# --- the stimulus test -----------------------------------------------------------------------


def _stimulus_run(seed, **camera_keys):
    ring = Ring()
    capture = room(
        station("camera", 1, sees_device=True, led_response=0.15, **camera_keys),
        station("camera", 2, sees_device=False, fps=25, gop=50),
        station("video-call", 3),
        seed=seed,
        ring=ring,
    )
    devices = traffic.analyze(frames_of(capture, 5.0))
    rng = np.random.default_rng(seed)
    schedule = stimulus.make_schedule("ir-ring", capture.clock(), 1.0, 40, rng)
    parts = []
    for state in schedule.pattern:
        ring.is_on = bool(state)
        parts.append(capture.read(schedule.slot_s))
    ring.is_on = False
    parts.append(capture.read(2.0))
    frames = np.concatenate(parts)
    return devices, traffic.judge_stimulus(frames, devices, schedule, rng, permutations=1999)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_camera_that_sees_the_ring_responds_and_the_other_does_not(seed):
    devices, responses = _stimulus_run(seed)
    assert set(responses) == {"a4:cf:12:00:00:01", "a4:cf:12:00:00:02"}  # suspects only: not the call
    sees, blind = responses["a4:cf:12:00:00:01"], responses["a4:cf:12:00:00:02"]
    assert sees.to_json()["responds"] and sees.statistic < 0  # the lit ring lowers the gain and the bits
    assert 0.0 <= sees.lag_s <= traffic.MAX_LAG_S
    assert not blind.to_json()["responds"]
    traffic.apply_stimulus(devices, responses)
    verdicts = by_mac(devices)
    assert verdicts["a4:cf:12:00:00:01"].reasons[0].startswith(traffic.SEES)
    assert verdicts["a4:cf:12:00:00:01"].to_json()["stimulus"]["responds"] is True
    assert verdicts["a4:cf:12:00:00:02"].reasons[0].startswith(traffic.BLIND)
    assert verdicts["a4:cf:12:00:00:03"].stimulus is None


def test_p_values_are_holm_corrected_over_the_devices_judged():
    devices, corrected = _stimulus_run(2, transport="tcp")
    raw_p = sorted(r.p_value for r in corrected.values())
    assert raw_p[0] >= 2.0 / 2000  # two devices judged: the smallest p doubled at least
    assert all(0 < p <= 1 for p in raw_p)


def test_a_low_bitrate_camera_whose_frames_are_one_full_packet_and_a_short_tail_is_a_camera():
    """250 kbit/s at 20 fps: each P-frame is one full packet plus a tail under 400 bytes; without the
    tail every burst would be the same size, like a paced upload's."""
    capture = room(station("camera", 1, bitrate_bps=250e3, fps=20, gop=56), seed=7)
    (camera,) = [d for d in traffic.analyze(frames_of(capture, 8.0)) if d.mac == "a4:cf:12:00:00:01"]
    assert camera.uplink.size_spread > traffic.MIN_SPREAD
    assert camera.kind == "camera" and camera.frame_rate_hz == pytest.approx(20.0, rel=0.02)
