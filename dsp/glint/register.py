"""Stage 1–2: grey frames and their small copies, and the shake between two frames.

Phase correlation on the 1/4-size copies (robust to brightness changes) gives the coarse shift;
Lucas–Kanade at full size the sub-pixel part, with an offset and a gain that may vary smoothly
across the picture (the LED ring lights the middle more than the edges).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from dsp.glint.params import DOWN, N_GAIN, SATURATED


@dataclass(frozen=True)
class Shift:
    """``img(p + (dy, dx)) ≈ gain·ref(p) + offset``: where a point of ``ref`` landed in ``img``."""

    dy: float
    dx: float
    gain: float = 1.0
    offset: float = 0.0
    reliable: bool = True


@dataclass
class Frame:
    grey: np.ndarray
    small: np.ndarray
    spectrum: np.ndarray | None = None


def as_pixels(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        frame = frame[:, :, None]
    if frame.ndim != 3 or frame.shape[2] not in (1, 3, 4):
        raise ValueError(f"expected a grey (h, w) or colour (h, w, 3) frame, got shape {frame.shape}")
    if frame.shape[2] == 4:
        frame = frame[:, :, :3]
    if frame.dtype != np.uint8:
        raise ValueError(f"expected 8-bit pixels, got {frame.dtype}")
    return np.ascontiguousarray(frame)


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


def hann2(h: int, w: int) -> np.ndarray:
    return (np.hanning(h)[:, None] * np.hanning(w)[None, :]).astype(np.float32)


def spectrum(small: np.ndarray, window: np.ndarray) -> np.ndarray:
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


def grey_frame(pixels: np.ndarray, weights: np.ndarray, window: np.ndarray) -> Frame:
    """The grey frame (channels weighted by ``weights``), its 1/4-size copy and that copy's spectrum
    under ``window`` (the copy's shape)."""
    h, w, _ = pixels.shape
    grey = np.empty((h, w), np.float32)
    small = np.empty(window.shape, np.float32)
    _grey(pixels, weights, grey, small)
    return Frame(grey, small, spectrum(small, window))


def register(ref: Frame, img: Frame, *, varying_gain: bool) -> Shift:
    """Where a point of ``ref`` landed in ``img``: phase correlation on the small copies, then
    Lucas–Kanade at full size (``varying_gain``: LED-on against LED-off, lit unevenly)."""
    dy, dx, _ = phase_correlate(ref.spectrum, img.spectrum, ref.small.shape)
    return refine_shift(ref.grey, img.grey, Shift(dy * DOWN, dx * DOWN), varying_gain=varying_gain)
