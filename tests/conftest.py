"""Shared fixtures. Simulated radios run instantly (no real-time sleeping) in tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fakes import fake_rtlsdr  # noqa: F401  (a fixture for every test module)

os.environ.setdefault("ROOMSWEEP_SIM_TIME_SCALE", "0")

REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path:
    """../shared/data beside the clone; ROOMSWEEP_SHARED_DATA or /work/shared/data otherwise."""
    for candidate in (
        os.environ.get("ROOMSWEEP_SHARED_DATA"),
        REPO.parent / "shared" / "data",
        "/work/shared/data",
    ):
        if candidate and (Path(candidate) / "rtl_433").is_dir():
            return Path(candidate).resolve()
    return (REPO.parent / "shared" / "data").resolve()


SHARED_DATA = _shared_data()
RTL433 = SHARED_DATA / "rtl_433"


@pytest.fixture(scope="session")
def rtl433_recordings() -> list[Path]:
    """The real rtl_433 captures in ../shared/data (used in place, never copied)."""
    files = sorted(RTL433.glob("*.cu8"))
    if not files:
        pytest.fail(f"real recordings missing: expected them in {RTL433}")
    return files


@pytest.fixture
def demo_scene():
    from hw.sim.scene import load_demo

    return load_demo()


class LiveServer:
    """A real waitress server on loopback around a simulated appliance."""

    def __init__(self, tmp_path, *, time_scale: float = 0.0, scene=None, env=None):
        import threading

        from waitress import create_server

        from appliance import daemon
        from webui import create_app

        os.environ["ROOMSWEEP_SIM_TIME_SCALE"] = str(time_scale)
        self.secret = "test-admin-secret-123"
        self.appliance = daemon.build(
            simulate=True,
            data_dir=tmp_path / "data",
            config_path=tmp_path / "roomsweep.toml",
            admin_secret=self.secret,
            scene_path=scene,
            time_scale=time_scale,
        )
        self.app = create_app(self.appliance)
        self.server = create_server(
            self.app, host="127.0.0.1", port=0, threads=12, ident="roomsweep-test", channel_request_lookahead=1
        )
        self.base_url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self):
        from waitress import wasyncore

        self.appliance.session.events.close_all()
        # close the sockets from inside waitress's own loop thread, so it ends without a race
        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server.map))
        self.thread.join(timeout=10)
        self.server.task_dispatcher.shutdown()
        self.appliance.close()
        os.environ["ROOMSWEEP_SIM_TIME_SCALE"] = "0"


@pytest.fixture
def live_server(tmp_path, monkeypatch):
    """Waitress + Flask + simulated appliance, sweeps instant; ``.base_url``, ``.secret``."""
    monkeypatch.setenv("ROOMSWEEP_SWEEP_OPTICAL", "false")
    server = LiveServer(tmp_path)
    yield server
    server.close()
