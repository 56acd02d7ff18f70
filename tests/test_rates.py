"""Any sample rate from 0.25 to 20 MS/s goes through ``analyze``, the SigMF reader and the features.

HackRF recordings come at 4, 8, 10, 12.5 or 20 MS/s; a decimation with a prime factor above 5
once left the feature block 13 samples long. Every rate here carries emitters, so the features
are really measured (nothing is skipped because nothing was detected).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from appliance.analyze import analyze
from dsp import features
from hw import recording
from hw.sim import hacktv

PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31)
COMPOSITES = (4, 6, 9, 14, 15, 21, 22, 26, 33)
STEP_HZ = 600e3


def synthetic_room(rate_hz: float, seconds: float, seed: int) -> np.ndarray:
    """Noise, a steady carrier, an OOK burst train and a wide noise-like signal, at ``rate_hz``."""
    rng = np.random.default_rng(seed)
    n = round(rate_hz * seconds)
    t = np.arange(n) / rate_hz
    x = 0.01 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    x += 0.3 * np.exp(2j * np.pi * 0.13 * rate_hz * t)
    keyed = (np.mod(t, 4e-3) < 1e-3).astype(float)
    x += 0.3 * keyed * np.exp(2j * np.pi * -0.21 * rate_hz * t)
    spec = np.fft.fft(rng.standard_normal(n) + 1j * rng.standard_normal(n))
    freqs = np.fft.fftfreq(n, 1 / rate_hz)
    spec[np.abs(freqs + 0.05 * rate_hz) > 0.06 * rate_hz] = 0
    x += 0.05 * np.fft.ifft(spec)
    return x.astype(np.complex64)


def write_cf32(path, x: np.ndarray) -> None:
    out = np.empty(2 * x.size, np.float32)
    out[0::2], out[1::2] = x.real, x.imag
    out.tofile(path)


def test_decimation_has_only_small_prime_factors_and_lands_near_600k():
    for rate in np.linspace(0.25e6, 20e6, 400):
        decim = features.analysis_decimation(rate)
        assert features.is_smooth(decim)
        if decim > 1:
            assert 0.75 * features.ANALYSIS_RATE_HZ <= rate / decim <= 1.34 * features.ANALYSIS_RATE_HZ
    assert features.analysis_decimation(2.4e6) == 4  # the sweep's own rate: unchanged


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(
    rate_hz=st.one_of(
        st.sampled_from([k * STEP_HZ for k in PRIMES + COMPOSITES]),
        st.floats(0.25e6, 20e6, allow_nan=False),
    ),
    seed=st.integers(0, 2**16),
)
@example(rate_hz=8e6, seed=1)
@example(rate_hz=10e6, seed=2)
@example(rate_hz=12.5e6, seed=3)
@example(rate_hz=20e6, seed=4)
@example(rate_hz=4e6, seed=5)
@example(rate_hz=0.25e6, seed=6)
def test_analyze_never_raises_at_any_rate(tmp_path, rate_hz, seed):
    path = tmp_path / "room.cf32"
    write_cf32(path, synthetic_room(rate_hz, 0.03, seed))
    doc = analyze(path, rate_hz=rate_hz, center_hz=433.92e6)
    assert doc["source"]["rate_hz"] == rate_hz
    assert doc["emitters"], "the carrier at +13 % of the rate is detected"
    carrier = 433.92e6 + 0.13 * rate_hz
    assert any(abs(e["freq_hz"] - carrier) < 2 * rate_hz / 256 for e in doc["emitters"]), doc["emitters"]
    assert not [e for e in doc["emitters"] if e["camera_score"] >= 0.5]


def test_block_measures_every_emitter_at_hackrf_rates():
    for rate in (4e6, 8e6, 10e6, 12.5e6, 20e6):
        block = features.Block(synthetic_room(rate, 0.03, 7), rate)
        assert block.x.size > 0.9 * 0.03 * rate  # the block keeps nearly all its samples
        narrow = block.measure(0.13 * rate, 20e3)
        wide = block.measure(-0.05 * rate, 0.12 * rate)
        assert narrow.line is None and wide.line is None
        assert narrow.bursts.duty_cycle == pytest.approx(1.0, abs=0.05)


def test_hacktv_sigmf_recording_at_8_msps_analyses_as_one_pal_camera(tmp_path):
    """A PAL FM camera rendered by hacktv at 8 MS/s (a HackRF rate), stored as SigMF."""
    if not hacktv.available():
        pytest.fail("hacktv is missing: apt-get install hacktv (listed in .ci/apt-packages.txt)")
    rate = 8e6
    x = hacktv.render("PAL", "fm", 0.25, deviation_hz=6e6, rate_hz=rate, cache_dir=tmp_path)
    raw = np.clip(np.rint(np.stack([x.real, x.imag], axis=1).ravel() * 100), -127, 127).astype(np.int8)
    meta = recording.write_sigmf(tmp_path / "camera", raw, rate_hz=rate, center_hz=1280e6, description="hacktv PAL FM")
    doc = analyze(meta)
    assert doc["source"]["format"] == "cs8" and doc["source"]["rate_hz"] == rate
    suspects = [e for e in doc["emitters"] if e["camera_score"] >= 0.5]
    assert len(suspects) == 1, doc["emitters"]
    assert suspects[0]["standard"] == "PAL"
    assert suspects[0]["line_rate_hz"] == pytest.approx(15625.0, rel=1e-3)
    assert abs(suspects[0]["freq_hz"] - 1280e6) < 1.5e6
