"""Proximity ("hot/cold") tracking: stay on one emitter and report its level many times a second."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from dsp import level as levelmod
from hw.radio import Radio

NFFT = 256
DC_OFFSET_HZ = 300e3  # keep a narrow emitter off the DC notch
FLAT_HALF_WIDTH = 0.4  # of the sample rate: the part of the window the tuner leaves flat


@dataclass(frozen=True)
class Target:
    freq_hz: float
    bandwidth_hz: float = 200e3
    label: str = ""
    floor_dbfs: float | None = None  # the sweep's noise per bin there: the reference when the emitter fills the window


@dataclass(frozen=True)
class LevelUpdate:
    elapsed_s: float
    level_dbfs: float  # power in the emitter's band, this block
    smoothed_dbfs: float
    snr_db: float  # smoothed level over the noise in the same band
    proximity: float  # 0 cold .. 1 hot
    rate_hz: float  # updates per second achieved so far

    def to_json(self) -> dict[str, float]:
        return {k: round(v, 3) for k, v in asdict(self).items()}


def window_for(target: Target, sample_rate: float) -> tuple[float, float, float]:
    """Tuning centre and the band [lo, hi] to measure, inside the window's flat part."""
    half_flat = FLAT_HALF_WIDTH * sample_rate
    if target.bandwidth_hz < sample_rate / 2:
        centre = target.freq_hz - DC_OFFSET_HZ
    else:  # wider than the window: sit on the carrier and take what the window holds
        centre = target.freq_hz + DC_OFFSET_HZ / 3
    lo = max(target.freq_hz - target.bandwidth_hz / 2, centre - half_flat)
    hi = min(target.freq_hz + target.bandwidth_hz / 2, centre + half_flat)
    return centre, lo, hi


def track(
    radio: Radio,
    target: Target,
    *,
    rate_hz: float,
    smoothing_s: float,
    on_update: Callable[[LevelUpdate], Any],
    stop: threading.Event,
    heartbeat: Callable[[], Any] | None = None,
) -> int:
    """Run until ``stop`` is set; returns the number of updates. Radio errors propagate."""
    centre, lo, hi = window_for(target, radio.sample_rate)
    radio.tune(centre)  # TuneError for a target the tuner cannot reach
    block = max(NFFT * 8, int(radio.sample_rate / rate_hz) // NFFT * NFFT)
    smoother = levelmod.Smoother(smoothing_s)
    started = last = time.monotonic()
    updates = 0
    while not stop.is_set():
        raw = radio.read(block)
        now = time.monotonic()
        level, noise = levelmod.band_level(
            raw,
            nfft=NFFT,
            sample_rate=radio.sample_rate,
            center_hz=centre,
            lo_hz=lo,
            hi_hz=hi,
            floor_dbfs=target.floor_dbfs,
        )
        smoothed = smoother.update(level, now - last)
        last = now
        updates += 1
        snr = smoothed - noise
        on_update(
            LevelUpdate(
                elapsed_s=now - started,
                level_dbfs=level,
                smoothed_dbfs=smoothed,
                snr_db=snr,
                proximity=levelmod.proximity(snr),
                rate_hz=updates / max(now - started, 1e-9),
            )
        )
        if heartbeat is not None:
            heartbeat()
    return updates
