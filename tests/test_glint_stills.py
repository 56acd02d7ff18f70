"""Stills larger than the camera's frames (a Camera Module 3 takes 4608×3072): tiles, memory, seams."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest
from PIL import Image

from appliance import optical
from dsp.glint import tiles

H, W = 3072, 4608  # a Camera Module 3 still
SHIFT = (2, -3)  # the LED-off still, taken a moment later by a hand-held device: (rows, columns)


def _field(rng: np.random.Generator, cells: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
    """A smooth random field of ``size`` (h, w), from ``cells`` random values resized bilinearly."""
    small = Image.fromarray(rng.random(cells, dtype=np.float32), mode="F")
    return np.asarray(small.resize((size[1], size[0]), Image.BILINEAR), dtype=np.float32)


def _spots(h: int, w: int, items: list[tuple[float, float, float, float]]) -> np.ndarray:
    """Gaussian spots (x, y, half-width at half maximum, peak level) on an h×w float image."""
    out = np.zeros((h, w), np.float32)
    for x, y, r, level in items:
        reach = math.ceil(3 * r) + 2
        y0, y1, x0, x1 = int(y) - reach, int(y) + reach + 1, int(x) - reach, int(x) + reach + 1
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        out[y0:y1, x0:x1] += level * np.exp(-math.log(2) * ((xx - x) ** 2 + (yy - y) ** 2) / r**2)
    return out


def still_pair(lenses, leds, seed=0, h=H, w=W):
    """An LED-on / LED-off pair of 8-bit RGB stills: a textured room, the LED's light on it, glints
    in the LED-on still only, IR LEDs in both; the LED-off still moved by SHIFT and noisy."""
    rng = np.random.default_rng(seed)
    pad = 8
    room = 0.35 + 0.3 * _field(rng, (h // 64, w // 64), (h + 2 * pad, w + 2 * pad))
    room += 0.15 * _field(rng, (h // 6, w // 6), (h + 2 * pad, w + 2 * pad))  # texture to register on
    frames = []
    for lit, (dy, dx) in ((True, (0, 0)), (False, SHIFT)):
        grey = 255 * room[pad + dy : pad + dy + h, pad + dx : pad + dx + w] * (1.15 if lit else 1.0)
        items = [(x - dx, y - dy, r, level) for x, y, r, level in (lenses if lit else []) + leds]
        grey += _spots(h, w, items)
        grey += rng.normal(0, 2.0, (h, w)).astype(np.float32)
        frames.append(np.repeat(np.clip(np.rint(grey), 0, 255).astype(np.uint8)[:, :, None], 3, axis=2))
    return frames[0], frames[1]


def _seams() -> tuple[list[int], list[int]]:
    grid = tiles.tile_grid(H, W)
    return sorted({t.cy0 for t in grid} - {0}), sorted({t.cx0 for t in grid} - {0})


@pytest.fixture(scope="module")
def high_res():
    rows, cols = _seams()
    lenses = [
        (cols[0] + 0.3, rows[0] - 0.4, 2.5, 60.0),  # where four tiles meet
        (cols[1] - 0.5, 1500.2, 2.0, 50.0),  # on a seam between two columns of tiles
        (700.4, rows[2] + 0.2, 3.0, 70.0),  # on a seam between two rows
        (3900.0, 400.0, 2.0, 40.0),
        (60.0, 3000.0, 2.5, 60.0),  # near the still's corner
    ]
    leds = [(3300.0, 2500.0, 3.0, 240.0), (cols[2] + 0.5, 2000.0, 3.0, 240.0)]
    on, off = still_pair(lenses, leds)
    return on, off, lenses, leds


def test_tiles_cover_the_still_once_and_fit_the_camera_frame():
    grid = tiles.tile_grid(H, W)
    cover = np.zeros((H, W), np.uint8)
    for t in grid:
        assert t.y1 - t.y0 <= tiles.TILE_H and t.x1 - t.x0 <= tiles.TILE_W
        cover[t.cy0 : t.cy1, t.cx0 : t.cx1] += 1
    assert (cover == 1).all()
    assert tiles.tile_grid(720, 1280) == [tiles.Tile(0, 720, 0, 1280, 0, 720, 0, 1280)]  # the camera's own
    assert all(t.x1 - t.x0 <= tiles.TILE_H for t in tiles.tile_grid(W, H))  # portrait stills turn the tiles


def test_a_camera_module_3_still_pair_in_the_memory_of_a_1280x720_scan(high_res):
    """Everything the analysis allocates beyond the two stills themselves stays under 80 MiB (in one
    piece the per-pixel state of a 14 Mpx pair alone would be ~330 MiB); every lens and IR LED is
    found once, also where tiles meet."""
    on, off, lenses, leds = high_res
    tracemalloc.start()
    try:
        scan = optical.analyse_pairs([(on, off)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 80 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert scan.size == (W, H) and scan.pairs == 1
    for kind, planted in (("lens", lenses), ("ir-led", leds)):
        found = [f for f in scan.findings if f.kind == kind]
        assert len(found) == len(planted), scan.to_json()
        for x, y, *_ in planted:
            assert min(math.hypot(f.x - x, f.y - y) for f in found) < 1.5, (kind, x, y)
