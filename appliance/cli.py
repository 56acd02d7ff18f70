"""The ``roomsweep`` command line.

Exit status: 0 success; 2 bad input (one line on stderr, never a traceback); 1 the hardware
failed or the job ended early (what was measured is still printed).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from appliance import radios, textout
from appliance import rf_sweep as sweepmod
from appliance.analyze import analyze
from appliance.report import emitter_json
from dsp import plan as planmod
from hw.errors import BadInputError, HardwareError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A mistake in how the command was called; reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _frequency(text: str) -> float:
    try:
        return planmod.parse_frequency(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _gain(text: str) -> float | str:
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"gain must be 'auto' or dB, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="roomsweep", description="Sweep a room for hidden cameras (RF and optical).")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="the simulated appliance on the bundled demo room")
    demo.set_defaults(func=cmd_demo)

    sweep = sub.add_parser("sweep", help="one RF sweep in the terminal")
    _radio_options(sweep)
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--range", dest="ranges", help="LOW:HIGH[,LOW:HIGH...] e.g. 24M:1766M")
    where.add_argument("--preset", choices=sorted(planmod.PRESETS), help="full (24–1766 MHz) or cameras")
    sweep.add_argument("--json", action="store_true", help="print the result as JSON")
    sweep.add_argument("--csv", type=Path, metavar="FILE", help="also write rtl_power-compatible CSV rows")
    sweep.set_defaults(func=cmd_sweep)

    an = sub.add_parser("analyze", help="analyse one recording (raw IQ or SigMF)")
    an.add_argument("recording", type=Path)
    an.add_argument("--rate", type=_frequency, metavar="HZ", help="sample rate, e.g. 2.4M")
    an.add_argument("--center", type=_frequency, metavar="HZ", help="centre frequency, e.g. 433.92M")
    an.add_argument("--format", choices=("cu8", "cs8", "cs16", "cf32"), help="raw sample format")
    an.add_argument("--json", action="store_true", help="print the result as JSON")
    an.set_defaults(func=cmd_analyze)
    return parser


def _radio_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--simulate", action="store_true", help="use the simulated room instead of the RTL-SDR")
    p.add_argument("--scene", type=Path, metavar="FILE", help="scene file for --simulate (implies it)")
    p.add_argument("--gain", type=_gain, default="auto", help="tuner gain in dB, or auto")
    p.add_argument("--ppm", type=int, default=0, help="frequency correction of the dongle")


def _open_radio(args: argparse.Namespace):
    simulate = args.simulate or args.scene is not None
    scene = radios.load_scene(args.scene) if simulate else None
    return radios.open_radio(simulate=simulate, scene=scene, gain=args.gain, ppm=args.ppm)


def sweep_json(result: sweepmod.SweepResult) -> dict[str, Any]:
    """The ``sweep --json`` document."""
    plan = result.plan
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
        "radio_time_s": None if result.radio_time_s is None else round(result.radio_time_s, 3),
        "survey_radio_time_s": None
        if result.survey_radio_time_s is None
        else round(result.survey_radio_time_s, 3),
        "wall_time_s": round(result.wall_time_s, 3),
        "not_covered": "2.4/5.8 GHz and everything outside 24–1766 MHz",
    }


def cmd_sweep(args: argparse.Namespace) -> int:
    if args.ranges:
        try:
            ranges = planmod.parse_ranges(args.ranges)
            planmod.check_tunable(ranges)
        except ValueError as exc:
            raise UsageError(f"roomsweep sweep: --range {args.ranges}: {exc}") from None
    else:
        ranges = planmod.PRESETS[args.preset or "full"]
    plan = planmod.make_plan(ranges)
    radio = _open_radio(args)
    bar = textout.ProgressBar()
    try:
        result = sweepmod.sweep(
            radio,
            plan,
            on_hop=lambda h: bar.update(h.fraction, textout.mhz(h.center_hz)),
            on_stage=lambda stage, frac: bar.update(1.0, "confirming candidates"),
        )
    finally:
        bar.done()
        radio.close()
    if args.csv:
        try:
            with args.csv.open("w", encoding="utf-8") as out:
                from appliance.rtl_power_csv import write_rows

                write_rows(out, plan, result.spectrum)
        except OSError as exc:
            raise BadInputError(f"cannot write {args.csv}: {exc.strerror or exc}") from None
    doc = sweep_json(result)
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        _print_sweep(doc)
    if not result.complete:
        missing = ", ".join(f"{lo / 1e6:.1f}–{hi / 1e6:.1f} MHz" for lo, hi in result.missing) or "none"
        print(
            f"roomsweep sweep: ended early ({result.error or 'cancelled'}); not measured: {missing}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def _print_sweep(doc: dict[str, Any]) -> None:
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


def cmd_analyze(args: argparse.Namespace) -> int:
    doc = analyze(args.recording, fmt=args.format, rate_hz=args.rate, center_hz=args.center)
    if args.json:
        print(json.dumps(doc, indent=2))
        return EXIT_OK
    src = doc["source"]
    centre = "unknown centre" if src["center_hz"] is None else textout.mhz(src["center_hz"])
    print(
        f"{src['path']}: {src['format']}, {src['rate_hz'] / 1e3:g} kS/s, {centre}, {src['seconds']:.3f} s; "
        f"noise floor {doc['noise_floor_dbfs']} dBFS per {doc['rbw_hz']:.0f} Hz bin"
    )
    print(textout.emitter_table(doc["emitters"]))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Simulated sweep of the bundled demo room (the web UI demo replaces this)."""
    ns = argparse.Namespace(
        simulate=True, scene=None, gain="auto", ppm=0, ranges=None, preset="full", json=False, csv=None
    )
    print("roomsweep demo: sweeping the simulated hotel room (no hardware needed)…", flush=True)
    return cmd_sweep(ns)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        logging.basicConfig(
            level=logging.INFO if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        return args.func(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except BadInputError as exc:
        print(f"roomsweep: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except HardwareError as exc:
        print(f"roomsweep: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("roomsweep: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
