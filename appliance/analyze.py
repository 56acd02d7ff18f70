"""Analyse one recording: spectrum, emitters, verdicts (``roomsweep analyze``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from appliance.report import emitter_json
from dsp import classify, detect, features, psd
from dsp import picture as picmod
from dsp import plan as planmod
from dsp import stimulus as stim
from hw import recording as recmod

NFFT = 256  # same bins-per-window as the survey
FRAME_S = 5e-3  # peak-hold frame: short enough to see a single OOK burst
CHUNK_S = 1.0  # recordings are processed a second at a time (bounded memory)
KEEP_FRACTION = 0.836  # like a survey hop: the window's edges are the tuner's roll-off
FEATURE_S = 0.25  # emitters' features come from this much of the recording: one look's worth
STIMULUS_MAX_LAG_S = 0.5  # an analog camera's auto-exposure settles within a few frames


@dataclass(frozen=True)
class RecordingSurvey:
    """One pass over a recording: its spectrum and where its loudest 5 ms frame starts."""

    spectrum: planmod.Spectrum
    loudest_sample: int


def survey(rec: recmod.Recording) -> RecordingSurvey:
    """Mean and peak-hold spectrum of a whole recording, cropped to the flat part of the window,
    and the loudest frame (where a periodic sensor's burst is), found in the same read."""
    rate = rec.rate_hz
    frame = max(2 * NFFT, round(rate * FRAME_S))
    chunk = max(frame, int(rate * CHUNK_S) // frame * frame)
    total = np.zeros(NFFT)
    peak = np.zeros(NFFT)
    frames = 0
    loudest, loudest_energy = 0, -1.0
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
        energy = per_frame.sum(axis=1)
        if energy.max() > loudest_energy:
            loudest_energy, loudest = float(energy.max()), start + int(np.argmax(energy)) * frame
        frames += per_frame.shape[0]
    mean = total / frames
    keep = int(NFFT * KEEP_FRACTION) // 2 * 2
    sl = slice(NFFT // 2 - keep // 2, NFFT // 2 + keep // 2)
    freqs = psd.bin_frequencies(NFFT, rate, rec.center_hz or 0.0)[sl]
    segs_per_frame = psd.segment_count(frame, NFFT)
    width = keep
    spectrum = planmod.Spectrum(
        freqs=freqs,
        mean=mean[sl],
        peak=peak[sl],
        hop_of_bin=np.zeros(width, np.int32),
        averages=np.full(width, psd.effective_averages(segs_per_frame * frames)),
        frames=np.full(width, frames, np.int32),
        bin_hz=rate / NFFT,
    )
    return RecordingSurvey(spectrum, loudest + frame // 2)


def feature_segment(rec: recmod.Recording, around_sample: int, seconds: float = FEATURE_S) -> np.ndarray:
    """The raw samples the features are measured on: all of a short recording, else the
    ``seconds`` centred on ``around_sample`` (kept inside the recording)."""
    want = round(seconds * rec.rate_hz)
    n = rec.n_samples
    if n <= want:
        return np.asarray(rec.raw)
    first = min(max(0, around_sample - want // 2), n - want)
    return np.asarray(rec.raw[2 * first : 2 * (first + want)])


def analyze(
    path: str | Path, *, fmt: str | None = None, rate_hz: float | None = None, center_hz: float | None = None
) -> dict[str, Any]:
    """The ``analyze --json`` document for one recording."""
    rec = recmod.load(path, fmt=fmt, rate_hz=rate_hz, center_hz=center_hz)
    surveyed = survey(rec)
    spectrum = surveyed.spectrum
    floor = detect.noise_floor(spectrum.mean, spectrum.averages, block_bins=spectrum.mean.size)
    detections = detect.detect(spectrum, floor=floor)
    block = features.Block(feature_segment(rec, surveyed.loudest_sample), rec.rate_hz) if detections else None
    judged = []
    for det in detections:
        noise = float(np.interp(det.freq_hz, spectrum.freqs, floor)) / spectrum.bin_hz
        verdict = classify.judge(block, det, rec.center_hz or 0.0, noise) if block is not None else None
        judged.append((det, verdict or classify.from_spectrum(det)))
    emitters = [emitter_json(det, verdict) for _, det, verdict in classify.one_per_transmitter(judged)]
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


PICTURE_MAX_S = 8.0  # a picture needs a few seconds at most; longer recordings are cut


def _video_emitters(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in doc["emitters"] if e["kind"] == "analog-video" and e.get("standard")]


def _whole(rec: recmod.Recording, seconds: float | None = None) -> picmod.Segment:
    n = rec.n_samples if seconds is None else min(rec.n_samples, round(seconds * rec.rate_hz))
    return picmod.Segment(np.asarray(rec.raw[: 2 * n]), 0, rec.center_hz or 0.0)


def recording_picture(path: str | Path, doc: dict[str, Any], **load: Any) -> picmod.Picture:
    """The picture of the strongest video emitter in one recording window (``analyze --picture``)."""
    videos = _video_emitters(doc)
    if not videos:
        raise picmod.NoVideo("no video line structure in the recording")
    rec = recmod.load(path, **load)
    return picmod.recover([_whole(rec, PICTURE_MAX_S)], rec.rate_hz)


def recording_stimulus(
    path: str | Path, doc: dict[str, Any], schedule: stim.Schedule, rng: np.random.Generator, **load: Any
) -> None:
    """Each video emitter's ``stimulus`` (``analyze --stimulus``): does its picture follow the
    schedule? The response is the picture's brightness field by field (``dsp.picture.field_response``);
    p-values are Holm-corrected over the emitters judged; ``null`` where the recording does not
    cover the schedule."""
    videos = _video_emitters(doc)
    for emitter in doc["emitters"]:
        if emitter["kind"] == "analog-video":
            emitter["stimulus"] = None
    if not videos:
        return
    rec = recmod.load(path, **load)
    segment = _whole(rec)
    try:
        line = picmod.line_structure([segment], rec.rate_hz)
    except picmod.NoVideo:
        return
    period = rec.rate_hz / line.line_rate_hz
    modulation = picmod.modulation_of(segment.complex()[: round(0.1 * rec.rate_hz)], rec.rate_hz, period)
    # one window, one picture: every video emitter in it is judged on the window's brightness
    times, values = picmod.field_response(segment, rec.rate_hz, line, modulation)
    judged = []
    for emitter in videos:
        response = stim.judge_response(times, values, schedule, rng, max_lag_s=STIMULUS_MAX_LAG_S)
        if response is not None:
            judged.append((emitter, response))
    for (emitter, response), p in zip(judged, stim.holm([r.p_value for _, r in judged]), strict=True):
        emitter["stimulus"] = response.to_json(p, min_statistic=picmod.STIMULUS_MIN_STATISTIC)
