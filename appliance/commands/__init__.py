"""One module per ``roomsweep`` command; each has ``add_parser(subparsers)`` and sets ``func``.

To add a command: write ``appliance/commands/<name>.py`` and list it in ``COMMANDS``. Commands
from packages that ``appliance`` must not import (the web UI's ``serve`` and ``demo``) register
an entry point in the ``roomsweep.commands`` group instead.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from appliance import config as cfg
from appliance import rig as rigmod
from dsp import plan as planmod


class UsageError(Exception):
    """A mistake in how the command was called; reported in one line with exit status 2."""


def frequency(text: str) -> float:
    """argparse type: ``433.92M`` etc."""
    try:
        return planmod.parse_frequency(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def gain(text: str) -> float | str:
    """argparse type: tuner gain in dB, or ``auto``."""
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"gain must be 'auto' or dB, got {text!r}") from None


def radio_options(p: argparse.ArgumentParser) -> None:
    """--simulate/--scene/--gain/--ppm, shared by commands that use the radio."""
    p.add_argument("--simulate", action="store_true", help="use the simulated room instead of the RTL-SDR")
    p.add_argument("--scene", type=Path, metavar="FILE", help="scene file for --simulate (implies it)")
    p.add_argument("--gain", type=gain, default="auto", help="tuner gain in dB, or auto")
    p.add_argument("--ppm", type=int, default=0, help="frequency correction of the dongle")


def rig_for(args: argparse.Namespace, settings: cfg.Config | None = None) -> rigmod.Rig:
    """The hardware the shared options ask for (``--simulate``, ``--scene``), chosen once for the command.

    ``settings`` default to the built-in values and ``ROOMSWEEP_*`` variables (not the device's file)."""
    return rigmod.choose(settings or cfg.load(None), simulate=args.simulate, scene_path=args.scene)


def open_radio(args: argparse.Namespace, rig: rigmod.Rig | None = None):
    """The radio the shared options ask for, with their ``--gain`` and ``--ppm``."""
    return (rig or rig_for(args)).open_radio(gain=args.gain, ppm=args.ppm)


from appliance.commands import (  # noqa: E402  (modules use the helpers above)
    analyze,
    ble,
    confirm,
    glint,
    hotspot,
    label,
    lan,
    picture,
    sweep,
    track,
    wifi,
)

COMMANDS = (sweep, analyze, glint, track, picture, confirm, wifi, lan, ble, hotspot, label)
PLUGIN_GROUP = "roomsweep.commands"  # other packages (the web UI: serve, demo) add commands here


def plugin_parsers() -> list:
    """``add_parser`` functions that installed packages registered under ``roomsweep.commands``."""
    from importlib.metadata import entry_points

    return [entry.load() for entry in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name)]
