"""``roomsweep sweep``: one RF sweep in the terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from appliance import rf_sweep as sweepmod
from appliance import textout
from appliance.commands import UsageError, open_radio, radio_options
from appliance.report import emitter_json
from appliance.rtl_power_csv import write_rows
from dsp import plan as planmod
from hw.errors import BadInputError


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="one RF sweep in the terminal")
    radio_options(p)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--range", dest="ranges", help="LOW:HIGH[,LOW:HIGH...] e.g. 24M:1766M")
    where.add_argument("--preset", choices=sorted(planmod.PRESETS), help="full (24–1766 MHz) or cameras")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write rtl_power-compatible CSV rows")
    p.set_defaults(func=run)


def plan_from_args(args: argparse.Namespace) -> planmod.Plan:
    if args.ranges:
        try:
            ranges = planmod.parse_ranges(args.ranges)
            planmod.check_tunable(ranges)
        except ValueError as exc:
            raise UsageError(f"roomsweep sweep: --range {args.ranges}: {exc}") from None
    else:
        ranges = planmod.PRESETS[args.preset or "full"]
    return planmod.make_plan(ranges)


def sweep_json(result: sweepmod.SweepResult) -> dict[str, Any]:
    """The ``sweep --json`` document."""
    plan = result.plan

    def seconds(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "plan": {
            "ranges_hz": [list(r) for r in plan.ranges],
            "hops": len(plan.hops),
            "rbw_hz": plan.bin_hz,
            "sample_rate_hz": plan.sample_rate,
        },
        "complete": result.complete,
        "cancelled": result.cancelled,
        "error": result.error,
        "missing_bands_hz": [list(m) for m in result.missing],
        "noise_floor_dbfs": None if result.noise_floor_dbfs is None else round(result.noise_floor_dbfs, 1),
        "emitters": [emitter_json(c.detection, c.verdict) for c in result.emitters],
        "baseline": None,
        "new_since_baseline": None,
        "radio_time_s": seconds(result.radio_time_s),
        "survey_radio_time_s": seconds(result.survey_radio_time_s),
        "wall_time_s": seconds(result.wall_time_s),
        "not_covered": "2.4/5.8 GHz and everything outside 24–1766 MHz",
    }


def run(args: argparse.Namespace) -> int:
    plan = plan_from_args(args)
    radio = open_radio(args)
    bar = textout.ProgressBar()
    try:
        result = sweepmod.sweep(
            radio,
            plan,
            on_hop=lambda h: bar.update(h.fraction, textout.mhz(h.center_hz)),
            on_stage=lambda stage, frac: bar.update(1.0, f"{stage}: closer looks"),
        )
    finally:
        bar.done()
        radio.close()
    if args.csv:
        try:
            with args.csv.open("w", encoding="utf-8") as out:
                write_rows(out, plan, result.spectrum)
        except OSError as exc:
            raise BadInputError(f"cannot write {args.csv}: {exc.strerror or exc}") from None
    doc = sweep_json(result)
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        print_sweep(doc)
    if not result.complete:
        missing = ", ".join(f"{lo / 1e6:.1f}–{hi / 1e6:.1f} MHz" for lo, hi in result.missing) or "none"
        print(
            f"roomsweep sweep: ended early ({result.error or 'cancelled'}); not measured: {missing}",
            file=sys.stderr,
        )
        return 1
    return 0


def print_sweep(doc: dict[str, Any]) -> None:
    plan = doc["plan"]
    ranges = ", ".join(f"{lo / 1e6:g}–{hi / 1e6:g} MHz" for lo, hi in plan["ranges_hz"])
    timing = f"{doc['wall_time_s']:.1f} s"
    if doc["radio_time_s"] is not None:
        timing += f" (modelled radio time {doc['radio_time_s']:.1f} s)"
    print(f"Swept {ranges} in {plan['hops']} hops, {plan['rbw_hz'] / 1e3:.3f} kHz bins, {timing}.")
    if doc["noise_floor_dbfs"] is not None:
        print(f"Noise floor {doc['noise_floor_dbfs']:.1f} dBFS per bin.")
    print(textout.emitter_table(doc["emitters"]))
    suspects = [e for e in doc["emitters"] if e["camera_score"] >= 0.5]
    print(f"\n{len(suspects)} suspect(s) out of {len(doc['emitters'])} emitter(s).")
    print(textout.BLIND_SPOT_NOTE)
