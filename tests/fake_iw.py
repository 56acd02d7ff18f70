"""Fakes at the Wi-Fi boundary: ``iw`` and ``ip`` executables on PATH, a sysfs tree, a socket that can be pulled.

The executables are this file run as a script: they answer from a JSON state file (``FAKE_WIFI_STATE``)
the way iw 5.x does, append every call to the state's log, and fail as the state says (a phy that went
away, a channel the regulatory domain refuses)."""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
from pathlib import Path

PHY_MONITOR = """Wiphy phy1
\twiphy index: 1
\tSupported interface modes:
\t\t * IBSS
\t\t * managed
\t\t * AP
\t\t * monitor
\tBand 1:
\t\tFrequencies:
{band24}
\tBand 2:
\t\tFrequencies:
\t\t\t* 5180 MHz [36] (23.0 dBm)
\t\t\t* 5200 MHz [40] (23.0 dBm)
\t\t\t* 5260 MHz [52] (20.0 dBm) (no IR, radar detection)
\t\t\t* 5500 MHz [100] (disabled)
\tSupported commands:
\t\t * new_interface
\tsoftware interface modes (can always be added):
\t\t * AP/VLAN
\t\t * monitor
"""
BAND24 = "\n".join(f"\t\t\t* {2407 + 5 * c} MHz [{c}] (20.0 dBm)" for c in range(1, 14))
BAND24 += "\n\t\t\t* 2484 MHz [14] (disabled)"
PHY_NO_MONITOR = """Wiphy phy2
\tSupported interface modes:
\t\t * managed
\t\t * AP
\tBand 1:
\t\tFrequencies:
\t\t\t* 2412 MHz [1] (20.0 dBm)
"""


def dev_text(phys: dict[str, list[str]]) -> str:
    out = []
    for phy, interfaces in phys.items():
        out.append(f"phy#{phy.removeprefix('phy')}")
        for name in interfaces:
            out += [f"\tInterface {name}", "\t\tifindex 4", "\t\ttype managed"]
    return "\n".join(out) + "\n"


class FakeWifi:
    """The state the fake executables read; tests change it and look at ``calls``."""

    def __init__(self, tmp: Path, monkeypatch) -> None:
        self.tmp = tmp
        self.state_path = tmp / "wifi-state.json"
        bin_dir = tmp / "bin"
        bin_dir.mkdir()
        for name in ("iw", "ip"):
            exe = bin_dir / name
            exe.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(Path(__file__).parents[1])!r})\n"
                           "from tests.fake_iw import main\nsys.exit(main())\n")  # fmt: skip
            exe.chmod(0o755)
        monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
        monkeypatch.setenv("FAKE_WIFI_STATE", str(self.state_path))
        self.sysfs = tmp / "sys" / "class" / "net"
        self.state = {"phys": {"phy0": ["wlan0"]}, "info": {"phy0": PHY_NO_MONITOR}, "fail": {}, "calls": []}
        self.save()

    def plug(self, phy: str, interface: str, driver: str, *, monitor: bool = True, bus: str = "usb") -> None:
        self.state["phys"][phy] = [interface]
        self.state["info"][phy] = PHY_MONITOR.format(band24=BAND24) if monitor else PHY_NO_MONITOR
        device = self.tmp / "devices" / interface
        (device / "driver-dir" / driver).mkdir(parents=True)
        (device / "bus-dir" / bus).mkdir(parents=True)
        link = self.sysfs / interface
        link.mkdir(parents=True)
        (link / "device").mkdir()
        (link / "device" / "driver").symlink_to(device / "driver-dir" / driver)
        (link / "device" / "subsystem").symlink_to(device / "bus-dir" / bus)
        self.save()

    def fail(self, words: str, line: str) -> None:
        """Any call whose arguments contain ``words`` fails with iw's ``line``."""
        self.state["fail"][words] = line
        self.save()

    def save(self) -> None:
        self.state_path.write_text(json.dumps(self.state))

    @property
    def calls(self) -> list[str]:
        return json.loads(self.state_path.read_text())["calls"]


def main() -> int:
    path = Path(os.environ["FAKE_WIFI_STATE"])
    state = json.loads(path.read_text())
    args = [Path(sys.argv[0]).name, *sys.argv[1:]]
    line = " ".join(args)
    state["calls"].append(line)
    path.write_text(json.dumps(state))
    for words, said in state["fail"].items():
        if words in line:
            print(said, file=sys.stderr)
            return 237 if args[0] == "iw" else 1
    if args[:2] == ["iw", "dev"] and len(args) == 2:
        print(dev_text(state["phys"]), end="")
    elif args[:2] == ["iw", "phy"] and args[-1] == "info":
        if args[2] not in state["info"]:
            print("command failed: No such device (-19)", file=sys.stderr)
            return 237
        print(state["info"][args[2]], end="")
    return 0


class PulledSocket:
    """A real datagram socket standing in for AF_PACKET; ``pull()`` makes it fail as a removed adapter does."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.pulled = False

    def pull(self) -> None:
        self.pulled = True

    def settimeout(self, value: float) -> None:
        self.sock.settimeout(value)

    def recvmsg_into(self, buffers, ancbufsize=0, flags=0):
        if self.pulled:
            raise OSError(errno.ENETDOWN, "Network is down")
        return self.sock.recvmsg_into(buffers, ancbufsize, flags)

    def close(self) -> None:
        self.sock.close()
