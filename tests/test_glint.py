"""Lens glints and IR LEDs: the pipeline (dsp.glint), the scan runner and ``roomsweep glint``."""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from PIL import Image

from appliance import optical, report
from appliance.cli import main
from dsp import glint
from dsp.glint import params, response
from hw.camera import Illuminator
from hw.errors import CameraUnavailable
from hw.sim import scene as scenemod
from hw.sim.camera import SimCamera

LENS = {"x": 0.62, "y": 0.31, "radius_px": 2.0, "reflectivity": 0.25}
IR_LED = {"x": 0.2, "y": 0.7, "radius_px": 3.0, "brightness": 0.9}
DECOYS = [
    {"kind": "specular", "x": 0.5, "y": 0.5, "radius_px": 12, "aspect": 2.5, "angle_deg": 30},
    {"kind": "glossy", "x": 0.3, "y": 0.3, "radius_px": 14, "brightness": 0.5, "aspect": 1.5},
    {"kind": "status-led", "x": 0.8, "y": 0.8, "radius_px": 2, "color": "green"},
    {"kind": "status-led", "x": 0.8, "y": 0.2, "radius_px": 2, "color": "red", "blink_hz": 15},
]


def room(factory, seed=0, **optical_block):
    block = scenemod.parse({"optical": {"noise": 2.0, "shake_px": 2.0, **optical_block}}).optical
    ring = Illuminator(24, pin_factory=factory)
    return SimCamera(block, ring, seed=seed, time_scale=0), ring


def where(camera: SimCamera, item: dict) -> tuple[float, float]:
    """Where a scene point sat in the first LED-on frame."""
    _, dx, dy = next(h for h in camera.history if h[0])
    return item["x"] * camera.width + dx, item["y"] * camera.height + dy


def near(finding: glint.Finding, xy: tuple[float, float], tol: float = 1.5) -> bool:
    return math.hypot(finding.x - xy[0], finding.y - xy[1]) <= tol


# --- the pipeline -------------------------------------------------------------------------------


def test_registration_recovers_a_subpixel_shift(factory):
    camera, _ = room(factory, shake_px=3.0)
    a, b = camera.capture(), camera.capture()
    acc = glint.GlintAccumulator()
    acc.allocate(a.shape)
    shift = acc.register(acc.frame(a), acc.frame(b), varying_gain=False)
    (_, ax, ay), (_, bx, by) = camera.history
    assert abs(shift.dx - (bx - ax)) < 0.1 and abs(shift.dy - (by - ay)) < 0.1


def test_scan_finds_the_lens_and_the_ir_led_where_they_are(factory):
    camera, ring = room(factory, lenses=[LENS], ir_leds=[IR_LED], decoys=DECOYS)
    result = optical.scan(camera, ring, pairs=6, seed=1)
    assert not ring.is_on, "the LED ring is dark after a scan"
    assert result.complete and result.pairs == 6 and result.error is None
    kinds = sorted(f.kind for f in result.findings)
    assert kinds == ["ir-led", "lens"], result.to_json()
    lens = next(f for f in result.findings if f.kind == "lens")
    led = next(f for f in result.findings if f.kind == "ir-led")
    assert near(lens, where(camera, LENS)) and near(led, where(camera, IR_LED))
    assert lens.seen_in >= 5 and lens.score >= 0.5 and 1.0 <= lens.radius_px <= 3.5


def test_faint_small_lens_at_three_times_the_noise_is_found(factory):
    camera, ring = room(factory, noise=2.0)
    lens = {"x": 0.4, "y": 0.6, "radius_px": 1.5}
    pupil = 0.5 * camera.surround_level(lens["x"], lens["y"])  # the glint must outshine its dark pupil
    camera.optical["lenses"] = [{**lens, "reflectivity": (3 * 2.0 + pupil) / 255}]
    result = optical.scan(camera, ring, pairs=8, seed=2)
    assert [f.kind for f in result.findings] == ["lens"]
    assert near(result.findings[0], where(camera, lens), 2.0)


def test_the_cap_never_hides_a_kind_and_counts_what_it_cut(factory):
    """A flood of bright IR LEDs (sunlit leaves, a wall of status lights) outscores a faint lens:
    lenses are listed first, each kind has its own cap, and what the cap left out is counted."""
    leds = [{"x": 0.1 + 0.16 * k, "y": 0.75, "radius_px": 2.5, "brightness": 0.9} for k in range(6)]
    faint = {"x": 0.5, "y": 0.3, "radius_px": 2.0, "reflectivity": 0.035}  # ~14× the stacked noise
    camera, ring = room(factory, lenses=[faint], ir_leds=leds, seed=6)
    result = optical.scan(camera, ring, pairs=6, seed=6, params=glint.GlintParams(max_per_kind=4))
    kinds = [f.kind for f in result.findings]
    assert kinds == ["lens"] + ["ir-led"] * 4, result.to_json()
    assert min(f.score for f in result.findings[1:]) > result.findings[0].score  # sorted across kinds, it would go
    assert near(result.findings[0], where(camera, faint))
    assert result.cut == {"lens": 0, "ir-led": 2}
    part = report.optical_part(result)
    assert part["cut"] == {"lens": 0, "ir-led": 2} and part["findings"][0]["kind"] == "lens"


@pytest.mark.parametrize(("ring_radius", "leds", "led_radius"), [(10, 6, 3.0), (16, 10, 4.0), (21, 12, 4.5)])
def test_a_night_vision_ring_whose_leds_merge_is_one_ring_finding(factory, ring_radius, leds, led_radius):
    """6–12 LEDs on a 10–22 px radius merge into one bright annulus: one ``ir-led`` finding of
    shape ``ring`` at its centre (where the camera's lens is), and the lens inside it scores higher."""
    ring = {"x": 0.45, "y": 0.5, "ring_radius_px": ring_radius, "leds": leds, "led_radius_px": led_radius}
    lens = {"x": 0.45, "y": 0.5, "radius_px": 2.0, "reflectivity": 0.25}
    camera, illuminator = room(factory, lenses=[lens], ir_rings=[ring], seed=7)
    result = optical.scan(camera, illuminator, pairs=6, seed=7)
    leds_found = [f for f in result.findings if f.kind == "ir-led"]
    assert len(leds_found) == 1 and leds_found[0].shape == "ring", result.to_json()
    assert near(leds_found[0], where(camera, ring), 2.0)
    assert abs(leds_found[0].radius_px - ring_radius) < 2.5
    assert "merged into one bright annulus" in leds_found[0].reasons[0]
    assert leds_found[0].to_json()["shape"] == "ring"
    lenses = [f for f in result.findings if f.kind == "lens"]
    assert len(lenses) == 1 and near(lenses[0], where(camera, lens)) and "inside a ring of IR LEDs" in lenses[0].reasons


def test_lamp_highlights_several_times_an_leds_size_are_not_ir_leds(factory):
    """Steady round highlights of 7–12 px that glow like an LED, dim and bright, in a lit room and a
    dark one: none is an IR LED; a real IR LED beside them still is."""
    lamps = [
        {"kind": "lamp", "x": 0.15 + 0.14 * k, "y": 0.3 + 0.4 * (k % 2), "radius_px": r, "brightness": b}
        for k, (r, b) in enumerate([(7.0, 0.45), (7.5, 0.6), (8.0, 0.32), (9.0, 0.8), (12.0, 1.0), (7.0, 0.35)])
    ]
    for light in ({"ambient": 0.4}, {"ambient": 0.04, "led_fill": 0.3}):
        camera, ring = room(factory, decoys=lamps, ir_leds=[{**IR_LED, "x": 0.9, "y": 0.5}], seed=8, **light)
        result = optical.scan(camera, ring, pairs=6, seed=8)
        ring.close()
        assert [f.kind for f in result.findings] == ["ir-led"], result.to_json()
        assert near(result.findings[0], where(camera, {"x": 0.9, "y": 0.5}), 2.0)


def test_sunlit_foliage_does_not_flood_the_ir_led_list(factory):
    """Two patches of sunlit leaves (many small, bright, clipped, yellow-green highlights in both
    frames) beside a lens and an IR LED: the leaves are neither; their clipped cores are white but
    their rims are not, and an IR LED is colourless."""
    leaves = [
        {"kind": "foliage", "x": 0.3, "y": 0.5, "radius_px": 120, "brightness": 0.8},
        {"kind": "foliage", "x": 0.75, "y": 0.4, "radius_px": 90, "brightness": 1.0},
    ]
    led = {**IR_LED, "x": 0.9, "y": 0.85}
    lens = {**LENS, "x": 0.55, "y": 0.8}
    for seed in (0, 2):
        camera, ring = room(factory, decoys=leaves, ir_leds=[led], lenses=[lens], ambient=0.6, seed=seed)
        result = optical.scan(camera, ring, pairs=6, seed=seed)
        ring.close()
        assert [f.kind for f in result.findings] == ["lens", "ir-led"], result.to_json()
        assert near(result.findings[0], where(camera, lens)) and near(result.findings[1], where(camera, led), 2.0)


def test_decoys_alone_give_no_finding(factory):
    """Lamp highlight, glossy surface lit by the ring, steady and blinking coloured status LEDs."""
    camera, ring = room(factory, decoys=DECOYS, seed=3)
    assert optical.scan(camera, ring, pairs=8, seed=3).findings == []


def test_light_blinking_in_step_with_a_fixed_on_off_rhythm_is_no_lens(factory):
    """15 Hz at 30 fps is lit in every first frame of a pair: the random order per pair exposes it."""
    blinker = {"kind": "status-led", "x": 0.5, "y": 0.5, "radius_px": 2, "color": "white", "blink_hz": 15}
    camera, ring = room(factory, decoys=[blinker], shake_px=1.0)
    assert optical.scan(camera, ring, pairs=8, seed=5).findings == []


def test_a_glint_in_one_pair_only_is_not_persistent(factory):
    camera, ring = room(factory, shake_px=1.0)
    frames = []
    for _ in range(6):
        ring.on()
        on = camera.capture()
        ring.off()
        frames.append((on, camera.capture()))
    spot = frames[2][0].copy()
    spot[200:203, 300:303] = 255  # a flash in one frame: insect, reflection of a passing light
    frames[2] = (spot, frames[2][1])
    assert glint.find(frames) == []


def test_mismatched_frames_are_rejected():
    acc = glint.GlintAccumulator()
    with pytest.raises(ValueError, match="sizes differ"):
        acc.add_pair(np.zeros((100, 120), np.uint8), np.zeros((100, 100), np.uint8))
    acc.add_pair(np.zeros((100, 120), np.uint8), np.zeros((100, 120), np.uint8))
    with pytest.raises(ValueError, match="the first pair was"):
        acc.add_pair(np.zeros((120, 100), np.uint8), np.zeros((120, 100), np.uint8))
    with pytest.raises(ValueError, match="8-bit"):
        glint.GlintAccumulator().add_pair(np.zeros((100, 120)), np.zeros((100, 120)))


def _box_sums(img: np.ndarray, half: int) -> np.ndarray:
    """(2·half+1)² box sums by a full-frame cumulative sum: the plain reference for the band kernels."""
    sat = np.zeros((img.shape[0] + 1, img.shape[1] + 1))
    sat[1:, 1:] = img.astype(np.float64).cumsum(0).cumsum(1)
    n = 2 * half + 1
    return sat[n:, n:] - sat[:-n, n:] - sat[n:, :-n] + sat[:-n, :-n]  # centred at (y + half, x + half)


def test_band_responses_match_full_frame_box_sums():
    """The responses come from summed-area tables of row bands; across every band boundary they equal
    the same sums from one full-frame table."""
    rng = np.random.default_rng(3)
    h, w = 2 * params.BAND_ROWS + 37, 97  # bands end mid-frame and the last one is short
    img = (rng.random((h, w)) * 255).astype(np.float32)
    c, g, o = params.CENTRE_HALF, params.GAP_HALF, params.OUTER_HALF
    centre, gap, outer = (_box_sums(img, k)[o - k : h - o - k, o - k : w - o - k] for k in (c, g, o))
    ring = (2 * o + 1) ** 2 - (2 * g + 1) ** 2
    want = np.zeros((h, w), np.float32)
    want[o : h - o, o : w - o] = centre / (2 * c + 1) ** 2 - (outer - gap) / ring
    got = np.empty((h, w), np.float32)
    response.spot_response(img, 0, h, 0, w, got)
    np.testing.assert_allclose(got, want, atol=1e-3)
    y0, y1, x0, x1 = 5, h - 3, 7, w - 2  # a sub-rectangle: zero outside, the same inside
    response.spot_response(img, y0, y1, x0, x1, got)
    inner = (slice(y0 + o, y1 - o), slice(x0 + o, x1 - o))
    np.testing.assert_allclose(got[inner], want[inner], atol=1e-3)
    assert np.count_nonzero(got) == got[inner].size

    r = params.POINT_REACH + 1
    boxes = _box_sums(img, 1)  # box centred at (y, x) is boxes[y - 1, x - 1]
    ys, xs = np.mgrid[r : h - r, r : w - r]
    sides = [
        boxes[ys + dy - 1, xs + dx - 1] + boxes[ys - dy - 1, xs - dx - 1]
        for dy, dx in zip(params.POINT_DY, params.POINT_DX, strict=True)
    ]
    want = np.zeros((h, w), np.float32)
    want[r : h - r, r : w - r] = (boxes[ys - 1, xs - 1] - 0.5 * np.max(sides, axis=0)) / 9
    response.point_response(img, got)
    np.testing.assert_allclose(got, want, atol=1e-3)


def test_pairs_beyond_the_counters_range_are_refused():
    acc = glint.GlintAccumulator()
    frame = np.full((40, 40, 3), 100, np.uint8)
    for _ in range(glint.MAX_PAIRS):
        acc.add_pair(frame, frame)
    with pytest.raises(ValueError, match=f"at most {glint.MAX_PAIRS} pairs"):
        acc.add_pair(frame, frame)
    assert acc.pairs == glint.MAX_PAIRS and int(acc.cov.max()) == glint.MAX_PAIRS  # no counter wrapped


def test_accumulator_state_is_under_24_bytes_a_pixel():
    """What a scan holds between pairs, whatever the number of pairs (a 1 GB Pi; DESIGN: 1280×720)."""
    acc = glint.GlintAccumulator()
    rng = np.random.default_rng(0)
    for _ in range(2):
        acc.add_pair(*(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8) for _ in range(2)))
    held = sum(v.nbytes for v in vars(acc).values() if isinstance(v, np.ndarray)) + acc.reference.grey.nbytes
    assert held / (96 * 128) < 24  # 2 float32 sums, 3 uint16 colour sums, 5 uint8 counters, grey


def test_finding_json_is_the_design_shape():
    doc = glint.Finding(412.54, 233.0, 2.13, "lens", 0.934, 3, 17.2, ("why",)).to_json()
    assert doc == {
        "x": 412.5,
        "y": 233.0,
        "radius_px": 2.1,
        "kind": "lens",
        "score": 0.93,
        "seen_in": 3,
        "snr": 17.2,
        "reasons": ["why"],
        "shape": "spot",
    }


# --- the scan runner ------------------------------------------------------------------------------


class DyingCamera:
    """A camera pulled out after ``frames`` captures."""

    def __init__(self, inner, frames):
        self.inner, self.left = inner, frames

    size = property(lambda self: self.inner.size)

    def set_exposure(self, exposure_us, gain):
        self.inner.set_exposure(exposure_us, gain)

    def capture(self):
        self.left -= 1
        if self.left < 0:
            raise CameraUnavailable("camera delivered no frame within 2 s: cable loose or camera hung?")
        return self.inner.capture()

    def close(self):
        self.inner.close()


def test_camera_lost_mid_scan_keeps_what_was_measured(factory):
    camera, ring = room(factory, lenses=[LENS])
    seen = []
    result = optical.scan(DyingCamera(camera, 9), ring, pairs=8, progress=seen.append)
    assert not result.complete and result.pairs == 4 and "cable loose" in result.error
    assert seen == [0.125, 0.25, 0.375, 0.5]
    assert [f.kind for f in result.findings] == ["lens"]
    assert not ring.is_on
    assert result.to_json()["complete"] is False


def test_cancel_ends_the_scan_between_pairs(factory):
    camera, ring = room(factory)
    cancel = threading.Event()
    result = optical.scan(camera, ring, pairs=8, cancel=cancel, progress=lambda f: f >= 0.25 and cancel.set())
    assert result.cancelled and result.pairs == 2 and not result.complete


def test_annotated_picture_circles_the_lens_and_is_saved_atomically(factory, tmp_path):
    camera, ring = room(factory, lenses=[LENS])
    result = optical.scan(camera, ring, pairs=4)
    img = np.asarray(Image.open(io.BytesIO(result.annotated_jpeg())).convert("RGB")).astype(int)
    assert img.shape == (720, 1280, 3)
    x, y = where(camera, LENS)
    r = 10 * 2  # circles are at least 10 px (scaled to the picture) around a finding
    ring_pixels = img[round(y) - r - 3 : round(y) + r + 4, round(x) - r - 3 : round(x) + r + 4]
    red = (ring_pixels[..., 0] > 180) & (ring_pixels[..., 1] < 100) & (ring_pixels[..., 2] < 100)
    assert red.sum() > 50, "a red circle around the lens"
    path = result.save_annotated(tmp_path / "sweep-7")
    assert path.name == "glints.jpg" and path.read_bytes()[:2] == b"\xff\xd8"
    assert not list((tmp_path / "sweep-7").glob(".*.tmp"))
    summary = result.summary()
    assert summary["pairs"] == 4 and summary["lenses"] == 1 and summary["ir_leds"] == 0


# --- roomsweep glint ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair_files(tmp_path_factory):
    """Three LED-on/LED-off pairs of the demo room as PNG (on) and JPEG (off) files."""
    from gpiozero.pins.mock import MockFactory

    folder = tmp_path_factory.mktemp("pairs")
    ring = Illuminator(24, pin_factory=MockFactory())
    camera = SimCamera(scenemod.load_demo().optical, ring, seed=4, time_scale=0)
    paths = []
    for k in range(3):
        ring.on()
        Image.fromarray(camera.capture()).save(folder / f"on{k}.png")
        ring.off()
        Image.fromarray(camera.capture()).save(folder / f"off{k}.jpg", quality=92)
        paths += [folder / f"on{k}.png", folder / f"off{k}.jpg"]
    ring.close()
    lens = scenemod.load_demo().optical["lenses"][0]
    return paths, where(camera, lens)


def test_glint_cli_on_image_pairs(pair_files, tmp_path, capsys):
    paths, lens_xy = pair_files
    out = tmp_path / "annotated.jpg"
    assert main(["glint", *map(str, paths), "--json", "--annotate", str(out)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["pairs"] == 3 and doc["image"] == {"width": 1280, "height": 720}
    assert doc["cut"] == {"lens": 0, "ir-led": 0}
    lenses = [f for f in doc["findings"] if f["kind"] == "lens"]
    assert len(lenses) == 1 and math.hypot(lenses[0]["x"] - lens_xy[0], lenses[0]["y"] - lens_xy[1]) < 1.5
    assert {"x", "y", "radius_px", "kind", "score", "seen_in"} <= set(lenses[0])
    assert Image.open(out).size == (1280, 720)


def test_glint_cli_text_output(pair_files, capsys):
    paths, _ = pair_files
    assert main(["glint", *map(str, paths[:2])]) == 0
    text = capsys.readouterr().out
    assert "1 pair(s), 1280×720 px" in text and "lens" in text


@pytest.mark.parametrize(
    "case,message",
    [
        ("odd", "images come in LED-on/LED-off pairs, got 3"),
        ("missing", "nope.png: no such file"),
        ("garbage", "broken.png: not an image (PNG or JPEG expected)"),
        ("truncated", "cut.png: cannot read the image"),
        ("size", "small.png: 640×360 px, but on0.png is 1280×720 px"),
        ("none", "give LED-on/LED-off image pairs"),
        ("both", "image files or a scan"),
        ("many", "at most 255 pairs, got 256"),
    ],
)
def test_glint_cli_bad_input_is_one_line_and_exit_2(pair_files, tmp_path, capsys, case, message):
    paths, _ = pair_files
    on = str(paths[0])
    (tmp_path / "broken.png").write_bytes(b"not a picture at all")
    data = paths[0].read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    Image.open(paths[0]).resize((640, 360)).save(tmp_path / "small.png")
    argv = {
        "odd": [on, str(paths[1]), on],
        "missing": [on, str(tmp_path / "nope.png")],
        "garbage": [on, str(tmp_path / "broken.png")],
        "truncated": [on, str(tmp_path / "cut.png")],
        "size": [on, str(tmp_path / "small.png")],
        "none": [],
        "both": [on, str(paths[1]), "--simulate"],
        "many": [on, str(paths[1])] * 256,
    }[case]
    assert main(["glint", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_glint_cli_simulated_scan_in_a_subprocess():
    proc = subprocess.run(
        [sys.executable, "-m", "appliance.cli", "glint", "--simulate", "--pairs", "3", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ROOMSWEEP_SIM_TIME_SCALE": "0"},
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["pairs"] == 3 and {f["kind"] for f in doc["findings"]} == {"lens", "ir-led"}


def test_scan_room_reports_a_missing_camera_instead_of_raising(monkeypatch, factory):
    monkeypatch.setitem(sys.modules, "picamera2", None)
    from appliance import config as cfg
    from appliance.rig import DeviceRig

    rig = DeviceRig(cfg.load(None, env={}), pin_factory=factory)
    result = optical.scan_room(rig)
    rig.close()
    assert result.pairs == 0 and result.findings == [] and "picamera2" in result.error
    assert result.annotated_jpeg() is None and result.to_json()["complete"] is False


def test_glint_cli_without_a_camera_is_exit_1_with_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "picamera2", None)
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "mock")
    assert main(["glint", "--camera", "--json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("roomsweep glint: no scan: picamera2 is not usable here") and err.count("\n") == 1
