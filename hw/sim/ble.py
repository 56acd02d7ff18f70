"""SimBle: the Bluetooth adapter in the simulated room (the scene's ``ble`` block), a :class:`hw.ble.BleScanner`.

Each device advertises every ``interval_ms`` plus the spec's random 0–10 ms delay, each advert heard at its
level with a few dB of fading; the advert is the device's AD structures, parsed by :func:`dsp.ble.parse` as a
replayed one is. Time is simulated seconds from 0; ``time_scale`` paces scans against the wall clock like the
other simulated devices (0 instant, for tests; 1 real time, for the demo).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from dsp import ble
from hw.ble import Sighting
from hw.sim.radio import time_scale_from_env

FADING_DB = 3.0


class SimBle:
    def __init__(
        self, block: dict[str, Any], *, seed: int = 0, time_scale: float | None = None, name: str = ""
    ) -> None:
        self.devices = block["devices"]
        self.name = f"simulated: {name}" if name else "simulated"
        self.time_scale = time_scale_from_env() if time_scale is None else time_scale
        self._rng = np.random.default_rng(seed)
        self._now = 0.0
        # each device's next advert: a random phase within its first interval
        self._due = [float(self._rng.uniform(0, d["interval_ms"] / 1e3)) for d in self.devices]
        self.closed = False

    @property
    def exhausted(self) -> bool:
        return False

    def scan(self, seconds: float) -> list[Sighting]:
        end = self._now + seconds
        heard = []
        for i, device in enumerate(self.devices):
            advert = ble.parse(device["adv"])
            while self._due[i] < end:
                rssi = round(device["rssi_dbm"] + self._rng.normal(0, FADING_DB))
                heard.append(Sighting(self._due[i], device["address"], int(rssi), advert, device["address_type"]))
                self._due[i] += device["interval_ms"] / 1e3 + float(self._rng.uniform(0, 0.010))
        if self.time_scale > 0:
            time.sleep(seconds * self.time_scale)
        self._now = end
        return sorted(heard, key=lambda s: s.t)

    def close(self) -> None:
        self.closed = True
