"""What lives where in the spectrum, and what known systems look like: data, not scattered ifs.

Used by the hop plan (dwell long enough for the band's bursty users) and by the classifier
(which kinds to expect, how plausible a camera link is there, which TDMA frame a burst period
belongs to). Allocations are the European ones with the Americas' 902–928 MHz ISM band added;
nothing here forbids a camera anywhere, it only shifts the prior.
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
    #: how the band shifts the odds that an emitter here is a camera link (log-odds)
    camera_logit: float = 0.0

    def overlaps(self, lo: float, hi: float) -> bool:
        return self.lo_hz < hi and lo < self.hi_hz

    @property
    def span_text(self) -> str:
        return f"{self.lo_hz / 1e6:g}–{self.hi_hz / 1e6:g} MHz"


# Camera bands: wireless CCTV kits and FPV video senders transmit analog FM video at
# 0.9–1.0 GHz and 1.08–1.36 GHz (and at 2.4/5.8 GHz, beyond an RTL-SDR); old AV senders used
# UHF TV channels (AM, VSB). The FM broadcast band cannot hold a video signal's width.
BANDS: tuple[Band, ...] = (
    Band("FM broadcast", 87.5e6, 108e6, ("fm-broadcast",), camera_logit=-3.0),
    Band("airband", 108e6, 137e6, ("carrier",), camera_logit=-1.0),
    Band("2 m amateur", 144e6, 146e6, ("carrier",), camera_logit=-0.5),
    Band("marine VHF", 156e6, 162.05e6, ("carrier",), camera_logit=-1.0),
    Band("DAB", 174e6, 240e6, ("ofdm",), camera_logit=-0.5),
    Band("TETRA", 380e6, 400e6, ("tdma",), camera_logit=-0.5),
    Band("70 cm amateur", 430e6, 440e6, ("carrier",)),
    Band("ISM 433 MHz", 433.05e6, 434.79e6, ("burst",), min_dwell_s=1.05, frame_s=3.4e-3),
    Band("PMR446", 446.0e6, 446.2e6, ("carrier",), camera_logit=-1.0),
    Band("UHF TV", 470e6, 694e6, ("ofdm",)),
    Band("LTE 700 / 800", 694e6, 862e6, ("lte",), camera_logit=-0.5),
    Band("SRD 868 MHz", 863e6, 870e6, ("burst",)),
    Band("GSM-900 uplink", 880e6, 915e6, ("tdma",), min_dwell_s=4.8e-3),
    Band("ISM 915 MHz", 902e6, 928e6, ("burst",)),
    Band("analog video 900 MHz", 900e6, 1010e6, ("analog-video",), camera_band=True, camera_logit=1.0),
    Band("GSM-900 downlink", 925e6, 960e6, ("tdma",)),
    Band("analog video 1.2 GHz", 1.08e9, 1.36e9, ("analog-video",), camera_band=True, camera_logit=1.0),
    Band("Inmarsat", 1.525e9, 1.559e9, ("carrier",), camera_logit=-0.5),
    Band("GNSS", 1.559e9, 1.61e9, (), camera_logit=-0.5),
    Band("Iridium", 1.616e9, 1.6265e9, ("tdma",), camera_logit=-0.5),
    Band("GSM-1800 uplink", 1.71e9, 1.785e9, ("tdma",), min_dwell_s=4.8e-3),
)


def bands_at(lo: float, hi: float | None = None) -> list[Band]:
    """Bands overlapping [lo, hi] (or containing ``lo`` when ``hi`` is omitted)."""
    hi = lo if hi is None else hi
    return [b for b in BANDS if b.lo_hz <= hi and lo <= b.hi_hz]


@dataclass(frozen=True)
class FrameSystem:
    """A time-division system recognisable by the repetition period of its bursts, where it lives."""

    name: str
    period_s: float
    ranges_hz: tuple[tuple[float, float], ...]
    kind: str = "tdma"

    def matches(self, period_s: float, freq_hz: float, tolerance: float = 0.02) -> bool:
        here = any(lo <= freq_hz <= hi for lo, hi in self.ranges_hz)
        return here and abs(period_s / self.period_s - 1.0) <= tolerance


FRAME_SYSTEMS: tuple[FrameSystem, ...] = (
    # 4.615 ms TDMA frame of eight 577 µs slots; GSM-900 (incl. E-GSM and R-GSM) and GSM-1800
    FrameSystem("GSM", 60e-3 / 13, ((876e6, 960e6), (1710e6, 1880e6))),
    FrameSystem("TETRA", 170e-3 / 12, ((380e6, 470e6),)),  # 14.17 ms frame of four slots
    FrameSystem("DMR", 60e-3, ((136e6, 174e6), (403e6, 470e6))),  # one 30 ms slot in every 60 ms
    FrameSystem("Iridium", 90e-3, ((1616e6, 1626.5e6),)),
)

#: LTE schedules a handset's uplink in whole 1 ms subframes
LTE_SUBFRAME_S = 1e-3
