"""SQLite storage on disk: schema, crash-safe sweeps, baselines, settings, files, retention."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from appliance.store import SCHEMA_VERSION, Store, StoreError

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


def test_fresh_database_is_wal_at_the_current_schema(tmp_path):
    store = Store(tmp_path)
    assert store.schema_version == SCHEMA_VERSION
    mode = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert store.integrity_ok()


def test_a_completed_sweep_survives_reopening(tmp_path):
    store = Store(tmp_path)
    sid = store.begin_sweep("sim:hotel room")
    store.finish_sweep(
        sid,
        status="complete",
        summary={"hops": 870},
        emitters=[EMITTER],
        findings=[{"kind": "lens", "x": 10.0, "y": 20.0, "score": 0.9, "radius_px": 2.0, "seen_in": 3}],
    )
    store.close()
    again = Store(tmp_path)
    record = again.sweep(sid)
    assert record.status == "complete" and record.summary == {"hops": 870} and record.source == "sim:hotel room"
    (row,) = again.emitters(sid)
    assert row["freq_hz"] == 1.28e9 and row["reasons"] == ["line-rate comb"]
    assert again.findings(sid)[0]["kind"] == "lens"


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
        store.finish_sweep(sid, status="complete", summary={}, emitters=[EMITTER])
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
