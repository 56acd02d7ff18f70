"""802.11 frame records: the one shape every Wi-Fi source (monitor capture, pcap replay, simulation)
yields and every Wi-Fi analysis reads.

A record holds headers only — who sent what to whom, how long it was on air, how strong — never a payload.
Records travel as numpy structured arrays so a busy channel (thousands of frames a second) is analysed
without a Python object per frame.
"""

from __future__ import annotations

import numpy as np

#: ``t`` is the capture's own clock in seconds (Unix seconds for a pcap); ``tx``/``rx``/``bssid`` are
#: 48-bit MACs as integers (0 when the frame has no such address); ``length`` is the 802.11 frame's
#: length on air in bytes (MAC header + body, without radiotap and FCS), from the record's original length
#: even when the capture was truncated; ``rssi_dbm`` is ``RSSI_UNKNOWN`` when the radio did not say;
#: ``freq_mhz`` is 0 when unknown.
FRAME_DTYPE = np.dtype(
    [
        ("t", "f8"),
        ("tx", "u8"),
        ("rx", "u8"),
        ("bssid", "u8"),
        ("ftype", "u1"),
        ("subtype", "u1"),
        ("flags", "u1"),
        ("rssi_dbm", "i1"),
        ("freq_mhz", "u2"),
        ("length", "u4"),
    ]
)

TYPE_MANAGEMENT = 0
TYPE_CONTROL = 1
TYPE_DATA = 2

SUBTYPE_BEACON = 8
SUBTYPE_PROBE_RESPONSE = 5

FLAG_TO_DS = 0x01
FLAG_FROM_DS = 0x02
FLAG_RETRY = 0x04
FLAG_PROTECTED = 0x08
FLAG_BAD_FCS = 0x10  # the radio says the checksum failed: addresses may be garbage (sources drop these)

RSSI_UNKNOWN = -128
BROADCAST = 0xFFFF_FFFF_FFFF


def empty(n: int = 0) -> np.ndarray:
    """``n`` zeroed frame records."""
    return np.zeros(n, dtype=FRAME_DTYPE)


def mac_to_int(text: str) -> int:
    """``"a4:cf:12:00:00:01"`` → its 48-bit integer (``-`` separators accepted too)."""
    digits = text.replace(":", "").replace("-", "")
    if len(digits) != 12:
        raise ValueError(f"not a MAC address: {text!r}")
    return int(digits, 16)


def mac_text(value: int) -> str:
    """A 48-bit integer → ``"a4:cf:12:00:00:01"``."""
    raw = f"{int(value):012x}"
    return ":".join(raw[i : i + 2] for i in range(0, 12, 2))


def is_locally_administered(value: int) -> bool:
    """True for randomised / locally administered MACs (phones' private addresses): no vendor to look up."""
    return bool((int(value) >> 40) & 0x02)


def uplink_mask(frames: np.ndarray) -> np.ndarray:
    """Data frames sent by a station to its access point (to-DS set, from-DS clear)."""
    ds = frames["flags"] & (FLAG_TO_DS | FLAG_FROM_DS)
    return (frames["ftype"] == TYPE_DATA) & (ds == FLAG_TO_DS)


def downlink_mask(frames: np.ndarray) -> np.ndarray:
    """Data frames sent by an access point to a station (from-DS set, to-DS clear)."""
    ds = frames["flags"] & (FLAG_TO_DS | FLAG_FROM_DS)
    return (frames["ftype"] == TYPE_DATA) & (ds == FLAG_FROM_DS)
