"""appliance.wifi_sweep on the simulated demo room: the phases, the ring left dark, memory bounded, cancel."""

from __future__ import annotations

import threading

import numpy as np

from appliance import wifi_sweep
from hw.sim import scene as scenemod
from hw.sim.wifi import SimWifi


class Ring:
    def __init__(self) -> None:
        self.is_on = False
        self.switches = 0

    def set(self, lit: bool) -> None:
        self.is_on = bool(lit)
        self.switches += 1


def capture(ring):
    return SimWifi(scenemod.load_demo().wifi, ring, seed=3, time_scale=0.0)


def test_survey_dwell_and_stimulus_phases_in_order_and_the_ring_ends_dark():
    ring = Ring()
    phases = []
    plan = wifi_sweep.WifiPlan(survey_s=0.3, dwell_s=5.0, stimulus_s=30.0, channels_mhz=(2412, 2437, 2462))
    sweep = wifi_sweep.WifiSweep(
        capture(ring), plan, stimulator=ring.set, rng=np.random.default_rng(3),
        progress=lambda phase, fraction, details: phases.append((phase, fraction)), permutations=999,
    )  # fmt: skip
    out = sweep.run()
    names = [p for p, _ in phases]
    assert names.index("survey") < names.index("dwell") < names.index("stimulus") < names.index("done")
    fractions = [f for _, f in phases]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert out.stimulus_channels_mhz == [2437, 2462] and ring.switches >= len(out.stimulus.pattern)
    assert not ring.is_on
    assert {d.mac for d in out.devices if d.stimulus and d.stimulus["responds"]} == {"a4:cf:12:3e:51:07"}


def test_memory_is_bounded_and_the_cap_is_said(monkeypatch):
    monkeypatch.setattr(wifi_sweep, "MAX_FRAMES", 800)
    ring = Ring()
    plan = wifi_sweep.WifiPlan(survey_s=0.5, dwell_s=5.0, stimulus="none", channels_mhz=(2437,))
    out = wifi_sweep.WifiSweep(capture(ring), plan, stimulator=ring.set).run()
    assert out.problems == ["more than 800 frames: the rest of this sweep's capture was not kept"]
    assert out.status == "complete"


def test_cancel_stops_the_sweep_and_says_so():
    ring = Ring()
    stop = threading.Event()
    stop.set()
    out = wifi_sweep.WifiSweep(capture(ring), wifi_sweep.WifiPlan(), stimulator=ring.set, cancel=stop).run()
    assert out.status == "cancelled" and out.devices == [] and not ring.is_on
