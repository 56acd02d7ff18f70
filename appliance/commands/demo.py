"""``roomsweep demo``: the simulated appliance on the bundled demo room."""

from __future__ import annotations

import argparse

from appliance.commands import sweep


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="the simulated appliance on the bundled demo room")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Simulated sweep of the bundled demo room (the web UI demo replaces this)."""
    ns = sweep.default_args(simulate=True, preset="full", no_baseline=True)
    print("roomsweep demo: sweeping the simulated hotel room (no hardware needed)…", flush=True)
    return sweep.run(ns)
