"""Observations gathered per device (by MAC) and judged: kind, camera score and reasons.

Each kind of evidence has a probability that it alone means a camera; they combine as independent
(``1 − Π(1 − pᵢ)``). An ONVIF video transmitter or a SADP answer is a camera by its own word; an RTSP
server on 554/8554 nearly so (NAS and media servers speak RTSP too); a name with "camera"/"cam" in it or a
camera maker's model prefix is strong; an open camera HTTP port or the maker of the network chip is a
weak hint that never makes a suspect alone. Nothing here logs in: what a device said is all there is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from dsp.lan.observe import Observation

RTSP_PORTS = (554, 8554)
#: TCP ports the scan connects to: RTSP, and the HTTP/SDK ports of camera firmware (Hikvision 8000,
#: Dahua 37777, XMeye/"NetSurveillance" 34567, ONVIF services often on 8899/2020, web UIs on 80/81/8080/443)
CAMERA_PORTS = (554, 8554, 80, 81, 443, 8000, 8080, 8899, 2020, 34567, 37777)
CAMERA_SDK_PORTS = (8000, 8899, 2020, 34567, 37777)

P_ONVIF, P_SADP, P_RTSP, P_NAME, P_SDK_PORT, P_CAMERA_MAKER = 0.97, 0.95, 0.8, 0.7, 0.2, 0.25
#: words and model prefixes that name a camera: "Camera", "IPCam", "localcam", "webcam"; D-Link DCS,
#: Hikvision DS-2CD, Dahua IPC-, NVR/DVR recorders
_CAMERA_NAME = re.compile(r"[Cc]am(?:era)?(?![a-z])|CAMERA|\bDCS-\d|\bDS-2CD|\bIPC[-_ ]|\b[ND]VR\b|_rtsp\._tcp")


@dataclass
class LanDevice:
    """One device on the network: what was seen of it, and (after :func:`judge`) the verdict."""

    mac: str
    ip: str | None = None
    names: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    model: str | None = None
    said: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    open_ports: list[int] = field(default_factory=list)
    onvif: bool = False
    rtsp: list[tuple[int, int]] = field(default_factory=list)  # (port, status)
    kind: str = "host"
    camera_score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def add(self, obs: Observation) -> None:
        if obs.ip:
            self.ip = obs.ip
        for target, items in ((self.names, obs.names), (self.services, obs.services), (self.sources, [obs.source])):
            target.extend(i for i in items if i not in target)
        if obs.said and obs.said not in self.said:
            self.said.append(obs.said)
        self.model = self.model or obs.model
        self.onvif = self.onvif or obs.onvif
        if obs.source == "tcp" and obs.port is not None and obs.port not in self.open_ports:
            self.open_ports.append(obs.port)
        if obs.source == "rtsp" and obs.port is not None and obs.rtsp_status is not None:
            self.rtsp.append((obs.port, obs.rtsp_status))


def gather(observations: Iterable[Observation], ip_to_mac: dict[str, str] | None = None) -> list[LanDevice]:
    """Devices by MAC, in the order first seen; an observation with only an IP joins the MAC that ARP gave
    that IP (``ip_to_mac``, else the devices' own addresses), or stands alone as ``ip:<address>``."""
    devices: dict[str, LanDevice] = {}
    known = dict(ip_to_mac or {})
    pending: list[Observation] = []
    for obs in observations:
        if not obs.mac:
            pending.append(obs)
            continue
        if obs.mac == "ff:ff:ff:ff:ff:ff" or int(obs.mac[:2], 16) & 1:
            continue
        devices.setdefault(obs.mac, LanDevice(obs.mac)).add(obs)
        if obs.ip:
            known.setdefault(obs.ip, obs.mac)
    for obs in pending:
        mac = known.get(obs.ip or "", f"ip:{obs.ip}")
        devices.setdefault(mac, LanDevice(mac)).add(obs)
    return list(devices.values())


def judge(device: LanDevice, *, camera_maker: str | None = None) -> LanDevice:
    """Set ``kind``, ``camera_score`` and ``reasons``; ``camera_maker`` is the reason sentence when the
    MAC's maker makes camera modules (from the OUI registry, looked up by the caller)."""
    device.services = [s for s in device.services if not any(o.startswith(f"{s} port ") for o in device.services)]
    evidence: list[tuple[float, str]] = []
    if device.onvif:
        said = next((s for s in device.said if s.startswith("WS-Discovery")), "WS-Discovery")
        evidence.append((P_ONVIF, f"answered an ONVIF probe as a NetworkVideoTransmitter ({said})"))
    if "sadp" in device.sources:
        said = next(s for s in device.said if s.startswith("Hikvision SADP"))
        evidence.append((P_SADP, f"answered Hikvision's camera discovery ({said})"))
    for port, status in device.rtsp:
        if port in RTSP_PORTS:
            evidence.append((P_RTSP, f"an RTSP video server answers on port {port} (status {status}); not opened"))
            break
    announced = [s for s in device.said if s.startswith(("D-Link", "Hikvision"))]
    named = next(
        (t for t in [*announced, *device.names, *device.services, *device.said] if _CAMERA_NAME.search(t)), None
    )
    if named is not None:
        evidence.append((P_NAME, f"announced itself as a camera: {named!r}"))
    sdk = [p for p in device.open_ports if p in CAMERA_SDK_PORTS]
    if sdk:
        evidence.append((P_SDK_PORT, f"camera firmware's port{'s' if len(sdk) > 1 else ''} open: {sdk}"))
    if camera_maker:
        evidence.append((P_CAMERA_MAKER, camera_maker))
    remaining = 1.0
    for p, _ in evidence:
        remaining *= 1.0 - p
    device.camera_score = round(1.0 - remaining, 3)
    device.reasons = [r for _, r in sorted(evidence, key=lambda e: -e[0])]
    if not device.reasons:
        device.reasons = ["nothing camera-like announced" + (f"; said: {device.said[0]}" if device.said else "")]
    device.kind = "camera" if device.camera_score >= 0.5 else "host"
    return device
