"""A Numba cache directory that can be written, chosen before Numba is imported.

The unit points ``NUMBA_CACHE_DIR`` at /var/cache/roomsweep/numba. If that is read-only (a card
remounted read-only, a drop-in that got it wrong), Numba finds no cache location for the kernels
(the venv under /opt is read-only for the service too) and every ``cache=True`` kernel fails at
import: a crash loop. So the first import of :mod:`appliance` checks it and, if it cannot be
written, points Numba at RAM (``$RUNTIME_DIRECTORY/numba``, else the temp dir) with one warning:
kernels then compile at the first sweep instead of loading.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            return True
    except OSError:
        return False


def ensure_writable_cache(environ: dict | None = None) -> str | None:
    """Fix ``NUMBA_CACHE_DIR`` in ``environ`` (``os.environ``) if needed; returns the warning."""
    environ = os.environ if environ is None else environ
    configured = environ.get("NUMBA_CACHE_DIR")
    if not configured or _writable(Path(configured)):
        return None
    runtime = environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
    fallback = Path(runtime or tempfile.gettempdir()) / "numba"
    if not _writable(fallback):
        return None
    environ["NUMBA_CACHE_DIR"] = str(fallback)
    warning = f"roomsweep: Numba cache {configured} cannot be written; compiling into {fallback} (first sweep slower)"
    print(warning, file=sys.stderr)
    return warning
