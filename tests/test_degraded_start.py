"""Issue 13 rows 13-16: the daemon starts degraded instead of crash-looping (``appliance/startup.py``).

Each case runs ``roomsweep serve`` as a process on a real filesystem (tmpfs with ``size=``, a
read-only bind mount) and checks that the UI answers, the device page names the trouble, a sweep
still works, and no traceback reaches the log.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

from appliance import startup
from appliance.store import Store, StoreCorrupt
from tests.filesystems import fill, read_only_view, small_filesystem
from tests.test_daemon import Daemon, free_port
from tests.test_store import document


def _sweep_works(daemon) -> dict:
    daemon.request("/api/sweeps", "POST", {"ranges": [{"lo_hz": 433.0e6, "hi_hz": 434.8e6}]})
    deadline = time.monotonic() + 60
    while (status := daemon.get("/api/status"))["session"]["state"] not in ("results", "idle"):
        assert time.monotonic() < deadline, "the sweep never ended"
        time.sleep(0.05)
    assert status["latest_sweep"]["status"] == "complete", status
    return status


def _stopped_cleanly(daemon) -> str:
    code, out, err = daemon.stop()
    assert code == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    return err


@pytest.mark.parametrize("damage", ["header", "middle"])
def test_row15_a_corrupt_database_is_kept_aside_and_a_fresh_one_started(tmp_path, damage):
    data = tmp_path / "data"
    store = Store(data)
    for _ in range(30):
        sid = store.begin_sweep()
        store.finish_sweep(sid, {**document(), "emitters": []})
    store.close()
    path = data / "roomsweep.sqlite3"
    raw = bytearray(path.read_bytes())
    start = 0 if damage == "header" else len(raw) // 2
    raw[start : start + 4096] = os.urandom(4096)
    path.write_bytes(bytes(raw))
    daemon = Daemon(data, tmp_path / "roomsweep.toml", free_port())
    try:
        warnings = daemon.get("/api/device")["warnings"]
        (kept,) = [p.name for p in data.glob("roomsweep.sqlite3.corrupt.*") if not p.name.endswith(("-wal", "-shm"))]
        assert any(kept in w and "damaged" in w for w in warnings), warnings
        assert daemon.get("/api/status")["warnings"] == warnings, "the banner says it too"
        _sweep_works(daemon)
        assert [s["id"] for s in daemon.get("/api/sweeps")["sweeps"]] == [1], "a fresh database"
    finally:
        _stopped_cleanly(daemon)
    assert (data / kept).read_bytes() == bytes(raw), "the damaged file is kept as it was"


def test_set_aside_moves_the_wal_with_the_database(tmp_path):
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"roomsweep.sqlite3{suffix}").write_bytes(b"x")
    kept = startup.set_aside(tmp_path, when=0)
    assert kept.name == "roomsweep.sqlite3.corrupt.19700101T000000Z"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept.name + s for s in ("", "-shm", "-wal"))


def test_a_store_that_fails_its_quick_check_is_corrupt(tmp_path):
    (tmp_path / "roomsweep.sqlite3").write_bytes(b"SQLite format 3\0" + os.urandom(8000))
    with pytest.raises(StoreCorrupt):
        Store(tmp_path)


def test_row13_restart_on_a_full_card_keeps_history_and_says_not_saved(tmp_path):
    with small_filesystem(tmp_path / "data", "16m") as data:
        config = tmp_path / "roomsweep.toml"
        daemon = Daemon(data, config, free_port())
        try:
            _sweep_works(daemon)
        finally:
            _stopped_cleanly(daemon)
        fill(data, name="journal.log")
        daemon = Daemon(data, config, free_port())
        try:
            assert len(daemon.get("/api/sweeps")["sweeps"]) == 1, "history still there (the reserve let it open)"
            fill(data, name="journal-2.log")  # and the log takes what the reserve gave back
            daemon.request("/api/sweeps", "POST", {"ranges": [{"lo_hz": 433.0e6, "hi_hz": 434.8e6}]})
            deadline = time.monotonic() + 60
            while (status := daemon.get("/api/status"))["session"]["state"] == "sweeping":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert "NOT SAVED" in status["session"]["message"] and "other files fill it" in status["session"]["message"]
            assert len(daemon.get("/api/sweeps")["sweeps"]) == 1, "nothing deleted"
            assert any("nearly full" in w for w in status["warnings"])
        finally:
            _stopped_cleanly(daemon)


def test_row13_first_boot_on_a_full_card_still_has_an_identity_and_a_ui(tmp_path):
    with small_filesystem(tmp_path / "data", "1m") as data:
        fill(data, name="someone-elses.bin")
        daemon = Daemon(data, tmp_path / "roomsweep.toml", free_port())
        try:
            warnings = daemon.get("/api/device")["warnings"]
            assert any("storage full: results are not kept" in w for w in warnings), warnings
            assert any("admin secret could not be saved" in w for w in warnings), warnings
            _sweep_works(daemon)
            assert len(daemon.get("/api/sweeps")["sweeps"]) == 1, "shown, though not kept"
        finally:
            err = _stopped_cleanly(daemon)
        assert "until restart" in err, "the one place this boot's secret can be read"


def test_row14_a_read_only_card_runs_on_an_in_memory_store(tmp_path):
    source = tmp_path / "card"
    first = Daemon(source, tmp_path / "roomsweep.toml", free_port())
    try:
        _sweep_works(first)
    finally:
        _stopped_cleanly(first)
    with read_only_view(source, tmp_path / "data") as data:
        daemon = Daemon(data, tmp_path / "roomsweep.toml", free_port())
        try:
            warnings = daemon.get("/api/status")["warnings"]
            assert any("storage read-only: results are not kept" in w for w in warnings), warnings
            assert daemon.get("/api/device")["panel"]["showing"] == "fault", "the red LED says it too"
            _sweep_works(daemon)
        finally:
            _stopped_cleanly(daemon)


@pytest.mark.parametrize(
    "content,message",
    [
        (b"[web]\nport = 8080\n\xff\xfe\n", "not UTF-8"),
        (b"[radio]\nppm = " + b"[" * 2000 + b"]" * 2000 + b"\n", "nested too deeply"),
        (b'[web]\nhost = "not a host"\n', "web.host"),
    ],
)
def test_row16_an_unreadable_settings_file_falls_back_to_defaults(tmp_path, content, message):
    config = tmp_path / "roomsweep.toml"
    config.write_bytes(content)
    daemon = Daemon(tmp_path / "data", config, free_port())
    try:
        warnings = daemon.get("/api/device")["warnings"]
        assert any("settings file ignored" in w and message in w for w in warnings), warnings
    finally:
        err = _stopped_cleanly(daemon)
    assert "settings file ignored, defaults in use" in err


def test_row16_a_web_host_that_cannot_be_bound_falls_back_to_all_interfaces(tmp_path):
    """10.42.0.1 before the hotspot is up: not an address of this machine yet."""
    daemon = Daemon(tmp_path / "data", tmp_path / "roomsweep.toml", free_port(), host="10.42.0.1")
    try:
        warnings = daemon.get("/api/device")["warnings"]
        assert any("web.host 10.42.0.1 cannot be listened on" in w and "all interfaces" in w for w in warnings)
    finally:
        err = _stopped_cleanly(daemon)
    assert "listening on all interfaces" in err


def test_in_memory_store_keeps_nothing_on_disk(tmp_path):
    store = Store(tmp_path, in_memory=True)
    sid = store.begin_sweep()
    store.finish_sweep(sid, document())
    assert store.sweep(sid).status == "complete"
    store.close()
    assert not list(tmp_path.glob("roomsweep.sqlite3*"))
    with pytest.raises(sqlite3.Error):
        sqlite3.connect(tmp_path / "roomsweep.sqlite3").execute("SELECT * FROM sweeps")
    shutil.rmtree(tmp_path / "sweeps")


def test_a_read_only_numba_cache_falls_back_to_ram(tmp_path):
    (tmp_path / "cache").mkdir()
    with read_only_view(tmp_path / "cache", tmp_path / "numba") as cache:
        probe = "import os, appliance; print(os.environ['NUMBA_CACHE_DIR'])"
        env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "RUNTIME_DIRECTORY": str(tmp_path / "run")}
        result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "run" / "numba")
    assert "cannot be written" in result.stderr and "Traceback" not in result.stderr
