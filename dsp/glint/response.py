"""Stage 3–4: the LED-on minus LED-off residual of a registered pair, and its spot responses.

The residual ``e = on − g·off`` has both frames warped half way to each other (so both are
interpolated alike) and ``g`` the *local* ratio of the two frames (median per 32×32 block): the
ring's light on diffuse surfaces cancels, a point lit only by retro-reflection does not. The spot
response (3×3 centre minus a ring 5–8 px out) and the four-direction point response make small
bright points score and edges, stripes and large patches hardly.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from dsp.glint.boxes import box, integral
from dsp.glint.params import (
    BAND_ROWS,
    CENTRE_HALF,
    DOWN,
    GAIN_BLOCK,
    GAP_HALF,
    OUTER_HALF,
    POINT_DX,
    POINT_DY,
    POINT_REACH,
)


@njit(cache=True)
def _warp_rect(h, w, dy, dx):
    """Rows y0..y1 and columns x0..x1 where ``img(y + dy, x + dx)`` lies inside an h×w frame."""
    y0 = max(0, int(np.ceil(-dy)))
    y1 = min(h, int(np.floor(h - 1 - dy - 1e-9)) + 1)
    x0 = max(0, int(np.ceil(-dx)))
    x1 = min(w, int(np.floor(w - 1 - dx - 1e-9)) + 1)
    return y0, y1, x0, x1


@njit(inline="always")
def _bilinear(img, y, x, iy0, ix0, fy, fx):
    """``img(y + iy0 + fy, x + ix0 + fx)``, rounded to single precision as a warped frame would be."""
    h, w = img.shape
    sy, sx = y + iy0, x + ix0
    sy1, sx1 = min(sy + 1, h - 1), min(sx + 1, w - 1)
    return np.float32(
        (1 - fy) * ((1 - fx) * img[sy, sx] + fx * img[sy, sx1]) + fy * ((1 - fx) * img[sy1, sx] + fx * img[sy1, sx1])
    )


@njit(cache=True)
def gain_grid(small_on, small_off, gmin, gmax, grid):
    """Median LED-on / LED-off ratio per block of the 1/4-size frames.

    A median, not a ratio of sums: self-luminous lights (IR LEDs, lamps) are as bright in both
    frames and would drag a ratio of sums towards 1 around them.
    """
    gh, gw = grid.shape
    sh, sw = small_on.shape
    buf = np.empty(GAIN_BLOCK * GAIN_BLOCK, dtype=np.float32)
    for by in range(gh):
        for bx in range(gw):
            n = 0
            for y in range(by * GAIN_BLOCK, min((by + 1) * GAIN_BLOCK, sh)):
                for x in range(bx * GAIN_BLOCK, min((bx + 1) * GAIN_BLOCK, sw)):
                    buf[n] = small_on[y, x] / max(small_off[y, x], np.float32(2.0))
                    n += 1
            g = np.median(buf[:n]) if n else 1.0
            grid[by, bx] = min(max(g, gmin), gmax)
    # A block mostly covered by a glossy surface (LED-only light) has too high a ratio; the median
    # of it and its neighbours does not, unless such a surface covers most of the neighbourhood.
    raw = grid.copy()
    near = np.empty(9, dtype=np.float32)
    for by in range(gh):
        for bx in range(gw):
            n = 0
            for y in range(max(by - 1, 0), min(by + 2, gh)):
                for x in range(max(bx - 1, 0), min(bx + 2, gw)):
                    near[n] = raw[y, x]
                    n += 1
            grid[by, bx] = np.median(near[:n])


@njit(cache=True, fastmath=True)
def warped_residual(on, off, half_y, half_x, grid, out):
    """``out = on − g·off`` with ``on`` warped by (−half_y, −half_x) and ``off`` by (half_y, half_x)
    (bilinear, on the fly: no warped copies of the frames), ``g`` interpolated from the block grid.
    Zero outside the rectangle both warps cover, which is returned as y0, y1, x0, x1."""
    h, w = on.shape
    a0, a1, a2, a3 = _warp_rect(h, w, -half_y, -half_x)
    b0, b1, b2, b3 = _warp_rect(h, w, half_y, half_x)
    y0, y1, x0, x1 = max(a0, b0), min(a1, b1), max(a2, b2), min(a3, b3)
    out[:, :] = 0.0
    oy0, ox0 = int(np.floor(-half_y)), int(np.floor(-half_x))
    ofy, ofx = np.float32(-half_y - oy0), np.float32(-half_x - ox0)
    fy0, fx0 = int(np.floor(half_y)), int(np.floor(half_x))
    ffy, ffx = np.float32(half_y - fy0), np.float32(half_x - fx0)
    gh, gw = grid.shape
    cell = DOWN * GAIN_BLOCK
    gx0 = np.empty(max(x1 - x0, 0), dtype=np.int64)
    gx1 = np.empty(max(x1 - x0, 0), dtype=np.int64)
    fxs = np.empty(max(x1 - x0, 0), dtype=np.float32)
    for i in range(x1 - x0):
        u = min(max((x0 + i + 0.5) / cell - 0.5, 0.0), gw - 1.0)
        gx0[i] = int(u)
        gx1[i] = min(gx0[i] + 1, gw - 1)
        fxs[i] = u - gx0[i]
    for y in range(y0, y1):
        v = min(max((y + 0.5) / cell - 0.5, 0.0), gh - 1.0)
        gy0 = int(v)
        gy1 = min(gy0 + 1, gh - 1)
        fy = np.float32(v - gy0)
        top, bot = grid[gy0], grid[gy1]
        out_row = out[y]
        for i in range(x1 - x0):
            x = x0 + i
            a, b, fx = gx0[i], gx1[i], fxs[i]
            g = (1 - fy) * ((1 - fx) * top[a] + fx * top[b]) + fy * ((1 - fx) * bot[a] + fx * bot[b])
            lit = _bilinear(on, y, x, oy0, ox0, ofy, ofx)
            dark = _bilinear(off, y, x, fy0, fx0, ffy, ffx)
            out_row[x] = lit - g * dark
    return y0, y1, x0, x1


@njit(cache=True, fastmath=True)
def spot_response(img, y0, y1, x0, x1, out):
    """Centre-minus-ring response inside the rectangle (zero where the ring would leave it).

    Box sums come from summed-area tables of BAND_ROWS rows at a time (plus the ring's reach):
    a full-frame float64 table would cost a 1280×720 frame 7 MiB.
    """
    out[:, :] = 0.0
    c_norm = 1.0 / (2 * CENTRE_HALF + 1) ** 2
    ring_norm = 1.0 / ((2 * OUTER_HALF + 1) ** 2 - (2 * GAP_HALF + 1) ** 2)
    c, g, o = CENTRE_HALF, GAP_HALF, OUTER_HALF
    sat = np.empty((BAND_ROWS + 2 * o + 1, img.shape[1] + 1))
    for top in range(y0 + o, y1 - o, BAND_ROWS):
        bottom = min(top + BAND_ROWS, y1 - o)
        integral(img[top - o : bottom + o], sat)
        for y in range(top, bottom):
            r = y - top + o  # row y in the band's table
            ct, cb = sat[r - c], sat[r + c + 1]
            gt, gb = sat[r - g], sat[r + g + 1]
            ot, ob = sat[r - o], sat[r + o + 1]
            row = out[y]
            for x in range(x0 + o, x1 - o):
                centre = cb[x + c + 1] - ct[x + c + 1] - cb[x - c] + ct[x - c]
                gap = gb[x + g + 1] - gt[x + g + 1] - gb[x - g] + gt[x - g]
                outer = ob[x + o + 1] - ot[x + o + 1] - ob[x - o] + ot[x - o]
                row[x] = centre * c_norm - (outer - gap) * ring_norm


@njit(cache=True, fastmath=True)
def point_response(img, out):
    """Point response: the smallest, over four directions, of the 3×3 centre minus the mean of two
    3×3 boxes on either side (6 px away; 4 px diagonally). A point stands out in every direction;
    along a ridge, a stripe or an edge some direction shows no contrast, so texture scores low.
    Box sums from band tables, as in :func:`spot_response`."""
    h, w = out.shape
    out[:, :] = 0.0
    r = POINT_REACH + 1
    sat = np.empty((BAND_ROWS + 2 * r + 1, w + 1))
    for top in range(r, h - r, BAND_ROWS):
        bottom = min(top + BAND_ROWS, h - r)
        integral(img[top - r : bottom + r], sat)
        for y in range(top, bottom):
            t = y - top + r  # row y in the band's table
            for x in range(r, w - r):
                centre = box(sat, t - 1, x - 1, t + 2, x + 2)
                best = 1e30
                for k in range(4):
                    dy = POINT_DY[k]
                    dx = POINT_DX[k]
                    a = box(sat, t + dy - 1, x + dx - 1, t + dy + 2, x + dx + 2)
                    b = box(sat, t - dy - 1, x - dx - 1, t - dy + 2, x - dx + 2)
                    best = min(best, centre - 0.5 * (a + b))
                out[y, x] = best / 9.0


def robust_sigma(values: np.ndarray, stride: int = 4) -> float:
    """Noise of a response image from the median absolute value (bright points do not move it)."""
    sample = np.abs(values[::stride, ::stride]).ravel()
    if sample.size == 0:
        return 1.0
    return max(float(np.median(sample)) / 0.6745, 1e-3)
