"""``GuestJoin``: the USB adapter joins the room's Wi-Fi in managed mode for one scan, then leaves it.

Through NetworkManager (``nmcli``): the adapter (never ``wlan0``, the hotspot) is handed to NetworkManager
for the scan, a temporary in-memory profile (``save no``, ``autoconnect no``, ``psk-flags 2``: the
passphrase is never written to a profile) is brought up with the passphrase given on nmcli's standard
input (``passwd-file /dev/stdin``: never on a command line, where ``ps`` would show it), and on the way
out the profile is deleted and the adapter handed back as unmanaged, so the next Wi-Fi sweep puts it in
monitor mode again. Nothing here logs the passphrase; the caller drops it after the scan.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import uuid

from hw.errors import JoinFailed

log = logging.getLogger(__name__)

HOTSPOT_INTERFACE = "wlan0"
JOIN_TIMEOUT_S = 45
PROFILE_PREFIX = "roomsweep-guest-"


def _nmcli(args: list[str], *, stdin: str | None = None, timeout_s: float = 15) -> str:
    if shutil.which("nmcli") is None:
        raise JoinFailed("'nmcli' is not installed (Debian package network-manager): cannot join the room's Wi-Fi")
    try:
        done = subprocess.run(
            ["nmcli", *args], input=stdin, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise JoinFailed(
            f"nmcli {args[0]} {args[1] if len(args) > 1 else ''}: no answer in {timeout_s:.0f} s"
        ) from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()
        raise JoinFailed(f"nmcli: {said[-1] if said else f'exit status {done.returncode}'}")
    return done.stdout


class GuestJoin:
    """``with GuestJoin("wlan1", ssid, passphrase) as iface:`` — joined inside, left (profile gone) after."""

    def __init__(self, iface: str, ssid: str, passphrase: str | None) -> None:
        if iface == HOTSPOT_INTERFACE:
            raise JoinFailed(f"{iface} runs the device's own hotspot: the room's Wi-Fi is joined with the USB adapter")
        if not ssid or len(ssid.encode()) > 32:
            raise JoinFailed("an SSID is 1 to 32 bytes")
        if passphrase is not None and passphrase and not 8 <= len(passphrase) <= 63:
            raise JoinFailed("a WPA passphrase is 8 to 63 characters")
        self.iface = iface
        self.ssid = ssid
        self._passphrase = passphrase or None
        self.profile = PROFILE_PREFIX + uuid.uuid4().hex[:8]
        self._added = False

    def __enter__(self) -> str:
        _nmcli(["device", "set", self.iface, "managed", "yes"])
        try:
            security = ["wifi-sec.key-mgmt", "wpa-psk", "wifi-sec.psk-flags", "2"] if self._passphrase else []
            _nmcli(
                ["connection", "add", "save", "no", "type", "wifi", "ifname", self.iface, "con-name", self.profile,
                 "ssid", self.ssid, "connection.autoconnect", "no", "ipv4.method", "auto", "ipv6.method", "ignore",
                 *security]
            )  # fmt: skip
            self._added = True
            up = ["--wait", str(JOIN_TIMEOUT_S), "connection", "up", "id", self.profile]
            if self._passphrase:
                up += ["passwd-file", "/dev/stdin"]
            secret = f"802-11-wireless-security.psk:{self._passphrase}\n" if self._passphrase else None
            _nmcli(up, stdin=secret, timeout_s=JOIN_TIMEOUT_S + 5)
        except BaseException:
            self._leave()
            raise
        finally:
            self._passphrase = None  # kept for the join only
        log.info("joined %r on %s for a network scan", self.ssid, self.iface)
        return self.iface

    def __exit__(self, *exc: object) -> None:
        self._leave()

    def _leave(self) -> None:
        if self._added:
            for args in (["connection", "down", "id", self.profile], ["connection", "delete", "id", self.profile]):
                try:
                    _nmcli(args)
                except JoinFailed as err:
                    log.warning("leaving the room's Wi-Fi: %s", err)
            self._added = False
        try:
            _nmcli(["device", "set", self.iface, "managed", "no"])
        except JoinFailed as err:
            log.warning("handing %s back for monitor mode: %s", self.iface, err)
