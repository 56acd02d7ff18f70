"""sd_notify and the liveness-gated watchdog, against a real notify socket."""

from __future__ import annotations

import itertools
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from appliance.device import identity
from appliance.device.sdnotify import Notifier, status_line
from appliance.device.watchdog import Watchdog, watchdog_interval
from tests.notify_socket import NotifySocket


@pytest.fixture
def notify_socket():
    sock = NotifySocket()
    yield sock
    sock.close()


def test_off_systemd_everything_is_a_no_op():
    watchdog = Watchdog.from_env({})
    assert not watchdog.notifier.enabled and not watchdog.enabled
    assert watchdog.notifier.send("READY=1") is False
    watchdog.ready("up")
    watchdog.kick()
    watchdog.status("idle")
    watchdog.stopping()
    assert watchdog._thread is None


@pytest.mark.parametrize("abstract", [False, True])
def test_ready_and_status_reach_the_socket(abstract):
    sock = NotifySocket(abstract=abstract)
    try:
        notifier = Notifier.from_env({"NOTIFY_SOCKET": sock.address})
        watchdog = Watchdog(notifier, None)
        watchdog.ready("web UI on http://10.42.0.1/")
        watchdog.status("sweeping\n42 %")
        watchdog.stopping()
        sock.wait_for("STOPPING=1", 2)
        lines = [m.lines for m in sock.messages()]
    finally:
        sock.close()
    assert lines == [
        ("READY=1", "STATUS=web UI on http://10.42.0.1/"),
        ("STATUS=sweeping 42 %",),
        ("STOPPING=1", "STATUS=stopping"),
    ]


def test_pings_follow_the_worker_loop_and_stop_when_it_hangs(notify_socket):
    """READY=1, WATCHDOG=1 every half interval while the worker kicks; none once it is stuck."""
    interval = 1.0
    watchdog = Watchdog(Notifier(notify_socket.address), interval)
    stuck, release, done = threading.Event(), threading.Event(), threading.Event()

    def worker():  # like Session._work: kick every pass; then a read that never returns
        while not done.is_set():
            watchdog.kick()
            if stuck.is_set():
                release.wait()
            time.sleep(0.05)

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    try:
        watchdog.ready()
        ready_at = notify_socket.wait_for("READY=1", 2)
        time.sleep(2.3)
        healthy = [t for t in notify_socket.times("WATCHDOG=1") if t >= ready_at]
        assert len(healthy) >= 4, healthy  # every 0.5 s
        assert max(b - a for a, b in itertools.pairwise(healthy)) < interval

        hung_at = time.monotonic()
        stuck.set()
        time.sleep(interval + 1.5)
        after = [t for t in notify_socket.times("WATCHDOG=1") if t > hung_at]
        assert all(t < hung_at + interval + 0.6 for t in after), after  # at most the pings already due
        assert watchdog.stalled
        assert any(line.startswith("STATUS=stalled") for m in notify_socket.messages() for line in m.lines)

        stuck.clear()
        release.set()
        recovered = notify_socket.times("WATCHDOG=1")
        time.sleep(1.2)
        assert len(notify_socket.times("WATCHDOG=1")) > len(recovered)  # alive again: pings resume
    finally:
        done.set()
        release.set()
        watchdog.stopping()
        watchdog.close()
    stopped_at = notify_socket.wait_for("STOPPING=1", 2)
    time.sleep(0.6)
    assert not [t for t in notify_socket.times("WATCHDOG=1") if t > stopped_at]


def test_watchdog_interval_from_the_environment():
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"}, pid=7) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "8"}, pid=7) is None  # not ours
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_interval({}) is None
    # a watchdog interval without a socket to ping is no watchdog
    assert not Watchdog.from_env({"WATCHDOG_USEC": "30000000"}).enabled


def test_a_vanished_socket_is_logged_once_never_raised(caplog):
    sock = NotifySocket()
    notifier = Notifier(sock.address)
    sock.close()  # systemd went away (or the path was wrong)
    with caplog.at_level(logging.WARNING, logger="appliance.device.sdnotify"):
        assert notifier.send("WATCHDOG=1") is False
        assert notifier.send("WATCHDOG=1") is False
    assert len(caplog.records) == 1


def test_addresses_that_are_not_unix_sockets_turn_notifications_off():
    assert not Notifier("vsock:2:1234").enabled
    assert not Notifier("").enabled
    assert Notifier("@abstract").address == "\0abstract"


def test_lines_are_checked_and_status_is_one_line():
    with pytest.raises(ValueError):
        Notifier("/run/x").send("READY=1\nWATCHDOG=1")
    with pytest.raises(ValueError):
        Notifier("/run/x").send("READY")
    assert status_line(" a\n b\tc ") == "STATUS=a b c"


# --- the daemon under a fake systemd -----------------------------------------------------------

# `roomsweep serve --simulate` whose simulated dongle hangs in read() once FLAG exists: the
# worker loop gets stuck exactly where a pulled RTL-SDR leaves it (librtlsdr's read has no timeout).
HUNG_DONGLE = r"""
import sys, threading
from pathlib import Path
from hw.sim.radio import SimRadio
flag, original = Path(sys.argv[1]), SimRadio.read
def read(self, n):
    if flag.exists():
        threading.Event().wait()
    return original(self, n)
SimRadio.read = read
from appliance.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_daemon_reports_ready_feeds_the_watchdog_and_stops_when_the_sweep_hangs(tmp_path, notify_socket):
    interval = 3.0  # WatchdogSec=3: pings every 1.5 s; the idle worker kicks every second
    data, flag, port = tmp_path / "data", tmp_path / "hang-now", _free_port()
    env = {
        **os.environ,
        "NOTIFY_SOCKET": notify_socket.address,
        "WATCHDOG_USEC": str(int(interval * 1e6)),
        "ROOMSWEEP_DATA_DIR": str(data),
        "ROOMSWEEP_CONFIG": str(tmp_path / "roomsweep.toml"),
        "ROOMSWEEP_SIM_TIME_SCALE": "0",
        "ROOMSWEEP_SWEEP_OPTICAL": "false",
    }
    args = ["serve", "--simulate", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [sys.executable, "-c", HUNG_DONGLE, str(flag), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready_at = notify_socket.wait_for("READY=1", 90)
        time.sleep(4.0)
        idle_pings = [t for t in notify_socket.times("WATCHDOG=1") if t > ready_at]
        assert len(idle_pings) >= 2, notify_socket.messages()

        flag.touch()
        secret = identity.load_admin_secret(data)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/sweeps",
            data=json.dumps({"preset": "cameras"}).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status in (200, 201, 202)
        hung_at = time.monotonic()
        time.sleep(interval + 4.0)
        late = [t for t in notify_socket.times("WATCHDOG=1") if t > hung_at + interval + 1.5 + 0.5]
        assert late == [], f"pings went on {[round(t - hung_at, 1) for t in late]} s after the hang"
        statuses = [line for m in notify_socket.messages() for line in m.lines if line.startswith("STATUS=")]
        assert any(s.startswith("STATUS=sweeping") for s in statuses), statuses  # the session's state
        assert any(s.startswith("STATUS=stalled: worker loop silent") for s in statuses), statuses
        assert proc.poll() is None  # alive but stuck: killing it is the watchdog's job
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:  # the stuck worker may hold shutdown up; systemd would SIGKILL
            proc.kill()
            out, err = proc.communicate()
    assert notify_socket.wait_for("STOPPING=1", 5) > hung_at
    assert secret not in out + err  # under systemd the journal gets no admin secret
    assert "Traceback" not in err
