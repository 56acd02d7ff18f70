"""``roomsweep analyze``: one recording in, emitters out."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from appliance.analyze import analyze, recording_picture, recording_stimulus
from appliance.commands import UsageError, frequency, textout
from appliance.commands.wifi import load_schedule
from appliance.picture import write_png
from dsp.picture import NoVideo

EXIT_NO_PICTURE = 1


def add_parser(sub) -> None:
    p = sub.add_parser("analyze", help="analyse one recording (raw IQ or SigMF)")
    p.add_argument("recording", type=Path)
    p.add_argument("--rate", type=frequency, metavar="HZ", help="sample rate, e.g. 2.4M")
    p.add_argument("--center", type=frequency, metavar="HZ", help="centre frequency, e.g. 433.92M")
    p.add_argument("--format", choices=("cu8", "cs8", "cs16", "cf32"), help="raw sample format")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--picture", type=Path, metavar="OUT.png", help="write the strongest video emitter's picture")
    p.add_argument(
        "--stimulus", type=Path, metavar="FILE.json", help="judge each video emitter against this stimulus schedule"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.picture is not None and (args.picture.suffix.lower() != ".png" or not args.picture.parent.is_dir()):
        raise UsageError(f"roomsweep analyze: --picture must name a .png file in an existing directory: {args.picture}")
    schedule = load_schedule(args.stimulus) if args.stimulus is not None else None
    load = {"fmt": args.format, "rate_hz": args.rate, "center_hz": args.center}
    doc = analyze(args.recording, **load)
    if schedule is not None:
        recording_stimulus(args.recording, doc, schedule, np.random.default_rng(), **load)
    if args.picture is not None:
        try:
            picture = recording_picture(args.recording, doc, **load)
        except NoVideo as exc:
            print(f"roomsweep analyze: {exc}: no picture written", file=sys.stderr)
            return EXIT_NO_PICTURE
        write_png(picture, args.picture)
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
