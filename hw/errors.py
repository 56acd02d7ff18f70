"""The project's own exception hierarchy.

Vendor errors (libusb, libcamera, lgpio) are wrapped at the ``hw`` boundary so the rest of the
appliance reacts to *what happened* (radio gone, camera busy) rather than to a vendor's type.
Each class also derives from the closest built-in so generic handlers keep working.
"""

from __future__ import annotations


class RoomsweepError(Exception):
    """Base of every error this project raises on purpose."""


class BadInputError(RoomsweepError, ValueError):
    """Something the user gave us (a file, a flag, a request) is unusable; the message says why."""


class RecordingError(BadInputError):
    """An IQ recording cannot be read: missing, truncated, unknown format, impossible metadata."""


class SceneError(BadInputError):
    """A simulation scene file is malformed."""


class HardwareError(RoomsweepError, OSError):
    """A device misbehaved or is missing."""


class RadioError(HardwareError):
    """Base for RTL-SDR problems."""


class RadioUnavailable(RadioError):
    """No radio could be opened (absent, busy, or claimed by the DVB-T kernel driver)."""


class RadioLost(RadioError):
    """The radio stopped answering mid-use: pulled out, hung read, USB reset."""


class TuneError(RadioError, ValueError):
    """A frequency outside what the tuner (or recording) covers was asked for."""


class CameraError(HardwareError):
    """Base for camera problems."""


class CameraUnavailable(CameraError):
    """No camera is connected or it could not be opened."""


class CameraBusy(CameraUnavailable):
    """The camera exists but another process holds it."""


class PanelError(HardwareError):
    """GPIO (LEDs, buzzer, button, illuminator) could not be driven."""


class CaptureFileError(BadInputError):
    """A packet capture cannot be read: missing, not pcap/pcapng, a link type we do not parse."""


class WifiError(HardwareError):
    """Base for Wi-Fi adapter problems."""


class WifiUnavailable(WifiError):
    """No monitor-capable Wi-Fi adapter (beside the hotspot's wlan0) could be opened."""


class WifiNoMonitor(WifiUnavailable):
    """A Wi-Fi adapter is plugged in but its driver cannot do monitor mode (the message names it)."""


class WifiLost(WifiError):
    """The adapter stopped answering mid-capture: pulled out, interface gone."""


class ChannelRefused(WifiError, ValueError):
    """The adapter or its regulatory domain will not receive on the channel asked for."""


class AdvertLogError(BadInputError):
    """A recorded BLE advertisement log cannot be read: missing, not JSON lines, a field missing or wrong."""


class BleError(HardwareError):
    """Base for Bluetooth adapter problems."""


class BleUnavailable(BleError):
    """No Bluetooth LE adapter (or no BlueZ to reach it) could be used."""


class BleLost(BleError):
    """The Bluetooth adapter went away mid-scan: pulled, powered off, BlueZ restarted."""


class LanError(HardwareError):
    """Base for the network scan's problems (the room's Wi-Fi, the interface that joined it)."""


class LanUnavailable(LanError):
    """The interface to scan from has no IPv4 network (not joined, no address, not there)."""


class SubnetTooLarge(BadInputError):
    """The network to scan is larger than the scan may sweep (a /22): refused before anything is sent."""


class JoinFailed(LanError):
    """The USB adapter could not join the room's Wi-Fi (wrong passphrase, no such network, no NetworkManager)."""
