"""``roomsweep analyze``: one recording in, emitters out."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from appliance.analyze import analyze
from appliance.commands import frequency, textout


def add_parser(sub) -> None:
    p = sub.add_parser("analyze", help="analyse one recording (raw IQ or SigMF)")
    p.add_argument("recording", type=Path)
    p.add_argument("--rate", type=frequency, metavar="HZ", help="sample rate, e.g. 2.4M")
    p.add_argument("--center", type=frequency, metavar="HZ", help="centre frequency, e.g. 433.92M")
    p.add_argument("--format", choices=("cu8", "cs8", "cs16", "cf32"), help="raw sample format")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    doc = analyze(args.recording, fmt=args.format, rate_hz=args.rate, center_hz=args.center)
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    src = doc["source"]
    centre = "unknown centre" if src["center_hz"] is None else textout.mhz(src["center_hz"])
    print(
        f"{src['path']}: {src['format']}, {src['rate_hz'] / 1e3:g} kS/s, {centre}, {src['seconds']:.3f} s; "
        f"noise floor {doc['noise_floor_dbfs']} dBFS per {doc['rbw_hz']:.0f} Hz bin"
    )
    print(textout.emitter_table(doc["emitters"]))
    return 0
