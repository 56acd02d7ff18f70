"""Load on loopback while the daemon sweeps: API latency, SSE fairness, no dropped hop.

The full 60 s run is `python -m benchmarks.load`, which also measures the latency percentiles
(speed is measured there, not asserted here); this 10 s version checks the behaviour under load.
"""

from __future__ import annotations

import pytest

from benchmarks.load import run


@pytest.mark.slow
def test_twenty_clients_and_four_streams_during_a_real_time_sweep():
    summary = run(seconds=10, clients=20, streams=4).summary()
    assert summary["errors"] == 0
    assert summary["requests"] > 500
    counts = summary["stream_events"]
    # streams join a few events apart; a starved one would lag by far more than 2 %
    assert len(counts) == 4 and min(counts) > 100 and max(counts) - min(counts) <= max(2, 0.02 * max(counts)), counts
    assert summary["sweeps_complete"] >= 1 and summary["sweeps_with_dropped_hops"] == 0
