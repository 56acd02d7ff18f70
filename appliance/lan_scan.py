"""The network scan's outcome: observations (a live scan or a replayed capture) gathered per MAC, the
vendor from the OUI registry, each device judged once (``dsp.lan.judge``), and what the scan could not see.

``lan --json`` and the document's ``lan`` part are :meth:`LanOutcome.to_json`::

    source ("scan" | "replay"), network {iface, address, network, gateway} | null, seconds, status,
    problems, isolated (only the gateway answered), notes,
    devices [{mac, ip, vendor, names, services, model, said, open_ports, rtsp [{port, status}],
              gateway, kind ("camera" | "host"), camera_score, reasons}]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appliance import wifi_vendors
from dsp.lan import judge as lanjudge
from dsp.lan.observe import Observation

MAX_SAID = 8  # sentences kept per device: a chatty camera repeats its announcements every few seconds
ISOLATED = (
    "only the gateway answered: hotel networks often isolate clients from each other, so cameras on this "
    "network (if any) could not be seen from here"
)
NOTHING = "nothing answered on this network"


@dataclass
class LanOutcome:
    source: str
    network: dict[str, Any] | None = None
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    devices: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    isolated: bool = False

    @property
    def status(self) -> str:
        return "partial" if self.problems else "complete"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "network": self.network,
            "seconds": round(self.seconds, 2),
            "status": self.status,
            "problems": list(self.problems),
            "isolated": self.isolated,
            "notes": list(self.notes),
            "devices": self.devices,
        }


def device_json(device: lanjudge.LanDevice, *, gateway: str | None) -> dict[str, Any]:
    organisation = None if device.mac.startswith("ip:") else wifi_vendors.vendor(device.mac)
    lanjudge.judge(device, camera_maker=wifi_vendors.hint(organisation))
    return {
        "mac": device.mac,
        "ip": device.ip,
        "vendor": organisation,
        "names": device.names[:MAX_SAID],
        "services": device.services[:MAX_SAID],
        "model": device.model,
        "said": device.said[:MAX_SAID],
        "open_ports": sorted(device.open_ports),
        "rtsp": [{"port": p, "status": s} for p, s in device.rtsp],
        "gateway": gateway is not None and device.ip == gateway,
        "kind": device.kind,
        "camera_score": device.camera_score,
        "reasons": device.reasons,
    }


def assess(
    observations: list[Observation],
    *,
    source: str,
    ip_to_mac: dict[str, str] | None = None,
    network: dict[str, Any] | None = None,
    exclude: set[str] = frozenset(),
) -> LanOutcome:
    """Judge every device seen; the most camera-like first. ``exclude``: our own MACs."""
    gateway = (network or {}).get("gateway")
    devices = [
        device_json(d, gateway=gateway)
        for d in lanjudge.gather(observations, ip_to_mac)
        if d.mac not in exclude and d.ip != (network or {}).get("address")
    ]
    devices.sort(key=lambda d: (-d["camera_score"], not d["gateway"], d["ip"] or ""))
    outcome = LanOutcome(source=source, network=network, devices=devices)
    if source == "scan":
        others = [d for d in devices if not d["gateway"]]
        if not devices:
            outcome.notes.append(NOTHING)
        elif not others:
            outcome.isolated = True
            outcome.notes.append(ISOLATED)
    return outcome


def by_mac(outcome: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The outcome's devices keyed by MAC (what the Wi-Fi part is merged with)."""
    return {d["mac"]: d for d in (outcome or {}).get("devices", [])}


def scan(iface: str, *, budget_s: float, exclude: set[str] = frozenset()) -> LanOutcome:
    """Scan the network ``iface`` is on (``SubnetTooLarge`` above a /22, before anything is sent)."""
    from hw.lan.network import local_network
    from hw.lan.scanner import LanScanner

    network = local_network(iface)
    result = LanScanner(network, budget_s=budget_s).run()
    outcome = assess(
        result.observations, source="scan", ip_to_mac=result.ip_to_mac, network=network.to_json(), exclude=exclude
    )
    outcome.seconds = result.seconds
    outcome.problems += result.problems
    return outcome
