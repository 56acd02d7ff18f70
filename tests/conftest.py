"""Shared fixtures. Simulated radios run instantly (no real-time sleeping) in tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("ROOMSWEEP_SIM_TIME_SCALE", "0")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()
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
