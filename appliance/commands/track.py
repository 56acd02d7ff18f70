"""``roomsweep track FREQ``: proximity (hot/cold) mode on one frequency.

A live level bar in the terminal; on a Pi the buzzer ticks faster and the LEDs climb as you
get closer. Ctrl-C (or --seconds) stops it.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

from appliance import config as cfg
from appliance import paths
from appliance import rig as rigmod
from appliance.commands import UsageError, frequency, open_radio, radio_options, rig_for
from appliance.feedback import Feedback
from appliance.tracking import LevelUpdate, Target, track
from dsp import plan as planmod
from hw.radio import TUNER_RANGE_HZ

BAR = 40


def add_parser(sub) -> None:
    p = sub.add_parser("track", help="proximity mode on one frequency (level bar, buzzer on the Pi)")
    p.add_argument("freq", type=frequency, metavar="FREQ", help="emitter frequency, e.g. 1280M")
    p.add_argument("--bandwidth", type=frequency, default=200e3, metavar="HZ", help="emitter width (default 200k)")
    p.add_argument("--seconds", type=float, metavar="S", help="stop after S seconds (default: until Ctrl-C)")
    radio_options(p)
    p.set_defaults(func=run)


def level_line(update: LevelUpdate) -> str:
    filled = round(update.proximity * BAR)
    bar = "█" * filled + "·" * (BAR - filled)
    return (
        f"\r{bar} {update.smoothed_dbfs:7.1f} dBFS  SNR {update.snr_db:5.1f} dB  "
        f"{'HOT ' if update.proximity > 0.66 else 'warm' if update.proximity > 0.33 else 'cold'}  "
        f"{update.rate_hz:4.1f}/s"
    )


def run(args: argparse.Namespace) -> int:
    if args.seconds is not None and args.seconds <= 0:
        raise UsageError("roomsweep track: --seconds must be positive")
    try:
        planmod.check_tunable(((args.freq, args.freq),), TUNER_RANGE_HZ)
    except ValueError as exc:
        raise UsageError(f"roomsweep track: {exc}") from None
    settings = cfg.load(paths.config_path())
    rig = rig_for(args, settings)
    radio = open_radio(args, rig)
    panel, problem = rigmod.try_panel(rig)
    if panel is None:
        print(f"roomsweep track: no buzzer ({problem}); showing the level bar only", file=sys.stderr)
    feedback = Feedback(panel) if panel is not None else None
    stop = threading.Event()
    if args.seconds is not None:
        threading.Timer(args.seconds, stop.set).start()
    last_print = 0.0
    last: LevelUpdate | None = None

    def on_update(update: LevelUpdate) -> None:
        nonlocal last_print, last
        last = update
        if feedback is not None:
            feedback.tracking(update.proximity)
        now = time.monotonic()
        interactive = sys.stdout.isatty()
        if now - last_print >= (0.1 if interactive else 1.0):  # a log gets a line a second
            last_print = now
            sys.stdout.write(level_line(update) if interactive else level_line(update)[1:] + "\n")
            sys.stdout.flush()

    target = Target(args.freq, args.bandwidth)
    print(f"Tracking {args.freq / 1e6:.4f} MHz (±{args.bandwidth / 2e3:g} kHz). Walk around; Ctrl-C to stop.")
    try:
        track(
            radio,
            target,
            rate_hz=settings["tracking.rate_hz"],
            smoothing_s=settings["tracking.smoothing_s"],
            on_update=on_update,
            stop=stop,
        )
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if feedback is not None:
            feedback.close()
        if panel is not None:
            panel.close()
        radio.close()
        rig.close()
    if last is not None:
        if sys.stdout.isatty():
            sys.stdout.write("\n")
        print(f"{last.rate_hz:.1f} level updates per second.")
    return 0
