"""The record index of a classic pcap body: where each captured frame starts, its lengths and its time.

Pure byte walking (the file is read by ``hw.wifi.pcap``): a loop over the 16-byte record headers in one
Numba kernel, so indexing keeps pace with :func:`dsp.dot11.parse` on a busy capture.
"""

from __future__ import annotations

import numpy as np
from numba import njit

RECORD_HEADER = 16
MORE, END, CUT = 0, 1, 2  # what stopped the walk: the batch is full, the file ended cleanly, it ends mid-record


@njit(cache=True, inline="always")
def _u32(buf, p, big_endian):
    if big_endian:
        return (np.int64(buf[p]) << 24) | (np.int64(buf[p + 1]) << 16) | (np.int64(buf[p + 2]) << 8) | buf[p + 3]
    return (np.int64(buf[p + 3]) << 24) | (np.int64(buf[p + 2]) << 16) | (np.int64(buf[p + 1]) << 8) | buf[p]


@njit(cache=True)
def _walk(buf, pos, big_endian, tick, offsets, caplens, origlens, times):
    n = 0
    size = buf.shape[0]
    while n < offsets.shape[0]:
        if pos == size:
            return n, pos, END
        if pos + RECORD_HEADER > size:
            return n, pos, CUT
        cap = _u32(buf, pos + 8, big_endian)
        if pos + RECORD_HEADER + cap > size:
            return n, pos, CUT
        times[n] = _u32(buf, pos, big_endian) + _u32(buf, pos + 4, big_endian) * tick
        offsets[n] = pos + RECORD_HEADER
        caplens[n] = cap
        origlens[n] = max(_u32(buf, pos + 12, big_endian), cap)
        pos += RECORD_HEADER + cap
        n += 1
    return n, pos, MORE


def records(
    buf: np.ndarray, pos: int, *, big_endian: bool, nanoseconds: bool, limit: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int]:
    """Up to ``limit`` records from byte ``pos``: (offsets, caplens, origlens, times, next pos, MORE/END/CUT)."""
    offsets, caplens, origlens = (np.empty(limit, np.int64) for _ in range(3))
    times = np.empty(limit, np.float64)
    n, pos, status = _walk(buf, pos, big_endian, 1e-9 if nanoseconds else 1e-6, offsets, caplens, origlens, times)
    return offsets[:n], caplens[:n], origlens[:n], times[:n], int(pos), int(status)
