"""One continuous sample stream over several tunings: retunes drop samples but the clock goes on."""

from __future__ import annotations

import itertools

import numpy as np

from hw import recording as recmod
from hw.radio import ReplayRadio, RtlSdrRadio
from hw.sim import scene as scenemod
from hw.sim.radio import SimRadio

TUNINGS = [1278.2e6, 1279.8e6, 1281.4e6]


def test_rtlsdr_stream_retunes_between_buffers_and_counts_what_it_drops(fake_rtlsdr):
    radio = RtlSdrRadio()
    parts = radio.stream(TUNINGS, 50_000)
    assert [p.tuned_hz for p in parts] == TUNINGS
    dev = fake_rtlsdr.instances[-1]
    for part in parts:
        assert part.raw.size == 100_000
        # the fake's I channel counts samples: the part's first sample is stream sample ``start``
        assert part.raw[0] == part.start % 256
        assert np.all(np.diff(part.raw[0::2].astype(np.int64)) % 256 == 1)  # nothing lost inside a part
        assert part.dropped >= radio.stream_settle_samples
    for a, b in itertools.pairwise(parts):
        assert b.start == a.start + 50_000 + b.dropped  # dropped samples are counted in the clock
    assert dev.async_buffers[0] == TUNINGS[0] and set(dev.async_buffers) == set(TUNINGS)
    radio.close()


def test_simulated_stream_books_each_retune_on_its_clock():
    scene = scenemod.parse({"name": "empty", "noise_floor_dbfs": -60, "emitters": []})
    radio = SimRadio(scene, time_scale=0)
    parts = radio.stream(TUNINGS, 24_000)
    assert [p.tuned_hz for p in parts] == TUNINGS
    for a, b in itertools.pairwise(parts):
        assert b.dropped >= radio.latency.settle_samples
        assert b.start == a.start + 24_000 + b.dropped
    assert radio.center_hz == TUNINGS[-1]


def test_replay_stream_plays_on_through_the_recording(tmp_path):
    raw = (np.arange(2 * 200_000) % 256).astype(np.uint8)
    path = tmp_path / "cam_1280M_2400k.cu8"
    raw.tofile(path)
    radio = ReplayRadio(recmod.load(path))
    parts = radio.stream([1280e6, 1280.5e6], 10_000, settle=1_000)
    assert [p.start for p in parts] == [1_000, 12_000]
    assert parts[0].raw[0] == (2 * 1_000) % 256  # sample 1000 of the recording, untuned
