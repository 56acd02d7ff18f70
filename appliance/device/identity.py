"""The device's identity: its hotspot's name and passphrase, its admin secret, its UI host name.

Every device makes its own at first boot (there is no universal default password) and keeps
it private (mode 0600) in :func:`appliance.paths.data_dir`:

- ``identity.json`` — ``ssid``, ``passphrase``, ``ui_hostname`` (the hotspot and the label);
- ``admin-secret`` — the web UI's login secret (a file of its own since the web UI's first
  version; the web UI reads it through :func:`load_admin_secret`).

Creation is race-free (two processes starting at once agree on one identity) and files written
by root in the service's directory stay readable by the service (see :mod:`hw.files`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from appliance import paths
from hw.errors import BadInputError
from hw.files import atomic_create_bytes, atomic_write_bytes

IDENTITY_FILE = "identity.json"
ADMIN_SECRET_FILE = "admin-secret"
# RFC 8375's name space for home networks: answered by the hotspot's own DNS, never leaked to
# the internet, and unlike ``.local`` (RFC 6762) phones send it to that DNS rather than to mDNS.
DEFAULT_UI_HOSTNAME = "roomsweep.home.arpa"
SSID_PREFIX = "roomsweep-"

# Easy to read off a label and type on a phone: no 0/o, 1/l/i look-alikes.
_LOWER = "abcdefghjkmnpqrstuvwxyz23456789"
_UPPER = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$")


class IdentityError(BadInputError):
    """The identity files are missing, unreadable or malformed; the message says how to fix it."""


class IdentityMissing(IdentityError):
    """No identity has been made in this data directory yet."""


@dataclass(frozen=True)
class Identity:
    ssid: str
    passphrase: str
    admin_secret: str
    ui_hostname: str = DEFAULT_UI_HOSTNAME


def new_passphrase(groups: int = 4) -> str:
    """``k7mq-x3vp-9dtc-ahe4``: 16 symbols of 31, about 79 bits (WPA2-PSK handshakes can be
    attacked offline, so the passphrase must resist brute force, not just guessing)."""
    return "-".join("".join(secrets.choice(_LOWER) for _ in range(4)) for _ in range(groups))


def new_ssid() -> str:
    return SSID_PREFIX + "".join(secrets.choice(_UPPER) for _ in range(4))


def check_ssid(ssid: str) -> str:
    """IEEE 802.11: 1–32 bytes. We also refuse control characters (they break labels and QR codes)."""
    size = len(ssid.encode())
    if not 1 <= size <= 32:
        raise IdentityError(f"SSID must be 1–32 bytes, got {size}")
    if any(ord(c) < 32 or ord(c) == 127 for c in ssid):
        raise IdentityError("SSID must not contain control characters")
    return ssid


def check_passphrase(passphrase: str) -> str:
    """WPA2 passphrase: 8–63 printable ASCII characters (IEEE 802.11i)."""
    if not 8 <= len(passphrase) <= 63:
        raise IdentityError(f"passphrase must be 8–63 characters, got {len(passphrase)}")
    if any(not 32 <= ord(c) <= 126 for c in passphrase):
        raise IdentityError("passphrase must be printable ASCII (letters, digits, punctuation, spaces)")
    return passphrase


def check_hostname(name: str) -> str:
    if not _HOSTNAME.match(name):
        raise IdentityError(f"{name!r} is not a DNS name with at least two labels (e.g. {DEFAULT_UI_HOSTNAME})")
    return name


def check_admin_secret(secret: str) -> str:
    if len(secret) < 12 or any(not 33 <= ord(c) <= 126 for c in secret):
        raise IdentityError("admin secret must be at least 12 printable characters without spaces")
    return secret


# zxcvbn rates every generated secret (new_passphrase) at >= 10^17 guesses (3000 drawn: least 10^17.0);
# an owner's own secret must reach nearly that, not merely 12 characters.
MIN_GUESSES_LOG10 = 16.5


def check_strength(secret: str) -> str:
    """An owner-chosen admin secret must be about as hard to guess as a generated one (zxcvbn)."""
    from zxcvbn import zxcvbn

    check_admin_secret(secret)
    device_words = ["roomsweep", "admin", "secret", "hotspot", "camera", "sweep", "home", "arpa"]
    rating = zxcvbn(secret[:100], user_inputs=device_words)  # zxcvbn's time grows with length; 100 is plenty
    if rating["guesses_log10"] < MIN_GUESSES_LOG10:
        hint = (rating["feedback"].get("warning") or "it is easy to guess").rstrip(".").lower()
        raise IdentityError(
            f"admin secret too weak ({hint}; about 10^{rating['guesses_log10']:.0f} guesses, a generated "
            f"one takes 10^17): use four random groups like {new_passphrase()}, or leave it generated"
        )
    return secret


def set_admin_secret(data_dir: Path | None, secret: str) -> None:
    """Replace the admin secret with the owner's (checked by :func:`check_strength`). The daemon
    sees the new file at the next request and ends every session made under the old secret."""
    data_dir = paths.data_dir() if data_dir is None else data_dir
    check_strength(secret)
    path = atomic_write_bytes(data_dir / ADMIN_SECRET_FILE, (secret + "\n").encode())
    path.chmod(0o600)
    owner = data_dir.stat()
    with contextlib.suppress(OSError):  # written by root (sudo): the service user must still read it
        os.chown(path, owner.st_uid, owner.st_gid)


def load(data_dir: Path | None = None) -> Identity:
    """The stored identity; :class:`IdentityMissing` if none was made here yet."""
    data_dir = paths.data_dir() if data_dir is None else data_dir
    wifi = _read_wifi(data_dir / IDENTITY_FILE)
    secret = _read_admin_secret(data_dir / ADMIN_SECRET_FILE)
    if wifi is None or secret is None:
        missing = IDENTITY_FILE if wifi is None else ADMIN_SECRET_FILE
        raise IdentityMissing(
            f"no device identity in {data_dir} ({missing} is missing): on the appliance run "
            "'sudo roomsweep hotspot' (the installer and first boot do this)"
        )
    return Identity(admin_secret=secret, **wifi)


def load_or_create(data_dir: Path | None = None) -> Identity:
    """The stored identity, making whatever part is missing (first boot)."""
    data_dir = paths.data_dir() if data_dir is None else data_dir
    load_admin_secret(data_dir)
    path = data_dir / IDENTITY_FILE
    if _read_wifi(path) is None:
        atomic_create_bytes(path, _wifi_json(new_ssid(), new_passphrase(), DEFAULT_UI_HOSTNAME))
    return load(data_dir)


def load_admin_secret(data_dir: Path | None = None) -> str:
    """The web UI's admin secret, made on first use."""
    data_dir = paths.data_dir() if data_dir is None else data_dir
    path = data_dir / ADMIN_SECRET_FILE
    secret = _read_admin_secret(path)
    if secret is None:
        atomic_create_bytes(path, (new_passphrase() + "\n").encode())
        secret = _read_admin_secret(path)
    assert secret is not None
    return secret


def update(
    data_dir: Path | None = None,
    *,
    ssid: str | None = None,
    passphrase: str | None = None,
    ui_hostname: str | None = None,
    renew: bool = False,
) -> Identity:
    """Change the hotspot part: given values, or with ``renew`` a fresh random SSID and passphrase."""
    data_dir = paths.data_dir() if data_dir is None else data_dir
    try:
        current = load_or_create(data_dir)
    except IdentityError:
        if not renew:
            raise
        # the broken file is replaced
        current = Identity(ssid="", passphrase="", admin_secret=load_admin_secret(data_dir))
    if renew:
        current = replace(current, ssid=new_ssid(), passphrase=new_passphrase())
    changed = replace(
        current,
        ssid=check_ssid(ssid) if ssid is not None else current.ssid,
        passphrase=check_passphrase(passphrase) if passphrase is not None else current.passphrase,
        ui_hostname=check_hostname(ui_hostname) if ui_hostname is not None else current.ui_hostname,
    )
    atomic_write_bytes(data_dir / IDENTITY_FILE, _wifi_json(changed.ssid, changed.passphrase, changed.ui_hostname))
    return load(data_dir)


def _wifi_json(ssid: str, passphrase: str, ui_hostname: str) -> bytes:
    doc = {
        "ssid": ssid,
        "passphrase": passphrase,
        "ui_hostname": ui_hostname,
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except PermissionError:
        raise IdentityError(f"{path}: permission denied (the device identity is private: use sudo)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IdentityError(f"{path}: unreadable ({exc})") from None


def _read_wifi(path: Path) -> dict[str, Any] | None:
    text = _read_text(path)
    if text is None:
        return None
    fix = "fix or delete it, then run 'sudo roomsweep hotspot' (a new identity needs a new label)"
    try:
        doc = json.loads(text)
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        fields = {name: doc[name] for name in ("ssid", "passphrase", "ui_hostname")}
        if not all(isinstance(v, str) for v in fields.values()):
            raise ValueError("ssid, passphrase and ui_hostname must be text")
        check_ssid(fields["ssid"])
        check_passphrase(fields["passphrase"])
        check_hostname(fields["ui_hostname"])
    except (ValueError, KeyError) as exc:
        reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise IdentityError(f"{path}: {reason}; {fix}") from None
    return fields


def _read_admin_secret(path: Path) -> str | None:
    text = _read_text(path)
    if text is None:
        return None
    try:
        return check_admin_secret(text.strip())
    except IdentityError as exc:
        raise IdentityError(f"{path}: {exc}; delete it to make a new one") from None
