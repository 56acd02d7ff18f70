"""dsp.traffic on the real captures in ../shared/data/wifi/ (read in place).

- ``radiotap/``: monitor-mode captures of busy public channels (no camera in them): every frame read
  through PcapReplay, the access points found, nobody called a camera.
- ``lan/``: three IP cameras (D-Link, Edimax, Ednet) captured on the wired side while being set up
  (IoT Sentinel's "Setup" captures, Ethernet link type: PcapReplay refuses those). Their packets are
  turned into frame records here (the camera's own frames as uplink, frames to it as downlink) to see
  what the traffic analysis makes of a camera that is *not* streaming: set-up chatter (DHCP, DNS, cloud
  registration), no video — and it says so: idle or unknown, never a camera.
"""

import struct

import numpy as np
import pytest

from dsp import frames as fr
from dsp import traffic
from hw.errors import CaptureFileError
from hw.wifi.pcap import PcapReplay
from tests.conftest import SHARED_DATA

WIFI = SHARED_DATA / "wifi"
RADIOTAP = sorted((WIFI / "radiotap").glob("*.pcap"))
LAN = sorted((WIFI / "lan").glob("*.pcap"))
pytestmark = pytest.mark.skipif(not RADIOTAP or not LAN, reason="../shared/data/wifi is not there")


def replay_all(path):
    capture = PcapReplay(path)
    parts = []
    while not capture.exhausted:
        parts.append(capture.read(60.0))
    return np.concatenate(parts)


@pytest.mark.parametrize("path", RADIOTAP, ids=lambda p: p.name)
def test_no_camera_is_claimed_on_real_monitor_captures(path):
    frames = replay_all(path)
    devices = traffic.analyze(frames)
    assert devices, "transmitters heard"
    assert not [d.mac for d in devices if d.kind == "camera" or d.suspect]
    beaconing = {
        fr.mac_text(int(m))
        for m in np.unique(
            frames["tx"][(frames["ftype"] == fr.TYPE_MANAGEMENT) & (frames["subtype"] == fr.SUBTYPE_BEACON)]
        )
    }
    kinds = {d.mac: d.kind for d in devices}
    assert beaconing and all(kinds[mac] == "access-point" for mac in beaconing)
    assert all(d.kind in traffic.KINDS for d in devices)


def ethernet_as_frames(path, camera: int) -> np.ndarray:
    """A little-endian microsecond pcap of Ethernet frames as frame records (sizes as on air: IP packet + 802.11)."""
    data = path.read_bytes()
    magic, _, _, _, _, _, linktype = struct.unpack_from("<IHHiIII", data, 0)
    assert magic == 0xA1B2C3D4 and linktype == 1
    rows, offset = [], 24
    while offset + 16 <= len(data):
        sec, usec, caplen, wirelen = struct.unpack_from("<IIII", data, offset)
        head = data[offset + 16 : offset + 28]
        rows.append((sec + usec * 1e-6, int.from_bytes(head[6:12], "big"), int.from_bytes(head[0:6], "big"), wirelen))
        offset += 16 + caplen
    out = fr.empty(len(rows))
    t, src, dst, wire = zip(*rows, strict=True)
    out["t"], out["tx"], out["rx"] = t, src, dst
    out["length"] = np.asarray(wire) - 14 + 50  # Ethernet header off, 802.11 + CCMP on
    out["ftype"] = fr.TYPE_DATA
    out["flags"] = np.where(out["rx"] == np.uint64(camera), fr.FLAG_FROM_DS, fr.FLAG_TO_DS)
    return out


@pytest.mark.parametrize("path", LAN, ids=lambda p: p.name)
def test_real_ip_cameras_being_set_up_are_not_called_cameras(path):
    with pytest.raises(CaptureFileError):
        PcapReplay(path)  # Ethernet link type: not a Wi-Fi capture
    mac_file = path.with_name(path.name.split("_")[0] + "_iotdevice-mac.txt")
    camera = fr.mac_to_int(mac_file.read_text().strip())
    devices = {d.mac: d for d in traffic.analyze(ethernet_as_frames(path, camera))}
    verdict = devices[fr.mac_text(camera)]
    assert verdict.kind in ("idle", "unknown") and not verdict.suspect
    assert verdict.uplink_bps < traffic.VIDEO_MIN_BPS  # set-up chatter only: no video was streamed
    assert verdict.frame_rate_hz is None
