"""SimCamera: a NoIR camera twin that renders a scene's ``optical`` block.

What it draws, and why each part is there (each one is something the glint pipeline must cope with):

- a room: walls, furniture, stripes and fabric texture, blurred like real optics — shake residue;
- ambient light, plus the LED ring's own light on diffuse surfaces (``led_fill``, strongest in the
  middle of the picture) — the on/off frames differ everywhere, not only at lenses;
- lenses: a dark disc of glass that glints (retro-reflects) only while the LED ring is lit;
- IR LEDs: self-luminous, saturating, bright with the ring on or off, near-neutral on a NoIR sensor;
  alone or as a night-vision ring (``ir_rings``) whose LEDs may sit close enough to merge into one
  bright annulus;
- decoys: ``specular`` (lamp highlights, often elongated), ``glossy`` (surfaces reflecting the LED
  ring: bright with the ring on, but large), ``status-led`` (coloured, optionally blinking),
  ``lamp`` (a steady round highlight that glows like an IR LED, but several times its size),
  ``foliage`` (a patch of sunlit leaves: many small bright yellow-green highlights, many clipped);
- hand shake: the whole picture moves by a few pixels (sub-pixel too) between frames;
- sensor noise, 8-bit quantisation and clipping; exposure and gain scale the picture.

The camera reads the illuminator's pin at each capture, as real optics would. Time is modelled
(one frame period per capture, so blinking LEDs blink); with ``time_scale`` = 1 captures are also
paced like a 30 fps camera (``ROOMSWEEP_SIM_TIME_SCALE``, as for the simulated radio).

It runs inside the daemon on a 1 GB Pi's budget: the room is kept as 16-bit reflectance, frames are
rendered in bands of rows and the room's blurs transform bands too, so the camera holds ~6 MiB at
1280×720 and a capture needs little beyond its 8-bit frame.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from hw.camera import DEFAULT_ANALOGUE_GAIN, DEFAULT_EXPOSURE_US
from hw.errors import CameraUnavailable
from hw.sim.radio import time_scale_from_env

MARGIN = 40  # texture border beyond the frame, room for the shake
TEXTURE_STEPS = 65535  # the room's reflectance is kept in 16 bits (half the memory of float32)
BAND_ROWS = 48  # a frame is rendered this many rows at a time: its float work stays a few hundred kB
FULL_SCALE = 255.0
IR_TINT = np.array([1.0, 0.88, 0.95], dtype=np.float32)  # 850 nm through a NoIR sensor's Bayer dyes
LAMP_TINT = np.array([1.0, 0.93, 0.8], dtype=np.float32)
LEAF_TINT = np.array([0.8, 1.0, 0.42], dtype=np.float32)  # sunlit leaves: yellow-green, saturating
LED_COLOURS = {
    "red": (1.0, 0.12, 0.08),
    "green": (0.15, 1.0, 0.3),
    "blue": (0.12, 0.35, 1.0),
    "amber": (1.0, 0.62, 0.08),
    "white": (0.95, 1.0, 1.0),
}
PUPIL_DARKENING = 0.5  # a lens's pupil is dark glass, as wide as its glint
HALF_MAX = math.log(2.0)  # profiles are exp(-ln2 (d/r)^2): radius_px is the half width at half maximum


class LitState(Protocol):
    @property
    def is_on(self) -> bool: ...


class SimCamera:
    """The simulated camera; same protocol as :class:`hw.camera.Picamera2Camera`."""

    def __init__(
        self,
        optical: dict[str, Any],
        illuminator: LitState,
        *,
        seed: int = 0,
        time_scale: float | None = None,
    ) -> None:
        self.optical = optical
        self.illuminator = illuminator
        self.width = int(optical["width"])
        self.height = int(optical["height"])
        self.time_scale = time_scale_from_env() if time_scale is None else time_scale
        self.exposure_us = DEFAULT_EXPOSURE_US
        self.analogue_gain = DEFAULT_ANALOGUE_GAIN
        self.frames = 0
        # (LED lit, dx, dy) of every frame taken: where the scene sat in it, for tests and evaluation
        self.history: list[tuple[bool, float, float]] = []
        self._rng = np.random.default_rng(seed)
        reflectance = room_texture(
            self.height + 2 * MARGIN, self.width + 2 * MARGIN, self._rng, grain=float(optical["grain"])
        )
        reflectance *= TEXTURE_STEPS
        self._texture: np.ndarray | None = np.rint(reflectance, out=reflectance).astype(np.uint16)
        del reflectance
        self._offset = np.zeros(2)
        self._blink_phase = self._rng.uniform(0, 1, len(optical["decoys"]))
        # a foliage decoy's leaves, from their own generator (the frames' noise stays as it was)
        self._leaves = {
            i: _leaves(decoy, np.random.default_rng([seed, i]))
            for i, decoy in enumerate(optical["decoys"])
            if decoy["kind"] == "foliage"
        }
        self._due = time.monotonic()
        self.closed = False

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def time_s(self) -> float:
        return self.frames / float(self.optical["fps"])

    def set_exposure(self, exposure_us: int, analogue_gain: float) -> None:
        self.exposure_us = int(exposure_us)
        self.analogue_gain = float(analogue_gain)

    def close(self) -> None:
        """Closed, the camera holds no picture memory (the room's texture goes)."""
        self.closed = True
        self._texture = None

    def capture(self) -> np.ndarray:
        if self.closed:
            raise CameraUnavailable("camera is closed")
        if self.time_scale > 0:
            self._due = max(self._due, time.monotonic()) + self.time_scale / float(self.optical["fps"])
            time.sleep(max(0.0, self._due - time.monotonic()))
        self._shake()
        lit = self.illuminator.is_on
        frame = self.render(lit=lit, t_s=self.time_s)
        self.history.append((lit, float(self._offset[0]), float(self._offset[1])))
        self.frames += 1
        return frame

    def surround_level(self, x: float, y: float, *, lit: bool = True) -> float:
        """Noise-free level (8-bit steps) of the room 5–8 px around scene point (x, y) (fractions of
        the frame): what a lens at that point must outshine to show with the LED ring ``lit``."""
        px, py = int(x * self.width) + MARGIN, int(y * self.height) + MARGIN
        if self._texture is None:
            raise CameraUnavailable("camera is closed")
        patch = self._texture[py - 8 : py + 9, px - 8 : px + 9].mean(axis=2) / TEXTURE_STEPS
        ring = np.ones((17, 17), bool)
        ring[4:13, 4:13] = False
        row = int(y * self.height)
        beam = led_beam(self.height, self.width, row, row + 1)[0, int(x * self.width)]
        light = self.optical["ambient"] + (self.optical["led_fill"] * beam if lit else 0)
        scale = (self.exposure_us * self.analogue_gain) / (DEFAULT_EXPOSURE_US * DEFAULT_ANALOGUE_GAIN)
        return float(patch[ring].mean() * light * FULL_SCALE * scale)

    def _shake(self) -> None:
        """A hand holding still: a mean-reverting random walk, ``shake_px`` RMS between frames."""
        step = float(self.optical["shake_px"]) / (1.05 * math.sqrt(2.0))
        if self.frames:
            self._offset = 0.8 * self._offset + self._rng.normal(0.0, step, 2)
        else:
            self._offset = self._rng.normal(0.0, step / 0.6, 2)
        self._offset = np.clip(self._offset, -MARGIN + 2, MARGIN - 2)

    def render(self, *, lit: bool, t_s: float = 0.0) -> np.ndarray:
        """One frame with the LED ring ``lit`` or not, at the current shake offset (rendered in bands
        of rows, so a capture costs its 8-bit frame and little else)."""
        h, w = self.height, self.width
        spots = self._spots(lit=lit, t_s=t_s)
        frame = np.empty((h, w, 3), np.uint8)
        for top in range(0, h, BAND_ROWS):
            bottom = min(top + BAND_ROWS, h)
            frame[top:bottom] = self._render_rows(top, bottom, lit=lit, spots=spots)
        return frame

    def _spots(self, *, lit: bool, t_s: float) -> list[_Spot]:
        """What this frame adds to the lit room, in drawing order: lens pupils and glints, IR LEDs and
        their bloom, decoys. Scene points move with the shake: frame position = scene position + offset."""
        o = self.optical
        dx, dy = self._offset
        h, w = self.height, self.width
        spots: list[_Spot] = []
        for lens in o["lenses"]:
            x, y = lens["x"] * w + dx, lens["y"] * h + dy
            spots.append(_Spot(x, y, lens["radius_px"], -PUPIL_DARKENING, darken=True))  # the lens is dark glass
            if lit:
                spots.append(_Spot(x, y, lens["radius_px"], lens["reflectivity"], 1.0))
        for x, y, radius, brightness in ir_led_positions(o, w, h):
            spots += _glow(x + dx, y + dy, radius, brightness, IR_TINT)
        for i, decoy in enumerate(o["decoys"]):
            x, y = decoy["x"] * w + dx, decoy["y"] * h + dy
            shape = (decoy["aspect"], math.radians(decoy["angle_deg"]))
            level = decoy["brightness"]
            if decoy["kind"] == "lamp":  # a steady round highlight, glowing like an LED but larger
                spots += _glow(x, y, decoy["radius_px"], level, LAMP_TINT)
            elif decoy["kind"] == "foliage":  # sunlit leaves: bright in both frames, many, coloured
                spots += [_Spot(x + lx, y + ly, r, ll, LEAF_TINT, shape) for lx, ly, r, ll, shape in self._leaves[i]]
            elif decoy["kind"] == "specular":
                spots.append(_Spot(x, y, decoy["radius_px"], 1.6 * level, LAMP_TINT, shape, flat=True))
            elif decoy["kind"] == "glossy":
                spots.append(_Spot(x, y, decoy["radius_px"], level if lit else 0.12 * level, 1.0, shape, flat=True))
            elif _blink_on(decoy["blink_hz"], t_s, self._blink_phase[i]):
                colour = np.array(LED_COLOURS[decoy["color"]], dtype=np.float32)
                spots.append(_Spot(x, y, decoy["radius_px"], 1.3 * level, colour, shape))
        return spots

    def _render_rows(self, top: int, bottom: int, *, lit: bool, spots: list[_Spot]) -> np.ndarray:
        """Rows ``top``..``bottom`` of the frame: the lit room, the spots, exposure, noise, 8 bits."""
        if self._texture is None:
            raise CameraUnavailable("camera is closed")
        o = self.optical
        dx, dy = self._offset
        w = self.width
        img = _sample(self._texture, MARGIN - dy, MARGIN - dx, bottom - top, w, top)
        light = np.full((bottom - top, w), o["ambient"], dtype=np.float32)
        if lit:
            light += o["led_fill"] * led_beam(self.height, w, top, bottom)
        img *= light[:, :, None]
        for spot in spots:
            spot.draw(img, top)
        scale = (self.exposure_us * self.analogue_gain) / (DEFAULT_EXPOSURE_US * DEFAULT_ANALOGUE_GAIN)
        img *= FULL_SCALE * scale
        noise = o["noise"] * math.sqrt(self.analogue_gain / DEFAULT_ANALOGUE_GAIN)
        if noise:  # the generator's stream runs on band after band, as for one whole frame
            grain = self._rng.standard_normal(img.shape, dtype=np.float32)
            grain *= np.float32(noise)
            img += grain
        np.clip(img, 0, FULL_SCALE, out=img)
        np.rint(img, out=img)
        return img


@dataclass(frozen=True)
class _Spot:
    """Light added at a point (``level`` of full scale at the peak, in ``colour``), or with ``darken``
    the pupil of a lens, which takes light away (``level`` = −share at the centre)."""

    x: float
    y: float
    radius: float
    level: float
    colour: np.ndarray | float = 1.0
    shape: tuple[float, float] = (1.0, 0.0)  # aspect, angle
    flat: bool = False
    darken: bool = False

    def draw(self, img: np.ndarray, top: int) -> None:
        """Onto ``img``, which holds the frame's rows from ``top`` on."""
        cut = _profile(top, img.shape[0], img.shape[1], self.x, self.y, self.radius, *self.shape, flat=self.flat)
        if cut is None:
            return
        sl, prof = cut
        if self.darken:
            img[sl] *= (1.0 + self.level * prof)[:, :, None]
        else:
            img[sl] += (self.level * prof)[:, :, None] * np.asarray(self.colour, dtype=np.float32)


def ir_led_positions(optical: dict[str, Any], w: int, h: int) -> list[tuple[float, float, float, float]]:
    """Every IR LED of the scene (lone ones and those of ``ir_rings``, evenly around their centre):
    (x, y) in scene pixels, radius and brightness."""
    leds = [(led["x"] * w, led["y"] * h, led["radius_px"], led["brightness"]) for led in optical["ir_leds"]]
    for ring in optical.get("ir_rings", []):
        for k in range(ring["leds"]):
            angle = 2 * math.pi * k / ring["leds"]
            x = ring["x"] * w + ring["ring_radius_px"] * math.cos(angle)
            y = ring["y"] * h + ring["ring_radius_px"] * math.sin(angle)
            leds.append((x, y, ring["led_radius_px"], ring["brightness"]))
    return leds


def _leaves(decoy: dict[str, Any], rng: np.random.Generator) -> list[tuple[float, float, float, float, tuple]]:
    """The sunlit leaves of a ``foliage`` patch (``radius_px`` its radius): offsets from its centre,
    half widths 1.5–5 px, 1.5–3.5 times as long as wide, levels around ``brightness`` (many clip)."""
    patch = decoy["radius_px"]
    count = max(1, round(patch * patch / 60))
    out = []
    for _ in range(count):
        r, a = patch * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
        shape = (float(rng.uniform(1.5, 3.5)), float(rng.uniform(0, math.pi)))
        level = decoy["brightness"] * float(rng.uniform(0.6, 1.8))
        out.append((r * math.cos(a), r * math.sin(a), float(rng.uniform(1.5, 5.0)), level, shape))
    return out


def _glow(x: float, y: float, radius: float, brightness: float, tint: np.ndarray) -> list[_Spot]:
    """A self-luminous light: a saturating core and a faint bloom three times as wide."""
    return [_Spot(x, y, radius, 1.6 * brightness, tint), _Spot(x, y, 3 * radius, 0.12 * brightness, tint)]


def _blink_on(blink_hz: float, t_s: float, phase: float) -> bool:
    return blink_hz <= 0 or (t_s * blink_hz + phase) % 1.0 < 0.5


def _sample(texture: np.ndarray, y0: float, x0: float, h: int, w: int, top: int = 0) -> np.ndarray:
    """Bilinear crop (reflectance 0..1, float32) of the 16-bit ``texture`` starting at a sub-pixel
    corner (a camera moved by a fraction), ``h`` rows of it from row ``top`` of the crop on."""
    iy, ix = math.floor(y0), math.floor(x0)
    fy, fx = np.float32(y0 - iy), np.float32(x0 - ix)
    iy += top
    rows = texture[iy : iy + h + 1, ix : ix + w + 1].astype(np.float32)
    rows *= np.float32(1.0 / TEXTURE_STEPS)
    out = rows[:h, :w] * ((1 - fy) * (1 - fx))  # accumulated in place
    out += rows[:h, 1:] * ((1 - fy) * fx)
    out += rows[1:, :w] * (fy * (1 - fx))
    out += rows[1:, 1:] * (fy * fx)
    return out


def _profile(
    top: int,
    rows: int,
    w: int,
    x: float,
    y: float,
    radius: float,
    aspect: float,
    angle: float = 0.0,
    *,
    flat: bool = False,
) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """A profile with half width ``radius`` (``aspect`` times longer along ``angle``), cut to the
    ``rows`` frame rows from ``top`` on: the slices into those rows, and the profile there."""
    reach = math.ceil(3.0 * radius * aspect) + 2
    y0, y1 = max(top, int(y) - reach), min(top + rows, int(y) + reach + 1)
    x0, x1 = max(0, int(x) - reach), min(w, int(x) + reach + 1)
    if y0 >= y1 or x0 >= x1:
        return None
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    u = (xx - x) * math.cos(angle) + (yy - y) * math.sin(angle)
    v = -(xx - x) * math.sin(angle) + (yy - y) * math.cos(angle)
    d2 = ((u / aspect) ** 2 + v**2) / (radius * radius)
    prof = np.exp(-HALF_MAX * d2 * d2) if flat else np.exp(-HALF_MAX * d2)  # flat: a soft-edged disc
    return (slice(y0 - top, y1 - top), slice(x0, x1)), prof.astype(np.float32)


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur by FFT, in place, one channel at a time in single precision, each transform
    over bands of rows or columns (numpy's whole-frame transforms take five times their output in
    scratch): building a room costs the daemon little more than the texture itself."""
    h, w = img.shape[:2]
    fy = np.fft.fftfreq(h).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(w).astype(np.float32)[None, :]
    gain = np.exp(np.float32(-2.0 * (math.pi * sigma) ** 2) * (fy**2 + fx**2))
    spectrum = np.empty(gain.shape, np.complex64)
    rows = [slice(top, top + BAND_ROWS) for top in range(0, h, BAND_ROWS)]
    cols = [slice(left, left + BAND_ROWS) for left in range(0, gain.shape[1], BAND_ROWS)]
    for c in range(img.shape[2]):
        for band in rows:  # the 2-D transform is rfft along rows, then fft along columns
            spectrum[band] = np.fft.rfft(img[band, :, c].astype(np.float32, copy=False), axis=1)
        for band in cols:
            spectrum[:, band] = np.fft.ifft(np.fft.fft(spectrum[:, band], axis=0) * gain[:, band], axis=0)
        for band in rows:
            img[band, :, c] = np.fft.irfft(spectrum[band], n=w, axis=1)
    return img


def room_texture(h: int, w: int, rng: np.random.Generator, *, grain: float = 0.03) -> np.ndarray:
    """Reflectance (0..1, RGB) of a plausible room: wall, furniture, frames, stripes, fabric grain."""
    wall = rng.uniform(0.45, 0.85) * np.array([1.0, rng.uniform(0.9, 1.0), rng.uniform(0.75, 0.95)])
    img = np.empty((h, w, 3), dtype=np.float32)
    img[:] = wall
    yy = np.linspace(0, 1, h, dtype=np.float32)
    xx = np.linspace(0, 1, w, dtype=np.float32)
    for _ in range(int(rng.integers(5, 10))):  # furniture, pictures, doors
        y0, x0 = rng.uniform(-0.1, 0.9), rng.uniform(-0.1, 0.9)
        y1, x1 = y0 + rng.uniform(0.05, 0.5), x0 + rng.uniform(0.05, 0.4)
        colour = rng.uniform(0.05, 0.8) * rng.uniform(0.6, 1.0, 3)
        inside = (_span((yy >= y0) & (yy < y1)), _span((xx >= x0) & (xx < x1)))  # a rectangle
        img[inside] = colour
        if rng.random() < 0.35:  # a striped thing: book spines, blinds, fabric pattern
            period = rng.uniform(4, 14)
            stripes = 0.5 + 0.5 * np.sign(np.sin(2 * math.pi * np.arange(w) / period))
            img[inside] *= (0.55 + 0.45 * stripes)[inside[1]][None, :, None]
    texture = _blur(_standard_normal(rng, h, w), 1.5)
    texture /= texture.std() + 1e-6
    texture *= grain
    texture += 1.0
    img *= texture
    del texture
    shading = _blur(_standard_normal(rng, h, w), 120.0)
    shading /= np.abs(shading).max() + 1e-6
    shading *= 0.25
    shading += 1.0
    img *= shading  # uneven room lighting
    del shading
    return np.clip(_blur(img, 0.8), 0.0, 1.0, out=img)  # the lens's point spread


def _span(inside: np.ndarray) -> slice:
    """The run of True in a monotonic row or column test, as a slice."""
    where = np.flatnonzero(inside)
    return slice(int(where[0]), int(where[-1]) + 1) if where.size else slice(0, 0)


def _standard_normal(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """``rng.standard_normal((h, w, 1))`` as float32, drawn in bands of rows (the same numbers without
    a full-frame float64 array)."""
    out = np.empty((h, w, 1), np.float32)
    for top in range(0, h, BAND_ROWS):
        out[top : top + BAND_ROWS] = rng.standard_normal((min(BAND_ROWS, h - top), w, 1))
    return out


def led_beam(h: int, w: int, top: int = 0, bottom: int | None = None) -> np.ndarray:
    """Relative light of the LED ring across the picture (rows ``top``..``bottom``): 1 in the middle,
    about 0.4 in the corners."""
    yy = (np.arange(top, h if bottom is None else bottom, dtype=np.float32)[:, None] - h / 2) / (h / 2)
    xx = (np.arange(w, dtype=np.float32)[None, :] - w / 2) / (w / 2)
    return np.exp(-0.45 * (xx**2 + yy**2)).astype(np.float32)
