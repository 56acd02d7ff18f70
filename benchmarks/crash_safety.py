"""Crash safety: kill -9 the daemon during sweeps and database writes, again and again.

Each iteration starts ``roomsweep serve --simulate`` on the same data directory, keeps it busy
with short sweeps (so commits are frequent), records every sweep the API reports complete, and
SIGKILLs the process at a random moment. Before the next start it checks the database with
``PRAGMA integrity_check`` and that every sweep reported complete is still there, complete.
Usage: python -m benchmarks.crash_safety [--iterations 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks._common import api

ROOMSWEEP = str(Path(sys.executable).with_name("roomsweep"))


@dataclass
class Outcome:
    iterations: int = 0
    kills_during_sweep: int = 0
    corrupt_databases: int = 0
    lost_completed_sweeps: int = 0
    reported_complete: set[int] = field(default_factory=set)
    interrupted_marked: int = 0

    def to_json(self) -> dict:
        return {
            "iterations": self.iterations,
            "kills_during_sweep": self.kills_during_sweep,
            "corrupt_databases": self.corrupt_databases,
            "lost_completed_sweeps": self.lost_completed_sweeps,
            "completed_sweeps_checked": len(self.reported_complete),
            "interrupted_sweeps_marked": self.interrupted_marked,
        }


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(port: int, secret: str, path: str, method: str = "GET", body: dict | None = None):
    return api(f"http://127.0.0.1:{port}", secret, path, method, body, timeout=2)


def check_database(data_dir: Path, reported: set[int], outcome: Outcome) -> None:
    """Open the database the way a fresh start would and check it (read-only, no recovery tricks)."""
    path = data_dir / "roomsweep.sqlite3"
    if not path.exists():
        return
    db = sqlite3.connect(path)
    try:
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            outcome.corrupt_databases += 1
        rows = dict(db.execute("SELECT id, status FROM sweeps").fetchall())
        outcome.lost_completed_sweeps += sum(1 for sid in reported if rows.get(sid) != "complete")
        outcome.interrupted_marked = sum(1 for s in rows.values() if s == "interrupted")
    except sqlite3.DatabaseError:
        outcome.corrupt_databases += 1
    finally:
        db.close()


def run(iterations: int, seed: int = 1, data_dir: Path | None = None) -> Outcome:
    rng = random.Random(seed)
    outcome = Outcome()
    with tempfile.TemporaryDirectory() as tmp:
        data = data_dir or Path(tmp) / "data"
        env = {
            **os.environ,
            "ROOMSWEEP_DATA_DIR": str(data),
            "ROOMSWEEP_CONFIG": str(Path(tmp) / "none.toml"),
            "ROOMSWEEP_SIM_TIME_SCALE": "0",
            "ROOMSWEEP_SWEEP_RANGES": "600M:612M",  # short sweeps: many commits per second
            "ROOMSWEEP_SWEEP_OPTICAL": "false",
            "ROOMSWEEP_SWEEP_WIFI": "false",  # its 90 simulated seconds of listening are not what this measures
            "ROOMSWEEP_SWEEP_BLE": "false",  # nor is the BLE scan (its registries load in the first sweep)
            "ROOMSWEEP_STORAGE_MAX_SWEEPS": "40",  # retention deletes run too
        }
        for _ in range(iterations):
            port = _port()
            proc = subprocess.Popen(
                [ROOMSWEEP, "serve", "--simulate", "--host", "127.0.0.1", "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            kill_after = rng.uniform(0.2, 2.0)  # counted from the moment the daemon answers
            deadline = time.monotonic() + 60
            secret, state = None, None
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    secret = secret or (data / "admin-secret").read_text().strip()
                    status = _call(port, secret, "/api/status")
                    if deadline - time.monotonic() > kill_after + 1:
                        deadline = time.monotonic() + kill_after
                    state = status["session"]["state"]
                    if state in ("idle", "results", "error"):
                        _call(port, secret, "/api/sweeps", "POST", {})
                    for sweep in _call(port, secret, "/api/sweeps?limit=20")["sweeps"]:
                        if sweep["status"] == "complete":
                            outcome.reported_complete.add(sweep["id"])
                except (OSError, ValueError, KeyError, urllib.error.HTTPError):
                    time.sleep(0.01)
            if state == "sweeping":
                outcome.kills_during_sweep += 1
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            outcome.iterations += 1
            # retention may delete old complete sweeps on purpose: only check the recent ones
            recent = set(sorted(outcome.reported_complete)[-30:])
            check_database(data, recent, outcome)
    return outcome


def main() -> None:
    from benchmarks._common import save

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    started = time.monotonic()
    outcome = run(args.iterations, args.seed)
    result = outcome.to_json()
    print(
        f"{result['iterations']} kill -9 iterations ({result['kills_during_sweep']} during a sweep) in "
        f"{time.monotonic() - started:.0f} s: {result['corrupt_databases']} corrupt databases, "
        f"{result['lost_completed_sweeps']} lost completed sweeps "
        f"({result['completed_sweeps_checked']} completed sweeps checked)"
    )
    print(f"results: {save('crash_safety', result)}")


if __name__ == "__main__":
    main()
