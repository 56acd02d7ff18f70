"""The scene's ``ble`` block: the room's Bluetooth LE advertisers, validated strictly.

``{"devices": [...]}``; each device has an ``address`` and what it advertises: ``name``, ``manufacturer_data``
(company id, as ``"0x07D0"`` or ``"2000"``, → payload hex after the id), ``service_uuids`` (``"0xfd50"`` or a
128-bit UUID), ``service_data`` (UUID → payload hex), ``tx_power_dbm``; and how: ``rssi_dbm`` (its level at
the device, before fading), ``interval_ms`` (its advertising interval), ``address_type`` (``public`` or
``random``). Each advert is built as AD structures and heard through the same parser as a real one.
"""

from __future__ import annotations

import re
from typing import Any

from dsp import ble
from hw.errors import SceneError
from hw.sim.schema import NUMBER, Field, fields

MAX_DEVICES = 64
ADDRESS = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")
FULL_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

_DEVICE = {
    "address": Field(str),
    "address_type": Field(str, "public", choices=("public", "random")),
    "name": Field(str, ""),
    "label": Field(str, ""),
    "rssi_dbm": Field(NUMBER, -65.0, lo=-110, hi=0),
    "interval_ms": Field(NUMBER, 200.0, lo=20, hi=10240),  # the spec's advertising intervals
    "tx_power_dbm": Field(int, None, lo=-127, hi=20),
    "manufacturer_data": Field(dict, {}),
    "service_uuids": Field(list, []),
    "service_data": Field(dict, {}),
}


def _uuid(text: Any, where: str) -> str:
    if not isinstance(text, str):
        raise SceneError(f"{where}: a UUID is a string (0xfd50 or 128-bit), got {type(text).__name__}")
    value = text.lower()
    if FULL_UUID.match(value):
        return value
    try:
        number = int(value, 16) if value.startswith("0x") else None
    except ValueError:
        number = None
    if number is None or not 0 <= number <= 0xFFFFFFFF:
        raise SceneError(f"{where}: {text!r} is neither 0x1234 / 0x12345678 nor a 128-bit UUID")
    return ble.uuid16(number)


def _hex(text: Any, where: str) -> bytes:
    try:
        return bytes.fromhex(text) if isinstance(text, str) else bytes.fromhex("x")
    except ValueError:
        raise SceneError(f"{where}: expected hex bytes, got {text!r}") from None


def _company(key: str, where: str) -> int:
    try:
        value = int(key, 0)
    except ValueError:
        raise SceneError(f"{where}: company id {key!r} is not a number (0x07D0 or 2000)") from None
    if not 0 <= value <= 0xFFFF:
        raise SceneError(f"{where}: company id {key!r} is not 16 bits")
    return value


def _device(obj: Any, where: str) -> dict[str, Any]:
    values = fields(obj, _DEVICE, where)
    if not ADDRESS.match(values["address"]):
        raise SceneError(f"{where}.address: not a Bluetooth address: {values['address']!r}")
    values["address"] = values["address"].lower()
    advert = ble.Advertisement(
        local_name=values["name"] or None,
        flags=0x06,  # LE general discoverable, no BR/EDR: what a BLE-only gadget sends
        tx_power_dbm=values["tx_power_dbm"],
        manufacturer_data={
            _company(k, f"{where}.manufacturer_data"): _hex(v, f"{where}.manufacturer_data.{k}")
            for k, v in values["manufacturer_data"].items()
        },
        service_uuids=[_uuid(u, f"{where}.service_uuids[{i}]") for i, u in enumerate(values["service_uuids"])],
        service_data={
            _uuid(k, f"{where}.service_data"): _hex(v, f"{where}.service_data.{k}")
            for k, v in values["service_data"].items()
        },
    )
    try:
        values["adv"] = ble.encode(advert)
    except ValueError as exc:
        raise SceneError(f"{where}: {exc}") from None
    return values


def parse_ble(obj: Any, where: str) -> dict[str, Any]:
    """Validate a ``ble`` block; each device gets ``adv``, its AD structures as bytes."""
    top = fields(obj, {"devices": Field(list, [])}, where)
    if len(top["devices"]) > MAX_DEVICES:
        raise SceneError(f"{where}.devices: at most {MAX_DEVICES} devices, got {len(top['devices'])}")
    devices = [_device(item, f"{where}.devices[{i}]") for i, item in enumerate(top["devices"])]
    seen: dict[str, int] = {}
    for i, dev in enumerate(devices):
        if dev["address"] in seen:
            first = seen[dev["address"]]
            raise SceneError(f"{where}.devices[{i}].address: {dev['address']} is already devices[{first}]")
        seen[dev["address"]] = i
    return {"devices": devices}
