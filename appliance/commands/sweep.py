"""``roomsweep sweep``: one RF sweep in the terminal, compared with the room's baseline."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from appliance import baseline, evidence, paths, report
from appliance import rf_sweep as sweepmod
from appliance.commands import UsageError, open_radio, radio_options, rig_for, textout
from appliance.commands.rtl_power_csv import write_rows
from dsp import plan as planmod
from hw.errors import BadInputError
from hw.radio import TUNER_RANGE_HZ

__all__ = ["add_parser", "plan_from_args", "print_sweep", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="one RF sweep in the terminal")
    radio_options(p)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--range", dest="ranges", help="LOW:HIGH[,LOW:HIGH...] e.g. 24M:1766M")
    where.add_argument(
        "--preset", choices=sorted(planmod.PRESETS), help="full (the tuner's whole range, 24–1766 MHz) or cameras"
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write rtl_power-compatible CSV rows")
    looks = p.add_argument_group("closer looks")
    looks.add_argument(
        "--look-time", type=float, default=sweepmod.LOOK_S, metavar="S", help="dwell per look at a candidate (s)"
    )
    looks.add_argument(
        "--max-looks", type=int, default=sweepmod.MAX_LOOKS, metavar="N", help="look at the N most camera-like"
    )
    looks.add_argument("--evidence", type=Path, metavar="DIR", help="save each suspect's look as SigMF in DIR")
    base = p.add_argument_group("baseline (the room's known state)")
    base.add_argument(
        "--save-baseline",
        nargs="?",
        const="",
        default=None,
        metavar="NAME",
        help="remember this sweep's emitters as the room's known state",
    )
    base.add_argument("--no-baseline", action="store_true", help="do not compare with the saved baseline")
    base.add_argument(
        "--baseline-rise",
        type=float,
        default=baseline.DEFAULT_RISE_DB,
        metavar="DB",
        help="flag a known emitter that got this much stronger",
    )
    p.set_defaults(func=run)


def plan_from_args(args: argparse.Namespace) -> planmod.Plan:
    if args.ranges:
        try:
            ranges = planmod.parse_ranges(args.ranges)
            planmod.check_tunable(ranges, TUNER_RANGE_HZ)
        except ValueError as exc:
            raise UsageError(f"roomsweep sweep: --range {args.ranges}: {exc}") from None
    else:
        ranges = planmod.preset(args.preset or "full", TUNER_RANGE_HZ)
    return planmod.make_plan(ranges, tuning_range=TUNER_RANGE_HZ)


def _check_numbers(args: argparse.Namespace) -> None:
    lo, hi = sweepmod.LOOK_LIMITS_S
    if not lo <= args.look_time <= hi:
        raise UsageError(f"roomsweep sweep: --look-time must be {lo:g}–{hi:g} s, got {args.look_time:g}")
    if args.max_looks < 0:
        raise UsageError(f"roomsweep sweep: --max-looks must be 0 or more, got {args.max_looks}")
    if not 0 < args.baseline_rise <= 60:
        raise UsageError(f"roomsweep sweep: --baseline-rise must be in (0, 60] dB, got {args.baseline_rise:g}")


def _open_store():
    """The appliance's database, or the reason it cannot be used."""
    from appliance.store import Store, StoreError

    try:
        return Store(paths.data_dir()), None
    except (StoreError, OSError) as exc:
        return None, str(exc)


def run(args: argparse.Namespace) -> int:
    plan = plan_from_args(args)
    _check_numbers(args)
    evidence_dir = evidence.check_directory(args.evidence) if args.evidence else None
    store = None
    if args.save_baseline is not None or not args.no_baseline:
        store, problem = _open_store()
        if problem and args.save_baseline is not None:  # asked for, impossible: say so before sweeping
            print(f"roomsweep sweep: cannot save a baseline: {problem}", file=sys.stderr)
            return 1
        if problem:
            print(f"roomsweep sweep: not comparing with a baseline: {problem}", file=sys.stderr)
    rig = rig_for(args)
    radio = open_radio(args, rig)
    bar = textout.ProgressBar()
    try:
        result = sweepmod.sweep(
            radio,
            plan,
            on_hop=lambda h: bar.update(h.fraction, textout.mhz(h.center_hz)),
            on_stage=lambda stage, frac: bar.update(1.0, f"{stage}: closer looks"),
            look_s=args.look_time,
            max_looks=args.max_looks,
        )
    finally:
        bar.done()
        radio.close()
        rig.close()
    status = 0
    if args.csv:
        try:
            with args.csv.open("w", encoding="utf-8") as out:
                write_rows(out, plan, result.spectrum)
        except OSError as exc:
            raise BadInputError(f"cannot write {args.csv}: {exc.strerror or exc}") from None
    if evidence_dir is not None:
        try:
            evidence.save_suspects(result, evidence_dir)
        except OSError as exc:
            print(f"roomsweep sweep: evidence not (fully) saved: {exc.strerror or exc}", file=sys.stderr)
            status = 1
    reference = baseline.latest(store) if store is not None and not args.no_baseline else None
    doc = report.sweep_document(plan, rf=report.rf_part(result), reference=reference, rise_db=args.baseline_rise)
    doc["baseline_saved"] = None  # this command's own addition: which baseline it saved
    if args.save_baseline is not None:
        if result.complete:
            doc["baseline_saved"] = _save_baseline(store, doc, result, args.save_baseline, rig.source)
        else:
            print("roomsweep sweep: baseline not saved: the sweep did not complete", file=sys.stderr)
    if store is not None:
        store.close()
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        print_sweep(doc)
    if not result.complete:
        missing = ", ".join(f"{lo / 1e6:.1f}–{hi / 1e6:.1f} MHz" for lo, hi in result.missing) or "none"
        if result.error is not None or result.cancelled:
            why = f"ended early ({result.error or 'cancelled'})"
        else:  # every hop was tried; some were given up on
            why = "incomplete (" + "; ".join(result.problems) + ")"
        print(f"roomsweep sweep: {why}; not measured: {missing}", file=sys.stderr)
        return 1
    return status


def _save_baseline(store: Any, doc: dict[str, Any], result: sweepmod.SweepResult, name: str, source: str) -> int:
    """Keep the sweep as the daemon would (document and spectrum), then make it the baseline."""
    sweep_id = store.begin_sweep(f"roomsweep sweep ({source})")
    store.finish_sweep(sweep_id, doc)
    spectrum = result.spectrum
    store.save_spectrum(sweep_id, spectrum.freqs, spectrum.mean, spectrum.peak)
    return baseline.save(store, doc, name=name, sweep_id=sweep_id)


def print_sweep(doc: dict[str, Any]) -> None:
    plan = doc["plan"]
    ranges = ", ".join(f"{lo / 1e6:g}–{hi / 1e6:g} MHz" for lo, hi in plan["ranges_hz"])
    timing = f"{doc['wall_time_s']:.1f} s"
    if doc["radio_time_s"] is not None:
        timing += f" (modelled radio time {doc['radio_time_s']:.1f} s)"
    print(f"Swept {ranges} in {plan['hops']} hops, {plan['rbw_hz'] / 1e3:.3f} kHz bins, {timing}.")
    if doc["noise_floor_dbfs"] is not None:
        print(f"Noise floor {doc['noise_floor_dbfs']:.1f} dBFS per bin.")
    looked = f"{doc['looks']} closer look(s)"
    if doc["looks_skipped"]:
        looked += f"; {doc['looks_skipped']} more candidate(s) judged from the spectrum only (--max-looks)"
    print(looked + ".")
    print(textout.emitter_table(doc["emitters"]))
    suspects = report.suspect_items(doc)
    print(f"\n{len(suspects)} suspect(s) out of {len(doc['emitters'])} emitter(s).")
    for rank, s in enumerate(suspects, start=1):
        line = f"  {rank}. {textout.mhz(s['freq_hz'])}  score {s['camera_score']:.2f}  {s['kind']}"
        if s["standard"]:
            line += f" ({s['standard']}, line rate {s['line_rate_hz']:.1f} Hz)"
        if s.get("evidence"):
            line += f"  evidence: {s['evidence']}"
        print(line)
    print(baseline_line(doc))
    print(textout.BLIND_SPOT_NOTE)


def baseline_line(doc: dict[str, Any]) -> str:
    """One sentence on the baseline: compared with which, what changed, whether saved."""
    ref, flagged = doc.get("baseline"), [doc["emitters"][f["index"]] for f in doc.get("new_since_baseline") or []]
    if ref is None:
        hint = " (run once with --save-baseline in a room you know is clean)"
        text = "No baseline compared" + ("" if doc.get("baseline_saved") else hint) + "."
    else:
        when = ref["created_at"] or "unknown time"
        with contextlib.suppress(ValueError):
            when = dt.datetime.fromisoformat(when).astimezone().strftime("%Y-%m-%d %H:%M")
        label = f"'{ref['name']}' " if ref["name"] else ""
        new = sum(1 for f in flagged if f["baseline_change"] == "new")
        stronger = len(flagged) - new
        text = (
            f"Since baseline {label}of {when}: {new} new, {stronger} stronger by >= {ref['rise_db']:g} dB, "
            f"{ref['not_seen_now']} no longer seen."
        )
    if doc.get("baseline_saved"):
        text += f" Saved this sweep as the baseline (#{doc['baseline_saved']})."
    return text
