"""Lens glints and IR LEDs from LED-on / LED-off frame pairs.

A camera lens retro-reflects light straight back at a source beside the viewer's camera, so with
the LED ring lit it shows as a small, round, bright point that is absent with the ring dark; a
night-vision camera's IR LEDs glow whether the ring is lit or not. Per pair:

1. grey frames (a weighted sum of the channels) and 1/4-size copies;
2. shake: the LED-off frame is registered to the LED-on frame, and the LED-on frame to the first
   one — phase correlation on the small copies (robust to brightness changes), then Lucas–Kanade
   at full size for the sub-pixel part, with an offset and a gain that may vary smoothly across
   the picture (the LED ring lights the middle more than the edges);
3. residual ``e = on − g·off``, both frames warped half way to each other (so both are
   interpolated alike) and ``g`` the *local* ratio of the two frames (median per 32×32 block):
   the ring's light on diffuse surfaces (texture × fill) cancels, a point that is lit only by
   retro-reflection does not;
4. spot response: the mean of a 3×3 centre minus the mean of a ring 5–8 px out — small bright
   points score, edges and large patches hardly do;
5. accumulation in the first frame's coordinates: the mean residual over all pairs (noise falls
   as 1/√pairs) and, per pixel, how often the response was significantly positive / negative.

At the end candidates are local maxima of the stacked response over its noise (the largest of
the sensor noise, the pair-to-pair scatter and the local clutter; the ring response and a
four-direction point response that ignores stripes and edges, whichever stands out more), grown
into their half-maximum region and kept when small (judged at quarter maximum), round, seen in N
of M pairs, never markedly *darker* with the LED lit (a blinking status LED is, in some pairs),
not bright in the LED-off frames and not in clipped glare. IR LEDs are small bright spots in the
stacked LED-off frames, lit in nearly every one, and (for colour frames) near-neutral, as 850 nm
light is through a NoIR sensor's dyes — coloured status LEDs are not. Coordinates are pixels of
the first LED-on frame.

Pure: numpy in, findings out; no I/O, no clocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

FULL_SCALE = 255.0
SATURATED = 250.0
DOWN = 4  # size reduction of the copies used for coarse registration
GAIN_BLOCK = 8  # blocks of 8×8 px of the 1/4-size frames (32×32 px) for the local LED-on / LED-off ratio
CENTRE_HALF, GAP_HALF, OUTER_HALF = 1, 4, 8  # spot response: 3×3 centre, ring from 5 to 8 px out
POINT_DY = np.array([0, 6, 4, 4])  # point response: side boxes along four directions
POINT_DX = np.array([6, 0, 4, -4])
POINT_REACH = 7
# LED-on / LED-off ratio limits: above ~2.5 (a dark room) subtracting the amplified LED-off noise
# costs more than the little ambient texture it removes.
GAIN_MIN, GAIN_MAX = 0.5, 2.5
N_GAIN = 5  # registration gain between an LED-on and an LED-off frame: 1, x, y, x², y²
NOISE_BLOCK = 32  # blocks of 32×32 px for the clutter level of the stacked response
BAND_ROWS = 64  # full-frame work goes in bands of rows (a multiple of NOISE_BLOCK): few full-frame maps
MAX_PAIRS = 255  # the per-pixel counters are 8-bit (a 1 GB Pi); a scan takes 8
OBJECT_SNR = 10.0  # responses this far above the sensor noise are objects, not clutter
GLARE_LEVEL, GLARE_HALF = 0.9 * FULL_SCALE, 5  # no lens finding within 5 px of a clipped LED-off pixel


@dataclass(frozen=True)
class GlintParams:
    """Thresholds of the pipeline; the defaults are what the evaluation harness measured."""

    weights: tuple[float, ...] = (1 / 3, 1 / 3, 1 / 3)  # channel weights for grey (IR ring: all alike)
    lens_snr: float = 7.0  # stacked spot response over its local noise
    pair_snr: float = 2.5  # per pair: "seen" above, "darker with the LED" below minus this
    min_seen_fraction: float = 0.5  # persistence: seen in at least this share of the pairs
    max_dark_fraction: float = 0.25  # a lens is never darker with the LED lit; allow noise
    max_off_ratio: float = 0.5  # a lens's spot in the LED-off frames, relative to its glint
    max_radius_px: float = 6.0  # half-maximum radius; glare and glossy surfaces are larger
    max_elongation: float = 2.0  # retro-reflections are round; streaks and edges are not
    ir_level: float = 0.5  # IR LED: the spot reaches at least this share of full scale ...
    ir_contrast: float = 0.25  # ... and stands this far (share of full scale) above its surround
    ir_seen_fraction: float = 0.75  # lit in at least this share of the LED-off frames
    ir_max_chroma: float = 0.45  # (max−min)/max of the channel excess; status LEDs are coloured
    max_findings: int = 50


@dataclass(frozen=True)
class Shift:
    """``img(p + (dy, dx)) ≈ gain·ref(p) + offset``: where a point of ``ref`` landed in ``img``."""

    dy: float
    dx: float
    gain: float = 1.0
    offset: float = 0.0
    reliable: bool = True


@dataclass(frozen=True)
class Finding:
    x: float
    y: float
    radius_px: float
    kind: str  # "lens" or "ir-led"
    score: float
    seen_in: int
    snr: float
    reasons: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The ``glint --json`` finding (DESIGN.md), plus ``snr`` and ``reasons``."""
        return {
            "x": round(self.x, 1),
            "y": round(self.y, 1),
            "radius_px": round(self.radius_px, 1),
            "kind": self.kind,
            "score": round(self.score, 2),
            "seen_in": self.seen_in,
            "snr": round(self.snr, 1),
            "reasons": list(self.reasons),
        }


# --------------------------------------------------------------------------------------------
# Numba kernels


@njit(cache=True, fastmath=True)
def _grey(frame, weights, grey, small):
    """Weighted channel sum into ``grey`` and its DOWN×DOWN block means into ``small``."""
    h, w, c = frame.shape
    sh, sw = small.shape
    small[:] = 0.0
    for y in range(h):
        sy = y // DOWN
        for x in range(w):
            v = np.float32(0.0)
            for k in range(c):
                v += weights[k] * np.float32(frame[y, x, k])
            grey[y, x] = v
            sx = x // DOWN
            if sy < sh and sx < sw:
                small[sy, sx] += v
    small *= np.float32(1.0 / (DOWN * DOWN))


@njit(cache=True)
def _integral(img, sat):
    """Summed-area table: ``sat[y, x]`` = sum of ``img[:y, :x]`` (float64 keeps 1 Mpx exact enough)."""
    h, w = img.shape
    for x in range(w + 1):
        sat[0, x] = 0.0
    for y in range(h):
        row = 0.0
        sat[y + 1, 0] = 0.0
        for x in range(w):
            row += img[y, x]
            sat[y + 1, x + 1] = sat[y, x + 1] + row


@njit(inline="always")
def _box(sat, y0, x0, y1, x1):
    return sat[y1, x1] - sat[y0, x1] - sat[y1, x0] + sat[y0, x0]


@njit(cache=True)
def _lk_sums(ref, img, dy, dx, coef, step, ata, atb, n_gain):
    """Normal equations of one Gauss–Newton step (sampled every ``step`` px) for the model
    ``img(p + d) ≈ gain(p)·ref(p) + offset``, ``gain`` quadratic in x and y: the LED ring lights the
    middle of the picture more than its edges, and a single gain would turn that into a shift.
    Unknowns: (δx, δy, ``n_gain`` gain coefficients, offset); ``n_gain`` = 1: a single gain."""
    h, w = ref.shape
    n = n_gain + 3
    acc = np.zeros(n * n)  # a local accumulator: LLVM keeps it out of the caller's arrays
    rhs = np.zeros(n)
    j = np.empty(n)
    basis = np.empty(N_GAIN)
    for y in range(1, h - 1, step):
        qy = y + dy
        if qy < 0.0 or qy > h - 2.0:
            continue
        iy = int(qy)
        fy = qy - iy
        v = (y - 0.5 * h) / (0.5 * h)
        for x in range(1, w - 1, step):
            qx = x + dx
            if qx < 0.0 or qx > w - 2.0:
                continue
            ix = int(qx)
            fx = qx - ix
            warped = (1.0 - fy) * ((1.0 - fx) * img[iy, ix] + fx * img[iy, ix + 1]) + fy * (
                (1.0 - fx) * img[iy + 1, ix] + fx * img[iy + 1, ix + 1]
            )
            t = ref[y, x]
            if t >= SATURATED or warped >= SATURATED:
                continue  # clipped pixels do not follow the brightness model
            u = (x - 0.5 * w) / (0.5 * w)
            basis[0] = 1.0
            basis[1] = u
            basis[2] = v
            basis[3] = u * u
            basis[4] = v * v
            gain = 0.0
            for k in range(n_gain):
                gain += coef[k] * basis[k]
            j[0] = gain * 0.5 * (ref[y, x + 1] - ref[y, x - 1])
            j[1] = gain * 0.5 * (ref[y + 1, x] - ref[y - 1, x])
            for k in range(n_gain):
                j[2 + k] = -t * basis[k]
            j[n - 1] = -1.0
            for a in range(n):
                rhs[a] -= j[a] * warped
                for b in range(a, n):
                    acc[a * n + b] += j[a] * j[b]
    for a in range(n):
        atb[a] = rhs[a]
        for b in range(a, n):
            ata[a, b] = acc[a * n + b]
            ata[b, a] = acc[a * n + b]


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
def _gain_grid(small_on, small_off, gmin, gmax, grid):
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
def _warped_residual(on, off, half_y, half_x, grid, out):
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
def _spot_response(img, y0, y1, x0, x1, out):
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
        _integral(img[top - o : bottom + o], sat)
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
def _point_response(img, out):
    """Point response: the smallest, over four directions, of the 3×3 centre minus the mean of two
    3×3 boxes on either side (6 px away; 4 px diagonally). A point stands out in every direction;
    along a ridge, a stripe or an edge some direction shows no contrast, so texture scores low.
    Box sums from band tables, as in :func:`_spot_response`."""
    h, w = out.shape
    out[:, :] = 0.0
    r = POINT_REACH + 1
    sat = np.empty((BAND_ROWS + 2 * r + 1, w + 1))
    for top in range(r, h - r, BAND_ROWS):
        bottom = min(top + BAND_ROWS, h - r)
        _integral(img[top - r : bottom + r], sat)
        for y in range(top, bottom):
            t = y - top + r  # row y in the band's table
            for x in range(r, w - r):
                centre = _box(sat, t - 1, x - 1, t + 2, x + 2)
                best = 1e30
                for k in range(4):
                    dy = POINT_DY[k]
                    dx = POINT_DX[k]
                    a = _box(sat, t + dy - 1, x + dx - 1, t + dy + 2, x + dx + 2)
                    b = _box(sat, t - dy - 1, x - dx - 1, t - dy + 2, x - dx + 2)
                    best = min(best, centre - 0.5 * (a + b))
                out[y, x] = best / 9.0


@njit(cache=True)
def _accumulate(e, resp, thr, sy, sx, y0, y1, x0, x1, sum_e, sum_r2, cov, pos, neg):
    """Add a pair's residual, its squared response and its significant responses at
    ``ref[y, x] ← pair[y + sy, x + sx]``."""
    h, w = sum_e.shape
    ya, yb = max(0, y0 - sy), min(h, y1 - sy)
    xa, xb = max(0, x0 - sx), min(w, x1 - sx)
    for y in range(ya, yb):
        e_row, r_row = e[y + sy], resp[y + sy]
        s_row, q_row, c_row, p_row, n_row = sum_e[y], sum_r2[y], cov[y], pos[y], neg[y]
        for x in range(xa, xb):
            s_row[x] += e_row[x + sx]
            c_row[x] += 1
            r = r_row[x + sx]
            q_row[x] += r * r
            if r >= thr:
                p_row[x] += 1
            if r <= -thr:
                n_row[x] += 1


@njit(cache=True)
def _accumulate_off(frame, weights, level, sy, sx, sum_pixels, cov, bright):
    """Add an LED-off frame (all channels, as integers) and count where its grey level reaches ``level``."""
    h, w, c = frame.shape
    ya, yb = max(0, -sy), min(h, h - sy)
    xa, xb = max(0, -sx), min(w, w - sx)
    for y in range(ya, yb):
        f_row, s_row, c_row, b_row = frame[y + sy], sum_pixels[y], cov[y], bright[y]
        for x in range(xa, xb):
            v = np.float32(0.0)
            for k in range(c):
                f = f_row[x + sx, k]
                s_row[x, k] += f
                v += weights[k] * np.float32(f)
            c_row[x] += 1
            if v >= level:
                b_row[x] += 1


@njit(cache=True)
def _peaks(img, thr, valid, row0, row1):
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
def _block_medians(resp, ceiling, out):
    """Median |response| per NOISE_BLOCK² block, leaving out uncovered pixels (exactly 0) and objects
    (above ``ceiling``); NaN for a block with nothing left."""
    h, w = resp.shape
    nby, nbx = out.shape
    b = NOISE_BLOCK
    buf = np.empty(b * b, dtype=resp.dtype)
    for by in range(nby):
        for bx in range(nbx):
            n = 0
            for y in range(by * b, min((by + 1) * b, h)):
                for x in range(bx * b, min((bx + 1) * b, w)):
                    v = resp[y, x]
                    m = abs(v)
                    if v != 0 and m <= ceiling:
                        buf[n] = m
                        n += 1
            out[by, bx] = np.median(buf[:n]) if n else np.nan


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


# --------------------------------------------------------------------------------------------
# Registration


def _hann2(h: int, w: int) -> np.ndarray:
    return (np.hanning(h)[:, None] * np.hanning(w)[None, :]).astype(np.float32)


def _spectrum(small: np.ndarray, window: np.ndarray) -> np.ndarray:
    return np.fft.rfft2((small - small.mean()) * window)


def phase_correlate(spec_ref: np.ndarray, spec_img: np.ndarray, shape: tuple[int, int]) -> tuple[float, float, float]:
    """Shift (dy, dx) of ``img`` against ``ref`` from their windowed spectra, and the peak's sharpness.

    The cross-power spectrum is whitened (with a floor, so noise-only frequencies do not dominate):
    global brightness changes, such as the LED ring's fill light, do not move the peak.
    """
    cross = spec_img * np.conj(spec_ref)
    mag = np.abs(cross)
    cross /= mag + 0.05 * mag.mean() + 1e-12
    corr = np.fft.irfft2(cross, s=shape)
    h, w = shape
    py, px = np.unravel_index(int(np.argmax(corr)), corr.shape)

    def vertex(a: float, b: float, c: float) -> float:
        den = a - 2 * b + c
        return 0.0 if den >= 0 else 0.5 * (a - c) / den

    peak = corr[py, px]
    sub_y = vertex(corr[(py - 1) % h, px], peak, corr[(py + 1) % h, px])
    sub_x = vertex(corr[py, (px - 1) % w], peak, corr[py, (px + 1) % w])
    dy = (py + h // 2) % h - h // 2 + sub_y
    dx = (px + w // 2) % w - w // 2 + sub_x
    sharpness = float(peak / (np.abs(corr).mean() + 1e-12))
    return float(dy), float(dx), sharpness


def refine_shift(
    ref: np.ndarray,
    img: np.ndarray,
    guess: Shift,
    *,
    varying_gain: bool = True,
    iterations: int = 6,
    step: int = 6,
) -> Shift:
    """Lucas–Kanade (shift, gain — smoothly varying across the picture if ``varying_gain`` — and
    offset) from ``guess``; falls back to the guess when the picture is featureless or the
    iteration runs away."""
    n_gain = N_GAIN if varying_gain else 1
    n_lk = n_gain + 3
    ata = np.zeros((n_lk, n_lk))
    atb = np.zeros(n_lk)
    coef = np.zeros(n_gain)
    coef[0] = 1.0
    dy, dx, offset = guess.dy, guess.dx, 0.0
    for _ in range(iterations):
        _lk_sums(ref, img, dy, dx, coef, step, ata, atb, n_gain)
        n = max(ata[n_lk - 1, n_lk - 1], 1.0)  # number of samples
        texture = np.linalg.eigvalsh(ata[:2, :2] / n)[0]  # weakest gradient direction, per pixel
        if texture < 0.05:  # a blank wall: nothing to align on (and nothing to misalign either)
            return Shift(guess.dy, guess.dx, reliable=False)
        try:
            solution = np.linalg.solve(ata, atb)
        except np.linalg.LinAlgError:
            return Shift(guess.dy, guess.dx, reliable=False)
        step_dx, step_dy = solution[0], solution[1]
        coef, offset = solution[2 : 2 + n_gain], solution[n_lk - 1]
        dx += step_dx
        dy += step_dy
        if abs(dy - guess.dy) > 3 * DOWN or abs(dx - guess.dx) > 3 * DOWN or not 0.1 < coef[0] < 10:
            return Shift(guess.dy, guess.dx, reliable=False)  # diverged: keep the coarse estimate
        if abs(step_dx) < 0.01 and abs(step_dy) < 0.01:
            break
    return Shift(float(dy), float(dx), float(coef[0]), float(offset))


@dataclass
class _Frame:
    grey: np.ndarray
    small: np.ndarray
    spectrum: np.ndarray | None = None


def _as_pixels(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        frame = frame[:, :, None]
    if frame.ndim != 3 or frame.shape[2] not in (1, 3, 4):
        raise ValueError(f"expected a grey (h, w) or colour (h, w, 3) frame, got shape {frame.shape}")
    if frame.shape[2] == 4:
        frame = frame[:, :, :3]
    if frame.dtype != np.uint8:
        raise ValueError(f"expected 8-bit pixels, got {frame.dtype}")
    return np.ascontiguousarray(frame)


# --------------------------------------------------------------------------------------------
# The accumulator


@dataclass
class PairReport:
    """What one pair contributed: the shake it corrected and the noise of its residual."""

    index: int
    on_shift: Shift
    off_shift: Shift
    noise: float


class GlintAccumulator:
    """Feed LED-on / LED-off pairs one at a time (a scan streams them); ask for findings at the end.

    Memory stays the same however many pairs are added (up to MAX_PAIRS): per pixel, two float32
    running sums, the summed LED-off pixels (16-bit), five 8-bit counters and the first frame's
    grey — 23 bytes a pixel of RGB, ~20 MiB at 1280×720. A pair's own maps live only while it is added.
    """

    def __init__(self, params: GlintParams | None = None) -> None:
        self.params = params or GlintParams()
        self.pairs = 0
        self.reports: list[PairReport] = []
        self.shape: tuple[int, int, int] | None = None
        self._ref: _Frame | None = None

    def _allocate(self, shape: tuple[int, int, int]) -> None:
        h, w, c = shape
        if h < 4 * OUTER_HALF or w < 4 * OUTER_HALF:
            raise ValueError(f"frames of {w}×{h} px are too small (need at least {4 * OUTER_HALF} px a side)")
        self.shape = shape
        weights = np.asarray(self.params.weights[:c] if c > 1 else (1.0,), dtype=np.float32)
        if weights.size != c:
            raise ValueError(f"{c} channels but {len(self.params.weights)} weights")
        self._weights = weights / weights.sum()
        self._small_shape = (h // DOWN, w // DOWN)
        self._window = _hann2(*self._small_shape)
        cell = DOWN * GAIN_BLOCK
        self._gain = np.empty((-(-h // cell), -(-w // cell)), np.float32)
        self.sum_e = np.zeros((h, w), np.float32)
        self.sum_r2 = np.zeros((h, w), np.float32)
        self.cov = np.zeros((h, w), np.uint8)
        self.pos = np.zeros((h, w), np.uint8)
        self.neg = np.zeros((h, w), np.uint8)
        self.sum_off = np.zeros((h, w, c), np.uint16)  # 8-bit pixels: MAX_PAIRS of them fit
        self.cov_off = np.zeros((h, w), np.uint8)
        self.bright = np.zeros((h, w), np.uint8)

    def _frame(self, pixels: np.ndarray) -> _Frame:
        h, w, _ = pixels.shape
        grey = np.empty((h, w), np.float32)
        small = np.empty(self._small_shape, np.float32)
        _grey(pixels, self._weights, grey, small)
        return _Frame(grey, small, _spectrum(small, self._window))

    def _register(self, ref: _Frame, img: _Frame, *, varying_gain: bool) -> Shift:
        dy, dx, _ = phase_correlate(ref.spectrum, img.spectrum, self._small_shape)
        return refine_shift(ref.grey, img.grey, Shift(dy * DOWN, dx * DOWN), varying_gain=varying_gain)

    def add_pair(self, on: np.ndarray, off: np.ndarray) -> PairReport:
        """Add one LED-on frame and the LED-off frame taken next to it (same size, 8-bit)."""
        on_px, off_px = _as_pixels(on), _as_pixels(off)
        if on_px.shape != off_px.shape:
            raise ValueError(f"LED-on frame is {on_px.shape[:2]}, LED-off frame {off_px.shape[:2]}: sizes differ")
        if self.shape is None:
            self._allocate(on_px.shape)
        elif on_px.shape != self.shape:
            raise ValueError(f"pair {self.pairs + 1} is {on_px.shape}, the first pair was {self.shape}")
        if self.pairs >= MAX_PAIRS:
            raise ValueError(f"at most {MAX_PAIRS} pairs per scan")
        p = self.params
        h, w, _ = self.shape
        f_on, f_off = self._frame(on_px), self._frame(off_px)
        if self._ref is None:
            self._ref = f_on
            on_shift = Shift(0.0, 0.0)
        else:
            on_shift = self._register(self._ref, f_on, varying_gain=False)  # both lit alike
        off_shift = self._register(f_on, f_off, varying_gain=True)
        # Both frames move half way, so both are interpolated alike: warping only one would blur
        # it against the other and leave a rim at every sharp edge.
        half_y, half_x = off_shift.dy / 2, off_shift.dx / 2
        _gain_grid(f_on.small, f_off.small, GAIN_MIN, GAIN_MAX, self._gain)
        e = np.empty((h, w), np.float32)
        y0, y1, x0, x1 = _warped_residual(f_on.grey, f_off.grey, half_y, half_x, self._gain, e)
        del f_off
        resp = np.empty((h, w), np.float32)
        _spot_response(e, y0, y1, x0, x1, resp)
        noise = _robust_sigma(resp[y0 + OUTER_HALF : y1 - OUTER_HALF, x0 + OUTER_HALF : x1 - OUTER_HALF])
        # the residual sits half way between the two frames: ref p ↔ on p + on_shift ↔ here + half
        sy, sx = round(on_shift.dy + half_y), round(on_shift.dx + half_x)
        sums = (self.sum_e, self.sum_r2, self.cov, self.pos, self.neg)
        _accumulate(e, resp, p.pair_snr * noise, sy, sx, y0, y1, x0, x1, *sums)
        oy, ox = round(on_shift.dy + off_shift.dy), round(on_shift.dx + off_shift.dx)
        level = np.float32(p.ir_level * FULL_SCALE)
        _accumulate_off(off_px, self._weights, level, oy, ox, self.sum_off, self.cov_off, self.bright)
        self.pairs += 1
        report = PairReport(self.pairs, on_shift, off_shift, noise)
        self.reports.append(report)
        return report

    # ---------------------------------------------------------------------------------------

    def findings(self) -> list[Finding]:
        """Lens glints and IR LEDs seen so far, strongest first."""
        if not self.pairs:
            return []
        lenses = self._lenses()
        leds = self._ir_leds()
        _mark_rings(leds, lenses)
        found = sorted(lenses + leds, key=lambda f: -f.score)
        return [f.finding for f in found[: self.params.max_findings]]

    def _min_cover(self) -> int:
        return max(1, math.ceil(self.pairs / 2))

    def _lens_peaks(self, stack: np.ndarray, cover: np.ndarray) -> list[tuple[int, int, float, float, float]]:
        """Peaks of the stacked response over its noise: (y, x, snr, noise, ring response), strongest
        first. The noise maps are made band by band; only the two responses are full frames."""
        h, w = stack.shape
        resp = np.empty((h, w), np.float32)
        _spot_response(stack, 0, h, 0, w, resp)
        point = np.empty((h, w), np.float32)
        _point_response(stack, point)
        # The point response ignores stripes and edges; the ring response keeps more of a wide
        # glint. Each over its own noise; the better of the two counts.
        ceiling = OBJECT_SNR * self._sensor_noise()
        clutter_point, clutter_resp = _clutter(point, ceiling), _clutter(resp, ceiling)
        valid = cover & _eroded(cover, OUTER_HALF)
        thr = np.float32(self.params.lens_snr)
        found: list[tuple[int, int, float, float, float]] = []
        for top in range(0, h, BAND_ROWS):
            a, b = max(top - 1, 0), min(top + BAND_ROWS + 1, h)  # one more row each side for the maxima
            floor = self._response_noise(resp, a, b)
            r, q = resp[a:b], point[a:b]
            snr = np.maximum(
                q / np.maximum(floor, _clutter_rows(clutter_point, a, b, w)),
                r / np.maximum(floor, _clutter_rows(clutter_resp, a, b, w)),
            )
            ys, xs, _ = _peaks(snr, thr, valid[a:b], top - a, top - a + BAND_ROWS)
            for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
                s = float(snr[y, x])
                noise = float(max(r[y, x], q[y, x]) / np.maximum(snr[y, x], np.float32(1e-6)))
                found.append((y + a, x, s, noise, float(r[y, x])))
        order = np.argsort([-f[2] for f in found], kind="stable")[:400]
        return [found[i] for i in order]

    def _lenses(self) -> list[_Candidate]:
        p = self.params
        h, w, _ = self.shape
        cover = self.cov >= self._min_cover()
        stack = np.zeros((h, w), np.float32)
        np.divide(self.sum_e, np.maximum(self.cov, 1), out=stack, where=cover)
        peaks = self._lens_peaks(stack, cover)
        del cover  # the final stage holds as few full frames as it can (a 1 GB Pi)
        # glare, clipping and the LED-off spot are read at a few candidates only, from local windows
        clip_limit = math.pi * p.max_radius_px**2
        need_seen = max(1, math.ceil(p.min_seen_fraction * self.pairs))
        dark_allowed = math.floor(p.max_dark_fraction * self.pairs)
        stamp = np.zeros((h, w), np.uint16)
        found: list[_Candidate] = []
        o, g = OUTER_HALF, GLARE_HALF
        for i, (y, x, snr, noise, glint) in enumerate(peaks):
            if any(f.near(x, y) for f in found) or stamp[y, x]:
                continue
            # one pixel of the stack is about 3× noisier than the 3×3 mean the responses use
            blob = _Blob.grow(stack, y, x, p.max_radius_px, stamp, i + 1, 3 * noise)
            if blob is None or blob.elongated(p.max_elongation):
                continue
            seen = int(self.pos[y - 1 : y + 2, x - 1 : x + 2].max())
            dark = int(self.neg[y - 1 : y + 2, x - 1 : x + 2].max())
            if seen < need_seen or dark > dark_allowed:
                continue
            grey_off = self._off_grey(slice(y - o, y + o + 1), slice(x - o, x + o + 1))
            if (grey_off[o - g : o + g + 1, o - g : o + g + 1] >= GLARE_LEVEL).any():
                continue  # at the rim of a clipped highlight: the frames cannot be compared there
            if np.count_nonzero(self._ref.grey[y - o : y + o + 1, x - o : x + o + 1] >= SATURATED) > clip_limit:
                continue  # in LED-lit glare, wider than any glint: what is left of it is texture
            if _spot_at(grey_off, o, o) > p.max_off_ratio * glint:
                continue  # bright without the LED too: a light, not a reflection
            reasons = [
                f"bright only with the LED lit ({glint:.0f} levels above its surround, {snr:.0f}× the noise)",
                f"seen in {seen} of {self.pairs} pairs",
                f"small and round (radius {blob.radius:.1f} px)",
            ]
            quality = (
                0.5 * min(1.0, (snr - p.lens_snr) / (3 * p.lens_snr))
                + 0.3 * seen / self.pairs
                + 0.2 * blob.roundness(p.max_elongation)
            )
            found.append(_Candidate("lens", blob.x, blob.y, blob.radius, 0.5 + 0.5 * quality, seen, snr, reasons))
        return found

    def _response_noise(self, resp: np.ndarray, a: int, b: int) -> np.ndarray:
        """Noise floor of the stacked response in rows ``a``..``b``: the larger of the pair-to-pair
        scatter of the response (shake residue, blinking lights) and the sensor noise the pairs
        measured. The caller adds the clutter around it (texture that did not cancel — in a dark
        room the LED-lit picture itself)."""
        half = 2
        rows = np.clip(np.arange(a - half, b + half), 0, resp.shape[0] - 1)  # edges replicated
        pairs = np.maximum(self.cov[rows], 1).astype(np.float32)
        r = resp[rows]
        var = np.maximum(self.sum_r2[rows] / pairs - r * r, 0.0) / np.maximum(pairs - 1, 1)
        var = np.maximum(_box_mean(np.pad(var, ((0, 0), (half, half)), mode="edge"), half), 0.0)
        return np.maximum(np.sqrt(var), np.float32(self._sensor_noise()))

    def _sensor_noise(self) -> float:
        """Noise of the stacked response from the sensor noise each pair measured."""
        return math.sqrt(sum(r.noise**2 for r in self.reports) / len(self.reports) / self.pairs)

    def _off_colour(self, y: int, x: int, half: int) -> np.ndarray:
        """Mean LED-off colour in the (2·half+1)² window around (y, x) (only where it is asked for)."""
        win = (slice(y - half, y + half + 1), slice(x - half, x + half + 1))
        return self.sum_off[win] / np.maximum(self.cov_off[win], 1)[:, :, None].astype(np.float32)

    def _off_grey(self, rows: slice = slice(None), cols: slice = slice(None)) -> np.ndarray:
        """Mean LED-off grey level of a window (the whole frame by default)."""
        summed = self.sum_off[rows, cols]
        grey = summed[:, :, 0] * self._weights[0]
        for k in range(1, summed.shape[2]):
            grey += summed[:, :, k] * self._weights[k]
        grey /= np.maximum(self.cov_off[rows, cols], 1)
        return grey

    def _ir_leds(self) -> list[_Candidate]:
        p = self.params
        h, w, c = self.shape
        cover = self.cov_off >= self._min_cover()
        grey = self._off_grey()
        grey[~cover] = 0
        resp = np.empty((h, w), np.float32)
        _spot_response(grey, 0, h, 0, w, resp)
        valid = cover & _eroded(cover, OUTER_HALF) & (grey >= p.ir_level * FULL_SCALE)
        del cover
        ys, xs, vs = _peaks(resp, np.float32(p.ir_contrast * FULL_SCALE), valid, 0, h)
        del valid
        order = np.argsort(-vs, kind="stable")[:200]
        need_seen = max(1, math.ceil(p.ir_seen_fraction * self.pairs))
        stamp = np.zeros((h, w), np.uint16)
        found: list[_Candidate] = []
        for i, (y, x) in enumerate(zip(ys[order].tolist(), xs[order].tolist(), strict=True)):
            if any(f.near(x, y) for f in found) or stamp[y, x]:
                continue
            blob = _Blob.grow(grey, y, x, p.max_radius_px, stamp, i + 1)
            if blob is None or blob.elongated(p.max_elongation):
                continue
            seen = int(self.bright[y - 1 : y + 2, x - 1 : x + 2].max())
            if seen < need_seen:
                continue  # blinking, or not a light at all
            reasons = [f"glows without the LED ({resp[y, x]:.0f} levels above its surround)"]
            if c == 3:
                chroma = _chroma(self._off_colour(y, x, OUTER_HALF), OUTER_HALF, OUTER_HALF)
                if chroma > p.ir_max_chroma:
                    continue  # a coloured status LED
                reasons.append("colourless, as infrared is on a NoIR sensor")
            reasons += [f"lit in {seen} of {self.pairs} frames", f"small and round (radius {blob.radius:.1f} px)"]
            quality = (
                0.5 * min(1.0, resp[y, x] / FULL_SCALE / (2 * p.ir_contrast))
                + 0.3 * seen / self.pairs
                + 0.2 * blob.roundness(p.max_elongation)
            )
            found.append(
                _Candidate(
                    "ir-led", blob.x, blob.y, blob.radius, 0.4 + 0.5 * float(quality), seen, float(resp[y, x]), reasons
                )
            )
        return found


# --------------------------------------------------------------------------------------------
# Helpers of the final stage


@dataclass
class _Candidate:
    kind: str
    x: float
    y: float
    radius: float
    score: float
    seen: int
    snr: float
    reasons: list[str] = field(default_factory=list)

    def near(self, x: float, y: float) -> bool:
        return (self.x - x) ** 2 + (self.y - y) ** 2 < max(6.0, 2.5 * self.radius) ** 2

    @property
    def finding(self) -> Finding:
        return Finding(
            self.x, self.y, self.radius, self.kind, min(1.0, self.score), self.seen, self.snr, tuple(self.reasons)
        )


@dataclass(frozen=True)
class _Blob:
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
    ) -> _Blob | None:
        """None when the region is larger than ``max_radius`` allows (glare, glossy patches, edges).
        ``noise``: of one pixel of ``img``; the region is never grown below 3× that (in texture
        it would run along the texture)."""
        background = _ring_mean(img, y, x)
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
        return _Blob(cx, cy, math.sqrt(n / math.pi), n, major, max(minor, 1e-6))

    def elongated(self, limit: float) -> bool:
        # a handful of pixels has no measurable shape; point-like it is
        return self.area >= 12 and math.sqrt(self.var_major / self.var_minor) > limit

    def roundness(self, limit: float) -> float:
        ratio = math.sqrt(self.var_major / self.var_minor)
        return max(0.0, min(1.0, (limit - ratio) / (limit - 1.0)))


def _ring_mean(img: np.ndarray, y: int, x: int) -> float:
    """Mean of ``img`` in the ring GAP_HALF+1..OUTER_HALF px around (y, x); 0 where it would leave ``img``."""
    h, w = img.shape
    o, g = OUTER_HALF, GAP_HALF
    if y < o or x < o or y + o >= h or x + o >= w:
        return 0.0
    outer = img[y - o : y + o + 1, x - o : x + o + 1].astype(np.float64)
    gap = outer[o - g : o + g + 1, o - g : o + g + 1]
    return float(outer.sum() - gap.sum()) / ((2 * o + 1) ** 2 - (2 * g + 1) ** 2)


def _spot_at(img: np.ndarray, y: int, x: int) -> float:
    """The spot response (3×3 centre minus ring) of ``img`` at one point."""
    c = CENTRE_HALF
    centre = img[y - c : y + c + 1, x - c : x + c + 1].astype(np.float64).sum()
    return float(centre) / (2 * c + 1) ** 2 - _ring_mean(img, y, x)


def _chroma(colour: np.ndarray, y: int, x: int) -> float:
    """(max − min) / max of the per-channel excess of a spot over its surround."""
    centre = colour[y - 1 : y + 2, x - 1 : x + 2].reshape(-1, 3).mean(axis=0)
    patch = colour[y - OUTER_HALF : y + OUTER_HALF + 1, x - OUTER_HALF : x + OUTER_HALF + 1].reshape(-1, 3)
    excess = np.maximum(centre - np.median(patch, axis=0), 0.0)
    top = float(excess.max())
    return 0.0 if top <= 0 else float((top - excess.min()) / top)


def _robust_sigma(values: np.ndarray, stride: int = 4) -> float:
    """Noise of a response image from the median absolute value (bright points do not move it)."""
    sample = np.abs(values[::stride, ::stride]).ravel()
    if sample.size == 0:
        return 1.0
    return max(float(np.median(sample)) / 0.6745, 1e-3)


def _clutter(resp: np.ndarray, ceiling: float) -> np.ndarray:
    """Clutter σ per NOISE_BLOCK² block: the median |response| (as a noise σ), the largest of the
    3×3 blocks around (:func:`_clutter_rows` spreads it over the pixels).

    Responses above ``ceiling`` are objects (lenses, IR LEDs), not clutter, and are left out: a ring
    of IR LEDs must not hide the lens inside it.
    """
    h, w = resp.shape
    nby, nbx = -(-h // NOISE_BLOCK), -(-w // NOISE_BLOCK)
    medians = np.empty((nby, nbx), np.float32)
    _block_medians(resp, np.float32(ceiling), medians)
    sigma = medians / 0.6745
    sigma = np.where(np.isfinite(sigma), sigma, 0.0)  # blocks outside the covered area
    grown = np.pad(sigma, 1, mode="edge")
    return np.max([grown[i : i + nby, j : j + nbx] for i in range(3) for j in range(3)], axis=0)


def _clutter_rows(blocks: np.ndarray, a: int, b: int, w: int) -> np.ndarray:
    """The per-block clutter of :func:`_clutter` at every pixel of rows ``a``..``b``."""
    return blocks[np.arange(a, b) // NOISE_BLOCK][:, np.arange(w) // NOISE_BLOCK]


def _box_mean(padded: np.ndarray, half: int) -> np.ndarray:
    """Mean over a (2·half+1)² box of an array padded by ``half`` on every side (the caller pads)."""
    h, w = padded.shape[0] - 2 * half, padded.shape[1] - 2 * half
    sat = np.empty((h + 2 * half + 1, w + 2 * half + 1))
    _integral(padded, sat)
    out = np.empty((h, w), np.float32)
    _box_means(sat, 2 * half + 1, out)
    return out


@njit(cache=True)
def _box_means(sat, n, out):
    """Box sums from a summed-area table, divided by the box's area, straight into float32
    (no full-frame float64 temporaries)."""
    h, w = out.shape
    area = n * n
    for y in range(h):
        for x in range(w):
            out[y, x] = (sat[y + n, x + n] - sat[y, x + n] - sat[y + n, x] + sat[y, x]) / area


def _eroded(mask: np.ndarray, r: int) -> np.ndarray:
    """``mask`` shrunk by ``r`` px (coverage edges and the frame border hold no usable response)."""
    out = np.zeros_like(mask)
    h, w = mask.shape
    if h > 2 * r and w > 2 * r:
        out[r : h - r, r : w - r] = mask[r : h - r, r : w - r]
    return out


def _mark_rings(leds: list[_Candidate], lenses: list[_Candidate]) -> None:
    """Three or more IR LEDs evenly around a centre are a night-vision camera's ring; say so."""
    used: set[int] = set()
    for i, a in enumerate(leds):
        if i in used:
            continue
        group = [j for j, b in enumerate(leds) if math.hypot(a.x - b.x, a.y - b.y) < 120]
        if len(group) < 3:
            continue
        cx = sum(leds[j].x for j in group) / len(group)
        cy = sum(leds[j].y for j in group) / len(group)
        dist = np.array([math.hypot(leds[j].x - cx, leds[j].y - cy) for j in group])
        if dist.mean() < 3 or dist.std() > 0.25 * dist.mean():
            continue
        for j in group:
            used.add(j)
            leds[j].score = min(1.0, leds[j].score + 0.2)
            leds[j].reasons.append(f"one of {len(group)} IR LEDs in a ring around ({cx:.0f}, {cy:.0f})")
        for lens in lenses:
            if math.hypot(lens.x - cx, lens.y - cy) < 0.6 * dist.mean():
                lens.score = min(1.0, lens.score + 0.1)
                lens.reasons.append(f"inside a ring of {len(group)} IR LEDs")


def find(pairs: list[tuple[np.ndarray, np.ndarray]], params: GlintParams | None = None) -> list[Finding]:
    """All pairs at once (LED-on frame, LED-off frame); see :class:`GlintAccumulator` for streaming."""
    acc = GlintAccumulator(params)
    for on, off in pairs:
        acc.add_pair(on, off)
    return acc.findings()
