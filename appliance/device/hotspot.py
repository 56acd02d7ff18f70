"""The device's Wi-Fi hotspot: a NetworkManager profile and a DNS name for the phone UI.

- The profile (NetworkManager keyfile, mode 0600 because it holds the passphrase) is an access
  point on the onboard Wi-Fi: WPA2-PSK with CCMP only and protected management frames off.
  WPA3-SAE and PMF are unreliable on the Pi's Broadcom chip in AP mode (brcmfmac does not do MFP
  as an access point: raspberrypi/linux#3619), and plain WPA2-CCMP is what every phone joins.
- ``ipv4.method=shared`` makes NetworkManager run dnsmasq for DHCP and DNS on the hotspot; the
  address is pinned to 10.42.0.1/24 (shared mode's first choice, but NetworkManager moves to
  10.42.1.0/24 and up when that subnet is taken, and the label must stay right).
- A dnsmasq snippet in ``dnsmasq-shared.d`` answers the UI host name (``roomsweep.home.arpa``)
  with that address; the bare IP keeps working for phones that use their own DNS.
"""

from __future__ import annotations

import ipaddress
import logging
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

from appliance import config as cfg
from appliance import paths
from appliance.device.identity import Identity
from hw.files import atomic_write_bytes

log = logging.getLogger(__name__)

CONNECTION_ID = "roomsweep-hotspot"
# One fixed UUID: a renewed passphrase updates the same connection instead of adding another.
CONNECTION_UUID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://roomsweep.invalid/hotspot"))
HOTSPOT_ADDRESS = "10.42.0.1"
HOTSPOT_PREFIX = 24
NM_CONNECTIONS_DIR = Path("/etc/NetworkManager/system-connections")
NM_DNSMASQ_SHARED_DIR = Path("/etc/NetworkManager/dnsmasq-shared.d")
PROFILE_NAME = f"{CONNECTION_ID}.nmconnection"
DNSMASQ_NAME = "roomsweep.conf"
WIFI_INTERFACE = "wlan0"
CHANNEL = 6  # 2.4 GHz channel 6 is allowed in every regulatory domain


@dataclass(frozen=True)
class Written:
    path: Path
    changed: bool


def ui_urls(identity: Identity, port: int | None = None, address: str = HOTSPOT_ADDRESS) -> list[str]:
    """The phone UI's addresses on the hotspot: by name first, the bare IP as fallback.

    ``port`` defaults to the configured ``web.port``.
    """
    port = configured_web_port() if port is None else port
    suffix = "" if port == 80 else f":{port}"
    return [f"http://{identity.ui_hostname}{suffix}/", f"http://{address}{suffix}/"]


def configured_web_port() -> int:
    """``web.port`` from the settings file and environment; the default if they are unusable."""
    try:
        return cfg.load(paths.config_path())["web.port"]
    except cfg.ConfigError as exc:
        log.warning("settings unusable (%s); assuming the default web port", exc)
        return cfg.BY_KEY["web.port"].default


def profile(identity: Identity, *, interface: str = WIFI_INTERFACE, channel: int = CHANNEL) -> str:
    """The NetworkManager keyfile for the access point."""
    address = ipaddress.ip_interface(f"{HOTSPOT_ADDRESS}/{HOTSPOT_PREFIX}")
    return "\n".join(
        [
            "# Written by 'roomsweep hotspot' from the device identity; edits are overwritten.",
            "[connection]",
            f"id={CONNECTION_ID}",
            f"uuid={CONNECTION_UUID}",
            "type=wifi",
            f"interface-name={interface}",
            "autoconnect=true",
            # above client profiles (e.g. the one Raspberry Pi Imager writes): the device hosts
            "autoconnect-priority=100",
            "",
            "[wifi]",
            "mode=ap",
            f"ssid={_keyfile_ssid(identity.ssid)}",
            "band=bg",
            f"channel={channel}",
            # guests cannot reach each other (nor pose as the owner's phone to it): only the device
            "ap-isolation=1",
            "",
            "[wifi-security]",
            "key-mgmt=wpa-psk",
            "proto=rsn",
            "pairwise=ccmp",
            "group=ccmp",
            "pmf=1",  # 1 = disable: brcmfmac cannot do MFP as an access point
            f"psk={_keyfile_string(identity.passphrase)}",
            "",
            "[ipv4]",
            "method=shared",
            f"address1={address.with_prefixlen}",
            "",
            "[ipv6]",
            "method=disabled",
            "",
        ]
    )


def dnsmasq_config(identity: Identity, address: str = HOTSPOT_ADDRESS) -> str:
    """The snippet NetworkManager's shared-mode dnsmasq reads: the UI's host name."""
    return (
        "# Written by 'roomsweep hotspot': the phone UI's name on the hotspot network.\n"
        f"address=/{identity.ui_hostname}/{address}\n"
    )


def write(
    identity: Identity,
    *,
    connections_dir: Path = NM_CONNECTIONS_DIR,
    dnsmasq_dir: Path = NM_DNSMASQ_SHARED_DIR,
) -> list[Written]:
    """Write the profile (0600) and the dnsmasq snippet (0644) where their content changed."""
    return [
        _write_if_changed(connections_dir / PROFILE_NAME, profile(identity), 0o600),
        _write_if_changed(dnsmasq_dir / DNSMASQ_NAME, dnsmasq_config(identity), 0o644),
    ]


def reload_network_manager(profile_path: Path, *, reactivate: bool) -> str:
    """Make a running NetworkManager see the profile; with ``reactivate`` bring the hotspot up
    again if it is up (a new passphrase applies only then). Returns what was done."""
    nmcli = shutil.which("nmcli")
    if nmcli is None:
        return "nmcli not found: the profile is used when NetworkManager next starts"
    _run([nmcli, "connection", "load", str(profile_path)])
    active = _run([nmcli, "-g", "NAME", "connection", "show", "--active"]).splitlines()
    if reactivate and CONNECTION_ID in active:
        _run([nmcli, "connection", "up", "id", CONNECTION_ID])
        return "NetworkManager reloaded the profile and restarted the hotspot"
    return "NetworkManager reloaded the profile"


def _run(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HotspotError(f"{' '.join(argv)}: {exc}") from None
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise HotspotError(f"{' '.join(argv)}: {reason[-1] if reason else f'exit status {done.returncode}'}")
    return done.stdout


class HotspotError(OSError):
    """NetworkManager refused or could not be reached."""


def _write_if_changed(path: Path, text: str, mode: int) -> Written:
    data = text.encode()
    try:
        if path.read_bytes() == data and (path.stat().st_mode & 0o777) == mode:
            return Written(path, False)
    except FileNotFoundError:
        pass
    atomic_write_bytes(path, data)  # created 0600: the passphrase is never readable by others
    path.chmod(mode)
    return Written(path, True)


def _keyfile_string(value: str) -> str:
    """A GLib key-file string value: backslashes doubled, edge spaces kept with ``\\s``."""
    value = value.replace("\\", "\\\\")
    if value.startswith(" "):
        value = "\\s" + value[1:]
    if value.endswith(" "):
        value = value[:-1] + "\\s"
    return value


def _keyfile_ssid(ssid: str) -> str:
    """NetworkManager reads ``ssid`` as text unless it looks like a byte list (``97;98;``), and
    ``;`` and ``\\`` have meanings there: anything but plain names goes as an explicit byte list."""
    if all(c.isalnum() or c in "-_. " for c in ssid) and ssid.isascii() and ssid.strip() == ssid:
        return ssid
    return "".join(f"{b};" for b in ssid.encode())
