"""Optical pipeline throughput at 1280×720 on one core: dsp.glint (Numba) against plain numpy.

Input: LED-on / LED-off pairs of the demo room from the simulated camera (shake, noise, lens, IR
LED, decoys), rendered before timing. Baseline: the same per-pair pipeline written the way a
careful numpy user would (vectorised grey conversion, block means by reshape, fancy-index
bilinear warps, Lucas–Kanade sums over a strided grid, block medians, summed-area tables by
cumsum, slice arithmetic) — in the same process, on the same frames; the two must agree.
The process is pinned to one CPU and every thread pool is set to one thread.
Usage: python -m benchmarks.glint_speed [--pairs 12] [--repeats 3]
"""

from __future__ import annotations

import os

for _var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402  (the thread settings above must come before numpy loads)
import time  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks._common import save  # noqa: E402
from dsp import glint  # noqa: E402
from dsp.glint import PairReport, Shift  # noqa: E402
from dsp.glint import params as gp  # noqa: E402
from dsp.glint.params import DOWN, GAIN_BLOCK, GAIN_MAX, GAIN_MIN, OUTER_HALF  # noqa: E402
from dsp.glint.register import Frame, as_pixels, spectrum  # noqa: E402
from dsp.glint.response import robust_sigma  # noqa: E402
from hw.sim import scene as scenemod  # noqa: E402
from hw.sim.camera import SimCamera  # noqa: E402


class _Ring:
    is_on = False


def make_pairs(n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    ring = _Ring()
    camera = SimCamera(scenemod.load_demo().optical, ring, seed=7, time_scale=0)
    pairs = []
    for _ in range(n):
        ring.is_on = True
        on = camera.capture()
        ring.is_on = False
        pairs.append((on, camera.capture()))
    return pairs


# --- the numpy baseline ------------------------------------------------------------------------


def np_grey(pixels: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    grey = np.tensordot(pixels, weights, axes=([2], [0])).astype(np.float32)
    h, w = grey.shape
    sh, sw = h // DOWN, w // DOWN
    small = grey[: sh * DOWN, : sw * DOWN].reshape(sh, DOWN, sw, DOWN).mean(axis=(1, 3), dtype=np.float32)
    return grey, small


def np_bilinear(img: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    iy, ix = np.floor(ys).astype(np.int64), np.floor(xs).astype(np.int64)
    fy, fx = (ys - iy).astype(np.float32), (xs - ix).astype(np.float32)
    iy1, ix1 = np.minimum(iy + 1, img.shape[0] - 1), np.minimum(ix + 1, img.shape[1] - 1)
    return (1 - fy) * ((1 - fx) * img[iy, ix] + fx * img[iy, ix1]) + fy * ((1 - fx) * img[iy1, ix] + fx * img[iy1, ix1])


def np_refine(
    ref: np.ndarray, img: np.ndarray, guess: Shift, varying_gain: bool, iterations: int = 6, step: int = 6
) -> Shift:
    h, w = ref.shape
    yy, xx = np.mgrid[1 : h - 1 : step, 1 : w - 1 : step]
    u, v = (xx - 0.5 * w) / (0.5 * w), (yy - 0.5 * h) / (0.5 * h)
    basis = np.stack([np.ones_like(u), u, v, u * u, v * v])[: gp.N_GAIN if varying_gain else 1]
    t = ref[yy, xx].astype(np.float64)
    tx = 0.5 * (ref[yy, xx + 1] - ref[yy, xx - 1]).astype(np.float64)
    ty = 0.5 * (ref[yy + 1, xx] - ref[yy - 1, xx]).astype(np.float64)
    dy, dx, offset = guess.dy, guess.dx, 0.0
    coef = np.zeros(len(basis))
    coef[0] = 1.0
    for _ in range(iterations):
        qy, qx = yy + dy, xx + dx
        inside = (qy >= 0) & (qy <= h - 2) & (qx >= 0) & (qx <= w - 2)
        warped = np_bilinear(img, qy[inside], qx[inside]).astype(np.float64)
        keep = (t[inside] < gp.SATURATED) & (warped < gp.SATURATED)
        warped = warped[keep]
        b_in = basis[:, inside][:, keep]
        gain = coef @ b_in
        t_in = t[inside][keep]
        j = np.vstack([gain * tx[inside][keep], gain * ty[inside][keep], -t_in * b_in, -np.ones_like(warped)])
        a, b = j @ j.T, -(j @ warped)
        n = max(warped.size, 1)
        if np.linalg.eigvalsh(a[:2, :2] / n)[0] < 0.05:
            return Shift(guess.dy, guess.dx, reliable=False)
        solution = np.linalg.solve(a, b)
        step_dx, step_dy, coef, offset = solution[0], solution[1], solution[2:-1], solution[-1]
        dx, dy = dx + step_dx, dy + step_dy
        if abs(dy - guess.dy) > 3 * DOWN or abs(dx - guess.dx) > 3 * DOWN or not 0.1 < coef[0] < 10:
            return Shift(guess.dy, guess.dx, reliable=False)
        if abs(step_dx) < 0.01 and abs(step_dy) < 0.01:
            break
    return Shift(float(dy), float(dx), float(coef[0]), float(offset))


def np_warp(img: np.ndarray, dy: float, dx: float) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    h, w = img.shape
    y0, y1 = max(0, int(np.ceil(-dy))), min(h, int(np.floor(h - 1 - dy - 1e-9)) + 1)
    x0, x1 = max(0, int(np.ceil(-dx))), min(w, int(np.floor(w - 1 - dx - 1e-9)) + 1)
    iy0, ix0 = int(np.floor(dy)), int(np.floor(dx))
    fy, fx = np.float32(dy - iy0), np.float32(dx - ix0)
    out = np.zeros_like(img)
    ys = np.arange(y0, y1) + iy0
    xs = np.arange(x0, x1) + ix0
    ys1, xs1 = np.minimum(ys + 1, h - 1), np.minimum(xs + 1, w - 1)
    top = (1 - fx) * img[ys][:, xs] + fx * img[ys][:, xs1]
    bot = (1 - fx) * img[ys1][:, xs] + fx * img[ys1][:, xs1]
    out[y0:y1, x0:x1] = (1 - fy) * top + fy * bot
    return out, (y0, y1, x0, x1)


def np_gain_grid(small_on: np.ndarray, small_off: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    gh, gw = shape
    ratio = np.full((gh * GAIN_BLOCK, gw * GAIN_BLOCK), np.nan, np.float32)
    sh, sw = small_on.shape
    ratio[:sh, :sw] = small_on / np.maximum(small_off, np.float32(2.0))
    blocks = ratio.reshape(gh, GAIN_BLOCK, gw, GAIN_BLOCK).transpose(0, 2, 1, 3).reshape(gh, gw, -1)
    raw = np.clip(np.nanmedian(blocks, axis=2), GAIN_MIN, GAIN_MAX).astype(np.float32)
    padded = np.pad(raw, 1, constant_values=np.nan)
    near = np.stack([padded[i : i + gh, j : j + gw] for i in range(3) for j in range(3)])
    return np.nanmedian(near, axis=0).astype(np.float32)


def np_residual(on, off, grid, rect) -> np.ndarray:
    y0, y1, x0, x1 = rect
    gh, gw = grid.shape
    cell = DOWN * GAIN_BLOCK
    v = np.clip((np.arange(y0, y1) + 0.5) / cell - 0.5, 0, gh - 1)
    u = np.clip((np.arange(x0, x1) + 0.5) / cell - 0.5, 0, gw - 1)
    g = np_bilinear(grid, *np.meshgrid(v, u, indexing="ij"))
    out = np.zeros_like(on)
    out[y0:y1, x0:x1] = on[y0:y1, x0:x1] - g * off[y0:y1, x0:x1]
    return out


def np_spot(img: np.ndarray, rect) -> np.ndarray:
    y0, y1, x0, x1 = rect
    sat = np.zeros((img.shape[0] + 1, img.shape[1] + 1))
    sat[1:, 1:] = img.cumsum(0, dtype=np.float64).cumsum(1)
    out = np.zeros_like(img)
    o = OUTER_HALF
    ys, xs = slice(y0 + o, y1 - o), slice(x0 + o, x1 - o)

    def box(half: int) -> np.ndarray:
        a, b = sat[y0 + o - half : y1 - o - half, :], sat[y0 + o + half + 1 : y1 - o + half + 1, :]
        d = b - a
        return d[:, x0 + o + half + 1 : x1 - o + half + 1] - d[:, x0 + o - half : x1 - o - half]

    c, g = gp.CENTRE_HALF, gp.GAP_HALF
    ring = (2 * o + 1) ** 2 - (2 * g + 1) ** 2
    out[ys, xs] = box(c) / (2 * c + 1) ** 2 - (box(o) - box(g)) / ring
    return out


class NumpyAccumulator(glint.GlintAccumulator):
    """The same per-pair pipeline in plain numpy; findings() is shared (it runs once per scan)."""

    def frame(self, pixels):
        grey, small = np_grey(pixels, self.weights)
        return Frame(grey, small, spectrum(small, self.window))

    def register(self, ref, img, *, varying_gain):
        dy, dx, _ = glint.phase_correlate(ref.spectrum, img.spectrum, self.small_shape)
        return np_refine(ref.grey, img.grey, Shift(dy * DOWN, dx * DOWN), varying_gain)

    def add_pair(self, on, off):
        on_px, off_px = as_pixels(on), as_pixels(off)
        if self.shape is None:
            self.allocate(on_px.shape)
        p = self.params
        f_on, f_off = self.frame(on_px), self.frame(off_px)
        if self.reference is None:
            self.reference, on_shift = f_on, Shift(0.0, 0.0)
        else:
            on_shift = self.register(self.reference, f_on, varying_gain=False)
        off_shift = self.register(f_on, f_off, varying_gain=True)
        half_y, half_x = off_shift.dy / 2, off_shift.dx / 2
        onw, a = np_warp(f_on.grey, -half_y, -half_x)
        offw, b = np_warp(f_off.grey, half_y, half_x)
        rect = (max(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), min(a[3], b[3]))
        y0, y1, x0, x1 = rect
        e = np_residual(onw, offw, np_gain_grid(f_on.small, f_off.small, self.gain_blocks.shape), rect)
        resp = np_spot(e, rect)
        o = OUTER_HALF
        noise = robust_sigma(resp[y0 + o : y1 - o, x0 + o : x1 - o])
        thr = p.pair_snr * noise
        h, w, _ = self.shape
        sy, sx = round(on_shift.dy + half_y), round(on_shift.dx + half_x)
        ya, yb, xa, xb = max(0, y0 - sy), min(h, y1 - sy), max(0, x0 - sx), min(w, x1 - sx)
        src = (slice(ya + sy, yb + sy), slice(xa + sx, xb + sx))
        dst = (slice(ya, yb), slice(xa, xb))
        r = resp[src]
        self.sum_e[dst] += e[src]
        self.sum_r2[dst] += r * r
        self.cov[dst] += 1
        self.pos[dst] += r >= thr
        self.neg[dst] += r <= -thr
        oy, ox = round(on_shift.dy + off_shift.dy), round(on_shift.dx + off_shift.dx)
        ya, yb, xa, xb = max(0, -oy), min(h, h - oy), max(0, -ox), min(w, w - ox)
        src = (slice(ya + oy, yb + oy), slice(xa + ox, xb + ox))
        dst = (slice(ya, yb), slice(xa, xb))
        self.sum_off[dst] += off_px[src]
        self.cov_off[dst] += 1
        level = np.float32(p.ir_level * gp.FULL_SCALE)
        self.bright[dst] += np.tensordot(off_px[src], self.weights, axes=([2], [0])) >= level
        self.pairs += 1
        report = PairReport(self.pairs, on_shift, off_shift, noise)
        self.reports.append(report)
        return report


# --- timing --------------------------------------------------------------------------------------


def timed(cls: type[glint.GlintAccumulator], pairs, repeats: int) -> tuple[float, float, glint.GlintAccumulator]:
    """Best per-pair streaming time and the final stage (findings), over ``repeats`` scans."""
    best_pair = best_final = float("inf")
    acc = None
    for _ in range(repeats):
        acc = cls()
        t0 = time.perf_counter()
        for on, off in pairs:
            acc.add_pair(on, off)
        t1 = time.perf_counter()
        acc.findings()
        t2 = time.perf_counter()
        best_pair = min(best_pair, (t1 - t0) / len(pairs))
        best_final = min(best_final, t2 - t1)
    return best_pair, best_final, acc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pairs", type=int, default=12)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    pairs = make_pairs(args.pairs)
    glint.find(pairs[:2])  # compile / load the kernels from the cache outside the timing
    numba_pair, numba_final, a = timed(glint.GlintAccumulator, pairs, args.repeats)
    numpy_pair, _, b = timed(NumpyAccumulator, pairs, args.repeats)
    agree = float(np.abs(a.sum_e - b.sum_e).max())
    same = [f.to_json() for f in a.findings()] == [f.to_json() for f in b.findings()]
    scan = 8
    rows = {
        "frame": "1280x720 RGB",
        "pairs": args.pairs,
        "numba_ms_per_pair": 1e3 * numba_pair,
        "numpy_ms_per_pair": 1e3 * numpy_pair,
        "numba_pairs_per_s": 1 / numba_pair,
        "numpy_pairs_per_s": 1 / numpy_pair,
        "ratio": numpy_pair / numba_pair,
        "final_stage_ms": 1e3 * numba_final,
        "scan_of_8_pairs_per_s": scan / (scan * numba_pair + numba_final),
        "max_stack_difference": agree,
        "same_findings": same,
    }
    print(f"1280×720 RGB pairs, one core, best of {args.repeats} scans of {args.pairs} pairs")
    print(f"{'':12} {'ms/pair':>8} {'pairs/s':>8}")
    print(f"{'numpy':12} {1e3 * numpy_pair:8.1f} {1 / numpy_pair:8.1f}")
    print(f"{'roomsweep':12} {1e3 * numba_pair:8.1f} {1 / numba_pair:8.1f}   ({numpy_pair / numba_pair:.2f}× numpy)")
    print(
        f"final stage (once per scan): {1e3 * numba_final:.0f} ms; an 8-pair scan: "
        f"{rows['scan_of_8_pairs_per_s']:.1f} pairs/s overall"
    )
    print(f"agreement: max |Δ stacked residual| {agree:.2e}, same findings: {same}")
    print(f"results: {save('glint_speed', rows)}")


if __name__ == "__main__":
    main()
