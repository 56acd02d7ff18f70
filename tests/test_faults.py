"""The fault matrix on the assembled appliance: each fault has a visible state and loses nothing
completed. Radio faults go through the real RtlSdrRadio driver with pyrtlsdr faked at its boundary.
See docs/RELIABILITY.md for the whole matrix.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time

import pytest
from gpiozero import Device

from appliance import config as cfg
from appliance.feedback import Feedback
from appliance.rig import DeviceRig
from appliance.session import Session, State
from appliance.store import Store
from hw.panel import PanelPins, mock_pin_factory

PINS = PanelPins()


@contextlib.contextmanager
def appliance(tmp_path, settings, rig_kind=DeviceRig, **rig_options):
    """Session on a rig + mock-pin panel + feedback + store, closed (pins reset) afterwards."""
    factory = mock_pin_factory()
    rig = rig_kind(settings, pin_factory=factory, **rig_options)
    panel = rig.make_panel()
    feedback = Feedback(panel)
    store = Store(tmp_path / "data")
    session = Session(rig=rig, store=store, config=settings, feedback=feedback)
    try:
        yield session, store, feedback, factory
    finally:
        session.close()
        feedback.close()
        panel.close()
        rig.close()
        factory.reset()
        Device.pin_factory = None


@pytest.fixture
def rig(tmp_path, fake_rtlsdr):
    """The appliance with the RTL-SDR driver on a fake pyrtlsdr."""
    env = {
        "ROOMSWEEP_SWEEP_RANGES": "100M:140M",
        "ROOMSWEEP_SWEEP_OPTICAL": "false",
        "ROOMSWEEP_RADIO_TIMEOUT_S": "0.5",
    }
    with appliance(tmp_path, cfg.load(None, env=env)) as (session, store, feedback, _):
        yield session, store, feedback, fake_rtlsdr


def finish(session, timeout=30):
    deadline = time.monotonic() + timeout
    while session.state is State.SWEEPING and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session.state is not State.SWEEPING, "sweep never finished"


def patterns(feedback):
    return [s.pattern for s in feedback.history]


def test_dongle_absent_at_start_then_plugged_in(rig):
    session, store, feedback, fake = rig
    fake.present = False
    session.start_sweep()
    finish(session)
    assert session.state is State.ERROR and "plugged in" in session.status()["message"]
    assert "fault" in patterns(feedback)
    assert store.sweeps()[0].status == "failed"
    fake.present = True  # the user plugs it in and presses again
    session.start_sweep()
    finish(session)
    assert session.state is State.RESULTS and store.sweeps()[0].status == "complete"


@pytest.mark.parametrize(
    "failure,text", [("hang_reads", "did not answer"), ("gone_reads", "Could not read"), ("short_reads", "short read")]
)
def test_dongle_pulled_mid_sweep_keeps_the_measured_hops(rig, failure, text):
    session, store, feedback, fake = rig
    setattr(fake, failure, True)
    fake.trouble_after = 12  # a few hops in (each hop is a settle read and a dwell read)
    session.start_sweep()
    finish(session)
    record = store.sweeps()[0]
    assert record.status == "partial" and text in record.error
    assert 4 <= record.summary["hops_done"] < record.summary["plan"]["hops"]
    assert record.summary["missing_bands_hz"], "the bands not measured are named"
    assert session.state is State.RESULTS and "partly measured" in session.status()["message"]
    assert "results-partial" in patterns(feedback)
    assert store.load_spectrum(record.id) is not None
    setattr(fake, failure, False)  # the dongle comes back: the next sweep reopens it
    session.start_sweep()
    finish(session)
    assert store.sweeps()[0].status == "complete"


HOP_6_HZ, HOP_13_HZ = 1_213_045_312.5, 1_227_089_062.5  # two hops of the 1200–1240 MHz plan


def test_silent_retune_failure_is_retried(rig):
    """An R820T that does not lock (above 1 GHz, mostly) says nothing: the hop is flat ADC noise.

    Hop 6 fails to lock twice (cured by the second retune); hop 13 never locks, so its band is
    named as not measured and the sweep is partial, with every other hop kept.
    """
    session, store, feedback, fake = rig
    fake.noise_rms = 12.0
    fake.unlocked = {HOP_6_HZ: 2, HOP_13_HZ: 99}
    session.start_sweep(ranges=((1.2e9, 1.24e9),))
    finish(session)
    record = store.sweeps()[0]
    assert record.status == "partial" and "tuner did not lock at 1227.1 MHz" in record.error
    summary = record.summary
    assert summary["relocks"] == 1 and summary["hops_done"] == summary["plan"]["hops"] - 1
    ((lo, hi),) = summary["missing_bands_hz"]
    assert lo < HOP_13_HZ < hi and hi - lo < 2.2e6
    (device,) = fake.instances
    tunes_at = [f for f, _ in device.reads if abs(f - HOP_6_HZ) < 1e3]
    assert len(tunes_at) == 2 * 3, "hop 6: first try and two retunes (a settle read and a dwell each)"
    assert any(abs(f - (HOP_6_HZ + 20e6)) < 1e3 for f, _ in device.reads), "each retune goes via a detour"
    assert session.state is State.RESULTS and "tuner did not lock" in session.status()["message"]
    assert "results-partial" in patterns(feedback)
    fake.unlocked = {}
    session.start_sweep(ranges=((1.2e9, 1.24e9),))
    finish(session)
    assert store.sweeps()[0].status == "complete" and store.sweeps()[0].summary["relocks"] == 0


def test_disk_full_keeps_earlier_sweeps_and_says_this_one_was_not_saved(rig, monkeypatch):
    session, store, feedback, fake = rig
    session.start_sweep()
    finish(session)
    first = store.sweeps()[0]
    assert first.status == "complete"
    sub = session.events.subscribe()

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "finish_sweep", full)
    monkeypatch.setattr(store, "save_spectrum", full)
    session.start_sweep()
    finish(session)
    assert session.state is State.RESULTS and "NOT SAVED" in session.status()["message"]
    assert "fault" in patterns(feedback)
    events = []
    while (event := sub.get(timeout=0.1)) is not None:
        events.append(event)
    sub.close()
    result = next(e for e in events if e.type == "result")
    assert result.data["saved"] is False and "disk is full" in result.data["storage"][0]
    assert any(e.type == "error" and "disk is full" in e.data["message"] for e in events)
    monkeypatch.undo()
    assert store.sweep(first.id).status == "complete", "what was stored before is intact"
    assert store.integrity_ok()


def test_clock_jump_during_a_sweep(rig, monkeypatch):
    session, store, feedback, fake = rig
    real = time.time
    jumped = {"n": 0}

    def jumping():  # the Pi has no RTC: NTP (or the phone) can move the clock by hours
        jumped["n"] += 1
        return real() - (86400 if jumped["n"] > 3 else 0)

    monkeypatch.setattr("appliance.store.time.time", jumping)
    session.start_sweep()
    finish(session)
    session.start_sweep()
    finish(session)
    newest, older = store.sweeps()[:2]
    assert newest.status == older.status == "complete"
    assert newest.id > older.id, "history is ordered by sweep, not by a clock that jumps"
    assert 0 <= newest.summary["wall_time_s"] < 60, "durations come from a monotonic clock"


@pytest.fixture
def optics_rig(tmp_path, picamera2):
    """The device rig with a simulated radio and the real camera driver, picamera2 faked at its boundary."""
    from hw.sim.radio import SimRadio
    from hw.sim.scene import load_demo

    class RadioOnlySimulated(DeviceRig):
        def open_radio(self, **_):
            return SimRadio(load_demo(), time_scale=0)

    settings = cfg.load(None, env={"ROOMSWEEP_SWEEP_RANGES": "1270M:1290M", "ROOMSWEEP_OPTICAL_PAIRS": "4"})
    with appliance(tmp_path, settings, RadioOnlySimulated) as (session, store, feedback, factory):
        yield session, store, feedback, picamera2


@pytest.mark.parametrize(
    "error,text",
    [
        (IndexError("list index out of range"), "ribbon cable"),
        (RuntimeError("Failed to acquire camera: Device or resource busy"), "in use by another process"),
    ],
)
def test_camera_absent_or_busy_keeps_the_rf_results(optics_rig, error, text):
    session, store, feedback, fake = optics_rig
    fake.open_error = error
    session.start_sweep()
    finish(session, timeout=60)
    record = store.sweeps()[0]
    assert record.status == "partial" and text in record.error.lower()
    assert any(abs(e["freq_hz"] - 1.28e9) < 1e4 for e in store.emitters(record.id)), "RF results kept"
    assert "partly measured" in session.status()["message"] and text in session.status()["message"].lower()
    assert "results-partial" in patterns(feedback) or "results-suspect" in patterns(feedback)


def test_the_sweep_command_names_a_hop_that_never_locked(fake_rtlsdr, capsys):
    """In the terminal: the table is printed, then one line says which hop was given up on; exit 1."""
    from appliance.cli import main

    fake_rtlsdr.noise_rms = 12.0
    fake_rtlsdr.unlocked = {HOP_13_HZ: 99}
    code = main(["sweep", "--range", "1.2G:1.24G", "--no-baseline", "--json"])
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert code == 1 and doc["complete"] is False
    (problem,) = doc["problems"]
    assert "tuner did not lock at 1227.1 MHz" in problem
    ((lo, hi),) = doc["missing_bands_hz"]
    assert lo < HOP_13_HZ < hi
    line = err.strip().splitlines()[-1]
    assert line.startswith("roomsweep sweep: incomplete (tuner did not lock at 1227.1 MHz") and "not measured:" in line
