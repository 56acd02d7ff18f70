"""btsnoop captures (``btmon -w``) replayed: LE advertising reports, legacy and extended, in the monitor and H4
datalinks, through ``roomsweep ble --replay``. The captures are built here byte by byte from the btsnoop and
HCI layouts (no real btmon capture was available)."""

from __future__ import annotations

import json
import struct
import subprocess
import sys

import pytest

from dsp import hci
from hw.ble import AdvertLogReplay
from hw.errors import AdvertLogError

T0 = 1764680000.0
TUYA_ADV = (
    bytes.fromhex("020106") + bytes.fromhex("0302 01a2".replace(" ", "")) + bytes.fromhex("0b1601a2006b376671327639")
)
NAME_ADV = bytes.fromhex("020106") + bytes([11, 0x09]) + b"Baby Cam 2"


def legacy_report(address: str, address_type: int, data: bytes, rssi: int) -> bytes:
    params = bytes([hci.SUB_ADV_REPORT, 1, 0x00, address_type]) + bytes.fromhex(address.replace(":", ""))[::-1]
    params += bytes([len(data)]) + data + struct.pack("b", rssi)
    return bytes([hci.EVENT_LE_META, len(params)]) + params


def extended_report(address: str, address_type: int, data: bytes, rssi: int) -> bytes:
    body = struct.pack("<HB", 0x0013, address_type) + bytes.fromhex(address.replace(":", ""))[::-1]
    body += bytes([1, 0, 0xFF, 0x7F]) + struct.pack("b", rssi) + b"\x00\x00" + bytes(7) + bytes([len(data)]) + data
    params = bytes([hci.SUB_EXT_ADV_REPORT, 1]) + body
    return bytes([hci.EVENT_LE_META, len(params)]) + params


def btsnoop(datalink: int, records: list[tuple[float, int, bytes]]) -> bytes:
    out = hci.MAGIC + struct.pack(">II", 1, datalink)
    for t, flags, packet in records:
        stamp = hci.EPOCH_US + round(t * 1e6)
        out += struct.pack(">IIIIq", len(packet), len(packet), flags, 0, stamp) + packet
    return out


def test_a_btmon_capture_replays_its_advertising_reports(tmp_path):
    command = bytes.fromhex("0c2003010000")  # an HCI command (opcode 2, flags say so): skipped
    path = tmp_path / "room.btsnoop"
    path.write_bytes(
        btsnoop(
            hci.DATALINK_MONITOR,
            [
                (T0, 2, command),
                (T0 + 0.1, hci.MONITOR_EVENT, legacy_report("f3:41:7c:20:9b:11", 1, TUYA_ADV, -70)),
                (T0 + 0.2, hci.MONITOR_EVENT, extended_report("a4:cf:12:3e:51:09", 0, NAME_ADV, -58)),
                (T0 + 0.3, hci.MONITOR_EVENT, bytes.fromhex("0e0401030c00")),  # Command Complete: not a report
            ],
        )
    )
    sightings = AdvertLogReplay(path).scan(10.0)
    assert [(s.address, s.address_type, s.rssi_dbm) for s in sightings] == [
        ("f3:41:7c:20:9b:11", "random", -70),
        ("a4:cf:12:3e:51:09", "public", -58),
    ]
    assert sightings[0].t == pytest.approx(T0 + 0.1)
    assert sightings[0].advert.service_data == {"0000a201-0000-1000-8000-00805f9b34fb": b"\x00k7fq2v9"}
    assert sightings[1].advert.local_name == "Baby Cam 2"

    done = subprocess.run(
        [sys.executable, "-m", "appliance.cli", "ble", "--replay", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert [d["address"] for d in doc["devices"]] == ["f3:41:7c:20:9b:11", "a4:cf:12:3e:51:09"]
    assert doc["devices"][0]["hints"][0]["source"] == "tuya" and doc["devices"][1]["hints"][0]["kind"] == "name"


def test_h4_datalink_and_a_cut_capture(tmp_path):
    event = bytes([hci.H4_EVENT]) + legacy_report("dc:23:4f:8a:01:5c", 0, TUYA_ADV, -66)
    blob = btsnoop(hci.DATALINK_H4, [(T0, 3, event), (T0 + 1, 3, event)])
    path = tmp_path / "cut.btsnoop"
    path.write_bytes(blob[:-5])
    replay = AdvertLogReplay(path)
    assert [s.address for s in replay.scan(10.0)] == ["dc:23:4f:8a:01:5c"]
    assert replay.warnings == [f"capture cut mid-record at byte {16 + 24 + len(event)}: read up to there"]


def test_a_capture_we_do_not_read_is_one_line(tmp_path):
    path = tmp_path / "odd.btsnoop"
    path.write_bytes(hci.MAGIC + struct.pack(">II", 1, 1003))
    with pytest.raises(AdvertLogError, match=r"^odd.btsnoop: btsnoop version 1, datalink 1003: only HCI"):
        AdvertLogReplay(path)


def test_truncated_reports_are_skipped_not_raised():
    whole = legacy_report("f3:41:7c:20:9b:11", 1, TUYA_ADV, -70)
    for cut in range(len(whole)):
        broken = whole[:cut]
        hci.adv_reports(broken, 0.0)  # never raises
    assert hci.adv_reports(whole, 0.0)[0].data == TUYA_ADV
