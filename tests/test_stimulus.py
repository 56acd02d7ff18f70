"""The stimulus test: schedules, balanced patterns, the randomisation p-value, Holm's correction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsp import stimulus


def _series(schedule, rng, *, effect, lag_s=0.0, rate_hz=12.5, noise=1.0, drift=0.0, key_every=None):
    """A per-frame response (e.g. frame sizes) that follows the schedule by ``effect`` after ``lag_s``."""
    t = np.arange(schedule.start_s - 1.0, schedule.end_s + 2.0, 1 / rate_hz)
    state = schedule.state_at(t - lag_s).astype(float)
    state[state < 0] = 0.0
    v = 10.0 + effect * state + noise * rng.standard_normal(t.size) + drift * np.sin(2 * np.pi * t / 17.0)
    if key_every:  # key frames: rare, huge, regular
        v[::key_every] += 40.0
    return t, v


def test_schedule_json_round_trip_and_states():
    doc = {"kind": "ir-ring", "start_s": 1.0, "slot_s": 0.5, "pattern": [1, 0, 0, 1]}
    sched = stimulus.Schedule.from_json(doc)
    assert sched.to_json() == doc
    assert sched.end_s == pytest.approx(3.0)
    assert list(sched.state_at(np.array([0.9, 1.0, 1.49, 1.5, 2.6, 3.0]))) == [-1, 1, 1, 0, 1, -1]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "JSON object"),
        ({"kind": "ir-ring", "start_s": 0, "slot_s": 0.2}, "lacks pattern"),
        ({"kind": "ir-ring", "start_s": 0, "slot_s": 0.2, "pattern": [1, 0], "x": 1}, "unknown schedule key"),
        ({"kind": "laser", "start_s": 0, "slot_s": 0.2, "pattern": [1, 0]}, "kind must be one of"),
        ({"kind": "ir-ring", "start_s": 0, "slot_s": 0, "pattern": [1, 0]}, "positive slot_s"),
        ({"kind": "ir-ring", "start_s": "0", "slot_s": 0.2, "pattern": [1, 0]}, "start_s must be a number"),
        ({"kind": "ir-ring", "start_s": 0, "slot_s": 0.2, "pattern": [1, 2]}, "0 and 1 only"),
        ({"kind": "ir-ring", "start_s": 0, "slot_s": 0.2, "pattern": [True, False]}, "list of 0 and 1"),
        ({"kind": "ir-ring", "start_s": 0, "slot_s": 0.2, "pattern": [1, 1, 1]}, "never changes"),
        ({"kind": "lights", "start_s": 0, "slot_s": 0.2, "pattern": [1]}, "2–"),
    ],
)
def test_schedule_refuses_malformed_documents(doc, message):
    with pytest.raises(ValueError, match=message):
        stimulus.Schedule.from_json(doc)


@settings(max_examples=60, deadline=None)
@given(slots=st.integers(2, 120), max_run=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_balanced_patterns_are_balanced_with_short_runs(slots, max_run, seed):
    rows = stimulus.balanced_patterns(50, slots, np.random.default_rng(seed), max_run=max_run)
    ones = rows.sum(axis=1)
    assert np.all(np.abs(ones - slots / 2) <= 0.5)
    for row in rows:
        runs = np.diff(np.flatnonzero(np.diff(np.r_[-1, row, -1]) != 0))
        # the run limit holds except where only the over-long state was left to place (at the end)
        assert runs[:-1].max(initial=0) <= max_run


def test_patterns_differ_from_draw_to_draw():
    rows = stimulus.balanced_patterns(200, 40, np.random.default_rng(1))
    assert len({tuple(r) for r in rows}) == 200


def test_a_following_series_responds_at_its_lag():
    rng = np.random.default_rng(7)
    sched = stimulus.make_schedule("ir-ring", 0.0, 1.0, 40, rng)
    t, v = _series(sched, rng, effect=-1.5, lag_s=0.5, key_every=25)
    result = stimulus.judge_response(t, v, sched, np.random.default_rng(8), max_lag_s=1.5)
    assert result is not None
    assert result.p_value < 0.001
    assert result.statistic < -0.5  # darker (fewer bits) while lit
    assert result.lag_s == pytest.approx(0.5, abs=0.25)
    assert result.to_json()["responds"] is True


def test_unrelated_series_rarely_respond_even_when_drifting():
    false = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        sched = stimulus.make_schedule("ir-ring", 0.0, 1.0, 40, rng)
        other = stimulus.make_schedule("ir-ring", 0.0, 1.0, 40, rng)  # the camera followed something else
        t, v = _series(other, rng, effect=3.0, drift=2.0, key_every=25)
        result = stimulus.judge_response(t, v, sched, np.random.default_rng(seed + 1000), permutations=999)
        false += result.p_value < stimulus.ALPHA
    assert false <= 4  # 1 expected at alpha = 0.01


def test_a_series_outside_the_schedule_is_not_judged():
    sched = stimulus.Schedule("lights", 100.0, 1.0, (1, 0) * 10)
    t = np.arange(0, 50, 0.1)
    assert stimulus.judge_response(t, np.ones_like(t), sched, np.random.default_rng(0)) is None


def test_guard_skips_samples_after_each_switch():
    sched = stimulus.Schedule("ir-ring", 0.0, 1.0, (1, 0, 1, 0))
    t = np.array([0.05, 0.6, 1.05, 1.6, 2.05, 2.6, 3.05, 3.6])
    v = np.array([99, 1, 99, 2, 99, 3, 99, 4.0])
    assert list(stimulus.slot_medians(t, v, sched, 0.0, guard_s=0.1)) == [1, 2, 3, 4]


def test_holm_matches_the_textbook_example():
    assert stimulus.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert stimulus.holm([]) == []
    assert stimulus.holm([0.9, 0.8]) == pytest.approx([1.0, 1.0])


def test_a_closeness_floor_keeps_a_weak_match_from_responding():
    from dsp.stimulus import Response

    weak, close = Response(0.5, 0.0, 0.001, 20), Response(-0.7, 0.0, 0.001, 20)
    assert weak.to_json()["responds"] is True  # no floor: the p-value alone
    assert weak.to_json(min_statistic=0.6)["responds"] is False
    assert close.to_json(min_statistic=0.6)["responds"] is True  # either sign: a camera may darken
