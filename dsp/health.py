"""Is a hop's spectrum what a working tuner delivers?

An R820T whose PLL fails to lock (it happens, mostly high in its range) returns samples that are
not from the requested frequency: typically only the ADC's own noise, far below the receiver
noise every other hop shows, or a repeat of what the last hop saw. Neither raises an error in
librtlsdr, so the sweep checks each hop against its neighbours and retunes when it looks dead.
"""

from __future__ import annotations

import numpy as np

DEAD_BELOW_DB = 8.0  # a working front end's noise never drops this far below the quietest recent hop
DEAD_MAX_PEAK_DB = 10.0  # ADC noise is flat: a window with an emitter this far up is alive (AGC backed off)
STALE_CORRELATION = 0.999  # two different 2 MHz windows never match this closely


def window_floor_db(window: np.ndarray) -> float:
    """Median bin level of a hop's window in dB (robust to emitters in it)."""
    median = float(np.median(window))
    return 10 * np.log10(median) if median > 0 else -300.0


def verdict(window: np.ndarray, recent_floors_db: list[float], previous: np.ndarray | None) -> str | None:
    """None if the hop looks healthy, else why it does not ('dead' or 'stale').

    Dead is judged against the *quietest* recent hop, so leaving a busy band (FM broadcast raises
    every bin's median) for quiet spectrum is not mistaken for a tuner that went deaf.
    """
    if recent_floors_db:
        floor_db = window_floor_db(window)
        reference = float(np.min(recent_floors_db))
        peak_db = 10 * np.log10(float(np.max(window))) if float(np.max(window)) > 0 else -300.0
        if floor_db < reference - DEAD_BELOW_DB and peak_db - floor_db < DEAD_MAX_PEAK_DB:
            return "dead"
    if previous is not None and previous.shape == window.shape:
        a = np.log10(np.maximum(window, 1e-30))
        b = np.log10(np.maximum(previous, 1e-30))
        a, b = a - a.mean(), b - b.mean()
        denom = float(np.sqrt(np.sum(a * a) * np.sum(b * b)))
        if denom > 0 and float(np.sum(a * b)) / denom > STALE_CORRELATION:
            return "stale"
    return None
