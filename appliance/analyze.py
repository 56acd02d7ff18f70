"""Analyse one recording: spectrum, emitters, verdicts (``roomsweep analyze``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from appliance.report import emitter_json
from dsp import classify, detect, psd
from dsp import plan as planmod
from hw import recording as recmod

NFFT = 256  # same bins-per-window as the survey
FRAME_S = 5e-3  # peak-hold frame: short enough to see a single OOK burst
CHUNK_S = 1.0  # recordings are processed a second at a time (bounded memory)
KEEP_FRACTION = 0.836  # like a survey hop: the window's edges are the tuner's roll-off


def recording_spectrum(rec: recmod.Recording) -> planmod.Spectrum:
    """Mean and peak-hold spectrum of a whole recording, cropped to the flat part of the window."""
    rate = rec.rate_hz
    frame = max(2 * NFFT, round(rate * FRAME_S))
    chunk = max(frame, int(rate * CHUNK_S) // frame * frame)
    total = np.zeros(NFFT)
    peak = np.zeros(NFFT)
    frames = 0
    raw = rec.raw
    n = rec.n_samples
    for start in range(0, n, chunk):
        block = np.asarray(raw[2 * start : 2 * min(n, start + chunk)])
        if block.size // 2 < frame:
            if frames == 0:  # shorter than one frame: a single Welch estimate
                spec = psd.welch(block, NFFT)
                total, peak, frames = spec, spec.copy(), 1
            break
        per_frame = psd.frames(block, NFFT, frame)
        total += per_frame.sum(axis=0)
        np.maximum(peak, per_frame.max(axis=0), out=peak)
        frames += per_frame.shape[0]
    mean = total / frames
    keep = int(NFFT * KEEP_FRACTION) // 2 * 2
    sl = slice(NFFT // 2 - keep // 2, NFFT // 2 + keep // 2)
    freqs = psd.bin_frequencies(NFFT, rate, rec.center_hz or 0.0)[sl]
    segs_per_frame = psd.segment_count(frame, NFFT)
    width = keep
    return planmod.Spectrum(
        freqs=freqs,
        mean=mean[sl],
        peak=peak[sl],
        hop_of_bin=np.zeros(width, np.int32),
        averages=np.full(width, psd.effective_averages(segs_per_frame * frames)),
        frames=np.full(width, frames, np.int32),
        bin_hz=rate / NFFT,
    )


def analyze(
    path: str | Path, *, fmt: str | None = None, rate_hz: float | None = None, center_hz: float | None = None
) -> dict[str, Any]:
    """The ``analyze --json`` document for one recording."""
    rec = recmod.load(path, fmt=fmt, rate_hz=rate_hz, center_hz=center_hz)
    spectrum = recording_spectrum(rec)
    floor = detect.noise_floor(spectrum.mean, spectrum.averages, block_bins=spectrum.mean.size)
    detections = detect.detect(spectrum, floor=floor)
    emitters = [emitter_json(d, classify.from_spectrum(d)) for d in detections]
    finite = np.isfinite(floor)
    return {
        "source": {
            "path": str(path),
            "format": rec.format,
            "rate_hz": float(rec.rate_hz),
            "center_hz": None if rec.center_hz is None else float(rec.center_hz),
            "seconds": round(rec.seconds, 4),
        },
        "rbw_hz": round(spectrum.bin_hz, 2),
        "noise_floor_dbfs": round(float(psd.to_db(np.median(floor[finite]))), 1) if finite.any() else None,
        "emitters": emitters,
    }
