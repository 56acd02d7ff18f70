"""kill -9 during sweeps and writes: the database stays intact and completed sweeps stay complete.

The full run (>= 200 kills) is `python -m benchmarks.crash_safety`; this is a short version.
"""

from __future__ import annotations

from benchmarks.crash_safety import run


def test_repeated_kill_9_loses_nothing_completed_and_corrupts_nothing():
    outcome = run(iterations=8, seed=7)
    assert outcome.iterations == 8
    assert outcome.kills_during_sweep >= 2, "the kills must land during sweeps"
    assert len(outcome.reported_complete) >= 3
    assert outcome.corrupt_databases == 0
    assert outcome.lost_completed_sweeps == 0
