"""Real small and read-only filesystems for the storage tests (tmpfs with ``size=``, a
read-only bind mount). They need root and a kernel that lets us mount; otherwise the test is
skipped with the reason."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*argv: str) -> None:
    result = subprocess.run(["mount", *argv], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here ({result.stderr.strip() or 'mount failed'}): needs root in a mountable sandbox")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@contextmanager
def small_filesystem(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (e.g. ``"4m"``) mounted at ``path``: it fills for real."""
    if os.geteuid() != 0:
        pytest.skip("a real full filesystem needs root (tmpfs size=); run the suite as root to check this")
    path.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path))
    try:
        yield path
    finally:
        _umount(path)


@contextmanager
def read_only_view(source: Path, path: Path) -> Iterator[Path]:
    """``source`` seen read-only at ``path`` (a read-only bind mount; root is refused writes too)."""
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root; run the suite as root to check this")
    path.mkdir(parents=True, exist_ok=True)
    _mount("--bind", "-o", "ro", str(source), str(path))
    try:
        yield path
    finally:
        _umount(path)


def fill(directory: Path, leave_bytes: int = 0, name: str = "other-process.bin") -> Path:
    """Fill the filesystem of ``directory`` with a file of someone else's, leaving about ``leave_bytes``."""
    target = directory / name
    chunk = b"\0" * 65536
    with target.open("ab") as handle:
        try:
            while os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize > leave_bytes + len(chunk):
                handle.write(chunk)
                handle.flush()
            remainder = os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize - leave_bytes
            if remainder > 0:
                handle.write(b"\0" * remainder)
                handle.flush()
        except OSError:  # exactly full
            pass
    return target
