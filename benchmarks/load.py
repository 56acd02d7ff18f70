"""Load: API clients and SSE streams against the daemon while it sweeps.

Starts ``roomsweep serve --simulate`` in its own process (real-time pacing, so sweeps take as long
as on a Pi) and keeps it sweeping back to back; meanwhile ``--clients`` threads hammer the JSON API
and ``--streams`` clients hold live-progress streams, all on loopback, for ``--seconds``.
Reports API latency percentiles, per-stream event counts and longest silence, and whether every
sweep measured every hop.
Usage: python -m benchmarks.load [--seconds 60] [--clients 20] [--streams 4]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import requests

ROOMSWEEP = str(Path(sys.executable).with_name("roomsweep"))
READ_PATHS = (
    "/api/status",
    "/api/sweeps?limit=10",
    "/api/device",
    "/api/settings",
    "/api/baseline",
    "/api/sweeps/{latest}",
    "/api/sweeps/{latest}/spectrum?points=800",
)


@dataclass
class LoadResult:
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stream_events: list[int] = field(default_factory=list)
    stream_max_gap_s: list[float] = field(default_factory=list)
    sweeps: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        lat = np.array(self.latencies_s) * 1e3
        complete = [s for s in self.sweeps if s["status"] == "complete"]
        return {
            "requests": len(lat),
            "p50_ms": float(np.percentile(lat, 50)) if lat.size else None,
            "p99_ms": float(np.percentile(lat, 99)) if lat.size else None,
            "max_ms": float(lat.max()) if lat.size else None,
            "errors": len(self.errors),
            "stream_events": self.stream_events,
            "stream_max_gap_s": self.stream_max_gap_s,
            "sweeps_complete": len(complete),
            "sweeps_with_dropped_hops": sum(
                1 for s in complete if s["summary"].get("hops_done") != s["summary"]["plan"].get("hops")
            ),
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(seconds: float, clients: int, streams: int) -> LoadResult:
    result = LoadResult()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            **os.environ,
            "ROOMSWEEP_DATA_DIR": tmp,
            "ROOMSWEEP_CONFIG": str(Path(tmp) / "none.toml"),
            "ROOMSWEEP_SIM_TIME_SCALE": "1",
            "ROOMSWEEP_SWEEP_PRESET": "cameras",
            "ROOMSWEEP_WEB_MAX_STREAMS": str(streams),
        }
        proc = subprocess.Popen(
            [ROOMSWEEP, "serve", "--simulate", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        stderr_tail: list[bytes] = []
        threading.Thread(target=lambda: stderr_tail.extend(proc.stderr), daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        try:
            secret = wait_ready(base, Path(tmp), proc)
            auth = {"Authorization": f"Bearer {secret}"}
            requests.post(f"{base}/api/sweeps", json={}, headers=auth, timeout=5)
            stop = threading.Event()
            latest = {"id": 1}
            threads = [threading.Thread(target=_stream, args=(base, auth, stop, result)) for _ in range(streams)]
            threads += [
                threading.Thread(target=_client, args=(base, auth, stop, result, latest, i)) for i in range(clients)
            ]
            threads.append(threading.Thread(target=_keep_sweeping, args=(base, auth, stop, latest)))
            for t in threads:
                t.start()
            time.sleep(seconds)
            stop.set()
            for t in threads:
                t.join(timeout=30)
            # let the sweep that ran under load finish: the question is whether it dropped hops
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                state = requests.get(f"{base}/api/status", headers=auth, timeout=5).json()["session"]["state"]
                if state != "sweeping":
                    break
                time.sleep(0.2)
            result.sweeps = requests.get(f"{base}/api/sweeps?limit=200", headers=auth, timeout=5).json()["sweeps"]
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise RuntimeError(
                    f"daemon did not stop on SIGTERM: {b''.join(stderr_tail)[-3000:].decode()}"
                ) from None
    return result


def wait_ready(base: str, data: Path, proc: subprocess.Popen) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"daemon exited with status {proc.returncode}")
        try:
            secret = (data / "admin-secret").read_text().strip()
            requests.get(f"{base}/api/status", headers={"Authorization": f"Bearer {secret}"}, timeout=1)
            return secret
        except (OSError, requests.RequestException):
            time.sleep(0.05)
    raise RuntimeError("daemon never became ready")


def _client(base, auth, stop, result, latest, seed) -> None:
    from benchmarks._common import session_from

    rng = random.Random(seed)
    session = session_from(f"127.0.0.{10 + seed}")
    session.headers.update(auth)
    while not stop.is_set():
        path = rng.choice(READ_PATHS).format(latest=latest["id"])
        t0 = time.perf_counter()
        try:
            response = session.get(base + path, timeout=10)
            response.content  # noqa: B018 - read the whole body
            elapsed = time.perf_counter() - t0
            if response.status_code >= 500:
                result.errors.append(f"{path}: {response.status_code}")
            result.latencies_s.append(elapsed)
        except requests.RequestException as exc:
            result.errors.append(f"{path}: {exc}")


def _stream(base, auth, stop, result) -> None:
    events, gap, last = 0, 0.0, time.monotonic()
    try:
        with requests.get(f"{base}/api/events", headers=auth, stream=True, timeout=10) as response:
            if response.status_code != 200:
                result.errors.append(f"stream: {response.status_code}")
                return
            for line in response.iter_lines():
                if stop.is_set():
                    break
                if line.startswith(b"event:"):
                    now = time.monotonic()
                    gap = max(gap, now - last)
                    last = now
                    events += 1
    except requests.RequestException as exc:
        result.errors.append(f"stream: {exc}")
    result.stream_events.append(events)
    result.stream_max_gap_s.append(round(gap, 3))


def _keep_sweeping(base, auth, stop, latest) -> None:
    while not stop.is_set():
        try:
            status = requests.get(f"{base}/api/status", headers=auth, timeout=5).json()
            if status["latest_sweep"]:
                latest["id"] = status["latest_sweep"]["id"]
            if status["session"]["state"] in ("idle", "results"):
                requests.post(f"{base}/api/sweeps", json={}, headers=auth, timeout=5)
        except (requests.RequestException, ValueError, KeyError):
            pass
        time.sleep(0.2)


def main() -> None:
    from benchmarks._common import save

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--streams", type=int, default=4)
    args = ap.parse_args()
    summary = run(args.seconds, args.clients, args.streams).summary()
    print(json.dumps(summary, indent=2))
    print(
        f"{summary['requests']} API requests: p50 {summary['p50_ms']:.1f} ms, p99 {summary['p99_ms']:.1f} ms "
        f"(bound 200 ms), {summary['errors']} errors; streams got {summary['stream_events']} events, "
        f"longest silence {max(summary['stream_max_gap_s'])} s; {summary['sweeps_complete']} sweeps complete, "
        f"{summary['sweeps_with_dropped_hops']} with dropped hops"
    )
    print(f"results: {save('load', summary)}")


if __name__ == "__main__":
    main()
