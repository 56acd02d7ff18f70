"""dsp.frame_window: a long capture held in bounded memory, per station."""

import numpy as np

from dsp import frames as fr
from dsp import traffic
from dsp.frame_window import FrameWindow
from hw.sim.wifi import SimWifi
from hw.sim.wifi_scene import parse_wifi


def records(n, tx, t0=0.0, length=1000, flags=fr.FLAG_TO_DS, rx=0x020000000001):
    out = fr.empty(n)
    out["t"] = t0 + np.arange(n) * 0.01
    out["tx"], out["rx"], out["length"], out["ftype"], out["flags"] = tx, rx, length, fr.TYPE_DATA, flags
    return out


def test_each_station_keeps_only_its_newest_records_in_time_order():
    window = FrameWindow(per_device=1000)
    for i in range(7):  # 7 × 300 records for one station, in batches
        window.add(records(300, 0xA4CF12000001, t0=i * 3.0))
    held = window.frames()
    assert len(held) == 1000
    assert np.all(np.diff(held["t"]) > 0)
    assert held["t"][-1] == records(300, 1, t0=18.0)["t"][-1]  # the newest survived
    assert held["t"][0] == np.sort(np.concatenate([records(300, 1, t0=i * 3.0)["t"] for i in range(7)]))[-1000]


def test_downlink_is_filed_under_the_station_it_is_for():
    window = FrameWindow(max_devices=2)
    window.add(records(10, 0xA4CF12000001))
    window.add(records(10, 0x020000000001, rx=0xA4CF12000001, flags=fr.FLAG_FROM_DS))
    assert window.devices == 1 and len(window) == 20


def test_a_new_station_pushes_out_the_quietest_never_the_streamer():
    window = FrameWindow(max_devices=3)
    window.add(records(500, 0xA4CF12000001, length=1500))  # the camera
    window.add(records(2, 0xA4CF12000002, length=100))
    window.add(records(5, 0xA4CF12000003, length=100))
    window.add(records(20, 0xA4CF12000004, length=200))  # pushes out ...02
    window.add(records(1, 0xA4CF12000005, length=60))  # quieter than all: left out
    kept = {fr.mac_text(int(m)) for m in np.unique(window.frames()["tx"])}
    assert kept == {"a4:cf:12:00:00:01", "a4:cf:12:00:00:03", "a4:cf:12:00:00:04"}
    assert window.evicted == 2


def test_a_camera_is_still_a_camera_after_a_minute_through_a_small_window():
    block = parse_wifi(
        {
            "devices": [
                {"kind": "access-point", "mac": "02:00:00:00:00:01", "channel_mhz": 2412},
                {"kind": "camera", "mac": "a4:cf:12:00:00:01", "channel_mhz": 2412, "bitrate_bps": 2e6, "fps": 25},
                {"kind": "uploader", "mac": "a4:cf:12:00:00:02", "channel_mhz": 2412},
            ]
        },
        "wifi",
    )

    class Dark:
        is_on = False

    capture = SimWifi(block, Dark(), time_scale=0)
    capture.tune(2412)
    window = FrameWindow(per_device=2000)
    for _ in range(60):
        window.add(capture.read(1.0))
    assert len(window) <= 3 * 2000
    kinds = {d.mac: d.kind for d in traffic.analyze(window.frames())}
    assert kinds["a4:cf:12:00:00:01"] == "camera"
