"""Baselines: the pure comparison, and ``roomsweep sweep --save-baseline`` / automatic comparison."""

from __future__ import annotations

import json

import pytest

from appliance import baseline
from appliance.cli import main
from appliance.store import Store
from hw.radio import TUNER_RANGE_HZ


def emitter(freq_hz, power_dbfs=-40.0, bandwidth_hz=20e3, score=0.0, kind="carrier"):
    return {
        "freq_hz": freq_hz,
        "bandwidth_hz": bandwidth_hz,
        "power_dbfs": power_dbfs,
        "kind": kind,
        "camera_score": score,
    }


def test_new_stronger_known_and_uncovered():
    known = baseline.Reference(
        [emitter(100e6, -30), emitter(433.92e6, -40), emitter(1.1e9, -50)], ranges_hz=[(24e6, 1.2e9)]
    )
    now = [
        emitter(100.005e6, -31),  # the same station, measured a bin away
        emitter(433.92e6, -33.9),  # 6.1 dB stronger: someone brought it closer
        emitter(1.28e9, -30, 4e6, 0.99, "analog-video"),  # outside what the baseline swept
        emitter(915e6, -45),  # new
    ]
    result = baseline.compare(now, known, rise_db=6.0, current_ranges_hz=[(24e6, 1.766e9)])
    assert [c.status for c in result.changes] == ["known", "stronger", "uncovered", "new"]
    assert result.changes[1].rise_db == pytest.approx(6.1) and result.changes[1].baseline_power_dbfs == -40
    assert result.gone == [2]
    assert [c.status for c in baseline.compare(now, known, rise_db=7.0).changes][1] == "known"


def test_matching_is_one_to_one_and_closest_first():
    known = baseline.Reference([emitter(500e6)])
    result = baseline.compare([emitter(500.012e6), emitter(500.001e6)], known)
    assert [c.status for c in result.changes] == ["new", "known"]


def test_wide_emitters_match_within_a_share_of_their_width():
    """An FM video link's reported centre moves with its picture; a drift of 300 kHz is the same link."""
    known = baseline.Reference([emitter(1.28e9, -35, 4e6, 0.99, "analog-video")])
    same = baseline.compare([emitter(1.2803e9, -34, 4.2e6, 0.99, "analog-video")], known)
    assert same.changes[0].status == "known"
    other = baseline.compare([emitter(1.2815e9, -34, 30e3)], baseline.Reference([emitter(1.28e9, -34, 30e3)]))
    assert other.changes[0].status == "new"


def test_annotate_sets_the_json_fields():
    emitters = [emitter(1.28e9, -30, 4e6, 0.99, "analog-video"), emitter(98.1e6, -25, 200e3)]
    assert baseline.annotate(emitters, None) is None
    assert emitters[0]["new_since_baseline"] is None and emitters[0]["baseline_change"] is None
    ref = baseline.Reference([emitter(98.1e6, -26, 200e3)], id=7, name="clean", created_at=0.0)
    summary = baseline.annotate(emitters, ref, rise_db=6.0)
    assert summary == {
        "id": 7,
        "name": "clean",
        "created_at": "1970-01-01T00:00:00+00:00",
        "emitters": 1,
        "ranges_hz": None,
        "rise_db": 6.0,
        "not_seen_now": 0,
    }
    assert emitters[0]["new_since_baseline"] is True and emitters[0]["baseline_change"] == "new"
    assert emitters[1]["new_since_baseline"] is False and emitters[1]["baseline_power_dbfs"] == -26


def write_scene(tmp_path, name, emitters):
    path = tmp_path / name
    path.write_text(json.dumps({"emitters": emitters}))
    return str(path)


CARRIER = {"kind": "carrier", "freq_hz": 1.1e9, "power_dbfs": -45}
CAMERA = {"kind": "analog-video", "freq_hz": 1.28e9, "power_dbfs": -40, "standard": "NTSC"}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    path = tmp_path / "data"
    monkeypatch.setenv("ROOMSWEEP_DATA_DIR", str(path))
    return path


def sweep_json(capsys, *args):
    assert main(["sweep", "--range", "1.05G:1.35G", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_saves_a_baseline_and_flags_the_new_camera(tmp_path, data_dir, capsys):
    clean = write_scene(tmp_path, "clean.json", [CARRIER])
    bugged = write_scene(tmp_path, "bugged.json", [CARRIER, CAMERA])
    first = sweep_json(capsys, "--scene", clean, "--save-baseline", "hotel 12")
    assert first["baseline"] is None and first["new_since_baseline"] is None
    assert first["baseline_saved"] == 1
    saved = Store(data_dir).latest_baseline()
    assert saved.name == "hotel 12" and [round(e["freq_hz"] / 1e6) for e in saved.emitters] == [1100]

    doc = sweep_json(capsys, "--scene", bugged, "--evidence", str(tmp_path / "evidence"))
    assert doc["baseline"]["name"] == "hotel 12" and doc["baseline"]["ranges_hz"] == [[1.05e9, 1.35e9]]
    (ref,) = doc["new_since_baseline"]
    new = doc["emitters"][ref["index"]]
    assert new["baseline_change"] == "new" and new["kind"] == "analog-video" and new["suspect"]
    (suspect_ref,) = doc["suspects"]
    assert doc["emitters"][suspect_ref["index"]] is not None and suspect_ref == {"part": "rf", "index": ref["index"]}
    assert new["standard"] == "NTSC" and new["evidence"].endswith(".sigmf-meta")
    assert doc["counts"]["new_since_baseline"] == 1 and doc["status"] == "complete"
    flags = {round(e["freq_hz"] / 1e6): e["new_since_baseline"] for e in doc["emitters"]}
    assert flags == {1100: False, 1280: True}

    assert sweep_json(capsys, "--scene", bugged, "--no-baseline")["new_since_baseline"] is None
    assert main(["sweep", "--range", "1.05G:1.35G", "--scene", bugged]) == 0
    text = capsys.readouterr().out
    assert "NEW since baseline" in text and "Since baseline 'hotel 12'" in text and "1 new" in text
    assert "1. 1280.0" in text and "NTSC" in text


def test_a_stronger_emitter_is_flagged_with_its_rise(tmp_path, data_dir, capsys):
    sweep_json(capsys, "--scene", write_scene(tmp_path, "a.json", [CARRIER]), "--save-baseline")
    louder = write_scene(tmp_path, "b.json", [{**CARRIER, "power_dbfs": -35}])
    doc = sweep_json(capsys, "--scene", louder, "--baseline-rise", "6")
    (flag,) = doc["new_since_baseline"]
    stronger = doc["emitters"][flag["index"]]
    assert stronger["baseline_change"] == "stronger" and stronger["baseline_rise_db"] == pytest.approx(10, abs=1.5)
    assert sweep_json(capsys, "--scene", louder, "--baseline-rise", "12")["new_since_baseline"] == []


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--look-time", "0.01"], "--look-time must be"),
        (["--max-looks", "-1"], "--max-looks must be"),
        (["--baseline-rise", "0"], "--baseline-rise must be"),
        (["--evidence", "/proc/nope/evidence"], "cannot create evidence directory"),
        (["--look-time", "soon"], "invalid float value"),
    ],
)
def test_bad_sweep_options_are_one_line_and_exit_2(data_dir, capsys, args, expect):
    code = main(["sweep", "--simulate", "--range", "1.2G:1.21G", *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and expect in err[0]


def test_an_unusable_database_does_not_stop_a_sweep(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "data"
    broken.mkdir()
    (broken / "roomsweep.sqlite3").write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("ROOMSWEEP_DATA_DIR", str(broken))
    assert main(["sweep", "--simulate", "--range", "1.2G:1.21G", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["baseline"] is None
    assert "not comparing with a baseline" in captured.err
    code = main(["sweep", "--simulate", "--range", "1.2G:1.21G", "--save-baseline"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "cannot save a baseline" in err[0]


def test_a_baseline_saved_from_a_stored_sweep_knows_its_ranges(tmp_path):
    """The web UI saves a stored sweep's document as the baseline: its plan says what it covered."""
    from appliance import report
    from dsp import plan as planmod

    store = Store(tmp_path / "data")
    sweep_id = store.begin_sweep("session")
    doc = report.sweep_document(
        planmod.make_plan(((88e6, 108e6),), tuning_range=TUNER_RANGE_HZ), rf={"emitters": [emitter(98.1e6, -25, 200e3)]}
    )
    store.finish_sweep(sweep_id, doc)
    baseline.save(store, store.document(sweep_id), name="from the web UI", sweep_id=sweep_id)
    reference = baseline.latest(store)
    assert reference.ranges_hz == [(88e6, 108e6)] and reference.name == "from the web UI"
    assert "id" not in reference.emitters[0] and "new_since_baseline" not in reference.emitters[0]
    result = baseline.compare([emitter(98.1e6, -24, 200e3), emitter(433.92e6)], reference)
    assert [c.status for c in result.changes] == ["known", "uncovered"]


def test_only_a_complete_sweep_becomes_a_baseline(tmp_path):
    from appliance import report
    from dsp import plan as planmod

    partial = report.sweep_document(
        planmod.make_plan(((88e6, 108e6),), tuning_range=TUNER_RANGE_HZ), rf={"problems": ["tuner did not lock"]}
    )
    assert partial["status"] == "partial"
    with pytest.raises(ValueError, match="needs a complete sweep"):
        baseline.save(Store(tmp_path / "data"), partial)
