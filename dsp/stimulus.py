"""Did a camera see the device? A randomisation test of a response series against a stimulus schedule.

The device switches its LED ring (or asks the user to switch the room light) on a balanced
pseudo-random schedule (DESIGN.md "Stimulus schedules"). A camera that sees it sends something
that follows the schedule: an analog camera's picture brightens (its mean instantaneous
frequency or envelope moves), a Wi-Fi camera's encoder spends more or fewer bits. The test:

1. summarise the response in each slot with a median (robust to key frames and rate caps),
   after a lag (auto-exposure settles, encoders buffer) and skipping a guard at each slot start;
2. the statistic is the correlation between the slot medians and the ±1 pattern, the largest
   magnitude over the lags tried (a camera may darken or brighten: two-sided);
3. its p-value comes from the same statistic for many other patterns drawn by the *same*
   generator. The real pattern was drawn at random independently of the room, so under "does not
   see the device" it is just one more draw: the test is exact whatever the series' drift or
   autocorrelation, and the lag search is paid for because every null draw searches the lags too;
4. Holm's step-down correction over the emitters or devices judged in one sweep.

Pure numpy; the schedule's clock is the series' clock (seconds from the first sample for IQ,
the capture's own timestamps for a pcap).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

KINDS = ("ir-ring", "lights")
ALPHA = 0.01  # "responds" at p < ALPHA after the correction
MAX_RUN = 3  # longest run of equal states in a generated pattern: short runs beat slow drifts
PERMUTATIONS = 9999  # p-values down to 1e-4 (enough for ALPHA with Holm over a few dozen devices)
MAX_PATTERN = 10_000


@dataclass(frozen=True)
class Schedule:
    """``pattern[i]`` is the stimulus state during ``[start_s + i*slot_s, start_s + (i+1)*slot_s)``."""

    kind: str
    start_s: float
    slot_s: float
    pattern: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"schedule kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if not (math.isfinite(self.start_s) and math.isfinite(self.slot_s)) or self.slot_s <= 0:
            raise ValueError(
                f"schedule needs a finite start_s and a positive slot_s, got {self.start_s}, {self.slot_s}"
            )
        if not 2 <= len(self.pattern) <= MAX_PATTERN:
            raise ValueError(f"schedule pattern needs 2–{MAX_PATTERN} slots, got {len(self.pattern)}")
        if any(s not in (0, 1) for s in self.pattern):
            raise ValueError("schedule pattern holds 0 and 1 only")
        if len(set(self.pattern)) < 2:
            raise ValueError("schedule pattern never changes state: nothing to test")

    @property
    def end_s(self) -> float:
        return self.start_s + self.slot_s * len(self.pattern)

    @property
    def duration_s(self) -> float:
        return self.slot_s * len(self.pattern)

    def state_at(self, times_s: np.ndarray) -> np.ndarray:
        """The state (0/1) at each time; -1 outside the schedule."""
        t = np.asarray(times_s, dtype=np.float64)
        slot = np.floor((t - self.start_s) / self.slot_s).astype(np.int64)
        inside = (slot >= 0) & (slot < len(self.pattern))
        states = np.full(t.shape, -1, dtype=np.int8)
        states[inside] = np.asarray(self.pattern, dtype=np.int8)[slot[inside]]
        return states

    def shifted(self, seconds: float) -> Schedule:
        """The same schedule in a clock that runs ``seconds`` ahead (e.g. a recording's own)."""
        return Schedule(self.kind, self.start_s + seconds, self.slot_s, self.pattern)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "start_s": self.start_s, "slot_s": self.slot_s, "pattern": list(self.pattern)}

    @classmethod
    def from_json(cls, doc: Any) -> Schedule:
        """Validate a DESIGN.md schedule document (ValueError with one line saying what is wrong)."""
        if not isinstance(doc, dict):
            raise ValueError("a stimulus schedule is a JSON object")
        unknown = set(doc) - {"kind", "start_s", "slot_s", "pattern"}
        if unknown:
            raise ValueError(f"unknown schedule key(s): {', '.join(sorted(unknown))}")
        missing = {"kind", "start_s", "slot_s", "pattern"} - set(doc)
        if missing:
            raise ValueError(f"schedule lacks {', '.join(sorted(missing))}")
        for key in ("start_s", "slot_s"):
            if isinstance(doc[key], bool) or not isinstance(doc[key], int | float):
                raise ValueError(f"schedule {key} must be a number")
        pattern = doc["pattern"]
        if not isinstance(pattern, list) or any(isinstance(s, bool) or not isinstance(s, int) for s in pattern):
            raise ValueError("schedule pattern must be a list of 0 and 1")
        if not isinstance(doc["kind"], str):
            raise ValueError("schedule kind must be a string")
        return cls(doc["kind"], float(doc["start_s"]), float(doc["slot_s"]), tuple(pattern))


def balanced_patterns(count: int, slots: int, rng: np.random.Generator, *, max_run: int = MAX_RUN) -> np.ndarray:
    """``count`` pseudo-random 0/1 patterns (rows, int8) with as many ones as zeros (±1 for an odd
    length) and no run longer than ``max_run``.

    Balance makes the on/off comparison equally precise both ways; short runs keep a slow drift
    (auto-exposure, a cloud) from lining up with the pattern. Each slot draws its state in
    proportion to the ones and zeros still to place, unless that would make a run too long.
    """
    if slots < 2:
        raise ValueError(f"a pattern needs at least 2 slots, got {slots}")
    if max_run < 1:
        raise ValueError(f"max_run must be at least 1, got {max_run}")
    ones = np.full(count, slots // 2, dtype=np.int64)
    if slots % 2:
        ones += rng.integers(0, 2, size=count)
    zeros = slots - ones
    out = np.empty((count, slots), dtype=np.int8)
    last = np.full(count, -1, dtype=np.int64)
    run = np.zeros(count, dtype=np.int64)
    for i in range(slots):
        may_one = (ones > 0) & ~((last == 1) & (run >= max_run))
        may_zero = (zeros > 0) & ~((last == 0) & (run >= max_run))
        share = ones / np.maximum(ones + zeros, 1)
        pick = rng.random(count) < share
        state = np.where(may_one & may_zero, pick, may_one)
        stuck = ~may_one & ~may_zero  # only the over-long state is left: balance wins over the run limit
        state = np.where(stuck, ones > 0, state).astype(np.int8)
        out[:, i] = state
        run = np.where(state == last, run + 1, 1)
        last = state.astype(np.int64)
        ones -= state
        zeros -= 1 - state
    return out


def balanced_pattern(slots: int, rng: np.random.Generator, *, max_run: int = MAX_RUN) -> tuple[int, ...]:
    """One pattern from ``balanced_patterns`` (the pattern a stimulus stage plays)."""
    return tuple(int(s) for s in balanced_patterns(1, slots, rng, max_run=max_run)[0])


def make_schedule(
    kind: str, start_s: float, slot_s: float, slots: int, rng: np.random.Generator, *, max_run: int = MAX_RUN
) -> Schedule:
    """A fresh balanced schedule (what ``roomsweep confirm`` and the sweep's stimulus stages play)."""
    return Schedule(kind, float(start_s), float(slot_s), balanced_pattern(slots, rng, max_run=max_run))


@dataclass(frozen=True)
class Response:
    """How well a response series follows a schedule.

    ``statistic`` is the signed correlation at the best lag; ``p_value`` is the randomisation
    p-value before any correction (``holm`` corrects a sweep's worth of them).
    """

    statistic: float
    lag_s: float
    p_value: float
    slots_used: int

    def to_json(self, p_corrected: float | None = None, *, min_statistic: float = 0.0) -> dict[str, Any]:
        """``min_statistic`` is a closeness floor: a response must also follow the pattern this well
        (|r|), for series that follow *some* pattern strongly (a camera that sees another blinking
        light matches parts of any schedule)."""
        p = self.p_value if p_corrected is None else p_corrected
        return {
            "responds": bool(p < ALPHA and abs(self.statistic) >= min_statistic),
            "p_value": _round_p(p),
            "lag_s": round(self.lag_s, 3),
            "statistic": round(self.statistic, 3),
        }


def slot_medians(
    times_s: np.ndarray, values: np.ndarray, schedule: Schedule, lag_s: float, guard_s: float = 0.0
) -> np.ndarray:
    """Median of ``values`` in each slot shifted by ``lag_s``, skipping ``guard_s`` after each
    slot start; NaN for a slot with no sample."""
    t = np.asarray(times_s, dtype=np.float64) - lag_s - schedule.start_s
    v = np.asarray(values, dtype=np.float64)
    slot = np.floor(t / schedule.slot_s).astype(np.int64)
    into = t - slot * schedule.slot_s
    keep = (slot >= 0) & (slot < len(schedule.pattern)) & (into >= guard_s) & np.isfinite(v)
    out = np.full(len(schedule.pattern), np.nan)
    if not keep.any():
        return out
    slot, v = slot[keep], v[keep]
    order = np.lexsort((v, slot))
    slot, v = slot[order], v[order]
    edges = np.flatnonzero(np.diff(slot)) + 1
    starts = np.concatenate(([0], edges))
    ends = np.concatenate((edges, [slot.size]))
    for a, b in zip(starts, ends, strict=True):
        n = b - a
        mid = a + n // 2
        out[slot[a]] = v[mid] if n % 2 else 0.5 * (v[mid - 1] + v[mid])
    return out


def lag_grid(max_lag_s: float, step_s: float) -> np.ndarray:
    if max_lag_s < 0 or step_s <= 0:
        raise ValueError("lags need max_lag_s >= 0 and a positive step")
    return np.arange(0.0, max_lag_s + step_s / 2, step_s)


def judge_response(
    times_s: np.ndarray,
    values: np.ndarray,
    schedule: Schedule,
    rng: np.random.Generator,
    *,
    max_lag_s: float = 1.5,
    lag_step_s: float | None = None,
    guard_s: float = 0.0,
    permutations: int = PERMUTATIONS,
    min_slots: int = 8,
) -> Response | None:
    """The randomisation test of ``values`` (sampled at ``times_s``) against ``schedule``.

    ``None`` when fewer than ``min_slots`` slots hold data at every lag (nothing to judge:
    the series does not cover the schedule). Null patterns come from ``balanced_pattern`` with
    the schedule's own length, the generator the device plays.
    """
    times_s = np.asarray(times_s, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    if times_s.shape != values.shape or times_s.ndim != 1:
        raise ValueError("times and values must be 1-D arrays of one length")
    lags = lag_grid(max_lag_s, lag_step_s or schedule.slot_s / 4)
    medians = np.stack([slot_medians(times_s, values, schedule, lag, guard_s) for lag in lags])  # lags × slots
    usable = np.isfinite(medians).all(axis=0)
    if usable.sum() < min_slots:
        return None
    m = medians[:, usable]
    m = m - m.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(m, axis=1)
    pattern = np.asarray(schedule.pattern, dtype=np.float64)[usable]
    observed = _correlations(pattern[None, :], m, norms)[0]  # one per lag
    best = int(np.argmax(np.abs(observed)))
    stat = float(observed[best])
    # the null: the same generator's patterns, each searched over the same lags
    null = np.empty(permutations)
    batch = 512
    slots = len(schedule.pattern)
    for first in range(0, permutations, batch):
        count = min(batch, permutations - first)
        draws = balanced_patterns(count, slots, rng).astype(np.float64)[:, usable]
        null[first : first + count] = np.abs(_correlations(draws, m, norms)).max(axis=1)
    exceed = int(np.count_nonzero(null >= abs(stat) - 1e-12))
    p = (1 + exceed) / (permutations + 1)
    return Response(stat, float(lags[best]), p, int(usable.sum()))


def _correlations(patterns: np.ndarray, centred: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """Pearson r of each pattern (rows) with each lag's centred slot medians: patterns × lags."""
    p = patterns - patterns.mean(axis=1, keepdims=True)
    pn = np.linalg.norm(p, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (p @ centred.T) / (pn * norms[None, :])
    return np.nan_to_num(r)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (same order as given), each capped at 1."""
    p = np.asarray(list(p_values), dtype=np.float64)
    m = p.size
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return [float(a) for a in adjusted]


def _round_p(p: float) -> float:
    """Two significant figures: a p-value's precision is its permutation count, not float64's."""
    if p <= 0:
        return 0.0
    return float(f"{p:.2g}")
