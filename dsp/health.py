"""Is a hop's spectrum what a working tuner delivers?

An R820T whose PLL fails to lock (it happens, mostly high in its range) returns samples that are
not from the requested frequency: typically only the ADC's own noise, far below the receiver
noise every other hop shows, or a repeat of what the last hop saw. Neither raises an error in
librtlsdr, so the sweep checks each hop against its neighbours and retunes when it looks dead.
"""

from __future__ import annotations

import numpy as np

DEAD_BELOW_DB = 8.0  # a working front end's noise never drops this far below the last hops'
STALE_CORRELATION = 0.999  # two different 2 MHz windows never match this closely


def window_floor_db(window: np.ndarray) -> float:
    """Median bin level of a hop's window in dB (robust to emitters in it)."""
    median = float(np.median(window))
    return 10 * np.log10(median) if median > 0 else -300.0


def verdict(window: np.ndarray, recent_floors_db: list[float], previous: np.ndarray | None) -> str | None:
    """None if the hop looks healthy, else why it does not ('dead' or 'stale')."""
    if recent_floors_db:
        reference = float(np.median(recent_floors_db))
        if window_floor_db(window) < reference - DEAD_BELOW_DB:
            return "dead"
    if previous is not None and previous.shape == window.shape:
        a = np.log10(np.maximum(window, 1e-30))
        b = np.log10(np.maximum(previous, 1e-30))
        a, b = a - a.mean(), b - b.mean()
        denom = float(np.sqrt(np.sum(a * a) * np.sum(b * b)))
        if denom > 0 and float(np.sum(a * b)) / denom > STALE_CORRELATION:
            return "stale"
    return None
