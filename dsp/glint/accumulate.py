"""Stage 5: every pair added into the first frame's coordinates, in memory that does not grow.

Per pixel: the mean residual over all pairs (noise falls as 1/√pairs), how often the response was
significantly positive / negative, the summed LED-off pixels and how often they were bright.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from dsp.glint import judge
from dsp.glint.boxes import box_mean
from dsp.glint.params import (
    DOWN,
    FULL_SCALE,
    GAIN_BLOCK,
    GAIN_MAX,
    GAIN_MIN,
    MAX_PAIRS,
    OUTER_HALF,
    Finding,
    GlintParams,
    GlintResult,
)
from dsp.glint.register import Frame, Shift, as_pixels, grey_frame, hann2, register
from dsp.glint.response import gain_grid, robust_sigma, spot_response, warped_residual


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
        self.reference: Frame | None = None

    def allocate(self, shape: tuple[int, int, int]) -> None:
        """The per-pixel state for frames of ``shape`` (done by the first pair)."""
        h, w, c = shape
        if h < 4 * OUTER_HALF or w < 4 * OUTER_HALF:
            raise ValueError(f"frames of {w}×{h} px are too small (need at least {4 * OUTER_HALF} px a side)")
        self.shape = shape
        weights = np.asarray(self.params.weights[:c] if c > 1 else (1.0,), dtype=np.float32)
        if weights.size != c:
            raise ValueError(f"{c} channels but {len(self.params.weights)} weights")
        self.weights = weights / weights.sum()
        self.small_shape = (h // DOWN, w // DOWN)
        self.window = hann2(*self.small_shape)
        cell = DOWN * GAIN_BLOCK
        self.gain_blocks = np.empty((-(-h // cell), -(-w // cell)), np.float32)
        self.sum_e = np.zeros((h, w), np.float32)
        self.sum_r2 = np.zeros((h, w), np.float32)
        self.cov = np.zeros((h, w), np.uint8)
        self.pos = np.zeros((h, w), np.uint8)
        self.neg = np.zeros((h, w), np.uint8)
        self.sum_off = np.zeros((h, w, c), np.uint16)  # 8-bit pixels: MAX_PAIRS of them fit
        self.cov_off = np.zeros((h, w), np.uint8)
        self.bright = np.zeros((h, w), np.uint8)

    def frame(self, pixels: np.ndarray) -> Frame:
        """A frame of this scan's size, ready for registration."""
        return grey_frame(pixels, self.weights, self.window)

    def register(self, ref: Frame, img: Frame, *, varying_gain: bool) -> Shift:
        """Where ``ref``'s points landed in ``img`` (see :func:`dsp.glint.register.register`)."""
        return register(ref, img, varying_gain=varying_gain)

    def add_pair(self, on: np.ndarray, off: np.ndarray) -> PairReport:
        """Add one LED-on frame and the LED-off frame taken next to it (same size, 8-bit)."""
        on_px, off_px = as_pixels(on), as_pixels(off)
        if on_px.shape != off_px.shape:
            raise ValueError(f"LED-on frame is {on_px.shape[:2]}, LED-off frame {off_px.shape[:2]}: sizes differ")
        if self.shape is None:
            self.allocate(on_px.shape)
        elif on_px.shape != self.shape:
            raise ValueError(f"pair {self.pairs + 1} is {on_px.shape}, the first pair was {self.shape}")
        if self.pairs >= MAX_PAIRS:
            raise ValueError(f"at most {MAX_PAIRS} pairs per scan")
        p = self.params
        h, w, _ = self.shape
        f_on, f_off = self.frame(on_px), self.frame(off_px)
        if self.reference is None:
            self.reference = f_on
            on_shift = Shift(0.0, 0.0)
        else:
            on_shift = self.register(self.reference, f_on, varying_gain=False)  # both lit alike
        off_shift = self.register(f_on, f_off, varying_gain=True)
        # Both frames move half way, so both are interpolated alike: warping only one would blur
        # it against the other and leave a rim at every sharp edge.
        half_y, half_x = off_shift.dy / 2, off_shift.dx / 2
        gain_grid(f_on.small, f_off.small, GAIN_MIN, GAIN_MAX, self.gain_blocks)
        e = np.empty((h, w), np.float32)
        y0, y1, x0, x1 = warped_residual(f_on.grey, f_off.grey, half_y, half_x, self.gain_blocks, e)
        del f_off
        resp = np.empty((h, w), np.float32)
        spot_response(e, y0, y1, x0, x1, resp)
        noise = robust_sigma(resp[y0 + OUTER_HALF : y1 - OUTER_HALF, x0 + OUTER_HALF : x1 - OUTER_HALF])
        # the residual sits half way between the two frames: ref p ↔ on p + on_shift ↔ here + half
        sy, sx = round(on_shift.dy + half_y), round(on_shift.dx + half_x)
        sums = (self.sum_e, self.sum_r2, self.cov, self.pos, self.neg)
        _accumulate(e, resp, p.pair_snr * noise, sy, sx, y0, y1, x0, x1, *sums)
        oy, ox = round(on_shift.dy + off_shift.dy), round(on_shift.dx + off_shift.dx)
        level = np.float32(p.ir_level * FULL_SCALE)
        _accumulate_off(off_px, self.weights, level, oy, ox, self.sum_off, self.cov_off, self.bright)
        self.pairs += 1
        report = PairReport(self.pairs, on_shift, off_shift, noise)
        self.reports.append(report)
        return report

    def result(self) -> GlintResult:
        """Lens glints and IR LEDs seen so far, and what the cap per kind left out
        (see :func:`dsp.glint.judge.findings`)."""
        return judge.findings(self)

    def findings(self) -> list[Finding]:
        """The listed findings of :meth:`result`: lenses first, then IR LEDs."""
        return self.result().findings

    def min_cover(self) -> int:
        """Pairs a pixel must be covered by to be judged: half of them (the shake moves the edges)."""
        return max(1, math.ceil(self.pairs / 2))

    def response_noise(self, resp: np.ndarray, a: int, b: int) -> np.ndarray:
        """Noise floor of the stacked response in rows ``a``..``b``: the larger of the pair-to-pair
        scatter of the response (shake residue, blinking lights) and the sensor noise the pairs
        measured. The caller adds the clutter around it (texture that did not cancel — in a dark
        room the LED-lit picture itself)."""
        half = 2
        rows = np.clip(np.arange(a - half, b + half), 0, resp.shape[0] - 1)  # edges replicated
        pairs = np.maximum(self.cov[rows], 1).astype(np.float32)
        r = resp[rows]
        var = np.maximum(self.sum_r2[rows] / pairs - r * r, 0.0) / np.maximum(pairs - 1, 1)
        var = np.maximum(box_mean(np.pad(var, ((0, 0), (half, half)), mode="edge"), half), 0.0)
        return np.maximum(np.sqrt(var), np.float32(self.sensor_noise()))

    def sensor_noise(self) -> float:
        """Noise of the stacked response from the sensor noise each pair measured."""
        return math.sqrt(sum(r.noise**2 for r in self.reports) / len(self.reports) / self.pairs)

    def off_colour(self, y: int, x: int, half: int) -> np.ndarray:
        """Mean LED-off colour in the (2·half+1)² window around (y, x) (only where it is asked for)."""
        win = (slice(y - half, y + half + 1), slice(x - half, x + half + 1))
        return self.sum_off[win] / np.maximum(self.cov_off[win], 1)[:, :, None].astype(np.float32)

    def off_grey(self, rows: slice = slice(None), cols: slice = slice(None)) -> np.ndarray:
        """Mean LED-off grey level of a window (the whole frame by default)."""
        summed = self.sum_off[rows, cols]
        grey = summed[:, :, 0] * self.weights[0]
        for k in range(1, summed.shape[2]):
            grey += summed[:, :, k] * self.weights[k]
        grey /= np.maximum(self.cov_off[rows, cols], 1)
        return grey
