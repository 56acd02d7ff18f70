"""Hot/cold for a Wi-Fi device: stay on its channel and report how strong its frames arrive.

The same :class:`appliance.tracking.LevelUpdate` as radio tracking (levels in dBm here, ``unit`` says so),
so the phone's meter and the buzzer's ticks (faster as it gets hotter) work unchanged. The level is the
median RSSI of the device's own frames in each block; a block without a frame from it keeps the last level.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from appliance import wifi_sweep
from appliance.tracking import LevelUpdate
from dsp import frames as fr
from dsp import level as levelmod
from hw.wifi import WifiCapture

RECEIVER_FLOOR_DBM = -95.0  # a USB adapter's sensitivity: the "noise" RSSI is measured against
COLD_DB, HOT_DB = 10.0, 65.0  # -85 dBm is across the building; -30 dBm is an arm's length away
MAX_RATE_HZ = 10.0  # a camera sends 10–30 frames a second: shorter blocks would often be empty


@dataclass(frozen=True)
class WifiTarget:
    mac: str
    channel_mhz: int
    label: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kind": "wifi", "mac": self.mac, "channel_mhz": self.channel_mhz, "label": self.label}


def track_wifi(
    capture: WifiCapture,
    target: WifiTarget,
    *,
    rate_hz: float,
    smoothing_s: float,
    on_update: Callable[[LevelUpdate], Any],
    stop: threading.Event,
    heartbeat: Callable[[], Any] | None = None,
) -> int:
    """Run until ``stop`` is set; returns the number of updates. WifiLost / ChannelRefused propagate."""
    wifi_sweep.lock(capture, target.channel_mhz)
    address = np.uint64(fr.mac_to_int(target.mac))
    block_s = 1.0 / min(rate_hz, MAX_RATE_HZ)
    smoother = levelmod.Smoother(smoothing_s)
    started = last = time.monotonic()
    level: float | None = None
    updates = 0
    while not stop.is_set():
        batch = capture.read(block_s)
        now = time.monotonic()
        mine = batch["rssi_dbm"][(batch["tx"] == address) & (batch["rssi_dbm"] != fr.RSSI_UNKNOWN)]
        if mine.size:
            level = float(np.median(mine))
        if heartbeat is not None:
            heartbeat()
        if level is None:
            continue  # not heard yet
        smoothed = smoother.update(level, now - last)
        last = now
        updates += 1
        snr = smoothed - RECEIVER_FLOOR_DBM
        heat = levelmod.proximity(snr, cold_db=COLD_DB, hot_db=HOT_DB)
        on_update(LevelUpdate(now - started, level, smoothed, snr, heat, updates / max(now - started, 1e-9)))
    return updates
