"""Cameras for the picture tests and benchmarks: our own test cards sent by hacktv, received as
one continuous RTL-SDR stream with retunes (tuning error, ADC clock error, tuner roll-off, noise,
8 bits).

The stream's sample clock runs at the dongle's real rate (nominal × (1 + ppm)); each tuning's
samples come from the render at the times the stream reaches them, and the samples a retune
costs (``settle``) are skipped but counted, as ``Radio.stream`` does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from dsp import picture as picmod
from dsp import stimulus as stim
from hw.sim import frontend, hacktv

RENDER_RATE_HZ = 16e6  # PAL: 1024 samples a line; NTSC rounds to 1017 (15 732.55 Hz, as hacktv does)
SETTLE = 4096


def test_card(kind: str = "room", width: int = 768, height: int = 576) -> np.ndarray:
    """A still picture (float, 0 black .. 1 white) with detail in both directions."""
    rng = np.random.default_rng({"room": 3, "shelf": 5, "desk": 9}[kind])
    y, x = np.mgrid[0:height, 0:width] / np.array([height, width], float)[:, None, None]
    pic = 0.35 + 0.3 * x - 0.15 * y  # a lit wall
    for _ in range(7):  # furniture
        x0, y0 = rng.uniform(0, 0.8, 2)
        w, h = rng.uniform(0.08, 0.3, 2)
        pic[(x >= x0) & (x < x0 + w) & (y >= y0) & (y < y0 + h)] = rng.uniform(0.05, 0.85)
    cx, cy = rng.uniform(0.3, 0.7, 2)
    pic[(x - cx) ** 2 + ((y - cy) * 0.75) ** 2 < 0.01] = 0.95  # a lamp shade
    pic[(x > 0.72) & (x < 0.9) & (y > 0.08) & (y < 0.38)] = 1.0  # a window
    bars = (x > 0.05) & (x < 0.3) & (y > 0.8) & (y < 0.95)  # a radiator: vertical detail
    pic[bars] = np.where(np.sin(2 * np.pi * 24 * x[bars]) > 0, 0.8, 0.2)
    return np.clip(pic, 0.0, 1.0)


def write_png(luma: np.ndarray, path: Path) -> Path:
    Image.fromarray(np.clip(np.rint(luma * 255), 0, 255).astype(np.uint8)).save(path)
    return path


def reference(card: np.ndarray, standard: str) -> np.ndarray:
    """The card at the recovered picture's size (what the camera's picture should look like)."""
    std = picmod.STANDARDS[standard]
    img = Image.fromarray((card * 255).astype(np.uint8)).resize((std.width, std.height), Image.Resampling.BOX)
    return np.asarray(img, np.float32) / 255.0


def render(
    card_path: Path, standard: str, modulation: str, seconds: float, cache: Path, rate_hz: float = RENDER_RATE_HZ, **kw
) -> np.ndarray:
    return hacktv.render(standard, modulation, seconds, rate_hz=rate_hz, cache_dir=cache, picture=card_path, **kw)


def stimulated(dark: np.ndarray, bright: np.ndarray, schedule: stim.Schedule, rate_hz: float) -> np.ndarray:
    """A camera that sees the LED ring: the bright card's render while the schedule is on."""
    out = dark.copy()
    for first in range(0, out.size, 1 << 22):
        t = (first + np.arange(min(1 << 22, out.size - first))) / rate_hz
        on = schedule.state_at(t) == 1
        out[first : first + t.size][on] = bright[first : first + t.size][on]
    return out


def stream(
    signal: np.ndarray,
    offsets_hz: list[float],
    seconds_each: float,
    snr_db: float,
    *,
    seed: int = 1,
    ppm: float = 23.0,
    tuning_error_hz: float = 17e3,
    rate_hz: float = frontend.RTL_RATE_HZ,
    render_rate_hz: float = RENDER_RATE_HZ,
) -> list[picmod.Segment]:
    """One tuning per offset (the carrier's position from the window centre), back to back."""
    rng = np.random.default_rng(seed)
    true_rate = rate_hz * (1 + ppm * 1e-6)
    n_each = round(seconds_each * rate_hz)
    segments = []
    clock = 0
    for offset in offsets_hz:
        clock += SETTLE
        t0 = clock / true_rate
        first = int(t0 * render_rate_hz)
        count = int((n_each + 64) / true_rate * render_rate_hz)
        if first + count > signal.size:
            raise ValueError("render too short for the stream")
        piece = frontend.Wideband(signal[first : first + count], render_rate_hz)
        window = piece.window(offset + tuning_error_hz, true_rate, delay_s=t0 - first / render_rate_hz)[:n_each]
        raw = frontend.capture(window, snr_db, rng, rate_hz=rate_hz)
        segments.append(picmod.Segment(raw, clock, -offset))
        clock += n_each
    return segments
