"""Crash-safe file writes: a pulled plug leaves either the old file or the new one, never half."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write to a temp file in the same directory, fsync it, rename over ``path``, fsync the dir.

    The file gets mode 0600 and, when root writes into a directory someone else owns (a
    service's state directory, from ``sudo roomsweep ...``), that owner: the service must still
    be able to read what an administrator wrote for it.
    """
    path = Path(path)
    tmp = _synced_temp_copy(path, data)
    try:
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


def atomic_create_bytes(path: str | Path, data: bytes) -> bool:
    """Like :func:`atomic_write_bytes`, but never replaces an existing file.

    Returns False (and writes nothing) when ``path`` already exists, so two processes creating
    the same file at once agree on one content: the loser reads the winner's file.
    Mode and owner as for :func:`atomic_write_bytes`.
    """
    path = Path(path)
    tmp = _synced_temp_copy(path, data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return True


def _synced_temp_copy(path: Path, data: bytes) -> Path:
    """A fsynced temp file (mode 0600, from mkstemp) next to ``path`` holding ``data``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            owner = path.parent.stat()
            if os.geteuid() == 0 and owner.st_uid != 0:
                os.fchown(handle.fileno(), owner.st_uid, owner.st_gid)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _fsync_dir(directory: Path) -> None:
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
