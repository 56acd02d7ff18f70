"""Property tests: the DSP keeps its invariants and every parser either accepts input or says why.

"Says why" means our own error type (BadInputError or ValueError from dsp), never a crash from
deep inside.
"""

from __future__ import annotations

import json
import string

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance import config as cfg
from dsp import detect, psd
from dsp import plan as planmod
from hw import recording
from hw.errors import BadInputError
from hw.radio import TUNER_RANGE_HZ
from hw.sim import scene as scenemod
from tests.strategies import json_values as json_values_of

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(
    nfft_exp=st.integers(3, 11),
    extra=st.integers(0, 5000),
    seed=st.integers(0, 2**32 - 1),
)
def test_welch_obeys_parseval(nfft_exp, extra, seed):
    nfft = 2**nfft_exp
    n = nfft + extra
    raw = np.random.default_rng(seed).integers(0, 256, 2 * n, dtype=np.uint8)
    spec = psd.welch(raw, nfft)
    assert spec.shape == (nfft,) and np.all(np.isfinite(spec)) and np.all(spec >= 0)
    x = (raw[0::2] - 127.5) / 127.5 + 1j * (raw[1::2] - 127.5) / 127.5
    x = x - x.mean()
    w = psd.hann(nfft).astype(np.float64)
    segs = np.lib.stride_tricks.sliding_window_view(x, nfft)[:: nfft // 2]
    energy = np.mean(np.sum(np.abs(segs * w) ** 2, axis=1))
    assert np.isclose(spec.sum() * w.sum() ** 2, nfft * energy, rtol=1e-4)


@FAST
@given(value=st.floats(1e3, 9e9), unit=st.sampled_from(["", "k", "M", "G"]))
def test_frequencies_round_trip(value, unit):
    scale = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[unit]
    text = f"{value / scale:.6f}{unit}"
    assert np.isclose(planmod.parse_frequency(text), float(f"{value / scale:.6f}") * scale)


@FAST
@given(st.text(alphabet=string.printable, max_size=40))
def test_range_parser_accepts_or_explains(text):
    try:
        ranges = planmod.parse_ranges(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert all(lo < hi for lo, hi in ranges)


@FAST
@given(
    lo=st.floats(24e6, 1700e6),
    width=st.floats(10e3, 300e6),
    rate=st.sampled_from([1.024e6, 2.048e6, 2.4e6]),
)
def test_any_plan_tiles_its_range_on_a_grid_inside_the_tuner(lo, width, rate):
    hi = min(lo + width, 1766e6)
    plan = planmod.make_plan(((lo, hi),), sample_rate=rate, tuning_range=TUNER_RANGE_HZ)
    freqs = np.concatenate([plan.hop_frequencies(h) for h in plan.hops])
    assert np.all(np.diff(freqs) > 0), "no overlap"
    assert np.all(np.diff(freqs) <= plan.bin_hz * 1.51), "no gap"
    assert freqs[0] - plan.bin_hz <= lo and freqs[-1] + plan.bin_hz >= hi - plan.bin_hz
    assert all(24e6 <= h.center_hz <= 1766e6 for h in plan.hops)


json_values = json_values_of(allow_nan=True)
scene_like = st.fixed_dictionaries(
    {},
    optional={
        "name": json_values,
        "noise_floor_dbfs": json_values,
        "emitters": st.lists(
            st.fixed_dictionaries(
                {"kind": st.sampled_from([*scenemod.KINDS, "laser"])},
                optional={
                    "freq_hz": json_values | st.floats(1e6, 2e9),
                    "power_dbfs": json_values | st.floats(-100, 0),
                    "deviation_hz": json_values,
                    "period_s": json_values,
                    "burst_s": json_values,
                    "path": json_values,
                    "bandwidth_hz": json_values,
                },
            ),
            max_size=3,
        )
        | json_values,
        "optical": json_values,
    },
)


@FAST
@given(scene_like)
def test_scene_parser_accepts_or_explains(doc):
    try:
        scene = scenemod.parse(json.loads(json.dumps(doc, allow_nan=True)))
    except BadInputError as exc:
        assert str(exc)
    else:
        assert all(np.isfinite(e.freq_hz) for e in scene.emitters)


@FAST
@given(
    content=st.binary(max_size=5000),
    name=st.sampled_from(["x_433.92M_250k.cu8", "x_1G_2.4M.cs16", "x_1G_2.4M.cf32", "x.cs8", "y.bin", "z.sigmf-meta"]),
    rate=st.none() | st.floats(allow_nan=True, allow_infinity=True),
)
def test_recording_loader_accepts_or_explains(tmp_path_factory, content, name, rate):
    path = tmp_path_factory.mktemp("rec") / name
    path.write_bytes(content)
    try:
        rec = recording.load(path, rate_hz=rate)
    except BadInputError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert rec.n_samples >= recording.MIN_SAMPLES and rec.rate_hz > 0


@FAST
@given(
    toml=st.text(alphabet=string.printable, max_size=120),
    env_value=st.text(alphabet=string.printable, max_size=12),
    env_key=st.sampled_from([s.env_name for s in cfg.SETTINGS]),
)
def test_config_accepts_or_explains(tmp_path_factory, toml, env_value, env_key):
    path = tmp_path_factory.mktemp("cfg") / "roomsweep.toml"
    path.write_text(toml)
    try:
        conf = cfg.load(path, env={env_key: env_value})
    except cfg.ConfigError as exc:
        assert str(exc)
    else:
        assert set(conf.values) == set(cfg.BY_KEY)


@FAST
@given(seed=st.integers(0, 2**32 - 1), k=st.floats(1, 1000), n=st.integers(16, 3000))
def test_detector_on_noise_never_crashes_and_stays_inside_the_spectrum(seed, k, n):
    rng = np.random.default_rng(seed)
    power = rng.gamma(k, 1 / k, n) * 1e-6
    power[rng.integers(0, n)] *= rng.uniform(1, 1000)
    spectrum = planmod.Spectrum(
        freqs=100e6 + np.arange(n) * 9375.0,
        mean=power,
        peak=power,
        hop_of_bin=(np.arange(n) // 214).astype(np.int32),
        averages=np.full(n, k),
        frames=np.ones(n, np.int32),
        bin_hz=9375.0,
    )
    for det in detect.detect(spectrum):
        assert spectrum.freqs[0] - 9375 <= det.freq_hz <= spectrum.freqs[-1] + 9375
        assert det.bandwidth_hz > 0
