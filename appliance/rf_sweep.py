"""The RF sweep: a fast survey of the plan, then closer looks at the candidates that need them.

Survey: hop the radio across the plan, measure each hop, stitch, detect with a permissive
threshold. Confirm: retune next to each marginal candidate and measure it for longer, which
confirms it (or drops it as noise). Refine: re-measure wide candidates in windows that tile
them, which places an FM video carrier on its blanking-level line. Look: a dwell (0.25 s by
default) with each candidate that could be a camera 300 kHz off the window centre, whose IQ
gives the classifier its features (line-rate comb, bursts, pilot); suspects are ranked by score.

Whatever happens to the radio, what was measured is kept: a lost dongle or a cancel ends the
sweep early with the hops done so far and the bands still missing named.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dsp import classify, detect, features, health, psd
from dsp import plan as planmod
from hw.errors import RadioError
from hw.radio import Radio

log = logging.getLogger(__name__)

CONFIRM_BELOW_SNR_DB = 10.0  # stronger candidates cannot be noise at any threshold we use
CONFIRM_MAX_WIDTH_HZ = 1.0e6  # wider ones are found by the coarse pass over many bins
DWELL_OFFSET_HZ = 300e3  # keep the candidate off DC, where the spike and its removal live
# Wide candidates are re-measured in windows this far apart, each long enough to hold two video
# fields (so the vertical interval, where FM video's blanking level shows as a line, is in it).
REFINE_STEP_HZ = 1.6e6
REFINE_SAMPLES = 98_304  # 41 ms at 2.4 MS/s
LOOK_S = 0.25  # a look holds ~12 video fields: line rate to a few ppm, field rate resolved
MAX_LOOKS = 8  # looks per sweep, most camera-like candidates first (each costs ~0.26 s of radio time)
LOOK_LIMITS_S = (0.1, 5.0)
RELOCK_RETRIES = 2  # a hop that looks dead or stale is retuned (via another frequency) this often
RELOCK_DETOUR_HZ = 20e6  # far enough that the PLL must re-lock from scratch
HEALTH_MEMORY = 8  # healthy hops a new hop is compared with


@dataclass(frozen=True)
class HopDone:
    """Progress after one hop: enough for a progress bar and a spectrum filling in."""

    hop: int
    hops: int
    center_hz: float
    freqs: np.ndarray  # kept bins of this hop
    level_dbfs: np.ndarray  # their mean level

    @property
    def fraction(self) -> float:
        return (self.hop + 1) / self.hops


@dataclass
class Dwell:
    """A longer look at one candidate: raw IQ and its spectrum."""

    center_hz: float
    sample_rate: float
    raw: np.ndarray
    mean: np.ndarray  # full FFT-shifted window
    averages: float

    def freqs(self, nfft: int) -> np.ndarray:
        return psd.bin_frequencies(nfft, self.sample_rate, self.center_hz)


@dataclass
class Candidate:
    detection: detect.Detection
    verdict: classify.Verdict
    confirmed: bool = True
    dwell: Dwell | None = None  # the longest look taken at it (its IQ is the evidence)
    evidence: str | None = None  # SigMF recording of that dwell, once saved (appliance.evidence)


@dataclass
class SweepResult:
    plan: planmod.Plan
    spectrum: planmod.Spectrum
    floor: np.ndarray
    candidates: list[Candidate]
    complete: bool = True
    error: str | None = None
    cancelled: bool = False
    missing: list[tuple[float, float]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # hops given up on (the sweep went on)
    relocks: int = 0  # hops that needed a retune to look healthy
    wall_time_s: float = 0.0
    dsp_time_s: float = 0.0
    radio_time_s: float | None = None
    survey_radio_time_s: float | None = None

    looks: int = 0  # feature dwells taken
    looks_skipped: int = 0  # candidates that deserved a look beyond ``max_looks``
    _filled_floor: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    def floor_at(self, freqs: np.ndarray | float) -> np.ndarray:
        """The survey's noise floor (power per bin) at ``freqs``.

        Bins never measured (a hop given up on) take the median floor; the filled floor is built
        once per sweep and shared by every confirmation, refinement and look.
        """
        if self._filled_floor is None:
            measured = np.isfinite(self.floor)
            fill = float(np.median(self.floor[measured])) if measured.any() else 0.0
            self._filled_floor = np.where(measured, self.floor, fill)
        return np.interp(freqs, self.spectrum.freqs, self._filled_floor)

    @property
    def emitters(self) -> list[Candidate]:
        """Candidates that survived confirmation (or could not be re-checked)."""
        return [c for c in self.candidates if c.confirmed]

    @property
    def suspects(self) -> list[Candidate]:
        """Emitters scored as camera links, most camera-like first."""
        found = [c for c in self.emitters if c.verdict.suspect]
        return sorted(found, key=lambda c: (-c.verdict.camera_score, -c.detection.power_dbfs))

    @property
    def noise_floor_dbfs(self) -> float | None:
        finite = np.isfinite(self.floor)
        return float(psd.to_db(np.array([np.median(self.floor[finite])]))[0]) if finite.any() else None

    @property
    def hops_done(self) -> int:
        measured = np.isfinite(self.spectrum.mean)
        return int(np.unique(self.spectrum.hop_of_bin[measured]).size)


class _Clock:
    """Wall, DSP and (for simulated radios) modelled radio time of one sweep."""

    def __init__(self, radio: Radio) -> None:
        self.radio = radio
        self.started = time.perf_counter()
        self.radio_start = getattr(radio, "modelled_time_s", None)
        self.dsp = 0.0

    def finish(self, result: SweepResult) -> SweepResult:
        result.wall_time_s = time.perf_counter() - self.started
        result.dsp_time_s = self.dsp
        result.radio_time_s = self.radio_elapsed()
        return result

    def radio_elapsed(self) -> float | None:
        if self.radio_start is None:
            return None
        return self.radio.modelled_time_s - self.radio_start  # type: ignore[attr-defined]


def sweep(
    radio: Radio,
    plan: planmod.Plan,
    *,
    on_hop: Callable[[HopDone], Any] | None = None,
    on_stage: Callable[[str, float], Any] | None = None,
    cancel: threading.Event | None = None,
    confirm_samples: int = 32768,
    look_s: float = LOOK_S,
    max_looks: int = MAX_LOOKS,
) -> SweepResult:
    """Survey ``plan``, confirm marginal candidates, re-measure wide ones, look at likely cameras.

    ``look_s`` is each look's dwell, ``max_looks`` how many candidates get one (0: none, the
    verdicts then come from the spectrum alone). Never raises for radio trouble: the result
    says what is missing.
    """
    if not LOOK_LIMITS_S[0] <= look_s <= LOOK_LIMITS_S[1]:
        raise ValueError(f"look dwell must be {LOOK_LIMITS_S[0]:g}–{LOOK_LIMITS_S[1]:g} s, got {look_s:g}")
    if max_looks < 0:
        raise ValueError(f"max_looks must be >= 0, got {max_looks}")
    look_samples = math.ceil(look_s * plan.sample_rate / 1024) * 1024
    clock = _Clock(radio)
    result = _survey(radio, plan, clock, on_hop, cancel)
    result.survey_radio_time_s = clock.radio_elapsed()
    if result.error is None and not result.cancelled:
        _confirm(radio, result, clock, cancel, confirm_samples, on_stage)
    if result.error is None and not result.cancelled:
        _refine_wide(radio, result, clock, cancel, on_stage)
    if result.error is None and not result.cancelled:
        chosen, result.looks_skipped = _choose_looks(result.emitters, max_looks)
        _look(radio, result, clock, cancel, chosen, look_samples, on_stage)
    return clock.finish(result)


def _choose_looks(candidates: list[Candidate], max_looks: int) -> tuple[list[Candidate], int]:
    """The candidates worth a look, most camera-like first, and how many missed out."""
    ranked = []
    for i, cand in enumerate(candidates):
        priority = classify.look_priority(cand.detection)
        if priority is not None:
            ranked.append((-priority, i))
    ranked.sort()
    return [candidates[i] for _, i in ranked[:max_looks]], max(0, len(ranked) - max_looks)


def _survey(radio, plan, clock, on_hop, cancel) -> SweepResult:
    n = len(plan.hops)
    means: list[np.ndarray | None] = [None] * n
    peaks: list[np.ndarray | None] = [None] * n
    averages = [psd.effective_averages(psd.segment_count(h.dwell_samples, plan.nfft)) for h in plan.hops]
    error, cancelled = None, False
    watch = _HopWatch()
    problems: list[str] = []
    for hop in plan.hops:
        if cancel is not None and cancel.is_set():
            cancelled = True
            break
        try:
            mean, peak, avg = _measure_healthy_hop(radio, plan, hop, clock, watch)
        except RadioError as exc:
            error = str(exc)
            log.warning("sweep stopped at %.3f MHz: %s", hop.center_hz / 1e6, exc)
            break
        except _TunerDidNotLock as exc:
            problems.append(str(exc))
            log.warning("%s", exc)
            continue
        means[hop.index], peaks[hop.index], averages[hop.index] = mean, peak, avg
        if on_hop is not None:
            kept = slice(hop.first_bin, hop.last_bin)
            on_hop(HopDone(hop.index, n, hop.center_hz, plan.hop_frequencies(hop), psd.to_db(mean[kept])))
    t0 = time.perf_counter()
    spectrum = planmod.stitch(plan, means, peaks, averages)
    floor = detect.noise_floor(spectrum.mean, spectrum.averages, block_bins=max(32, plan.keep_bins))
    detections = detect.detect(spectrum, pfa=detect.SURVEY_PFA, floor=floor)
    candidates = [Candidate(d, classify.from_spectrum(d)) for d in detections]
    clock.dsp += time.perf_counter() - t0
    return SweepResult(
        plan=plan,
        spectrum=spectrum,
        floor=floor,
        candidates=candidates,
        complete=error is None and not cancelled and not problems,
        error=error,
        cancelled=cancelled,
        missing=missing_bands(plan, means),
        problems=problems,
        relocks=watch.relocks,
    )


class _TunerDidNotLock(Exception):
    """A hop still looked dead or stale after its retunes: its band is left unmeasured."""


class _HopWatch:
    """What the last healthy hops looked like, for ``dsp.health``'s verdict on the next one."""

    def __init__(self) -> None:
        self.floors_db: deque[float] = deque(maxlen=HEALTH_MEMORY)
        self.previous: np.ndarray | None = None
        self.relocks = 0

    def verdict(self, window: np.ndarray) -> str | None:
        return health.verdict(window, list(self.floors_db), self.previous)

    def healthy(self, window: np.ndarray) -> None:
        self.floors_db.append(health.window_floor_db(window))
        self.previous = window


def _measure_healthy_hop(radio, plan: planmod.Plan, hop, clock: _Clock, watch: _HopWatch):
    """Tune, read and measure one hop; retune via a detour when the tuner silently failed.

    An R820T that did not lock raises nothing: the hop shows only ADC noise or repeats the last
    one. Tuning somewhere else and back makes the PLL lock afresh, which almost always cures it.
    """
    kept = slice(hop.first_bin, hop.last_bin)
    lo, hi = radio.tuning_range
    for attempt in range(RELOCK_RETRIES + 1):
        if attempt:
            up = hop.center_hz + RELOCK_DETOUR_HZ
            radio.tune(up if up <= hi else max(lo, hop.center_hz - RELOCK_DETOUR_HZ))
        radio.tune(hop.center_hz)
        raw = radio.read(hop.dwell_samples)
        t0 = time.perf_counter()
        mean, peak, avg = planmod.measure_hop(raw, plan, hop)
        problem = watch.verdict(mean[kept])
        clock.dsp += time.perf_counter() - t0
        if problem is None:
            watch.relocks += attempt > 0
            watch.healthy(mean[kept])
            return mean, peak, avg
        log.info("hop at %.3f MHz looks %s (try %d): retuning", hop.center_hz / 1e6, problem, attempt + 1)
    span_lo, span_hi = plan.hop_span(hop)
    raise _TunerDidNotLock(
        f"tuner did not lock at {hop.center_hz / 1e6:.1f} MHz ({problem} after {RELOCK_RETRIES} retunes): "
        f"{span_lo / 1e6:.1f}–{span_hi / 1e6:.1f} MHz not measured"
    )


def _each(todo: list[Candidate], stage: str, result: SweepResult, cancel, on_stage) -> Iterator[Candidate]:
    """The candidates of one closer-look stage, with progress before each; a cancel ends it (marked)."""
    for n, cand in enumerate(todo):
        if cancel is not None and cancel.is_set():
            result.cancelled, result.complete = True, False
            return
        if on_stage is not None:
            on_stage(stage, n / len(todo))
        yield cand


def needs_confirmation(det: detect.Detection) -> bool:
    return not det.bursty and det.snr_db < CONFIRM_BELOW_SNR_DB and det.bandwidth_hz <= CONFIRM_MAX_WIDTH_HZ


def _confirm(radio, result: SweepResult, clock: _Clock, cancel, samples: int, on_stage=None) -> None:
    plan = result.plan
    todo = [c for c in result.candidates if needs_confirmation(c.detection)]
    for cand in _each(todo, "confirm", result, cancel, on_stage):
        det = cand.detection
        try:
            dwell = take_dwell(radio, det.freq_hz - DWELL_OFFSET_HZ, samples, plan.nfft)
        except RadioError as exc:
            result.error = str(exc)
            result.complete = False
            log.warning("confirmation dwells stopped: %s", exc)
            return  # unconfirmed candidates stay, flagged as such by their reasons
        t0 = time.perf_counter()
        cand.dwell = dwell
        freqs = dwell.freqs(plan.nfft)
        lo, hi = (
            det.freq_hz - det.bandwidth_hz / 2 - plan.bin_hz,
            det.freq_hz + det.bandwidth_hz / 2 + plan.bin_hz,
        )
        sel = (freqs >= lo) & (freqs <= hi)
        floor = result.floor_at(freqs[sel])
        cand.confirmed, _ = detect.confirm(dwell.mean[sel], floor, dwell.averages)
        if cand.confirmed:  # the longer look measures the emitter better than the survey did
            better = detect.describe(freqs[sel], dwell.mean[sel], floor, dwell.averages, bin_hz=plan.bin_hz)
            if better is not None:
                better.start, better.stop = det.start, det.stop
                cand.detection = better
        clock.dsp += time.perf_counter() - t0


def _needs_refining(cand: Candidate) -> bool:
    det = cand.detection
    return det.bandwidth_hz > CONFIRM_MAX_WIDTH_HZ and not det.bursty and cand.confirmed


def _refine_wide(radio, result: SweepResult, clock: _Clock, cancel, on_stage=None) -> None:
    """Re-measure each wide candidate with longer looks that tile it; re-describe it from them."""
    plan = result.plan
    todo = [c for c in result.candidates if _needs_refining(c)]
    for cand in _each(todo, "refine", result, cancel, on_stage):
        det = cand.detection
        lo = det.freq_hz - det.bandwidth_hz / 2 - 0.2e6
        hi = det.freq_hz + det.bandwidth_hz / 2 + 0.2e6
        n_windows = max(1, int(np.ceil((hi - lo) / REFINE_STEP_HZ)))
        parts_f, parts_p = [], []
        averages = 0.0
        try:
            for j in range(n_windows):
                centre = lo + REFINE_STEP_HZ * (j + 0.5)
                dwell = take_dwell(radio, centre, REFINE_SAMPLES, plan.nfft)
                freqs = dwell.freqs(plan.nfft)
                keep = np.abs(freqs - dwell.center_hz) < REFINE_STEP_HZ / 2
                parts_f.append(freqs[keep])
                parts_p.append(dwell.mean[keep])
                averages = dwell.averages
        except RadioError as exc:
            result.error, result.complete = str(exc), False
            log.warning("refining wide emitters stopped: %s", exc)
            return
        t0 = time.perf_counter()
        freqs, power = np.concatenate(parts_f), np.concatenate(parts_p)
        order = np.argsort(freqs)
        freqs, power = freqs[order], power[order]
        floor = result.floor_at(freqs)
        better = detect.describe(freqs, power, floor, averages, bin_hz=plan.bin_hz)
        if better is not None:
            better.start, better.stop = det.start, det.stop
            cand.detection = better
        clock.dsp += time.perf_counter() - t0


def _look(
    radio, result: SweepResult, clock: _Clock, cancel, chosen: list[Candidate], samples: int, on_stage=None
) -> None:
    """A long dwell with each chosen candidate 300 kHz above the window centre; its features and verdict."""
    plan = result.plan
    for cand in _each(chosen, "look", result, cancel, on_stage):
        det = cand.detection
        try:
            dwell = take_dwell(radio, det.freq_hz - DWELL_OFFSET_HZ, samples, plan.nfft)
        except RadioError as exc:
            result.error, result.complete = str(exc), False
            log.warning("looks stopped: %s", exc)
            break
        result.looks += 1
        t0 = time.perf_counter()
        noise = float(result.floor_at(det.freq_hz)) / plan.bin_hz
        cand.dwell = dwell
        cand.verdict = classify.judge(features.Block(dwell.raw, dwell.sample_rate), det, dwell.center_hz, noise)
        clock.dsp += time.perf_counter() - t0
    _one_per_transmitter(result)


def _one_per_transmitter(result: SweepResult) -> None:
    """Join the parts of one video signal into one emitter (``classify.one_per_transmitter``)."""
    emitters = result.emitters
    kept = set()
    for i, det, verdict in classify.one_per_transmitter([(c.detection, c.verdict) for c in emitters]):
        emitters[i].detection, emitters[i].verdict = det, verdict
        kept.add(id(emitters[i]))
    result.candidates = [c for c in result.candidates if not c.confirmed or id(c) in kept]


def take_dwell(radio: Radio, center_hz: float, samples: int, nfft: int) -> Dwell:
    """Tune (clamped to the tuner's range) and read one long block."""
    lo, hi = radio.tuning_range
    center = min(max(center_hz, lo), hi)
    radio.tune(center)
    raw = radio.read(samples)
    mean = psd.welch(raw, nfft)
    averages = psd.effective_averages(psd.segment_count(samples, nfft))
    return Dwell(center, radio.sample_rate, raw, mean, averages)


def missing_bands(plan: planmod.Plan, means: list[np.ndarray | None]) -> list[tuple[float, float]]:
    """Frequency intervals whose hops were never measured, merged."""
    spans: list[tuple[float, float]] = []
    for hop, mean in zip(plan.hops, means, strict=True):
        if mean is not None:
            continue
        lo, hi = plan.hop_span(hop)
        if spans and abs(lo - spans[-1][1]) <= plan.bin_hz:
            spans[-1] = (spans[-1][0], hi)
        else:
            spans.append((lo, hi))
    return spans
