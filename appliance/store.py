"""Durable storage: SQLite (WAL) for sweeps, emitters, findings, baselines and UI settings;
files on disk (spectra, images, evidence recordings) written atomically.

Crash safety: a sweep row is created when the sweep starts and completed in one transaction
with all its emitters and findings, so after a kill -9 or a pulled plug a sweep is either fully
there or marked ``interrupted`` at the next start. ``synchronous=FULL``: a sweep reported
complete has reached the SD card.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hw.files import atomic_write_bytes

log = logging.getLogger(__name__)


def _one_document(db: _Tx) -> None:
    """Version 2: every sweep holds the one sweep document (``appliance.report``): its head in
    ``summary``, its emitters and findings as rows in document order (``position``)."""
    from appliance import report

    db.execute("ALTER TABLE emitters ADD COLUMN position INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE findings ADD COLUMN position INTEGER NOT NULL DEFAULT 0")
    for sweep in db.execute("SELECT id, status, summary FROM sweeps").fetchall():
        rows = {}
        for table, order in (("emitters", "freq_hz"), ("findings", "score DESC")):
            rows[table] = db.execute(f"SELECT id, doc FROM {table} WHERE sweep_id = ? ORDER BY {order}", (sweep[0],))
            rows[table] = [(r[0], json.loads(r[1])) for r in rows[table].fetchall()]
        emitters = [doc for _, doc in rows["emitters"]]
        findings = [doc for _, doc in rows["findings"]]
        upgraded = report.upgrade(json.loads(sweep[2]), emitters, findings, sweep[1])
        db.execute("UPDATE sweeps SET summary = ? WHERE id = ?", (json.dumps(upgraded), sweep[0]))
        for table, items in rows.items():
            db.executemany(
                f"UPDATE {table} SET doc = ?, position = ? WHERE id = ?",
                [(json.dumps(doc), position, row_id) for position, (row_id, doc) in enumerate(items)],
            )


# Each entry upgrades the schema from version i to i + 1 (SQL, or a function of the transaction
# for what SQL cannot say). Never edit a released step: add one.
MIGRATIONS: tuple[str | Callable[[_Tx], None], ...] = (
    """
    CREATE TABLE sweeps (
        id INTEGER PRIMARY KEY,
        started_at REAL NOT NULL,
        finished_at REAL,
        status TEXT NOT NULL CHECK (status IN
            ('running', 'complete', 'partial', 'cancelled', 'failed', 'interrupted')),
        error TEXT,
        source TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE emitters (
        id INTEGER PRIMARY KEY,
        sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        freq_hz REAL NOT NULL,
        bandwidth_hz REAL NOT NULL,
        power_dbfs REAL,
        snr_db REAL,
        kind TEXT NOT NULL,
        camera_score REAL NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX emitters_by_sweep ON emitters(sweep_id);
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        x REAL NOT NULL,
        y REAL NOT NULL,
        score REAL NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE INDEX findings_by_sweep ON findings(sweep_id);
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        path TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX files_by_sweep ON files(sweep_id);
    CREATE TABLE baselines (
        id INTEGER PRIMARY KEY,
        created_at REAL NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        sweep_id INTEGER,
        emitters TEXT NOT NULL
    );
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at REAL NOT NULL
    );
    """,
    _one_document,
    # Version 3: web sessions the device can revoke, and failed secret checks (kept across restarts)
    """
    CREATE TABLE web_sessions (
        id TEXT PRIMARY KEY,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        secret_fp TEXT NOT NULL,
        revoked_at REAL
    );
    CREATE TABLE auth_failures (
        id INTEGER PRIMARY KEY,
        client TEXT NOT NULL,
        at REAL NOT NULL
    );
    CREATE INDEX auth_failures_by_time ON auth_failures(at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


DB_NAME = "roomsweep.sqlite3"
RESERVE_NAME = "roomsweep.reserve"
RESERVE_BYTES = 512 * 1024


class StoreError(Exception):
    """The database cannot be used (newer schema, not a database, disk trouble)."""


class StoreCorrupt(StoreError):
    """The database file is damaged (not a database, or it fails SQLite's quick check)."""


class StorageFull(StoreError):
    """A write failed because the data directory is full or read-only; the message says which."""


@dataclass(frozen=True)
class Space:
    """The data directory's filesystem: bytes free, bytes used by anything, bytes that are ours."""

    free: int
    used: int
    ours: int

    @property
    def ours_fill_it(self) -> bool:
        """roomsweep's own data is at least half of what is used: deleting old sweeps is the cure."""
        return self.ours * 2 >= self.used


def is_storage_failure(exc: BaseException) -> bool:
    """A full or read-only disk, as SQLite or the OS reports it."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT)
    text = str(exc).lower()
    return isinstance(exc, sqlite3.Error) and ("full" in text or "readonly" in text or "read-only" in text)


@dataclass(frozen=True)
class Baseline:
    id: int
    created_at: float
    name: str
    sweep_id: int | None
    emitters: list[dict[str, Any]]


@dataclass(frozen=True)
class SweepRecord:
    id: int
    started_at: float
    finished_at: float | None
    status: str
    error: str | None
    source: str
    summary: dict[str, Any]


class Store:
    """One SQLite database plus a directory of files, safe to share between threads."""

    def __init__(self, root: str | Path, *, in_memory: bool = False) -> None:
        """``in_memory``: the database lives in RAM and ``root`` is scratch space for the files
        (the degraded start on a full or read-only card, ``appliance.startup``): nothing is kept."""
        self.root = Path(root)
        self.in_memory = in_memory
        self.files_dir = self.root / "sweeps"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.root / DB_NAME
        self._lock = threading.RLock()
        try:
            target = ":memory:" if in_memory else self.path
            self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=10)
            self._db.row_factory = sqlite3.Row
            if not in_memory:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            if self._db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("database disk image is malformed (quick_check)")
            self._migrate()
            self.interrupted_at_start = self._mark_interrupted()
        except sqlite3.DatabaseError as exc:
            with suppress(sqlite3.Error, AttributeError):
                self._db.close()
            message = f"{self.path}: not usable as the roomsweep database ({exc})"
            if isinstance(exc, sqlite3.OperationalError):  # cannot open, read-only, full: not damage
                raise StoreError(message) from exc
            raise StoreCorrupt(message) from None
        if not in_memory:
            self.keep_reserve()

    # --- schema --------------------------------------------------------------------------

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this roomsweep's "
                f"({SCHEMA_VERSION}); upgrade roomsweep"
            )
        for step in range(version, SCHEMA_VERSION):
            with self._transaction() as db:
                migration = MIGRATIONS[step]
                if callable(migration):
                    migration(db)
                else:
                    db.executescript_in_tx(migration)
                db.execute(f"PRAGMA user_version = {step + 1}")
            log.info("database schema upgraded to version %d", step + 1)

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def _mark_interrupted(self) -> int:
        with self._transaction() as db:
            cur = db.execute(
                "UPDATE sweeps SET status = 'interrupted', finished_at = ? WHERE status = 'running'", (time.time(),)
            )
            return cur.rowcount

    @contextmanager
    def _transaction(self) -> Iterator[_Tx]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield _Tx(self._db)
            except BaseException:
                self._rollback()
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error:  # a full disk can fail the COMMIT itself: end the transaction
                self._rollback()
                raise

    def _rollback(self) -> None:
        """Roll back if a transaction is still open (SQLite ends some itself on a full disk)."""
        if self._db.in_transaction:
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def integrity_ok(self) -> bool:
        with self._lock:
            return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- sweeps --------------------------------------------------------------------------

    def begin_sweep(self, source: str = "", pending: dict[str, Any] | None = None) -> int:
        """Create a ``running`` sweep; it becomes ``interrupted`` if the process dies first.

        ``pending`` is the document's head so far (``report.pending``: its plan)."""
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO sweeps (started_at, status, source, summary) VALUES (?, 'running', ?, ?)",
                (time.time(), source, json.dumps(pending or {})),
            )
            return int(cur.lastrowid)

    def finish_sweep(self, sweep_id: int, document: dict[str, Any], *, error: str | None = None) -> None:
        """Store a sweep document (``appliance.report``) in one transaction, all or nothing:
        its head in the sweep's row, its emitters and optical findings as rows in their order."""
        from appliance.report import head

        findings = (document.get("optical") or {}).get("findings", [])
        with self._transaction() as db:
            db.execute(
                "UPDATE sweeps SET finished_at = ?, status = ?, error = ?, summary = ? WHERE id = ?",
                (time.time(), document["status"], error, json.dumps(head(document)), sweep_id),
            )
            db.executemany(
                "INSERT INTO emitters"
                " (sweep_id, position, freq_hz, bandwidth_hz, power_dbfs, snr_db, kind, camera_score, doc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        sweep_id,
                        position,
                        e["freq_hz"],
                        e["bandwidth_hz"],
                        e.get("power_dbfs"),
                        e.get("snr_db"),
                        e["kind"],
                        e["camera_score"],
                        json.dumps(e),
                    )
                    for position, e in enumerate(document["emitters"])
                ],
            )
            db.executemany(
                "INSERT INTO findings (sweep_id, position, kind, x, y, score, doc) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (sweep_id, position, f["kind"], f["x"], f["y"], f["score"], json.dumps(f))
                    for position, f in enumerate(findings)
                ],
            )

    def replace_head(self, sweep_id: int, document: dict[str, Any]) -> None:
        """Keep a finished sweep's document again with a part added afterwards (the opt-in network scan's):
        only its head changes, its rows stay as stored."""
        from appliance.report import head

        with self._transaction() as db:
            db.execute("UPDATE sweeps SET summary = ? WHERE id = ?", (json.dumps(head(document)), sweep_id))

    def document(self, sweep_id: int) -> dict[str, Any] | None:
        """A stored sweep's document, exactly as it was built, with row ids on emitters and findings."""
        from appliance.report import assemble

        record = self.sweep(sweep_id)
        if record is None:
            return None
        return assemble(record.summary, self.emitters(sweep_id), self.findings(sweep_id))

    def sweep(self, sweep_id: int) -> SweepRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM sweeps WHERE id = ?", (sweep_id,)).fetchone()
        return _sweep_record(row) if row else None

    def sweeps(self, limit: int = 50, before_id: int | None = None) -> list[SweepRecord]:
        """Newest first."""
        query = "SELECT * FROM sweeps"
        args: tuple = ()
        if before_id is not None:
            query += " WHERE id < ?"
            args = (before_id,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [_sweep_record(r) for r in rows]

    def emitters(self, sweep_id: int) -> list[dict[str, Any]]:
        """A sweep's emitters in the emitter_json shape, in the document's order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, doc FROM emitters WHERE sweep_id = ? ORDER BY position", (sweep_id,)
            ).fetchall()
        return [{**json.loads(r["doc"]), "id": r["id"]} for r in rows]

    def emitter(self, emitter_id: int) -> dict[str, Any] | None:
        """One stored emitter by id, with its sweep_id."""
        with self._lock:
            row = self._db.execute("SELECT id, sweep_id, doc FROM emitters WHERE id = ?", (emitter_id,)).fetchone()
        return {**json.loads(row["doc"]), "id": row["id"], "sweep_id": row["sweep_id"]} if row else None

    def findings(self, sweep_id: int) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, doc FROM findings WHERE sweep_id = ? ORDER BY position", (sweep_id,)
            ).fetchall()
        return [{**json.loads(r["doc"]), "id": r["id"]} for r in rows]

    def delete_sweep(self, sweep_id: int) -> None:
        """Files first, then the row: on a full disk the freed files make room for the database's
        own write, and if they were too small the reserve (``RESERVE_NAME``) is given up for it.
        :class:`StorageFull` when even that cannot be written (a read-only card)."""
        shutil.rmtree(self.sweep_dir(sweep_id, create=False), ignore_errors=True)
        for last_try in (False, True):
            try:
                with self._transaction() as db:
                    db.execute("DELETE FROM sweeps WHERE id = ?", (sweep_id,))
                break
            except (sqlite3.Error, OSError) as exc:
                if not is_storage_failure(exc):
                    raise
                if last_try or not release_reserve(self.root):
                    raise StorageFull(f"could not delete sweep {sweep_id}: {self.explain(exc)}") from None
        self.keep_reserve()

    def keep_reserve(self) -> None:
        """Hold ``RESERVE_BYTES`` of the card so a delete can still be written when it is full
        (best effort: a card too full or read-only simply has no reserve until there is room)."""
        path = self.root / RESERVE_NAME
        with suppress(OSError):
            if path.exists() or shutil.disk_usage(self.root).free < 4 * RESERVE_BYTES:
                return
            atomic_write_bytes(path, b"\0" * RESERVE_BYTES)

    # --- files ---------------------------------------------------------------------------

    def sweep_dir(self, sweep_id: int, *, create: bool = True) -> Path:
        path = self.files_dir / f"{sweep_id:06d}"
        if create:
            path.mkdir(parents=True, exist_ok=True)
        return path

    def add_file(self, sweep_id: int, role: str, name: str, data: bytes, meta: dict | None = None) -> Path:
        """Write a file for a sweep atomically and record it (role: spectrum, image, evidence, ...)."""
        path = atomic_write_bytes(self.sweep_dir(sweep_id) / name, data)
        self.register_file(sweep_id, role, path, meta)
        return path

    def register_file(self, sweep_id: int, role: str, path: Path, meta: dict | None = None) -> None:
        """Record a file some other writer already put in the sweep's directory."""
        rel = str(Path(path).resolve().relative_to(self.root.resolve()))
        with self._transaction() as db:
            db.execute(
                "INSERT INTO files (sweep_id, role, path, bytes, meta) VALUES (?, ?, ?, ?, ?)",
                (sweep_id, role, rel, Path(path).stat().st_size, json.dumps(meta or {})),
            )

    def files(self, sweep_id: int, role: str | None = None) -> list[dict[str, Any]]:
        query, args = "SELECT * FROM files WHERE sweep_id = ?", [sweep_id]
        if role:
            query += " AND role = ?"
            args.append(role)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        return [
            {
                "id": r["id"],
                "role": r["role"],
                "path": self.root / r["path"],
                "bytes": r["bytes"],
                "meta": json.loads(r["meta"]),
            }
            for r in rows
        ]

    def save_spectrum(self, sweep_id: int, freqs: np.ndarray, mean: np.ndarray, peak: np.ndarray) -> Path:
        """The stitched spectrum (dBFS, float32) as a compressed .npz beside the sweep."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            freqs=np.asarray(freqs, np.float64),
            mean_db=_db32(mean),
            peak_db=_db32(peak),
        )
        return self.add_file(sweep_id, "spectrum", "spectrum.npz", buffer.getvalue())

    def load_spectrum(self, sweep_id: int) -> dict[str, np.ndarray] | None:
        entries = self.files(sweep_id, "spectrum")
        if not entries:
            return None
        with np.load(entries[-1]["path"]) as data:
            return {k: data[k] for k in data.files}

    # --- baselines -----------------------------------------------------------------------

    def save_baseline(self, emitters: list[dict[str, Any]], *, name: str = "", sweep_id: int | None = None) -> int:
        """Remember a room as known-clean: a snapshot of its emitters."""
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO baselines (created_at, name, sweep_id, emitters) VALUES (?, ?, ?, ?)",
                (time.time(), name, sweep_id, json.dumps(list(emitters))),
            )
            return int(cur.lastrowid)

    def latest_baseline(self) -> Baseline | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM baselines ORDER BY id DESC LIMIT 1").fetchone()
        return _baseline(row) if row else None

    def baselines(self) -> list[Baseline]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM baselines ORDER BY id DESC").fetchall()
        return [_baseline(r) for r in rows]

    def clear_baselines(self) -> int:
        with self._transaction() as db:
            return db.execute("DELETE FROM baselines").rowcount

    # --- settings (edited from the web UI) -------------------------------------------------

    def settings(self) -> dict[str, Any]:
        with self._lock:
            rows = self._db.execute("SELECT key, value FROM settings").fetchall()
        return {r["key"]: json.loads(r["value"]) for r in rows}

    def set_settings(self, values: dict[str, Any]) -> None:
        now = time.time()
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                [(k, json.dumps(v), now) for k, v in values.items()],
            )

    def reset_settings(self, keys: list[str] | None = None) -> None:
        with self._transaction() as db:
            if keys is None:
                db.execute("DELETE FROM settings")
            else:
                db.executemany("DELETE FROM settings WHERE key = ?", [(k,) for k in keys])

    # --- web sessions and failed secret checks (webui.auth) -------------------------------

    def add_web_session(self, session_id: str, *, expires_at: float, secret_fp: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM web_sessions WHERE expires_at < ?", (time.time(),))
            db.execute(
                "INSERT INTO web_sessions (id, created_at, expires_at, secret_fp) VALUES (?, ?, ?, ?)",
                (session_id, time.time(), expires_at, secret_fp),
            )

    def web_session_valid(self, session_id: str, *, secret_fp: str, now: float) -> bool:
        """Not revoked, not expired, and made under the admin secret in force now."""
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM web_sessions WHERE id = ? AND revoked_at IS NULL AND expires_at > ? AND secret_fp = ?",
                (session_id, now, secret_fp),
            ).fetchone()
        return row is not None

    def revoke_web_sessions(self, session_id: str | None = None) -> int:
        """End one session, or every one (``None``); returns how many were live."""
        where, args = ("id = ? AND ", (session_id,)) if session_id else ("", ())
        with self._transaction() as db:
            return db.execute(
                f"UPDATE web_sessions SET revoked_at = ? WHERE {where}revoked_at IS NULL", (time.time(), *args)
            ).rowcount

    def add_auth_failure(self, client: str, at: float) -> None:
        with self._transaction() as db:
            db.execute("INSERT INTO auth_failures (client, at) VALUES (?, ?)", (client, at))

    def auth_failures(self, since: float) -> list[tuple[str, float]]:
        with self._lock:
            rows = self._db.execute("SELECT client, at FROM auth_failures WHERE at >= ? ORDER BY at", (since,))
            return [(r["client"], r["at"]) for r in rows.fetchall()]

    def forget_auth_failures(self, *, client: str | None = None, before: float | None = None) -> None:
        with self._transaction() as db:
            if client is not None:
                db.execute("DELETE FROM auth_failures WHERE client = ?", (client,))
            if before is not None:
                db.execute("DELETE FROM auth_failures WHERE at < ?", (before,))

    # --- retention -----------------------------------------------------------------------

    def disk_usage(self) -> int:
        """Bytes used by the database and the sweeps' files."""
        total = sum(p.stat().st_size for p in self.root.glob(DB_NAME + "*") if p.is_file() and not self.in_memory)
        with self._lock:
            total += self._db.execute("SELECT COALESCE(SUM(bytes), 0) FROM files").fetchone()[0]
        return int(total)

    def space(self) -> Space:
        usage = shutil.disk_usage(self.root)
        return Space(free=usage.free, used=usage.total - usage.free, ours=self.disk_usage())

    def explain(self, exc: BaseException) -> str:
        """Why a write failed, in words for the banner: read-only, full of our sweeps, or full of other files."""
        text = str(exc).lower()
        if (isinstance(exc, OSError) and exc.errno == errno.EROFS) or "readonly" in text or "read-only" in text:
            return "the data directory is read-only (an SD card that fails remounts itself read-only)"
        if not is_storage_failure(exc):
            return str(exc)
        try:
            space = self.space()
        except (OSError, sqlite3.Error):  # the card is worse than full: say what failed
            return str(exc)
        if space.ours_fill_it:
            return f"the SD card is full ({_mb(space.free)} free) of roomsweep's own sweeps ({_mb(space.ours)})"
        return (
            f"the SD card is full ({_mb(space.free)} free) and roomsweep's data is only {_mb(space.ours)} "
            f"of the {_mb(space.used)} used: other files fill it; roomsweep deletes none of its sweeps for them"
        )

    def enforce_retention(
        self, *, max_sweeps: int, max_bytes: int, min_free_bytes: int, keep_newest: int = 1
    ) -> list[int]:
        """Delete the oldest finished sweeps while roomsweep's own data breaks a limit; returns what was deleted.

        Count and size are ours by definition. Free space counts only when our data is what fills
        the disk (:attr:`Space.ours_fill_it`): a card filled by something else (a log, a temporary
        file) keeps every sweep, and the sweep that cannot be saved says why (:meth:`explain`).
        The newest ``keep_newest`` are never deleted, so the results just taken are always there.
        """
        deleted: list[int] = []
        while True:
            with self._lock:
                rows = self._db.execute("SELECT id FROM sweeps WHERE status != 'running' ORDER BY id").fetchall()
            ids = [r["id"] for r in rows]
            if len(ids) <= max(1, keep_newest):
                break
            space = self.space()
            short_of_space = space.free < min_free_bytes and space.ours_fill_it
            if len(ids) <= max_sweeps and space.ours <= max_bytes and not short_of_space:
                break
            self.delete_sweep(ids[0])
            deleted.append(ids[0])
        if deleted:
            log.info("retention: deleted sweeps %s", deleted)
        return deleted


class _Tx:
    """The connection inside a transaction; executescript would commit, so split it."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, args: tuple | list = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, args)

    def executemany(self, sql: str, rows: list) -> sqlite3.Cursor:
        return self._db.executemany(sql, rows)

    def executescript_in_tx(self, script: str) -> None:
        for statement in (s.strip() for s in script.split(";")):
            if statement:
                self._db.execute(statement)


def release_reserve(root: Path) -> bool:
    """Give up the reserve (``Store.keep_reserve``) so a write that must happen on a full card fits."""
    try:
        (root / RESERVE_NAME).unlink()
    except OSError:
        return False
    log.warning("storage full: released the reserve in %s", root)
    return True


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def _db32(power: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (10 * np.log10(np.asarray(power, np.float64))).astype(np.float32)


def _sweep_record(row: sqlite3.Row) -> SweepRecord:
    return SweepRecord(
        id=row["id"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        status=row["status"],
        error=row["error"],
        source=row["source"],
        summary=json.loads(row["summary"]),
    )


def _baseline(row: sqlite3.Row) -> Baseline:
    return Baseline(
        id=row["id"],
        created_at=row["created_at"],
        name=row["name"],
        sweep_id=row["sweep_id"],
        emitters=json.loads(row["emitters"]),
    )
