"""Sweep timing: modelled radio time of the full 24–1766 MHz plan, and whether the DSP keeps up.

1. The plan's radio time under the SimRadio latency model (retune + settle samples + dwell).
2. DSP per hop: every hop of the plan is read from SimRadio once, then ``measure_hop`` is timed
   on each; compared with that hop's modelled radio time (must be <= 1/10).
3. A whole demo-room sweep on SimRadio in real time (sleeps as long as a dongle would take).
Usage: python benchmarks/sweep_timing.py [--no-realtime]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from appliance import rf_sweep
from benchmarks._common import save
from dsp import plan as planmod
from hw.radio import TUNER_RANGE_HZ
from hw.sim.radio import Latency, SimRadio
from hw.sim.scene import load_demo


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--no-realtime", action="store_true", help="skip the real-time sweep (saves ~10 s)")
    args = ap.parse_args()
    lat = Latency()
    plan = planmod.make_plan(planmod.preset("full", TUNER_RANGE_HZ), tuning_range=TUNER_RANGE_HZ)
    per_hop_fixed = lat.retune_s + lat.settle_samples / plan.sample_rate + 2 * lat.read_overhead_s
    radio_total = plan.radio_time_s(lat.retune_s, lat.settle_samples, lat.read_overhead_s)
    print(f"full plan: {len(plan.hops)} hops, {plan.n_bins} bins of {plan.bin_hz:.1f} Hz")
    print(
        f"latency model: retune {lat.retune_s * 1e3:.1f} ms + settle {lat.settle_samples} samples "
        f"+ read overhead 2 x {lat.read_overhead_s * 1e3:.1f} ms + dwell"
    )
    print(f"modelled radio time of the plan: {radio_total:.2f} s (bound: 10 s)")

    radio = SimRadio(load_demo(), time_scale=0)
    raws = []
    for hop in plan.hops:
        radio.tune(hop.center_hz)
        raws.append(radio.read(hop.dwell_samples))
    for hop, raw in zip(plan.hops[:5], raws, strict=False):  # warm-up (JIT cache load)
        planmod.measure_hop(raw, plan, hop)
    ratios, dsp_times = [], []
    for hop, raw in zip(plan.hops, raws, strict=True):
        t0 = time.perf_counter()
        planmod.measure_hop(raw, plan, hop)
        spent = time.perf_counter() - t0
        hop_radio = per_hop_fixed + hop.dwell_samples / plan.sample_rate
        dsp_times.append(spent)
        ratios.append(spent / hop_radio)
    ratios, dsp_times = np.array(ratios), np.array(dsp_times)
    print(
        f"DSP per hop: median {np.median(dsp_times) * 1e6:.0f} us, p99 {np.percentile(dsp_times, 99) * 1e6:.0f} us; "
        f"DSP/radio time per hop: median {np.median(ratios):.3f}, max {ratios.max():.3f} (bound: 0.100)"
    )
    t0 = time.perf_counter()
    spectrum = planmod.stitch(
        plan,
        [planmod.measure_hop(r, plan, h)[0] for r, h in zip(raws, plan.hops, strict=True)],
        [None] * len(plan.hops),
        [30.0] * len(plan.hops),
    )
    rf_sweep.detect.detect(spectrum)
    after = time.perf_counter() - t0
    print(f"measure + stitch + detect of the whole sweep once: {after:.2f} s")

    result = {
        "hops": len(plan.hops),
        "plan_radio_time_s": radio_total,
        "dsp_per_hop_median_us": float(np.median(dsp_times) * 1e6),
        "dsp_per_hop_p99_us": float(np.percentile(dsp_times, 99) * 1e6),
        "dsp_to_radio_ratio_max": float(ratios.max()),
    }
    if not args.no_realtime:
        radio = SimRadio(load_demo(), time_scale=1.0)
        sweep = rf_sweep.sweep(radio, plan)
        print(
            f"real-time demo-room sweep: wall {sweep.wall_time_s:.2f} s, modelled radio {sweep.radio_time_s:.2f} s "
            f"(survey {sweep.survey_radio_time_s:.2f} s), DSP {sweep.dsp_time_s:.2f} s, "
            f"{len(sweep.emitters)} emitters"
        )
        result.update(
            realtime_wall_s=sweep.wall_time_s,
            realtime_radio_s=sweep.radio_time_s,
            realtime_survey_radio_s=sweep.survey_radio_time_s,
            realtime_dsp_s=sweep.dsp_time_s,
        )
    print(f"results: {save('sweep_timing', result)}")


if __name__ == "__main__":
    main()
