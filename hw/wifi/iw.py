"""The Wi-Fi adapters as ``iw`` and sysfs describe them, and the ``iw``/``ip`` commands the capture runs.

``iw`` is the only supported way to make a monitor interface and set its channel (pyroute2's nl80211 has no
channel setter). Its text output is parsed here; its failures become the project's errors with iw's own
line in the message. The hotspot's interface (wlan0) is never chosen, changed or even brought down.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from hw.errors import ChannelRefused, WifiLost, WifiNoMonitor, WifiUnavailable

SYSFS_NET = Path("/sys/class/net")
HOTSPOT_INTERFACE = "wlan0"


class IwFailed(Exception):
    """``iw``/``ip`` exited non-zero; ``line`` is what it said."""

    def __init__(self, command: list[str], line: str) -> None:
        super().__init__(f"{' '.join(command)}: {line}")
        self.line = line


def run(command: list[str], *, timeout_s: float = 5.0) -> str:
    """Run ``iw``/``ip`` and return its output; ``IwFailed`` with its last line when it fails."""
    if shutil.which(command[0]) is None:
        package = "iw" if command[0] == "iw" else "iproute2"
        raise WifiUnavailable(f"'{command[0]}' is not installed (Debian package {package})")
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise IwFailed(command, f"no answer in {timeout_s:.0f} s") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise IwFailed(command, said[-1] if said else f"exit status {done.returncode}")
    return done.stdout


@dataclass(frozen=True)
class Channel:
    freq_mhz: int
    disabled: bool = False  # the regulatory domain forbids it (receiving included)
    no_ir: bool = False  # no initiating radiation (passive/DFS): receiving is fine, and we never transmit
    radar: bool = False


@dataclass
class Adapter:
    """One wiphy with its interfaces (``iw dev``) and what ``iw phy`` says it can do."""

    phy: str  # "phy1"
    interfaces: list[str] = field(default_factory=list)
    driver: str = ""
    bus: str = ""  # "usb", "sdio", "pci"
    modes: set[str] = field(default_factory=set)
    channels: list[Channel] = field(default_factory=list)

    @property
    def monitor(self) -> bool:
        return "monitor" in self.modes

    @property
    def name(self) -> str:
        first = self.interfaces[0] if self.interfaces else self.phy
        return f"{first} ({self.driver or 'unknown driver'}, {self.phy})"

    @property
    def bands(self) -> tuple[str, ...]:
        found = []
        for label, lo, hi in (("2.4 GHz", 2400, 2500), ("5 GHz", 4900, 5900), ("6 GHz", 5925, 7125)):
            if any(lo <= c.freq_mhz < hi and not c.disabled for c in self.channels):
                found.append(label)
        return tuple(found)

    def receivable(self, freq_mhz: int) -> Channel | None:
        """The channel at ``freq_mhz`` if the adapter lists it and the regulatory domain allows it."""
        for channel in self.channels:
            if channel.freq_mhz == freq_mhz and not channel.disabled:
                return channel
        return None


def parse_dev(text: str) -> dict[str, list[str]]:
    """``iw dev`` → {"phy1": ["wlan1"], ...}."""
    phys: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if m := re.match(r"^phy#(\d+)", line):
            current = f"phy{m.group(1)}"
            phys.setdefault(current, [])
        elif (m := re.match(r"^\s+Interface\s+(\S+)", line)) and current:
            phys[current].append(m.group(1))
    return phys


def parse_phy(text: str) -> tuple[set[str], list[Channel]]:
    """``iw phy PHY info`` → (interface modes, channels with their regulatory flags)."""
    modes: set[str] = set()
    channels: list[Channel] = []
    in_modes = False
    for line in text.splitlines():
        if re.match(r"^\s*Supported interface modes:", line):
            in_modes = True
            continue
        if in_modes:
            if m := re.match(r"^\s+\* (\S+)", line):
                modes.add(m.group(1).lower())
                continue
            in_modes = False
        if m := re.match(r"^\s+\* (\d+(?:\.\d+)?) MHz \[\d+\](.*)$", line):
            rest = m.group(2)
            channels.append(
                Channel(
                    freq_mhz=round(float(m.group(1))),
                    disabled="disabled" in rest,
                    no_ir="no IR" in rest or "passive scan" in rest,
                    radar="radar detection" in rest,
                )
            )
    return modes, channels


def _sysfs_name(path: Path) -> str:
    try:
        return path.resolve(strict=True).name
    except OSError:
        return ""


def adapters(*, sysfs: Path | None = None) -> list[Adapter]:
    """Every wiphy but the hotspot's, with its driver, bus, modes and channels (``sysfs``: /sys/class/net)."""
    sysfs = sysfs or SYSFS_NET
    try:
        phys = parse_dev(run(["iw", "dev"]))
    except IwFailed as exc:
        raise WifiUnavailable(f"iw cannot list the Wi-Fi adapters: {exc.line}") from None
    found = []
    for phy, interfaces in sorted(phys.items()):
        if HOTSPOT_INTERFACE in interfaces:
            continue  # the built-in chip hosts the hotspot: never ours
        adapter = Adapter(phy=phy, interfaces=interfaces)
        if interfaces:
            device = sysfs / interfaces[0] / "device"
            adapter.driver = _sysfs_name(device / "driver")
            adapter.bus = _sysfs_name(device / "subsystem")
        try:
            adapter.modes, adapter.channels = parse_phy(run(["iw", "phy", phy, "info"]))
        except IwFailed:
            continue  # unplugged between the two calls
        found.append(adapter)
    return found


def choose(found: list[Adapter], interface: str = "") -> Adapter:
    """The adapter to capture with: the one named, else the first monitor-capable one (USB first)."""
    if interface:
        if interface == HOTSPOT_INTERFACE:
            raise WifiUnavailable(f"{interface} hosts the hotspot and is never used for the Wi-Fi sweep")
        named = [a for a in found if interface in a.interfaces]
        if not named:
            raise WifiUnavailable(f"no Wi-Fi adapter named {interface}")
        chosen = named[0]
    else:
        capable = sorted((a for a in found if a.monitor), key=lambda a: a.bus != "usb")
        if not capable:
            if found:
                raise WifiNoMonitor(f"{found[0].name} cannot do monitor mode: the Wi-Fi sweep is off")
            raise WifiUnavailable("no monitor-capable Wi-Fi adapter: the Wi-Fi sweep is off")
        chosen = capable[0]
    if not chosen.monitor:
        raise WifiNoMonitor(f"{chosen.name} cannot do monitor mode: the Wi-Fi sweep is off")
    return chosen


_GONE = ("No such device", "-19", "No such file or directory", "Cannot find device")


def gone(line: str) -> bool:
    """Does iw's line say the interface or phy disappeared?"""
    return any(word in line for word in _GONE)


VHT80_CENTRES_MHZ = (5210, 5290, 5530, 5610, 5690, 5775)  # channels 42, 58, 106, 122, 138, 155


def vht80_centre(freq_mhz: int) -> int | None:
    """The centre of the 80 MHz channel a 20 MHz channel belongs to (None: not part of one)."""
    for centre in VHT80_CENTRES_MHZ:
        if abs(freq_mhz - centre) <= 30:
            return centre
    return None


def set_freq(interface: str, freq_mhz: int, width_mhz: int) -> None:
    """``iw dev IF set freq`` at 20/40/80 MHz (40: the upper or lower pair by the channel's place)."""
    command = ["iw", "dev", interface, "set", "freq", str(freq_mhz)]
    if width_mhz == 40:
        upper = (freq_mhz < 2500 and freq_mhz <= 2447) or (freq_mhz > 4900 and ((freq_mhz - 5180) // 20) % 2 == 0)
        command.append("HT40+" if upper else "HT40-")
    elif width_mhz == 80 and (centre := vht80_centre(freq_mhz)) is not None:
        command += ["80", str(centre)]
    elif width_mhz != 20:
        raise ChannelRefused(f"{freq_mhz} MHz: width {width_mhz} MHz is not 20, 40 or 80 (5 GHz)")
    try:
        run(command)
    except IwFailed as exc:
        if gone(exc.line):
            raise WifiLost(f"{interface} went away while tuning to {freq_mhz} MHz ({exc.line})") from None
        raise ChannelRefused(f"{freq_mhz} MHz refused by the adapter or the regulatory domain ({exc.line})") from None
