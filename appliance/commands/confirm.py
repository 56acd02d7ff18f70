"""``roomsweep confirm FREQ``: blink the LED ring and see whether the camera at FREQ sees the device."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from appliance.commands import UsageError, frequency, open_radio, radio_options, rig_for
from appliance.confirm import confirm
from dsp.picture import NoVideo
from hw.radio import TUNER_RANGE_HZ, refuse_untunable

EXIT_NO_VIDEO = 1


def add_parser(sub) -> None:
    p = sub.add_parser("confirm", help="blink the LED ring and see whether the camera at FREQ sees the device")
    p.add_argument("freq", type=frequency, metavar="FREQ", help="the camera's frequency, e.g. 1280M")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    radio_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        refuse_untunable(args.freq, TUNER_RANGE_HZ)
    except ValueError as exc:
        raise UsageError(f"roomsweep confirm: {exc}") from None
    rig = rig_for(args)
    radio = open_radio(args, rig)
    try:
        verdict = confirm(radio, rig.illuminator, args.freq, np.random.default_rng())
    except NoVideo as exc:
        print(f"roomsweep confirm: {exc}", file=sys.stderr)
        return EXIT_NO_VIDEO
    finally:
        radio.close()
        rig.close()
    doc = verdict.to_json()
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    s = doc["stimulus"]
    if s is None:
        print(f"{args.freq / 1e6:.3f} MHz: not judged (the reads did not cover the schedule)")
    elif s["responds"]:
        print(
            f"{args.freq / 1e6:.3f} MHz: it sees this device: its picture brightened each time the LED ring "
            f"was lit (p = {s['p_value']:g})"
        )
    else:
        print(f"{args.freq / 1e6:.3f} MHz: it does not see the device from here (p = {s['p_value']:g})")
    return 0
