"""Daemon footprint for a 1 GB Pi: time until ready, and resident memory through a full sweep.

Starts ``roomsweep serve --simulate`` (real-time pacing) as its own process with a warm Numba
cache, measures how long until the web UI answers, then runs a full 24–1766 MHz sweep with an
SSE stream open (the phone watching) while sampling the process's RSS every 100 ms, split by stage:
the radio part, the picture stage (the demo camera's picture and confirmation) and the optical part.
Usage: python -m benchmarks.daemon_footprint
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

from benchmarks._common import api_request, save

PORT = 8765


def _request(path: str, secret: str, method: str = "GET", body: dict | None = None, timeout: float = 5.0):
    return urllib.request.urlopen(api_request(f"http://127.0.0.1:{PORT}", secret, path, method, body), timeout=timeout)


def unit_malloc_environment() -> dict[str, str]:
    """The glibc allocator settings roomsweep.service gives the daemon, so it runs here as on the Pi."""
    unit = Path(__file__).resolve().parents[1] / "systemd" / "roomsweep.service"
    pairs = (line.removeprefix("Environment=").split("=", 1) for line in unit.read_text().splitlines())
    return {name: value for name, value in (p for p in pairs if len(p) == 2) if name.startswith("MALLOC_")}


def main() -> None:
    roomsweep = str(Path(sys.executable).with_name("roomsweep"))
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ROOMSWEEP_DATA_DIR": tmp, "ROOMSWEEP_CONFIG": str(Path(tmp) / "none.toml")}
        env.update(unit_malloc_environment())
        # Warm the Numba cache the way the Pi installer does (systemd/install.sh), outside the measurement.
        warm_picture = ["picture", "1280M", "--simulate", "--seconds", "0.5", "--out", str(Path(tmp) / "warm.png")]
        for warm in (["sweep", "--simulate", "--preset", "full"], ["glint", "--simulate"], warm_picture):
            subprocess.run(
                [roomsweep, *warm], env={**env, "ROOMSWEEP_SIM_TIME_SCALE": "0"}, check=True, capture_output=True
            )
        started = time.monotonic()
        proc = subprocess.Popen(
            [roomsweep, "serve", "--simulate", "--host", "127.0.0.1", "--port", str(PORT)],
            env={**env, "ROOMSWEEP_SIM_TIME_SCALE": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            secret_file = Path(tmp) / "admin-secret"
            while True:
                if proc.poll() is not None:
                    raise SystemExit(proc.stdout.read().decode())
                try:
                    secret = secret_file.read_text().strip()
                    _request("/api/status", secret, timeout=1).read()
                    break
                except (OSError, ValueError):
                    time.sleep(0.02)
            ready = time.monotonic() - started
            process = psutil.Process(proc.pid)
            rss_ready = process.memory_info().rss
            stream = _request("/api/events", secret, timeout=60)
            done = threading.Event()
            stage = {"now": "rf"}

            def watch() -> None:
                for line in stream:
                    if b"camera pictures" in line:  # the state event as the session turns to the pictures
                        stage["now"] = "picture"
                    if b"optical sweep" in line:  # ... and to the camera
                        stage["now"] = "optical"
                    if line.startswith(b"event: result"):
                        done.set()
                        return

            threading.Thread(target=watch, daemon=True).start()
            _request("/api/sweeps", secret, "POST", {"preset": "full", "optical": True}).read()
            peaks = {"rf": rss_ready, "picture": rss_ready, "optical": rss_ready}
            sweep_started = time.monotonic()
            while not done.is_set() and time.monotonic() - sweep_started < 180:
                peaks[stage["now"]] = max(peaks[stage["now"]], process.memory_info().rss)
                time.sleep(0.1)
            peak = max(peaks.values())
            rss_after = process.memory_info().rss
            sweep_s = time.monotonic() - sweep_started
            status = json.loads(_request("/api/sweeps?limit=1", secret).read())["sweeps"][0]
        finally:
            proc.terminate()
            proc.wait(10)
    mb = 1024 * 1024
    print(f"ready (web UI answering, panel live) {ready:.2f} s after start (bound: <= 5 s)")
    print(f"resident memory: {rss_ready / mb:.0f} MiB when ready, peak {peak / mb:.0f} MiB during the sweep")
    print(
        f"  peak in the radio part {peaks['rf'] / mb:.0f} MiB, in the picture stage {peaks['picture'] / mb:.0f} MiB, "
        f"in the optical part {peaks['optical'] / mb:.0f} MiB"
    )
    print(f"  after the sweep {rss_after / mb:.0f} MiB (bound: <= 250 MB = {250e6 / mb:.0f} MiB)")
    print(
        f"full sweep with the UI watching: {sweep_s:.1f} s, status {status['status']}, "
        f"{status['summary']['counts']['emitters']} emitters"
    )
    result = {
        "ready_s": ready,
        "rss_ready_mib": rss_ready / mb,
        "rss_peak_mib": peak / mb,
        "rss_peak_rf_mib": peaks["rf"] / mb,
        "rss_peak_picture_mib": peaks["picture"] / mb,
        "rss_peak_optical_mib": peaks["optical"] / mb,
        "rss_after_mib": rss_after / mb,
        "sweep_s": sweep_s,
    }
    print(f"results: {save('daemon_footprint', result)}")


if __name__ == "__main__":
    main()
