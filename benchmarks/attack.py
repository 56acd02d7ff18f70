"""Attack: a guest on the hotspot does everything issue 13 lists at once while the owner sweeps.

Starts ``roomsweep serve --simulate`` in its own process (real-time pacing) with two stored
sweeps, starts a full sweep, then for ``--seconds`` (default 30, at most 120; it stops by itself)
from other loopback addresses than the owner's:

- uploads: 8 threads posting 200 MB bodies to ``/login`` over and over (127.0.0.2);
- 120 idle sockets (127.0.0.3) and 100 trickling ones, a header line every 5 s (127.0.0.4),
  each reopened when the server drops it;
- 300 wrong bearer secrets (127.0.0.5), as fast as answers come;

while the owner (127.0.0.1) loads ``/login`` every 100 ms. Reports the login page's latency
(p50/p99/max, failures), what the daemon held (peak RSS growth, peak bytes in its temp dir),
how many guesses were heard before the throttle, and sweeps lost (stored before, not after).
Loopback only. Usage: python -m benchmarks.attack [--seconds 30]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import requests

from benchmarks.load import ROOMSWEEP, free_port, wait_ready

MAX_SECONDS = 120
UPLOAD = b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"


def _connect(port: int, source: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    sock.settimeout(5)
    return sock


def _uploader(port: int, stop: threading.Event, sent: list[int]) -> None:
    chunk = b"a" * 65536
    while not stop.is_set():
        try:
            with _connect(port, "127.0.0.2") as sock:
                sock.sendall(UPLOAD + b"Content-Length: 200000000\r\n\r\n")
                for _ in range(3200):  # 200 MB if the server never stopped us
                    if stop.is_set():
                        break
                    sock.sendall(chunk)
                    sent[0] += len(chunk)
        except OSError:
            time.sleep(0.05)  # refused or cut off: try again, as a guest would


def _holder(port: int, source: str, count: int, trickle_s: float | None, stop: threading.Event, held: list) -> None:
    """Keep ``count`` sockets open from ``source``; trickle a header line on each if asked."""
    socks: list[socket.socket] = []
    last = time.monotonic()
    while not stop.is_set():
        while len(socks) < count and not stop.is_set():
            try:
                sock = _connect(port, source)
                if trickle_s is not None:
                    sock.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                socks.append(sock)
            except OSError:
                break
        held[0] = max(held[0], len(socks))
        if trickle_s is not None and time.monotonic() - last >= trickle_s:
            last = time.monotonic()
            for sock in list(socks):
                try:
                    sock.send(b"X-Slow: 1\r\n")
                except OSError:
                    socks.remove(sock)
                    sock.close()
        for sock in list(socks):  # the server hung up: reopen it
            sock.setblocking(False)
            try:
                if sock.recv(4096) == b"":
                    raise OSError
            except BlockingIOError:
                pass
            except OSError:
                socks.remove(sock)
                sock.close()
                continue
            sock.setblocking(True)
        stop.wait(0.5)
    for sock in socks:
        sock.close()


def _guesser(base: str, stop: threading.Event, codes: list[int]) -> None:
    session = requests.Session()
    session.mount("http://", _source_adapter("127.0.0.5"))
    for i in range(300):
        if stop.is_set():
            break
        with contextlib.suppress(requests.RequestException):
            r = session.get(f"{base}/api/status", headers={"Authorization": f"Bearer guess-{i:04d}"}, timeout=10)
            codes.append(r.status_code)


def _source_adapter(address: str):
    from benchmarks._common import session_from

    return session_from(address).get_adapter("http://")


def _owner(base: str, stop: threading.Event, latencies: list[float], failures: list[str]) -> None:
    session = requests.Session()
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            r = session.get(f"{base}/login", timeout=10)
            if r.status_code != 200:
                failures.append(str(r.status_code))
            latencies.append(time.perf_counter() - t0)
        except requests.RequestException as exc:
            failures.append(type(exc).__name__)
        stop.wait(0.1)


def _wait_state(base: str, auth: dict, leave: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if requests.get(f"{base}/api/status", headers=auth, timeout=10).json()["session"]["state"] != leave:
            return
        time.sleep(0.2)
    raise RuntimeError(f"the session stayed {leave}")


def _dir_bytes(path: Path) -> int:
    total = 0
    for entry in path.rglob("*"):
        with contextlib.suppress(OSError):
            total += entry.stat().st_size if entry.is_file() else 0
    return total


def run(seconds: float) -> dict:
    seconds = min(seconds, MAX_SECONDS)
    with tempfile.TemporaryDirectory() as tmp:
        data, spool = Path(tmp) / "data", Path(tmp) / "tmp"
        spool.mkdir()
        port = free_port()
        env = {
            **os.environ,
            "ROOMSWEEP_DATA_DIR": str(data),
            "ROOMSWEEP_CONFIG": str(Path(tmp) / "none.toml"),
            "ROOMSWEEP_SWEEP_OPTICAL": "false",
            "TMPDIR": str(spool),  # where waitress would spool a big body
        }
        proc = subprocess.Popen(
            [ROOMSWEEP, "serve", "--simulate", "--host", "127.0.0.1", "--port", str(port)],
            env={**env, "ROOMSWEEP_SIM_TIME_SCALE": "1"},  # sweeps take as long as on a Pi
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        stderr: list[bytes] = []
        threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True).start()
        base = f"http://127.0.0.1:{port}"
        try:
            secret = wait_ready(base, data, proc)
            auth = {"Authorization": f"Bearer {secret}"}
            for _ in range(2):  # history that must survive the attack
                one_hop = {"ranges": [{"lo_hz": 433.0e6, "hi_hz": 434.8e6}]}
                requests.post(f"{base}/api/sweeps", json=one_hop, headers=auth, timeout=10)
                _wait_state(base, auth, "sweeping", 120)
            before = [s["id"] for s in requests.get(f"{base}/api/sweeps", headers=auth, timeout=10).json()["sweeps"]]
            daemon = psutil.Process(proc.pid)
            requests.post(f"{base}/api/sweeps", json={"preset": "full"}, headers=auth, timeout=10)
            # the same run's baseline: the owner alone while the sweep runs, then the attack
            quiet = _phase(base, daemon, port, min(10.0, seconds / 2), attack=False)
            loud = _phase(base, daemon, port, seconds, attack=True)
            status = requests.get(f"{base}/api/status", headers=auth, timeout=10).json()["session"]
            loud["sweep_state_at_the_end"] = status["state"]  # "sweeping": it ran the whole attack
            requests.post(f"{base}/api/cancel", json={}, headers=auth, timeout=10)  # the full sweep may run on
            _wait_state(base, auth, "sweeping", 60)
            after = [s["id"] for s in requests.get(f"{base}/api/sweeps", headers=auth, timeout=10).json()["sweeps"]]
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        log = b"".join(stderr).decode(errors="replace")
    return {
        "seconds": seconds,
        "quiet": quiet,
        "attack": loud,
        "login_p99_ratio": round(loud["login_p99_ms"] / quiet["login_p99_ms"], 2),
        "sweeps_lost": len(set(before) - set(after)),
        "tracebacks_in_log": log.count("Traceback"),
    }


def _phase(base: str, daemon: psutil.Process, port: int, seconds: float, *, attack: bool) -> dict:
    """``seconds`` of the owner loading /login, with or without the guest's attack."""
    stop = threading.Event()
    uploaded, idle, trickling = [0], [0], [0]
    codes: list[int] = []
    latencies: list[float] = []
    failures: list[str] = []
    threads = [threading.Thread(target=_owner, args=(base, stop, latencies, failures))]
    if attack:
        threads += [threading.Thread(target=_uploader, args=(port, stop, uploaded)) for _ in range(8)]
        threads += [
            threading.Thread(target=_holder, args=(port, "127.0.0.3", 120, None, stop, idle)),
            threading.Thread(target=_holder, args=(port, "127.0.0.4", 100, 5.0, stop, trickling)),
            threading.Thread(target=_guesser, args=(base, stop, codes)),
        ]
    rss_start = daemon.memory_info().rss
    rss_peak, spool_peak, held_peak = rss_start, 0, {}
    spool = Path(daemon.environ().get("TMPDIR", tempfile.gettempdir()))
    for t in threads:
        t.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rss_peak = max(rss_peak, daemon.memory_info().rss)
        spool_peak = max(spool_peak, _dir_bytes(spool))
        for source, count in _held_by_source(daemon, port).items():
            held_peak[source] = max(held_peak.get(source, 0), count)
        time.sleep(0.25)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    lat = np.array(latencies) * 1e3
    return {
        "login_requests": int(lat.size),
        "login_p50_ms": round(float(np.percentile(lat, 50)), 1),
        "login_p99_ms": round(float(np.percentile(lat, 99)), 1),
        "login_max_ms": round(float(lat.max()), 1),
        "login_failures": len(failures),
        "upload_bytes_sent": uploaded[0],
        "idle_sockets_opened_peak": idle[0],
        "trickling_sockets_opened_peak": trickling[0],
        "connections_held_by_the_daemon_peak": dict(sorted(held_peak.items())),
        "bearer_guesses": len(codes),
        "bearer_guesses_heard": codes.count(401),
        "bearer_guesses_throttled": codes.count(429),
        "daemon_rss_start_mb": round(rss_start / 2**20, 1),
        "daemon_rss_peak_mb": round(rss_peak / 2**20, 1),
        "temp_dir_peak_bytes": spool_peak,
    }


def _held_by_source(daemon: psutil.Process, port: int) -> dict[str, int]:
    """Connections the daemon has accepted on the UI port, by the guest's address."""
    counts: dict[str, int] = {}
    with contextlib.suppress(psutil.Error):
        for conn in daemon.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.raddr and conn.status == psutil.CONN_ESTABLISHED:
                counts[conn.raddr.ip] = counts.get(conn.raddr.ip, 0) + 1
    return counts


def main() -> None:
    from benchmarks._common import save

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=30, help=f"attack length (at most {MAX_SECONDS})")
    result = run(ap.parse_args().seconds)
    print(json.dumps(result, indent=2))
    quiet, loud = result["quiet"], result["attack"]
    print(
        f"login p99 {loud['login_p99_ms']} ms under attack vs {quiet['login_p99_ms']} ms quiet "
        f"(x{result['login_p99_ratio']}), {loud['login_failures']} failures; the daemon held at most "
        f"{loud['connections_held_by_the_daemon_peak']} connections, {loud['temp_dir_peak_bytes']} B spooled, "
        f"RSS peak {loud['daemon_rss_peak_mb']} MB vs {quiet['daemon_rss_peak_mb']} MB quiet; "
        f"{loud['bearer_guesses_heard']} of {loud['bearer_guesses']} guesses heard; sweeps lost {result['sweeps_lost']}"
    )
    print(f"results: {save('attack', result)}")


if __name__ == "__main__":
    main()
