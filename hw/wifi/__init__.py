"""Wi-Fi capture: the :class:`WifiCapture` protocol and its drivers.

- :mod:`hw.wifi.monitor` — ``MonitorCapture``: a USB adapter in monitor mode (``iw`` + an AF_PACKET socket);
- :mod:`hw.wifi.pcap` — ``PcapReplay`` (pcap / pcapng, radiotap or plain 802.11) and ``PcapWriter``;
- ``hw.sim.wifi`` — ``SimWifi``, the simulated room's Wi-Fi block.

Every source yields batches of :data:`dsp.frames.FRAME_DTYPE` records (headers only, never a payload).
Capture is passive: nothing here transmits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

#: 2.4 GHz channels 1–13; 5 GHz UNII-1..3 including the DFS channels (receive-only is allowed there).
CHANNELS_24_MHZ = tuple(2407 + 5 * ch for ch in range(1, 14))
CHANNELS_5_MHZ = tuple(5000 + 5 * ch for ch in (*range(36, 65, 4), *range(100, 145, 4), *range(149, 166, 4)))


@dataclass(frozen=True)
class AdapterInfo:
    """What the device page says about the capture hardware."""

    name: str  # "wlan1 (mt7921u, phy1)", "replay: cam.pcap", "simulated: hotel room"
    driver: str = ""
    bands: tuple[str, ...] = ()  # "2.4 GHz", "5 GHz", "6 GHz"
    monitor: bool = True

    def to_json(self) -> dict:
        return {"name": self.name, "driver": self.driver, "bands": list(self.bands), "monitor": self.monitor}


@runtime_checkable
class WifiCapture(Protocol):
    """A receive-only 802.11 source.

    ``read(seconds)`` returns the frames that arrived over the next ``seconds`` of the capture's own clock
    (blocking for live hardware, instant for a replay), as a ``FRAME_DTYPE`` array in time order; ``clock()``
    is that clock now (Unix seconds live and for a pcap's timestamps; simulated seconds for ``SimWifi``), the
    clock a stimulus schedule's ``start_s`` is written in. ``exhausted`` is True once a replay has nothing left.
    ``tune`` raises :class:`hw.errors.ChannelRefused` for a channel it cannot receive; a pulled adapter raises
    :class:`hw.errors.WifiLost` from ``read``.
    """

    info: AdapterInfo

    def channels_mhz(self) -> list[int]:
        """The centre frequencies this source can receive on (the survey's list)."""
        ...

    def tune(self, freq_mhz: int, width_mhz: int = 20) -> None:
        """Listen on one channel (20/40/80 MHz wide)."""
        ...

    def read(self, seconds: float) -> np.ndarray:
        """The frame records of the next ``seconds`` on the current channel."""
        ...

    def clock(self) -> float:
        """The capture's clock now."""
        ...

    @property
    def exhausted(self) -> bool:
        """True when no frame will ever come again (end of a replay)."""
        ...

    def close(self) -> None:
        """Release the adapter (delete the monitor interface) or the file."""
        ...
