"""What the installer's Numba warm-up buys at boot, and how long the daemon takes to say READY=1.

- First sweep in a fresh process with an empty ``NUMBA_CACHE_DIR`` (a device installed with
  ``--no-warm``, or whose cache was lost) against the same sweep after the warm-up (what
  ``systemd/install.sh`` leaves behind). Baseline and subject run in the same session.
- ``roomsweep serve --simulate`` under a fake systemd notify socket: process start to READY=1.

    python -m benchmarks.warm_cache
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._common import save
from tests.notify_socket import NotifySocket

ROOMSWEEP = str(Path(sys.executable).with_name("roomsweep"))
SWEEP = [ROOMSWEEP, "sweep", "--simulate", "--preset", "full", "--json"]


def _sweep(cache: Path) -> float:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "ROOMSWEEP_SIM_TIME_SCALE": "0"}
    t0 = time.perf_counter()
    subprocess.run(SWEEP, env=env, check=True, stdout=subprocess.DEVNULL, timeout=900)
    return time.perf_counter() - t0


def _ready(cache: Path, data: Path) -> float:
    sock = NotifySocket()
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(cache),
        "NOTIFY_SOCKET": sock.address,
        "WATCHDOG_USEC": "60000000",
        "ROOMSWEEP_DATA_DIR": str(data),
        "ROOMSWEEP_CONFIG": str(data / "none.toml"),
    }
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [ROOMSWEEP, "serve", "--simulate", "--host", "127.0.0.1", "--port", "0"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return sock.wait_for("READY=1", 120) - t0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        sock.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cold = min(_sweep(tmp / f"cold-{i}") for i in range(2))
        warm_cache = tmp / "warm"
        _sweep(warm_cache)  # the installer's warm-up
        warm = min(_sweep(warm_cache) for _ in range(3))
        ready_cold = _ready(tmp / "ready-cold", tmp / "d1")
        ready_warm = min(_ready(warm_cache, tmp / f"d{i + 2}") for i in range(3))
    rows = [
        ("first full simulated sweep, empty Numba cache", f"{cold:.2f} s"),
        ("the same sweep after the installer's warm-up", f"{warm:.2f} s"),
        ("cold / warm", f"{cold / warm:.1f}×"),
        ("serve --simulate: start to READY=1, empty cache", f"{ready_cold:.2f} s"),
        ("serve --simulate: start to READY=1, warm cache", f"{ready_warm:.2f} s"),
    ]
    for name, value in rows:
        print(f"{name:<52} {value:>10}")
    path = save(
        "warm_cache",
        {"cold_sweep_s": cold, "warm_sweep_s": warm, "ratio": cold / warm, "ready_cold_s": ready_cold,
         "ready_warm_s": ready_warm},
    )  # fmt: skip
    print(f"-> {path}")


if __name__ == "__main__":
    main()
