"""Peaks, the region grown around a peak, and the small local measurements made at candidates."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from dsp.glint.params import CENTRE_HALF, GAP_HALF, OUTER_HALF


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
    """(max − min) / max of the per-channel excess of a spot over its surround."""
    centre = colour[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3).mean(axis=0)
    patch = colour[y - OUTER_HALF : y + OUTER_HALF + 1, x - OUTER_HALF : x + OUTER_HALF + 1].reshape(-1, 3)
    excess = np.maximum(centre - np.median(patch, axis=0), 0.0)
    top = float(excess.max())
    return 0.0 if top <= 0 else float((top - excess.min()) / top)


def eroded(mask: np.ndarray, r: int) -> np.ndarray:
    """``mask`` shrunk by ``r`` px (coverage edges and the frame border hold no usable response)."""
    out = np.zeros_like(mask)
    h, w = mask.shape
    if h > 2 * r and w > 2 * r:
        out[r : h - r, r : w - r] = mask[r : h - r, r : w - r]
    return out
