"""What each Wi-Fi transmitter's traffic says about it: a camera, a video call, a TV, a phone asleep.

Encryption hides the content, not the sizes and the timing. A camera's encoder emits one video
frame every 1/fps seconds; the frame leaves as a train of near-MTU data frames, and trains repeat
at the frame rate with a larger one at every key frame (DeWiCam, SCamF). Per transmitter this module
measures, from header records only (``dsp.frames.FRAME_DTYPE``):

- uplink / downlink bytes (station → AP, AP → station) and the rate sustained through the capture;
- video-frame bursts rebuilt from packet trains: their rate, how regular the beat is, how much their
  sizes spread, and whether big bursts (key frames) come back at a fixed period (the GOP);
- the up/down balance (a video call is two-way video, a camera is one-way) and the near-MTU share.

A kind (``KINDS``) and a camera score come from those, as a logistic combination of evidence, each
piece with a sentence a person can check — like ``dsp.classify`` does for radio emitters; the
suspect line is ``classify.SUSPECT_SCORE``. Pure numpy: no clock, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from dsp import frames as fr
from dsp import stimulus as stim
from dsp.classify import SUSPECT_SCORE

KINDS = ("camera", "video-call", "streaming-client", "uploader", "idle", "access-point", "unknown")

BIN_S = 1.0  # the byte series' bins: a second is long enough to hold several video frames
NEAR_MTU = 1300  # an 802.11 data frame this long carries a (nearly) full 1500-byte IP packet
MIN_PAYLOAD = 100  # shorter data frames are TCP ACKs, null frames, keep-alives: not video
VIDEO_PACKET = 400  # audio (20 ms of Opus, G.711 or AAC) fits in less: trains are built from longer frames
MIN_BURST_BYTES = 600  # a train this small is audio or signalling, not a video frame
TRAIN_GAP_S = 0.004  # packets of one video frame follow each other within a few ms of airtime
MAX_TRAIN_GAP_S = 0.012  # wider would chain a call's 20 ms audio packets into one train
KEY_FRAME_RATIO = 2.5  # a burst this many times the median burst is a key frame
VIDEO_FPS = (4.0, 61.0)  # frame rates encoders use
VIDEO_MIN_BPS = 64e3  # below this no live video (a 320×240 MJPEG stream at 4 fps is ~100 kbit/s)
IDLE_BPS = 8e3  # both ways together: keep-alives, power-save polls, a plug's heartbeat
STREAM_MIN_BPS = 100e3  # a streamed download or a bulk upload is at least this
ONE_WAY = 0.8  # uplink share of the bytes above which a stream is one-way
TWO_WAY = 0.25  # ... and the share of the stream the other way that makes a call two-way
REGULAR = 0.7  # share of burst intervals on the beat for a frame-rate stream (random arrivals: ~0.3)
VERY_REGULAR = 0.85
BEAT_TOLERANCE = 0.25  # an interval within ±25 % of one or two periods is on the beat
MIN_SPREAD = 0.05  # video frames differ in size; a paced upload's segments do not
MIN_BURSTS = 12

#: log-odds of each piece of evidence
WEIGHTS: dict[str, float] = {
    "prior": -3.0,  # most transmitters in a room are not cameras
    "video_uplink": 4.0,  # uplink bursts at a video frame rate, sustained
    "very_regular": 1.0,  # the beat barely wanders
    "one_way": 1.5,  # nothing comparable comes back
    "gop": 1.5,  # key frames at a fixed period
    "near_mtu": 0.5,  # the bytes go in full-size frames
    "sustained": 0.5,  # the rate holds through the capture
    "two_way": -4.0,  # video both ways: a call
    "downlink_stream": -4.0,  # it receives a stream: a TV, a phone watching
    "bulk": -2.0,  # full-size frames back to back with no frame beat: an upload
    "idle": -3.0,
    "access_point": -6.0,
}


@dataclass
class Bursts:
    """Video-frame bursts of one direction: start times (s) and sizes (bytes), in time order."""

    times_s: np.ndarray
    sizes: np.ndarray

    def __len__(self) -> int:
        return int(self.times_s.size)


@dataclass
class Stream:
    """Features of one direction of a transmitter's data."""

    bps: float = 0.0
    sustained_bps: float = 0.0  # the rate held in 80 % of the seconds
    packets: int = 0
    near_mtu_share: float = 0.0  # of the bytes
    burst_rate_hz: float = 0.0  # video-sized bursts a second
    frame_rate_hz: float | None = None  # 1 / the median burst interval
    regularity: float = 0.0  # share of intervals on the beat
    size_spread: float | None = None  # interquartile range / median of burst sizes
    gop_s: float | None = None  # key-frame period, when key frames come back regularly

    @property
    def video(self) -> bool:
        """Live video: a sustained stream of bursts at a video frame rate, on the beat."""
        return (
            self.sustained_bps >= VIDEO_MIN_BPS
            and self.frame_rate_hz is not None
            and VIDEO_FPS[0] <= self.frame_rate_hz <= VIDEO_FPS[1]
            and self.regularity >= REGULAR
            and self.size_spread is not None
            and self.size_spread >= MIN_SPREAD
        )

    def summary(self) -> dict[str, Any]:
        return {
            "bps": round(self.bps),
            "sustained_bps": round(self.sustained_bps),
            "packets": self.packets,
            "near_mtu_share": round(self.near_mtu_share, 3),
            "burst_rate_hz": round(self.burst_rate_hz, 2),
            "frame_rate_hz": None if self.frame_rate_hz is None else round(self.frame_rate_hz, 2),
            "regularity": round(self.regularity, 3),
            "size_spread": None if self.size_spread is None else round(self.size_spread, 3),
            "gop_s": None if self.gop_s is None else round(self.gop_s, 2),
        }


@dataclass
class Device:
    """One transmitter's verdict; ``to_json`` is its shape in ``wifi --json`` (DESIGN.md)."""

    mac: str
    kind: str
    camera_score: float
    reasons: list[str]
    uplink_bps: float
    downlink_bps: float
    frame_rate_hz: float | None
    rssi_dbm: int | None
    freq_mhz: int | None
    bssid: str | None
    uplink: Stream = field(default_factory=Stream)
    downlink: Stream = field(default_factory=Stream)
    seconds: float = 0.0
    vendor: str | None = None  # filled by whoever knows the OUI database
    stimulus: dict[str, Any] | None = None  # filled by the stimulus test

    @property
    def suspect(self) -> bool:
        return self.camera_score >= SUSPECT_SCORE

    @property
    def address(self) -> int:
        return fr.mac_to_int(self.mac)

    def to_json(self) -> dict[str, Any]:
        return {
            "mac": self.mac,
            "vendor": self.vendor,
            "kind": self.kind,
            "camera_score": round(self.camera_score, 3),
            "uplink_bps": round(self.uplink_bps),
            "downlink_bps": round(self.downlink_bps),
            "frame_rate_hz": None if self.frame_rate_hz is None else round(self.frame_rate_hz, 2),
            "rssi_dbm": self.rssi_dbm,
            "channel_mhz": self.freq_mhz,
            "bssid": self.bssid,
            "stimulus": self.stimulus,
            "reasons": list(self.reasons),
        }


# --- bursts ---------------------------------------------------------------------------------


def _trains(times: np.ndarray, sizes: np.ndarray, gap_s: float) -> tuple[Bursts, np.ndarray]:
    """Packets closer than ``gap_s`` to the previous one belong to its train; also each train's last time."""
    if times.size == 0:
        return Bursts(np.empty(0), np.empty(0)), np.empty(0)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(times) > gap_s) + 1))
    ends = np.concatenate((starts[1:] - 1, [times.size - 1]))
    trains = Bursts(times[starts].astype(np.float64), np.add.reduceat(sizes.astype(np.float64), starts))
    return trains, times[ends].astype(np.float64)


def rebuild_bursts(times_s: np.ndarray, lengths: np.ndarray) -> Bursts:
    """Video-frame bursts from one direction's data frames (time order).

    Trains are built from frames of at least ``VIDEO_PACKET`` bytes (audio, ACKs and signalling
    would chain frames into one train): a first pass splits at a few milliseconds of silence; the
    gap is then widened to a third of the typical interval between video-sized bursts (a key
    frame's long train, slowed by contention, stays one burst) and the trains are rebuilt. A
    frame's short last piece, sent right after its train, is then added to it (without it every
    frame of a low-bitrate camera would be one full packet: sizes that never vary). Trains
    smaller than a video frame are dropped.
    """
    t = np.asarray(times_s, dtype=np.float64)
    n = np.asarray(lengths, dtype=np.float64)
    big = n >= VIDEO_PACKET
    tb, nb = t[big], n[big]
    first, _ = _trains(tb, nb, TRAIN_GAP_S)
    video_starts = first.times_s[first.sizes >= MIN_BURST_BYTES]
    gap = TRAIN_GAP_S
    if video_starts.size >= 3:
        gap = float(np.clip(np.median(np.diff(video_starts)) / 3.0, TRAIN_GAP_S, MAX_TRAIN_GAP_S))
    bursts, ends = _trains(tb, nb, gap)
    small = ~big & (n >= MIN_PAYLOAD)
    if small.any() and len(bursts):
        ts, ns = t[small], n[small]
        owner = np.searchsorted(bursts.times_s, ts, side="right") - 1
        tail = (owner >= 0) & (ts <= ends[np.maximum(owner, 0)] + TRAIN_GAP_S)
        bursts.sizes += np.bincount(owner[tail], weights=ns[tail], minlength=len(bursts))
    video = bursts.sizes >= MIN_BURST_BYTES
    return Bursts(bursts.times_s[video], bursts.sizes[video])


def _beat(intervals: np.ndarray) -> tuple[float | None, float]:
    """The median interval and the share of intervals within tolerance of one or two of it
    (a dropped or merged frame is two periods)."""
    if intervals.size < MIN_BURSTS - 1:
        return None, 0.0
    period = float(np.median(intervals))
    if period <= 0:
        return None, 0.0
    ratio = intervals / period
    on_beat = (np.abs(ratio - 1.0) <= BEAT_TOLERANCE) | (np.abs(ratio - 2.0) <= BEAT_TOLERANCE)
    return period, float(on_beat.mean())


def _gop(bursts: Bursts) -> float | None:
    """The key-frame period when bursts much larger than the median recur at a steady interval."""
    if len(bursts) < MIN_BURSTS:
        return None
    median = float(np.median(bursts.sizes))
    key = bursts.times_s[bursts.sizes >= KEY_FRAME_RATIO * median]
    if key.size < 3 or key.size > len(bursts) / 3:
        return None
    gaps = np.diff(key)
    period = float(np.median(gaps))
    if period <= 0 or np.mean(np.abs(gaps / period - 1.0) <= 0.15) < 0.75:
        return None
    return period


def _stream(times: np.ndarray, lengths: np.ndarray, t0: float, seconds: float) -> tuple[Stream, Bursts]:
    lengths = lengths.astype(np.float64)
    total = float(lengths.sum())
    s = Stream(packets=int(lengths.size))
    if seconds <= 0 or lengths.size == 0:
        return s, Bursts(np.empty(0), np.empty(0))
    s.bps = 8.0 * total / seconds
    bins = max(1, math.floor(seconds / BIN_S))
    index = np.minimum(((times - t0) / BIN_S).astype(np.int64), bins - 1)
    per_bin = np.bincount(np.clip(index, 0, bins - 1), weights=lengths, minlength=bins) * 8.0 / BIN_S
    s.sustained_bps = float(np.percentile(per_bin, 20))
    s.near_mtu_share = float(lengths[lengths >= NEAR_MTU].sum() / total) if total else 0.0
    bursts = rebuild_bursts(times, lengths)
    s.burst_rate_hz = len(bursts) / seconds
    period, s.regularity = _beat(np.diff(bursts.times_s))
    s.frame_rate_hz = None if period is None else 1.0 / period
    if len(bursts) >= MIN_BURSTS:
        q1, med, q3 = np.percentile(bursts.sizes, [25, 50, 75])
        s.size_spread = float((q3 - q1) / med) if med > 0 else None
        s.gop_s = _gop(bursts)
    return s, bursts


# --- verdict --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Evidence:
    weight: float
    reason: str


def _mbit(bps: float) -> str:
    if bps >= 1e5:
        return f"{bps / 1e6:.2f} Mbit/s"
    return f"{bps / 1e3:.0f} kbit/s" if bps >= 1e4 else f"{bps / 1e3:.1f} kbit/s"


def judge(up: Stream, down: Stream, *, beacons: int, relays: int) -> tuple[str, float, list[str]]:
    """Kind, camera score and reasons from the two directions' features.

    ``beacons`` counts the beacons this transmitter sent; ``relays`` its AP→station data frames.
    """
    evidence: list[_Evidence] = []
    total = up.bps + down.bps
    share_up = up.bps / total if total > 0 else 0.0
    if beacons or relays > up.packets:
        what = f"sends beacons ({beacons})" if beacons else "relays data to stations (from-DS)"
        evidence.append(_Evidence(WEIGHTS["access_point"], f"an access point: {what}"))
        return "access-point", *_combine(evidence)
    if total < IDLE_BPS:
        evidence.append(_Evidence(WEIGHTS["idle"], f"almost silent: {_mbit(total)} both ways together"))
        return "idle", *_combine(evidence)
    kind = "unknown"
    if up.video:
        assert up.frame_rate_hz is not None
        evidence.append(
            _Evidence(
                WEIGHTS["video_uplink"],
                f"uplink video stream: {_mbit(up.bps)} in {up.frame_rate_hz:.1f} bursts a second "
                f"({up.regularity:.0%} on the beat)",
            )
        )
        if up.regularity >= VERY_REGULAR:
            evidence.append(_Evidence(WEIGHTS["very_regular"], ""))
        if up.gop_s is not None:
            frames_per_gop = up.gop_s * up.frame_rate_hz
            evidence.append(
                _Evidence(WEIGHTS["gop"], f"a key frame every {up.gop_s:.1f} s ({frames_per_gop:.0f} frames)")
            )
        if up.near_mtu_share >= 0.5:
            evidence.append(_Evidence(WEIGHTS["near_mtu"], f"{up.near_mtu_share:.0%} of its bytes in full-size frames"))
        if up.sustained_bps >= 0.5 * up.bps:
            evidence.append(_Evidence(WEIGHTS["sustained"], "the rate holds through the capture"))
        two_way = down.video or (down.bps >= TWO_WAY * up.bps and down.sustained_bps >= VIDEO_MIN_BPS)
        if two_way:
            kind = "video-call"
            evidence.append(
                _Evidence(WEIGHTS["two_way"], f"two-way video: {_mbit(down.bps)} comes back (a video call)")
            )
        elif share_up >= ONE_WAY:
            kind = "camera"
            evidence.append(_Evidence(WEIGHTS["one_way"], f"one-way: {share_up:.0%} of the bytes go up"))
    elif down.bps >= STREAM_MIN_BPS and share_up <= 1 - ONE_WAY:
        kind = "streaming-client"
        evidence.append(
            _Evidence(WEIGHTS["downlink_stream"], f"receives a stream: {_mbit(down.bps)} down, {_mbit(up.bps)} up")
        )
    elif up.bps >= STREAM_MIN_BPS and share_up >= ONE_WAY:
        kind = "uploader"
        beat = _why_not_video(up)
        evidence.append(_Evidence(WEIGHTS["bulk"], f"uploads {_mbit(up.bps)} with {beat}: a file, not live video"))
    else:
        evidence.append(_Evidence(0.0, f"{_mbit(up.bps)} up, {_mbit(down.bps)} down, no video frame beat"))
    score, reasons = _combine(evidence)
    if kind == "camera" and score < SUSPECT_SCORE:
        kind = "unknown"
    return kind, score, reasons


def _why_not_video(up: Stream) -> str:
    if up.sustained_bps < VIDEO_MIN_BPS and up.frame_rate_hz is not None:
        return f"a beat of {up.frame_rate_hz:.1f} a second that does not last through the capture"
    if up.frame_rate_hz is None:
        return "no frame beat"
    if up.size_spread is not None and up.size_spread < MIN_SPREAD:
        return "every burst the same size"
    if not VIDEO_FPS[0] <= up.frame_rate_hz <= VIDEO_FPS[1]:
        return f"{up.frame_rate_hz:.0f} bursts a second (no video frame rate)"
    return f"only {up.regularity:.0%} of its bursts on a beat"


def _combine(evidence: list[_Evidence]) -> tuple[float, list[str]]:
    """Logistic score and the reasons, strongest evidence first."""
    logit = WEIGHTS["prior"] + sum(e.weight for e in evidence)
    score = 1.0 / (1.0 + math.exp(-logit))
    ordered = sorted(evidence, key=lambda e: -abs(e.weight))
    return score, [e.reason for e in ordered if e.reason]


# --- per transmitter ------------------------------------------------------------------------


def _clean(frames: np.ndarray) -> np.ndarray:
    """Time-ordered records without retransmissions (a retry repeats bytes already counted)."""
    keep = (frames["flags"] & fr.FLAG_RETRY) == 0
    out = frames[keep]
    return out[np.argsort(out["t"], kind="stable")]


def _mode(values: np.ndarray) -> int | None:
    values = values[values > 0]
    if values.size == 0:
        return None
    uniq, counts = np.unique(values, return_counts=True)
    return int(uniq[np.argmax(counts)])


def _rssi(values: np.ndarray) -> int | None:
    known = values[values != fr.RSSI_UNKNOWN]
    return round(float(np.median(known))) if known.size else None


def device_bursts(frames: np.ndarray, mac: int) -> Bursts:
    """The uplink video-frame bursts of one station (what the stimulus test reads)."""
    frames = _clean(frames)
    up = frames[fr.uplink_mask(frames) & (frames["tx"] == np.uint64(mac))]
    return rebuild_bursts(up["t"], up["length"])


class _Groups:
    """Row numbers by address, found by one sort (a busy capture holds hundreds of devices)."""

    def __init__(self, keys: np.ndarray, rows: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")  # stable: each address's rows stay in time order
        self._keys = keys[order]
        self._rows = rows[order]

    def rows(self, key: np.uint64) -> np.ndarray:
        a = np.searchsorted(self._keys, key, side="left")
        b = np.searchsorted(self._keys, key, side="right")
        return self._rows[a:b]


def analyze(frames: np.ndarray, *, exclude: set[int] | frozenset[int] = frozenset()) -> list[Device]:
    """One :class:`Device` per transmitter in ``frames`` (except those in ``exclude``: the device's
    own hotspot, the user's phone), the most camera-like first."""
    frames = _clean(np.asarray(frames, dtype=fr.FRAME_DTYPE))
    if frames.size == 0:
        return []
    t0, t1 = float(frames["t"][0]), float(frames["t"][-1])
    seconds = max(t1 - t0, BIN_S)
    up_mask = fr.uplink_mask(frames)
    down_mask = fr.downlink_mask(frames)
    beacon_mask = (frames["ftype"] == fr.TYPE_MANAGEMENT) & (frames["subtype"] == fr.SUBTYPE_BEACON)
    senders = frames["tx"]
    receivers = frames["rx"][down_mask]  # a set-top box may only ever receive
    heard = np.concatenate((senders, receivers))
    group = ((heard >> np.uint64(40)) & np.uint64(1)) == 1  # multicast receivers are no device
    candidates = np.unique(heard[(heard != 0) & (heard != fr.BROADCAST) & ~group])
    by_sender = _Groups(senders, np.arange(frames.size))
    by_receiver = _Groups(receivers, np.flatnonzero(down_mask))
    out = []
    for mac in candidates:
        if int(mac) in exclude:
            continue
        rows = by_sender.rows(mac)  # its own frames, in time order
        own = frames[rows]
        up = own[up_mask[rows]]
        down = frames[by_receiver.rows(mac)]
        up_stream, _ = _stream(up["t"], up["length"], t0, seconds)
        down_stream, _ = _stream(down["t"], down["length"], t0, seconds)
        kind, score, reasons = judge(
            up_stream,
            down_stream,
            beacons=int(np.count_nonzero(beacon_mask[rows])),
            relays=int(np.count_nonzero(down_mask[rows])),
        )
        # a station that only receives has no level of its own
        if own.size == 0:
            own = down[:0]
        bssids = own["bssid"][(own["bssid"] != 0) & (own["bssid"] != fr.BROADCAST)]
        bssid = _mode(bssids)
        out.append(
            Device(
                mac=fr.mac_text(int(mac)),
                kind=kind,
                camera_score=score,
                reasons=reasons,
                uplink_bps=up_stream.bps,
                downlink_bps=down_stream.bps,
                frame_rate_hz=up_stream.frame_rate_hz if up_stream.video else None,
                rssi_dbm=_rssi(own["rssi_dbm"]),
                freq_mhz=_mode((own if own.size else down)["freq_mhz"].astype(np.int64)),
                bssid=None if bssid is None else fr.mac_text(bssid),
                uplink=up_stream,
                downlink=down_stream,
                seconds=seconds,
            )
        )
    out.sort(key=lambda d: (-d.camera_score, d.mac))
    return out


# --- the stimulus test ----------------------------------------------------------------------

MAX_LAG_S = 1.5  # auto-exposure settles in a few hundred ms; encoders and Wi-Fi queues add a frame or two
DETREND_S = 8.0  # slow wander (the scene, rate control) removed over this window; LED runs are <= 3 slots
SEES = "this camera sees the device"


def detrend(times_s: np.ndarray, values: np.ndarray, window_s: float) -> np.ndarray:
    """``values`` minus their running median over ``window_s`` (a high-pass that leaves key frames alone).

    The pattern was drawn independently of the room, so any transformation that ignores it keeps
    the randomisation test exact; this one only removes drifts slower than the pattern's runs.
    """
    if values.size == 0 or window_s <= 0:
        return values
    lo = np.searchsorted(times_s, times_s - window_s / 2)
    hi = np.searchsorted(times_s, times_s + window_s / 2, side="right")
    step = max(1, values.size // 2000)  # the trend is smooth: a median every few frames is enough
    anchors = np.arange(0, values.size, step)
    trend = np.array([np.median(values[lo[i] : hi[i]]) for i in anchors])
    return values - np.interp(times_s, times_s[anchors], trend)


BLIND = "streams like a camera; does not see the device from here"


def _without_key_frames(bursts: Bursts) -> Bursts:
    """Key frames code the whole picture at a fixed period, whatever the exposure: only noise here."""
    if len(bursts) < MIN_BURSTS:
        return bursts
    p_frames = bursts.sizes < KEY_FRAME_RATIO * np.median(bursts.sizes)
    return Bursts(bursts.times_s[p_frames], bursts.sizes[p_frames])


def judge_stimulus(
    frames: np.ndarray,
    devices: list[Device],
    schedule: stim.Schedule,
    rng: np.random.Generator,
    *,
    permutations: int = stim.PERMUTATIONS,
    correct: bool = True,
) -> dict[str, stim.Response]:
    """Does each suspect's video follow the schedule? Holm-corrected responses by MAC.

    The response series is the size of each rebuilt video frame (log bytes: the encoder's bits move
    by a factor); ``dsp.stimulus.judge_response`` takes per-slot medians (robust to key frames and
    rate caps) at lags up to ``MAX_LAG_S`` and a randomisation p-value. Only suspects are judged
    (a device with no video stream has nothing to follow); the returned ``p_value`` is corrected
    over the devices judged, so ``to_json()`` says ``responds`` at p < 0.01 after the correction.
    Suspects whose frames do not cover the schedule are left out. ``correct=False`` returns the raw
    p-values, for a sweep that judges several channels one after another and corrects once (``stim.holm``).
    """
    raw: dict[str, stim.Response] = {}
    for device in devices:
        if not device.suspect:
            continue
        bursts = _without_key_frames(device_bursts(frames, device.address))
        response = stim.judge_response(
            bursts.times_s,
            detrend(bursts.times_s, np.log(bursts.sizes), DETREND_S),
            schedule,
            rng,
            max_lag_s=MAX_LAG_S,
            permutations=permutations,
        )
        if response is not None:
            raw[device.mac] = response
    return holm_responses(raw) if correct else raw


def holm_responses(raw: dict[str, stim.Response]) -> dict[str, stim.Response]:
    """The same responses with Holm-corrected p-values over all of them (one sweep's devices)."""
    adjusted = stim.holm([r.p_value for r in raw.values()])
    return {mac: replace(r, p_value=p) for (mac, r), p in zip(raw.items(), adjusted, strict=True)}


def apply_stimulus(devices: list[Device], responses: dict[str, stim.Response]) -> None:
    """Write each judged device's verdict into it: ``stimulus`` and a first reason in words."""
    for device in devices:
        response = responses.get(device.mac)
        if response is None:
            if device.suspect:
                device.reasons.insert(0, "not judged: too few video frames during the stimulus")
            continue
        device.stimulus = response.to_json()
        p = device.stimulus["p_value"]
        if device.stimulus["responds"]:
            lag = f"lag {response.lag_s:.2f} s"
            device.reasons.insert(0, f"{SEES}: its video follows the LED pattern (p = {p:g}, {lag})")
        elif device.kind == "camera":
            device.reasons.insert(0, f"{BLIND} (p = {p:g})")
        else:
            device.reasons.insert(0, f"does not follow the LED pattern (p = {p:g})")
