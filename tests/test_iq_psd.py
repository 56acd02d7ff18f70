"""Sample conversion and the Welch PSD against a float64 numpy reference."""

from __future__ import annotations

import numpy as np
import pytest

from dsp import iq, psd


def reference_welch(samples: np.ndarray, nfft: int) -> np.ndarray:
    """Textbook Welch in float64: mean removal, periodic Hann, 50 % overlap, FFT-shifted."""
    x = samples.astype(np.complex128)
    x = x - x.mean()
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(nfft) / nfft)
    step = nfft // 2
    segs = np.lib.stride_tricks.sliding_window_view(x, nfft)[::step]
    power = (np.abs(np.fft.fft(segs * w, axis=1)) ** 2).mean(axis=0) / w.sum() ** 2
    return np.fft.fftshift(power)


def test_formats_round_trip_to_full_scale():
    raw = np.array([255, 0, 127, 128], dtype=np.uint8)
    out = iq.to_complex(raw)
    assert out.dtype == np.complex64
    np.testing.assert_allclose(out, [1 - 1j, (-0.5 + 0.5j) / 127.5], rtol=1e-6)
    np.testing.assert_allclose(iq.to_complex(np.array([-128, 64], np.int8)), [-1 + 0.5j])
    np.testing.assert_allclose(iq.to_complex(np.array([16384, -32768], "<i2")), [0.5 - 1j])
    np.testing.assert_allclose(iq.to_complex(np.array([0.25, -0.5], "<f4")), [0.25 - 0.5j])


def test_to_cu8_clips_like_an_adc():
    out = iq.to_cu8(np.array([2 + 0j, -2 - 2j, 0j], np.complex64))
    assert out.tolist() == [255, 128, 0, 0, 128, 128]


def test_odd_number_of_values_is_refused():
    with pytest.raises(ValueError, match="even number"):
        iq.as_interleaved(np.zeros(5, np.uint8))


@pytest.mark.parametrize("nfft", [64, 256, 1024, 4096])
def test_welch_matches_float64_reference_on_a_real_recording(rtl433_recordings, nfft):
    raw = np.fromfile(rtl433_recordings[0], dtype=np.uint8)
    ours = psd.welch(raw, nfft)
    ref = reference_welch(iq.to_complex(raw).astype(np.complex128), nfft)
    diff = np.abs(10 * np.log10(ours / ref))
    diff[nfft // 2] = 0  # every bin but DC
    assert diff.max() < 0.05


@pytest.mark.parametrize("dtype,scale", [(np.int8, 100), ("<i2", 20000), ("<f4", 0.6)])
def test_welch_matches_reference_for_every_raw_format(dtype, scale):
    rng = np.random.default_rng(3)
    n = 50_000
    t = np.arange(n)
    x = 0.8 * np.exp(2j * np.pi * 0.123 * t) + 0.05 * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    raw = np.empty(2 * n, dtype=np.dtype(dtype))
    raw[0::2] = np.round(x.real * scale) if np.dtype(dtype).kind == "i" else x.real * scale
    raw[1::2] = np.round(x.imag * scale) if np.dtype(dtype).kind == "i" else x.imag * scale
    ours = psd.welch(raw, 512)
    ref = reference_welch(iq.to_complex(raw).astype(np.complex128), 512)
    diff = np.abs(10 * np.log10(ours / ref))
    diff[256] = 0
    assert diff.max() < 0.05


def test_full_scale_tone_on_a_bin_reads_zero_dbfs():
    nfft = 256
    t = np.arange(100_000)
    tone = np.exp(2j * np.pi * (10 / nfft) * t).astype(np.complex64)
    p = psd.welch(tone, nfft, remove_dc=False)
    assert np.argmax(p) == nfft // 2 + 10
    assert abs(10 * np.log10(p.max())) < 0.01


def test_white_noise_bin_level_follows_the_window_gain():
    rng = np.random.default_rng(0)
    noise = (rng.standard_normal(400_000) + 1j * rng.standard_normal(400_000)).astype(np.complex64) * 0.1
    p = psd.welch(noise, 256)
    expected = 0.02 * psd.noise_bin_gain(256)
    assert abs(10 * np.log10(np.median(p) / expected)) < 0.2


def test_large_inputs_take_the_parallel_path_and_agree():
    rng = np.random.default_rng(1)
    raw = rng.integers(90, 166, 2 * 600_000, dtype=np.uint8)
    big = psd.welch(raw, 256)  # > _PARALLEL_MIN_SEGMENTS segments
    ref = reference_welch(iq.to_complex(raw).astype(np.complex128), 256)
    diff = np.abs(10 * np.log10(big / ref))
    diff[128] = 0
    assert diff.max() < 0.05


def test_frames_are_per_frame_welch_estimates():
    rng = np.random.default_rng(2)
    raw = rng.integers(100, 156, 2 * 40_960, dtype=np.uint8)
    frames = psd.frames(raw, 256, 8192, remove_dc=False)
    assert frames.shape == (5, 256)
    second = psd.welch(raw[2 * 8192 : 2 * 16384], 256, remove_dc=False)
    np.testing.assert_allclose(frames[1], second, rtol=1e-4)


def test_psd_rejects_bad_sizes():
    with pytest.raises(ValueError, match="power of two"):
        psd.welch(np.zeros(4096, np.uint8), 300)
    with pytest.raises(ValueError, match="at least nfft"):
        psd.welch(np.zeros(100, np.uint8), 256)
