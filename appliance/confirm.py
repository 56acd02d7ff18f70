"""Does the analog camera at one frequency see the device? Blink the LED ring, watch its picture.

A fresh balanced schedule (``dsp.stimulus.make_schedule``) is played on the ring while the radio
dwells on the camera, one read per slot; the picture's brightness field by field
(``dsp.picture.field_response``) is judged against the schedule by the randomisation test. A
camera that sees the device brightens each time the ring is lit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from appliance import picture as picture_stage
from dsp import picture as picmod
from dsp import stimulus as stim
from hw.camera import Illuminator
from hw.radio import Radio

SLOT_S = 0.2
SLOTS = 20  # 4 s: enough for p < 0.001 at a few per cent of brightness
MAX_LAG_S = 0.5  # auto-exposure and the camera's frame pipeline


@dataclass(frozen=True)
class Confirmation:
    freq_hz: float
    standard: str
    modulation: str
    schedule: stim.Schedule
    response: stim.Response | None  # None: the reads did not cover the schedule

    def to_json(self) -> dict[str, Any]:
        return {
            "freq_hz": self.freq_hz,
            "standard": self.standard,
            "modulation": self.modulation,
            "schedule": self.schedule.to_json(),
            "stimulus": None
            if self.response is None
            else self.response.to_json(min_statistic=picmod.STIMULUS_MIN_STATISTIC),
        }


def confirm(
    radio: Radio, ring: Illuminator, freq_hz: float, rng: np.random.Generator, *, slots: int = SLOTS
) -> Confirmation:
    """Play a fresh schedule on ``ring`` while reading the camera at ``freq_hz`` (NoVideo if none)."""
    line, modulation = picture_stage.look(radio, freq_hz)
    fs = radio.sample_rate
    schedule = stim.make_schedule("ir-ring", 0.0, SLOT_S, slots, rng)
    n = round(SLOT_S * fs)
    times, values = [], []
    try:
        for i, state in enumerate(schedule.pattern):
            ring.set(bool(state))
            segment = picmod.Segment(radio.read(n), i * n, radio.center_hz)
            t, v = picmod.field_response(segment, fs, line, modulation)
            times.append(t)
            values.append(v)
    finally:
        ring.off()
    response = stim.judge_response(np.concatenate(times), np.concatenate(values), schedule, rng, max_lag_s=MAX_LAG_S)
    return Confirmation(freq_hz, line.standard, modulation, schedule, response)
