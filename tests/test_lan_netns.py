"""The network scan against real services in network namespaces (ip netns, veth pairs on a bridge).

One namespace per host on a bridged /24: the scanner, a gateway (forwarding to an "outside" veth
network), an ONVIF WS-Discovery responder, an RTSP listener, a zeroconf mDNS announcer and a plain host.
``roomsweep lan --iface`` runs in the scanner's namespace; a capture on its interface shows where every
packet went. A second bridge isolates its ports (as hotel Wi-Fi does) but the gateway's.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOMSWEEP = Path(sys.executable).with_name("roomsweep")
TAG = f"rl{os.getpid() % 100000}"
SUBNET = ipaddress.IPv4Network("10.77.0.0/24")
HOSTS = {"gw": "10.77.0.1", "scan": "10.77.0.2", "onvif": "10.77.0.10", "rtsp": "10.77.0.11",
         "mdns": "10.77.0.12", "plain": "10.77.0.13"}  # fmt: skip


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "network namespaces need root (id -u is not 0)"
    if shutil.which("ip") is None or shutil.which("dumpcap") is None or shutil.which("tshark") is None:
        return "needs iproute2 and tshark/dumpcap"
    probe = subprocess.run(["ip", "netns", "add", f"{TAG}probe"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"ip netns add failed: {probe.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", f"{TAG}probe"], check=False)
    return None


REASON = _why_not()
pytestmark = [pytest.mark.skipif(REASON is not None, reason=REASON or ""), pytest.mark.timeout(120)]


def sh(*args: str, ns: str | None = None) -> str:
    command = ["ip", "netns", "exec", ns, *args] if ns else list(args)
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


class Lan:
    """A bridged /24 of namespaces; ``isolated`` puts every port but the gateway's in isolation."""

    def __init__(self, suffix: str, *, isolated: bool = False) -> None:
        self.bridge = f"{TAG}{suffix}br"
        self.names = {role: f"{TAG}{suffix}{role}" for role in HOSTS}
        self.procs: list[subprocess.Popen] = []
        try:
            self._build(isolated)
        except BaseException:
            self.close()
            raise

    def _build(self, isolated: bool) -> None:
        sh("ip", "netns", "add", self.bridge)
        sh("ip", "link", "add", "br0", "type", "bridge", "mcast_snooping", "0", ns=self.bridge)
        sh("ip", "link", "set", "br0", "up", ns=self.bridge)
        for i, (role, ns) in enumerate(self.names.items()):
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", f"p{i}", "netns", self.bridge, "type", "veth", "peer", "name", "eth0", "netns", ns)
            sh("ip", "link", "set", f"p{i}", "master", "br0", "up", ns=self.bridge)
            if isolated and role != "gw":
                sh("bridge", "link", "set", "dev", f"p{i}", "isolated", "on", ns=self.bridge)
            sh("ip", "addr", "add", f"{HOSTS[role]}/24", "dev", "eth0", ns=ns)
            sh("ip", "link", "set", "lo", "up", ns=ns)
            sh("ip", "link", "set", "eth0", "up", ns=ns)
            if role != "gw":
                sh("ip", "route", "add", "default", "via", HOSTS["gw"], ns=ns)
        gw = self.names["gw"]
        for key in ("all", "default"):  # only forwarded IPv4 should ever reach the outside network
            sh("sysctl", "-q", "-w", f"net.ipv6.conf.{key}.disable_ipv6=1", ns=gw)
        sh("ip", "link", "add", "outside0", "type", "veth", "peer", "name", "outside1", ns=gw)
        sh("ip", "link", "set", "outside1", "up", ns=gw)
        sh("ip", "addr", "add", "10.99.0.1/16", "dev", "outside0", ns=gw)
        sh("ip", "link", "set", "outside0", "up", ns=gw)
        sh("sysctl", "-q", "-w", "net.ipv4.ip_forward=1", ns=gw)

    def start(self, role: str, *args: str) -> None:
        proc = subprocess.Popen(
            ["ip", "netns", "exec", self.names[role], sys.executable, "-m", "tests.lan_responders", role,
             HOSTS[role], *args],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.procs.append(proc)
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()

    def outside_tx(self) -> int:
        return int(sh("cat", "/sys/class/net/outside0/statistics/tx_packets", ns=self.names["gw"]))

    def scan(self, tmp_path: Path, seconds: float) -> tuple[dict, float, list[str]]:
        pcap = tmp_path / "scan.pcap"
        ns = self.names["scan"]
        dump = subprocess.Popen(
            ["ip", "netns", "exec", ns, "dumpcap", "-q", "-i", "eth0", "-w", str(pcap)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(1.0)
        started = time.monotonic()
        out = subprocess.run(
            ["ip", "netns", "exec", ns, str(ROOMSWEEP), "lan", "--iface", "eth0", "--seconds", str(seconds), "--json"],
            capture_output=True, text=True, cwd=REPO,
        )  # fmt: skip
        took = time.monotonic() - started
        time.sleep(0.5)
        dump.terminate()
        dump.wait(5)
        assert out.returncode in (0, 1), out.stderr
        sent = sh("tshark", "-r", str(pcap), "-Y", "eth.src == " + self.mac("scan"), "-T", "fields",
                  "-e", "ip.dst", "-e", "arp.dst.proto_ipv4").split()  # fmt: skip
        return json.loads(out.stdout), took, sent

    def mac(self, role: str) -> str:
        return sh("cat", "/sys/class/net/eth0/address", ns=self.names[role]).strip()

    def close(self) -> None:
        for proc in self.procs:
            proc.kill()
            proc.wait()
        for ns in [*self.names.values(), self.bridge]:
            subprocess.run(["ip", "netns", "del", ns], check=False)


@pytest.fixture
def lan():
    net = Lan("a")
    try:
        yield net
    finally:
        net.close()


def test_scan_finds_names_and_judges_each_service_and_stays_on_its_subnet(lan, tmp_path):
    requests = tmp_path / "rtsp.log"
    lan.start("onvif")
    lan.start("rtsp", str(requests))
    lan.start("mdns")
    doc, took, sent = lan.scan(tmp_path, seconds=15)
    devices = {d["mac"]: d for d in doc["devices"]}

    onvif = devices[lan.mac("onvif")]
    assert onvif["ip"] == HOSTS["onvif"] and onvif["kind"] == "camera" and onvif["camera_score"] >= 0.95
    assert "TestCam" in onvif["names"] and onvif["model"] == "RS-CAM1"
    assert "NetworkVideoTransmitter" in onvif["reasons"][0]

    rtsp = devices[lan.mac("rtsp")]
    assert rtsp["kind"] == "camera" and rtsp["rtsp"] == [{"port": 554, "status": 200}]
    assert any("Hipcam RealServer" in s for s in rtsp["said"])

    mdns = devices[lan.mac("mdns")]
    assert mdns["ip"] == HOSTS["mdns"] and "Nursery Camera" in mdns["names"] and mdns["kind"] == "camera"
    assert any(s.startswith("_rtsp._tcp port 554") for s in mdns["services"])

    plain = devices[lan.mac("plain")]
    assert plain["kind"] == "host" and plain["camera_score"] == 0.0
    assert devices[lan.mac("gw")]["gateway"] and not doc["isolated"]

    # never logged in, never asked for a stream: one OPTIONS without credentials
    log = requests.read_bytes()
    assert log.count(b"OPTIONS rtsp://10.77.0.11:554/ RTSP/1.0") >= 1
    assert b"DESCRIBE" not in log and b"SETUP" not in log and b"Authorization" not in log
    # nothing sent beyond the subnet: every destination on it or a link-local discovery group
    link_local = ipaddress.IPv4Network("224.0.0.0/24")
    for dst in sent:
        for one in dst.split(","):
            ip = ipaddress.IPv4Address(one)
            assert ip in SUBNET or ip in link_local or str(ip) == "239.255.255.250", one
    assert lan.outside_tx() == 0
    assert doc["seconds"] <= 15.3 and took < 15 + 8  # its own bound (and the interpreter's start)


def test_scan_stops_by_itself_within_its_bound(lan, tmp_path):
    doc, took, _ = lan.scan(tmp_path, seconds=2)
    assert doc["seconds"] <= 2.3  # the scan's own clock, from its first probe to its last socket closed
    assert took < 2 + 8  # the whole command, the interpreter's start and imports on a shared machine included
    assert any("time bound" in p for p in doc["problems"]) and doc["status"] == "partial"


def test_isolated_network_says_only_the_gateway_answered(tmp_path):
    net = Lan("b", isolated=True)
    try:
        net.start("mdns")
        doc, _, _ = net.scan(tmp_path, seconds=10)
    finally:
        net.close()
    assert [d["ip"] for d in doc["devices"]] == [HOSTS["gw"]]
    assert doc["isolated"] and "isolate clients" in doc["notes"][0]


def test_a_subnet_larger_than_a_22_is_refused_before_anything_is_sent(lan, tmp_path):
    ns = lan.names["scan"]
    sh("ip", "addr", "add", "10.80.0.2/16", "dev", "eth0", ns=ns)
    sh("ip", "addr", "del", f"{HOSTS['scan']}/24", "dev", "eth0", ns=ns)
    out = subprocess.run(
        ["ip", "netns", "exec", ns, str(ROOMSWEEP), "lan", "--iface", "eth0", "--seconds", "5"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 2 and "larger than a /22" in out.stderr and "Traceback" not in out.stderr
