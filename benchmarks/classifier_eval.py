"""Evaluation of the camera classifier on RTL-SDR-like captures.

Cameras: analog video rendered by Debian's hacktv (PAL, NTSC, SECAM; FM with 1–8.6 MHz of
peak-to-peak swing, AM double-sideband and VSB) and by the simulator's own video model (a room
picture; FM with 1–6 MHz peak deviation), each cut into a 2.4 MS/s receiver window with the carrier
-0.8…+0.8 MHz from the centre, receiver noise for an in-window SNR of -5…+20 dB, a random DC
offset, IQ imbalance and gain, and 8-bit quantisation (``hw.sim.frontend``).

Decoys: FM broadcast (stereo, mono), GSM-like TDMA (1, 2, 8 slots), LTE-like uplink, DVB-T-like
and DAB-like OFDM, CW, OOK (several symbol rates, one of them the PAL line rate), noise; SNR (while
transmitting) 0…20 dB; plus the 35 real captures in ../shared/data (rtl_433's, and real/: ISM
sensors, URH recordings, LTE downlink, HackRF noise) through ``analyze``.

HackRF-rate cameras: hacktv renders at 4–20 MS/s recorded whole (cs8, noise over the band) through
``analyze``: detected, and reported as exactly one suspect.

Two paths are scored, as in the product:
- look: ``dsp.features`` on the dwell with the emitter's offset and width as the survey reports
  them, then ``dsp.classify.judge`` (the sweep's look) placed in the 1.2 GHz camera band (the worst case
  for decoys: the band raises every score);
- analyze: the capture written as a file and run through ``roomsweep analyze`` (detection,
  features, classification, shared-comb attribution).

A camera counts as detected when a suspect (score >= 0.5) names the right standard and its line
rate is within ±0.1 % of the truth. Usage: python -m benchmarks.classifier_eval [--quick]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from appliance.analyze import analyze
from benchmarks._common import OUT, save
from dsp import classify, features
from dsp.detect import Detection
from hw.sim import emitters, frontend, hacktv
from hw.sim import scene as scenemod
from tests.conftest import SHARED_DATA

RATE = 2.4e6
SECONDS = 0.25  # one look
LINE = {"PAL": 15625.0, "SECAM": 15625.0, "NTSC": 4.5e6 / 286}
NAMED = {"PAL": "PAL", "SECAM": "PAL", "NTSC": "NTSC"}
CAMERA_HZ = 1.28e9


def detection(freq_hz: float, bandwidth_hz: float) -> Detection:
    return Detection(0, 1, freq_hz, bandwidth_hz, -30.0, -55.0, 25.0, -30.0, -30.0, False)


def look(raw: np.ndarray, offset_hz: float, bandwidth_hz: float) -> classify.Verdict:
    return classify.judge(features.Block(raw, RATE), detection(CAMERA_HZ + offset_hz, bandwidth_hz), CAMERA_HZ, None)


def analyzed(raw: np.ndarray, workdir: Path) -> list[dict]:
    path = workdir / "capture_1280.000M_2400k.cu8"
    raw.tofile(path)
    return analyze(path)["emitters"]


def camera_sources(quick: bool):
    """(name, standard, Wideband-or-callable, nominal bandwidth) for every camera configuration."""
    cache = OUT / "hacktv-cache"
    swings = (1e6, 3e6, 6e6) if quick else (1e6, 2e6, 3e6, 4.5e6, 6e6, 8.6e6)
    for standard in ("PAL", "NTSC", "SECAM"):
        for swing in swings:
            samples = hacktv.render(standard, "fm", SECONDS + 0.01, deviation_hz=swing, cache_dir=cache)
            yield (
                f"hacktv {standard} FM {swing / 1e6:g} MHz p-p",
                standard,
                frontend.Wideband(samples, hacktv.RENDER_RATE_HZ),
                min(2e6, swing),
            )
        for vsb in (False,) if quick else (False, True):
            samples = hacktv.render(standard, "am", SECONDS + 0.01, vsb=vsb, cache_dir=cache)
            label = "VSB" if vsb else "DSB"
            yield f"hacktv {standard} AM {label}", standard, frontend.Wideband(samples, hacktv.RENDER_RATE_HZ), 150e3
    for standard in ("PAL", "NTSC", "SECAM"):
        for deviation in (1e6, 3e6) if quick else (1e6, 2e6, 3e6, 4.5e6, 6e6):
            doc = {"kind": "analog-video", "standard": standard, "modulation": "fm", "deviation_hz": deviation}
            yield f"sim {standard} FM {deviation / 1e6:g} MHz peak", standard, SimVideo(doc), min(2e6, deviation)
        am = {"kind": "analog-video", "standard": standard, "modulation": "am"}
        yield f"sim {standard} AM", standard, SimVideo(am), 150e3


class SimVideo:
    """The simulator's video model as a source of receiver windows (rendered per offset)."""

    def __init__(self, doc: dict) -> None:
        scene = scenemod.parse({"emitters": [{"freq_hz": CAMERA_HZ, "power_dbfs": -40, **doc}]})
        self.model = emitters.build(scene, seed=1)[0]

    def window(self, offset_hz: float) -> np.ndarray:
        n = round(SECONDS * RATE)
        x = self.model.render(np.arange(n) / RATE + 0.1, RATE, offset_hz)
        return frontend.Wideband(x, RATE).window(0.0)


DECOYS = [
    ("FM broadcast, stereo", {"kind": "fm-broadcast"}, 200e3),
    ("FM broadcast, mono", {"kind": "fm-broadcast", "stereo": False}, 200e3),
    ("GSM-like TDMA, 1 slot", {"kind": "tdma", "slots": 1}, 200e3),
    ("GSM-like TDMA, 2 slots", {"kind": "tdma", "slots": 2}, 200e3),
    ("GSM-like TDMA, 8 slots", {"kind": "tdma", "slots": 8}, 200e3),
    ("LTE-like uplink, 1.08 MHz, load 0.5", {"kind": "lte", "bandwidth_hz": 1.08e6, "load": 0.5}, 1.08e6),
    ("LTE-like uplink, 360 kHz, load 0.2", {"kind": "lte", "bandwidth_hz": 360e3, "load": 0.2}, 360e3),
    ("LTE-like uplink, 4.5 MHz, load 0.9", {"kind": "lte", "bandwidth_hz": 4.5e6, "load": 0.9}, 4.5e6),
    ("DVB-T-like OFDM, 7.6 MHz", {"kind": "ofdm", "bandwidth_hz": 7.6e6}, 7.6e6),
    ("DAB-like OFDM, 1.536 MHz", {"kind": "ofdm", "bandwidth_hz": 1.536e6}, 1.536e6),
    ("CW carrier", {"kind": "carrier"}, 28e3),
    ("OOK, 500 µs symbols", {"kind": "burst", "period_s": 0.1, "burst_s": 0.05}, 30e3),
    ("OOK, 512 µs symbols", {"kind": "burst", "period_s": 0.2, "burst_s": 0.15, "symbol_s": 512e-6}, 30e3),
    ("OOK, 64 µs symbols (PAL line)", {"kind": "burst", "period_s": 0.2, "burst_s": 0.15, "symbol_s": 64e-6}, 40e3),
    ("OOK, 32 µs symbols", {"kind": "burst", "period_s": 0.05, "burst_s": 0.04, "symbol_s": 32e-6}, 60e3),
    ("noise only", None, 2e6),
]


def decoy_capture(doc: dict | None, offset_hz: float, snr_db: float, seed: int) -> np.ndarray:
    n = round(SECONDS * RATE)
    rng = np.random.default_rng(seed)
    if doc is None:
        return frontend.capture(np.zeros(n, np.complex64), 0.0, rng, frontend.Impairments.random(rng))
    scene = scenemod.parse({"emitters": [{"freq_hz": CAMERA_HZ, "power_dbfs": -40, **doc}]})
    x = emitters.build(scene, seed=seed)[0].render(np.arange(n) / RATE, RATE, offset_hz)
    on = np.abs(x) > 0
    power_on = float(np.mean(np.abs(x[on]) ** 2))
    window = frontend.Wideband(x, RATE).window(0.0)
    return frontend.capture(window, snr_db, rng, frontend.Impairments.random(rng), signal_power=power_on)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="fewer configurations (a few minutes)")
    args = ap.parse_args()
    snrs = (-5, 0, 5, 20) if args.quick else (-10, -8, -5, -3, 0, 3, 5, 10, 20)
    offsets = (-0.8e6, 0.3e6, 0.8e6) if args.quick else (-0.8e6, -0.4e6, 0.0, 0.3e6, 0.8e6)
    seeds = (1,)
    workdir = Path(tempfile.mkdtemp(prefix="roomsweep-eval-"))
    t_start = time.perf_counter()

    # --- cameras -----------------------------------------------------------------------
    by_snr = {path: defaultdict(lambda: [0, 0]) for path in ("look", "analyze")}
    by_source: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    errors_ppm: list[float] = []
    failures: list[str] = []
    for name, standard, source, bandwidth in camera_sources(args.quick):
        for offset in offsets:
            window = source.window(offset)
            for snr in snrs:
                for seed in seeds:
                    rng = np.random.default_rng(hash((name, offset, snr, seed)) % 2**32)
                    raw = frontend.capture(window, snr, rng, frontend.Impairments.random(rng))
                    verdict = look(raw, offset, bandwidth)
                    ok_look = _right(verdict.line_rate_hz, verdict.standard, verdict.camera_score, standard)
                    if verdict.line_rate_hz is not None and verdict.standard == NAMED[standard]:
                        errors_ppm.append(1e6 * (verdict.line_rate_hz / LINE[standard] - 1))
                    found = analyzed(raw, workdir)
                    ok_analyze = any(
                        _right(e["line_rate_hz"], e["standard"], e["camera_score"], standard) for e in found
                    )
                    for path, ok in (("look", ok_look), ("analyze", ok_analyze)):
                        by_snr[path][snr][0] += ok
                        by_snr[path][snr][1] += 1
                    if snr >= 0:
                        by_source[name][0] += ok_look and ok_analyze
                        by_source[name][1] += 1
                        if not (ok_look and ok_analyze):
                            failures.append(f"{name} offset {offset / 1e6:+.1f} MHz SNR {snr} dB seed {seed}")
        print(f"  {name}: {by_source[name][0]}/{by_source[name][1]} at SNR >= 0 dB", flush=True)

    print("\nCameras: detected (suspect, right standard, line rate within ±0.1 %) by in-window SNR")
    print(f"{'SNR dB':>7} " + " ".join(f"{s:>7}" for s in snrs))
    for path in ("look", "analyze"):
        rates = [by_snr[path][s][0] / by_snr[path][s][1] for s in snrs]
        print(f"{path:>7} " + " ".join(f"{100 * r:6.1f}%" for r in rates))
    at_or_above = {
        path: sum(by_snr[path][s][0] for s in snrs if s >= 0) / sum(by_snr[path][s][1] for s in snrs if s >= 0)
        for path in by_snr
    }
    err = np.abs(np.array(errors_ppm))
    print(
        f"SNR >= 0 dB: look {100 * at_or_above['look']:.1f} %, analyze {100 * at_or_above['analyze']:.1f} % "
        f"(bound >= 95 %); line-rate error median {np.median(err):.1f} ppm, max {err.max():.1f} ppm "
        f"(bound 1000 ppm)"
    )
    for line in failures[:20]:
        print("  missed:", line)

    # --- decoys --------------------------------------------------------------------------
    decoy_snrs = (0, 10, 20) if args.quick else (0, 5, 10, 15, 20)
    decoy_rows = []
    total_suspects = 0
    kinds: dict[str, dict[str, int]] = {}
    for name, doc, bandwidth in DECOYS:
        suspects = runs = 0
        kinds[name] = defaultdict(int)
        for offset in (-0.5e6, 0.3e6):
            for snr in decoy_snrs:
                for seed in (1, 2, 3) if not args.quick else (1,):
                    raw = decoy_capture(doc, offset, snr, seed)
                    verdict = look(raw, offset, bandwidth)
                    kinds[name][verdict.kind] += 1
                    found = analyzed(raw, workdir)
                    suspects += verdict.suspect + sum(e["camera_score"] >= 0.5 for e in found)
                    runs += 1
        total_suspects += suspects
        decoy_rows.append((name, runs, suspects, dict(kinds[name])))
        print(f"  {name}: {runs} captures, {suspects} suspects, kinds {dict(kinds[name])}", flush=True)

    real_rows = real_decoys()
    real_suspects = sum(r["suspects"] for r in real_rows)
    print(f"\nDecoys: {total_suspects} suspects in {sum(r[1] for r in decoy_rows)} synthetic captures (two paths each)")
    print(f"Real captures (rtl_433, URH, LTE, HackRF noise): {real_suspects} suspects in {len(real_rows)} files")
    for row in real_rows:
        if row["suspects"]:
            print(f"  false suspect in {row['file']}")

    # --- cameras recorded at HackRF rates ---------------------------------------------------------
    hackrf = hackrf_cameras(args.quick)
    elapsed = time.perf_counter() - t_start
    print(f"evaluation took {elapsed:.0f} s")
    result = {
        "quick": args.quick,
        "snrs_db": list(snrs),
        "camera_detection_by_snr": {p: {str(s): by_snr[p][s] for s in snrs} for p in by_snr},
        "camera_detection_at_or_above_0db": at_or_above,
        "camera_by_source_at_or_above_0db": {k: v for k, v in by_source.items()},
        "line_rate_error_ppm_median": float(np.median(err)),
        "line_rate_error_ppm_max": float(err.max()),
        "camera_misses": failures,
        "decoys": [{"name": n, "captures": r, "suspects": s, "kinds": k} for n, r, s, k in decoy_rows],
        "decoy_suspects": total_suspects,
        "real_captures": len(real_rows),
        "real_capture_suspects": real_suspects,
        "real_capture_kinds": {r["file"]: r["kinds"] for r in real_rows},
        "hackrf_cameras": hackrf,
        "seconds": elapsed,
    }
    print(f"results: {save('classifier_eval', result)}")


SHARED = SHARED_DATA  # ../shared/data, found as the tests find it
HACKRF_RATES = (4e6, 8e6, 10e6, 12.5e6, 16e6, 20e6)


def real_decoys() -> list[dict]:
    """Every real capture in ../shared/data (rtl_433's, and real/ by its manifest) through analyze."""
    files = [(path, {}) for path in sorted((SHARED / "rtl_433").glob("*.cu8"))]
    manifest = json.loads((SHARED / "real" / "manifest.json").read_text())
    for e in manifest:
        given = {"fmt": e["format"], "rate_hz": e["rate_hz"], "center_hz": e["center_hz"]}
        files.append((SHARED / "real" / e["file"], given))
    rows = []
    for path, given in files:
        emitters = analyze(path, **given)["emitters"]
        kinds = sorted({e["kind"] for e in emitters})
        rows.append({"file": path.name, "suspects": sum(e["suspect"] for e in emitters), "kinds": kinds})
    return rows


def hackrf_capture(samples: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """A HackRF-like recording: the render plus receiver noise over the whole band, as int8 (cs8)."""
    power = float(np.mean(np.abs(samples) ** 2))
    sigma = np.sqrt(power / 10 ** (snr_db / 10) / 2)
    x = samples + sigma * (rng.standard_normal(samples.size) + 1j * rng.standard_normal(samples.size))
    x *= 0.35 / np.sqrt(np.mean(np.abs(x) ** 2))  # gain: RMS at -9 dBFS
    raw = np.stack([x.real, x.imag], axis=1).ravel() * 128
    return np.clip(np.rint(raw), -128, 127).astype(np.int8)


def hackrf_cameras(quick: bool) -> dict:
    """hacktv cameras recorded at HackRF rates (the whole signal in the recording) through analyze:
    detected, and reported as one suspect (its sync tip, blanking and picture lines one emitter)."""
    cache = OUT / "hacktv-cache"
    workdir = Path(tempfile.mkdtemp(prefix="roomsweep-hackrf-"))
    configs = [("PAL", "fm", 6e6), ("NTSC", "fm", 3e6), ("SECAM", "fm", 8.6e6), ("PAL", "am", None)]
    rates = (8e6, 20e6) if quick else HACKRF_RATES
    snrs = (0, 20) if quick else (0, 10, 20)
    detected = one = runs = 0
    misses = []
    for standard, modulation, swing in configs:
        for rate in rates:
            if swing is not None and swing >= 0.9 * rate:
                continue  # a recording this narrow cannot hold the swing whole (hacktv's own render aliases)
            samples = hacktv.render(standard, modulation, SECONDS, deviation_hz=swing, rate_hz=rate, cache_dir=cache)
            for snr in snrs:
                rng = np.random.default_rng(hash((standard, modulation, rate, snr)) % 2**32)
                path = workdir / f"camera_1280.000M_{rate / 1e3:g}k.cs8"
                hackrf_capture(samples, snr, rng).tofile(path)
                found = analyze(path)["emitters"]
                right = [e for e in found if _right(e["line_rate_hz"], e["standard"], e["camera_score"], standard)]
                suspects = [e for e in found if e["suspect"]]
                runs += 1
                detected += bool(right)
                one += bool(right) and len(suspects) == 1
                if not (right and len(suspects) == 1):
                    label = f"{standard} {modulation} {rate / 1e6:g} MS/s SNR {snr} dB"
                    misses.append(f"{label}: {len(right)} right, {len(suspects)} suspects")
    print(f"\nHackRF-rate cameras: {detected}/{runs} detected, {one}/{runs} as exactly one suspect")
    for line in misses:
        print("  ", line)
    return {"rates_hz": list(rates), "snrs_db": list(snrs), "captures": runs, "detected": detected, "one_suspect": one}


def _right(line_rate: float | None, named: str | None, score: float, standard: str) -> bool:
    return (
        line_rate is not None
        and named == NAMED[standard]
        and abs(line_rate / LINE[standard] - 1) <= 1e-3
        and score >= classify.SUSPECT_SCORE
    )


if __name__ == "__main__":
    main()
