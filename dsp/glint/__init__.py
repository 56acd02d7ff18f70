"""Lens glints and IR LEDs from LED-on / LED-off frame pairs.

A camera lens retro-reflects light straight back at a source beside the viewer's camera, so with
the LED ring lit it shows as a small, round, bright point that is absent with the ring dark; a
night-vision camera's IR LEDs glow whether the ring is lit or not. The pipeline, by stage (each
stage's Numba kernels live in its module):

1. :mod:`~dsp.glint.register` — grey frames and 1/4-size copies; the shake between the LED-off
   and the LED-on frame, and between the LED-on frame and the first one (phase correlation, then
   Lucas–Kanade with a gain that varies smoothly across the picture);
2. :mod:`~dsp.glint.response` — the residual ``on − g·off`` (both frames warped half way, ``g``
   the local ratio of the two) and its spot and point responses;
3. :mod:`~dsp.glint.accumulate` — every pair added in the first frame's coordinates
   (:class:`GlintAccumulator`), in memory that does not grow with the number of pairs;
4. :mod:`~dsp.glint.blobs` and :mod:`~dsp.glint.judge` — candidates grown into regions and judged
   into lens and IR-LED findings once per scan;
5. :mod:`~dsp.glint.tiles` — stills larger than 1280×720 (up to a Camera Module 3's 4608×3072)
   through the same stages tile by tile, in the memory of one 1280×720 scan.

Coordinates are pixels of the first LED-on frame. Pure: numpy in, findings out; no I/O, no clocks.
"""

from __future__ import annotations

import numpy as np

from dsp.glint.accumulate import GlintAccumulator, PairReport
from dsp.glint.params import KINDS, MAX_PAIRS, Finding, GlintParams, GlintResult
from dsp.glint.register import Shift, phase_correlate, refine_shift
from dsp.glint.tiles import find_in_tiles

__all__ = [
    "KINDS",
    "MAX_PAIRS",
    "Finding",
    "GlintAccumulator",
    "GlintParams",
    "GlintResult",
    "PairReport",
    "Shift",
    "find",
    "find_in_tiles",
    "phase_correlate",
    "refine_shift",
]


def find(pairs: list[tuple[np.ndarray, np.ndarray]], params: GlintParams | None = None) -> list[Finding]:
    """All pairs at once (LED-on frame, LED-off frame), of any size (large stills go in tiles:
    :func:`find_in_tiles`); see :class:`GlintAccumulator` for streaming."""
    return find_in_tiles(list(pairs), params)[0].findings
