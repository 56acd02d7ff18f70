"""Choosing and opening a radio: the real dongle, or the simulated room (never silently)."""

from __future__ import annotations

from pathlib import Path

from hw.radio import Radio, RtlSdrRadio
from hw.sim import scene as scenemod
from hw.sim.radio import SimRadio


def load_scene(path: str | Path | None) -> scenemod.Scene:
    """The given scene file, or the bundled demo room."""
    return scenemod.load(path) if path else scenemod.load_demo()


def open_radio(
    *,
    simulate: bool,
    scene: scenemod.Scene | None = None,
    gain: float | str = "auto",
    ppm: int = 0,
    device_index: int = 0,
    time_scale: float | None = None,
    seed: int = 0,
) -> Radio:
    """A simulated radio on ``scene`` when asked for, otherwise the RTL-SDR (RadioUnavailable if absent)."""
    if simulate:
        return SimRadio(scene or scenemod.load_demo(), gain=gain, time_scale=time_scale, seed=seed)
    return RtlSdrRadio(device_index=device_index, gain=gain, ppm=ppm)
