"""Which kind of transmitter an emitter is, how much it looks like a camera link, and why.

The camera score is a logistic combination of evidence, each piece a log-odds weight with a
sentence a person can check: the band it sits in (``dsp.bands``), and, when a dwell was taken,
the features of ``dsp.features`` — a video line-rate comb with its field rate is decisive;
bursts, a stereo pilot or a flat OFDM spectrum speak against a camera. Without a dwell only the
spectrum (width, burstiness, band) is known and the score stays below the suspect line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from dsp import bands as bandmod
from dsp.detect import Detection
from dsp.features import Block, Bursts, Features

KINDS = ("analog-video", "fm-broadcast", "tdma", "lte", "ofdm", "burst", "carrier", "unknown")
SUSPECT_SCORE = 0.5

#: log-odds of each piece of evidence (the band's own weight is ``Band.camera_logit``)
WEIGHTS: dict[str, float] = {
    "prior": -3.0,  # most emitters in a room are not cameras
    "line_comb": 4.0,  # a comb at a video line rate, pure, >= 3 harmonics
    "per_extra_harmonic": 0.15,  # each harmonic beyond three, up to nine more
    "field_rate": 2.0,  # the vertical interval repeats at the standard's field rate
    "continuous": 0.5,  # a video link never pauses
    "bursts": -3.0,  # TDMA frames, OOK packets: not a video link
    "pilot": -4.0,  # 19 kHz stereo pilot: FM broadcast
    "flat_wide": -1.5,  # flat over > 1 MHz: OFDM
    "no_structure": -1.0,  # looked at, and no video structure there
    "wide_unexamined": 1.0,  # wide and continuous, not yet looked at
}
NARROW_HZ = 37.5e3  # four survey bins: a carrier (or a narrowband voice/data channel)
WIDE_HZ = 1e6
FLAT = 0.85
LTE_MIN_HZ = 150e3  # one resource block is 180 kHz; keyed remotes are far narrower
PILOT_DB = 15.0


@dataclass
class Verdict:
    kind: str
    camera_score: float
    reasons: list[str] = field(default_factory=list)
    line_rate_hz: float | None = None
    standard: str | None = None
    field_rate_hz: float | None = None
    examined: bool = False  # judged from a dwell's features, not from the spectrum alone
    features: dict | None = None  # ``Features.summary()`` of that dwell

    @property
    def suspect(self) -> bool:
        return self.camera_score >= SUSPECT_SCORE


@dataclass(frozen=True)
class Evidence:
    weight: float
    reason: str


def _combine(evidence: list[Evidence]) -> tuple[float, list[str]]:
    """Logistic score and the reasons, strongest evidence first."""
    logit = WEIGHTS["prior"] + sum(e.weight for e in evidence)
    score = 1.0 / (1.0 + math.exp(-logit))
    ordered = sorted(evidence, key=lambda e: -abs(e.weight))
    return score, [e.reason for e in ordered if e.reason]


def _band_evidence(det: Detection) -> tuple[list[bandmod.Band], list[Evidence]]:
    """Bands at the emitter's centre; the most camera-friendly one sets the band's weight."""
    here = bandmod.bands_at(det.freq_hz)
    if not here:
        return [], []
    best = max(here, key=lambda b: (b.camera_logit, b.lo_hz - b.hi_hz))  # ties: the narrowest band
    if best.camera_band:
        text = f"in the {best.name} band ({best.span_text}) where analog video senders transmit"
    else:
        text = f"in the {best.name} band ({best.span_text})"
    return here, [Evidence(best.camera_logit, text)]


def _expected(bands: list[bandmod.Band]) -> list[str]:
    return [k for b in bands for k in b.kinds]


def from_spectrum(det: Detection) -> Verdict:
    """A first judgement from width, burstiness and band (no dwell taken)."""
    bands, evidence = _band_evidence(det)
    expected = _expected(bands)
    in_camera_band = any(b.camera_band for b in bands)
    if det.bursty:
        kind = next((k for k in ("lte", "tdma") if k in expected), "burst")
        evidence.append(Evidence(WEIGHTS["bursts"], "seen only in bursts (peak-hold far above the average)"))
    elif det.bandwidth_hz <= NARROW_HZ and "fm-broadcast" not in expected:
        kind = "carrier"
        evidence.append(Evidence(0.0, f"narrow ({det.bandwidth_hz / 1e3:.0f} kHz)"))
    elif "fm-broadcast" in expected and det.bandwidth_hz < 400e3:
        kind = "fm-broadcast"
    elif det.bandwidth_hz >= WIDE_HZ and in_camera_band:
        kind = "unknown"
        evidence.append(
            Evidence(
                WEIGHTS["wide_unexamined"],
                f"wide ({det.bandwidth_hz / 1e6:.1f} MHz) and continuous in a camera band: needs a closer look",
            )
        )
    elif det.bandwidth_hz >= WIDE_HZ:
        kind = "ofdm"
        evidence.append(Evidence(0.0, f"wide and continuous ({det.bandwidth_hz / 1e6:.1f} MHz)"))
    else:
        kind = expected[0] if expected else "unknown"
        evidence.append(Evidence(0.0, "kind guessed from the band" if expected else "not looked at closely"))
    score, reasons = _combine(evidence)
    return Verdict(kind=kind, camera_score=score, reasons=reasons)


def look_priority(det: Detection) -> float | None:
    """How much a dwell on this emitter is worth (higher first); None when it cannot matter.

    Analog video transmits continuously, so bursty emitters are not looked at; neither are those
    in bands that cannot hold a video signal (FM broadcast).
    """
    if det.bursty:
        return None
    bands = bandmod.bands_at(det.freq_hz)
    band_logit = max((b.camera_logit for b in bands), default=0.0)
    if band_logit <= -2.0:
        return None
    return band_logit + (0.5 if det.bandwidth_hz >= WIDE_HZ else 0.0) + 0.01 * det.snr_db


def from_features(det: Detection, feats: Features) -> Verdict:
    """The judgement once a dwell's features are known."""
    bands, evidence = _band_evidence(det)
    expected = _expected(bands)
    line, bursts = feats.line, feats.bursts
    width = max(det.bandwidth_hz, 0.0)
    verdict = Verdict(kind="unknown", camera_score=0.0, examined=True, features=feats.summary())
    if line is not None:
        verdict.kind = "analog-video"
        verdict.line_rate_hz = line.line_rate_hz
        verdict.standard = line.standard
        verdict.field_rate_hz = line.field_rate_hz
        lines = 625 if line.standard == "PAL" else 525
        family = "PAL/SECAM" if line.standard == "PAL" else "NTSC"
        evidence.append(
            Evidence(
                WEIGHTS["line_comb"],
                f"line-rate comb at {line.line_rate_hz:.1f} Hz ({line.harmonics} harmonics, on the "
                f"{line.source}): {lines}-line {family} video timing",
            )
        )
        extra = min(max(line.harmonics - 3, 0), 9)
        if extra:
            evidence.append(Evidence(extra * WEIGHTS["per_extra_harmonic"], ""))
        if line.field_consistent:
            assert line.field_rate_hz is not None
            evidence.append(
                Evidence(WEIGHTS["field_rate"], f"field rate {line.field_rate_hz:.2f} Hz, as {lines}-line video has")
            )
    if feats.pilot_db is not None and feats.pilot_db >= PILOT_DB and line is None:
        verdict.kind = "fm-broadcast"
        evidence.append(Evidence(WEIGHTS["pilot"], f"19 kHz stereo pilot ({feats.pilot_db:.0f} dB): FM broadcast"))
    if line is not None:
        pass  # the window gates an FM video swing with the picture: its power varies, the carrier does not stop
    elif bursts.bursty:
        evidence.append(Evidence(WEIGHTS["bursts"], _burst_text(feats, det.freq_hz)))
        if verdict.kind == "unknown":
            verdict.kind = _burst_kind(feats, det.freq_hz, width, expected)
    elif verdict.kind != "fm-broadcast":
        evidence.append(Evidence(WEIGHTS["continuous"], "transmits continuously"))
    if verdict.kind == "unknown":
        if width >= WIDE_HZ and feats.flatness >= FLAT:
            verdict.kind = "lte" if "lte" in expected else "ofdm"  # a fully loaded LTE cell is continuous
            evidence.append(
                Evidence(
                    WEIGHTS["flat_wide"],
                    f"flat spectrum over {width / 1e6:.1f} MHz (flatness {feats.flatness:.2f}): OFDM",
                )
            )
        elif width <= NARROW_HZ:
            verdict.kind = "carrier"
        elif "fm-broadcast" in expected and width < 400e3:
            verdict.kind = "fm-broadcast"
        elif others := [k for k in expected if k != "analog-video"]:
            verdict.kind = others[0]  # no video structure: the band's usual kind
    if line is None and verdict.kind not in ("fm-broadcast",) and not bursts.bursty:
        shape = f"narrow ({width / 1e3:.0f} kHz)" if width <= NARROW_HZ else f"{width / 1e6:.2f} MHz wide"
        evidence.append(
            Evidence(WEIGHTS["no_structure"], f"{shape}, no video line structure in a {feats.seconds:.2f} s look")
        )
    verdict.camera_score, verdict.reasons = _combine(evidence)
    return verdict


def judge(block: Block, det: Detection, center_hz: float, noise_per_hz: float | None) -> Verdict:
    """Measure one detected emitter in a dwell tuned to ``center_hz`` and judge it.

    The one judge: a sweep's look and ``roomsweep analyze`` both come here, so the same IQ gets the
    same verdict either way. ``noise_per_hz`` is the survey's floor at the emitter (full-scale
    power per Hz); None estimates it from the dwell's quietest bins.
    """
    feats = block.measure(det.freq_hz - center_hz, det.bandwidth_hz, noise_per_hz=noise_per_hz)
    return from_features(det, feats)


def _frame_system(period_s: float | None, freq_hz: float) -> bandmod.FrameSystem | None:
    if period_s is None:
        return None
    return next((s for s in bandmod.FRAME_SYSTEMS if s.matches(period_s, freq_hz)), None)


def _lte_timing(bursts: Bursts) -> bool:
    """Bursts in whole 1 ms subframes (an uplink), or a pattern repeating every subframe (a
    downlink's reference and control symbols)."""
    period = bursts.period_s
    return bursts.whole_ms or (period is not None and abs(period / bandmod.LTE_SUBFRAME_S - 1.0) <= 0.02)


def _burst_kind(feats: Features, freq_hz: float, width: float, expected: list[str]) -> str:
    period = feats.bursts.period_s
    if _frame_system(period, freq_hz) is not None:
        return "tdma"
    if _lte_timing(feats.bursts) and width >= LTE_MIN_HZ:
        return "lte"
    if period is not None and "burst" not in expected and (width >= 100e3 or "tdma" in expected):
        return "tdma"  # a regular frame on a wide digital channel; keyed remotes are narrow
    # (in the ISM/SRD bands a keyed sensor's splatter can look 100+ kHz wide: still a burst)
    return "burst"


def _burst_text(feats: Features, freq_hz: float) -> str:
    b = feats.bursts
    text = f"bursts: on {b.duty_cycle:.0%} of the time"
    if b.period_s is not None:
        system = _frame_system(b.period_s, freq_hz)
        text += f", repeating every {b.period_s * 1e3:.2f} ms"
        if system is not None:
            text += f" ({system.name} frame)"
    if b.whole_ms:
        text += ", in whole 1 ms subframes (LTE)"
    elif _lte_timing(b):
        text += " (LTE subframes)"
    return text


SHARED_COMB_HZ = 0.5  # two combs this close in line rate are one camera's (crystals differ by more)
VIDEO_PART_SPAN_HZ = 8e6  # an 8.6 MHz peak-to-peak FM swing keeps its lines within ~6 MHz of blanking


def one_per_transmitter(items: list[tuple[Detection, Verdict]]) -> list[tuple[int, Detection, Verdict]]:
    """One emitter per video transmitter: the parts of one signal joined into the strongest.

    Detection splits a wide FM video signal into lines: the sync tip, the blanking level, each
    picture level (colour bars make several), with the picture spread between them over several
    MHz; a weak emitter beside a strong video signal (a sideband line, the receiver's mirror
    image) shows the same comb when looked at. Emitters whose combs agree within
    ``SHARED_COMB_HZ`` and lie within ``VIDEO_PART_SPAN_HZ`` of the strongest are that one
    signal, and so is any continuous emitter never looked at that lies inside its extent. The
    strongest (the blanking line, where an FM video signal rests) stays, reported at its own
    frequency with the occupied width of all its parts; two cameras 20 MHz apart stay two.

    Returns the survivors as (index into ``items``, detection, verdict), in ``items``' order.
    """
    order = sorted(range(len(items)), key=lambda i: (-items[i][0].power_dbfs, i))
    owner_of: dict[int, int] = {}
    parts: dict[int, list[int]] = {}
    for i in order:
        det, verdict = items[i]
        if i in owner_of or verdict.line_rate_hz is None:
            continue
        parts[i] = [
            j
            for j in order
            if j != i
            and j not in owner_of
            and j not in parts
            and items[j][1].line_rate_hz is not None
            and abs(items[j][0].freq_hz - det.freq_hz) <= VIDEO_PART_SPAN_HZ
            and abs(items[j][1].line_rate_hz - verdict.line_rate_hz) <= SHARED_COMB_HZ  # type: ignore[operator]
        ]
        lo, hi = _extent([items[k][0] for k in [i, *parts[i]]])
        parts[i] += [
            j
            for j in order
            if j != i
            and j not in owner_of
            and j not in parts
            and j not in parts[i]
            and not items[j][1].examined
            and not items[j][0].bursty
            and lo <= items[j][0].freq_hz <= hi
        ]
        owner_of.update({j: i for j in parts[i]})
    survivors = []
    for i, (det, verdict) in enumerate(items):
        if i in owner_of:
            continue
        if parts.get(i):
            det, verdict = _joined(det, verdict, [items[j][0] for j in parts[i]])
        survivors.append((i, det, verdict))
    return survivors


def _extent(dets: list[Detection]) -> tuple[float, float]:
    return min(d.freq_hz - d.bandwidth_hz / 2 for d in dets), max(d.freq_hz + d.bandwidth_hz / 2 for d in dets)


def _joined(det: Detection, verdict: Verdict, parts: list[Detection]) -> tuple[Detection, Verdict]:
    """The strongest part widened to the whole signal, its verdict saying what was joined."""
    lo, hi = _extent([det, *parts])
    joined = replace(
        det,
        start=min(d.start for d in [det, *parts]),
        stop=max(d.stop for d in [det, *parts]),
        bandwidth_hz=hi - lo,
    )
    lines = len(parts) + 1
    reasons = [
        f"one video signal from {lo / 1e6:.3f} to {hi / 1e6:.3f} MHz: {lines} lines with one line structure "
        f"(sync tip, blanking, picture levels), reported at its strongest, {det.freq_hz / 1e6:.4f} MHz",
        *verdict.reasons,
    ]
    return joined, replace(verdict, reasons=reasons)
