"""Who made a Wi-Fi device's radio: the IEEE OUI registry offline (``netaddr``'s bundled copy), and a short
list of makers whose Wi-Fi modules sit in cheap cameras.

An OUI is a weak hint only: Espressif, Realtek and Bilian modules are in plugs and bulbs too, and phones
randomise their MAC (a locally administered address has no vendor). The traffic decides; the vendor is
shown and named in the reasons, never turned into a verdict.
"""

from __future__ import annotations

import functools

from dsp import frames as fr

#: Makers (as the IEEE registry spells them, matched case-insensitively as substrings) of the Wi-Fi SoCs and
#: modules in mass-market hidden and "P2P cloud" cameras, and of the cameras themselves.
CAMERA_MODULE_VENDORS = (
    "espressif",  # ESP32-CAM and many cheap cloud cameras
    "shenzhen bilian",  # BL-M8188 / BL-R8188 USB Wi-Fi modules in P2P cameras
    "realtek",  # RTL8188 / RTL8189 SDIO modules
    "beken",  # BK7231 / BK7252 camera SoCs
    "anyka",  # AK3918 camera SoCs
    "ingenic",  # T31 / T40 camera SoCs
    "hikvision",
    "dahua",
    "ezviz",
    "wyze",
    "arlo",
    "axis communications",
)


@functools.lru_cache(maxsize=4096)
def vendor(mac: str) -> str | None:
    """The registered organisation of ``mac``'s OUI, or None (unregistered, randomised or multicast)."""
    value = fr.mac_to_int(mac)
    if fr.is_locally_administered(value) or (value >> 40) & 1:
        return None
    import netaddr  # the registry loads on first use

    try:
        return netaddr.EUI(value).oui.registration().org
    except (netaddr.NotRegisteredError, IndexError, ValueError):
        return None


def makes_camera_modules(organisation: str | None) -> bool:
    """Is this maker on the camera-module list? (A hint for the reasons, not a verdict.)"""
    name = (organisation or "").lower()
    return any(key in name for key in CAMERA_MODULE_VENDORS)


def hint(organisation: str | None) -> str | None:
    """The reason sentence for a camera-module maker, or None."""
    if not makes_camera_modules(organisation):
        return None
    return f"made by {organisation}, a maker of camera Wi-Fi modules (also in plugs and bulbs: a weak hint)"
