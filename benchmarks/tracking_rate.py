"""Proximity tracking rate on SimRadio with realistic read latency (real-time pacing).

The radio sleeps as long as a dongle takes to deliver each block (n / 2.4 MS/s + USB overhead),
so the rate measured here is what the Pi's radio allows, minus our DSP per update.
Usage: python -m benchmarks.tracking_rate [--seconds 5] [--rate 20]
"""

from __future__ import annotations

import argparse
import itertools
import threading
import time

from appliance.tracking import Target, track
from benchmarks._common import save
from hw.sim.radio import SimRadio
from hw.sim.scene import load_demo


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rate", type=float, default=20.0, help="tracking.rate_hz setting")
    args = ap.parse_args()
    radio = SimRadio(load_demo(), time_scale=1.0)
    stop = threading.Event()
    updates = []
    threading.Timer(args.seconds, stop.set).start()
    t0 = time.perf_counter()
    track(
        radio,
        Target(1.28e9, 4.7e6),
        rate_hz=args.rate,
        smoothing_s=0.4,
        on_update=updates.append,
        stop=stop,
    )
    elapsed = time.perf_counter() - t0
    rate = len(updates) / elapsed
    gaps = [b.elapsed_s - a.elapsed_s for a, b in itertools.pairwise(updates)]
    print(f"{len(updates)} level updates in {elapsed:.2f} s: {rate:.1f} updates/s (bound: >= 10)")
    print(f"longest gap between updates: {max(gaps) * 1e3:.0f} ms; setting tracking.rate_hz = {args.rate:g}")
    print(f"results: {save('tracking_rate', {'updates_per_s': rate, 'max_gap_s': max(gaps), 'rate_hz': args.rate})}")


if __name__ == "__main__":
    main()
