"""JSON shapes of the CLI and API (DESIGN.md contracts), built in one place."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from dsp.classify import Verdict
from dsp.detect import Detection

if TYPE_CHECKING:
    from appliance.rf_sweep import SweepResult

NOT_COVERED = "2.4/5.8 GHz and everything outside 24–1766 MHz"


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


def sweep_json(result: SweepResult) -> dict[str, Any]:
    """The ``sweep --json`` document (baseline fields unset: see ``appliance.baseline.annotate``).

    Emitters in frequency order; ``suspects`` lists the suspects most camera-like first.
    """
    plan = result.plan

    def seconds(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    emitters = [emitter_json(c.detection, c.verdict, evidence=c.evidence) for c in result.emitters]
    suspects = [
        {
            "freq_hz": round(c.detection.freq_hz, 1),
            "kind": c.verdict.kind,
            "camera_score": round(float(c.verdict.camera_score), 2),
            "standard": c.verdict.standard,
            "line_rate_hz": _num(c.verdict.line_rate_hz, 2),
            "evidence": c.evidence,
        }
        for c in result.suspects
    ]
    return {
        "plan": {
            "ranges_hz": [list(r) for r in plan.ranges],
            "hops": len(plan.hops),
            "rbw_hz": plan.bin_hz,
            "sample_rate_hz": plan.sample_rate,
        },
        "complete": result.complete,
        "cancelled": result.cancelled,
        "error": result.error,
        "missing_bands_hz": [list(m) for m in result.missing],
        "problems": list(result.problems),
        "noise_floor_dbfs": None if result.noise_floor_dbfs is None else round(result.noise_floor_dbfs, 1),
        "emitters": emitters,
        "suspects": suspects,
        "looks": result.looks,
        "looks_skipped": result.looks_skipped,
        "baseline": None,
        "new_since_baseline": None,
        "radio_time_s": seconds(result.radio_time_s),
        "survey_radio_time_s": seconds(result.survey_radio_time_s),
        "wall_time_s": seconds(result.wall_time_s),
        "not_covered": NOT_COVERED,
    }
