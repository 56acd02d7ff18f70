"""Headless Chromium for the phone UI tests and benchmarks: Debian's own build, a phone viewport.

Playwright drives /usr/bin/chromium (installed by .ci/test from .ci/apt-packages.txt); it never
downloads a browser. The flags keep Chromium off the network it would otherwise call home to
(this machine's network is closed) and working inside containers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
# A 390×844 portrait phone with a 3× screen and touch input.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


def launch(playwright: Any) -> Any:
    """Debian's Chromium, headless; RuntimeError with the fix when it is not installed."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"Debian's chromium is missing ({CHROMIUM}): apt-get install chromium")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
