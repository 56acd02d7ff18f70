"""SimWifi: a monitor-mode adapter in the simulated room (the scene's ``wifi`` block).

It implements :class:`hw.wifi.WifiCapture`. Every device of the block sends all the time, whatever
channel the adapter listens on (a camera's encoder does not wait for us); only the frames on the tuned
channel are heard, each at its device's level with slow and fast fading. Time is simulated seconds
from 0 (``clock()``); ``read(seconds)`` advances it in ``STEP_S`` slices and reads the LED ring's pin
(the rig's own illuminator) at each slice, so a stimulus played on the real pin reaches the cameras
that see the device. ``time_scale`` paces reads against the wall clock like the simulated radio
(0 = instant, for tests; 1 = real time, for the demo).
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import numpy as np

from dsp import frames as fr
from hw.errors import ChannelRefused, WifiLost
from hw.sim import wifi_traffic as traffic
from hw.sim.radio import time_scale_from_env
from hw.wifi import CHANNELS_5_MHZ, CHANNELS_24_MHZ, AdapterInfo

STEP_S = 0.05  # the ring's pin is read this often (a stimulus slot is 0.2 s or more)
WIDTHS_MHZ = (20, 40, 80)


class LitState(Protocol):
    @property
    def is_on(self) -> bool: ...


class SimWifi:
    """The simulated adapter; ``fail_after_s`` makes it vanish at that simulated time (fault tests)."""

    def __init__(
        self,
        wifi: dict[str, Any],
        illuminator: LitState,
        *,
        seed: int = 0,
        time_scale: float | None = None,
        name: str = "simulated room",
        fail_after_s: float | None = None,
    ) -> None:
        self.info = AdapterInfo(name=f"simulated: {name}", driver="SimWifi", bands=("2.4 GHz", "5 GHz"))
        self.illuminator = illuminator
        self.models = traffic.build(wifi["devices"], seed)
        self.time_scale = time_scale_from_env() if time_scale is None else time_scale
        self.fail_after_s = fail_after_s
        self.freq_mhz = CHANNELS_24_MHZ[0]
        self.width_mhz = 20
        self._rng = np.random.default_rng([seed, 0x5717])  # fast fading and retries, apart from the devices' own
        self._now = 0.0
        self._pending = fr.empty(0)  # frames of a train still on air when the last read ended
        self._wall_due = time.monotonic()
        self._closed = False

    def channels_mhz(self) -> list[int]:
        return [*CHANNELS_24_MHZ, *CHANNELS_5_MHZ]

    def tune(self, freq_mhz: int, width_mhz: int = 20) -> None:
        if freq_mhz not in self.channels_mhz():
            raise ChannelRefused(f"{freq_mhz} MHz is not a channel this adapter can receive")
        if width_mhz not in WIDTHS_MHZ:
            raise ChannelRefused(f"channel width {width_mhz} MHz is not one of {', '.join(map(str, WIDTHS_MHZ))}")
        self.freq_mhz, self.width_mhz = int(freq_mhz), int(width_mhz)
        self._pending = fr.empty(0)  # the rest of a train on the old channel is not heard here

    def clock(self) -> float:
        return self._now

    @property
    def exhausted(self) -> bool:
        return False

    def read(self, seconds: float) -> np.ndarray:
        """The frames heard on the tuned channel over the next ``seconds`` of simulated time."""
        if self._closed:
            raise WifiLost("the simulated adapter is closed")
        end = self._now + max(float(seconds), 0.0)
        out = traffic.Recorder(self._rng)
        ap_level = {m.mac: m.rssi_dbm for m in self.models if isinstance(m, traffic.AccessPoint)}
        while self._now < end - 1e-9:
            if self.fail_after_s is not None and self._now >= self.fail_after_s:
                raise WifiLost("the Wi-Fi adapter stopped answering (simulated unplug)")
            t0, t1 = self._now, min(self._now + STEP_S, end)
            lit = bool(self.illuminator.is_on)
            for model in self.models:
                heard = model.channel_mhz == self.freq_mhz
                model.emit(t0, t1, lit, out if heard else None, ap_level.get(model.bssid, model.rssi_dbm))
            self._now = t1
            self._pace(t1 - t0)
        records = np.concatenate((self._pending, out.records()))
        records = records[np.argsort(records["t"], kind="stable")]
        later = records["t"] >= end
        self._pending, records = records[later], records[~later]
        records["freq_mhz"] = self.freq_mhz
        return records

    def _pace(self, dt: float) -> None:
        if self.time_scale <= 0:
            return
        self._wall_due += dt * self.time_scale
        delay = self._wall_due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            self._wall_due = time.monotonic()

    def close(self) -> None:
        self._closed = True


def frames_of(capture: SimWifi, seconds: float, chunk_s: float = 1.0) -> np.ndarray:
    """``seconds`` of capture read in ``chunk_s`` pieces, as one array (tests, benchmarks)."""
    parts = []
    left = seconds
    while left > 1e-9:
        step = min(chunk_s, left)
        parts.append(capture.read(step))
        left -= step
    return np.concatenate(parts) if parts else fr.empty(0)
