"""The camera and its illuminator: the ``Camera`` protocol, the picamera2 driver and the LED ring.

An optical scan alternates the IR/red LED ring on and off and compares frames, so two things
matter more than image quality: frames must be *comparable* (manual exposure, gain and colour
gains — auto-exposure would "correct" the LED away) and each frame must be exposed entirely in one
LED state (a rolling shutter exposes row by row, so a frame that straddles a switch is half lit).
:meth:`Camera.capture` therefore promises a frame whose exposure *began after the call*; the scan
switches the LED only between captures. The simulated camera is :class:`hw.sim.camera.SimCamera`.
"""

from __future__ import annotations

import concurrent.futures
import logging
from typing import Any, Protocol, runtime_checkable

import numpy as np

from hw.errors import CameraBusy, CameraUnavailable, PanelError

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1280, 720)
DEFAULT_EXPOSURE_US = 20_000
DEFAULT_ANALOGUE_GAIN = 4.0


@runtime_checkable
class Camera(Protocol):
    """What an optical scan needs from a camera."""

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of captured frames."""

    def set_exposure(self, exposure_us: int, analogue_gain: float) -> None:
        """Fix exposure and gain (auto-exposure and auto-white-balance stay off)."""

    def capture(self) -> np.ndarray:
        """An RGB uint8 frame (height, width, 3) whose exposure started after this call."""

    def close(self) -> None: ...


class Illuminator:
    """The IR/red LED ring on one GPIO pin (through a MOSFET or LED driver), via gpiozero.

    gpiozero asks ``pin_factory`` for the pin: real pins on a Pi, ``MockFactory`` in simulation
    and tests — the caller chooses, nothing here falls back to a mock. ``is_on`` reads the pin
    itself, which is what the (simulated) optics see.
    """

    def __init__(self, pin: int, *, active_high: bool = True, pin_factory: Any = None) -> None:
        try:
            import gpiozero
        except ImportError as exc:  # pragma: no cover - gpiozero is a dependency
            raise PanelError(f"gpiozero is not installed ({exc})") from None
        self.pin = pin
        try:
            self._device = gpiozero.DigitalOutputDevice(
                pin, active_high=active_high, initial_value=False, pin_factory=pin_factory
            )
        except gpiozero.GPIOZeroError as exc:
            raise PanelError(
                f"cannot drive the illuminator on GPIO{pin} ({exc}); on a laptop use --simulate, "
                "on a Pi check GPIOZERO_PIN_FACTORY=lgpio and the pin number"
            ) from None

    @property
    def is_on(self) -> bool:
        return bool(self._device.value)

    def on(self) -> None:
        self._device.on()

    def off(self) -> None:
        self._device.off()

    def set(self, lit: bool) -> None:
        self.on() if lit else self.off()

    def close(self) -> None:
        """Leave the LEDs dark and release the pin (safe to call twice)."""
        if self._device.closed:
            return
        try:
            self._device.off()
        finally:
            self._device.close()

    def __enter__(self) -> Illuminator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _import_picamera2() -> Any:
    try:
        from picamera2 import Picamera2  # vendor library, present only on a Pi
    except ImportError as exc:
        raise CameraUnavailable(
            f"picamera2 is not usable here ({exc}); on Raspberry Pi OS: apt install python3-picamera2 "
            "and create the venv with --system-site-packages"
        ) from None
    return Picamera2


def camera_models() -> list[str]:
    """Cameras libcamera can see, without opening (and so without taking) any of them."""
    picamera2 = _import_picamera2()
    try:
        return [str(info.get("Model", "camera")) for info in picamera2.global_camera_info()]
    except Exception as exc:  # libcamera errors come in many types; the answer is "cannot tell"
        raise CameraUnavailable(f"cannot list cameras ({exc})") from None


def _is_busy(exc: BaseException) -> bool:
    """libcamera's 'Device or resource busy' (or -16) anywhere in the exception chain."""
    seen: BaseException | None = exc
    while seen is not None:
        text = str(seen).lower()
        if "busy" in text or "-16" in text or "in use by another process" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class Picamera2Camera:
    """A Raspberry Pi camera (a NoIR for IR work) through picamera2.

    Frames are RGB in memory order R, G, B (picamera2's ``BGR888`` format). Exposure, analogue gain
    and colour gains are fixed before the camera starts, so they apply from the first frame; unit
    colour gains keep 850 nm light neutral on a NoIR sensor, which lets the IR-LED finder tell IR
    from a coloured status LED. :meth:`capture` waits for a frame whose exposure began after the
    call (picamera2's ``flush``) and for metadata showing the requested exposure was applied.
    """

    def __init__(
        self,
        *,
        camera_num: int = 0,
        size: tuple[int, int] = DEFAULT_SIZE,
        exposure_us: int = DEFAULT_EXPOSURE_US,
        analogue_gain: float = DEFAULT_ANALOGUE_GAIN,
        colour_gains: tuple[float, float] = (1.0, 1.0),
        tuning: str | None = None,
        timeout_s: float = 2.0,
        max_stale_frames: int = 12,
    ) -> None:
        self._size = (int(size[0]), int(size[1]))
        self.timeout_s = timeout_s
        self.max_stale_frames = max_stale_frames
        self.exposure_us = int(exposure_us)
        self.analogue_gain = float(analogue_gain)
        self.colour_gains = colour_gains
        vendor = _import_picamera2()
        self._cam: Any = None
        try:
            if not vendor.global_camera_info():
                raise CameraUnavailable("no camera found: is the ribbon cable seated and the camera enabled?")
            self._cam = vendor(camera_num) if tuning is None else vendor(camera_num, tuning=tuning)
        except CameraUnavailable:
            raise
        except IndexError:
            raise CameraUnavailable(f"no camera #{camera_num}: is the ribbon cable seated?") from None
        except RuntimeError as exc:
            if _is_busy(exc):
                raise CameraBusy(
                    f"camera #{camera_num} is in use by another process (stop it, e.g. rpicam-hello)"
                ) from None
            raise CameraUnavailable(f"camera #{camera_num} did not open: {exc}") from None
        try:
            config = self._cam.create_video_configuration(
                main={"size": self._size, "format": "BGR888"}, buffer_count=4, controls=self._controls()
            )
            self._cam.configure(config)
            self._cam.start()
        except (RuntimeError, OSError, ValueError) as exc:
            self.close()
            raise CameraUnavailable(f"camera #{camera_num} could not be started: {exc}") from None

    def _controls(self) -> dict[str, Any]:
        frame_us = max(33_333, self.exposure_us + 1_000)  # the frame must be long enough for the exposure
        return {
            "AeEnable": False,
            "AwbEnable": False,
            "ExposureTime": self.exposure_us,
            "AnalogueGain": self.analogue_gain,
            "ColourGains": self.colour_gains,
            "FrameDurationLimits": (frame_us, frame_us),
        }

    @property
    def size(self) -> tuple[int, int]:
        return self._size

    def set_exposure(self, exposure_us: int, analogue_gain: float) -> None:
        self.exposure_us = int(exposure_us)
        self.analogue_gain = float(analogue_gain)
        try:
            self._cam.set_controls(self._controls())
        except (RuntimeError, OSError, AttributeError) as exc:
            raise CameraUnavailable(
                f"camera rejected exposure {exposure_us} µs / gain {analogue_gain}: {exc}"
            ) from None

    def _applied(self, metadata: dict[str, Any]) -> bool:
        """True if the frame's metadata shows our exposure and gain (controls take a few frames)."""
        exposure = metadata.get("ExposureTime")
        gain = metadata.get("AnalogueGain")
        if exposure is None or gain is None:
            return True  # nothing to check against
        # sensors quantise exposure to whole lines and gain to register steps
        return abs(exposure - self.exposure_us) <= max(100, 0.03 * self.exposure_us) and abs(
            gain - self.analogue_gain
        ) <= max(0.05, 0.03 * self.analogue_gain)

    def capture(self) -> np.ndarray:
        if self._cam is None:
            raise CameraUnavailable("camera is closed")
        for _ in range(self.max_stale_frames + 1):
            try:
                request = self._cam.capture_request(wait=self.timeout_s, flush=True)
            except concurrent.futures.TimeoutError:
                raise CameraUnavailable(
                    f"camera delivered no frame within {self.timeout_s:g} s: cable loose or camera hung?"
                ) from None
            except (RuntimeError, OSError) as exc:
                raise CameraUnavailable(f"camera capture failed: {exc}") from None
            try:
                if self._applied(request.get_metadata()):
                    return request.make_array("main")
            finally:
                request.release()
        raise CameraUnavailable(
            f"camera did not apply exposure {self.exposure_us} µs / gain {self.analogue_gain:g} "
            f"within {self.max_stale_frames} frames"
        )

    def close(self) -> None:
        cam, self._cam = self._cam, None
        if cam is None:
            return
        try:
            cam.close()  # stops the camera too
        except Exception as exc:  # a dead camera may fail to close; nothing left to save
            log.debug("closing the camera failed: %s", exc)

    def __enter__(self) -> Picamera2Camera:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
