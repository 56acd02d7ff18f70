"""The IPv4 network an interface is on (``ip -j``): its address, prefix, MAC and default gateway, and the
size rule: a scan covers one local subnet of at most a /22 (1022 hosts), nothing routed beyond it."""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
from dataclasses import dataclass

from hw.errors import LanUnavailable, SubnetTooLarge

MAX_PREFIX = 22  # the largest subnet swept: a /22 (1022 hosts); a hotel's /16 is refused, not sampled
LINK_GROUPS = ("224.0.0.251", "239.255.255.250")  # mDNS; SSDP, WS-Discovery and SADP (sent with TTL 1)


@dataclass(frozen=True)
class LocalNetwork:
    iface: str
    address: ipaddress.IPv4Address
    network: ipaddress.IPv4Network
    gateway: ipaddress.IPv4Address | None

    def may_send_to(self, dst: str) -> bool:
        """Is ``dst`` on this subnet (or one of the link-local discovery groups)? Every send asks first."""
        if dst in LINK_GROUPS:
            return True
        ip = ipaddress.IPv4Address(dst)
        return ip in self.network and ip != self.address

    def hosts(self) -> list[str]:
        return [str(h) for h in self.network.hosts() if h != self.address]

    def to_json(self) -> dict:
        return {
            "iface": self.iface,
            "address": str(self.address),
            "network": str(self.network),
            "gateway": str(self.gateway) if self.gateway else None,
        }


def _ip_json(args: list[str]) -> list[dict]:
    if shutil.which("ip") is None:
        raise LanUnavailable("'ip' is not installed (Debian package iproute2)")
    done = subprocess.run(["ip", "-j", *args], capture_output=True, text=True, timeout=5, check=False)
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise LanUnavailable(f"ip {' '.join(args)}: {said[-1] if said else done.returncode}")
    return json.loads(done.stdout or "[]")


def local_network(iface: str, *, max_prefix: int = MAX_PREFIX) -> LocalNetwork:
    """The interface's first IPv4 network; ``SubnetTooLarge`` above a /22, ``LanUnavailable`` without one."""
    links = _ip_json(["-4", "addr", "show", "dev", iface])
    addrs = [a for link in links for a in link.get("addr_info", []) if a.get("family") == "inet"]
    if not addrs:
        raise LanUnavailable(f"{iface} has no IPv4 address: it has not joined a network")
    iface_addr = ipaddress.IPv4Interface(f"{addrs[0]['local']}/{addrs[0]['prefixlen']}")
    if iface_addr.network.prefixlen < max_prefix:
        raise SubnetTooLarge(
            f"{iface} is on {iface_addr.network} ({iface_addr.network.num_addresses - 2} hosts): larger than a "
            f"/{max_prefix}, so the scan refuses it (nothing was sent)"
        )
    gateway = None
    for route in _ip_json(["-4", "route", "show", "default", "dev", iface]):
        if route.get("gateway"):
            gateway = ipaddress.IPv4Address(route["gateway"])
            break
    return LocalNetwork(iface, iface_addr.ip, iface_addr.network, gateway)
