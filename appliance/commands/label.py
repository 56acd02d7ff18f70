"""``roomsweep label``: the printable device label (PNG and SVG) with the hotspot's credentials.

It reads the identity the device made at first boot and never makes one: a label for
credentials the hotspot does not use would lock the owner out.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from appliance.commands import UsageError
from appliance.device import hotspot, identity
from appliance.device import label as labelmod
from hw.files import atomic_write_bytes

DEFAULT_NAME = "roomsweep-label"


def add_parser(sub) -> None:
    p = sub.add_parser("label", help="printable label (PNG/SVG): Wi-Fi QR code, passphrase, UI address, admin secret")
    p.add_argument("--png", type=Path, metavar="FILE", help=f"write the PNG here (default {DEFAULT_NAME}.png)")
    p.add_argument("--svg", type=Path, metavar="FILE", help=f"write the SVG here (default {DEFAULT_NAME}.svg)")
    p.add_argument("--text", action="store_true", help="also print the credentials in the terminal")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    device = identity.load()
    urls = hotspot.ui_urls(device)
    if args.png is None and args.svg is None:
        args.png, args.svg = Path(f"{DEFAULT_NAME}.png"), Path(f"{DEFAULT_NAME}.svg")
    label = labelmod.layout(device, urls)
    renderers = {"PNG": lambda: labelmod.to_png(label), "SVG": lambda: labelmod.to_svg(label).encode()}
    for kind, path in (("PNG", args.png), ("SVG", args.svg)):
        if path is None:
            continue
        try:
            atomic_write_bytes(path, renderers[kind]())  # 0600: the label holds the device's secrets
        except OSError as exc:
            raise UsageError(f"roomsweep label: cannot write {path}: {exc.strerror or exc}") from None
        print(f"wrote {kind} label: {path}")
    if args.text:
        print(f"Wi-Fi network: {device.ssid}")
        print(f"Password:      {device.passphrase}")
        print(f"Phone UI:      {' or '.join(urls)}")
        print(f"Admin secret:  {device.admin_secret}")
    return 0
