"""``LanScanner``: the active scan of one local subnet, bounded in time and rate-limited.

In order, all inside one deadline (``budget_s``): the discovery probes (an mDNS one-shot query for camera
and general DNS-SD services, an SSDP M-SEARCH, a WS-Discovery Probe for ONVIF video transmitters, a
Hikvision SADP inquiry), an ARP sweep of the subnet at ``rate_pps``, then TCP connects to the camera
ports of the hosts that answered (at most ``MAX_IN_FLIGHT`` at a time). An RTSP port that accepts gets one
``OPTIONS`` without credentials and its status line is read; every other connection is closed at once.
It never logs in, never sends a credential, never fetches a description or opens a stream, and every
destination is checked against the subnet (:meth:`LocalNetwork.may_send_to`) before anything is sent.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import selectors
import socket
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from dsp.lan import ether, mdns, observe, ssdp, vendor, wsd
from dsp.lan.judge import CAMERA_PORTS, RTSP_PORTS
from hw.lan.network import LocalNetwork

log = logging.getLogger(__name__)

ETH_P_ARP = 0x0806
MDNS_GROUP = "224.0.0.251"
MDNS_SERVICES = (
    "_services._dns-sd._udp.local",
    "_rtsp._tcp.local",
    "_onvif._tcp.local",
    "_http._tcp.local",
    "_dhnap._tcp.local",
    "_hap._tcp.local",
    "_googlecast._tcp.local",
    "_airplay._tcp.local",
)
MAX_IN_FLIGHT = 8
CONNECT_TIMEOUT_S = 1.0
RTSP_ANSWER_S = 1.5
PROC_ARP = Path("/proc/net/arp")
SANDBOXED = (
    "the system refused to send to the room's network (Operation not permitted): on the Pi the service's "
    "IPAddressDeny sandbox allows it only after 'install.sh --lan-scan'"
)


class NotOnSubnet(RuntimeError):
    """A send to an address outside the scanned subnet was attempted: a bug, refused before it left."""


@dataclass
class ScanResult:
    network: LocalNetwork
    observations: list[observe.Observation] = field(default_factory=list)
    ip_to_mac: dict[str, str] = field(default_factory=dict)
    answered: set[str] = field(default_factory=set)  # hosts that answered anything
    problems: list[str] = field(default_factory=list)
    probes_sent: int = 0
    seconds: float = 0.0
    stopped_by_bound: bool = False


class LanScanner:
    """Scan ``network`` (from :func:`hw.lan.network.local_network`) within ``budget_s`` seconds."""

    def __init__(
        self,
        network: LocalNetwork,
        *,
        budget_s: float = 45.0,
        rate_pps: float = 50.0,
        ports: tuple[int, ...] = CAMERA_PORTS,
        proc_arp: Path = PROC_ARP,
    ) -> None:
        self.net = network
        self.budget_s = budget_s
        self.interval = 1.0 / rate_pps
        self.ports = ports
        self.proc_arp = proc_arp
        self._deadline = 0.0
        self._last_send = 0.0

    # --- the scan -----------------------------------------------------------------------------

    def run(self) -> ScanResult:
        start = time.monotonic()
        self._deadline = start + self.budget_s
        result = ScanResult(self.net)
        sockets = _Sockets(self.net, result.problems)
        try:
            self._probe(sockets, result)
            self._arp_sweep(sockets, result)
            self._listen(sockets, result, min(2.0, self._left()))
            self._probe(sockets, result)  # a second round: UDP discovery answers are lost now and then
            self._listen(sockets, result, min(1.0, self._left()))
            self._connect_all(sockets, result)
            self._listen(sockets, result, min(0.5, self._left()))
        finally:
            sockets.close()
        self._read_kernel_arp(result)
        result.seconds = time.monotonic() - start
        result.stopped_by_bound = self._left() <= 0
        if result.stopped_by_bound:
            result.problems.append(
                f"the scan stopped at its time bound ({self.budget_s:g} s); not every host was probed"
            )
        return result

    def _left(self) -> float:
        return self._deadline - time.monotonic()

    def _pace(self, sockets: _Sockets, result: ScanResult) -> bool:
        """Wait out the rate limit (reading answers meanwhile); False once the deadline has passed."""
        wait = self._last_send + self.interval - time.monotonic()
        if wait > 0:
            self._listen(sockets, result, min(wait, max(self._left(), 0)))
        self._last_send = time.monotonic()
        return self._left() > 0

    def _check(self, dst: str) -> None:
        if not self.net.may_send_to(dst):
            raise NotOnSubnet(f"refused to send to {dst}: not on {self.net.network}")

    def _probe(self, sockets: _Sockets, result: ScanResult) -> None:
        if sockets.udp is None:
            return
        messages = [
            (mdns.query(list(MDNS_SERVICES)), MDNS_GROUP, observe.MDNS_PORT),
            (ssdp.m_search(), ssdp.SSDP_GROUP, ssdp.SSDP_PORT),
            (wsd.probe(f"urn:uuid:{uuid.uuid4()}"), wsd.WSD_GROUP, wsd.WSD_PORT),
            (vendor.sadp_probe(str(uuid.uuid4()).upper()), vendor.SADP_GROUP, vendor.SADP_PORT),
        ]
        for payload, group, port in messages:
            if not self._pace(sockets, result):
                return
            self._check(group)
            try:
                sockets.udp.sendto(payload, (group, port))
                result.probes_sent += 1
            except PermissionError:
                _once(result.problems, SANDBOXED)
            except OSError as exc:
                result.problems.append(f"could not send the {port} discovery probe: {exc.strerror or exc}")

    def _arp_sweep(self, sockets: _Sockets, result: ScanResult) -> None:
        if sockets.arp is None:
            return
        own_mac = sockets.arp.getsockname()[4]
        for host in self.net.hosts():
            if not self._pace(sockets, result):
                return
            self._check(host)
            try:
                sockets.arp.send(ether.arp_request(own_mac, str(self.net.address), host))
                result.probes_sent += 1
            except OSError as exc:
                result.problems.append(f"ARP sweep stopped: {exc.strerror or exc}")
                return

    def _listen(self, sockets: _Sockets, result: ScanResult, seconds: float) -> None:
        until = time.monotonic() + max(seconds, 0.0)
        while True:
            timeout = until - time.monotonic()
            for key, _ in sockets.selector.select(max(timeout, 0.0)):
                self._receive(key.fileobj, sockets, result)
            if time.monotonic() >= until:
                return

    def _receive(self, sock: socket.socket, sockets: _Sockets, result: ScanResult) -> None:
        for _ in range(64):  # drain what is queued, boundedly
            try:
                data, addr = sock.recvfrom(65_535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if sock is sockets.arp:
                packet = ether.parse_frame(data)
                if isinstance(packet, ether.Arp) and packet.op == 2 and self.net.may_send_to(packet.sender_ip):
                    result.ip_to_mac.setdefault(packet.sender_ip, packet.sender_mac)
                    result.answered.add(packet.sender_ip)
                    result.observations.append(observe.Observation(packet.sender_mac, packet.sender_ip, "arp"))
                continue
            src_ip, src_port = addr[0], addr[1]
            if src_ip == str(self.net.address) or not self.net.may_send_to(src_ip):
                continue  # our own probes looped back, or something from beyond the subnet
            packet = ether.Datagram("", src_ip, "", ether.PROTO_UDP, src_port, sock.getsockname()[1], data)
            found = observe.from_packet(packet) if sock is sockets.sadp else observe.from_answer(packet)
            if found:
                result.answered.add(src_ip)
                result.observations.extend(found)

    # --- TCP connects -------------------------------------------------------------------------------

    def _connect_all(self, sockets: _Sockets, result: ScanResult) -> None:
        targets = sorted(result.answered | set(result.ip_to_mac), key=ipaddress.IPv4Address)
        queue = [(ip, port) for ip in targets for port in self.ports]
        pending: dict[socket.socket, tuple[str, int, float, bytes | None]] = {}
        tcp = selectors.DefaultSelector()
        try:
            while (queue or pending) and self._left() > 0:
                while queue and len(pending) < MAX_IN_FLIGHT and self._pace(sockets, result):
                    ip, port = queue.pop(0)
                    self._check(ip)
                    conn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    conn.setblocking(False)
                    if sockets.bind_device:
                        _bind_device(conn, self.net.iface)
                    code = conn.connect_ex((ip, port))
                    if code in (errno.EPERM, errno.EACCES):
                        _once(result.problems, SANDBOXED)
                    if code not in (0, errno.EINPROGRESS):
                        conn.close()
                        continue
                    pending[conn] = (ip, port, time.monotonic() + CONNECT_TIMEOUT_S, None)
                    tcp.register(conn, selectors.EVENT_WRITE)
                    result.probes_sent += 1
                for key, events in tcp.select(0.05):
                    self._tcp_event(key.fileobj, events, tcp, pending, result)
                now = time.monotonic()
                for conn, (_, _, until, _) in list(pending.items()):
                    if now > until:
                        _drop(conn, tcp, pending)
                self._listen(sockets, result, 0)
        finally:
            for conn in list(pending):
                _drop(conn, tcp, pending)
            tcp.close()

    def _tcp_event(self, conn, events, tcp, pending, result: ScanResult) -> None:
        ip, port, _, asked = pending[conn]
        if asked is None:  # the connect finished
            if conn.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                _drop(conn, tcp, pending)
                return
            result.answered.add(ip)
            result.observations.append(observe.open_port(ip, port))
            if port not in RTSP_PORTS:
                _drop(conn, tcp, pending)
                return
            try:
                conn.send(ssdp.rtsp_options(ip, port))
            except OSError:
                _drop(conn, tcp, pending)
                return
            pending[conn] = (ip, port, time.monotonic() + RTSP_ANSWER_S, b"")
            tcp.modify(conn, selectors.EVENT_READ)
            return
        try:
            chunk = conn.recv(4096)
        except OSError:
            chunk = b""
        data = asked + chunk
        if chunk and b"\r\n\r\n" not in data and len(data) < 8192:
            pending[conn] = (ip, port, pending[conn][2], data)
            return
        reply = ssdp.parse_rtsp(data)
        if reply is not None:
            result.observations.append(observe.rtsp_answer(ip, port, reply))
        _drop(conn, tcp, pending)

    def _read_kernel_arp(self, result: ScanResult) -> None:
        """MACs the kernel resolved for our TCP connects (the only source when raw ARP was not allowed)."""
        try:
            lines = self.proc_arp.read_text().splitlines()[1:]
        except OSError:
            return
        for line in lines:
            parts = line.split()
            resolved = len(parts) >= 6 and parts[5] == self.net.iface and parts[3] != "00:00:00:00:00:00"
            if resolved and self.net.may_send_to(parts[0]):
                result.ip_to_mac.setdefault(parts[0], parts[3].lower())


def _once(problems: list[str], line: str) -> None:
    if line not in problems:
        problems.append(line)


def _drop(conn: socket.socket, tcp: selectors.BaseSelector, pending: dict) -> None:
    pending.pop(conn, None)
    with contextlib.suppress(KeyError, ValueError):
        tcp.unregister(conn)
    conn.close()


def _bind_device(sock: socket.socket, iface: str) -> bool:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
        return True
    except OSError:
        return False


class _Sockets:
    """The scan's sockets: raw ARP on the interface (CAP_NET_RAW), one UDP asker for the multicast probes
    and their unicast answers, and a SADP listener (Hikvision answers to the group, not the asker)."""

    def __init__(self, net: LocalNetwork, problems: list[str]) -> None:
        self.selector = selectors.DefaultSelector()
        self.arp: socket.socket | None = None
        self.udp: socket.socket | None = None
        self.sadp: socket.socket | None = None
        try:
            self.arp = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
            self.arp.bind((net.iface, ETH_P_ARP))
        except (PermissionError, OSError) as exc:
            problems.append(
                f"ARP sweep skipped ({exc.strerror or exc}: needs CAP_NET_RAW); hosts found by their answers"
            )
            self._close(self.arp)
            self.arp = None
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.bind_device = _bind_device(probe, net.iface)
        probe.close()
        try:
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            if self.bind_device:
                _bind_device(self.udp, net.iface)
            self.udp.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
            self.udp.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
            self.udp.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(str(net.address)))
            self.udp.bind((str(net.address), 0))
        except OSError as exc:
            problems.append(f"discovery probes not sent: {exc.strerror or exc}")
            self._close(self.udp)
            self.udp = None
        try:
            self.sadp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sadp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if self.bind_device:
                _bind_device(self.sadp, net.iface)
            self.sadp.bind(("", vendor.SADP_PORT))
            group = socket.inet_aton(vendor.SADP_GROUP) + socket.inet_aton(str(net.address))
            self.sadp.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, group)
        except OSError as exc:
            log.info("no SADP listener on %d: %s", vendor.SADP_PORT, exc)
            self._close(self.sadp)
            self.sadp = None
        for sock in (self.arp, self.udp, self.sadp):
            if sock is not None:
                sock.setblocking(False)
                self.selector.register(sock, selectors.EVENT_READ)

    @staticmethod
    def _close(sock: socket.socket | None) -> None:
        if sock is not None:
            sock.close()

    def close(self) -> None:
        for sock in (self.arp, self.udp, self.sadp):
            self._close(sock)
        self.selector.close()
