"""The Wi-Fi sweep: survey the channels, dwell where uplink streams are, then play the LED ring at the cameras.

1. **Survey** every channel the adapter can receive (``wifi.survey_s`` each): who is there, from beacons and data.
2. **Dwell** (``wifi.dwell_s``) on each channel where a station sends a sustained uplink stream: enough
   seconds for :func:`dsp.traffic.analyze` to tell a camera from a call, a TV or an upload.
3. **Stimulus**: one balanced pseudo-random schedule (DESIGN.md) played on the LED ring (or as "lights off /
   on now" prompts) while the capture locks onto each suspect's channel in turn. The ring is lit for the whole
   schedule whatever channel is heard, so every camera sees one continuous pattern; each is judged on the slots
   its channel was heard (:func:`dsp.traffic.judge_stimulus`, Holm over every suspect judged).

Frames are analysed per *segment* (a run of frames on one channel): a device's rates come from the time its
channel was actually heard, for a live sweep and for a replayed capture alike. Passive only: the capture
never transmits. The device's own hotspot and the stations on it (the user's phone) are never candidates.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from appliance import wifi_vendors
from dsp import frames as fr
from dsp import stimulus as stim
from dsp import traffic
from hw.errors import ChannelRefused, WifiLost
from hw.wifi import WifiCapture

log = logging.getLogger(__name__)

STIMULI = ("none", "ir", "lights")
SLOT_S = {"ir": 1.0, "lights": 4.0}  # a person needs a few seconds to reach the switch
SCHEDULE_KIND = {"ir": "ir-ring", "lights": "lights"}
TAIL_S = 2.0  # heard after the pattern ends: the encoders' lag (≤ 1.5 s) must reach the last slots
MAX_DWELL_CHANNELS = 4  # bound the sweep's time: the busiest stream channels first
MAX_STIMULUS_CHANNELS = 3
MAX_FRAMES = 1_000_000  # 40 MB of records: a busy channel (5 000 a second) for the whole sweep fits twice
STREAM_BPS = traffic.VIDEO_MIN_BPS  # an uplink at least this fast is worth a dwell

Progress = Callable[[str, float, dict[str, Any]], None]  # (phase, fraction of the Wi-Fi stage, details)


@dataclass(frozen=True)
class WifiPlan:
    survey_s: float = 0.5
    dwell_s: float = 6.0
    stimulus: str = "ir"  # "none", "ir" (the LED ring) or "lights" (prompts to switch the room light)
    stimulus_s: float = 30.0  # per candidate channel
    channels_mhz: tuple[int, ...] | None = None  # None: every channel the adapter can receive

    def __post_init__(self) -> None:
        if self.stimulus not in STIMULI:
            raise ValueError(f"stimulus must be one of {', '.join(STIMULI)}, got {self.stimulus!r}")

    @classmethod
    def from_settings(cls, config: Any, **overrides: Any) -> WifiPlan:
        values = {
            "stimulus": config["wifi.stimulus"],
            "survey_s": config["wifi.survey_s"],
            "dwell_s": config["wifi.dwell_s"],
            "stimulus_s": config["wifi.stimulus_s"],
        }
        return cls(**{**values, **overrides})


@dataclass
class WifiOutcome:
    """What the Wi-Fi stage measured: the document's Wi-Fi part comes from ``to_json``."""

    adapter: dict[str, Any]
    seconds: float = 0.0
    channels_mhz: list[int] = field(default_factory=list)
    devices: list[traffic.Device] = field(default_factory=list)
    stimulus: stim.Schedule | None = None
    stimulus_channels_mhz: list[int] = field(default_factory=list)
    status: str = "complete"  # complete | partial | cancelled
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``wifi --json`` (DESIGN.md) plus the adapter, status and problems."""
        schedule = None
        if self.stimulus is not None:
            schedule = {**self.stimulus.to_json(), "channels_mhz": list(self.stimulus_channels_mhz)}
        return {
            "seconds": round(self.seconds, 2),
            "channels_mhz": list(self.channels_mhz),
            "stimulus": schedule,
            "devices": [d.to_json() for d in self.devices],
            "adapter": self.adapter,
            "status": self.status,
            "problems": list(self.problems),
        }


# --- analysis of captured frames (live or replayed) ----------------------------------------


SILENCE_S = 1.0  # a tuned channel with an access point is never this quiet (beacons every ~0.1 s)


def segments(frames: np.ndarray) -> list[np.ndarray]:
    """Runs of consecutive frames heard on one channel (a survey step, a dwell, a stimulus lock).

    A run also ends at a silence of ``SILENCE_S``: a channel's survey step and its dwell are separate
    runs even when the channels surveyed in between were empty (else a camera's rate would be spread
    over the seconds spent listening elsewhere)."""
    if frames.size == 0:
        return []
    channel_change = np.diff(frames["freq_mhz"].astype(np.int64)) != 0
    silence = np.diff(frames["t"]) > SILENCE_S
    cuts = np.flatnonzero(channel_change | silence) + 1
    return np.split(frames, cuts)


def assess(frames: np.ndarray, *, exclude: set[int] | frozenset[int] = frozenset()) -> list[traffic.Device]:
    """One verdict per transmitter: each from the longest segment it was heard in; vendors filled in.

    Stations associated with an excluded address (the device's own hotspot) are dropped too."""
    best: dict[str, tuple[float, traffic.Device]] = {}
    for part in segments(frames):
        span = float(part["t"][-1] - part["t"][0])
        for device in traffic.analyze(part, exclude=exclude):
            if device.bssid is not None and fr.mac_to_int(device.bssid) in exclude:
                continue
            held = best.get(device.mac)
            if held is None or span > held[0]:
                best[device.mac] = (span, device)
    devices = [device for _, device in best.values()]
    for device in devices:
        device.vendor = wifi_vendors.vendor(device.mac)
        if device.suspect and (line := wifi_vendors.hint(device.vendor)):
            device.reasons.append(line)
    devices.sort(key=lambda d: (-d.camera_score, d.mac))
    return devices


def judge(
    frames: np.ndarray,
    devices: list[traffic.Device],
    schedule: stim.Schedule,
    rng: np.random.Generator,
    *,
    permutations: int = stim.PERMUTATIONS,
) -> None:
    """The stimulus verdict written into each suspect (``stimulus`` and a first reason)."""
    responses = traffic.judge_stimulus(frames, devices, schedule, rng, permutations=permutations)
    traffic.apply_stimulus(devices, responses)


def stream_channels(devices: list[traffic.Device], limit: int, *, suspects_only: bool) -> list[int]:
    """Channels with a sustained uplink (or a suspect), the most promising first."""
    ranked: dict[int, float] = {}
    for device in devices:
        if device.freq_mhz is None or device.kind == "access-point":
            continue
        wanted = device.suspect if suspects_only else (device.uplink_bps >= STREAM_BPS or device.suspect)
        if wanted:
            key = int(device.freq_mhz)
            ranked[key] = max(ranked.get(key, 0.0), device.camera_score + device.uplink_bps / 1e9)
    return sorted(ranked, key=lambda ch: -ranked[ch])[:limit]


# --- the live sweep ---------------------------------------------------------------------------


def lock(capture: WifiCapture, freq_mhz: int) -> int:
    """Listen on ``freq_mhz`` as wide as the band allows (80 MHz at 5 GHz: a 20 MHz receiver cannot decode the
    wide frames of an 802.11ac network, only its beacons); 20 MHz when the wider setting is refused. The width."""
    if freq_mhz >= 4900:
        try:
            capture.tune(freq_mhz, 80)
            return 80
        except ChannelRefused:
            pass  # not every adapter or channel (165) has an 80 MHz mode: 20 MHz still hears the primary channel
    capture.tune(freq_mhz, 20)
    return 20


class _Aborted(Exception):
    """Stop where we are: cancelled from outside, or the LED ring failed (``status`` says which)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class WifiSweep:
    """One Wi-Fi sweep on an open capture; ``run()`` never raises for a lost adapter (the part is partial)."""

    def __init__(
        self,
        capture: WifiCapture,
        plan: WifiPlan,
        *,
        stimulator: Callable[[bool], None] | None = None,
        exclude: set[int] | frozenset[int] = frozenset(),
        rng: np.random.Generator | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        keep: Callable[[np.ndarray], None] | None = None,
        permutations: int = stim.PERMUTATIONS,
    ) -> None:
        self.capture = capture
        self.plan = plan
        self.stimulator = stimulator
        self.exclude = exclude
        self.rng = rng if rng is not None else np.random.default_rng()
        self.progress = progress or (lambda phase, fraction, details: None)
        self.cancel = cancel or threading.Event()
        self.keep = keep
        self.permutations = permutations
        self.outcome = WifiOutcome(adapter=capture.info.to_json())
        self._parts: list[np.ndarray] = []
        self._held = 0
        self._tuned: int | None = None
        self._started: float | None = None

    def run(self) -> WifiOutcome:
        out = self.outcome
        stimulus_frames = fr.empty()
        try:
            channels = list(self.plan.channels_mhz or self.capture.channels_mhz())
            self._survey(channels)
            found = assess(self._frames(), exclude=self.exclude)
            self._dwell(stream_channels(found, MAX_DWELL_CHANNELS, suspects_only=False))
            found = assess(self._frames(), exclude=self.exclude)
            targets = stream_channels(found, MAX_STIMULUS_CHANNELS, suspects_only=True)
            if targets and self.plan.stimulus != "none" and self.stimulator is not None:
                stimulus_frames = self._stimulus(targets)
        except WifiLost as exc:
            out.status = "partial"
            out.problems.append(str(exc))
            log.warning("wifi: %s", exc)
        except _Aborted as stop:
            out.status = stop.status
        finally:
            self._ring_off()
        frames = self._frames()
        out.devices = assess(frames, exclude=self.exclude)
        if out.stimulus is not None and stimulus_frames.size:
            judge(stimulus_frames, out.devices, out.stimulus, self.rng, permutations=self.permutations)
        if frames.size:
            out.seconds = float(frames["t"][-1] - frames["t"][0])
        self.progress("done", 1.0, {})
        return out

    # --- phases ------------------------------------------------------------------------------

    def _survey(self, channels: list[int]) -> None:
        heard = []
        for i, freq in enumerate(channels):
            self._check_cancel()
            if not self._tune(freq):
                continue
            self._read(self.plan.survey_s)
            heard.append(freq)
            self.progress("survey", 0.3 * (i + 1) / max(len(channels), 1), {"channel_mhz": freq})
        self.outcome.channels_mhz = heard

    def _dwell(self, channels: list[int]) -> None:
        for i, freq in enumerate(channels):
            self._check_cancel()
            if self._tune(freq):
                self._read(self.plan.dwell_s)
            self.progress("dwell", 0.3 + 0.3 * (i + 1) / len(channels), {"channel_mhz": freq})

    def _stimulus(self, channels: list[int]) -> np.ndarray:
        """One schedule across the candidates' channels; returns the frames heard while it played."""
        slot_s = SLOT_S[self.plan.stimulus]
        per_channel = max(8, round(self.plan.stimulus_s / slot_s))
        schedule = stim.make_schedule(
            SCHEDULE_KIND[self.plan.stimulus], self.capture.clock(), slot_s, per_channel * len(channels), self.rng
        )
        self.outcome.stimulus = schedule
        self.outcome.stimulus_channels_mhz = list(channels)
        first = len(self._parts)
        total = len(schedule.pattern)
        for i, state in enumerate(schedule.pattern):
            self._check_cancel()
            freq = channels[i // per_channel]
            if freq != self._tuned:
                self._tune(freq)  # refused: the slot still plays and is heard where we were (time must run on)
            self._switch(bool(state))
            self._read(slot_s)
            self.progress("stimulus", 0.6 + 0.4 * (i + 1) / total, {"channel_mhz": freq, "lit": bool(state)})
        self._switch(False)
        self._read(TAIL_S)
        return np.concatenate(self._parts[first:]) if len(self._parts) > first else fr.empty()

    # --- steps ------------------------------------------------------------------------------

    def _tune(self, freq: int) -> bool:
        try:
            lock(self.capture, freq)
        except ChannelRefused as exc:
            if str(exc) not in self.outcome.problems:
                self.outcome.problems.append(str(exc))
            self._tuned = None
            return False
        self._tuned = freq
        return True

    def _read(self, seconds: float) -> None:
        batch = self.capture.read(seconds)
        room = MAX_FRAMES - self._held
        if batch.size > room:  # memory stays bounded on a 1 GB Pi; the time still passes (the schedule runs on)
            batch = batch[: max(room, 0)]
            message = f"more than {MAX_FRAMES} frames: the rest of this sweep's capture was not kept"
            if message not in self.outcome.problems:
                self.outcome.problems.append(message)
        self._held += batch.size
        if batch.size:
            batch = batch[np.argsort(batch["t"], kind="stable")]
            self._parts.append(batch)
            if self.keep is not None:
                self.keep(batch)

    def _switch(self, lit: bool) -> None:
        try:
            self.stimulator(lit)
        except Exception as exc:  # a ring that cannot be driven ends the stimulus, not the sweep
            message = f"the LED ring could not be switched ({exc})"
            if message not in self.outcome.problems:
                self.outcome.problems.append(message)
            raise _Aborted("partial") from exc

    def _ring_off(self) -> None:
        if self.stimulator is None:
            return
        try:
            self.stimulator(False)
        except Exception as exc:
            log.warning("wifi: could not switch the LED ring off: %s", exc)

    def _check_cancel(self) -> None:
        if self.cancel.is_set():
            raise _Aborted("cancelled")

    def _frames(self) -> np.ndarray:
        return np.concatenate(self._parts) if self._parts else fr.empty()
