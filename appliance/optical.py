"""The optical sweep: K LED-on / LED-off frame pairs from the camera, findings and an annotated picture.

Each pair is taken back to back, in an order drawn at random per pair (LED first or dark
first): a lens follows the LED whatever the order, while a status LED that happens to blink in
step with a fixed on/off rhythm does not. The LED switches only between captures, and every
capture waits for a frame exposed entirely after the switch (see :mod:`hw.camera`).

Like the RF sweep, a scan never raises for hardware trouble: a camera lost mid-scan ends it
early with the findings of the pairs already taken and an ``error`` saying what happened.
"""

from __future__ import annotations

import io
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dsp import glint
from hw.camera import Camera, Illuminator
from hw.errors import HardwareError
from hw.files import atomic_write_bytes

log = logging.getLogger(__name__)

DEFAULT_PAIRS = 8
ANNOTATION_NAME = "glints.jpg"
COLOURS = {"lens": (255, 40, 40), "ir-led": (255, 170, 0)}
LABELS = {"lens": "lens", "ir-led": "IR LED"}


@dataclass
class OpticalScan:
    """Findings of one scan, the picture they refer to, and how the scan went."""

    findings: list[glint.Finding]
    pairs: int
    reference: np.ndarray | None  # the first LED-on frame: finding coordinates are its pixels
    complete: bool = True
    cancelled: bool = False
    error: str | None = None
    wall_time_s: float = 0.0
    dsp_time_s: float = 0.0
    reports: list[glint.PairReport] = field(default_factory=list)
    cut: dict[str, int] = field(default_factory=lambda: dict.fromkeys(glint.KINDS, 0))  # left out by the cap

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) of the frames, if any were taken."""
        return None if self.reference is None else (self.reference.shape[1], self.reference.shape[0])

    def to_json(self) -> dict[str, Any]:
        """The ``glint --json`` document (DESIGN.md): ``pairs`` and ``findings`` (lenses first), plus
        ``cut`` (findings of each kind beyond the cap per kind, counted, not listed) and scan facts."""
        doc: dict[str, Any] = {"pairs": self.pairs, "findings": [f.to_json() for f in self.findings]}
        doc["cut"] = {kind: self.cut.get(kind, 0) for kind in glint.KINDS}
        size = self.size
        doc["image"] = None if size is None else {"width": size[0], "height": size[1]}
        doc["complete"] = self.complete
        doc["error"] = self.error
        return doc

    def summary(self) -> dict[str, Any]:
        """A few numbers for a sweep's record: pairs, counts by kind, worst shake, timing."""
        shake = [max(abs(r.on_shift.dx), abs(r.on_shift.dy)) for r in self.reports]
        return {
            "pairs": self.pairs,
            "lenses": sum(f.kind == "lens" for f in self.findings),
            "ir_leds": sum(f.kind == "ir-led" for f in self.findings),
            "max_shake_px": round(max(shake), 1) if shake else None,
            "complete": self.complete,
            "wall_time_s": round(self.wall_time_s, 2),
            "dsp_time_s": round(self.dsp_time_s, 2),
        }

    def annotated_jpeg(self, *, quality: int = 85) -> bytes | None:
        """The first LED-on frame with every finding circled and labelled; None if no frame was taken."""
        if self.reference is None:
            return None
        return annotate(self.reference, self.findings, quality=quality)

    def save_annotated(self, directory: str | Path, name: str = ANNOTATION_NAME) -> Path | None:
        """Write :meth:`annotated_jpeg` atomically into ``directory``; returns the path (None: no frame)."""
        data = self.annotated_jpeg()
        return None if data is None else atomic_write_bytes(Path(directory) / name, data)


def annotate(frame: np.ndarray, findings: Iterable[glint.Finding], *, quality: int = 85) -> bytes:
    """JPEG of ``frame`` with circles and labels: red for lenses, amber for IR LEDs."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.fromarray(frame if frame.ndim == 3 else np.repeat(frame[:, :, None], 3, axis=2), "RGB")
    draw = ImageDraw.Draw(image)
    scale = max(1.0, image.width / 640)
    font = ImageFont.load_default(size=int(11 * scale))
    width = max(2, round(2 * scale))
    for f in findings:
        colour = COLOURS.get(f.kind, (255, 255, 255))
        # a spot is circled well outside itself; a merged ring of IR LEDs just outside the ring
        r = f.radius_px + 6.0 * scale if f.shape == "ring" else max(10.0 * scale, 3.0 * f.radius_px)
        draw.ellipse((f.x - r, f.y - r, f.x + r, f.y + r), outline=colour, width=width)
        label = f"{LABELS.get(f.kind, f.kind)} {f.score:.2f}"
        tx, ty = f.x + r + 2, f.y - r
        if tx + 70 * scale > image.width:
            tx = f.x - r - 2 - draw.textlength(label, font=font)
        draw.text((tx, max(0, ty)), label, fill=colour, font=font, stroke_width=1, stroke_fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def scan(
    camera: Camera,
    illuminator: Illuminator,
    *,
    pairs: int = DEFAULT_PAIRS,
    exposure_us: int | None = None,
    analogue_gain: float | None = None,
    params: glint.GlintParams | None = None,
    progress: Callable[[float], Any] | None = None,
    cancel: threading.Event | None = None,
    seed: int | None = None,
) -> OpticalScan:
    """Take ``pairs`` LED-on / LED-off pairs and look for lens glints and IR LEDs.

    ``progress`` gets the fraction done after each pair; ``cancel`` ends the scan between pairs.
    The illuminator is dark again when this returns, whatever happened.
    """
    if pairs < 1:
        raise ValueError(f"an optical scan needs at least one pair, got {pairs}")
    started = time.monotonic()
    order = random.Random(seed)
    acc = glint.GlintAccumulator(params)
    reference: np.ndarray | None = None
    error: str | None = None
    cancelled = False
    dsp_time = 0.0
    try:
        if exposure_us is not None or analogue_gain is not None:
            camera.set_exposure(
                exposure_us if exposure_us is not None else 20_000,
                analogue_gain if analogue_gain is not None else 4.0,
            )
        for k in range(pairs):
            if cancel is not None and cancel.is_set():
                cancelled = True
                break
            pair = _take_pair(camera, illuminator, lit_first=order.random() < 0.5)
            if reference is None:
                reference = pair[0]
            t0 = time.perf_counter()
            acc.add_pair(*pair)
            dsp_time += time.perf_counter() - t0
            del pair  # the final stage runs without the last pair's frames (a 1 GB Pi)
            if progress is not None:
                progress((k + 1) / pairs)
    except HardwareError as exc:
        error = str(exc)
        log.warning("optical scan ended after %d of %d pairs: %s", acc.pairs, pairs, exc)
    finally:
        try:
            illuminator.off()
        except Exception as exc:  # the pin may be gone with the rest of the hardware
            log.warning("could not switch the illuminator off: %s", exc)
    t0 = time.perf_counter()
    result = acc.result()
    dsp_time += time.perf_counter() - t0
    return OpticalScan(
        findings=result.findings,
        pairs=acc.pairs,
        reference=reference,
        complete=acc.pairs == pairs,
        cancelled=cancelled,
        error=error,
        wall_time_s=time.monotonic() - started,
        dsp_time_s=dsp_time,
        reports=list(acc.reports),
        cut=result.cut,
    )


def _take_pair(camera: Camera, illuminator: Illuminator, *, lit_first: bool) -> tuple[np.ndarray, np.ndarray]:
    """One LED-on and one LED-off frame, back to back, in the order asked: (on, off)."""
    illuminator.set(lit_first)
    first = camera.capture()
    illuminator.set(not lit_first)
    second = camera.capture()
    return (first, second) if lit_first else (second, first)


def scan_room(
    rig: Any,
    *,
    pairs: int = DEFAULT_PAIRS,
    params: glint.GlintParams | None = None,
    progress: Callable[[float], Any] | None = None,
    cancel: threading.Event | None = None,
    seed: int | None = None,
) -> OpticalScan:
    """Open the rig's camera, scan with its LED ring, close the camera: what a sweep's optical stage calls.

    ``rig`` is an ``appliance.rig.Rig`` (its ``open_camera()`` and ``illuminator``). Never raises
    for hardware trouble (absent or busy camera, unusable pin): the result has no pairs and
    ``error`` says why. Scene problems (SceneError) are the caller's mistake and raise.
    """
    started = time.monotonic()
    try:
        illuminator = rig.illuminator
        camera = rig.open_camera()
    except HardwareError as exc:
        return OpticalScan([], 0, None, complete=False, error=str(exc), wall_time_s=time.monotonic() - started)
    try:
        return scan(camera, illuminator, pairs=pairs, params=params, progress=progress, cancel=cancel, seed=seed)
    finally:
        camera.close()


def analyse_pairs(
    pairs: Iterable[tuple[np.ndarray, np.ndarray]], params: glint.GlintParams | None = None
) -> OpticalScan:
    """The same pipeline on frames already taken (image files, recordings); stills larger than the
    camera's frames (up to 4608×3072) are analysed tile by tile, within the same memory."""
    started = time.monotonic()
    frames = list(pairs)
    result, reports = glint.find_in_tiles(frames, params)
    elapsed = time.monotonic() - started
    return OpticalScan(
        result.findings,
        len(frames),
        frames[0][0] if frames else None,
        wall_time_s=elapsed,
        dsp_time_s=elapsed,
        reports=reports,
        cut=result.cut,
    )
