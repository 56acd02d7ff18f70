"""One sweep document: the session and the CLI build it the same way, and judge it against the
baseline with the rise the user set, when the sweep runs."""

from __future__ import annotations

import json
import time

import pytest

from appliance import config as cfg
from appliance import report
from appliance.cli import main
from appliance.rig import SimulatedRig
from appliance.session import Session, State
from appliance.store import Store
from hw.sim import scene as scenemod

RANGE = "1.05G:1.35G"
CARRIER = {"kind": "carrier", "freq_hz": 1.1e9, "power_dbfs": -45}
CAMERA = {"kind": "analog-video", "freq_hz": 1.28e9, "power_dbfs": -40, "standard": "PAL"}


def scene_file(tmp_path, name, emitters):
    path = tmp_path / name
    path.write_text(json.dumps({"name": name, "emitters": emitters}))
    return path


@pytest.fixture
def room(tmp_path, monkeypatch):
    """A clean room saved as the baseline by the CLI; the same room later, its carrier 5 dB
    stronger and a camera added."""
    data = tmp_path / "data"
    monkeypatch.setenv("ROOMSWEEP_DATA_DIR", str(data))
    clean = scene_file(tmp_path, "clean.json", [CARRIER])
    assert main(["sweep", "--range", RANGE, "--scene", str(clean), "--save-baseline", "room 12", "--json"]) == 0
    bugged = scene_file(tmp_path, "bugged.json", [{**CARRIER, "power_dbfs": -40}, CAMERA])
    return data, bugged


def session_sweep(data, scene_path, rise_db):
    settings = cfg.load(
        None,
        env={
            "ROOMSWEEP_SWEEP_RANGES": "1050M:1350M",
            "ROOMSWEEP_SWEEP_OPTICAL": "false",
            "ROOMSWEEP_SWEEP_BASELINE_RISE_DB": str(rise_db),
        },
    )
    store = Store(data)
    session = Session(rig=SimulatedRig(settings, scenemod.load(scene_path), time_scale=0), store=store, config=settings)
    try:
        session.start_sweep()
        deadline = time.monotonic() + 60
        while session.state is State.SWEEPING:
            assert time.monotonic() < deadline, "the sweep never finished"
            time.sleep(0.05)
        return store.document(store.sweeps(limit=1)[0].id)
    finally:
        session.close()
        store.close()


def flags(doc):
    return {round(e["freq_hz"] / 1e6): e["baseline_change"] for e in doc["emitters"]}


def test_the_rise_setting_decides_the_stored_flags(room, capsys):
    data, bugged = room
    at_3 = session_sweep(data, bugged, 3.0)
    assert flags(at_3) == {1100: "stronger", 1280: "new"}
    assert at_3["baseline"]["name"] == "room 12" and at_3["baseline"]["rise_db"] == 3.0
    assert at_3["counts"]["new_since_baseline"] == 2
    at_8 = session_sweep(data, bugged, 8.0)
    assert flags(at_8) == {1100: None, 1280: "new"}
    carrier = next(e for e in at_8["emitters"] if round(e["freq_hz"] / 1e6) == 1100)
    assert carrier["new_since_baseline"] is False and carrier["baseline_rise_db"] == pytest.approx(5, abs=1.5)
    assert at_3 != at_8, "the verdict of each sweep is kept as it was judged"

    capsys.readouterr()
    assert main(["sweep", "--range", RANGE, "--scene", str(bugged), "--baseline-rise", "3", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert flags(cli) == flags(at_3), "the CLI and the daemon flag the same emitters"
    assert set(report.head(cli)) - {"baseline_saved"} == set(report.head(at_3)), "and in one shape"
    assert cli["suspects"] == at_3["suspects"] and cli["status"] == at_3["status"] == "complete"
