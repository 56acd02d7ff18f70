"""Stills larger than the camera's 1280×720 (a Camera Module 3 takes 4608×3072) in tiles.

The per-pixel state of a scan costs ~23 bytes a pixel and a pair's maps 8 more: a 14 Mpx pair in
one piece would need ~450 MiB, more than the daemon may use on a 1 GB Pi. So a large still is cut
into overlapping tiles of at most 1280×720 px, and every tile runs the whole pipeline on its own
(its own registration — which also follows a shake that is not the same across a wide picture —
its own accumulator, its own candidates), one tile at a time: memory is that of a 1280×720 scan
whatever the still's size. A tile keeps the candidates whose centre lies in its core (tiles'
cores do not overlap; the margin around a core holds the ring and blob reach and the shake);
rings and the cap per kind are judged once over all tiles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dsp.glint import judge
from dsp.glint.accumulate import GlintAccumulator, PairReport
from dsp.glint.params import GlintParams, GlintResult

TILE_H, TILE_W = 720, 1280  # the largest tile (with its margin): what the camera itself delivers
TILE_MARGIN = 48  # shake (≤ 12 px between registrations), the 8 px response ring, blobs and rings
SEAM_PX = 3.0  # two tiles may place one object up to a pixel apart (each rounds its own shake)


@dataclass(frozen=True)
class Tile:
    """Rows ``y0``..``y1`` and columns ``x0``..``x1`` of the frame that a tile reads, and the core
    (``cy0``..``cy1``, ``cx0``..``cx1``) whose candidates it keeps."""

    y0: int
    y1: int
    x0: int
    x1: int
    cy0: int
    cy1: int
    cx0: int
    cx1: int

    def holds(self, x: float, y: float) -> bool:
        """Whether frame point (x, y) lies in this tile's core."""
        return self.depth(x, y) >= 0

    def depth(self, x: float, y: float) -> float:
        """How far inside the core frame point (x, y) lies (negative: outside it)."""
        return min(x - self.cx0, self.cx1 - x, y - self.cy0, self.cy1 - y)


def tile_grid(h: int, w: int, *, margin: int = TILE_MARGIN) -> list[Tile]:
    """Tiles covering an h×w frame, each at most TILE_H×TILE_W px (turned for a portrait frame);
    one tile, the whole frame, when it is no larger than that."""
    max_h, max_w = (TILE_W, TILE_H) if h > w else (TILE_H, TILE_W)
    if h * w <= TILE_H * TILE_W:
        return [Tile(0, h, 0, w, 0, h, 0, w)]
    rows = _spans(h, max_h - 2 * margin, margin)
    cols = _spans(w, max_w - 2 * margin, margin)
    return [Tile(y0, y1, x0, x1, cy0, cy1, cx0, cx1) for (y0, y1, cy0, cy1) in rows for (x0, x1, cx0, cx1) in cols]


def _spans(n: int, core: int, margin: int) -> list[tuple[int, int, int, int]]:
    """Equal cores of at most ``core`` px along an axis of ``n`` px, each read with ``margin`` around."""
    count = max(1, math.ceil(n / core))
    size = math.ceil(n / count)
    spans = []
    for k in range(count):
        c0, c1 = k * size, min(n, (k + 1) * size)
        spans.append((max(0, c0 - margin), min(n, c1 + margin), c0, c1))
    return spans


def find_in_tiles(
    pairs: Sequence[tuple[np.ndarray, np.ndarray]], params: GlintParams | None = None
) -> tuple[GlintResult, list[PairReport]]:
    """Findings of LED-on / LED-off pairs of any size, tile by tile (coordinates: pixels of the
    first LED-on frame), and the pair reports of the tile at the frame's centre."""
    params = params or GlintParams()
    if not pairs:
        return GlintResult([]), []
    _check_sizes(pairs)
    h, w = pairs[0][0].shape[:2]
    grid = tile_grid(h, w)
    lenses: list[tuple[float, judge.Candidate]] = []  # (depth in its tile's core, candidate)
    leds: list[tuple[float, judge.Candidate]] = []
    reports: list[PairReport] = []
    for tile in grid:
        acc = GlintAccumulator(params)
        for on, off in pairs:
            acc.add_pair(on[tile.y0 : tile.y1, tile.x0 : tile.x1], off[tile.y0 : tile.y1, tile.x0 : tile.x1])
        tile_leds = judge.ir_led_candidates(acc)
        tile_lenses = judge.lens_candidates(acc, judge.merged_rings(tile_leds))
        for found, out in ((tile_lenses, lenses), (tile_leds, leds)):
            for c in found:
                c.x, c.y = c.x + tile.x0, c.y + tile.y0
                depth = tile.depth(c.x, c.y)
                if depth > -SEAM_PX or len(grid) == 1:
                    out.append((depth, c))
        if tile.holds(w / 2, h / 2):
            reports = acc.reports
        del acc  # one tile's state at a time
    return judge.rank(_one_each(lenses), _one_each(leds), params.max_per_kind), reports


def _one_each(found: list[tuple[float, judge.Candidate]]) -> list[judge.Candidate]:
    """Candidates near a seam are seen by the tiles on both sides: keep the one seen deepest inside
    its tile's core."""
    kept: list[judge.Candidate] = []
    for _, c in sorted(found, key=lambda dc: -dc[0]):
        if not any(k.near(c.x, c.y) for k in kept):
            kept.append(c)
    return kept


def _check_sizes(pairs: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
    """Every frame the size of the first (a tile cut from a smaller one would silently be short)."""
    first = pairs[0][0].shape
    for k, (on, off) in enumerate(pairs, 1):
        if on.shape[:2] != off.shape[:2]:
            raise ValueError(f"LED-on frame is {on.shape[:2]}, LED-off frame {off.shape[:2]}: sizes differ")
        if on.shape != first:
            raise ValueError(f"pair {k} is {on.shape}, the first pair was {first}")
