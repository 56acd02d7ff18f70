"""``roomsweep analyze`` on 0.5 s of 2.4 MS/s IQ must take less time than the recording lasts.

Three 0.5 s captures (uint8, written as files and analysed through the same function the CLI
calls): a PAL FM camera, an FM broadcast window (four stations, each cut out and examined
separately) and receiver noise. The baseline is the recording's own duration, so the figure is a
real-time factor (analysis time / recording time; < 1 keeps up). Also timed: one sweep look
(features of one emitter in a 0.25 s dwell) against the dwell's radio time; two HackRF-rate
recordings (8 and 20 MS/s); and, as a same-run baseline for the single read, the spectrum pass
alone against it followed by the second pass over the file the analysis used to make.
Usage: python -m benchmarks.analyze_speed
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from appliance.analyze import CHUNK_S, FRAME_S, analyze, survey
from benchmarks._common import best_of, save
from dsp import features
from dsp import iq as iqmod
from hw import recording as recmod
from hw.sim import emitters, frontend, hacktv
from hw.sim import scene as scenemod

RATE = 2.4e6
SECONDS = 0.5


def camera() -> np.ndarray:
    samples = hacktv.render("PAL", "fm", SECONDS, deviation_hz=3e6)
    window = frontend.Wideband(samples, hacktv.RENDER_RATE_HZ).window(0.3e6)
    rng = np.random.default_rng(1)
    return frontend.capture(window, 0.0, rng, frontend.Impairments.random(rng))


def fm_band() -> np.ndarray:
    n = round(SECONDS * RATE)
    t = np.arange(n) / RATE
    offsets = (-0.9e6, -0.3e6, 0.3e6, 0.9e6)
    docs = [{"kind": "fm-broadcast", "freq_hz": 98e6 + o, "power_dbfs": -30 - 3 * i} for i, o in enumerate(offsets)]
    models = emitters.build(scenemod.parse({"emitters": docs}), seed=2)
    x = sum(10 ** (-3 * i / 20) * m.render(t, RATE, o) for i, (m, o) in enumerate(zip(models, offsets, strict=True)))
    rng = np.random.default_rng(2)
    return frontend.capture(frontend.Wideband(x, RATE).window(0.0), 20.0, rng, frontend.Impairments.random(rng))


def noise() -> np.ndarray:
    rng = np.random.default_rng(3)
    return frontend.capture(np.zeros(round(SECONDS * RATE), np.complex64), 0.0, rng)


def hackrf_camera(rate_hz: float):
    """A PAL FM camera recorded whole at a HackRF rate (cs8, 0 dB SNR over the band)."""

    def make() -> np.ndarray:
        samples = hacktv.render("PAL", "fm", SECONDS, deviation_hz=6e6, rate_hz=rate_hz)
        rng = np.random.default_rng(4)
        x = samples + np.sqrt(0.5) * (rng.standard_normal(samples.size) + 1j * rng.standard_normal(samples.size))
        x *= 0.35 / np.sqrt(np.mean(np.abs(x) ** 2))
        return np.clip(np.rint(np.stack([x.real, x.imag], axis=1).ravel() * 128), -128, 127).astype(np.int8)

    return make


def second_pass(rec: recmod.Recording) -> None:
    """The pass ``analyze`` no longer makes: the whole file read again for its loudest 5 ms."""
    block = round(rec.rate_hz * FRAME_S)
    step = max(block, round(rec.rate_hz * CHUNK_S)) // block * block
    for start in range(0, rec.n_samples - block + 1, step):
        chunk = iqmod.to_complex(np.asarray(rec.raw[2 * start : 2 * min(rec.n_samples, start + step)]))
        usable = chunk.size // block * block
        (np.abs(chunk[:usable] - chunk.mean()) ** 2).reshape(-1, block).sum(axis=1).argmax()


def one_read_vs_two(path: Path) -> dict[str, float]:
    """Same-run baseline for the single read: the spectrum pass alone against it plus a second pass."""
    rec = recmod.load(path)
    one = best_of(lambda: survey(rec), 5)
    two = best_of(lambda: (survey(rec), second_pass(rec)), 5)
    print(f"reading the recording: one pass {one * 1e3:.1f} ms, two passes {two * 1e3:.1f} ms ({two / one:.2f}x)")
    return {"one_pass_s": one, "two_passes_s": two, "ratio": two / one}


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="roomsweep-speed-"))
    rows = {}
    for name, make, centre, rate in (
        ("PAL FM camera", camera, 1279.7, "2400k.cu8"),
        ("four FM stations", fm_band, 98.0, "2400k.cu8"),
        ("noise", noise, 1200.0, "2400k.cu8"),
        ("PAL FM camera, HackRF 8 MS/s", hackrf_camera(8e6), 1280.0, "8000k.cs8"),
        ("PAL FM camera, HackRF 20 MS/s", hackrf_camera(20e6), 1280.0, "20000k.cs8"),
    ):
        path = workdir / f"{name.replace(' ', '-').replace(',', '').replace('/', '')}_{centre:.3f}M_{rate}"
        make().tofile(path)
        doc = analyze(path)  # warm-up: JIT cache load, page cache
        seconds = best_of(lambda p=path: analyze(p), 5)
        rows[name] = {
            "analysis_s": seconds,
            "recording_s": SECONDS,
            "real_time_factor": seconds / SECONDS,
            "emitters": len(doc["emitters"]),
            "suspects": sum(e["suspect"] for e in doc["emitters"]),
        }
        print(
            f"{name:>30}: analyze {seconds * 1e3:6.1f} ms for {SECONDS:.2f} s of IQ = "
            f"{seconds / SECONDS:.3f} x real time "
            f"({rows[name]['emitters']} emitters, {rows[name]['suspects']} suspects)"
        )
    reads = one_read_vs_two(workdir / "PAL-FM-camera-HackRF-20-MSs_1280.000M_20000k.cs8")
    raw = np.fromfile(workdir / "PAL-FM-camera_1279.700M_2400k.cu8", dtype=np.uint8)[: 2 * round(0.25 * RATE)]
    look = best_of(lambda: features.measure(raw, RATE, 0.3e6, 2e6), 7)
    print(
        f"one sweep look (features of one emitter in a 0.25 s dwell): {look * 1e3:.1f} ms = "
        f"{look / 0.25:.3f} x its radio time"
    )
    worst = max(r["real_time_factor"] for r in rows.values())
    print(f"worst real-time factor {worst:.3f} (bound: < 1)")
    result = {"captures": rows, "look_s": look, "worst_real_time_factor": worst, "reads": reads}
    print(f"results: {save('analyze_speed', result)}")


if __name__ == "__main__":
    main()
