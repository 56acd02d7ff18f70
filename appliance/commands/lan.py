"""``roomsweep lan``: discovery of the devices on the network the user is a guest of.

``--iface IF`` scans the network IF is already on; ``--ssid S --passphrase -`` first has the USB adapter
join the room's Wi-Fi (the passphrase is read from stdin, kept in memory for that scan only); ``--replay
FILE.pcap`` reads a capture of a network's discovery traffic through the same parsers.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from appliance import config as cfg
from appliance import lan_scan
from appliance.commands import UsageError, rig_for
from dsp.classify import SUSPECT_SCORE

EXIT_OK, EXIT_PARTIAL = 0, 1


def add_parser(sub) -> None:
    p = sub.add_parser("lan", help="opt-in discovery of cameras on the room's own (guest) network")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--iface", metavar="IF", help="scan the network IF is on (default: the USB adapter)")
    source.add_argument("--replay", type=Path, metavar="FILE.pcap", help="a capture of a network's traffic")
    p.add_argument("--ssid", metavar="S", help="join this Wi-Fi with the USB adapter first (managed mode)")
    p.add_argument(
        "--passphrase", metavar="-", help="'-': read the passphrase from stdin (never from the command line)"
    )
    p.add_argument("--seconds", type=float, default=None, metavar="S", help="the scan's time bound (default 45)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run, simulate=False, scene=None)


def _passphrase(args: argparse.Namespace) -> str | None:
    if args.passphrase is None:
        return None
    if args.passphrase != "-":
        raise UsageError(
            "roomsweep lan: --passphrase takes '-' and reads stdin (a passphrase on the command line is logged)"
        )
    if args.ssid is None:
        raise UsageError("roomsweep lan: --passphrase goes with --ssid")
    return sys.stdin.readline().rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    if args.seconds is not None and not (1 <= args.seconds <= 600):
        raise UsageError(f"roomsweep lan: --seconds must be in [1, 600], got {args.seconds:g}")
    if args.replay is not None:
        if args.ssid or args.passphrase:
            raise UsageError("roomsweep lan: --ssid joins a network to scan; a replay needs none")
        from hw.lan.replay import LanReplay

        replay = LanReplay(args.replay)
        outcome = lan_scan.assess(replay.observations(), source="replay")
        outcome.seconds = replay.seconds
        outcome.problems += replay.warnings
    else:
        settings = cfg.load(None)
        rig = rig_for(args, settings)
        try:
            outcome = rig.lan_scan(
                iface=args.iface, ssid=args.ssid, passphrase=_passphrase(args), budget_s=args.seconds or 45.0
            )
        finally:
            rig.close()
    doc = outcome.to_json()
    print(json.dumps(doc, indent=2) if args.json else render(doc))
    return EXIT_OK if outcome.status == "complete" else EXIT_PARTIAL


def render(doc: dict[str, Any]) -> str:
    """The network scan for a terminal: cameras first, with their reasons and what they announced."""
    net = doc["network"]
    where = f"{net['network']} on {net['iface']}" if net else doc["source"]
    lines = [f"Network: {len(doc['devices'])} devices, {where}, {doc['seconds']:.1f} s; status {doc['status']}"]
    lines += [f"problem: {p}" for p in doc["problems"]]
    lines += [f"note: {n}" for n in doc["notes"]]
    for d in doc["devices"]:
        suspect = d["camera_score"] >= SUSPECT_SCORE
        role = " (gateway)" if d["gateway"] else ""
        lines.append(
            f"{'!!' if suspect else '  '}{d['mac']:<17}  {d['ip'] or '—':<15} {(d['vendor'] or '—')[:24]:<24} "
            f"{d['kind']:<6} {d['camera_score']:4.2f}{role}"
        )
        lines.extend(f"{'':21}· {r}" for r in d["reasons"] if suspect)
        lines.extend(f"{'':21}  {s}" for s in d["said"][:3])
    return "\n".join(lines)
