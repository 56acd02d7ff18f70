"""Scene files and the simulated radio."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from dsp import psd
from hw.errors import SceneError, TuneError
from hw.sim import scene as scenemod
from hw.sim.radio import SimRadio


def write_scene(tmp_path, doc, name="room.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return path


def test_demo_scene_is_valid_and_complete(demo_scene):
    kinds = {e.kind for e in demo_scene.emitters}
    assert {"analog-video", "fm-broadcast", "tdma", "ofdm", "burst", "carrier"} <= kinds
    assert demo_scene.optical["lenses"]


@pytest.mark.parametrize(
    "doc,message",
    [
        ("{oops", "not valid JSON"),
        ({"emitters": [{"kind": "carrier", "freq_hz": 1e9}]}, "missing required key 'power_dbfs'"),
        ({"emitters": [{"kind": "laser", "freq_hz": 1e9, "power_dbfs": -40}]}, "'laser' is not one of"),
        (
            {"emitters": [{"kind": "carrier", "freq_hz": "1G", "power_dbfs": -40}]},
            r"freq_hz: expected a number",
        ),
        (
            {"emitters": [{"kind": "carrier", "freq_hz": 1e9, "power_dbfs": -40, "colour": 1}]},
            "unknown key 'colour'",
        ),
        ({"wallpaper": "red"}, "unknown key 'wallpaper'"),
        (
            {"emitters": [{"kind": "burst", "freq_hz": 4e8, "power_dbfs": -40, "period_s": 1, "burst_s": 2}]},
            "shorter than period_s",
        ),
        ({"noise_floor_dbfs": True}, "expected a number"),
        ({"emitters": {"kind": "carrier"}}, "expected a list"),
        ({"optical": {"lenses": [{"x": 2, "y": 0.5}]}}, r"lenses\[0\].x: 2 is above the maximum 1"),
    ],
)
def test_malformed_scenes_say_where_and_what(tmp_path, doc, message):
    with pytest.raises(SceneError, match=message):
        scenemod.load(write_scene(tmp_path, doc))


def test_missing_scene_file(tmp_path):
    with pytest.raises(SceneError, match="no such scene file"):
        scenemod.load(tmp_path / "nope.json")


def test_recording_emitter_with_a_missing_file_is_a_scene_error(tmp_path):
    path = write_scene(
        tmp_path,
        {"emitters": [{"kind": "recording", "freq_hz": 4.3392e8, "power_dbfs": -30, "path": "gone_433.92M_250k.cu8"}]},
    )
    with pytest.raises(SceneError, match="no such file"):
        SimRadio(scenemod.load(path))


def test_noise_floor_and_carrier_levels_are_what_the_scene_says():
    scene = scenemod.parse(
        {"noise_floor_dbfs": -60, "emitters": [{"kind": "carrier", "freq_hz": 500.3e6, "power_dbfs": -40}]}
    )
    radio = SimRadio(scene, time_scale=0)
    radio.tune(500e6)
    spec = psd.welch(radio.read(200_000), 256)
    freqs = psd.bin_frequencies(256, 2.4e6, 500e6)
    kept = np.abs(freqs - 500e6) < 0.9e6
    assert abs(psd.to_db(np.median(spec[kept])) + 60) < 0.7
    peak = np.argmax(spec)
    assert freqs[peak] == pytest.approx(500.3e6, abs=9375)
    assert abs(psd.to_db(spec[peak]) + 40) < 1.5  # tone between bins: Hann scalloping


def test_radio_books_realistic_time_and_refuses_impossible_tuning(demo_scene):
    radio = SimRadio(demo_scene, time_scale=0)
    radio.tune(100e6)
    radio.read(24_000)
    lat = radio.latency
    expected = lat.retune_s + lat.settle_samples / 2.4e6 + 2 * lat.read_overhead_s + 0.01
    assert radio.modelled_time_s == pytest.approx(expected)
    with pytest.raises(TuneError, match="above the RTL-SDR.s 1766 MHz limit"):
        radio.tune(2.437e9)


def test_emitters_evolve_with_simulation_time():
    scene = scenemod.parse(
        {
            "emitters": [
                {
                    "kind": "carrier",
                    "freq_hz": 300.2e6,
                    "power_dbfs": -50,
                    "power_ramp_db_per_s": 10,
                    "power_limit_dbfs": -30,
                }
            ]
        }
    )
    radio = SimRadio(scene, time_scale=0)
    radio.tune(300e6)
    before = psd.welch(radio.read(24_000), 256).max()
    radio.read(int(2.4e6 * 3))  # three seconds later
    after = psd.welch(radio.read(24_000), 256).max()
    assert 10 * np.log10(after / before) == pytest.approx(20, abs=2)


def test_real_recording_plays_at_its_emitter_frequency(tmp_path, rtl433_recordings):
    rec = rtl433_recordings[0]
    path = write_scene(
        tmp_path,
        {"emitters": [{"kind": "recording", "freq_hz": 434.5e6, "power_dbfs": -30, "path": str(rec)}]},
    )
    radio = SimRadio(scenemod.load(path), time_scale=0)
    radio.tune(434.3e6)
    frames = psd.frames(radio.read(int(2.4e6 * 1.1)), 256, 8192)
    peak = frames.max(axis=0)
    freqs = psd.bin_frequencies(256, 2.4e6, 434.3e6)
    # the capture's device sits ~100 kHz below its own centre (433.82 of 433.92 MHz)
    assert abs(freqs[np.argmax(peak)] - (434.5e6 - 0.1e6)) < 30e3
    assert psd.to_db(peak.max()) > -40


def test_in_real_time_the_room_lives_on_between_reads(tmp_path):
    # a hot/cold walk reads a little, ten times a second: the camera's level must rise per second walked
    doc = {
        "name": "walk",
        "noise_floor_dbfs": -55,
        "emitters": [{"kind": "carrier", "freq_hz": 100e6, "power_dbfs": -50}],
    }
    radio = SimRadio(scenemod.load(write_scene(tmp_path, doc)), time_scale=1.0)
    radio.tune(100e6)
    radio.read(2400)
    before = radio.sim_time_s
    time.sleep(0.3)
    radio.read(2400)
    assert radio.sim_time_s - before >= 0.3
    instant = SimRadio(scenemod.load(write_scene(tmp_path, doc)), time_scale=0.0)
    instant.read(2400)
    time.sleep(0.1)
    instant.read(2400)
    assert instant.sim_time_s < 0.01  # as fast as the CPU renders: only what was read


def test_a_stream_keeps_one_sample_clock_in_real_time(tmp_path):
    doc = {"name": "cam", "noise_floor_dbfs": -55, "emitters": []}
    radio = SimRadio(scenemod.load(write_scene(tmp_path, doc)), time_scale=1.0)
    parts = radio.stream([100e6, 101e6], 24_000)
    retune = radio.latency.retune_s + radio.latency.settle_samples / radio.sample_rate + radio.latency.read_overhead_s
    gap = parts[1].start - (parts[0].start + 24_000)
    assert gap <= round((retune + radio.latency.read_overhead_s) * radio.sample_rate) + 1  # the retune, no wall gap
