"""Box sums from summed-area tables: what the spot, point and noise responses are built from."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def integral(img, sat):
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
def box(sat, y0, x0, y1, x1):
    return sat[y1, x1] - sat[y0, x1] - sat[y1, x0] + sat[y0, x0]


def box_mean(padded: np.ndarray, half: int) -> np.ndarray:
    """Mean over a (2·half+1)² box of an array padded by ``half`` on every side (the caller pads)."""
    h, w = padded.shape[0] - 2 * half, padded.shape[1] - 2 * half
    sat = np.empty((h + 2 * half + 1, w + 2 * half + 1))
    integral(padded, sat)
    out = np.empty((h, w), np.float32)
    box_means(sat, 2 * half + 1, out)
    return out


@njit(cache=True)
def box_means(sat, n, out):
    """Box sums from a summed-area table, divided by the box's area, straight into float32
    (no full-frame float64 temporaries)."""
    h, w = out.shape
    area = n * n
    for y in range(h):
        for x in range(w):
            out[y, x] = (sat[y + n, x + n] - sat[y, x + n] - sat[y + n, x] + sat[y, x]) / area
