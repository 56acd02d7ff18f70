"""Composite video as a function of time: the line and field structure a camera transmits.

Levels are normalised: 0.0 sync tip, 0.3 blanking/black, 1.0 peak white (the PAL/NTSC
proportions of -300 mV / 0 mV / +700 mV). Timing follows ITU-R BT.470: 625 lines at 15 625 Hz
(PAL, SECAM) and 525 lines at 15 734.26 Hz (NTSC); the vertical interval gives the field rate.
The picture is a static room-like image (a camera on a shelf sees a still room).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SYNC, BLACK, WHITE = 0.0, 0.3, 1.0


@dataclass(frozen=True)
class Timing:
    lines: int
    line_rate_hz: float
    hsync_s: float
    active_start_s: float
    active_s: float
    vsync_lines: float  # broad-pulse lines at the start of each field
    blank_lines: float  # lines of vertical blanking including the vsync

    @property
    def line_s(self) -> float:
        return 1.0 / self.line_rate_hz

    @property
    def field_s(self) -> float:
        return self.lines / 2 / self.line_rate_hz


TIMINGS = {
    "PAL": Timing(625, 15625.0, 4.7e-6, 10.5e-6, 52e-6, 2.5, 25),
    "SECAM": Timing(625, 15625.0, 4.7e-6, 10.5e-6, 52e-6, 2.5, 25),
    "NTSC": Timing(525, 4.5e6 / 286, 4.7e-6, 10.9e-6, 52.6e-6, 3.0, 21),
}


@lru_cache(maxsize=4)
def room_picture(seed: int = 7, rows: int = 288, cols: int = 320) -> np.ndarray:
    """A still picture of a room: wall gradient, furniture blocks, a bright window, texture."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:cols] / np.array([rows, cols])[:, None, None]
    pic = 0.45 + 0.25 * x - 0.1 * y
    for _ in range(6):
        x0, y0 = rng.uniform(0, 0.8, 2)
        w, h = rng.uniform(0.08, 0.3, 2)
        pic[(x >= x0) & (x < x0 + w) & (y >= y0) & (y < y0 + h)] = rng.uniform(0.32, 0.8)
    pic[(x > 0.7) & (x < 0.85) & (y > 0.1) & (y < 0.35)] = WHITE  # a window: peak white
    pic += 0.04 * rng.standard_normal(pic.shape)
    return np.clip(pic, BLACK + 0.02, WHITE).astype(np.float32)


def composite(standard: str, t: np.ndarray) -> np.ndarray:
    """Composite video level at times ``t`` (seconds, float64)."""
    timing = TIMINGS[standard]
    line_s = timing.line_s
    u = np.mod(t, line_s)  # time within the line: horizontal timing is continuous across fields
    half = line_s / 2
    line_in_field = np.mod(t, timing.field_s) / line_s
    picture = room_picture()
    rows, cols = picture.shape
    active_lines = timing.lines / 2 - timing.blank_lines
    row = ((line_in_field - timing.blank_lines) / active_lines * rows).astype(np.int64)
    col = ((u - timing.active_start_s) / timing.active_s * cols).astype(np.int64)
    in_active = (
        (u >= timing.active_start_s)
        & (u < timing.active_start_s + timing.active_s)
        & (line_in_field >= timing.blank_lines)
    )
    level = np.full(t.shape, BLACK, dtype=np.float32)
    level[in_active] = picture[np.clip(row[in_active], 0, rows - 1), np.clip(col[in_active], 0, cols - 1)]
    level[u < timing.hsync_s] = SYNC
    # Vertical sync: broad pulses, sync level for all but a short serration every half line.
    in_vsync = line_in_field < timing.vsync_lines
    serration = np.mod(u, half) >= half - timing.hsync_s
    level[in_vsync] = np.where(serration[in_vsync], BLACK, SYNC)
    return level
