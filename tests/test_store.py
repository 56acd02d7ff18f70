"""SQLite storage on disk: schema, crash-safe sweeps, baselines, settings, files, retention."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from appliance import baseline, report
from appliance.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError
from dsp import plan as planmod
from hw.radio import TUNER_RANGE_HZ

EMITTER = {
    "freq_hz": 1.28e9,
    "bandwidth_hz": 4.7e6,
    "power_dbfs": -15.0,
    "snr_db": 40.0,
    "kind": "analog-video",
    "line_rate_hz": 15625.0,
    "standard": "PAL",
    "camera_score": 0.97,
    "reasons": ["line-rate comb"],
    "bursty": False,
}
LENS = {"kind": "lens", "x": 10.0, "y": 20.0, "score": 0.9, "radius_px": 2.0, "seen_in": 3}
PLAN = planmod.make_plan(((1.2e9, 1.3e9),), tuning_range=TUNER_RANGE_HZ)


def document(emitters=(EMITTER,), findings=(LENS,)):
    """A sweep document as the session builds it (appliance.report)."""
    optical = {"pairs": 3, "findings": [dict(f) for f in findings], "image": None, "complete": True, "error": None}
    return report.sweep_document(PLAN, rf={"emitters": [dict(e) for e in emitters]}, optical=optical)


def test_fresh_database_is_wal_at_the_current_schema(tmp_path):
    store = Store(tmp_path)
    assert store.schema_version == SCHEMA_VERSION
    mode = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert store.integrity_ok()


def test_a_completed_sweep_survives_reopening(tmp_path):
    store = Store(tmp_path)
    sid = store.begin_sweep("sim:hotel room")
    doc = document()
    store.finish_sweep(sid, doc)
    store.close()
    again = Store(tmp_path)
    record = again.sweep(sid)
    assert record.status == "complete" and record.source == "sim:hotel room"
    assert record.summary == report.head(doc) and "emitters" not in record.summary
    stored = again.document(sid)
    (row,) = stored["emitters"]
    assert row.pop("id") > 0 and row == doc["emitters"][0]
    (lens,) = stored["optical"]["findings"]
    assert lens.pop("id") > 0 and lens == doc["optical"]["findings"][0]
    assert {k: v for k, v in stored.items() if k not in ("emitters", "optical")} == {
        k: v for k, v in doc.items() if k not in ("emitters", "optical")
    }
    assert stored["suspects"] == [{"part": "rf", "index": 0}, {"part": "optical", "index": 0}]


def test_a_sweep_cut_off_by_a_crash_is_marked_interrupted(tmp_path):
    store = Store(tmp_path)
    sid = store.begin_sweep()
    store.close()  # the process dies here, before finish_sweep
    again = Store(tmp_path)
    assert again.interrupted_at_start == 1
    assert again.sweep(sid).status == "interrupted"
    assert again.emitters(sid) == []


def test_baselines_keep_a_snapshot_of_the_room(tmp_path):
    store = Store(tmp_path)
    assert store.latest_baseline() is None
    store.save_baseline([EMITTER], name="clean")
    second = store.save_baseline([], name="empty")
    latest = store.latest_baseline()
    assert latest.id == second and latest.name == "empty" and latest.emitters == []
    assert [b.name for b in store.baselines()] == ["empty", "clean"]
    assert store.clear_baselines() == 2 and store.latest_baseline() is None


def test_settings_round_trip_and_reset(tmp_path):
    store = Store(tmp_path)
    store.set_settings({"sweep.preset": "cameras", "panel.long_press_s": 2.0})
    store.set_settings({"sweep.preset": "full"})
    assert store.settings() == {"sweep.preset": "full", "panel.long_press_s": 2.0}
    store.reset_settings(["sweep.preset"])
    assert store.settings() == {"panel.long_press_s": 2.0}


def test_files_and_spectrum_are_written_beside_the_sweep(tmp_path):
    store = Store(tmp_path)
    sid = store.begin_sweep()
    freqs = np.linspace(24e6, 1766e6, 1000)
    power = np.full(1000, 1e-5)
    store.save_spectrum(sid, freqs, power, power * 2)
    spec = store.load_spectrum(sid)
    np.testing.assert_allclose(spec["mean_db"], -50.0, atol=1e-4)
    np.testing.assert_allclose(spec["peak_db"], -46.99, atol=1e-2)
    path = store.add_file(sid, "image", "glints.jpg", b"\xff\xd8jpeg")
    assert path.read_bytes() == b"\xff\xd8jpeg" and path.parent == store.sweep_dir(sid)
    assert [f["role"] for f in store.files(sid)] == ["spectrum", "image"]
    assert not list(store.sweep_dir(sid).glob("*.tmp"))


def test_retention_deletes_the_oldest_sweeps_and_their_files(tmp_path):
    store = Store(tmp_path)
    ids = []
    for _ in range(5):
        sid = store.begin_sweep()
        store.add_file(sid, "image", "big.bin", b"x" * 100_000)
        store.finish_sweep(sid, document())
        ids.append(sid)
    deleted = store.enforce_retention(max_sweeps=3, max_bytes=10**9, min_free_bytes=0)
    assert deleted == ids[:2]
    assert store.sweep(ids[0]) is None and not store.sweep_dir(ids[0], create=False).exists()
    assert store.emitters(ids[0]) == []
    deleted = store.enforce_retention(max_sweeps=100, max_bytes=150_000, min_free_bytes=0)
    assert deleted == ids[2:4]
    assert [s.id for s in store.sweeps()] == [ids[4]]  # the newest one is always kept


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path):
    (tmp_path / "roomsweep.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not usable as the roomsweep database"):
        Store(tmp_path)


def test_a_newer_schema_is_refused(tmp_path):
    Store(tmp_path).close()
    db = sqlite3.connect(tmp_path / "roomsweep.sqlite3")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer than this roomsweep"):
        Store(tmp_path)


def test_migrations_upgrade_an_empty_old_database(tmp_path):
    sqlite3.connect(tmp_path / "roomsweep.sqlite3").close()  # version 0: nothing in it
    store = Store(tmp_path)
    assert store.schema_version == SCHEMA_VERSION
    assert store.sweeps() == []


def _version_1_database(path):
    """A database as roomsweep wrote it before the one sweep document (schema version 1)."""
    import json

    db = sqlite3.connect(path / "roomsweep.sqlite3", isolation_level=None)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("PRAGMA user_version = 1")
    session_summary = {  # what Session._run_sweep stored
        "ranges_hz": [[1.2e9, 1.3e9]],
        "hops": 44,
        "rbw_hz": 9375.0,
        "hops_done": 44,
        "rf_error": None,
        "rf_problems": ["tuner did not lock at 1227.1 MHz"],
        "relocks": 1,
        "optical": {"pairs": 8, "lenses": 1, "ir_leds": 0, "complete": True},
        "emitters": 2,
        "suspects": 2,
        "findings": 1,
        "wall_time_s": 12.5,
    }
    cli_doc = {"plan": {"ranges_hz": [[88e6, 108e6]], "hops": 10, "rbw_hz": 9375.0, "sample_rate_hz": 2.4e6}}
    cli_doc.update(complete=True, cancelled=False, error=None, problems=[], looks=2, baseline_saved=None)
    for n, (status, summary) in enumerate((("partial", session_summary), ("complete", cli_doc)), start=1):
        db.execute(
            "INSERT INTO sweeps (id, started_at, status, summary) VALUES (?, ?, ?, ?)",
            (n, 1e9 + n, status, json.dumps(summary)),
        )
    carrier = {**EMITTER, "freq_hz": 1.25e9, "kind": "carrier", "camera_score": 0.05}
    for e in (EMITTER, carrier):  # stored suspects first, not in frequency order
        db.execute(
            "INSERT INTO emitters (sweep_id, freq_hz, bandwidth_hz, kind, camera_score, doc) VALUES (1, ?, ?, ?, ?, ?)",
            (e["freq_hz"], e["bandwidth_hz"], e["kind"], e["camera_score"], json.dumps(e)),
        )
    db.execute(
        "INSERT INTO findings (sweep_id, kind, x, y, score, doc) VALUES (1, 'lens', 10, 20, 0.9, ?)",
        (json.dumps(LENS),),
    )
    db.execute("INSERT INTO baselines (created_at, name, sweep_id, emitters) VALUES (1e9, 'cli', 2, '[]')")
    db.close()


def test_sweeps_stored_before_the_one_document_are_upgraded_to_it(tmp_path):
    _version_1_database(tmp_path)
    store = Store(tmp_path)
    assert store.schema_version == SCHEMA_VERSION
    session = store.document(1)
    assert session["version"] == report.VERSION and session["status"] == "partial"
    assert session["plan"]["ranges_hz"] == [[1.2e9, 1.3e9]] and session["problems"] == [
        "tuner did not lock at 1227.1 MHz"
    ]
    assert [e["freq_hz"] for e in session["emitters"]] == [1.25e9, 1.28e9], "document order is frequency order"
    assert [e["suspect"] for e in session["emitters"]] == [False, True]
    assert session["suspects"] == [{"part": "rf", "index": 1}, {"part": "optical", "index": 0}]
    assert session["counts"] == {
        "emitters": 2,
        "findings": 1,
        "suspects": 2,
        "rf_suspects": 1,
        "optical_suspects": 1,
        "wifi_devices": 0,  # no Wi-Fi part before the Wi-Fi sweep
        "wifi_suspects": 0,
        "sees_device": 0,
        "rf_sees_device": 0,
        "new_since_baseline": 0,
        "ble_devices": 0,  # no BLE part before the BLE scan
        "ble_hints": 0,
        "lan_devices": 0,  # no network part before the opt-in network scan
        "lan_cameras": 0,
    }
    assert session["baseline"] is None and session["emitters"][1]["new_since_baseline"] is None
    assert session["optical"]["lenses"] == 1 and session["optical"]["findings"][0]["suspect"] is True
    cli = store.document(2)
    assert cli["plan"]["ranges_hz"] == [[88e6, 108e6]] and cli["looks"] == 2 and cli["optical"] is None
    assert baseline.latest(store).ranges_hz == [(88e6, 108e6)], "one shape for the baseline to read"
