"""Which kind of transmitter an emitter is, and how much it looks like a camera link.

Provisional version: judges from the spectrum alone (width, burstiness, band). The feature-based
classifier (line-rate comb, duty cycle, pilot) replaces the guesses where a dwell was taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dsp import bands as bandmod
from dsp.detect import Detection

KINDS = ("analog-video", "fm-broadcast", "tdma", "ofdm", "burst", "carrier", "unknown")
SUSPECT_SCORE = 0.5


@dataclass
class Verdict:
    kind: str
    camera_score: float
    reasons: list[str] = field(default_factory=list)
    line_rate_hz: float | None = None
    standard: str | None = None

    @property
    def suspect(self) -> bool:
        return self.camera_score >= SUSPECT_SCORE


def from_spectrum(det: Detection) -> Verdict:
    """A first guess from width, burstiness and the band it sits in."""
    bands = bandmod.bands_at(det.freq_hz - det.bandwidth_hz / 2, det.freq_hz + det.bandwidth_hz / 2)
    expected = [k for b in bands for k in b.kinds]
    in_camera_band = any(b.camera_band for b in bands)
    reasons = []
    if det.bursty:
        kind = "tdma" if "tdma" in expected else "burst"
        reasons.append("seen only in bursts (peak-hold far above the average)")
    elif det.bandwidth_hz <= 4 * 9375 and "fm-broadcast" not in expected:
        kind = "carrier"
        reasons.append(f"narrow ({det.bandwidth_hz / 1e3:.0f} kHz)")
    elif "fm-broadcast" in expected and det.bandwidth_hz < 400e3:
        kind = "fm-broadcast"
        reasons.append("in the FM broadcast band")
    elif det.bandwidth_hz >= 1e6 and in_camera_band:
        kind = "unknown"
        reasons.append(f"wide ({det.bandwidth_hz / 1e6:.1f} MHz) in an analog video band: needs a dwell")
    elif det.bandwidth_hz >= 1e6:
        kind = "ofdm"
        reasons.append(f"wide and continuous ({det.bandwidth_hz / 1e6:.1f} MHz)")
    else:
        kind = expected[0] if expected else "unknown"
        reasons.append("kind guessed from the band" if expected else "no features yet")
    score = 0.3 if (in_camera_band and kind == "unknown") else 0.0
    return Verdict(kind=kind, camera_score=score, reasons=reasons)
