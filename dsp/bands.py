"""What lives where in the spectrum: allocations as data, not scattered ifs.

Used by the hop plan (dwell long enough for the band's bursty users) and by the classifier
(prior beliefs about a signal's kind, and how plausible a camera link is there).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    name: str
    lo_hz: float
    hi_hz: float
    #: kinds commonly found here, most likely first
    kinds: tuple[str, ...] = ()
    #: analog video senders are sold for this band
    camera_band: bool = False
    #: a survey hop here dwells at least this long (catches TDMA frames / periodic bursts)
    min_dwell_s: float = 0.0
    #: split long dwells into frames this long for peak-hold (0 = one frame)
    frame_s: float = 0.0

    def overlaps(self, lo: float, hi: float) -> bool:
        return self.lo_hz < hi and lo < self.hi_hz


BANDS: tuple[Band, ...] = (
    Band("FM broadcast", 87.5e6, 108e6, ("fm-broadcast",)),
    Band("airband", 108e6, 137e6, ("carrier",)),
    Band("DAB", 174e6, 240e6, ("ofdm",)),
    Band("ISM 433 MHz", 433.05e6, 434.79e6, ("burst",), min_dwell_s=1.05, frame_s=3.4e-3),
    Band("PMR446", 446.0e6, 446.2e6, ("carrier",)),
    Band("UHF TV", 470e6, 694e6, ("ofdm",)),
    Band("LTE 800 / 700", 694e6, 862e6, ("ofdm", "tdma")),
    Band("SRD 868 MHz", 863e6, 870e6, ("burst",)),
    Band("GSM-900 uplink", 880e6, 915e6, ("tdma",), min_dwell_s=4.8e-3),
    Band("ISM 915 MHz", 902e6, 928e6, ("burst",)),
    Band("analog video 900 MHz", 900e6, 1010e6, ("analog-video",), camera_band=True),
    Band("GSM-900 downlink", 925e6, 960e6, ("tdma",)),
    Band("analog video 1.2 GHz", 1.08e9, 1.36e9, ("analog-video",), camera_band=True),
    Band("GNSS", 1.559e9, 1.61e9, ()),
    Band("GSM-1800 uplink", 1.71e9, 1.785e9, ("tdma",), min_dwell_s=4.8e-3),
)


def bands_at(lo: float, hi: float | None = None) -> list[Band]:
    """Bands overlapping [lo, hi] (or containing ``lo`` when ``hi`` is omitted)."""
    hi = lo if hi is None else hi
    return [b for b in BANDS if b.lo_hz <= hi and lo <= b.hi_hz]
