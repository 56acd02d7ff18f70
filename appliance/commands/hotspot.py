"""``roomsweep hotspot``: make (or change) the device identity and write the hotspot profile.

Run by ``roomsweep-hotspot.service`` at first boot (before NetworkManager starts), by the
installer, and by an administrator who wants a new passphrase. It never prints the passphrase
(first boot's output lands in the journal): ``roomsweep label`` shows it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from appliance.commands import UsageError
from appliance.device import hotspot, identity


def add_parser(sub) -> None:
    p = sub.add_parser("hotspot", help="make the device identity and write the Wi-Fi hotspot profile (root)")
    p.add_argument("--renew", action="store_true", help="new random SSID and passphrase (print a new label!)")
    p.add_argument("--ssid", help="set the hotspot's name (1–32 bytes)")
    p.add_argument("--passphrase", metavar="TEXT", help="set the passphrase (8–63 characters; '-' reads stdin)")
    p.add_argument(
        "--admin-secret",
        metavar="TEXT",
        help="set the phone UI's admin secret (as strong as a generated one; '-' reads stdin); ends every session",
    )
    p.add_argument("--hostname", help=f"DNS name of the phone UI (default {identity.DEFAULT_UI_HOSTNAME})")
    p.add_argument("--connections-dir", type=Path, default=hotspot.NM_CONNECTIONS_DIR, metavar="DIR")
    p.add_argument("--dnsmasq-dir", type=Path, default=hotspot.NM_DNSMASQ_SHARED_DIR, metavar="DIR")
    p.add_argument("--no-reload", action="store_true", help="do not tell NetworkManager (first boot: not running yet)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    passphrase = args.passphrase
    if passphrase == "-":
        passphrase = sys.stdin.readline().rstrip("\n")
    if args.admin_secret is not None:
        secret = sys.stdin.readline().rstrip("\n") if args.admin_secret == "-" else args.admin_secret
        identity.set_admin_secret(None, secret)
        print("admin secret changed: every phone's session has ended; print a new label with 'sudo roomsweep label'")
    changing = args.renew or any(v is not None for v in (args.ssid, passphrase, args.hostname))
    if changing:
        device = identity.update(ssid=args.ssid, passphrase=passphrase, ui_hostname=args.hostname, renew=args.renew)
    else:
        device = identity.load_or_create()
    try:
        written = hotspot.write(device, connections_dir=args.connections_dir, dnsmasq_dir=args.dnsmasq_dir)
    except OSError as exc:
        hint = " (use sudo)" if isinstance(exc, PermissionError) else ""
        raise UsageError(f"roomsweep hotspot: cannot write {exc.filename}: {exc.strerror or exc}{hint}") from None
    for item in written:
        print(f"{'wrote' if item.changed else 'unchanged'}: {item.path}")
    print(f"hotspot {device.ssid!r}; phone UI at {' or '.join(hotspot.ui_urls(device))}")
    profile = written[0]
    if profile.changed and not args.no_reload:
        try:
            print(hotspot.reload_network_manager(profile.path, reactivate=changing))
        except hotspot.HotspotError as exc:
            print(f"roomsweep hotspot: NetworkManager: {exc}", file=sys.stderr)
            return 1
    if changing:
        print("the credentials changed: print a new label with 'sudo roomsweep label'")
    return 0
