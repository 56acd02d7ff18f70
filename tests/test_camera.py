"""The camera side of the optical sweep: LED ring on mock pins, picamera2 faked at the vendor boundary,
and the simulated NoIR camera."""

from __future__ import annotations

import concurrent.futures
import sys

import numpy as np
import pytest

from hw.camera import Illuminator, Picamera2Camera
from hw.errors import CameraBusy, CameraUnavailable, PanelError, SceneError
from hw.sim import scene as scenemod
from hw.sim.camera import SimCamera

LED_PIN = 24


# --- Illuminator ---------------------------------------------------------------------------------


def test_illuminator_drives_its_pin_and_is_dark_after_close(factory):
    ring = Illuminator(LED_PIN, pin_factory=factory)
    pin = factory.pin(LED_PIN)
    assert not ring.is_on and not pin.state
    ring.on()
    assert ring.is_on and pin.state
    ring.set(False)
    ring.set(True)
    ring.close()
    assert [bool(s.state) for s in pin.states] == [False, True, False, True, False]
    ring.close()  # twice is fine


def test_illuminator_active_low_driver(factory):
    with Illuminator(LED_PIN, active_high=False, pin_factory=factory) as ring:
        pin = factory.pin(LED_PIN)
        assert pin.state  # dark = high for a P-channel / active-low driver
        ring.on()
        assert ring.is_on and not pin.state
    assert bool(pin.states[-2].state), "the ring is switched dark before the pin is released"
    assert pin.function == "input", "closing releases the pin (the driver's pull-up keeps the ring dark)"


@pytest.mark.parametrize("pin", [99, LED_PIN])
def test_illuminator_on_an_unusable_pin_is_a_panel_error(factory, pin):
    holder = Illuminator(LED_PIN, pin_factory=factory)
    try:
        with pytest.raises(PanelError, match=f"GPIO{pin}"):
            Illuminator(pin, pin_factory=factory)
    finally:
        holder.close()


# --- Picamera2Camera against a fake picamera2 -----------------------------------------------------


def frame(value: int) -> np.ndarray:
    return np.full((720, 1280, 3), value, np.uint8)


def test_camera_is_configured_for_comparable_frames(picamera2):
    cam = Picamera2Camera(exposure_us=15000, analogue_gain=2.0)
    fake = picamera2.instances[0]
    assert fake.started
    assert fake.config["main"] == {"size": (1280, 720), "format": "BGR888"}  # R, G, B in memory
    controls = fake.config["controls"]
    assert controls["AeEnable"] is False and controls["AwbEnable"] is False
    assert controls["ExposureTime"] == 15000 and controls["AnalogueGain"] == 2.0
    assert controls["ColourGains"] == (1.0, 1.0)
    assert controls["FrameDurationLimits"][0] >= 15000
    cam.set_exposure(30000, 8.0)
    assert fake.controls["ExposureTime"] == 30000 and fake.controls["AnalogueGain"] == 8.0
    assert fake.controls["FrameDurationLimits"][0] >= 30000
    cam.close()
    assert fake.closed


def test_capture_waits_for_a_fresh_frame_with_the_requested_exposure(picamera2):
    cam = Picamera2Camera(exposure_us=20000, analogue_gain=4.0)
    fake = picamera2.instances[0]
    fake.queue = [
        ({"ExposureTime": 33000, "AnalogueGain": 1.0}, frame(1)),  # controls not applied yet
        ({"ExposureTime": 19980, "AnalogueGain": 4.02}, frame(2)),  # sensor-quantised: fine
    ]
    got = cam.capture()
    assert got.shape == (720, 1280, 3) and (got == 2).all()
    assert all(flush is True for _, flush in fake.flushes), "every capture must start after the call"
    assert all(isinstance(wait, float) for wait, _ in fake.flushes), "every capture has a timeout"
    assert all(r.released for r in fake.requests), "requests go back to the camera"


def test_exposure_never_applied_is_reported(picamera2):
    cam = Picamera2Camera(max_stale_frames=3)
    picamera2.instances[0].queue = [({"ExposureTime": 99, "AnalogueGain": 1.0}, frame(0))] * 4
    with pytest.raises(CameraUnavailable, match="did not apply exposure"):
        cam.capture()


def test_camera_that_stops_delivering_frames(picamera2):
    cam = Picamera2Camera(timeout_s=0.5)
    picamera2.instances[0].queue = [concurrent.futures.TimeoutError()]
    with pytest.raises(CameraUnavailable, match=r"no frame within 0\.5 s"):
        cam.capture()
    cam.close()
    with pytest.raises(CameraUnavailable, match="closed"):
        cam.capture()


def test_no_camera_connected(picamera2):
    picamera2.cameras = []
    with pytest.raises(CameraUnavailable, match="no camera found"):
        Picamera2Camera()


def test_camera_index_out_of_range(picamera2):
    picamera2.open_error = IndexError("list index out of range")  # what Picamera2() raises
    with pytest.raises(CameraUnavailable, match="no camera #0") as info:
        Picamera2Camera()
    assert not isinstance(info.value, CameraBusy)


def test_busy_camera(picamera2):
    try:
        try:
            raise RuntimeError("Failed to acquire camera: Device or resource busy")
        except RuntimeError as inner:
            raise RuntimeError("Camera __init__ sequence did not complete.") from inner
    except RuntimeError as exc:
        picamera2.open_error = exc
    with pytest.raises(CameraBusy, match="in use by another process"):
        Picamera2Camera()


def test_picamera2_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)  # import fails, as on a laptop
    with pytest.raises(CameraUnavailable, match="python3-picamera2"):
        Picamera2Camera()


# --- SimCamera ------------------------------------------------------------------------------------


class Ring:
    is_on = False


def sim(optical: dict, seed: int = 0) -> tuple[SimCamera, Ring]:
    ring = Ring()
    return SimCamera(scenemod.parse({"optical": optical}).optical, ring, seed=seed, time_scale=0), ring


def level_at(img: np.ndarray, x: float, y: float) -> float:
    return float(img[round(y), round(x)].mean())


def test_sim_lens_glints_only_with_the_led_and_ir_led_glows_either_way():
    cam, ring = sim(
        {
            "shake_px": 0,
            "noise": 1,
            "lenses": [{"x": 0.5, "y": 0.5, "radius_px": 2, "reflectivity": 0.6}],
            "ir_leds": [{"x": 0.25, "y": 0.25, "radius_px": 3, "brightness": 1.0}],
        }
    )
    ring.is_on = True
    lit = cam.capture()
    ring.is_on = False
    dark = cam.capture()
    _, dx, dy = cam.history[0]
    lens = (640 + dx, 360 + dy)
    assert level_at(lit, *lens) - level_at(dark, *lens) > 100
    assert level_at(lit, 320 + dx, 180 + dy) >= 250 and level_at(dark, 320 + dx, 180 + dy) >= 250
    assert [h[0] for h in cam.history] == [True, False]


def test_sim_shake_moves_the_whole_picture():
    cam, _ = sim({"shake_px": 3, "noise": 0, "ir_leds": [{"x": 0.5, "y": 0.5, "radius_px": 2}]})
    frames = [cam.capture() for _ in range(6)]
    for img, (_, dx, dy) in zip(frames, cam.history, strict=True):
        ys, xs = np.nonzero(img[300:420, 580:700].mean(axis=2) >= 250)  # the LED's clipped core
        assert abs(xs.mean() + 580 - (640 + dx)) < 0.5 and abs(ys.mean() + 300 - (360 + dy)) < 0.5
    offsets = np.array([h[1:] for h in cam.history])
    step = np.linalg.norm(np.diff(offsets, axis=0), axis=1)
    assert 0.5 < step.mean() < 8


def test_sim_exposure_scales_the_picture_and_status_leds_blink():
    cam, _ = sim(
        {
            "shake_px": 0,
            "noise": 0,
            "decoys": [{"kind": "status-led", "x": 0.5, "y": 0.5, "radius_px": 2, "blink_hz": 10, "color": "red"}],
        }
    )
    a = cam.capture()
    cam.set_exposure(10000, 4.0)
    b = cam.capture()
    wall = (slice(10, 60), slice(10, 60))
    assert abs(b[wall].mean() - a[wall].mean() / 2) < 2
    cam.set_exposure(20000, 4.0)
    led = [cam.capture()[360, 640] for _ in range(12)]  # 10 Hz at 30 fps: on 1.5 frames in 3
    reds = [int(p[0]) - int(p[1]) for p in led]
    assert max(reds) > 100 and min(reds) < 20


def test_sim_camera_closed():
    cam, _ = sim({})
    cam.close()
    with pytest.raises(CameraUnavailable):
        cam.capture()
    with pytest.raises(CameraUnavailable):  # the room's texture went with it
        cam.surround_level(0.5, 0.5)


def test_a_glint_across_a_render_band_boundary_is_whole():
    """Frames are rendered in bands of rows; a lens straddling two bands is still one round spot."""
    from hw.sim.camera import BAND_ROWS

    lens = {"x": 0.5, "y": BAND_ROWS / 720, "radius_px": 3.0, "reflectivity": 0.6}
    cam, ring = sim({"lenses": [lens], "noise": 0, "shake_px": 0, "decoys": [], "ir_leds": []})
    ring.is_on = False
    dark = cam.capture().astype(int).sum(axis=2)
    ring.is_on = True
    glint = cam.capture().astype(int).sum(axis=2) - dark
    _, dx, dy = cam.history[-1]
    cy, cx = round(BAND_ROWS + dy), round(640 + dx)
    spot = glint[cy - 6 : cy + 7, cx - 6 : cx + 7]
    assert spot.max() > 150
    assert np.abs(spot - spot[::-1]).max() <= 0.1 * spot.max()  # as bright above the boundary as below


@pytest.mark.parametrize(
    "optical,message",
    [
        ({"decoys": [{"kind": "status-led", "x": 0.5, "y": 0.5, "color": "pink"}]}, "'pink' is not one of"),
        ({"decoys": [{"kind": "specular", "x": 0.5, "y": 0.5, "aspect": 0.5}]}, "aspect: 0.5 is below the minimum 1"),
        ({"noise": -1}, "noise: -1 is below the minimum 0"),
        ({"shake": 2}, "unknown key 'shake'"),
    ],
)
def test_optical_scene_additions_are_validated(optical, message):
    with pytest.raises(SceneError, match=message):
        scenemod.parse({"optical": optical})
