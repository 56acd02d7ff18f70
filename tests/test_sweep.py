"""The RF sweep on the simulated room: what it finds, how it reports, how it ends early."""

from __future__ import annotations

import csv
import io
import threading

import numpy as np
import pytest

from appliance import rf_sweep
from appliance.commands.rtl_power_csv import write_rows
from dsp import plan as planmod
from hw.errors import RadioLost
from hw.radio import TUNER_RANGE_HZ
from hw.sim.radio import SimRadio

FULL = planmod.make_plan(planmod.preset("full", TUNER_RANGE_HZ), tuning_range=TUNER_RANGE_HZ)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_demo_room_sweep_finds_every_emitter_within_one_rbw_and_nothing_else(demo_scene, seed):
    result = rf_sweep.sweep(SimRadio(demo_scene, time_scale=0, seed=seed), FULL)
    assert result.complete
    found = sorted(c.detection.freq_hz for c in result.emitters)
    truth = sorted(e.freq_hz for e in demo_scene.emitters)
    assert len(found) == len(truth), f"found {np.round(np.array(found) / 1e6, 4)}"
    for want, got in zip(truth, found, strict=True):
        assert abs(got - want) <= FULL.bin_hz, f"{want / 1e6} MHz reported at {got / 1e6:.4f}"
    assert result.survey_radio_time_s <= 10.0
    # plus confirmation and refinement (< 1 s) and the feature looks at likely cameras
    assert result.radio_time_s <= result.survey_radio_time_s + 1.0 + result.looks * (rf_sweep.LOOK_S + 0.01)
    assert result.looks <= rf_sweep.MAX_LOOKS


class FailingRadio(SimRadio):
    """A SimRadio whose dongle is pulled after ``fail_after`` tunes."""

    def __init__(self, *args, fail_after: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fail_after = fail_after
        self.tunes = 0

    def tune(self, hz):
        self.tunes += 1
        if self.tunes > self.fail_after:
            raise RadioLost("RTL-SDR read failed: LIBUSB_ERROR_NO_DEVICE")
        super().tune(hz)


def test_a_pulled_dongle_keeps_what_was_measured_and_names_the_missing_bands(demo_scene):
    plan = planmod.make_plan(((80e6, 700e6),), tuning_range=TUNER_RANGE_HZ)
    radio = FailingRadio(demo_scene, time_scale=0, fail_after=200)
    result = rf_sweep.sweep(radio, plan)
    assert not result.complete and "NO_DEVICE" in result.error
    assert result.hops_done == 200
    ((lo, hi),) = result.missing
    assert lo == pytest.approx(plan.hop_span(plan.hops[200])[0]) and hi == pytest.approx(700e6, abs=plan.bin_hz)
    found = [c.detection.freq_hz for c in result.emitters]
    assert any(abs(f - 98.1e6) < 1e4 for f in found), "emitters measured before the loss are kept"


def test_cancel_stops_the_sweep_with_partial_results(demo_scene):
    cancel = threading.Event()
    plan = planmod.make_plan(((80e6, 300e6),), tuning_range=TUNER_RANGE_HZ)

    def on_hop(h):
        if h.hop == 20:
            cancel.set()

    result = rf_sweep.sweep(SimRadio(demo_scene, time_scale=0), plan, on_hop=on_hop, cancel=cancel)
    assert result.cancelled and not result.complete
    assert result.hops_done == 21


def test_csv_rows_follow_rtl_powers_layout(demo_scene):
    plan = planmod.make_plan(((88e6, 108e6),), tuning_range=TUNER_RANGE_HZ)
    result = rf_sweep.sweep(SimRadio(demo_scene, time_scale=0), plan)
    text = io.StringIO()
    assert write_rows(text, plan, result.spectrum) == len(plan.hops)
    rows = list(csv.reader(io.StringIO(text.getvalue()), skipinitialspace=True))
    assert len(rows) == len(plan.hops)
    best = (-999.0, 0.0)
    for row in rows:
        date, clock, low, high, step, samples, *db = row
        assert len(date) == 10 and date[4] == date[7] == "-"
        assert len(clock) == 8 and clock[2] == clock[5] == ":"
        low, high, step = int(low), int(high), float(step)
        assert step == pytest.approx(plan.bin_hz) and f"{step:.2f}" == row[4]
        assert int(samples) > 0
        # rtl_power prints bins + 1 values spanning low..high inclusive (last one repeated)
        assert len(db) == round((high - low) / step) + 1 and db[-1] == db[-2]
        values = [float(v) for v in db]
        i = int(np.argmax(values))
        best = max(best, (values[i], low + i * step))
    assert abs(best[1] - 98.1e6) <= plan.bin_hz  # the strongest station, read the way heat-map tools read it


def test_recorded_ook_device_in_a_scene_is_found(tmp_path, rtl433_recordings):
    import json

    from hw.sim import scene as scenemod

    doc = {
        "emitters": [{"kind": "recording", "freq_hz": 433.92e6, "power_dbfs": -30, "path": str(rtl433_recordings[1])}]
    }
    path = tmp_path / "sensor.json"
    path.write_text(json.dumps(doc))
    result = rf_sweep.sweep(
        SimRadio(scenemod.load(path), time_scale=0),
        planmod.make_plan(planmod.preset("cameras", TUNER_RANGE_HZ), tuning_range=TUNER_RANGE_HZ),
    )
    found = [c for c in result.emitters if abs(c.detection.freq_hz - 433.92e6) < 150e3]
    assert len(found) == 1 and found[0].detection.bursty
