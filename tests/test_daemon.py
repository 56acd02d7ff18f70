"""`roomsweep serve` as a process: restarts keep every completed sweep; bad settings are explained."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from benchmarks._common import api

ROOMSWEEP = str(Path(sys.executable).with_name("roomsweep"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """``roomsweep serve --simulate`` in its own process; stderr is collected as it comes."""

    def __init__(self, data_dir: Path, config: Path, port: int, *, host: str = "127.0.0.1"):
        self.data_dir, self.port = data_dir, port
        env = {
            **os.environ,
            "ROOMSWEEP_DATA_DIR": str(data_dir),
            "ROOMSWEEP_CONFIG": str(config),
            "ROOMSWEEP_SIM_TIME_SCALE": "0",
            "ROOMSWEEP_SWEEP_OPTICAL": "false",
        }
        self.proc = subprocess.Popen(
            [ROOMSWEEP, "serve", "--simulate", "--host", host, "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stderr: list[str] = []
        self._reader = threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True)
        self._reader.start()
        deadline = time.monotonic() + 30
        while True:
            assert self.proc.poll() is None, (self.proc.communicate(), self.stderr)
            try:
                self.secret = self._secret()
                self.get("/api/status")
                return
            except OSError:
                assert time.monotonic() < deadline, "daemon never answered"
                time.sleep(0.05)

    def _secret(self) -> str:
        """From the data directory, or (a card that cannot keep it) from the daemon's one line."""
        for line in self.stderr:
            if match := re.search(r"it is (\S+) until restart", line):
                return match.group(1)
        return (self.data_dir / "admin-secret").read_text().strip()

    def request(self, path, method="GET", body=None):
        return api(f"http://127.0.0.1:{self.port}", self.secret, path, method, body, timeout=10)

    def get(self, path):
        return self.request(path)

    def stop(self) -> tuple[int, str, str]:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)
        out = self.proc.stdout.read()  # a few lines: the pipe never fills
        self._reader.join(timeout=5)
        return self.proc.returncode, out, "".join(self.stderr)


def test_restarting_the_daemon_keeps_every_completed_sweep(tmp_path):
    data, config = tmp_path / "data", tmp_path / "roomsweep.toml"
    daemon = Daemon(data, config, free_port())
    ids = []
    try:
        for _ in range(2):
            daemon.request("/api/sweeps", "POST", {"preset": "cameras"})
            deadline = time.monotonic() + 60
            while daemon.get("/api/status")["session"]["state"] != "results":
                assert time.monotonic() < deadline
                time.sleep(0.1)
            ids.append(daemon.get("/api/sweeps?limit=1")["sweeps"][0]["id"])
        before = {i: daemon.get(f"/api/sweeps/{i}") for i in ids}
    finally:
        code, out, err = daemon.stop()
    assert code == 0, err
    again = Daemon(data, config, free_port())
    try:
        listed = again.get("/api/sweeps")["sweeps"]
        assert sorted(s["id"] for s in listed) == sorted(ids)
        for i in ids:
            after = again.get(f"/api/sweeps/{i}")
            assert after["sweep"]["status"] == "complete"
            assert after["document"] == before[i]["document"]
    finally:
        again.stop()


def test_a_corrupt_settings_file_is_explained_and_the_device_still_starts(tmp_path):
    config = tmp_path / "roomsweep.toml"
    config.write_text("[panel\nred_pin = 5\n")
    daemon = Daemon(tmp_path / "data", config, free_port())
    try:
        warnings = daemon.get("/api/device")["warnings"]
    finally:
        code, out, err = daemon.stop()
    assert any("not valid TOML" in w for w in warnings)
    assert "settings file ignored, defaults in use" in err and "not valid TOML" in err
    assert "Traceback" not in err


def test_a_missing_settings_file_says_defaults_are_in_use(tmp_path):
    daemon = Daemon(tmp_path / "data", tmp_path / "absent.toml", free_port())
    code, out, err = daemon.stop()
    assert "no settings file at" in out and "built-in defaults in use" in out


def test_a_busy_port_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [ROOMSWEEP, "serve", "--simulate", "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, "ROOMSWEEP_DATA_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 1
    assert "cannot listen on" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("variable,value,message", [("ROOMSWEEP_SIM_TIME_SCALE", "fast", "must be a number")])
def test_bad_environment_for_the_simulator(tmp_path, variable, value, message):
    proc = subprocess.run(
        [ROOMSWEEP, "sweep", "--simulate", "--range", "433M:435M"],
        env={**os.environ, variable: value},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
