"""The simulated receiver window is faithful: shifted, band-limited to the window, resampled.

What lies outside the window never wraps in at the other edge (a phantom emitter in another
hop), and a recording far wider than the window (a 16 MS/s render) can be retuned across.
"""

from __future__ import annotations

import numpy as np
import pytest

from dsp import psd
from hw.sim import emitters
from hw.sim import scene as scenemod
from hw.sim.radio import SimRadio

FS = 2.4e6
NFFT = 1024


def tones_recording(tmp_path, rate_hz: float, offsets_hz: list[float], seconds: float = 0.05):
    """A cf32 file holding equal tones at ``offsets_hz`` from its centre (whole cycles: a clean loop)."""
    n = round(rate_hz * seconds)
    t = np.arange(n) / rate_hz
    x = sum(np.exp(2j * np.pi * (round(f * seconds) / seconds) * t) for f in offsets_hz) / len(offsets_hz)
    out = np.empty(2 * n, np.float32)
    out[0::2], out[1::2] = x.real, x.imag
    path = tmp_path / "tones.cf32"
    out.tofile(path)
    return path


def recording_model(path, rate_hz: float, freq_hz: float = 1000e6) -> emitters.Recording:
    doc = {"kind": "recording", "freq_hz": freq_hz, "power_dbfs": -30, "path": str(path), "format": "cf32"}
    scene = scenemod.parse({"emitters": [{**doc, "rate_hz": rate_hz}]})
    return emitters.build(scene)[0]


def spectrum(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return psd.bin_frequencies(NFFT, FS), psd.welch(x.astype(np.complex64), NFFT)


def power_near(x: np.ndarray, freq_hz: float, span_hz: float = 20e3) -> float:
    freqs, power = spectrum(x)
    return float(power[np.abs(freqs - freq_hz) <= span_hz].sum())


def test_a_wide_recording_can_be_retuned_across(tmp_path):
    model = recording_model(tones_recording(tmp_path, 16e6, [5e6, -3e6]), 16e6)
    t = np.arange(60_000) / FS
    total = power_near(model.render(t, FS, 0.0), 0.0, FS / 2)
    assert total < 1e-6, "both tones are outside a window on the recording's centre: nothing wraps in"
    up = model.render(t, FS, -4.7e6)  # tuned 4.7 MHz above the centre: the +5 MHz tone at +0.3 MHz
    down = model.render(t, FS, 3.3e6)  # tuned 3.3 MHz below: the -3 MHz tone at +0.3 MHz
    for window in (up, down):
        assert power_near(window, 0.3e6) > 0.9 * power_near(window, 0.0, FS / 2)
        assert power_near(window, 0.3e6) > 1e4 * power_near(window, -0.9e6, 0.25e6)


def test_nothing_beyond_the_window_edge_wraps_to_the_other_side(tmp_path):
    model = recording_model(tones_recording(tmp_path, FS, [1.0e6]), FS)
    t = np.arange(60_000) / FS
    near = model.render(t, FS, -0.5e6)  # tuned 0.5 MHz up: the tone at +0.5 MHz
    assert power_near(near, 0.5e6) > 0.9 * power_near(near, 0.0, FS / 2)
    gone = model.render(t, FS, 1.5e6)  # tuned 1.5 MHz down: the tone would sit at 2.5 MHz, outside
    assert power_near(gone, 0.0, FS / 2) < 1e-6 * power_near(near, 0.0, FS / 2)


def test_a_recording_streams_buffer_by_buffer(tmp_path):
    """``render`` is a pure function of (offset, rate, time span): buffers join seamlessly."""
    model = recording_model(tones_recording(tmp_path, 16e6, [0.4e6, -0.7e6]), 16e6)
    t = np.arange(250_000) / FS + 0.01
    whole = model.render(t, FS, 0.2e6)
    parts = np.concatenate([model.render(t[:100_000], FS, 0.2e6), model.render(t[100_000:], FS, 0.2e6)])
    np.testing.assert_allclose(parts, whole, atol=1e-6)


@pytest.mark.parametrize(
    ("doc", "offset_hz"),
    [
        ({"kind": "lte", "bandwidth_hz": 4.5e6, "load": 1.0}, 3.5e6),  # subcarriers 1.25-5.75 MHz up
        ({"kind": "carrier"}, 1.5e6),  # would alias to -0.9 MHz
        ({"kind": "tdma", "slots": 8}, -1.6e6),
        ({"kind": "fm-broadcast"}, 1.4e6),
        ({"kind": "burst", "period_s": 0.01, "burst_s": 0.009}, -1.25e6),
    ],
)
def test_models_past_the_window_edge_leave_nothing_inside(doc, offset_hz):
    scene = scenemod.parse({"emitters": [{"freq_hz": 1e9, "power_dbfs": -40, **doc}]})
    model = emitters.build(scene)[0]
    t = np.arange(120_000) / FS
    inside = power_near(model.render(t, FS, 0.0), 0.0, 0.45 * FS)
    outside = power_near(model.render(t, FS, offset_hz), 0.0, 0.45 * FS)
    assert outside < 1e-3 * max(inside, 1e-12), (inside, outside)


def test_sim_radio_hops_see_a_wide_recording_only_where_it_is(tmp_path):
    path = tones_recording(tmp_path, 16e6, [5e6])
    doc = {"kind": "recording", "freq_hz": 1000e6, "power_dbfs": -20, "path": str(path), "format": "cf32"}
    radio = SimRadio(scenemod.parse({"noise_floor_dbfs": -80, "emitters": [{**doc, "rate_hz": 16e6}]}), time_scale=0)
    levels = {}
    for centre in (995e6, 997.5e6, 1000e6, 1002.5e6, 1004.7e6):
        radio.tune(centre)
        freqs, power = psd.bin_frequencies(NFFT, FS, centre), psd.welch(radio.read(65_536), NFFT)
        levels[centre] = psd.to_db(np.array([power.max()]))[0] - psd.to_db(np.array([np.median(power)]))[0]
        peak = freqs[np.argmax(power[NFFT // 2 + 8 :]) + NFFT // 2 + 8]  # above the DC spike
        if centre == 1004.7e6:
            assert peak == pytest.approx(1005e6, abs=5e3)
    assert levels[1004.7e6] > 40
    assert all(levels[c] < 10 for c in (995e6, 997.5e6, 1000e6, 1002.5e6)), levels
