"""One camera is one emitter: a wideband FM camera in a simulated room gives one suspect.

The camera is a hacktv PAL FM render (4 MHz peak-to-peak swing) placed in the room as a
``recording`` emitter, once as a 16 MS/s recording (wider than the receiver window: the sweep
retunes across it) and once as a 2.4 MS/s capture of its channel. Its sync tip, blanking and
picture lines are one transmitter, reported at the blanking line (where FM video rests) with the
occupied width; no hop shows a phantom of it; its saved evidence analyses as one suspect too.
"""

from __future__ import annotations

import numpy as np
import pytest

from appliance import evidence, rf_sweep
from appliance.analyze import analyze
from dsp import plan as planmod
from hw.radio import TUNER_RANGE_HZ
from hw.sim import frontend, hacktv
from hw.sim import scene as scenemod
from hw.sim.radio import SimRadio

CHANNEL_HZ = 1280e6
SWING_HZ = 4e6
BLANKING_HZ = CHANNEL_HZ - 0.2 * SWING_HZ  # hacktv's PAL FM: blanking 0.2 of the swing below the centre
PLAN = planmod.make_plan(((1240e6, 1320e6),), tuning_range=TUNER_RANGE_HZ)


@pytest.fixture(scope="module")
def camera_recordings(tmp_path_factory):
    """{rate: path} of the camera as cs8 recordings at 16 MS/s and 2.4 MS/s (centred on its channel)."""
    if not hacktv.available():
        pytest.fail("hacktv is missing: apt-get install hacktv (listed in .ci/apt-packages.txt)")
    tmp = tmp_path_factory.mktemp("camera")
    wide = hacktv.render("PAL", "fm", 0.3, deviation_hz=SWING_HZ, rate_hz=16e6, cache_dir=tmp)
    paths = {}
    for rate, x in ((16e6, wide), (2.4e6, frontend.Wideband(wide, 16e6).window(0.0, 2.4e6))):
        raw = np.stack([x.real, x.imag], axis=1).ravel() * (110 / np.abs(x).max())
        paths[rate] = tmp / f"camera_{rate / 1e6:g}M.cs8"
        np.rint(raw).astype(np.int8).tofile(paths[rate])
    return paths


def sweep_room(path, rate_hz: float) -> rf_sweep.SweepResult:
    doc = {"kind": "recording", "freq_hz": CHANNEL_HZ, "power_dbfs": -30, "path": str(path), "format": "cs8"}
    scene = scenemod.parse({"noise_floor_dbfs": -60, "emitters": [{**doc, "rate_hz": rate_hz}]})
    return rf_sweep.sweep(SimRadio(scene, time_scale=0, seed=5), PLAN)


@pytest.mark.parametrize("rate_hz", [16e6, 2.4e6])
def test_a_wideband_fm_camera_is_one_suspect_and_no_phantom(tmp_path, camera_recordings, rate_hz):
    result = sweep_room(camera_recordings[rate_hz], rate_hz)
    assert result.complete
    (camera,) = result.suspects
    assert abs(camera.detection.freq_hz - BLANKING_HZ) < 1e6
    assert camera.verdict.standard == "PAL"
    assert camera.verdict.line_rate_hz == pytest.approx(15625.0, rel=1e-3)
    lo, hi = CHANNEL_HZ - rate_hz / 2, CHANNEL_HZ + rate_hz / 2
    assert camera.detection.bandwidth_hz > (3e6 if rate_hz > 10e6 else 1.5e6)  # its occupied width
    assert abs(camera.detection.freq_hz - CHANNEL_HZ) < 1e6
    others = [c.detection for c in result.emitters if c is not camera]
    assert not [d for d in others if d.freq_hz < lo or d.freq_hz > hi], "a phantom in another hop"
    assert not others, [(d.freq_hz, d.bandwidth_hz) for d in others]

    (meta,) = evidence.save_suspects(result, tmp_path)
    doc = analyze(meta)
    suspects = [e for e in doc["emitters"] if e["suspect"]]
    assert len(suspects) == 1, [(e["freq_hz"], e["bandwidth_hz"], e["camera_score"]) for e in doc["emitters"]]
    assert suspects[0]["standard"] == "PAL"
    assert abs(suspects[0]["freq_hz"] - camera.detection.freq_hz) < 1e6


def test_two_cameras_20_mhz_apart_stay_two(tmp_path, camera_recordings):
    doc = {"kind": "recording", "power_dbfs": -30, "path": str(camera_recordings[16e6]), "format": "cs8"}
    emitters = [{**doc, "freq_hz": f, "rate_hz": 16e6} for f in (CHANNEL_HZ - 20e6, CHANNEL_HZ)]
    scene = scenemod.parse({"noise_floor_dbfs": -60, "emitters": emitters})
    result = rf_sweep.sweep(SimRadio(scene, time_scale=0, seed=6), PLAN)
    found = sorted(c.detection.freq_hz for c in result.suspects)
    assert len(found) == 2, found
    assert [abs(f - want) < 1e6 for f, want in zip(found, (BLANKING_HZ - 20e6, BLANKING_HZ), strict=True)] == [True] * 2
