"""What an analog camera at one frequency sees: look, plan the tunings, stream, recover.

The look (one window at the camera's frequency) says whether there is video at all (the
classifier's line comb) and whether it is AM or FM. AM needs one window. FM video swings wider
than the window: a quick survey of the neighbourhood gives the occupied span (sync tip to peak
white), ``dsp.picture.fm_tunings`` covers it, and one continuous stream over those tunings
(``Radio.stream``) keeps one timing model across them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dsp import features, psd
from dsp import picture as picmod
from hw.radio import Radio, StreamPart

LOOK_S = 0.25
SURVEY_S = 0.02  # per neighbouring window: enough averages to see the sync tip's share of the swing
SURVEY_NFFT = 256
SURVEY_REACH_HZ = 5e6  # a camera's FM swing stays within ±5 MHz of its carrier
OCCUPIED_DB = 3.0  # a bin is occupied this far above the quietest bins
MAX_TUNINGS = 6
#: Look and listen this far above the camera's frequency: an AM vision carrier tuned dead centre
#: would sit on the dongle's DC spike (and be removed with it); above it, the upper sideband that
#: PAL/NTSC keep whole falls inside the window.
OFF_CENTRE_HZ = 0.3e6


@dataclass(frozen=True)
class Shot:
    """A recovered picture with the capture it came from."""

    picture: picmod.Picture
    freq_hz: float
    tunings_hz: list[float]
    parts: list[StreamPart]
    rate_hz: float

    @property
    def seconds(self) -> float:
        return sum(p.raw.size // 2 for p in self.parts) / self.rate_hz

    def summary(self, out: str | None = None) -> dict:
        """The ``picture --json`` document (DESIGN.md)."""
        pic = self.picture
        return {
            "freq_hz": self.freq_hz,
            "standard": pic.standard,
            "line_rate_hz": round(pic.line_rate_hz, 3),
            "modulation": pic.modulation,
            "tunings_hz": [round(t, 1) for t in self.tunings_hz],
            "seconds": round(self.seconds, 3),
            "frames_averaged": round(pic.frames_averaged, 1),
            "width": int(pic.luma.shape[1]),
            "height": int(pic.luma.shape[0]),
            "quality": round(pic.quality, 3),
            "vertical_sync": pic.vertical_sync,
            "out": out,
        }


def occupied_span(radio: Radio, freq_hz: float) -> tuple[float, float]:
    """The contiguous band around ``freq_hz`` standing above the noise, from a quick survey."""
    fs = radio.sample_rate
    step = 0.8 * fs
    centres = np.arange(freq_hz - SURVEY_REACH_HZ, freq_hz + SURVEY_REACH_HZ + step / 2, step)
    freqs, power = [], []
    keep = np.abs(psd.bin_frequencies(SURVEY_NFFT, fs)) <= 0.4 * fs
    for centre in centres:
        radio.tune(float(centre))
        spectrum = psd.welch(radio.read(round(SURVEY_S * fs)), SURVEY_NFFT)
        freqs.append(psd.bin_frequencies(SURVEY_NFFT, fs, float(centre))[keep])
        power.append(spectrum[keep])
    f, p = np.concatenate(freqs), np.concatenate(power)
    order = np.argsort(f)
    f, p = f[order], p[order]
    floor = float(np.percentile(p, 10))
    busy = 10 * np.log10(np.maximum(p, 1e-30) / max(floor, 1e-30)) >= OCCUPIED_DB
    i = int(np.argmin(np.abs(f - freq_hz)))
    if not busy[i]:
        return freq_hz - fs / 2, freq_hz + fs / 2
    lo = i
    while lo > 0 and busy[lo - 1]:
        lo -= 1
    hi = i
    while hi < f.size - 1 and busy[hi + 1]:
        hi += 1
    return float(f[lo]), float(f[hi])


def look(radio: Radio, freq_hz: float) -> tuple[features.LineComb, str]:
    """The line structure and modulation at ``freq_hz``, or :class:`dsp.picture.NoVideo` (the radio
    is left tuned ``OFF_CENTRE_HZ`` above it)."""
    radio.tune(freq_hz + OFF_CENTRE_HZ)
    fs = radio.sample_rate
    raw = radio.read(round(LOOK_S * fs))
    line = features.measure(raw, fs).line
    if line is None:
        raise picmod.NoVideo(f"no video line structure at {freq_hz / 1e6:.3f} MHz")
    modulation = picmod.modulation_of(picmod.Segment(raw, 0, radio.center_hz).complex(), fs, fs / line.line_rate_hz)
    return line, modulation


def tunings_for(radio: Radio, freq_hz: float, modulation: str) -> list[float]:
    if modulation == "am":
        return [freq_hz + OFF_CENTRE_HZ]
    lo, hi = occupied_span(radio, freq_hz)
    return picmod.fm_tunings(lo, hi, radio.sample_rate)[:MAX_TUNINGS]


def take(radio: Radio, freq_hz: float, seconds: float) -> Shot:
    """The camera's picture from ``seconds`` of radio time spread over the tunings it needs."""
    line, modulation = look(radio, freq_hz)
    tunings = tunings_for(radio, freq_hz, modulation)
    each = round(seconds / len(tunings) * radio.sample_rate)
    parts = radio.stream(tunings, each)
    segments = [picmod.Segment(p.raw, p.start, p.tuned_hz) for p in parts]
    picture = picmod.recover(segments, radio.sample_rate, modulation=modulation, line=line)
    return Shot(picture, freq_hz, tunings, parts, radio.sample_rate)


def write_png(picture: picmod.Picture, path: str | Path) -> None:
    """The picture as an 8-bit grey PNG, square pixels at 4:3."""
    from PIL import Image

    Image.fromarray(picmod.to_8bit(picture.luma)).save(path, format="PNG")
