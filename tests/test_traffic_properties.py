"""Property tests for dsp.traffic: any frame records (a damaged capture, a strange radio) give
verdicts in the documented shape, never a crash; the scene's wifi block accepts or says why."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsp import frames as fr
from dsp import stimulus, traffic
from hw.errors import SceneError
from hw.sim.wifi_scene import parse_wifi
from tests.strategies import json_values

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def random_records(seed: int, n: int, macs: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = fr.empty(n)
    out["t"] = [rng.uniform(0, 30, n), np.sort(rng.uniform(0, 30, n)), np.zeros(n)][seed % 3]
    pool = np.concatenate((rng.integers(0, 1 << 48, macs, dtype=np.uint64), [0, fr.BROADCAST]))
    out["tx"], out["rx"], out["bssid"] = (rng.choice(pool, n) for _ in range(3))
    out["ftype"] = rng.integers(0, 4, n)
    out["subtype"] = rng.integers(0, 16, n)
    out["flags"] = rng.integers(0, 256, n)
    out["rssi_dbm"] = rng.integers(-128, 128, n)
    out["freq_mhz"] = rng.choice([0, 2412, 5180], n)
    out["length"] = rng.choice([0, 1, 60, 400, 1550, 7000, 1 << 20], n)
    return out


@FAST
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 3000), macs=st.integers(1, 12))
def test_any_records_give_verdicts_in_the_documented_shape(seed, n, macs):
    frames = random_records(seed, n, macs)
    devices = traffic.analyze(frames)
    for device in devices:
        doc = device.to_json()
        json.dumps(doc, allow_nan=False)  # no NaN or infinity reaches the document
        assert doc["kind"] in traffic.KINDS
        assert 0.0 <= doc["camera_score"] <= 1.0
        assert doc["uplink_bps"] >= 0 and doc["downlink_bps"] >= 0
        assert all(isinstance(r, str) and r for r in doc["reasons"])
    schedule = stimulus.make_schedule("ir-ring", 0.0, 1.0, 20, np.random.default_rng(seed))
    responses = traffic.judge_stimulus(frames, devices, schedule, np.random.default_rng(1), permutations=99)
    traffic.apply_stimulus(devices, responses)
    for response in responses.values():
        assert 0.0 < response.p_value <= 1.0


KEYS = ["kind", "mac", "channel_mhz", "rssi_dbm", "bssid", "fps", "gop", "bitrate_bps", "sees_device", "ssid"]
LEAVES = st.sampled_from(["camera", "access-point", "phone", "02:00:00:00:00:01", "a4:cf:12:00:00:01", 2412, 15])
DEVICE = st.dictionaries(st.sampled_from(KEYS), LEAVES | json_values(allow_nan=True), max_size=8)


@FAST
@given(block=json_values(allow_nan=True) | st.fixed_dictionaries({"devices": st.lists(DEVICE, max_size=4)}))
def test_any_json_as_a_wifi_block_is_accepted_or_refused_in_one_line(block):
    try:
        parse_wifi(block, "wifi")
    except SceneError as exc:
        assert "\n" not in str(exc)
