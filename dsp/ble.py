"""Bluetooth LE advertisements: the AD structures parsed and encoded, and camera makers' set-up adverts as hints.

An advertisement (or scan response) is a run of AD structures, each ``length, type, data`` (Core Spec Vol 3
Part C §11; the types in the Bluetooth SIG's Assigned Numbers, "Common Data Types"). Bleak hands the fields
over already parsed; a replayed log and the simulated room hand over the bytes: both end up an
:class:`Advertisement`, and :func:`hints` reads it.

A hint is a reason to look closer, never a verdict: Tuya's BLE modules are in plugs and bulbs as often as in
cameras, and a camera that is already set up usually stops advertising. Pure functions: no I/O, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: The Bluetooth Base UUID: a 16- or 32-bit UUID ``n`` is ``n`` in its first 32 bits.
BASE_UUID_TAIL = "-0000-1000-8000-00805f9b34fb"

# AD types (Assigned Numbers, "Common Data Types")
AD_FLAGS = 0x01
AD_UUID16_SOME, AD_UUID16_ALL = 0x02, 0x03
AD_UUID32_SOME, AD_UUID32_ALL = 0x04, 0x05
AD_UUID128_SOME, AD_UUID128_ALL = 0x06, 0x07
AD_NAME_SHORT, AD_NAME_COMPLETE = 0x08, 0x09
AD_TX_POWER = 0x0A
AD_SERVICE_DATA16 = 0x16
AD_APPEARANCE = 0x19
AD_SERVICE_DATA32 = 0x20
AD_SERVICE_DATA128 = 0x21
AD_MANUFACTURER = 0xFF

# Company identifiers (Assigned Numbers, "Company Identifiers") the hints read
COMPANY_APPLE = 0x004C
COMPANY_ESPRESSIF = 0x02E5
COMPANY_TUYA = 0x07D0  # Hangzhou Tuya Information Technology Co., Ltd

# HomeKit Accessory Protocol (Apple's HAP specification, non-commercial release R2, §7.4.2): Apple
# manufacturer data of type 0x06, then STL, status flags (bit 0: not paired yet), a 6-byte device id and
# the 16-bit accessory category (little endian). Categories 17 and 18 are cameras.
HAP_TYPE = 0x06
HAP_CATEGORIES = {17: "IP camera", 18: "video doorbell"}


def uuid16(value: int) -> str:
    """A 16- or 32-bit SIG UUID as the full lower-case 128-bit string (bleak's spelling)."""
    return f"{value:08x}{BASE_UUID_TAIL}"


def short_uuid(uuid: str) -> str:
    """``0xfd50`` for a UUID on the Base UUID, else the full string: how people read them."""
    text = uuid.lower()
    if text.endswith(BASE_UUID_TAIL):
        value = int(text[:8], 16)
        return f"0x{value:04x}" if value <= 0xFFFF else f"0x{value:08x}"
    return text


# Service UUIDs the hints know; each is named from the source that defines it.
UUID_TUYA = uuid16(0xFD50)  # SIG member UUID of Hangzhou Tuya (Assigned Numbers, "16-bit UUIDs for members")
UUID_TUYA_LEGACY = uuid16(0xA201)  # Tuya BLE SDK's own service; its service data carries the product id
UUID_MATTER = uuid16(0xFFF6)  # Matter Core Spec §5.4.2.5.6: commissionable device's BLE service data
UUID_BLUFI = uuid16(0xFFFF)  # Espressif ESP-IDF "BluFi": Wi-Fi set-up over BLE
UUID_NEST = uuid16(0xFEAF)  # SIG member UUID of Nest Labs Inc. (Nest cameras and doorbells are set up over BLE)
UUID_XIAOMI = uuid16(0xFE95)  # SIG member UUID of Xiaomi Inc. (MiBeacon)
SERVICE_NAMES = {
    UUID_TUYA: "Tuya",
    UUID_TUYA_LEGACY: "Tuya BLE SDK",
    UUID_MATTER: "Matter commissioning",
    UUID_BLUFI: "Espressif BluFi",
    UUID_NEST: "Nest Labs",
    UUID_XIAOMI: "Xiaomi MiBeacon",
}

#: Words in an advertised name that people give cameras (a weak hint: "CAM" is also a cam-lock).
CAMERA_NAME = re.compile(r"(camera|webcam|doorbell|\bipc|\bcam(?![a-z])|cam\b|\bdvr\b|\bnvr\b|spycam|nanny)", re.I)
#: ESP-IDF's Wi-Fi provisioning examples advertise ``PROV_<mac>``: a device waiting for Wi-Fi credentials.
ESP_PROV_NAME = re.compile(r"^PROV_[0-9A-Fa-f]{4,12}$")


@dataclass
class Advertisement:
    """What one device advertised (advertisement and scan response merged)."""

    local_name: str | None = None
    flags: int | None = None
    tx_power_dbm: int | None = None
    appearance: int | None = None
    manufacturer_data: dict[int, bytes] = field(default_factory=dict)
    service_uuids: list[str] = field(default_factory=list)
    service_data: dict[str, bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # malformed structures, said once each

    def merge(self, other: Advertisement) -> Advertisement:
        """This device's fields with ``other``'s added (a scan response, a later advert): newest value wins."""
        return Advertisement(
            local_name=other.local_name or self.local_name,
            flags=other.flags if other.flags is not None else self.flags,
            tx_power_dbm=other.tx_power_dbm if other.tx_power_dbm is not None else self.tx_power_dbm,
            appearance=other.appearance if other.appearance is not None else self.appearance,
            manufacturer_data={**self.manufacturer_data, **other.manufacturer_data},
            service_uuids=list(dict.fromkeys([*self.service_uuids, *other.service_uuids])),
            service_data={**self.service_data, **other.service_data},
            problems=list(dict.fromkeys([*self.problems, *other.problems])),
        )


def _uuid_from_le(raw: bytes) -> str:
    """A UUID as it travels (little endian, 2, 4 or 16 bytes) as the 128-bit string."""
    if len(raw) in (2, 4):
        return uuid16(int.from_bytes(raw, "little"))
    text = raw[::-1].hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _uuid_to_le(uuid: str) -> bytes:
    """The shortest form a UUID can travel in (2 bytes on the Base UUID), little endian."""
    text = uuid.lower()
    if text.endswith(BASE_UUID_TAIL) and int(text[:8], 16) <= 0xFFFF:
        return int(text[:8], 16).to_bytes(2, "little")
    return bytes.fromhex(text.replace("-", ""))[::-1]


def parse(data: bytes) -> Advertisement:
    """The AD structures of one advertisement or scan response. A structure that runs past the end, or a
    field of the wrong length, is skipped and said in ``problems``; the rest is still read."""
    adv = Advertisement()
    i = 0
    while i < len(data):
        length = data[i]
        if length == 0:  # the significant part ended: the rest is padding
            break
        if i + 1 + length > len(data):
            adv.problems.append(f"AD structure at byte {i} runs past the end ({length} of {len(data) - i - 1} bytes)")
            break
        kind, value = data[i + 1], data[i + 2 : i + 1 + length]
        i += 1 + length
        _read(adv, kind, bytes(value))
    return adv


def _read(adv: Advertisement, kind: int, value: bytes) -> None:
    if kind == AD_FLAGS and value:
        adv.flags = value[0]
    elif kind in (AD_UUID16_SOME, AD_UUID16_ALL, AD_UUID32_SOME, AD_UUID32_ALL, AD_UUID128_SOME, AD_UUID128_ALL):
        size = {AD_UUID16_SOME: 2, AD_UUID16_ALL: 2, AD_UUID32_SOME: 4, AD_UUID32_ALL: 4}.get(kind, 16)
        if len(value) % size:
            adv.problems.append(f"service UUID list of {len(value)} bytes is not a multiple of {size}")
        for j in range(0, len(value) - len(value) % size, size):
            uuid = _uuid_from_le(value[j : j + size])
            if uuid not in adv.service_uuids:
                adv.service_uuids.append(uuid)
    elif kind in (AD_NAME_SHORT, AD_NAME_COMPLETE):
        name = value.decode("utf-8", errors="replace").rstrip("\x00")
        if kind == AD_NAME_COMPLETE or not adv.local_name:
            adv.local_name = name
    elif kind == AD_TX_POWER and len(value) == 1:
        adv.tx_power_dbm = int.from_bytes(value, "little", signed=True)
    elif kind == AD_APPEARANCE and len(value) == 2:
        adv.appearance = int.from_bytes(value, "little")
    elif kind in (AD_SERVICE_DATA16, AD_SERVICE_DATA32, AD_SERVICE_DATA128):
        size = {AD_SERVICE_DATA16: 2, AD_SERVICE_DATA32: 4}.get(kind, 16)
        if len(value) < size:
            adv.problems.append(f"service data of {len(value)} bytes has no {size}-byte UUID")
            return
        adv.service_data[_uuid_from_le(value[:size])] = value[size:]
    elif kind == AD_MANUFACTURER:
        if len(value) < 2:
            adv.problems.append("manufacturer data without a company identifier")
            return
        adv.manufacturer_data[int.from_bytes(value[:2], "little")] = value[2:]


def _structure(kind: int, value: bytes) -> bytes:
    if len(value) > 254:
        raise ValueError(f"an AD structure holds at most 254 bytes, got {len(value)}")
    return bytes([len(value) + 1, kind]) + value


def encode(adv: Advertisement) -> bytes:
    """The AD structures of ``adv`` (the simulated room's adverts, a recorded log): :func:`parse` reads them
    back to the same fields. Not limited to 31 bytes: a log keeps advert and scan response together."""
    out = bytearray()
    if adv.flags is not None:
        out += _structure(AD_FLAGS, bytes([adv.flags]))
    by_size: dict[int, list[bytes]] = {}
    for uuid in adv.service_uuids:
        raw = _uuid_to_le(uuid)
        by_size.setdefault(len(raw), []).append(raw)
    for size, kind in ((2, AD_UUID16_ALL), (4, AD_UUID32_ALL), (16, AD_UUID128_ALL)):
        if size in by_size:
            out += _structure(kind, b"".join(by_size[size]))
    for uuid, value in adv.service_data.items():
        raw = _uuid_to_le(uuid)
        kind = {2: AD_SERVICE_DATA16, 4: AD_SERVICE_DATA32}.get(len(raw), AD_SERVICE_DATA128)
        out += _structure(kind, raw + value)
    for company, value in adv.manufacturer_data.items():
        out += _structure(AD_MANUFACTURER, company.to_bytes(2, "little") + value)
    if adv.tx_power_dbm is not None:
        out += _structure(AD_TX_POWER, adv.tx_power_dbm.to_bytes(1, "little", signed=True))
    if adv.appearance is not None:
        out += _structure(AD_APPEARANCE, adv.appearance.to_bytes(2, "little"))
    if adv.local_name:
        out += _structure(AD_NAME_COMPLETE, adv.local_name.encode())
    return bytes(out)


@dataclass(frozen=True)
class Hint:
    """One reason this device may be, or belong to, a camera.

    ``kind``: ``camera`` (it declares a camera category), ``setup`` (a maker's provisioning advert: waiting to
    be put on Wi-Fi), ``platform`` (a smart-home platform whose modules are in cameras), ``name``."""

    source: str  # "homekit", "tuya", "matter", "blufi", "esp-prov", "nest", "name"
    kind: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"source": self.source, "kind": self.kind, "reason": self.reason}


def _printable(raw: bytes) -> str | None:
    text = raw.decode("ascii", errors="replace")
    return text if text and all(32 <= ord(c) < 127 for c in text) else None


def _homekit(adv: Advertisement) -> list[Hint]:
    data = adv.manufacturer_data.get(COMPANY_APPLE, b"")
    if len(data) < 11 or data[0] != HAP_TYPE:
        return []
    unpaired = bool(data[2] & 0x01)
    category = int.from_bytes(data[9:11], "little")
    if category not in HAP_CATEGORIES:
        return []
    state = "not paired yet" if unpaired else "paired"
    return [Hint("homekit", "camera", f"HomeKit accessory of category {HAP_CATEGORIES[category]} ({state})")]


def _tuya(adv: Advertisement) -> list[Hint]:
    legacy = adv.service_data.get(UUID_TUYA_LEGACY)
    maker = adv.manufacturer_data.get(COMPANY_TUYA)
    named = UUID_TUYA in adv.service_uuids or UUID_TUYA in adv.service_data or UUID_TUYA_LEGACY in adv.service_uuids
    if legacy is None and maker is None and not named:
        return []
    found = []
    if UUID_TUYA in adv.service_uuids or UUID_TUYA in adv.service_data:
        found.append("service 0xFD50")
    if legacy is not None or UUID_TUYA_LEGACY in adv.service_uuids:
        found.append("service 0xA201")
    if maker is not None:
        found.append("company 0x07D0")
    reason = f"Tuya BLE advertisement ({', '.join(found)}): Tuya's Wi-Fi+BLE modules are in many cheap cameras"
    # Tuya BLE SDK: 0xA201 service data of type 0 is the product id; manufacturer data bit 7 of byte 0 is "bound"
    if legacy and legacy[0] == 0 and (product := _printable(legacy[1:])):
        reason += f"; product id {product}"
    if maker:
        reason += "; already set up (bound)" if maker[0] & 0x80 else "; waiting to be set up (not bound)"
    return [Hint("tuya", "setup" if maker and not maker[0] & 0x80 else "platform", reason)]


def _matter(adv: Advertisement) -> list[Hint]:
    data = adv.service_data.get(UUID_MATTER)
    if data is None or len(data) < 7 or data[0] != 0:
        return []
    vendor, product = int.from_bytes(data[3:5], "little"), int.from_bytes(data[5:7], "little")
    return [
        Hint(
            "matter",
            "setup",
            f"Matter device waiting to be commissioned (vendor 0x{vendor:04X}, product 0x{product:04X}): "
            "Matter 1.5 cameras are set up this way",
        )
    ]


def _espressif(adv: Advertisement) -> list[Hint]:
    out = []
    if UUID_BLUFI in adv.service_uuids or UUID_BLUFI in adv.service_data:
        out.append(Hint("blufi", "setup", "Espressif BluFi service (0xFFFF): an ESP32 waiting for Wi-Fi credentials"))
    if adv.local_name and ESP_PROV_NAME.match(adv.local_name):
        out.append(Hint("esp-prov", "setup", f"named {adv.local_name!r}: ESP-IDF Wi-Fi provisioning over BLE"))
    return out


def _nest(adv: Advertisement) -> list[Hint]:
    if UUID_NEST in adv.service_uuids or UUID_NEST in adv.service_data:
        return [Hint("nest", "platform", "Nest Labs service (0xFEAF): Nest cameras and doorbells are set up over BLE")]
    return []


def _name(adv: Advertisement) -> list[Hint]:
    if adv.local_name and CAMERA_NAME.search(adv.local_name):
        return [Hint("name", "name", f"its name {adv.local_name!r} says camera")]
    return []


def hints(adv: Advertisement) -> list[Hint]:
    """Every reason in ``adv`` to look closer, strongest first (a declared camera, then set-up adverts)."""
    found = [*_homekit(adv), *_tuya(adv), *_matter(adv), *_espressif(adv), *_nest(adv), *_name(adv)]
    order = {"camera": 0, "setup": 1, "platform": 2, "name": 3}
    return sorted(found, key=lambda h: order[h.kind])
