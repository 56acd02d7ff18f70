"""``roomsweep wifi``: the Wi-Fi camera sweep in the terminal, live, simulated or from a capture file.

Live (the USB adapter, or ``--iface``) and ``--simulate`` run the survey → dwell → LED-ring stimulus sweep;
``--replay FILE`` judges a pcap/pcapng as it is, and with ``--stimulus SCHEDULE.json`` re-judges the
stimulus kept beside it. ``--pcap OUT`` keeps the capture (headers only) and writes the schedule played as
``OUT``'s ``.stimulus.json`` beside it: the Wi-Fi counterpart of SigMF evidence.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from appliance import config as cfg
from appliance import wifi_sweep
from appliance.commands import UsageError, rig_for, textout
from dsp import frames as fr
from dsp import stimulus as stim
from dsp.classify import SUSPECT_SCORE
from dsp.frame_window import FrameWindow
from hw.errors import BadInputError
from hw.wifi.pcap import PcapReplay, PcapWriter

EXIT_OK, EXIT_PARTIAL = 0, 1


def channel_list(text: str) -> tuple[int, ...]:
    """argparse type: ``1,6,11`` (channel numbers) or ``2412,5180`` (MHz)."""
    out = []
    for item in text.split(","):
        try:
            number = int(item.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"channels are numbers (1,6,11 or 2412,5180), got {item!r}") from None
        if 1 <= number <= 13:
            out.append(2407 + 5 * number)
        elif number == 14:
            out.append(2484)
        elif 32 <= number <= 177:
            out.append(5000 + 5 * number)
        elif 2400 <= number <= 7125:
            out.append(number)
        else:
            raise argparse.ArgumentTypeError(f"{number} is neither a Wi-Fi channel number nor a frequency in MHz")
    return tuple(out)


def add_parser(sub) -> None:
    p = sub.add_parser("wifi", help="Wi-Fi camera sweep: monitor-mode survey, camera-like streams, stimulus test")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--iface", metavar="IF", help="the monitor-capable USB adapter (never wlan0)")
    source.add_argument("--simulate", action="store_true", help="the simulated room's Wi-Fi")
    source.add_argument("--replay", type=Path, metavar="FILE", help="judge a pcap / pcapng capture")
    p.add_argument("--scene", type=Path, metavar="FILE", help="scene file for --simulate (implies it)")
    p.add_argument("--seconds", type=float, metavar="S", help="dwell on each stream channel (live); read S s (replay)")
    p.add_argument("--channels", type=channel_list, metavar="LIST", help="survey only these, e.g. 1,6,11 or 5180")
    p.add_argument(
        "--stimulus",
        default=None,
        metavar="none|ir|lights|FILE.json",
        help="LED ring (ir, the default live), room-light prompts (lights), none, or a kept schedule to re-judge",
    )
    p.add_argument("--pcap", type=Path, metavar="OUT", help="keep the capture here (headers only) with its schedule")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=run)


def schedule_path(pcap: Path) -> Path:
    """Where the schedule of a kept capture goes: ``cam.pcap`` → ``cam.stimulus.json``."""
    return pcap.with_suffix(".stimulus.json")


def load_schedule(path: Path) -> stim.Schedule:
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise BadInputError(f"{path}: no such schedule file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"{path}: not a JSON schedule ({exc})") from None
    try:
        return stim.Schedule.from_json(doc)
    except ValueError as exc:
        raise BadInputError(f"{path}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    if args.seconds is not None and not (0 < args.seconds <= 3600):
        raise UsageError(f"roomsweep wifi: --seconds must be in (0, 3600], got {args.seconds:g}")
    if args.replay is not None:
        if args.scene is not None:
            raise UsageError("roomsweep wifi: --scene goes with --simulate, not --replay")
        outcome = _replay(args)
    else:
        outcome = _live(args)
    doc = outcome.to_json()
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        print(render(doc))
    return EXIT_OK if outcome.status == "complete" else EXIT_PARTIAL


def _replay(args: argparse.Namespace) -> wifi_sweep.WifiOutcome:
    if args.stimulus in ("ir", "lights"):
        raise UsageError("roomsweep wifi: a replay cannot play a stimulus; give the schedule kept beside the capture")
    schedule = None if args.stimulus in (None, "none") else load_schedule(Path(args.stimulus))
    capture = PcapReplay(args.replay)
    kept = _Kept()
    start = None
    while not capture.exhausted:
        batch = capture.read(1.0)
        if start is None and batch.size:
            start = float(batch["t"][0])
        if args.seconds is not None and start is not None:
            batch = batch[batch["t"] < start + args.seconds]
        kept.add(batch)
        if args.seconds is not None and start is not None and capture.clock() - start >= args.seconds:
            break
    frames = kept.frames()
    if args.pcap is not None:
        with PcapWriter(args.pcap) as writer:
            writer.write(frames)
    outcome = wifi_sweep.WifiOutcome(adapter=capture.info.to_json(), problems=list(capture.warnings))
    if kept.window is not None:
        outcome.problems.append(
            f"a long capture (over {wifi_sweep.MAX_FRAMES} frames): each device judged on its last "
            f"{kept.window.per_device} frames, at most {kept.window.max_devices} devices"
        )
    outcome.devices = wifi_sweep.assess(frames)
    outcome.channels_mhz = sorted({int(f) for f in np.unique(frames["freq_mhz"]) if f})
    outcome.seconds = float(frames["t"][-1] - frames["t"][0]) if frames.size else 0.0
    if schedule is not None:
        outcome.stimulus = schedule
        wifi_sweep.judge(frames, outcome.devices, schedule, np.random.default_rng())
    if capture.warnings:
        outcome.status = "partial"
    return outcome


class _Kept:
    """A replay's records: all of them up to ``wifi_sweep.MAX_FRAMES``, then a per-device FrameWindow
    (a capture of hours must not outgrow a 1 GB Pi)."""

    def __init__(self) -> None:
        self.parts: list[np.ndarray] = []
        self.held = 0
        self.window: FrameWindow | None = None

    def add(self, batch: np.ndarray) -> None:
        if self.window is None and self.held + batch.size > wifi_sweep.MAX_FRAMES:
            self.window = FrameWindow()
            for part in self.parts:
                self.window.add(part)
            self.parts = []
        if self.window is not None:
            self.window.add(batch)
        else:
            self.parts.append(batch)
            self.held += batch.size

    def frames(self) -> np.ndarray:
        return self.window.frames() if self.window is not None else np.concatenate([fr.empty(), *self.parts])


def _live(args: argparse.Namespace) -> wifi_sweep.WifiOutcome:
    stimulus = args.stimulus or "ir"
    if stimulus not in wifi_sweep.STIMULI:
        raise UsageError("roomsweep wifi: --stimulus FILE.json re-judges a capture: use it with --replay")
    settings = cfg.load(None)
    if args.iface:
        settings = settings.overridden({"wifi.interface": args.iface})
    rig = rig_for(args, settings)
    try:
        capture = rig.open_wifi()
        overrides: dict[str, Any] = {"stimulus": stimulus, "channels_mhz": args.channels}
        if args.seconds is not None:
            overrides["dwell_s"] = args.seconds
        plan = wifi_sweep.WifiPlan.from_settings(settings, **overrides)
        writer = PcapWriter(args.pcap) if args.pcap is not None else None
        bar = textout.ProgressBar()
        stimulator = rig.illuminator.set if stimulus == "ir" else LightPrompts()
        try:
            sweep = wifi_sweep.WifiSweep(
                capture,
                plan,
                stimulator=stimulator,
                exclude=rig.own_addresses(),
                progress=lambda phase, fraction, details: bar.update(fraction, f"wifi {phase}"),
                keep=writer.write if writer is not None else None,
            )
            outcome = sweep.run()
        finally:
            bar.done()
            capture.close()
            if writer is not None:
                writer.close()
        if writer is not None and outcome.stimulus is not None:
            schedule_path(args.pcap).write_text(json.dumps(outcome.stimulus.to_json()) + "\n")
        return outcome
    finally:
        rig.close()


class LightPrompts:
    """The lights test in a terminal: one line each time the room light must change."""

    def __init__(self) -> None:
        self.lit: bool | None = None

    def __call__(self, on: bool) -> None:
        if on != self.lit:
            self.lit = on
            print(f"switch the room light {'ON' if on else 'OFF'} now", file=sys.stderr, flush=True)


def render(doc: dict[str, Any]) -> str:
    """The Wi-Fi result for a terminal: suspects first, reasons under suspects."""
    heard = doc["channels_mhz"]
    channels = f"{len(heard)} channels ({heard[0]}–{heard[-1]} MHz)" if len(heard) > 3 else f"{heard or '—'} MHz"
    lines = [f"Wi-Fi: {doc['seconds']:.1f} s on {channels}, {doc['adapter']['name']}; status {doc['status']}"]
    if doc["stimulus"]:
        s = doc["stimulus"]
        lines.append(f"stimulus: {s['kind']} in {len(s['pattern'])} slots of {s['slot_s']:g} s")
    lines += [f"problem: {p}" for p in doc["problems"]]
    if not doc["devices"]:
        lines.append("No Wi-Fi transmitters heard.")
        return "\n".join(lines)
    lines.append(
        f"{'':2}{'MAC':<17}  {'vendor':<22} {'kind':<16} {'score':>5} {'up kbit/s':>9} {'down':>7} {'fps':>5} "
        f"{'RSSI':>5} {'MHz':>5}  stimulus"
    )
    for d in doc["devices"]:
        suspect = d["camera_score"] >= SUSPECT_SCORE
        verdict = "—" if d["stimulus"] is None else ("SEES THE DEVICE" if d["stimulus"]["responds"] else "no response")
        fps = "—" if d["frame_rate_hz"] is None else f"{d['frame_rate_hz']:.1f}"
        rssi = "—" if d["rssi_dbm"] is None else str(d["rssi_dbm"])
        lines.append(
            f"{'!!' if suspect else '  '}{d['mac']:<17}  {(d['vendor'] or '—')[:22]:<22} {d['kind']:<16} "
            f"{d['camera_score']:5.2f} {d['uplink_bps'] / 1e3:9.0f} {d['downlink_bps'] / 1e3:7.0f} {fps:>5} "
            f"{rssi:>5} {d['channel_mhz'] or '—':>5}  {verdict}"
        )
        if suspect:
            lines.extend(f"{'':21}· {r}" for r in d["reasons"])
    return "\n".join(lines)
