"""The Wi-Fi camera sweep on many simulated rooms, against a vendor-prefix-and-SSID baseline in the same run.

Each room (one seed) has one or two access points on channels drawn from 1/6/11 and 36/44, one to
three cameras and four to seven distractors, all drawn at random:

- cameras: 0.15–4 Mbit/s, 8–30 fps, a key frame every 1–4 s, RTP/UDP or TCP, most streaming
  continuously, some motion-triggered (the person sweeping the room walks past them); about half
  see the device, with an LED response (how much brighter their picture gets) of 0.08–0.3 of white;
- distractors of every kind: video calls, video-on-demand and IPTV clients, bulk and paced uploads,
  phones asleep, smart plugs.

Each room goes through the Wi-Fi stage itself (``appliance.wifi_sweep.WifiSweep``, the session's and
``roomsweep wifi``'s code, default plan: 0.5 s on each of the 38 channels, a dwell on the channels with
uplink streams, then one balanced LED schedule of 1 s slots across the suspects' channels, Holm over
the suspects). Time to a verdict is the stage's simulated time from start to the end of the stimulus.
It also records how many seconds of listening (in the dwell) each camera needed to be called a camera.

The baseline is what open-source TSCM tools do (iNTERCEPT's TSCM mode): flag a device whose MAC
prefix belongs to a camera-module vendor, or an access point whose SSID has a camera keyword. The
rooms' MACs follow the market: cameras mostly carry Espressif, Realtek, Hikvision or Dahua prefixes,
smart plugs mostly Espressif, TVs often Realtek; phones and laptops use private (randomised) MACs.

Usage: python -m benchmarks.wifi_eval [--rooms 60] [--dwell 6] [--stimulus 30] [--led-response X] [--quick]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np

from appliance.wifi_sweep import TAIL_S, WifiPlan, WifiSweep, segments
from benchmarks._common import save
from dsp import frames as fr
from dsp import stimulus, traffic
from hw.sim.wifi import SimWifi
from hw.sim.wifi_scene import parse_wifi

CHANNELS = (2412, 2437, 2462, 5180, 5220)
CALL_AFTER_S = (1.0, 2.0, 3.0, 4.0, 6.0)  # listening times at which "camera yet?" is asked
STREAMING_KINDS = {
    "video-call": "video-call",
    "vod-client": "streaming-client",
    "tv-client": "streaming-client",
    "uploader": "uploader",
    "phone": "idle",
    "plug": "idle",
}

# the baseline's knowledge: prefixes of camera-module vendors (IEEE registry) and SSID keywords
CAMERA_OUIS = {
    0xA4CF12: "Espressif",
    0x240AC4: "Espressif",
    0x00E04C: "Realtek",
    0xC056E3: "Hikvision",
    0x3CEF8C: "Dahua",
}
SSID_WORDS = ("cam", "ipc", "p2p", "hdwifi", "spy")
OTHER_OUIS = (0x001A2B, 0x00265E, 0x0050C2, 0x001CF0)  # vendors not on the list (stand-ins)
AP_NAMES = ("Hotel-Guest", "FRITZ!Box 7530", "Vodafone-2G", "TP-Link_5C1A", "eduroam", "Livebox-8F20")


@dataclass
class Truth:
    mac: str
    kind: str  # the scene's kind
    expect: str  # the traffic kind it should get
    channel: int
    sees: bool = False
    upload: str = "continuous"
    oui_listed: bool = False


def _mac(rng: np.random.Generator, oui: int | None) -> tuple[str, int]:
    """A MAC with that prefix, or a private (locally administered) one."""
    if oui is None:
        value = (int(rng.integers(0, 1 << 48)) | (0x02 << 40)) & ~(0x01 << 40)
    else:
        value = (oui << 24) | int(rng.integers(0, 1 << 24))
    return fr.mac_text(value), value


def make_room(seed: int, led_response: float | None = None) -> tuple[dict, list[Truth], list[int]]:
    rng = np.random.default_rng(seed)
    channels = sorted(rng.choice(CHANNELS, size=int(rng.integers(1, 3)), replace=False).tolist())
    devices, truths = [], []
    aps = []
    for ch in channels:
        mac, _ = _mac(rng, None)
        devices.append(
            {
                "kind": "access-point",
                "mac": mac,
                "channel_mhz": ch,
                "rssi_dbm": float(rng.uniform(-70, -40)),
                "ssid": str(rng.choice(AP_NAMES)),
            }
        )
        truths.append(Truth(mac, "access-point", "access-point", ch))
        aps.append((mac, ch))

    def station(kind: str, oui: int | None, **keys) -> None:
        bssid, ch = aps[int(rng.integers(0, len(aps)))]
        mac, value = _mac(rng, oui)
        devices.append(
            {
                "kind": kind,
                "mac": mac,
                "channel_mhz": ch,
                "bssid": bssid,
                "rssi_dbm": float(rng.uniform(-80, -45)),
                **keys,
            }
        )
        expect = "camera" if kind == "camera" else STREAMING_KINDS[kind]
        truths.append(
            Truth(
                mac,
                kind,
                expect,
                ch,
                keys.get("sees_device", False),
                keys.get("upload", "continuous"),
                (value >> 24) in CAMERA_OUIS,
            )
        )

    for _ in range(int(rng.integers(1, 4))):
        listed = rng.random() < 0.7
        oui = int(rng.choice(list(CAMERA_OUIS))) if listed else int(rng.choice(OTHER_OUIS))
        fps = float(rng.choice([8, 10, 12, 15, 20, 25, 30]))
        sees = bool(rng.random() < 0.5)
        motion = rng.random() < 0.2
        station(
            "camera",
            oui,
            bitrate_bps=float(np.exp(rng.uniform(np.log(150e3), np.log(4e6)))),
            fps=fps,
            gop=max(1, int(fps * rng.uniform(1, 4))),
            transport=str(rng.choice(["rtp", "tcp"])),
            upload="motion" if motion else "continuous",
            motion_per_min=4.0 if motion else 0.0,
            sees_device=sees,
            led_response=float(rng.uniform(0.08, 0.3)) if led_response is None else led_response,
        )
    kinds = list(STREAMING_KINDS)
    for _ in range(int(rng.integers(4, 8))):
        kind = str(rng.choice(kinds))
        if kind == "video-call":
            station(
                kind,
                None,
                uplink_bps=float(rng.uniform(0.3e6, 2.5e6)),
                downlink_bps=float(rng.uniform(0.3e6, 2.5e6)),
                fps=float(rng.choice([15, 24, 30])),
            )
        elif kind == "vod-client":
            station(
                kind,
                0x00E04C if rng.random() < 0.5 else None,
                downlink_bps=float(rng.uniform(1e6, 15e6)),
                segment_s=float(rng.choice([2, 4, 6])),
            )
        elif kind == "tv-client":
            station(kind, 0x00E04C if rng.random() < 0.5 else None, downlink_bps=float(rng.uniform(2e6, 8e6)))
        elif kind == "uploader":
            paced = bool(rng.random() < 0.5)
            rate = float(rng.uniform(0.2e6, 1.5e6)) if paced else float(rng.uniform(2e6, 20e6))
            station(kind, None, uplink_bps=rate, paced=paced)
        elif kind == "phone":
            station(kind, None, push_per_min=float(rng.uniform(0, 3)))
        else:
            station(
                kind,
                0xA4CF12 if rng.random() < 0.8 else int(rng.choice(OTHER_OUIS)),
                heartbeat_s=float(rng.uniform(2, 30)),
            )
    return {"devices": devices}, truths, channels


class Ring:
    is_on = False


def baseline_flags(truth: Truth, ssid: str) -> bool:
    """iNTERCEPT-style: a camera vendor's prefix, or a camera word in an access point's SSID."""
    if truth.kind == "access-point":
        return any(w in ssid.lower() for w in SSID_WORDS)
    return truth.oui_listed


def run_room(seed: int, plan: WifiPlan, permutations: int, led_response: float | None = None) -> dict:
    """One room through the Wi-Fi stage as the session runs it (``appliance.wifi_sweep.WifiSweep``)."""
    block, truths, _ = make_room(seed, led_response)
    ring = Ring()
    capture = SimWifi(parse_wifi(block, "wifi"), ring, seed=seed, time_scale=0)
    streaming: dict[str, bool] = {}
    kept: list[np.ndarray] = []

    def keep(batch: np.ndarray) -> None:
        kept.append(batch)
        if batch.size == 0 or batch["t"][-1] - batch["t"][0] < 3:
            return  # survey steps are short; a dwell says who streams
        channel = int(batch["freq_mhz"][0])
        for t in truths:
            if t.kind == "camera" and t.channel == channel and t.mac not in streaming:
                streaming[t.mac] = t.upload == "continuous" or _streamed_all(batch, t.mac)

    wall0 = time.perf_counter()
    sweep = WifiSweep(
        capture,
        plan,
        stimulator=lambda lit: setattr(ring, "is_on", lit),
        rng=np.random.default_rng(seed + 10_000),
        keep=keep,
        permutations=permutations,
    )
    outcome = sweep.run()
    compute_s = time.perf_counter() - wall0
    verdicts = {d.mac: d for d in outcome.devices}
    frames = np.concatenate(kept) if kept else fr.empty(0)
    ssids = {d["mac"]: d.get("ssid", "") for d in block["devices"]}
    rows = []
    for t in truths:
        d = verdicts.get(t.mac)
        stim_json = None if d is None else d.stimulus
        rows.append(
            {
                "mac": t.mac,
                "scene_kind": t.kind,
                "expect": t.expect,
                "kind": None if d is None else d.kind,
                "score": None if d is None else d.camera_score,
                "sees": t.sees,
                "upload": t.upload,
                "streaming": streaming.get(t.mac, t.upload == "continuous"),
                "responds": None if stim_json is None else bool(stim_json["responds"]),
                "p": None if stim_json is None else stim_json["p_value"],
                "called_after_s": _called_after(frames, t) if t.kind == "camera" else None,
                "baseline": baseline_flags(t, ssids[t.mac]),
            }
        )
    schedule = outcome.stimulus
    return {
        "seed": seed,
        "rows": rows,
        "status": outcome.status,
        "verdict_s": capture.clock(),  # simulated seconds from the start of the stage to its verdicts
        "stimulus_s": 0.0 if schedule is None else schedule.duration_s + TAIL_S,
        "stimulus_channels": list(outcome.stimulus_channels_mhz),
        "compute_s": compute_s,
    }


def _streamed_all(batch: np.ndarray, mac: str) -> bool:
    """Uplink video in every second of the batch: the camera streamed through it."""
    mine = batch[batch["tx"] == np.uint64(fr.mac_to_int(mac))]
    if mine.size == 0:
        return False
    seconds = np.floor(mine["t"] - batch["t"][0]).astype(int)
    return np.unique(seconds).size >= int(batch["t"][-1] - batch["t"][0])


def _called_after(frames: np.ndarray, truth: Truth) -> float | None:
    """Seconds of listening on its channel (the first dwell there) before the camera is called a camera."""
    for part in segments(frames):
        if int(part["freq_mhz"][0]) != truth.channel or part["t"][-1] - part["t"][0] < 3:
            continue
        start = float(part["t"][0])
        for after in CALL_AFTER_S:
            window = part[part["t"] < start + after]
            if any(d.mac == truth.mac and d.kind == "camera" for d in traffic.analyze(window)):
                return after
        return None
    return None


def share(rows: list[dict], test) -> tuple[int, int]:
    return sum(1 for r in rows if test(r)), len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=60)
    parser.add_argument("--dwell", type=float, default=WifiPlan.dwell_s, help="dwell on a stream channel (s)")
    parser.add_argument("--stimulus", type=float, default=WifiPlan.stimulus_s, help="LED test per channel (s)")
    parser.add_argument("--permutations", type=int, default=stimulus.PERMUTATIONS)
    parser.add_argument("--quick", action="store_true", help="12 rooms, 1999 permutations")
    parser.add_argument("--led-response", type=float, help="every camera's LED response (sensitivity check)")
    args = parser.parse_args()
    if args.quick:
        args.rooms, args.permutations = 12, 1999
    t0 = time.perf_counter()
    plan = WifiPlan(dwell_s=args.dwell, stimulus_s=args.stimulus)
    rooms = [run_room(seed, plan, args.permutations, args.led_response) for seed in range(args.rooms)]
    elapsed = time.perf_counter() - t0
    rows = [r for room in rooms for r in room["rows"]]
    streaming = [r for r in rows if r["scene_kind"] == "camera" and r["streaming"]]
    seeing = [r for r in streaming if r["sees"]]
    blind = [r for r in streaming if not r["sees"]]
    distractors = [r for r in rows if r["scene_kind"] not in ("camera", "access-point")]
    aps = [r for r in rows if r["scene_kind"] == "access-point"]
    called = [r["called_after_s"] for r in streaming if r["called_after_s"] is not None]
    verdict_s = [room["verdict_s"] for room in rooms]
    figures = {
        "rooms": args.rooms,
        "plan": {"survey_s": plan.survey_s, "dwell_s": plan.dwell_s, "stimulus_s": plan.stimulus_s},
        "led_response": args.led_response,
        "streaming_cameras": len(streaming),
        "called_camera": share(streaming, lambda r: r["kind"] == "camera"),
        "seeing_cameras_respond": share(seeing, lambda r: r["responds"]),
        "blind_cameras_respond": share(blind, lambda r: r["responds"]),
        "distractors": len(distractors),
        "distractors_called_camera": share(distractors, lambda r: r["kind"] == "camera"),
        "distractors_respond": share(distractors, lambda r: bool(r["responds"])),
        "distractors_not_heard": sum(1 for r in distractors if r["kind"] is None),  # a plug's 30 s heartbeat
        "distractor_kind_right_of_heard": share(
            [r for r in distractors if r["kind"] is not None], lambda r: r["kind"] == r["expect"]
        ),
        "access_points_right": share(aps, lambda r: r["kind"] == "access-point"),
        "motion_cameras_idle_at_survey": sum(1 for r in rows if r["scene_kind"] == "camera" and not r["streaming"]),
        "camera_called_after_s_median": float(np.median(called)) if called else None,
        "camera_called_after_s_p95": float(np.percentile(called, 95)) if called else None,
        "verdict_s_median": float(np.median(verdict_s)) if verdict_s else None,
        "verdict_s_max": float(np.max(verdict_s)) if verdict_s else None,
        "baseline_cameras_flagged": share(streaming, lambda r: r["baseline"]),
        "baseline_distractors_flagged": share(distractors, lambda r: r["baseline"]),
        "baseline_seeing_told_apart": 0,  # a prefix cannot tell a camera that sees the device from one that does not
        "compute_s": elapsed,
    }
    wrong = [r for r in distractors if r["kind"] not in (r["expect"], None)]
    by_kind: dict[str, list[int]] = {}
    for r in distractors:
        counts = by_kind.setdefault(r["scene_kind"], [0, 0])
        counts[0] += r["kind"] == r["expect"]
        counts[1] += 1
    figures["distractors_by_kind"] = {k: f"{a}/{b}" for k, (a, b) in sorted(by_kind.items())}
    missed = [r for r in seeing if not r["responds"]]
    figures["missed_responders_led_response"] = len(missed)
    for key, value in figures.items():
        if isinstance(value, tuple):
            print(f"{key:36s} {value[0]}/{value[1]} = {value[0] / max(value[1], 1):.1%}")
        else:
            print(f"{key:36s} {value}")
    if wrong:
        print("distractors named otherwise:", sorted({(r["scene_kind"], r["kind"]) for r in wrong}))
    save(
        "wifi_eval",
        {"figures": {k: list(v) if isinstance(v, tuple) else v for k, v in figures.items()}, "rooms": rooms},
    )


if __name__ == "__main__":
    main()
