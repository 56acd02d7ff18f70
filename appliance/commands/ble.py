"""``roomsweep ble``: a Bluetooth LE scan in the terminal, live, simulated or from a recorded advertisement log.

Each advertiser with its name, maker, services and level; the hints (camera makers' set-up adverts, a declared
camera category, camera words in a name) with their reasons. ``--record OUT.jsonl`` keeps what was heard as
an advertisement log that ``--replay`` plays back.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from appliance import ble_survey, report
from appliance import config as cfg
from appliance.commands import UsageError, rig_for, textout
from hw.ble import AdvertLogReplay, Sighting, write_log

EXIT_OK, EXIT_PARTIAL = 0, 1


def add_parser(sub) -> None:
    p = sub.add_parser("ble", help="Bluetooth LE scan: camera makers' set-up adverts and camera names as hints")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--simulate", action="store_true", help="the simulated room's Bluetooth advertisers")
    source.add_argument("--replay", type=Path, metavar="FILE", help="play a recorded advertisement log (JSON lines)")
    p.add_argument("--scene", type=Path, metavar="FILE", help="scene file for --simulate (implies it)")
    p.add_argument("--adapter", metavar="hciN", help="the Bluetooth adapter (default: BlueZ's)")
    p.add_argument("--seconds", type=float, metavar="S", help="listen this long (default: the ble.seconds setting)")
    p.add_argument("--record", type=Path, metavar="OUT", help="keep what was heard as an advertisement log")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.seconds is not None and not (0 < args.seconds <= 600):
        raise UsageError(f"roomsweep ble: --seconds must be in (0, 600], got {args.seconds:g}")
    if args.replay is not None and (args.scene is not None or args.adapter):
        raise UsageError("roomsweep ble: --replay plays a log; --scene and --adapter go with a scan")
    settings = cfg.load(None)
    if args.adapter:
        settings = settings.overridden({"ble.adapter": args.adapter})
    seconds = args.seconds if args.seconds is not None else settings["ble.seconds"]
    kept: list[Sighting] = []
    if args.replay is not None:
        scanner = AdvertLogReplay(args.replay)
        seconds = args.seconds if args.seconds is not None else float("inf")  # the whole log unless told
        outcome = ble_survey.survey(scanner, seconds, keep=kept.extend)
    else:
        rig = rig_for(args, settings)
        try:
            scanner = rig.open_ble()
            bar = textout.ProgressBar()
            try:
                outcome = ble_survey.survey(
                    scanner, seconds, progress=lambda f: bar.update(f, "bluetooth"), keep=kept.extend
                )
            finally:
                bar.done()
                scanner.close()
        finally:
            rig.close()
    if args.record is not None:
        write_log(args.record, kept)
    doc = report.ble_part(outcome.to_json())
    print(json.dumps(doc, indent=2) if args.json else render(doc))
    return EXIT_OK if outcome.status == "complete" else EXIT_PARTIAL


def render(doc: dict[str, Any]) -> str:
    """The BLE scan for a terminal: hinted devices first, their reasons under them."""
    devices = doc["devices"]
    hinted = sum(1 for d in devices if d["hint"])
    lines = [
        f"Bluetooth: {doc['seconds']:.1f} s on {doc['adapter']}, {doc['adverts']} adverts from {len(devices)} "
        f"devices, {hinted} with hints; status {doc['status']}"
    ]
    lines += [f"problem: {p}" for p in doc["problems"]]
    if not devices:
        lines.append("No Bluetooth LE advertisers heard.")
        return "\n".join(lines)
    lines.append(f"{'':2}{'address':<17}  {'type':<7} {'name':<22} {'vendor':<26} {'RSSI':>5}  services")
    for d in devices:
        services = ", ".join(s["uuid"] + (f" ({s['name']})" if s["name"] else "") for s in d["services"]) or "—"
        rssi = "—" if d["rssi_dbm"] is None else str(d["rssi_dbm"])
        lines.append(
            f"{'!' if d['hint'] else ' '} {d['address']:<17}  {d['address_type']:<7} {(d['name'] or '—')[:22]:<22} "
            f"{(d['vendor'] or '—')[:26]:<26} {rssi:>5}  {services}"
        )
        lines.extend(f"{'':21}· {r}" for r in d["reasons"])
    return "\n".join(lines)
