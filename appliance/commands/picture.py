"""``roomsweep picture FREQ --out FILE.png``: what the analog camera at FREQ sees."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from appliance import picture as picture_stage
from appliance.commands import UsageError, frequency, open_radio, radio_options
from dsp.picture import NoVideo
from hw.radio import TUNER_RANGE_HZ, refuse_untunable

EXIT_NO_PICTURE = 1
DEFAULT_SECONDS = 4.0


def add_parser(sub) -> None:
    p = sub.add_parser("picture", help="what an analog camera sends: its picture, from one or more tunings")
    p.add_argument("freq", type=frequency, metavar="FREQ", help="the camera's frequency, e.g. 1280M")
    p.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, metavar="S", help="radio time (default 4)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.png", help="where to write the picture")
    p.add_argument("--json", action="store_true", help="print what was done as JSON")
    radio_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 0.1 <= args.seconds <= 60:
        raise UsageError("roomsweep picture: --seconds must be between 0.1 and 60")
    if args.out.suffix.lower() != ".png":
        raise UsageError(f"roomsweep picture: --out must name a .png file, got {args.out}")
    if not args.out.parent.is_dir():
        raise UsageError(f"roomsweep picture: no such directory {args.out.parent}")
    try:
        refuse_untunable(args.freq, TUNER_RANGE_HZ)
    except ValueError as exc:
        raise UsageError(f"roomsweep picture: {exc}") from None
    radio = open_radio(args)
    try:
        shot = picture_stage.take(radio, args.freq, args.seconds)
    except NoVideo as exc:
        print(f"roomsweep picture: {exc}: no picture written", file=sys.stderr)
        return EXIT_NO_PICTURE
    finally:
        radio.close()
    picture_stage.write_png(shot.picture, args.out)
    doc = shot.summary(str(args.out))
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        pic = shot.picture
        print(
            f"{args.out}: {doc['width']}×{doc['height']} {pic.standard} {pic.modulation.upper()} picture from "
            f"{len(shot.tunings_hz)} tuning(s), {doc['seconds']:g} s, {doc['frames_averaged']:g} frames averaged, "
            f"quality {doc['quality']:.2f}"
        )
    return 0
