"""Shared fixtures. Simulated radios run instantly (no real-time sleeping) in tests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.fakes import fake_rtlsdr, picamera2  # noqa: F401  (fixtures for every test module)
from tests.live import LiveServer

os.environ.setdefault("ROOMSWEEP_SIM_TIME_SCALE", "0")
# Baselines and sweeps go to a throwaway database, never the user's (subprocesses inherit it).
os.environ.setdefault("ROOMSWEEP_DATA_DIR", tempfile.mkdtemp(prefix="roomsweep-tests-"))

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
def factory():
    """gpiozero's own MockFactory with PWM-capable pins, installed for the test and reset after."""
    from gpiozero import Device

    from hw.panel import mock_pin_factory

    saved = Device.pin_factory
    Device.pin_factory = mock = mock_pin_factory()
    yield mock
    mock.reset()
    Device.pin_factory = saved


@pytest.fixture
def demo_scene():
    from hw.sim.scene import load_demo

    return load_demo()


@pytest.fixture
def live_server(tmp_path, monkeypatch):
    """Waitress + Flask + simulated appliance, sweeps instant; ``.base_url``, ``.secret``."""
    monkeypatch.setenv("ROOMSWEEP_SWEEP_OPTICAL", "false")
    server = LiveServer(tmp_path)
    yield server
    server.close()


@pytest.fixture(scope="session")
def hacktv_video(tmp_path_factory):
    """Analog video rendered by Debian's hacktv, as wideband signals to cut receiver windows from.

    ``hacktv_video(standard, modulation, deviation_hz=None)`` -> ``hw.sim.frontend.Wideband``
    (0.3 s at 13.5 MS/s: whole lines for both 625 and 525 lines). Renders are cached per session.
    """
    from hw.sim import frontend, hacktv

    if not hacktv.available():
        pytest.fail("hacktv is missing: apt-get install hacktv (listed in .ci/apt-packages.txt)")
    cache = tmp_path_factory.mktemp("hacktv")
    made: dict = {}

    def get(standard: str, modulation: str, deviation_hz: float | None = None):
        key = (standard, modulation, deviation_hz)
        if key not in made:
            rate = 13.5e6
            samples = hacktv.render(standard, modulation, 0.3, deviation_hz=deviation_hz, rate_hz=rate, cache_dir=cache)
            made[key] = frontend.Wideband(samples, rate)
        return made[key]

    return get


@pytest.fixture(scope="session")
def rtl_capture():
    """``rtl_capture(wide, offset_hz, snr_db, seed)``: uint8 IQ as a dongle would deliver a
    ``Wideband`` signal, with random DC offset, IQ imbalance and gain."""
    import numpy as np

    from hw.sim import frontend

    def make(wide, offset_hz: float, snr_db: float, seed: int):
        rng = np.random.default_rng(seed)
        return frontend.capture(wide.window(offset_hz), snr_db, rng, frontend.Impairments.random(rng))

    return make


@pytest.fixture(scope="session")
def decoy():
    """``decoy(doc, offset_hz, snr_db, seed)``: a dwell (2.4 MS/s, 0.25 s, uint8) of one simulated
    emitter (a scene emitter ``doc`` without freq/power) ``offset_hz`` off the window centre.
    For bursty emitters the SNR is the one while they transmit."""
    import numpy as np

    from hw.sim import emitters, frontend
    from hw.sim import scene as scenemod

    rate, n = 2.4e6, 600_000

    def make(doc: dict, offset_hz: float, snr_db: float, seed: int):
        scene = scenemod.parse({"emitters": [{"freq_hz": 1e9, "power_dbfs": -40, **doc}]})
        x = emitters.build(scene, seed=seed)[0].render(np.arange(n) / rate, rate, offset_hz)
        on = np.abs(x) > 0
        power_on = float(np.mean(np.abs(x[on]) ** 2)) if on.any() else 0.0
        rng = np.random.default_rng(seed)
        window = frontend.Wideband(x, rate).window(0.0)
        return frontend.capture(window, snr_db, rng, frontend.Impairments.random(rng), signal_power=power_on)

    return make


@pytest.fixture
def app(tmp_path, monkeypatch):
    """The Flask app around a simulated appliance (flaskr's shape): for request/response tests."""
    from appliance import daemon, rig
    from webui import create_app

    monkeypatch.setenv("ROOMSWEEP_SWEEP_OPTICAL", "false")
    appliance = daemon.build(
        hardware=rig.Choice(simulate=True, time_scale=0.0),
        data_dir=tmp_path / "data",
        config_path=tmp_path / "roomsweep.toml",
        admin_secret="test-admin-secret-123",
    )
    flask_app = create_app(appliance)
    flask_app.config.update(TESTING=True)
    yield flask_app
    appliance.session.events.close_all()
    appliance.close()


@pytest.fixture
def client(app):
    """Flask's test client on ``app``."""
    return app.test_client()
