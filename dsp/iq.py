"""IQ sample formats: raw interleaved SDR samples to complex64 and back, DC removal.

Samples are normalised to *full scale*: a complex tone that just reaches the ADC's limits has
amplitude 1.0, i.e. 0 dBFS. Every spectrum in the project uses this scale.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# Interleaved I/Q formats, by their conventional SDR file suffix.
SAMPLE_DTYPES: dict[str, np.dtype] = {
    "cu8": np.dtype(np.uint8),  # RTL-SDR native, offset binary around 127.5
    "cs8": np.dtype(np.int8),  # HackRF native
    "cs16": np.dtype("<i2"),  # many SDRs, hacktv, SigMF ci16_le
    "cf32": np.dtype("<f4"),  # GNU Radio, SigMF cf32_le
}
FORMATS = tuple(SAMPLE_DTYPES)

# (offset, scale): full-scale value = (raw - offset) * scale
_NORMALISE: dict[str, tuple[float, float]] = {
    "cu8": (127.5, 1.0 / 127.5),
    "cs8": (0.0, 1.0 / 128.0),
    "cs16": (0.0, 1.0 / 32768.0),
    "cf32": (0.0, 1.0),
}


def format_of(raw: np.ndarray) -> str:
    """Name the interleaved format of a raw sample array from its dtype."""
    for name, dtype in SAMPLE_DTYPES.items():
        if raw.dtype == dtype or (raw.dtype.kind == dtype.kind and raw.dtype.itemsize == dtype.itemsize):
            return name
    raise ValueError(f"no IQ format stores samples as {raw.dtype}")


def normalisation(fmt: str) -> tuple[float, float]:
    """(offset, scale) that map a raw value of ``fmt`` to full-scale units."""
    try:
        return _NORMALISE[fmt]
    except KeyError:
        raise ValueError(f"unknown IQ format {fmt!r}; expected one of {', '.join(FORMATS)}") from None


def as_interleaved(samples: np.ndarray) -> np.ndarray:
    """View any IQ array as a flat interleaved real array (complex64 becomes float32 pairs)."""
    if np.iscomplexobj(samples):
        return np.ascontiguousarray(samples, dtype=np.complex64).view(np.float32)
    if samples.ndim != 1:
        samples = samples.reshape(-1)
    if samples.size % 2:
        raise ValueError(f"interleaved IQ needs an even number of values, got {samples.size}")
    return samples


def to_complex(raw: np.ndarray) -> np.ndarray:
    """Interleaved raw samples (any of ``FORMATS``) to complex64 in full-scale units."""
    if np.iscomplexobj(raw):
        return np.asarray(raw, dtype=np.complex64)
    raw = as_interleaved(raw)
    offset, scale = normalisation(format_of(raw))
    pairs = raw.reshape(-1, 2).astype(np.float32)
    out = np.empty(pairs.shape[0], dtype=np.complex64)
    out.real = (pairs[:, 0] - offset) * scale
    out.imag = (pairs[:, 1] - offset) * scale
    return out


def to_cu8(iq: np.ndarray) -> np.ndarray:
    """Quantise complex full-scale samples the way an RTL-SDR's 8-bit ADC does (with clipping)."""
    iq = np.asarray(iq, dtype=np.complex64)
    out = np.empty(2 * iq.size, dtype=np.float32)
    out[0::2] = iq.real
    out[1::2] = iq.imag
    out *= 127.5
    out += 127.5
    np.rint(out, out=out)
    np.clip(out, 0.0, 255.0, out=out)
    return out.astype(np.uint8)


def remove_dc(iq: np.ndarray) -> np.ndarray:
    """Subtract the block mean: the RTL-SDR's LO leakage is a near-constant offset."""
    iq = np.asarray(iq, dtype=np.complex64)
    return iq - iq.mean(dtype=np.complex128).astype(np.complex64)


def channel_means(raw: np.ndarray) -> tuple[float, float]:
    """Mean of the raw I and Q values of an interleaved block (the DC offset, in raw units)."""
    src = as_interleaved(raw)
    if src.size == 0:
        raise ValueError("no samples")
    return _channel_means(np.ascontiguousarray(src))


@njit(cache=True)
def _channel_means(src):  # pragma: no cover - compiled
    si = 0.0
    sq = 0.0
    for k in range(0, src.size, 2):
        si += src[k]
        sq += src[k + 1]
    half = src.size // 2
    return si / half, sq / half


def retuned_spectrum(spectrum: np.ndarray, out_bins: int, shift_bins: int) -> np.ndarray:
    """What a receiver window of ``out_bins`` bins sees of a signal whose FFT is ``spectrum``
    (numpy order, same bin spacing), the signal moved up by ``shift_bins`` bins.

    A real tuner's filters remove what falls outside the window, and what lies beyond the signal's
    own band is empty: nothing wraps round to the other edge, however far the window is retuned.
    """
    n = spectrum.size
    window = np.arange(-(out_bins // 2), out_bins - out_bins // 2)
    source = window - shift_bins
    inside = (source >= -(n // 2)) & (source < n - n // 2)
    out = np.zeros(out_bins, np.complex64)
    out[window[inside] % out_bins] = spectrum[source[inside] % n]
    return out
