"""MonitorCapture against fake ``iw``/``ip`` executables, a fake sysfs and a real socket with the real BPF filter."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from dsp import frames as fr
from dsp import pcap as pcapindex
from hw.errors import ChannelRefused, WifiLost, WifiNoMonitor, WifiUnavailable
from hw.wifi import WifiCapture
from hw.wifi.monitor import MonitorCapture, attach_filter
from hw.wifi.pcap import PcapReplay
from tests.conftest import SHARED_DATA
from tests.fake_iw import FakeWifi, PulledSocket

SAMPLE = SHARED_DATA / "wifi" / "radiotap" / "80211-sample.pcap"


@pytest.fixture
def wifi(tmp_path, monkeypatch):
    return FakeWifi(tmp_path, monkeypatch)


@pytest.fixture
def air():
    """(sender, receiver): a datagram socket pair, the receiver with the capture's BPF filter attached."""
    tx, rx = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    attach_filter(rx)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    tx.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    yield tx, PulledSocket(rx)
    tx.close()
    rx.close()


def real_frames() -> list[bytes]:
    buf = np.fromfile(SAMPLE, np.uint8)
    offsets, caplens, _, _, _, _ = pcapindex.records(buf, 24, big_endian=False, nanoseconds=False, limit=10_000)
    return [buf[o : o + c].tobytes() for o, c in zip(offsets, caplens, strict=True)]


def never_touched_wlan0(wifi: FakeWifi) -> bool:
    return not any("wlan0" in call or "phy0" in call for call in wifi.calls)


def test_no_adapter_beside_wlan0_turns_the_wifi_sweep_off(wifi):
    with pytest.raises(WifiUnavailable, match="^no monitor-capable Wi-Fi adapter: the Wi-Fi sweep is off$"):
        MonitorCapture.open(sysfs=wifi.sysfs)
    assert never_touched_wlan0(wifi)
    with pytest.raises(WifiUnavailable, match="wlan0 hosts the hotspot"):
        MonitorCapture.open("wlan0", sysfs=wifi.sysfs)


def test_an_adapter_without_monitor_mode_is_named(wifi):
    wifi.plug("phy2", "wlan1", "rtl8192cu", monitor=False)
    with pytest.raises(WifiNoMonitor, match=r"^wlan1 \(rtl8192cu, phy2\) cannot do monitor mode"):
        MonitorCapture.open(sysfs=wifi.sysfs)


def test_capture_makes_a_monitor_interface_tunes_and_reads_headers_only(wifi, air):
    wifi.plug("phy1", "wlan1", "mt7921u")
    sender, receiver = air
    capture = MonitorCapture.open(sysfs=wifi.sysfs, open_socket=lambda name: receiver)
    assert isinstance(capture, WifiCapture)
    assert capture.info.name == "wlan1 (mt7921u, phy1)" and capture.info.bands == ("2.4 GHz", "5 GHz")
    channels = capture.channels_mhz()
    assert channels[:13] == [2412 + 5 * i for i in range(13)] and 5260 in channels  # DFS: receive-only is fine
    assert 5500 not in channels and 2484 not in channels  # the regulatory domain's disabled channels
    capture.tune(2412)
    frames = real_frames()
    for raw in frames:
        sender.send(raw)
    got = capture.read(0.3)
    want = PcapReplay(SAMPLE).read(1e9)
    data_and_management = want[want["ftype"] != fr.TYPE_CONTROL]
    assert len(got) == len(data_and_management) > 80  # the kernel's filter dropped the 121 control frames
    for name in ("tx", "rx", "bssid", "ftype", "subtype", "flags", "rssi_dbm", "freq_mhz", "length"):
        assert np.array_equal(got[name], data_and_management[name]), name
    capture.close()
    assert wifi.calls == [
        "iw dev",
        "iw phy phy1 info",
        "iw dev rsmon0 del",  # one left by a killed daemon would block the next line
        "iw phy phy1 interface add rsmon0 type monitor",
        "ip link set wlan1 down",
        "ip link set rsmon0 up",
        "iw dev rsmon0 set freq 2412",
        "iw dev rsmon0 del",
        "ip link set wlan1 up",
    ]
    assert never_touched_wlan0(wifi)


def test_a_channel_the_regulatory_domain_refuses(wifi, air):
    wifi.plug("phy1", "wlan1", "mt7921u")
    capture = MonitorCapture.open(sysfs=wifi.sysfs, open_socket=lambda name: air[1])
    with pytest.raises(ChannelRefused, match="5500 MHz: wlan1 .* regulatory domain does not allow it"):
        capture.tune(5500)
    wifi.fail("set freq 5200", "command failed: Invalid argument (-22)")
    with pytest.raises(ChannelRefused, match=r"5200 MHz refused .*\(command failed: Invalid argument \(-22\)\)"):
        capture.tune(5200, 40)
    capture.tune(5180, 80)
    assert "iw dev rsmon0 set freq 5180 80 5210" in wifi.calls
    capture.tune(5260, 80)  # DFS: receiving is allowed
    assert "iw dev rsmon0 set freq 5260 80 5290" in wifi.calls
    capture.tune(5180, 20)
    assert wifi.calls[-1] == "iw dev rsmon0 set freq 5180"
    capture.close()


def test_80_mhz_channels_have_their_own_centres():
    from hw.wifi import iw

    assert [iw.vht80_centre(f) for f in (5180, 5240, 5500, 5620, 5720, 5745, 5805, 5825)] == [
        5210, 5210, 5530, 5610, 5690, 5775, 5775, None,
    ]  # fmt: skip


def test_adapter_pulled_mid_capture(wifi, air):
    wifi.plug("phy1", "wlan1", "mt7921u")
    sender, receiver = air
    capture = MonitorCapture.open(sysfs=wifi.sysfs, open_socket=lambda name: receiver)
    capture.tune(2437)
    sender.send(real_frames()[0])
    assert len(capture.read(0.05)) == 1
    receiver.pull()
    with pytest.raises(WifiLost, match=r"^wlan1 \(mt7921u, phy1\) went away mid-capture \(Network is down\)$"):
        capture.read(0.05)
    wifi.fail("set freq", "command failed: No such device (-19)")
    with pytest.raises(WifiLost, match="went away while tuning"):
        capture.tune(2462)
    wifi.fail("del", "command failed: No such device (-19)")
    capture.close()  # cleanup after a pull does not raise


def test_monitor_interface_that_cannot_be_made_is_one_clear_error(wifi):
    wifi.plug("phy1", "wlan1", "mt7921u")
    wifi.fail("interface add", "command failed: Operation not permitted (-1)")
    with pytest.raises(WifiUnavailable, match=r"cannot start monitor mode \(command failed: Operation not permitted"):
        MonitorCapture.open(sysfs=wifi.sysfs, open_socket=lambda name: None)


@pytest.fixture
def device_rig(wifi, monkeypatch):
    from appliance import config as cfg
    from appliance.rig import DeviceRig
    from hw.wifi import iw

    monkeypatch.setattr(iw, "SYSFS_NET", wifi.sysfs)
    return DeviceRig(cfg.load(None))


def test_device_page_says_what_the_adapter_is(wifi, device_rig):
    assert device_rig.wifi_probe() == {
        "state": "absent",
        "warnings": ["no monitor-capable Wi-Fi adapter: the Wi-Fi sweep is off"],
    }
    wifi.plug("phy2", "wlan1", "rtl8192cu", monitor=False)
    probe = device_rig.wifi_probe()
    assert probe["state"] == "no-monitor"
    assert probe["warnings"] == ["wlan1 (rtl8192cu, phy2) cannot do monitor mode: the Wi-Fi sweep is off"]
    wifi.plug("phy3", "wlan2", "mt7921u")
    probe = device_rig.wifi_probe()
    assert probe == {
        "state": "present",
        "name": "wlan2 (mt7921u, phy3)",
        "driver": "mt7921u",
        "bands": ["2.4 GHz", "5 GHz"],
    }
    device_rig.wifi_problem = "wlan2 (mt7921u, phy3) went away mid-capture (Network is down)"
    assert device_rig.wifi_probe()["warnings"] == [f"last Wi-Fi sweep: {device_rig.wifi_problem}"]
    assert "wifi" in device_rig.probes()
    assert never_touched_wlan0(wifi)
