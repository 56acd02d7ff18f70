"""Evidence: each suspect's look saved as a SigMF recording, annotated with the verdict.

``roomsweep analyze`` re-runs the same features and classifier on it (and reaches the same
verdict); any SDR tool that reads SigMF can open it. Names follow rtl_433's convention
(``suspect01_1279.700M_2400k.sigmf-meta``) so tools that read the centre and rate from a name
understand them too.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from appliance.report import emitter_json
from appliance.rf_sweep import Candidate, SweepResult
from hw import recording as recmod
from hw.errors import BadInputError

EXTENSION = {"name": "roomsweep", "version": "1.0.0", "optional": True}


def check_directory(directory: str | Path) -> Path:
    """Create the evidence directory now (before a sweep) so a bad path fails fast and clearly."""
    path = Path(directory)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInputError(f"cannot create evidence directory {path}: {exc.strerror or exc}") from None
    if not path.is_dir() or not os.access(path, os.W_OK):
        raise BadInputError(f"evidence directory {path} is not a writable directory")
    return path


def save_suspects(result: SweepResult, directory: str | Path) -> list[Path]:
    """Write every suspect's look as SigMF into ``directory``; set each candidate's ``evidence``.

    Returns the ``.sigmf-meta`` paths, most camera-like first. Raises ``OSError`` if the
    disk refuses (what was written stays).
    """
    out = Path(directory)
    written = []
    for rank, cand in enumerate(result.suspects, start=1):
        if cand.dwell is None:
            continue
        written.append(save_one(cand, out, rank))
    return written


def save_one(cand: Candidate, directory: Path, rank: int) -> Path:
    dwell, det, verdict = cand.dwell, cand.detection, cand.verdict
    assert dwell is not None
    base = directory / f"suspect{rank:02d}_{dwell.center_hz / 1e6:.3f}M_{dwell.sample_rate / 1e3:g}k"
    report: dict[str, Any] = emitter_json(det, verdict)
    annotation = {
        "core:sample_start": 0,
        "core:sample_count": int(dwell.raw.size // 2),
        "core:freq_lower_edge": float(det.freq_hz - det.bandwidth_hz / 2),
        "core:freq_upper_edge": float(det.freq_hz + det.bandwidth_hz / 2),
        "core:label": f"{verdict.kind} {verdict.camera_score:.2f}",
        "core:comment": "; ".join(verdict.reasons),
        "roomsweep:verdict": report,
    }
    meta = recmod.write_sigmf(
        base,
        dwell.raw,
        rate_hz=dwell.sample_rate,
        center_hz=dwell.center_hz,
        description=f"roomsweep: suspected camera link at {det.freq_hz / 1e6:.4f} MHz (rank {rank})",
        annotations=[annotation],
        extra_global={"core:extensions": [EXTENSION]},
    )
    cand.evidence = str(meta)
    return meta
