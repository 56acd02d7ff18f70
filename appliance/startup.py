"""Degraded start: what the daemon runs on when its SD card, database or settings are in trouble.

An appliance with no screen that crash-loops is a dead box: no UI, no LEDs, no button (systemd
gives up after ``StartLimitBurst``). So every start-up write and read here has a fallback, and
each fallback leaves one warning for the device page, the banner and the log:

- a damaged database is set aside as ``roomsweep.sqlite3.corrupt.<UTC time>`` (with its WAL) and
  a fresh one is made;
- a full or read-only data directory (an SD card that fails remounts itself read-only) runs on
  an in-memory store: sweeps work and are shown, nothing is kept;
- an admin secret or cookie key that cannot be written lives for this run only.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from appliance.store import DB_NAME, Store, StoreCorrupt, StoreError, release_reserve

log = logging.getLogger(__name__)


def scratch_dir() -> Path:
    """RAM-backed room for an in-memory store's files: systemd's RuntimeDirectory (/run/roomsweep)."""
    base = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0] or tempfile.gettempdir()
    return Path(tempfile.mkdtemp(prefix="roomsweep-unsaved-", dir=base))


def set_aside(root: Path, when: float | None = None) -> Path:
    """Rename a damaged database (and its -wal/-shm, which must never meet a fresh one)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if when is None else when))
    kept = root / f"{DB_NAME}.corrupt.{stamp}"
    for suffix in ("-wal", "-shm", ""):  # the main file last: it names the set
        source = root / (DB_NAME + suffix)
        if source.exists():
            source.rename(root / (kept.name + suffix))
    return kept


def open_store(root: Path) -> tuple[Store, str | None]:
    """The data directory's store, or the one the daemon can still run on, and the warning to show."""
    for last_try in (False, True):
        try:
            return Store(root), None
        except StoreCorrupt as exc:
            damage = str(exc)
            break
        except (StoreError, sqlite3.Error, OSError) as exc:
            # a full card: the reserve makes room to open it, so the history stays in view
            if last_try or _read_only(root, exc) or not release_reserve(root):
                return _in_memory(root, exc)
    log.error("database damaged: %s", damage)
    try:
        kept = set_aside(root)
        store = Store(root)
    except (StoreError, sqlite3.Error, OSError) as exc:
        return _in_memory(root, exc)
    warning = f"the database was damaged; it was kept as {kept.name} and a new, empty one started"
    log.warning(warning)
    return store, warning


def _in_memory(root: Path, exc: BaseException) -> tuple[Store, str]:
    words = "read-only" if _read_only(root, exc) else "full"
    warning = f"storage {words}: results are not kept ({exc})"
    log.error(warning)
    return Store(scratch_dir(), in_memory=True), warning


def _read_only(root: Path, exc: BaseException) -> bool:
    if "readonly" in str(exc).lower() or "read-only" in str(exc).lower():
        return True
    try:
        return bool(os.statvfs(root).f_flag & os.ST_RDONLY)
    except OSError:
        return False
