"""JSON shapes of the CLI and API (DESIGN.md contracts), built in one place."""

from __future__ import annotations

import math
from typing import Any

from dsp.classify import Verdict
from dsp.detect import Detection


def _num(value: float | None, digits: int = 1) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def emitter_json(det: Detection, verdict: Verdict, **extra: Any) -> dict[str, Any]:
    """One emitter as DESIGN.md's ``analyze --json`` shows it (plus compatible extras)."""
    return {
        "freq_hz": round(det.freq_hz, 1),
        "bandwidth_hz": round(det.bandwidth_hz, 1),
        "power_dbfs": _num(det.power_dbfs),
        "snr_db": _num(det.snr_db),
        "kind": verdict.kind,
        "line_rate_hz": _num(verdict.line_rate_hz, 2),
        "standard": verdict.standard,
        "camera_score": round(float(verdict.camera_score), 2),
        "reasons": list(verdict.reasons),
        "bursty": det.bursty,
        "field_rate_hz": _num(verdict.field_rate_hz, 2),
        "examined": verdict.examined,
        "features": verdict.features,
        **extra,
    }
