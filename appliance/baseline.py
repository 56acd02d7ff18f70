"""The room's known state: what a later sweep found that was not there before, or got stronger.

A baseline is a saved list of emitters (the ``emitter_json`` shape) and, when known, the
frequency ranges its sweep covered. Comparing is pure: each current emitter is matched to at
most one baseline emitter within a frequency tolerance (two survey bins, 25 ppm of drift, or a
quarter of the wider one's bandwidth: a wide FM video link's reported centre moves with its
picture); an unmatched emitter is *new*, a matched one whose level rose by ``rise_db`` or more is
*stronger*. Emitters outside the baseline's ranges cannot be judged and stay unflagged.

In the sweep document (``appliance.report``), per emitter: ``new_since_baseline`` (``true`` new
or stronger, ``false`` known, ``null`` no baseline or not covered by it), ``baseline_change``
(``"new"``, ``"stronger"`` or ``null``), ``baseline_power_dbfs`` and ``baseline_rise_db`` (the
matched emitter's level and the rise since, or ``null``). The session judges each sweep against
the newest baseline with the ``sweep.baseline_rise_db`` setting as it runs; the CLI with
``--baseline-rise``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

DEFAULT_RISE_DB = 6.0
MIN_MATCH_HZ = 2 * 9375.0  # two survey bins
DRIFT = 25e-6  # a dongle's crystal drifts by a few ppm with temperature; cheap ones are off by tens
WIDTH_SHARE = 0.25


@dataclass(frozen=True)
class Reference:
    """A saved baseline: its emitters and, if known, what its sweep covered."""

    emitters: list[dict[str, Any]]
    ranges_hz: list[tuple[float, float]] | None = None
    id: int | None = None
    name: str = ""
    created_at: float | None = None  # Unix time
    wifi_devices: dict[str, dict[str, Any]] | None = None  # by MAC; None: the baseline's sweep had no Wi-Fi part

    def covers(self, freq_hz: float) -> bool:
        return self.ranges_hz is None or any(lo <= freq_hz <= hi for lo, hi in self.ranges_hz)


@dataclass(frozen=True)
class Change:
    """How one current emitter relates to the baseline."""

    status: str  # "known", "new", "stronger", "weaker", or "uncovered" (outside the baseline's ranges)
    baseline_power_dbfs: float | None = None
    rise_db: float | None = None
    matched: int | None = None  # index of the baseline emitter it was matched to

    @property
    def flagged(self) -> bool:
        return self.status in ("new", "stronger")


@dataclass
class Comparison:
    changes: list[Change]
    gone: list[int] = field(default_factory=list)  # indices of baseline emitters not seen now (in range)


def tolerance_hz(a: dict[str, Any], b: dict[str, Any]) -> float:
    """How far apart two reports of the same emitter may be."""
    wider = max(a.get("bandwidth_hz") or 0.0, b.get("bandwidth_hz") or 0.0)
    return max(MIN_MATCH_HZ, DRIFT * a["freq_hz"], WIDTH_SHARE * wider)


def compare(
    current: list[dict[str, Any]],
    reference: Reference,
    *,
    rise_db: float = DEFAULT_RISE_DB,
    current_ranges_hz: list[tuple[float, float]] | None = None,
) -> Comparison:
    """Match ``current`` emitters to the baseline's, closest pairs first, one to one."""
    if rise_db <= 0:
        raise ValueError(f"rise_db must be positive, got {rise_db}")
    pairs = []
    for i, now in enumerate(current):
        for j, then in enumerate(reference.emitters):
            gap = abs(now["freq_hz"] - then["freq_hz"])
            tol = tolerance_hz(now, then)
            if gap <= tol:
                pairs.append((gap / tol, i, j))
    pairs.sort()
    match: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in pairs:
        if i not in match and j not in taken:
            match[i] = j
            taken.add(j)
    changes = []
    for i, now in enumerate(current):
        if i in match:
            then = reference.emitters[match[i]]
            before, after = then.get("power_dbfs"), now.get("power_dbfs")
            rise = None if before is None or after is None else round(after - before, 1)
            status = "known"
            if rise is not None and rise >= rise_db:
                status = "stronger"
            elif rise is not None and rise <= -rise_db:
                status = "weaker"
            changes.append(Change(status, before, rise, match[i]))
        elif reference.covers(now["freq_hz"]):
            changes.append(Change("new"))
        else:
            changes.append(Change("uncovered"))
    gone = [
        j
        for j, then in enumerate(reference.emitters)
        if j not in taken
        and (current_ranges_hz is None or any(lo <= then["freq_hz"] <= hi for lo, hi in current_ranges_hz))
    ]
    return Comparison(changes, gone)


def annotate(
    emitters: list[dict[str, Any]],
    reference: Reference | None,
    *,
    rise_db: float = DEFAULT_RISE_DB,
    current_ranges_hz: list[tuple[float, float]] | None = None,
) -> dict[str, Any] | None:
    """Set each emitter's baseline fields (in place); return which baseline it was judged against."""
    if reference is None:
        for e in emitters:
            e.update(new_since_baseline=None, baseline_change=None, baseline_power_dbfs=None, baseline_rise_db=None)
        return None
    result = compare(emitters, reference, rise_db=rise_db, current_ranges_hz=current_ranges_hz)
    for e, change in zip(emitters, result.changes, strict=True):
        e["new_since_baseline"] = None if change.status == "uncovered" else change.flagged
        e["baseline_change"] = change.status if change.flagged else None
        e["baseline_power_dbfs"] = change.baseline_power_dbfs
        e["baseline_rise_db"] = change.rise_db
    return {
        "id": reference.id,
        "name": reference.name,
        "created_at": _iso(reference.created_at),
        "emitters": len(reference.emitters),
        "ranges_hz": None if reference.ranges_hz is None else [list(r) for r in reference.ranges_hz],
        "rise_db": rise_db,
        "not_seen_now": len(result.gone),
    }


def _iso(unix: float | None) -> str | None:
    if unix is None:
        return None
    return dt.datetime.fromtimestamp(unix, tz=dt.UTC).isoformat(timespec="seconds")


# --- persistence through appliance.store (the store object is passed in) ---------------------


def latest(store: Any) -> Reference | None:
    """The newest saved baseline, with the ranges of the sweep it was taken from when stored."""
    saved = store.latest_baseline()
    if saved is None:
        return None
    ranges = wifi = None
    if saved.sweep_id is not None:
        record = store.sweep(saved.sweep_id)
        summary = (record.summary or {}) if record is not None else {}
        covered = (summary.get("plan") or {}).get("ranges_hz")
        if covered:
            ranges = [(float(lo), float(hi)) for lo, hi in covered]
        if (summary.get("wifi") or {}).get("state") == "ran":
            wifi = {d["mac"]: d for d in summary["wifi"]["devices"]}
    return Reference(saved.emitters, ranges, saved.id, saved.name, saved.created_at, wifi)


def save(store: Any, doc: dict[str, Any], *, name: str = "", source: str = "cli", sweep_id: int | None = None) -> int:
    """Make a complete sweep (a sweep document, ``appliance.report``) the room's baseline; returns its id.

    ``sweep_id`` names the store's row for that sweep (the session's); without it the document is
    stored first, so the baseline always knows which ranges it covered.
    """
    if not doc.get("complete"):
        raise ValueError("a baseline needs a complete sweep")
    if sweep_id is None:
        sweep_id = store.begin_sweep(source)
        store.finish_sweep(sweep_id, doc)
    return store.save_baseline([_baseline_entry(e) for e in doc["emitters"]], name=name, sweep_id=sweep_id)


def _baseline_entry(emitter: dict[str, Any]) -> dict[str, Any]:
    """An emitter as remembered: the report without this sweep's comparison, evidence and row ids."""
    drop = ("new_since_baseline", "baseline_change", "baseline_power_dbfs", "baseline_rise_db", "evidence", "id")
    return {k: v for k, v in emitter.items() if k not in drop and k != "sweep_id"}
