"""dsp.ble: AD structures read from bytes written out by hand, round trips, and the hints with their reasons."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dsp import ble


def structure(kind: int, payload: bytes) -> bytes:
    return bytes([len(payload) + 1, kind]) + payload


def test_every_field_of_a_hand_written_advert():
    data = (
        bytes.fromhex("020106")  # flags: LE general discoverable, BR/EDR not supported
        + bytes.fromhex("050350fd0f18")  # complete 16-bit UUIDs: 0xFD50, 0x180F
        + structure(0x05, bytes.fromhex("78563412"))  # 32-bit UUID 0x12345678
        + structure(0x07, bytes(range(16)))  # a 128-bit UUID, little endian
        + structure(0x16, bytes.fromhex("01a2") + b"\x00abc123")  # service data 0xA201: product id abc123
        + structure(0xFF, bytes.fromhex("d007") + bytes.fromhex("0003"))  # Tuya manufacturer data
        + bytes.fromhex("020af4")  # TX power -12 dBm
        + bytes.fromhex("03198000")  # appearance 0x0080
        + structure(0x09, b"IPC-360 Home")
    )
    adv = ble.parse(data)
    assert adv.flags == 0x06
    assert adv.service_uuids == [
        "0000fd50-0000-1000-8000-00805f9b34fb",
        "0000180f-0000-1000-8000-00805f9b34fb",
        "12345678-0000-1000-8000-00805f9b34fb",
        "0f0e0d0c-0b0a-0908-0706-050403020100",
    ]
    assert adv.service_data == {"0000a201-0000-1000-8000-00805f9b34fb": b"\x00abc123"}
    assert adv.manufacturer_data == {0x07D0: b"\x00\x03"}
    assert adv.tx_power_dbm == -12
    assert adv.appearance == 0x0080
    assert adv.local_name == "IPC-360 Home"
    assert adv.problems == []
    assert ble.short_uuid(adv.service_uuids[0]) == "0xfd50"
    assert ble.short_uuid(adv.service_uuids[2]) == "0x12345678"


def test_a_structure_past_the_end_is_said_and_the_rest_kept():
    adv = ble.parse(bytes.fromhex("020106") + bytes.fromhex("0aff4c00"))  # claims 10 bytes, has 3
    assert adv.flags == 0x06
    assert adv.manufacturer_data == {}
    assert adv.problems == ["AD structure at byte 3 runs past the end (10 of 3 bytes)"]


def test_zero_length_ends_the_significant_part():
    adv = ble.parse(structure(0x09, b"plug") + bytes(10))
    assert adv.local_name == "plug"
    assert adv.problems == []


def test_a_shortened_name_does_not_replace_the_complete_one():
    adv = ble.parse(structure(0x09, b"Living room camera") + structure(0x08, b"Living"))
    assert adv.local_name == "Living room camera"


def test_encode_round_trip():
    adv = ble.Advertisement(
        local_name="Tapo C100",
        flags=6,
        tx_power_dbm=4,
        appearance=0x0C80,
        manufacturer_data={0x004C: bytes.fromhex("0631010203040506071100"), 0x02E5: b"\x01"},
        service_uuids=[ble.UUID_TUYA, "0f0e0d0c-0b0a-0908-0706-050403020100", ble.uuid16(0x12345678)],
        service_data={ble.UUID_MATTER: bytes.fromhex("00000f f1ff 0180 00".replace(" ", ""))},
    )
    assert ble.parse(ble.encode(adv)) == adv


@given(st.binary(max_size=80))
def test_any_bytes_parse_without_raising(data):
    adv = ble.parse(data)
    assert isinstance(adv.problems, list)
    ble.hints(adv)  # and can be judged


def test_merge_keeps_advert_and_scan_response():
    advert = ble.parse(bytes.fromhex("020106") + structure(0xFF, bytes.fromhex("d00700")))
    response = ble.parse(structure(0x09, b"Smart Camera"))
    merged = advert.merge(response)
    assert merged.flags == 6 and merged.local_name == "Smart Camera" and 0x07D0 in merged.manufacturer_data


# --- hints ---------------------------------------------------------------------------------------------------


def homekit(category: int, status_flags: int = 0x01) -> ble.Advertisement:
    # type 0x06, STL, SF, device id (6), ACID (LE), GSN (2), CN, CV
    payload = bytes([0x06, 0x31, status_flags]) + bytes.fromhex("aabbccddeeff") + category.to_bytes(2, "little")
    return ble.parse(structure(0xFF, bytes.fromhex("4c00") + payload + bytes.fromhex("0100 02 02".replace(" ", ""))))


def test_homekit_camera_category_is_a_camera_hint():
    (hint,) = ble.hints(homekit(17))
    assert hint.kind == "camera" and hint.source == "homekit"
    assert hint.reason == "HomeKit accessory of category IP camera (not paired yet)"
    assert ble.hints(homekit(18, status_flags=0))[0].reason == "HomeKit accessory of category video doorbell (paired)"


def test_homekit_lightbulb_is_no_hint():
    assert ble.hints(homekit(5)) == []


def test_tuya_unbound_with_product_id():
    adv = ble.parse(
        bytes.fromhex("020106")
        + structure(0x03, bytes.fromhex("01a2"))
        + structure(0x16, bytes.fromhex("01a2") + b"\x00k7fq2v9x")
        + structure(0xFF, bytes.fromhex("d007") + bytes.fromhex("0003000000") + bytes(8))
    )
    (hint,) = ble.hints(adv)
    assert hint.source == "tuya" and hint.kind == "setup"
    assert hint.reason == (
        "Tuya BLE advertisement (service 0xA201, company 0x07D0): Tuya's Wi-Fi+BLE modules are in many cheap "
        "cameras; product id k7fq2v9x; waiting to be set up (not bound)"
    )


def test_tuya_bound_v4_is_a_platform_hint():
    adv = ble.parse(structure(0x03, bytes.fromhex("50fd")) + structure(0xFF, bytes.fromhex("d007") + b"\x80\x04"))
    (hint,) = ble.hints(adv)
    assert hint.kind == "platform" and "service 0xFD50" in hint.reason and "already set up (bound)" in hint.reason


def test_matter_commissionable_names_vendor_and_product():
    adv = ble.parse(structure(0x16, bytes.fromhex("f6ff") + bytes.fromhex("00000f") + bytes.fromhex("f1ff0180")))
    (hint,) = ble.hints(adv)
    assert hint.source == "matter" and "vendor 0xFFF1, product 0x8001" in hint.reason


def test_esp32_provisioning_and_blufi():
    prov = ble.hints(ble.parse(structure(0x09, b"PROV_A1B2C3")))
    blufi = ble.hints(ble.parse(structure(0x03, bytes.fromhex("ffff")) + structure(0x09, b"BLUFI_DEVICE")))
    assert [h.source for h in prov] == ["esp-prov"]
    assert [h.source for h in blufi] == ["blufi"]


def test_camera_words_in_names():
    for name in ("Baby Cam", "IPC360", "Front Doorbell", "SpyCam 4K", "A9 CAM01", "webcam"):
        assert [h.kind for h in ble.hints(ble.parse(structure(0x09, name.encode())))] == ["name"], name
    for name in ("Camaro key", "Mi Band 7", "JBL Flip 5", "Scampi lamp"):
        assert ble.hints(ble.parse(structure(0x09, name.encode()))) == [], name


def test_strongest_hint_first():
    adv = homekit(17).merge(ble.parse(structure(0x09, b"Nursery camera") + structure(0x03, bytes.fromhex("affe"))))
    assert [h.kind for h in ble.hints(adv)] == ["camera", "platform", "name"]
