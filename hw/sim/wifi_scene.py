"""The scene's ``wifi`` block: the room's Wi-Fi devices and their traffic, validated strictly.

Every device has a ``kind``, a ``mac``, a ``channel_mhz`` and an ``rssi_dbm`` (its level at the
device, before fading; ``rssi_ramp_db_per_s`` up to ``rssi_limit_dbm`` makes it change with simulated
time, as the hot/cold finder sees it while walking toward the device); stations name their access
point with ``bssid`` (default: the first access point of the block on their channel). Per kind, what
it sends (see README "Scene files"):

- ``access-point``: beacons every ``beacon_interval_tu`` (1.024 ms units);
- ``camera``: ``bitrate_bps``, ``fps``, ``gop`` (frames from one key frame to the next), ``transport``
  (``rtp`` over UDP or ``tcp``), ``upload`` (``continuous``, or ``motion``: streams only for
  ``clip_s`` after motion — a change of the LED ring it sees counts), ``sees_device`` and
  ``led_response`` (how much brighter its picture gets while the ring is lit, a fraction of white);
- ``video-call``: ``uplink_bps`` and ``downlink_bps`` of video at ``fps``, with audio both ways;
- ``vod-client`` (``segment_s`` chunks of ``downlink_bps``) and ``tv-client`` (a steady downlink);
- ``uploader``: ``uplink_bps`` of a file, ``paced`` or as fast as the link goes;
- ``phone`` (asleep: power-save frames, a push now and then) and ``plug`` (a heartbeat every
  ``heartbeat_s``).
"""

from __future__ import annotations

from typing import Any

from dsp import frames as fr
from hw.errors import SceneError
from hw.sim.schema import NUMBER, Field, check, fields

KINDS = ("access-point", "camera", "video-call", "vod-client", "tv-client", "uploader", "phone", "plug")
STATIONS = tuple(k for k in KINDS if k != "access-point")
MAX_DEVICES = 64

_COMMON = {
    "kind": Field(str, choices=KINDS),
    "mac": Field(str),
    "channel_mhz": Field(int, lo=2400, hi=7200),
    "rssi_dbm": Field(NUMBER, -60.0, lo=-100, hi=-10),
    "label": Field(str, ""),
    # for the hot/cold finder: the level rises (or falls) at this rate from the start, up to the limit
    "rssi_ramp_db_per_s": Field(NUMBER, 0.0, lo=-20, hi=20),
    "rssi_limit_dbm": Field(NUMBER, None, lo=-100, hi=-10),
}
_STATION = {"bssid": Field(str, None)}
_BY_KIND: dict[str, dict[str, Field]] = {
    "access-point": {"beacon_interval_tu": Field(int, 100, lo=10, hi=1000), "ssid": Field(str, "")},
    "camera": {
        "bitrate_bps": Field(NUMBER, 1.0e6, lo=50e3, hi=20e6),
        "fps": Field(NUMBER, 15.0, lo=2, hi=60),
        "gop": Field(int, 30, lo=1, hi=600),
        "transport": Field(str, "rtp", choices=("rtp", "tcp")),
        "upload": Field(str, "continuous", choices=("continuous", "motion")),
        "clip_s": Field(NUMBER, 20.0, lo=1, hi=600),
        "motion_per_min": Field(NUMBER, 0.0, lo=0, hi=60),  # people walking past, when nobody sees the ring
        "sees_device": Field(bool, False),
        "led_response": Field(NUMBER, 0.1, lo=0, hi=1),
    },
    "video-call": {
        "uplink_bps": Field(NUMBER, 1.2e6, lo=50e3, hi=20e6),
        "downlink_bps": Field(NUMBER, 1.2e6, lo=50e3, hi=20e6),
        "fps": Field(NUMBER, 30.0, lo=2, hi=60),
    },
    "vod-client": {
        "downlink_bps": Field(NUMBER, 5e6, lo=100e3, hi=80e6),
        "segment_s": Field(NUMBER, 4.0, lo=0.5, hi=20),
    },
    "tv-client": {"downlink_bps": Field(NUMBER, 4e6, lo=100e3, hi=80e6)},
    "uploader": {"uplink_bps": Field(NUMBER, 5e6, lo=100e3, hi=80e6), "paced": Field(bool, False)},
    "phone": {"push_per_min": Field(NUMBER, 1.0, lo=0, hi=60)},
    "plug": {"heartbeat_s": Field(NUMBER, 10.0, lo=0.5, hi=600)},
}


def _mac(text: str, where: str) -> int:
    try:
        return fr.mac_to_int(text)
    except ValueError:
        raise SceneError(f"{where}: not a MAC address: {text!r}") from None


def _device(obj: Any, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise SceneError(f"{where}: expected an object, got {type(obj).__name__}")
    if "kind" not in obj:
        raise SceneError(f"{where}: missing required key 'kind'")
    kind = check(obj["kind"], _COMMON["kind"], f"{where}.kind")
    specs = {**_COMMON, **(_STATION if kind in STATIONS else {}), **_BY_KIND[kind]}
    values = fields(obj, specs, where)
    values["mac_int"] = _mac(values["mac"], f"{where}.mac")
    if values.get("bssid") is not None:
        values["bssid_int"] = _mac(values["bssid"], f"{where}.bssid")
    return values


def parse_wifi(obj: Any, where: str) -> dict[str, Any]:
    """Validate a ``wifi`` block: ``{"devices": [...]}``; each station gets its access point."""
    top = fields(obj, {"devices": Field(list, [])}, where)
    if len(top["devices"]) > MAX_DEVICES:
        raise SceneError(f"{where}.devices: at most {MAX_DEVICES} devices, got {len(top['devices'])}")
    devices = [_device(item, f"{where}.devices[{i}]") for i, item in enumerate(top["devices"])]
    seen: dict[int, int] = {}
    for i, dev in enumerate(devices):
        if dev["mac_int"] in seen:
            raise SceneError(f"{where}.devices[{i}].mac: {dev['mac']} is already devices[{seen[dev['mac_int']]}]")
        seen[dev["mac_int"]] = i
    aps = {d["mac_int"]: d for d in devices if d["kind"] == "access-point"}
    for i, dev in enumerate(devices):
        if dev["kind"] == "access-point":
            continue
        if "bssid_int" not in dev:
            ap = next((a for a in aps.values() if a["channel_mhz"] == dev["channel_mhz"]), None)
            if ap is None:
                raise SceneError(
                    f"{where}.devices[{i}]: no access point on {dev['channel_mhz']} MHz to join (add one or set bssid)"
                )
            dev["bssid"], dev["bssid_int"] = ap["mac"], ap["mac_int"]
        elif dev["bssid_int"] in aps and aps[dev["bssid_int"]]["channel_mhz"] != dev["channel_mhz"]:
            raise SceneError(f"{where}.devices[{i}].bssid: that access point is on another channel")
    return {"devices": devices}
