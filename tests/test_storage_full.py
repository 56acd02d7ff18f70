"""Issue 13, the storage rows: a full or read-only SD card never eats history (real filesystems).

Row 2: retention deletes for space only when roomsweep's own sweeps fill the disk, never the
newest ``storage.keep_newest``; a card filled by another process keeps every sweep and the sweep
that cannot be saved says why. Row 12: deleting on a full disk frees the files first, then the
row; what cannot be written is a JSON 507.
"""

from __future__ import annotations

import time

import pytest
import requests

from appliance.store import RESERVE_NAME, Store
from tests.filesystems import fill, small_filesystem
from tests.test_store import document

AUTH = {"Authorization": "Bearer test-admin-secret-123"}
SMALL_RANGE = {"ranges": [{"lo_hz": 433.0e6, "hi_hz": 434.8e6}]}


def _sweeps_with_files(store: Store, count: int, size: int) -> list[int]:
    ids = []
    for _ in range(count):
        sid = store.begin_sweep()
        store.add_file(sid, "image", "photo.jpg", b"\xff" * size)
        store.finish_sweep(sid, document())
        ids.append(sid)
    return ids


def test_row2_retention_frees_space_when_our_own_sweeps_fill_the_disk_but_keeps_the_newest(tmp_path):
    with small_filesystem(tmp_path / "card", "4m") as card:
        store = Store(card)
        ids = _sweeps_with_files(store, 10, 300_000)
        assert store.space().free < 1_500_000 and store.space().ours_fill_it
        deleted = store.enforce_retention(max_sweeps=100, max_bytes=10**9, min_free_bytes=1_500_000, keep_newest=3)
        assert deleted == ids[: len(deleted)] and deleted, "the oldest go first"
        assert store.space().free >= 1_500_000 or [s.id for s in store.sweeps()] == ids[-3:]
        deleted_more = store.enforce_retention(
            max_sweeps=100, max_bytes=10**9, min_free_bytes=10**9, keep_newest=3
        )  # an impossible target
        assert [s.id for s in store.sweeps()] == ids[-3:][::-1], "the newest three are never deleted"
        assert set(deleted + deleted_more) == set(ids[:-3])
        store.close()


def test_row2_a_disk_filled_by_another_process_deletes_no_sweep(tmp_path):
    with small_filesystem(tmp_path / "card", "8m") as card:
        store = Store(card)
        ids = _sweeps_with_files(store, 5, 100_000)
        (card / "tmp").mkdir()
        fill(card / "tmp", leave_bytes=50_000)  # a 7 MB upload spooled by someone else
        assert not store.space().ours_fill_it
        assert store.enforce_retention(max_sweeps=100, max_bytes=10**9, min_free_bytes=1_000_000, keep_newest=1) == []
        assert sorted(s.id for s in store.sweeps()) == ids
        with pytest.raises(OSError) as failure:
            store.add_file(ids[0], "image", "more.jpg", b"x" * 200_000)
        why = store.explain(failure.value)
        assert "other files fill it" in why and "deletes none of its sweeps" in why
        store.close()


@pytest.fixture
def server_on_a_small_card(tmp_path, monkeypatch):
    from tests.live import LiveServer

    monkeypatch.setenv("ROOMSWEEP_SWEEP_OPTICAL", "false")
    with small_filesystem(tmp_path / "data", "16m"):
        server = LiveServer(tmp_path)
        try:
            yield server
        finally:
            server.close()


def _sweep(server) -> dict:
    r = requests.post(f"{server.base_url}/api/sweeps", json=SMALL_RANGE, headers=AUTH, timeout=10)
    assert r.status_code == 202, r.text
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = requests.get(f"{server.base_url}/api/status", headers=AUTH, timeout=10).json()["session"]
        if status["state"] in ("results", "idle"):
            return status
        time.sleep(0.05)
    raise AssertionError("the sweep never ended")


def test_row2_row12_full_card_sweep_is_shown_not_saved_and_delete_frees_files_first(server_on_a_small_card):
    server = server_on_a_small_card
    for _ in range(3):
        _sweep(server)
    kept = [s.id for s in server.appliance.store.sweeps()]
    assert len(kept) == 3
    data = server.appliance.data_dir
    (data / "upload-spool").mkdir()
    fill(data / "upload-spool")  # another process fills the card to the last byte
    status = _sweep(server)
    assert "NOT SAVED" in status["message"] and "other files fill it" in status["message"], status["message"]
    assert all(server.appliance.store.sweep(i) is not None for i in kept), "no sweep was deleted to make room"
    r = requests.delete(f"{server.base_url}/api/sweeps/{kept[0]}", headers=AUTH, timeout=10)
    assert r.status_code == 204, r.text
    assert server.appliance.store.sweep(kept[0]) is None
    assert not server.appliance.store.sweep_dir(kept[0], create=False).exists()


def test_row12_a_delete_that_cannot_be_written_is_a_json_507_and_loses_nothing(server_on_a_small_card):
    """First boot on a full card: no reserve was ever made, and the sweep has no files to free."""
    server = server_on_a_small_card
    store = server.appliance.store
    _sweep(server)
    bare = store.begin_sweep()
    store.finish_sweep(bare, document())
    (server.appliance.data_dir / RESERVE_NAME).unlink()
    filler = fill(server.appliance.data_dir)
    r = requests.delete(f"{server.base_url}/api/sweeps/{bare}", headers=AUTH, timeout=10)
    assert r.status_code == 507, r.text
    assert r.json()["error"].startswith(f"could not delete sweep {bare}: the SD card is full")
    assert store.sweep(bare) is not None and store.integrity_ok(), "the row is still there to delete later"
    filler.unlink()  # the other process lets go: the store was left with no open transaction
    assert requests.delete(f"{server.base_url}/api/sweeps/{bare}", headers=AUTH, timeout=10).status_code == 204
    assert store.sweep(bare) is None and len(store.sweeps()) == 1
