"""The final stage, once per scan: candidates in the accumulated maps, judged into findings.

Lens candidates are local maxima of the stacked response over its noise (the largest of the
sensor noise, the pair-to-pair scatter and the local clutter; the ring response and the
four-direction point response, whichever stands out more), grown into their region and kept
when small, round, seen in N of M pairs, never markedly darker with the LED lit, not bright in
the LED-off frames and not in clipped glare. IR LEDs are small bright spots in the stacked
LED-off frames, lit in nearly every one, and (for colour frames) near-neutral.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from dsp.glint.blobs import Annulus, Blob, annulus, chroma, eroded, extent, peaks, spot_at, tint
from dsp.glint.params import (
    BAND_ROWS,
    FULL_SCALE,
    GLARE_HALF,
    GLARE_LEVEL,
    KINDS,
    NOISE_BLOCK,
    OBJECT_SNR,
    OUTER_HALF,
    SATURATED,
    Finding,
    GlintResult,
)
from dsp.glint.response import point_response, spot_response

if TYPE_CHECKING:
    from dsp.glint.accumulate import GlintAccumulator


@dataclass
class Candidate:
    """A finding in the making: rings may still raise its score and add a reason."""

    kind: str
    x: float
    y: float
    radius: float
    score: float
    seen: int
    snr: float
    reasons: list[str] = field(default_factory=list)
    shape: str = "spot"  # or "ring": IR LEDs merged into one annulus

    def near(self, x: float, y: float) -> bool:
        return (self.x - x) ** 2 + (self.y - y) ** 2 < max(6.0, 2.5 * self.radius) ** 2

    @property
    def finding(self) -> Finding:
        return Finding(
            self.x,
            self.y,
            self.radius,
            self.kind,
            min(1.0, self.score),
            self.seen,
            self.snr,
            tuple(self.reasons),
            self.shape,
        )


def _lens_peaks(
    acc: GlintAccumulator, stack: np.ndarray, cover: np.ndarray
) -> list[tuple[int, int, float, float, float]]:
    """Peaks of the stacked response over its noise: (y, x, snr, noise, ring response), strongest
    first. The noise maps are made band by band; only the two responses are full frames."""
    h, w = stack.shape
    resp = np.empty((h, w), np.float32)
    spot_response(stack, 0, h, 0, w, resp)
    point = np.empty((h, w), np.float32)
    point_response(stack, point)
    # The point response ignores stripes and edges; the ring response keeps more of a wide
    # glint. Each over its own noise; the better of the two counts.
    ceiling = OBJECT_SNR * acc.sensor_noise()
    clutter_point, clutter_resp = _clutter(point, ceiling), _clutter(resp, ceiling)
    valid = cover & eroded(cover, OUTER_HALF)
    thr = np.float32(acc.params.lens_snr)
    found: list[tuple[int, int, float, float, float]] = []
    for top in range(0, h, BAND_ROWS):
        a, b = max(top - 1, 0), min(top + BAND_ROWS + 1, h)  # one more row each side for the maxima
        floor = acc.response_noise(resp, a, b)
        r, q = resp[a:b], point[a:b]
        snr = np.maximum(
            q / np.maximum(floor, _clutter_rows(clutter_point, a, b, w)),
            r / np.maximum(floor, _clutter_rows(clutter_resp, a, b, w)),
        )
        ys, xs, _ = peaks(snr, thr, valid[a:b], top - a, top - a + BAND_ROWS)
        for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
            s = float(snr[y, x])
            noise = float(max(r[y, x], q[y, x]) / np.maximum(snr[y, x], np.float32(1e-6)))
            found.append((y + a, x, s, noise, float(r[y, x])))
    order = np.argsort([-f[2] for f in found], kind="stable")[:400]
    return [found[i] for i in order]


def lens_candidates(acc: GlintAccumulator, rings: Sequence[Candidate] = ()) -> list[Candidate]:
    """Lens glints in the stacked residual, strongest first. Inside a merged ring of IR LEDs
    (``rings``) the clipped light around a glint is the ring's, not glare that hides it."""
    p = acc.params
    h, w, _ = acc.shape
    cover = acc.cov >= acc.min_cover()
    stack = np.zeros((h, w), np.float32)
    np.divide(acc.sum_e, np.maximum(acc.cov, 1), out=stack, where=cover)
    candidates = _lens_peaks(acc, stack, cover)
    del cover  # the final stage holds as few full frames as it can (a 1 GB Pi)
    # glare, clipping and the LED-off spot are read at a few candidates only, from local windows
    clip_limit = math.pi * p.max_radius_px**2
    need_seen = max(1, math.ceil(p.min_seen_fraction * acc.pairs))
    dark_allowed = math.floor(p.max_dark_fraction * acc.pairs)
    stamp = np.zeros((h, w), np.uint16)
    found: list[Candidate] = []
    o, g = OUTER_HALF, GLARE_HALF
    for i, (y, x, snr, noise, glint) in enumerate(candidates):
        if any(f.near(x, y) for f in found) or stamp[y, x]:
            continue
        # one pixel of the stack is about 3× noisier than the 3×3 mean the responses use
        blob = Blob.grow(stack, y, x, p.max_radius_px, stamp, i + 1, 3 * noise)
        if blob is None or blob.elongated(p.max_elongation):
            continue
        seen = int(acc.pos[y - 1 : y + 2, x - 1 : x + 2].max())
        dark = int(acc.neg[y - 1 : y + 2, x - 1 : x + 2].max())
        if seen < need_seen or dark > dark_allowed:
            continue
        grey_off = acc.off_grey(slice(y - o, y + o + 1), slice(x - o, x + o + 1))
        ringed = any(math.hypot(x - r.x, y - r.y) < 0.6 * r.radius for r in rings)
        if not ringed and (grey_off[o - g : o + g + 1, o - g : o + g + 1] >= GLARE_LEVEL).any():
            continue  # at the rim of a clipped highlight: the frames cannot be compared there
        lit = acc.reference.grey[y - o : y + o + 1, x - o : x + o + 1]
        if not ringed and np.count_nonzero(lit >= SATURATED) > clip_limit:
            continue  # in LED-lit glare, wider than any glint: what is left of it is texture
        if spot_at(grey_off, o, o) > p.max_off_ratio * glint:
            continue  # bright without the LED too: a light, not a reflection
        reasons = [
            f"bright only with the LED lit ({glint:.0f} levels above its surround, {snr:.0f}× the noise)",
            f"seen in {seen} of {acc.pairs} pairs",
            f"small and round (radius {blob.radius:.1f} px)",
        ]
        quality = (
            0.5 * min(1.0, (snr - p.lens_snr) / (3 * p.lens_snr))
            + 0.3 * seen / acc.pairs
            + 0.2 * blob.roundness(p.max_elongation)
        )
        found.append(Candidate("lens", blob.x, blob.y, blob.radius, 0.5 + 0.5 * quality, seen, snr, reasons))
    return found


def ir_led_candidates(acc: GlintAccumulator) -> list[Candidate]:
    """Small, steady, bright, colourless lights in the stacked LED-off frames, brightest first."""
    p = acc.params
    h, w, c = acc.shape
    cover = acc.cov_off >= acc.min_cover()
    grey = acc.off_grey()
    grey[~cover] = 0
    resp = np.empty((h, w), np.float32)
    spot_response(grey, 0, h, 0, w, resp)
    valid = cover & eroded(cover, OUTER_HALF) & (grey >= p.ir_level * FULL_SCALE)
    del cover
    ys, xs, vs = peaks(resp, np.float32(p.ir_contrast * FULL_SCALE), valid, 0, h)
    del valid
    order = np.argsort(-vs, kind="stable")[:200]
    need_seen = max(1, math.ceil(p.ir_seen_fraction * acc.pairs))
    stamp = np.zeros((h, w), np.uint16)
    found: list[Candidate] = []
    for i, (y, x) in enumerate(zip(ys[order].tolist(), xs[order].tolist(), strict=True)):
        if any(f.near(x, y) for f in found) or stamp[y, x]:
            continue
        blob = Blob.grow(grey, y, x, p.max_radius_px, stamp, i + 1)
        if blob is None or blob.elongated(p.max_elongation) or extent(grey, y, x, p.ir_max_radius_px) is None:
            # too large for one LED against the room around it: a lamp highlight, glare, foliage —
            # or a night-vision ring whose LEDs merged into one bright annulus
            ring = annulus(grey, y, x, *p.ring_radius_px)
            if ring is not None:
                stamp[ring.rows, ring.cols] = 2 * i + 2
                merged = _merged_ring(acc, ring, float(resp[y, x]), need_seen)
                if merged is not None:
                    found.append(merged)
            continue
        seen = int(acc.bright[y - 1 : y + 2, x - 1 : x + 2].max())
        if seen < need_seen:
            continue  # blinking, or not a light at all
        reasons = [f"glows without the LED ({resp[y, x]:.0f} levels above its surround)"]
        if c == 3:
            tint = chroma(acc.off_colour(y, x, OUTER_HALF), OUTER_HALF, OUTER_HALF)
            if tint > p.ir_max_chroma:
                continue  # a coloured status LED
            reasons.append("colourless, as infrared is on a NoIR sensor")
        reasons += [f"lit in {seen} of {acc.pairs} frames", f"small and round (radius {blob.radius:.1f} px)"]
        quality = (
            0.5 * min(1.0, resp[y, x] / FULL_SCALE / (2 * p.ir_contrast))
            + 0.3 * seen / acc.pairs
            + 0.2 * blob.roundness(p.max_elongation)
        )
        found.append(
            Candidate(
                "ir-led", blob.x, blob.y, blob.radius, 0.4 + 0.5 * float(quality), seen, float(resp[y, x]), reasons
            )
        )
    return found


def _merged_ring(acc: GlintAccumulator, ring: Annulus, contrast: float, need_seen: int) -> Candidate | None:
    """One ``ir-led`` finding (shape ``ring``) for a night-vision ring whose LEDs merged: lit in
    nearly every LED-off frame and, in colour, as colourless as a single IR LED."""
    p = acc.params
    seen = int(np.median(acc.bright[ring.rows, ring.cols]))
    if seen < need_seen:
        return None
    reasons = [
        f"a ring of IR LEDs merged into one bright annulus (radius {ring.radius:.0f} px around its centre)",
        f"glows without the LED ({contrast:.0f} levels above its surround)",
    ]
    if acc.shape[2] == 3:
        lit = acc.sum_off[ring.rows, ring.cols] / np.maximum(acc.cov_off[ring.rows, ring.cols], 1)[:, None]
        half = round(ring.radius) + OUTER_HALF
        room = np.median(acc.off_colour(round(ring.y), round(ring.x), half).reshape(-1, 3), axis=0)
        if tint(lit.astype(np.float32), room) > p.ir_max_chroma:
            return None  # a coloured ring of indicator lights, a ring of leaves
        reasons.append("colourless, as infrared is on a NoIR sensor")
    reasons.append(f"lit in {seen} of {acc.pairs} frames")
    quality = 0.5 * min(1.0, contrast / FULL_SCALE / (2 * p.ir_contrast)) + 0.3 * seen / acc.pairs + 0.2 * ring.coverage
    score = 0.6 + 0.4 * quality  # a ring is what a night-vision camera looks like
    return Candidate("ir-led", ring.x, ring.y, ring.radius, score, seen, contrast, reasons, shape="ring")


def _mark_rings(found: list[Candidate], lenses: list[Candidate]) -> None:
    """Three or more IR LEDs evenly around a centre are a night-vision camera's ring; say so. A lens
    inside such a ring, or inside a merged one, scores higher."""
    for ring in (f for f in found if f.shape == "ring"):
        for lens in lenses:
            if math.hypot(lens.x - ring.x, lens.y - ring.y) < 0.6 * ring.radius:
                lens.score = min(1.0, lens.score + 0.1)
                lens.reasons.append("inside a ring of IR LEDs")
    leds = [f for f in found if f.shape == "spot"]
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


def findings(acc: GlintAccumulator) -> GlintResult:
    """The accumulator's lens glints and IR LEDs, ranked (:func:`rank`)."""
    if not acc.pairs:
        return GlintResult([])
    leds = ir_led_candidates(acc)
    return rank(lens_candidates(acc, merged_rings(leds)), leds, acc.params.max_per_kind)


def merged_rings(found: list[Candidate]) -> list[Candidate]:
    """The IR-LED candidates that are merged rings."""
    return [f for f in found if f.shape == "ring"]


def rank(lenses: list[Candidate], leds: list[Candidate], cap: int) -> GlintResult:
    """Rings marked, then lens glints first and IR LEDs after, each kind strongest first and
    capped at ``cap``: a flood of one kind (sunlit leaves as IR LEDs) never pushes the other out
    of the list; what the cap left out is counted."""
    _mark_rings(leds, lenses)
    listed: list[Finding] = []
    cut = dict.fromkeys(KINDS, 0)
    for kind, found in zip(KINDS, (lenses, leds), strict=True):
        ranked = sorted(found, key=lambda f: -f.score)
        listed += [f.finding for f in ranked[:cap]]
        cut[kind] = max(0, len(ranked) - cap)
    return GlintResult(listed, cut)


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
