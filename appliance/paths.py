"""Where the appliance keeps its state and settings.

On the Pi, systemd hands the service its directories (``StateDirectory=``/``ConfigurationDirectory=``
set ``STATE_DIRECTORY``/``CONFIGURATION_DIRECTORY``); on a laptop the XDG locations are used.
``ROOMSWEEP_DATA_DIR`` and ``ROOMSWEEP_CONFIG`` override both (tests, several instances).
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Database, images, recordings, device identity."""
    if explicit := os.environ.get("ROOMSWEEP_DATA_DIR"):
        return Path(explicit)
    if systemd := os.environ.get("STATE_DIRECTORY"):
        return Path(systemd.split(":")[0])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "roomsweep"


def config_path() -> Path:
    """The TOML settings file."""
    if explicit := os.environ.get("ROOMSWEEP_CONFIG"):
        return Path(explicit)
    if systemd := os.environ.get("CONFIGURATION_DIRECTORY"):
        return Path(systemd.split(":")[0]) / "roomsweep.toml"
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "roomsweep" / "roomsweep.toml"
