"""The network-discovery parsers (dsp.lan) on the real captures of IP cameras joining a network
(../shared/data/wifi/lan/, read in place) and on answers built the way real responders send them."""

from __future__ import annotations

import struct
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dsp.lan import ether, judge, mdns, observe, ssdp, vendor, wsd
from hw.errors import CaptureFileError
from hw.lan.replay import LanReplay
from tests.conftest import SHARED_DATA

LAN = SHARED_DATA / "wifi" / "lan"
CAMERAS = {"D-LinkCam": "DCS-935L", "EdimaxCam1": None, "EdnetCam1": None}


def capture(name: str):
    return LAN / f"{name}_Setup-A-1-STA.pcap"


def camera_mac(name: str) -> str:
    return (LAN / f"{name}_iotdevice-mac.txt").read_text().strip().lower()


def devices_of(name: str) -> dict[str, judge.LanDevice]:
    found = judge.gather(LanReplay(capture(name)).observations())
    return {d.mac: judge.judge(d) for d in found}


needs_data = pytest.mark.skipif(not LAN.is_dir(), reason="../shared/data/wifi/lan is not there")


@needs_data
def test_dlink_camera_found_by_its_mac_with_what_it_announced():
    dev = devices_of("D-LinkCam")[camera_mac("D-LinkCam")]
    assert dev.ip == "10.10.10.37"
    assert "DCS-935L-B0C554255B0E.local" in dev.names and "D-Link HNAP Service" in dev.names
    assert "_dhnap._tcp port 80" in dev.services
    assert dev.model == "DCS-935L"  # from D-Link's own broadcast on UDP 62976
    assert any(s.startswith("D-Link discovery: Wireless Internet Camera, DCS-935L") for s in dev.said)
    assert any("host name 'DCS-935L'" in s for s in dev.said)  # its DHCP request
    assert dev.kind == "camera" and dev.camera_score >= 0.5
    assert "Wireless Internet Camera" in dev.reasons[0]


@needs_data
def test_edimax_camera_named_by_mdns_and_ssdp():
    dev = devices_of("EdimaxCam1")[camera_mac("EdimaxCam1")]
    assert dev.ip == "10.10.10.51"
    assert "localcam.local" in dev.names and "[74:da:38:80:7a:08]" in dev.names
    assert any("http://10.10.10.51:80/IPCamDesc.xml" in s for s in dev.said)
    assert dev.kind == "camera"


@needs_data
def test_ednet_camera_found_but_not_called_a_camera_on_what_it_said():
    """The Ednet camera only asks for an address (udhcp 1.12.1) and fetches a script: found, not named."""
    devices = devices_of("EdnetCam1")
    dev = devices[camera_mac("EdnetCam1")]
    assert dev.ip == "10.10.10.186" and dev.said == ["DHCP: udhcp 1.12.1"]
    assert dev.kind == "host" and dev.camera_score < 0.5
    assert devices["00:b5:6d:06:08:ba"].ip == "10.10.10.1"  # the access point that answered its ARP


@needs_data
@pytest.mark.parametrize("name", sorted(CAMERAS))
def test_every_mdns_answer_matches_tshark(name):
    """Our DNS parser's A records against tshark's for every mDNS packet of the capture."""
    out = subprocess.run(
        ["tshark", "-r", str(capture(name)), "-Y", "mdns && dns.a", "-T", "fields", "-e", "eth.src", "-e", "dns.a"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    expected = {(m, a) for line in out.splitlines() for m, addrs in [line.split("\t")] for a in addrs.split(",")}
    ours = set()
    for obs in LanReplay(capture(name)).observations():
        if obs.source == "mdns":
            ours.add((obs.mac, obs.ip))
    assert {m for m, _ in expected} <= {m for m, _ in ours}
    assert {a for _, a in expected} <= {ip for _, ip in ours}


def test_replay_refuses_a_radiotap_capture(tmp_path):
    path = tmp_path / "monitor.pcap"
    path.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 127))
    with pytest.raises(CaptureFileError, match="link type 127 is not Ethernet"):
        LanReplay(path)
    with pytest.raises(CaptureFileError, match="no such file"):
        LanReplay(tmp_path / "absent.pcap")


def test_replay_keeps_what_came_before_a_cut(tmp_path):
    whole = capture("EdimaxCam1").read_bytes() if LAN.is_dir() else None
    if whole is None:
        pytest.skip("../shared/data/wifi/lan is not there")
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(whole[: len(whole) - 10])
    replay = LanReplay(cut)
    obs = replay.observations()
    assert replay.warnings and "mid-record" in replay.warnings[0]
    assert any(o.mac == camera_mac("EdimaxCam1") for o in obs)


def _answer(records: list[tuple[str, int, bytes]]) -> bytes:
    def name(n: str) -> bytes:
        return b"".join(bytes([len(p)]) + p.encode() for p in n.split(".")) + b"\x00"

    body = b"".join(name(n) + struct.pack("!HHIH", t, 0x8001, 120, len(r)) + r for n, t, r in records)
    return struct.pack("!HHHHHH", 0, 0x8400, 0, len(records), 0, 0) + body


def test_mdns_answer_with_srv_txt_and_a():
    def name(n: str) -> bytes:
        return b"".join(bytes([len(p)]) + p.encode() for p in n.split(".")) + b"\x00"

    msg = mdns.parse(
        _answer(
            [
                ("_rtsp._tcp.local", mdns.TYPE_PTR, name("Nursery Cam._rtsp._tcp.local")),
                ("Nursery Cam._rtsp._tcp.local", mdns.TYPE_SRV, struct.pack("!HHH", 0, 0, 554) + name("cam.local")),
                ("Nursery Cam._rtsp._tcp.local", mdns.TYPE_TXT, b"\x07model=X"),
                ("cam.local", mdns.TYPE_A, bytes([192, 168, 7, 9])),
            ]
        )
    )
    assert msg.response
    kinds = {(r.rtype, r.value, r.port) for r in msg.records}
    assert (mdns.TYPE_SRV, "cam.local", 554) in kinds and (mdns.TYPE_A, "192.168.7.9", None) in kinds
    assert (mdns.TYPE_TXT, "model=X", None) in kinds
    query = mdns.parse(mdns.query(["_rtsp._tcp.local"]))
    assert not query.response and query.questions == ["_rtsp._tcp.local"]


def test_mdns_compression_loop_is_not_followed_forever():
    loop = struct.pack("!HHHHHH", 0, 0x8400, 0, 1, 0, 0) + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 1, 4) + b"abcd"
    assert mdns.parse(loop).records == []


PROBE_MATCH = b"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"
 xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"
 xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"
 xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>
<wsa:EndpointReference><wsa:Address>urn:uuid:4e1a3c2b-0000-1111-2222-c056e3a1b2c3</wsa:Address></wsa:EndpointReference>
<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types>
<d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G0-I
 onvif://www.onvif.org/hardware/DS-2CD2143G0-I onvif://www.onvif.org/location/city/hangzhou</d:Scopes>
<d:XAddrs>http://192.168.1.64/onvif/device_service</d:XAddrs><d:MetadataVersion>10</d:MetadataVersion>
</d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>"""


def test_onvif_probe_match_names_a_video_transmitter():
    (match,) = wsd.parse_probe_matches(PROBE_MATCH)
    assert match.video_transmitter
    assert match.scope("name") == "HIKVISION DS-2CD2143G0-I" and match.scope("hardware") == "DS-2CD2143G0-I"
    assert match.xaddrs == ("http://192.168.1.64/onvif/device_service",)
    packet = ether.Datagram("c0:56:e3:a1:b2:c3", "192.168.1.64", "192.168.1.10", 17, 3702, 40000, PROBE_MATCH)
    (dev,) = judge.gather(observe.from_packet(packet))
    judge.judge(dev)
    assert dev.kind == "camera" and dev.camera_score >= 0.95 and "NetworkVideoTransmitter" in dev.reasons[0]
    assert dev.model == "DS-2CD2143G0-I"


def test_xml_with_entities_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxx">]><ProbeMatches>&x;</ProbeMatches>'
    assert wsd.parse_probe_matches(bomb) == [] and vendor.parse_sadp(bomb) is None


def test_sadp_answer():
    answer = (
        b'<?xml version="1.0" encoding="UTF-8"?><ProbeMatch><Uuid>ABC</Uuid><Types>inquiry</Types>'
        b"<DeviceType>139</DeviceType><DeviceDescription>DS-2CD2032-I</DeviceDescription>"
        b"<DeviceSN>DS-2CD2032-I20150101AAWR123456789</DeviceSN><CommandPort>8000</CommandPort>"
        b"<HttpPort>80</HttpPort><MAC>44-19-b6-01-02-03</MAC><IPv4Address>192.168.1.64</IPv4Address>"
        b"<SoftwareVersion>V5.4.5build 170124</SoftwareVersion></ProbeMatch>"
    )
    found = vendor.parse_sadp(answer)
    assert (found.mac, found.ip, found.model) == ("44:19:b6:01:02:03", "192.168.1.64", "DS-2CD2032-I")
    assert vendor.parse_sadp(vendor.sadp_probe("ABC")) is None  # our own inquiry is not an answer


def test_rtsp_status_lines():
    reply = ssdp.parse_rtsp(
        b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Hipcam RealServer/V1.0\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n"
    )
    assert (reply.status, reply.server, reply.public) == (200, "Hipcam RealServer/V1.0", "OPTIONS, DESCRIBE")
    assert ssdp.parse_rtsp(b"RTSP/1.0 401 Unauthorized\r\n\r\n").status == 401
    assert ssdp.parse_rtsp(b"HTTP/1.1 200 OK\r\n\r\n") is None
    assert b"Authorization" not in ssdp.rtsp_options("10.0.0.2", 554)


def test_a_plain_host_is_not_a_camera():
    (dev,) = judge.gather([observe.Observation("02:00:00:00:00:09", "10.0.0.9", "arp")])
    assert judge.judge(dev).kind == "host" and dev.reasons == ["nothing camera-like announced"]


@given(st.binary(max_size=600), st.integers(0, 65535))
def test_any_bytes_give_observations_or_nothing(payload, port):
    for dport in (5353, 1900, 3702, 37020, 62976, 67, port):
        packet = ether.Datagram("02:00:00:00:00:01", "10.0.0.2", "10.0.0.1", 17, dport, dport, payload)
        for obs in observe.from_packet(packet):
            assert obs.mac == "02:00:00:00:00:01" or dport == 67  # DHCP names its client by chaddr
    ether.parse_frame(payload)
    mdns.parse(payload)
    ssdp.parse_rtsp(payload)
