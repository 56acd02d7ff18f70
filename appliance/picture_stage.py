"""The sweep's picture stage: each analog camera suspect's picture, and whether it sees the device.

After the RF looks (and after the Wi-Fi stage, which blinks the same LED ring), the radio dwells on
each analog-video suspect, most camera-like first and at most ``MAX_CAMERAS`` of them: its picture
(``appliance.picture.take``, the tunings planned from a survey as ``roomsweep picture`` does) and a
confirmation (``appliance.confirm.confirm``: a fresh schedule on the ring, as ``roomsweep confirm``
does). A camera that shows no video gets no picture, which is an answer, not a failure; a radio
lost or a bug here ends the stage, marks it partial and keeps everything measured before.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from appliance import confirm as confirmmod
from appliance import picture as picturemod
from dsp.picture import NoVideo
from hw.errors import PanelError, RadioError
from hw.radio import Radio

log = logging.getLogger(__name__)

MAX_CAMERAS = 3  # a room with more analog cameras than this has bigger news than the fourth picture
MIN_SLOTS = 8  # fewer ring slots cannot reach a convincing p-value


@dataclass
class CameraShot:
    """What the stage learned about one emitter (an index into the document's emitters)."""

    index: int
    picture: dict[str, Any] | None = None  # Shot.summary plus "file"
    png: bytes | None = None
    stimulus: dict[str, Any] | None = None  # Confirmation.to_json()["stimulus"]
    note: str | None = None  # why there is no picture or no confirmation


@dataclass
class PictureOutcome:
    shots: list[CameraShot] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # non-empty: the stage is partial
    radio_lost: bool = False


def camera_indices(emitters: list[dict[str, Any]]) -> list[int]:
    """The analog-video suspects worth a picture, most camera-like first."""
    cameras = [i for i, e in enumerate(emitters) if e["kind"] == "analog-video" and e["suspect"]]
    cameras.sort(key=lambda i: (-emitters[i]["camera_score"], -(emitters[i].get("power_dbfs") or -999.0)))
    return cameras[:MAX_CAMERAS]


def file_name(freq_hz: float) -> str:
    return f"picture-{freq_hz / 1e6:.3f}MHz.png"


def png_bytes(shot: picturemod.Shot) -> bytes:
    buffer = io.BytesIO()
    picturemod.write_png(shot.picture, buffer)
    return buffer.getvalue()


def run(
    radio: Radio,
    ring: Callable[[], Any],
    emitters: list[dict[str, Any]],
    *,
    picture_s: float,
    confirm_s: float,
    rng: np.random.Generator,
    progress: Callable[[float, float], None],
    cancel: threading.Event,
) -> PictureOutcome:
    """Pictures and confirmations for :func:`camera_indices`; ``ring()`` gives the LED ring (PanelError:
    no ring, so no confirmation); ``progress(fraction, freq_hz)`` after each step."""
    outcome = PictureOutcome()
    cameras = camera_indices(emitters)
    slots = max(MIN_SLOTS, round(confirm_s / confirmmod.SLOT_S))
    for n, index in enumerate(cameras):
        if cancel.is_set():
            break
        freq = float(emitters[index]["freq_hz"])
        shot = CameraShot(index)
        outcome.shots.append(shot)
        try:
            progress(n / len(cameras), freq)
            try:
                taken = picturemod.take(radio, freq, picture_s)
            except NoVideo as exc:
                shot.note = f"no picture: {exc}"
                continue
            shot.png = png_bytes(taken)
            shot.picture = {**taken.summary(), "file": file_name(freq)}
            del shot.picture["out"]
            progress((n + 0.5) / len(cameras), freq)
            if cancel.is_set():
                break
            try:
                verdict = confirmmod.confirm(radio, ring(), freq, rng, slots=slots)
            except PanelError as exc:
                shot.note = f"not confirmed: the LED ring cannot be driven ({exc})"
                continue
            except NoVideo as exc:
                shot.note = f"not confirmed: {exc}"
                continue
            shot.stimulus = verdict.to_json()["stimulus"]
        except RadioError as exc:
            outcome.problems.append(f"the radio was lost during the picture at {freq / 1e6:.3f} MHz: {exc}")
            outcome.radio_lost = True
            break
        except Exception as exc:  # a bug here must not take the sweep's other results with it
            log.exception("picture stage failed at %.3f MHz", freq / 1e6)
            outcome.problems.append(f"the picture at {freq / 1e6:.3f} MHz failed: {exc}")
    progress(1.0, 0.0)
    return outcome
