"""Sweep spectra as rtl_power CSV rows, so existing heat-map tools read them.

rtl_power's row: ``date, time, Hz low, Hz high, Hz step, samples, dB, dB, ...`` with ", "
separators, integer Hz edges, the bin width and dB values to two decimals, the number of
averaged FFTs as ``samples``, one row per hop, and (a quirk tools such as heatmap.py rely on)
the last dB value printed twice, so a row has bins + 1 values spanning low..high inclusive.
"""

from __future__ import annotations

import time
from typing import TextIO

import numpy as np

from dsp import plan as planmod
from dsp import psd


def write_rows(out: TextIO, plan: planmod.Plan, spectrum: planmod.Spectrum, when: float | None = None) -> int:
    """Write one row per measured hop; returns the number of rows."""
    stamp = time.strftime("%Y-%m-%d, %H:%M:%S", time.localtime(when))
    rows = 0
    for hop in plan.hops:
        sel = spectrum.hop_of_bin == hop.index
        levels = spectrum.mean[sel]
        if levels.size == 0 or not np.isfinite(levels).all():
            continue
        lo, hi = plan.hop_span(hop)
        db = psd.to_db(levels)
        values = ", ".join(f"{v:.2f}" for v in db) + f", {db[-1]:.2f}"
        samples = psd.segment_count(hop.dwell_samples, plan.nfft)
        out.write(f"{stamp}, {int(lo)}, {int(hi)}, {plan.bin_hz:.2f}, {samples}, {values}\n")
        rows += 1
    return rows
