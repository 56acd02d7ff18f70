"""Peaks, the region grown around a peak, and the small local measurements made at candidates."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from dsp.glint.params import CENTRE_HALF, GAP_HALF, OUTER_HALF, SATURATED

RIM_HALF = 5  # a light's colour is read within 5 px of its centre


@njit(cache=True)
def peaks(img, thr, valid, row0, row1):
    """Local maxima (3×3) of ``img`` at or above ``thr`` where ``valid``, in rows ``row0``..``row1``
    (the rows around them are for the comparison): rows, columns and values in scan order."""
    h, w = img.shape
    ys = []
    xs = []
    vs = []
    for y in range(max(row0, 1), min(row1, h - 1)):
        for x in range(1, w - 1):
            v = img[y, x]
            if v < thr or not valid[y, x]:
                continue
            best = True
            for yy in range(y - 1, y + 2):
                for xx in range(x - 1, x + 2):
                    u = img[yy, xx]
                    # ties: the first pixel in scan order wins, so a plateau gives one peak
                    if u > v or (u == v and (yy < y or (yy == y and xx < x))):
                        best = False
            if best:
                ys.append(y)
                xs.append(x)
                vs.append(v)
    return np.array(ys, dtype=np.int64), np.array(xs, dtype=np.int64), np.array(vs, dtype=np.float64)


@njit(cache=True)
def _region(img, y, x, level, max_area, stamp, mark):
    """Grow the 8-connected region of ``img >= level`` from (y, x), at most ``max_area`` pixels.

    Returns (area, capped, weight sum, weighted x and y centroid sums, x², y², xy sums of the
    unweighted pixel positions relative to the seed).
    """
    h, w = img.shape
    qy = np.empty(max_area + 9, dtype=np.int64)
    qx = np.empty(max_area + 9, dtype=np.int64)
    qy[0] = y
    qx[0] = x
    stamp[y, x] = mark
    n = 1
    head = 0
    sw = swx = swy = 0.0
    sxx = syy = sxy = sx = sy = 0.0
    capped = False
    while head < n:
        cy = qy[head]
        cx = qx[head]
        head += 1
        wgt = img[cy, cx] - level
        sw += wgt
        swx += wgt * cx
        swy += wgt * cy
        ox = cx - x
        oy = cy - y
        sx += ox
        sy += oy
        sxx += ox * ox
        syy += oy * oy
        sxy += ox * oy
        for yy in range(cy - 1, cy + 2):
            for xx in range(cx - 1, cx + 2):
                if yy < 0 or yy >= h or xx < 0 or xx >= w or stamp[yy, xx] == mark:
                    continue
                if img[yy, xx] >= level:
                    if n >= max_area:
                        capped = True
                        head = n  # stop growing
                        break
                    stamp[yy, xx] = mark
                    qy[n] = yy
                    qx[n] = xx
                    n += 1
            if capped:
                break
    return n, capped, sw, swx, swy, sx, sy, sxx, syy, sxy


@dataclass(frozen=True)
class Blob:
    """The half-maximum region around a peak."""

    x: float
    y: float
    radius: float
    area: int
    var_major: float
    var_minor: float

    @staticmethod
    def grow(
        img: np.ndarray, y: int, x: int, max_radius: float, stamp: np.ndarray, mark: int, noise: float = 0.0
    ) -> Blob | None:
        """None when the region is larger than ``max_radius`` allows (glare, glossy patches, edges).
        ``noise``: of one pixel of ``img``; the region is never grown below 3× that (in texture
        it would run along the texture)."""
        background = ring_mean(img, y, x)
        peak = float(img[y - 1 : y + 2, x - 1 : x + 2].max())
        # Size is judged at a quarter of the peak: a flat-topped patch (a glossy surface) shows its
        # full extent there, where at half maximum a bump on it could pass for a point.
        share = min(0.5, max(0.25, 3 * noise / max(peak - background, 1e-6)))
        quarter = np.float32(background + share * (peak - background))
        if _region(img, y, x, quarter, int(2 * math.pi * max_radius**2) + 1, stamp, 2 * mark)[1]:
            return None
        level = np.float32(background + 0.5 * (peak - background))
        max_area = int(math.pi * max_radius**2) + 1
        n, capped, sw, swx, swy, sx, sy, sxx, syy, sxy = _region(img, y, x, level, max_area, stamp, 2 * mark + 1)
        if capped:
            return None
        mx, my = sx / n, sy / n
        cxx = sxx / n - mx * mx + 1 / 12  # + the spread of one pixel
        cyy = syy / n - my * my + 1 / 12
        cxy = sxy / n - mx * my
        half_gap = math.sqrt(((cxx - cyy) / 2) ** 2 + cxy**2)
        major, minor = (cxx + cyy) / 2 + half_gap, (cxx + cyy) / 2 - half_gap
        cx, cy = (swx / sw, swy / sw) if sw > 0 else (float(x), float(y))
        return Blob(cx, cy, math.sqrt(n / math.pi), n, major, max(minor, 1e-6))

    def elongated(self, limit: float) -> bool:
        # a handful of pixels has no measurable shape; point-like it is
        return self.area >= 12 and math.sqrt(self.var_major / self.var_minor) > limit

    def roundness(self, limit: float) -> float:
        ratio = math.sqrt(self.var_major / self.var_minor)
        return max(0.0, min(1.0, (limit - ratio) / (limit - 1.0)))


def ring_mean(img: np.ndarray, y: int, x: int) -> float:
    """Mean of ``img`` in the ring GAP_HALF+1..OUTER_HALF px around (y, x); 0 where it would leave ``img``."""
    h, w = img.shape
    o, g = OUTER_HALF, GAP_HALF
    if y < o or x < o or y + o >= h or x + o >= w:
        return 0.0
    outer = img[y - o : y + o + 1, x - o : x + o + 1].astype(np.float64)
    gap = outer[o - g : o + g + 1, o - g : o + g + 1]
    return float(outer.sum() - gap.sum()) / ((2 * o + 1) ** 2 - (2 * g + 1) ** 2)


def spot_at(img: np.ndarray, y: int, x: int) -> float:
    """The spot response (3×3 centre minus ring) of ``img`` at one point."""
    c = CENTRE_HALF
    centre = img[y - c : y + c + 1, x - c : x + c + 1].astype(np.float64).sum()
    return float(centre) / (2 * c + 1) ** 2 - ring_mean(img, y, x)


def chroma(colour: np.ndarray, y: int, x: int) -> float:
    """(max − min) / max of the per-channel excess of a light over its surround, measured where the
    light is lit but not clipped: a clipped core is white whatever its colour (a sunlit leaf's
    too), its rim (within 5 px) shows the colour. A light clipped everywhere is judged by its 3×3 centre."""
    patch = colour[y - OUTER_HALF : y + OUTER_HALF + 1, x - OUTER_HALF : x + OUTER_HALF + 1].reshape(-1, 3)
    room = np.median(patch, axis=0)
    near = colour[y - RIM_HALF : y + RIM_HALF + 1, x - RIM_HALF : x + RIM_HALF + 1].reshape(-1, 3)
    return tint(near, room)


def tint(pixels: np.ndarray, room: np.ndarray) -> float:
    """:func:`chroma` of a light's pixels (n×3) against the room's colour."""
    excess = pixels - room
    lit = excess.max(axis=1)
    rim = (pixels.max(axis=1) < SATURATED) & (lit > 0.25 * max(float(lit.max()), 1e-6))
    # where it is not clipped; a light clipped through is judged by its brightest half
    pixels = pixels[rim] if np.count_nonzero(rim) >= 4 else pixels[lit >= np.median(lit)]
    mean = np.maximum(pixels.mean(axis=0) - room, 0.0)
    top = float(mean.max())
    return 0.0 if top <= 0 else float((top - mean.min()) / top)


def eroded(mask: np.ndarray, r: int) -> np.ndarray:
    """``mask`` shrunk by ``r`` px (coverage edges and the frame border hold no usable response)."""
    out = np.zeros_like(mask)
    h, w = mask.shape
    if h > 2 * r and w > 2 * r:
        out[r : h - r, r : w - r] = mask[r : h - r, r : w - r]
    return out


def _window(img: np.ndarray, y: int, x: int, reach: int) -> tuple[np.ndarray, int, int]:
    """The (2·reach+1)² window of ``img`` around (y, x), cut at the frame's edges, and its corner."""
    y0, x0 = max(0, y - reach), max(0, x - reach)
    return img[y0 : y + reach + 1, x0 : x + reach + 1], y0, x0


def _grown(win: np.ndarray, y: int, x: int, level: float, max_area: int) -> np.ndarray | None:
    """Pixels (rows, columns in ``win``) of the region of ``win >= level`` grown from (y, x); None
    when it reaches ``max_area`` pixels."""
    stamp = np.zeros(win.shape, np.uint16)
    capped = _region(win, y, x, np.float32(level), max_area, stamp, 1)[1]
    return None if capped else np.nonzero(stamp == 1)


def extent(img: np.ndarray, y: int, x: int, max_radius: float, room_px: int = 24) -> float | None:
    """Half-maximum radius of the light at (y, x) against the room around it (the median of ``img``
    16–``room_px`` px away), or None when it is larger than ``max_radius``. The local surround a
    spot response compares with lies *inside* a lamp highlight several times an LED's size, so
    judged against it a lamp passes for a small light; against the room it does not."""
    win, y0, x0 = _window(img, y, x, room_px)
    yy, xx = np.ogrid[: win.shape[0], : win.shape[1]]
    d2 = (yy - (y - y0)) ** 2 + (xx - (x - x0)) ** 2
    room = win[(d2 >= 16**2) & (d2 <= room_px**2)]
    if room.size == 0:
        return 0.0
    background = float(np.median(room))
    peak = float(img[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2].max())
    pixels = _grown(win, y - y0, x - x0, background + 0.5 * (peak - background), int(math.pi * max_radius**2) + 1)
    return None if pixels is None else math.sqrt(pixels[0].size / math.pi)


@dataclass(frozen=True)
class Annulus:
    """A bright ring: centre, mean radius, the share of directions it covers and its pixels."""

    x: float
    y: float
    radius: float
    coverage: float
    rows: np.ndarray
    cols: np.ndarray


def annulus(img: np.ndarray, y: int, x: int, min_radius: float, max_radius: float) -> Annulus | None:
    """The bright ring through (y, x), if the region there is one: grown at half maximum (against
    the darker quarter of the surroundings; or at 70 %, or 30 %), thin, with a dark centre, round (every pixel about
    the same distance from the centroid), closed (covering nearly every direction) and of a
    radius in ``min_radius``..``max_radius``. Night-vision LEDs that sit close together merge
    into such a ring; a lamp, a leaf or a stripe does not make one."""
    reach = int(2 * max_radius + 8)
    win, y0, x0 = _window(img, y, x, reach)
    background = float(np.percentile(win, 25))
    peak = float(img[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2].max())
    # LEDs that touch at half maximum; big bright ones whose blooms fill the middle, higher up;
    # small ones that touch only lower down
    for share in (0.5, 0.7, 0.3):
        level = background + share * (peak - background)
        pixels = _grown(win, y - y0, x - x0, level, int(math.pi * (max_radius + 6) ** 2))
        if pixels is not None and pixels[0].size >= 24:
            ring = _ring(win, *pixels, level, min_radius, max_radius)
            if ring is not None:
                return Annulus(ring[1] + x0, ring[0] + y0, ring[2], ring[3], pixels[0] + y0, pixels[1] + x0)
    return None


def _ring(
    win: np.ndarray, rows: np.ndarray, cols: np.ndarray, level: float, min_radius: float, max_radius: float
) -> tuple[float, float, float, float] | None:
    """(centre row, centre column, radius, coverage) when the region's pixels form a ring."""
    cy, cx = _circle_centre(rows.astype(np.float64), cols.astype(np.float64))
    d = np.hypot(rows - cy, cols - cx)
    radius = float(d.mean())
    # a filled disc has a spread of 0.35 × its mean distance; its centre is what tells it apart
    if not min_radius <= radius <= max_radius or d.std() > 0.4 * radius or d.min() < 0.15 * radius:
        return None
    iy, ix = round(cy), round(cx)
    if not (0 <= iy < win.shape[0] and 0 <= ix < win.shape[1]) or win[iy, ix] >= level:
        return None  # a filled disc, not a ring
    sectors = np.unique(((np.arctan2(rows - cy, cols - cx) + math.pi) / (2 * math.pi) * 16).astype(int) % 16)
    coverage = sectors.size / 16
    if coverage < 0.85:
        return None  # an arc: a lamp's rim, a curved edge
    return cy, cx, radius, coverage


def _circle_centre(rows: np.ndarray, cols: np.ndarray) -> tuple[float, float]:
    """Centre of the circle through the pixels (least squares on x² + y² + Dx + Ey + F = 0): unlike
    their centroid it stays put when one LED of a ring is dimmer and left out."""
    my, mx = rows.mean(), cols.mean()
    u, v = cols - mx, rows - my  # centred: a well-conditioned system
    a = np.stack([u, v, np.ones_like(u)], axis=1)
    (d, e, _), *_ = np.linalg.lstsq(a, -(u * u + v * v), rcond=None)
    return float(my - e / 2), float(mx - d / 2)
