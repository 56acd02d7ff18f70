"""The pipeline's constants, its thresholds (:class:`GlintParams`) and its result (:class:`Finding`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
    ir_max_radius_px: float = 6.8  # half-maximum radius against the room (a saturated 4 px LED: 6.6);
    # a lamp highlight twice that size or more is larger
    ring_radius_px: tuple[float, float] = (6.0, 26.0)  # night-vision LEDs merged into one annulus
    max_per_kind: int = 50  # findings listed per kind (lenses first); the rest are counted, not hidden


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
    shape: str = "spot"  # "ring": IR LEDs merged into one annulus (x, y its centre, radius_px its radius)

    def to_json(self) -> dict[str, Any]:
        """The ``glint --json`` finding (DESIGN.md), plus ``snr``, ``reasons`` and ``shape``."""
        return {
            "x": round(self.x, 1),
            "y": round(self.y, 1),
            "radius_px": round(self.radius_px, 1),
            "kind": self.kind,
            "score": round(self.score, 2),
            "seen_in": self.seen_in,
            "snr": round(self.snr, 1),
            "reasons": list(self.reasons),
            "shape": self.shape,
        }


KINDS = ("lens", "ir-led")  # the order findings are listed in: lenses first


@dataclass(frozen=True)
class GlintResult:
    """The findings of a scan, lenses first then IR LEDs (each strongest first, at most
    ``max_per_kind`` of a kind), and how many of each kind the cap left out."""

    findings: list[Finding]
    cut: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
