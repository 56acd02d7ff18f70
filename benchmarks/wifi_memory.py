"""Memory of a long Wi-Fi capture: ``dsp.frame_window.FrameWindow`` against keeping every record.

A crowded channel for ``--seconds`` (default 300): an access point, four cameras, two video calls,
a TV, a VOD client, two uploaders and ``--phones`` phones asleep plus 40 plugs (stations that keep
arriving), heard by ``SimWifi`` and fed one second at a time to (a) a plain list of batches (what a
capture that keeps everything holds) and (b) a FrameWindow with a small device cap. Reported: records
and bytes held by each at the end, the largest the window ever held, and whether the cameras are
still called cameras from what the window holds.

Usage: python -m benchmarks.wifi_memory [--seconds 300] [--max-devices 32]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks._common import save
from dsp import traffic
from dsp.frame_window import PER_DEVICE, FrameWindow
from hw.sim.wifi import SimWifi
from hw.sim.wifi_scene import parse_wifi

CH = 2437


class Dark:
    is_on = False


def room(phones: int) -> dict:
    devices = [{"kind": "access-point", "mac": "02:00:00:00:00:01", "channel_mhz": CH}]

    def add(kind: str, n: int, **keys) -> None:
        devices.append({"kind": kind, "mac": f"a4:cf:12:00:{n >> 8:02x}:{n & 255:02x}", "channel_mhz": CH, **keys})

    for i in range(4):
        add("camera", 1 + i, bitrate_bps=(0.5e6, 1e6, 2e6, 4e6)[i], fps=(10, 15, 25, 30)[i])
    add("video-call", 10)
    add("video-call", 11)
    add("tv-client", 12)
    add("vod-client", 13)
    add("uploader", 14, uplink_bps=8e6)
    add("uploader", 15, paced=True, uplink_bps=600e3)
    for i in range(phones):
        add("phone", 100 + i)
    return {"devices": devices}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--phones", type=int, default=48)
    parser.add_argument("--max-devices", type=int, default=32)
    args = parser.parse_args()
    capture = SimWifi(parse_wifi(room(args.phones), "wifi"), Dark(), seed=7, time_scale=0)
    capture.tune(CH)
    window = FrameWindow(max_devices=args.max_devices)
    everything: list[np.ndarray] = []
    peak = 0
    t0 = time.perf_counter()
    for _ in range(args.seconds):
        batch = capture.read(1.0)
        everything.append(batch)
        window.add(batch)
        peak = max(peak, len(window))
    feed_s = time.perf_counter() - t0
    held = window.frames()
    all_records = sum(len(b) for b in everything)
    t1 = time.perf_counter()
    kinds = {d.mac: d.kind for d in traffic.analyze(held)}
    analyze_s = time.perf_counter() - t1
    cameras = [f"a4:cf:12:00:00:{i:02x}" for i in range(1, 5)]
    figures = {
        "seconds": args.seconds,
        "stations": 11 + args.phones,
        "max_devices": args.max_devices,
        "per_device": PER_DEVICE,
        "records_heard": all_records,
        "bytes_kept_by_a_plain_list": all_records * held.dtype.itemsize,
        "records_in_window": len(held),
        "peak_records_in_window": peak,
        "bytes_in_window_bound": args.max_devices * PER_DEVICE * held.dtype.itemsize,
        "stations_left_or_pushed_out": window.evicted,  # each time one was (phones, again and again)
        "cameras_still_cameras": sum(kinds.get(c) == "camera" for c in cameras),
        "seconds_covered_by_window": float(held["t"][-1] - held["t"][0]) if len(held) else 0.0,
        "analyze_s": analyze_s,
        "feed_s": feed_s,
    }
    for key, value in figures.items():
        print(f"{key:30s} {value}")
    save("wifi_memory", {"figures": figures})


if __name__ == "__main__":
    main()
