"""Whole sweeps of a simulated room: the camera ranked first, evidence saved, the baseline flags it."""

from __future__ import annotations

import json

import pytest

from appliance import baseline, evidence, report, rf_sweep
from appliance.analyze import analyze
from appliance.store import Store
from dsp import plan as planmod
from hw.errors import RadioLost
from hw.radio import TUNER_RANGE_HZ
from hw.sim import scene as scenemod
from hw.sim.radio import SimRadio

CAMERA = {
    "kind": "analog-video",
    "label": "hidden camera",
    "freq_hz": 1.28e9,
    "power_dbfs": -38,
    "standard": "PAL",
    "modulation": "fm",
    "deviation_hz": 3e6,
}
DECOYS = [
    {"kind": "fm-broadcast", "freq_hz": 98.1e6, "power_dbfs": -25},
    {"kind": "fm-broadcast", "freq_hz": 104.6e6, "power_dbfs": -33, "stereo": False},
    {"kind": "ofdm", "freq_hz": 223.936e6, "power_dbfs": -45, "bandwidth_hz": 1.536e6, "label": "DAB"},
    {"kind": "burst", "freq_hz": 433.92e6, "power_dbfs": -30, "period_s": 0.5, "burst_s": 0.05},
    {"kind": "ofdm", "freq_hz": 650e6, "power_dbfs": -45, "bandwidth_hz": 7.6e6, "label": "DVB-T"},
    {"kind": "lte", "freq_hz": 847e6, "power_dbfs": -42, "bandwidth_hz": 1.08e6, "load": 0.5},
    {"kind": "fm-broadcast", "freq_hz": 864e6, "power_dbfs": -40, "label": "wireless headphones"},
    {"kind": "burst", "freq_hz": 868.3e6, "power_dbfs": -35, "period_s": 0.002, "burst_s": 0.0012},
    {"kind": "tdma", "freq_hz": 902.4e6, "power_dbfs": -40, "label": "GSM handset"},
    {"kind": "tdma", "freq_hz": 935.2e6, "power_dbfs": -45, "slots": 8, "label": "GSM base station"},
    {"kind": "carrier", "freq_hz": 1.1e9, "power_dbfs": -50},
    {"kind": "carrier", "freq_hz": 1.2e9, "power_dbfs": -45},
]
FULL = planmod.make_plan(planmod.preset("full", TUNER_RANGE_HZ), tuning_range=TUNER_RANGE_HZ)


def room(tmp_path, with_camera: bool):
    doc = {"name": "test room", "emitters": DECOYS + ([CAMERA] if with_camera else [])}
    path = tmp_path / ("camera.json" if with_camera else "clean.json")
    path.write_text(json.dumps(doc))
    return scenemod.load(path)


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    """The room swept without the camera (baseline) and with it."""
    tmp = tmp_path_factory.mktemp("rooms")
    clean = rf_sweep.sweep(SimRadio(room(tmp, False), time_scale=0, seed=3), FULL)
    bugged = rf_sweep.sweep(SimRadio(room(tmp, True), time_scale=0, seed=4), FULL)
    return clean, bugged


def test_the_camera_is_ranked_first_among_a_dozen_decoys(sweeps):
    clean, bugged = sweeps
    assert clean.complete and bugged.complete
    assert not clean.suspects
    (top, *others) = bugged.suspects
    assert abs(top.detection.freq_hz - 1.28e9) < 1e6
    assert top.verdict.kind == "analog-video" and top.verdict.standard == "PAL"
    assert top.verdict.line_rate_hz == pytest.approx(15625.0, rel=1e-3)
    assert not others
    ranked = sorted(bugged.emitters, key=lambda c: -c.verdict.camera_score)
    assert ranked[0] is top and ranked[1].verdict.camera_score < 0.5
    truth = [e["freq_hz"] for e in DECOYS] + [CAMERA["freq_hz"]]
    found = [c.detection.freq_hz for c in bugged.emitters]
    for want in truth:  # every decoy found once, within a bin (wide ones: within their band)
        assert sum(abs(f - want) < max(FULL.bin_hz, 0.6e6 if want in (223.936e6, 650e6, 847e6) else 0) for f in found)


def test_looks_are_proportionate(sweeps):
    _, bugged = sweeps
    assert bugged.survey_radio_time_s <= 10.0
    looks = bugged.looks * (rf_sweep.LOOK_S + 0.01)
    assert bugged.radio_time_s <= bugged.survey_radio_time_s + 1.0 + looks
    assert 1 <= bugged.looks <= rf_sweep.MAX_LOOKS


def test_a_baseline_without_the_camera_flags_it_as_new(sweeps, tmp_path):
    clean, bugged = sweeps
    store = Store(tmp_path / "data")
    baseline.save(store, report.sweep_document(FULL, rf=report.rf_part(clean)), name="clean room")
    reference = baseline.latest(store)
    assert reference is not None and reference.ranges_hz == [(24e6, 1766e6)]
    doc = report.sweep_document(FULL, rf=report.rf_part(bugged), reference=reference)
    summary = doc["baseline"]
    assert summary["name"] == "clean room" and summary["emitters"] == len(clean.emitters)
    flagged = [doc["emitters"][f["index"]] for f in doc["new_since_baseline"]]
    assert [f["baseline_change"] for f in flagged] == ["new"]
    assert abs(flagged[0]["freq_hz"] - 1.28e9) < 1e6 and flagged[0]["suspect"]
    new = [e for e in doc["emitters"] if e["new_since_baseline"]]
    assert len(new) == 1 and new[0]["baseline_change"] == "new"
    assert all(e["new_since_baseline"] is False for e in doc["emitters"] if e is not new[0])


def test_suspect_evidence_is_sigmf_that_analyses_as_a_suspect_again(sweeps, tmp_path):
    _, bugged = sweeps
    paths = evidence.save_suspects(bugged, tmp_path)
    assert len(paths) == 1 and paths[0].name.startswith("suspect01_1279.")
    meta = json.loads(paths[0].read_text())
    (note,) = meta["annotations"]
    assert note["core:label"].startswith("analog-video")
    assert note["roomsweep:verdict"]["standard"] == "PAL"
    assert note["core:freq_lower_edge"] < 1.28e9 < note["core:freq_upper_edge"]
    assert bugged.suspects[0].evidence == str(paths[0])
    again = analyze(paths[0])
    (suspect,) = [e for e in again["emitters"] if e["camera_score"] >= 0.5]
    assert suspect["kind"] == "analog-video" and suspect["standard"] == "PAL"
    assert abs(suspect["freq_hz"] - 1.28e9) < 1e6
    assert again["source"]["seconds"] >= 0.25


class LookFailingRadio(SimRadio):
    """A dongle that dies on the first long read (the first look)."""

    def read(self, n):
        if 500_000 <= n <= 700_000:  # a 0.25 s look (the ISM 433 survey hop reads 1.05 s)
            raise RadioLost("RTL-SDR read failed: LIBUSB_ERROR_NO_DEVICE")
        return super().read(n)


def test_a_dongle_lost_during_the_looks_keeps_every_emitter(tmp_path):
    plan = planmod.make_plan(planmod.preset("cameras", TUNER_RANGE_HZ), tuning_range=TUNER_RANGE_HZ)
    result = rf_sweep.sweep(LookFailingRadio(room(tmp_path, True), time_scale=0), plan)
    assert not result.complete and "NO_DEVICE" in result.error and not result.missing
    camera = [c for c in result.emitters if abs(c.detection.freq_hz - 1.28e9) < 1e6]
    assert len(camera) == 1 and not camera[0].verdict.examined and not camera[0].verdict.suspect
    assert "closer look" in " ".join(camera[0].verdict.reasons)
    assert result.looks == 0
