"""What an RTL-SDR makes of a signal: a 2.4 MHz window of a wideband render, with the dongle's flaws.

Tests and benchmarks build realistic captures from reference signals (hacktv video, synthetic
decoys): the carrier anywhere in the window, a chosen in-window SNR, the tuner's roll-off, a DC
offset (LO leakage), IQ gain and phase imbalance, gain control and 8-bit quantisation.

In-window SNR is the signal's power inside the receiver window (after the tuner's roll-off)
over the receiver noise's power in the same window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dsp import iq as iqmod
from hw.sim.radio import tuner_response

RTL_RATE_HZ = 2.4e6


class Wideband:
    """A complex baseband render at a high rate, from which receiver windows are cut.

    The FFT of the whole render is taken once; each window picks the bins it sees, applies the
    tuner's response and transforms back at the receiver's rate (band-limited resampling).
    """

    def __init__(self, samples: np.ndarray, rate_hz: float) -> None:
        self.samples = np.asarray(samples, dtype=np.complex64)
        self.rate_hz = float(rate_hz)
        self._spectrum: np.ndarray | None = None

    @property
    def seconds(self) -> float:
        return self.samples.size / self.rate_hz

    def window(self, offset_hz: float, rate_hz: float = RTL_RATE_HZ, delay_s: float = 0.0) -> np.ndarray:
        """The receiver's view with the render's 0 Hz at ``offset_hz`` from the window centre.

        ``offset_hz`` is rounded to the render's frequency resolution (1 / duration); ``delay_s``
        starts the receiver's samples that much after the render's first (a fraction of a render
        sample keeps a stream cut from consecutive pieces on one sample clock).
        """
        n = self.samples.size
        m = round(n * rate_hz / self.rate_hz)
        if self._spectrum is None:
            self._spectrum = np.fft.fft(self.samples)
        out_freqs = np.fft.fftfreq(m, 1.0 / rate_hz)
        shift = round(offset_hz * self.seconds)
        spec = iqmod.retuned_spectrum(self._spectrum, m, shift) * tuner_response(out_freqs, rate_hz) * (m / n)
        if delay_s:
            spec = spec * np.exp(2j * np.pi * (out_freqs - shift / self.seconds) * delay_s)
        return np.fft.ifft(spec).astype(np.complex64)


@dataclass(frozen=True)
class Impairments:
    """The dongle's flaws, in full-scale units after gain control."""

    dc: complex = complex(0.015, -0.01)  # LO leakage: a few LSB
    iq_gain_db: float = 0.4  # I/Q amplitude mismatch
    iq_phase_deg: float = 2.0  # I/Q quadrature error
    level_dbfs: float = -12.0  # RMS level the gain control settles on

    @classmethod
    def random(cls, rng: np.random.Generator) -> Impairments:
        """Flaws in the range real R820T dongles show."""
        return cls(
            dc=complex(*rng.uniform(-0.03, 0.03, 2)),
            iq_gain_db=float(rng.uniform(-0.8, 0.8)),
            iq_phase_deg=float(rng.uniform(-4, 4)),
            level_dbfs=float(rng.uniform(-18, -8)),
        )


def capture(
    signal: np.ndarray,
    snr_db: float,
    rng: np.random.Generator,
    impairments: Impairments | None = None,
    rate_hz: float = RTL_RATE_HZ,
    signal_power: float | None = None,
) -> np.ndarray:
    """Interleaved uint8 IQ as an RTL-SDR delivers it: ``signal`` (already in-window) plus noise.

    ``snr_db`` sets the receiver noise against ``signal_power`` (default: the signal's mean
    in-window power; pass the power while on for bursty signals); a signal of zero power gives a
    noise-only capture.
    """
    imp = impairments or Impairments()
    x = np.asarray(signal, dtype=np.complex64)
    p_signal = float(np.mean(np.abs(x) ** 2)) if signal_power is None else float(signal_power)
    freqs = np.fft.fftfreq(x.size, 1.0 / rate_hz)
    response = tuner_response(freqs, rate_hz)
    noise = np.fft.fft(rng.standard_normal(x.size) + 1j * rng.standard_normal(x.size))
    noise = np.fft.ifft(noise * response).astype(np.complex64)
    p_noise = float(np.mean(np.abs(noise) ** 2))
    if p_signal > 0:
        noise *= np.sqrt(p_signal / 10 ** (snr_db / 10) / p_noise)
        total = x + noise
    else:
        total = noise
    total *= np.float32(10 ** (imp.level_dbfs / 20) / np.sqrt(np.mean(np.abs(total) ** 2)))
    gain = 10 ** (imp.iq_gain_db / 20)
    phase = np.deg2rad(imp.iq_phase_deg)
    i, q = total.real, total.imag
    skewed = (i + 1j * gain * (q * np.cos(phase) - i * np.sin(phase))).astype(np.complex64)
    return iqmod.to_cu8(skewed + np.complex64(imp.dc))
