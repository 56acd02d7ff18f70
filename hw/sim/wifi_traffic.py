"""What each simulated Wi-Fi device sends: frame records, as a monitor-mode adapter would log them.

One model per scene kind (``hw.sim.wifi_scene``). Each keeps its own state across calls (an
encoder's frame clock, exposure and rate control; a download's next segment) and, for a slice of
simulated time, appends the records it put on air — or only advances its state when nobody listens
(its channel is not the tuned one).

The camera's encoder is the part the stimulus test relies on, so it follows what a real one does:
a frame every 1/fps, a key frame every ``gop`` frames (several P-frames' worth), P-frame sizes that
wander with the scene and the encoder's noise. In a dim room much of a P-frame's bits code sensor
noise; when the LED ring it sees is lit, auto-exposure (first-order, a few hundred ms) lowers the
gain, the noise and with them the bits, while the ring's bright blob adds a little. A slow rate
controller pulls the bitrate back toward its target over several seconds, as CBR-ish encoders do.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dsp import frames as fr

HEADER = 24 + 2 + 8 + 16  # 802.11 MAC header, QoS control, LLC/SNAP, CCMP: on top of the IP packet
NULL_FRAME = 24  # a (QoS) null data frame has no body
MTU = 1500
RTP_PAYLOAD = 1400  # RTP packetisers stay below the MTU
RTP_OVERHEAD = 12 + 8 + 20  # RTP, UDP, IPv4
TCP_ACK_IP = 52  # an ACK with timestamps
RETRY_SHARE = 0.03  # frames sent twice (the first one lost its ACK)
SUBTYPE_DATA = 0
SUBTYPE_QOS_DATA = 8
SUBTYPE_NULL = 4
SUBTYPE_PROBE_REQUEST = 4

# the camera's encoder and exposure
KEY_RATIO = 6.0  # a key frame is about this many P-frames
NOISE_SHARE = 0.5  # of a P-frame's bits in a dim room: sensor noise
MEAN_LEVEL = 0.25  # the dim room's mean picture level (fraction of white) that auto-exposure holds
BLOB_GAIN = 0.2  # bits the ring's own blob adds, per unit of led_response
AE_TAU_S = (0.2, 0.5)  # auto-exposure time constant, drawn per camera
RC_TAU_S = 8.0  # rate control pulls the bitrate back over this long
SCENE_WANDER = 0.008  # per-frame log-step of scene complexity (a still room barely changes: ~4 % RMS)
FRAME_NOISE = 0.12  # log-normal spread of P-frame sizes


class Recorder:
    """Columns of records being collected for one read."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._chunks: list[np.ndarray] = []

    def add(
        self,
        times: np.ndarray,
        lengths: np.ndarray,
        *,
        tx: int,
        rx: int,
        bssid: int,
        ftype: int = fr.TYPE_DATA,
        subtype: int = SUBTYPE_QOS_DATA,
        flags: int = 0,
        rssi_dbm: float = -60.0,
    ) -> None:
        times = np.atleast_1d(np.asarray(times, dtype=np.float64))
        if times.size == 0:
            return
        rec = fr.empty(times.size)
        rec["t"] = times
        rec["tx"], rec["rx"], rec["bssid"] = tx, rx, bssid
        rec["ftype"], rec["subtype"] = ftype, subtype
        rec["flags"] = flags | (fr.FLAG_PROTECTED if ftype == fr.TYPE_DATA else 0)
        rec["length"] = np.broadcast_to(np.asarray(lengths, dtype=np.int64), times.shape)
        rssi = rssi_dbm + self.rng.normal(0.0, 1.5, times.size)
        rec["rssi_dbm"] = np.clip(np.round(rssi), -100, -5)
        if ftype == fr.TYPE_DATA:
            retry = rec[self.rng.random(times.size) < RETRY_SHARE]
            if retry.size:
                retry["t"] += 0.0003
                retry["flags"] |= fr.FLAG_RETRY
                self._chunks.append(retry)
        self._chunks.append(rec)

    def records(self) -> np.ndarray:
        if not self._chunks:
            return fr.empty(0)
        out = np.concatenate(self._chunks)
        return out[np.argsort(out["t"], kind="stable")]


def phy_rate_bps(rssi_dbm: float) -> float:
    """The rate a station's link settles at for its signal (HT20, 1 stream: 6.5–72 Mbit/s)."""
    return float(np.interp(rssi_dbm, [-85, -75, -65, -55, -45], [6.5e6, 13e6, 39e6, 58e6, 72e6]))


class Model:
    """A device's common state: its addresses, its level (slow fading) and its link rate."""

    def __init__(self, spec: dict[str, Any], rng: np.random.Generator) -> None:
        self.spec = spec
        self.mac: int = spec["mac_int"]
        self.bssid: int = spec.get("bssid_int", self.mac)
        self.channel_mhz: int = spec["channel_mhz"]
        self.rng = rng
        self._fade = 0.0
        self._rate = phy_rate_bps(spec["rssi_dbm"])
        self._now = 0.0

    @property
    def rssi_dbm(self) -> float:
        """The level now: the scene's, moved by its ramp (the finder walking closer), plus slow fading."""
        level = self.spec["rssi_dbm"]
        ramp = self.spec.get("rssi_ramp_db_per_s", 0.0)
        if ramp:
            limit = self.spec.get("rssi_limit_dbm")
            level += ramp * self._now
            if limit is None:
                limit = -20.0 if ramp > 0 else -100.0
            level = min(level, limit) if ramp > 0 else max(level, limit)
        return level + self._fade

    def fade(self, dt: float) -> None:
        """Slow fading: an AR(1) walk of 2 dB RMS with a one-second memory (people, doors)."""
        self._now += dt
        keep = math.exp(-dt / 1.0)
        self._fade = keep * self._fade + math.sqrt(1 - keep * keep) * 2.0 * self.rng.standard_normal()

    def train(self, start: float, sizes: np.ndarray) -> np.ndarray:
        """Start times of frames sent back to back: airtime, the ACK and a random backoff each."""
        air = sizes * 8.0 / self._rate + 60e-6 + self.rng.uniform(0, 140e-6, sizes.size)
        return start + np.concatenate(([0.0], np.cumsum(air[:-1])))

    def up(self, out: Recorder, times: np.ndarray, lengths: Any) -> None:
        out.add(
            times, lengths, tx=self.mac, rx=self.bssid, bssid=self.bssid, flags=fr.FLAG_TO_DS, rssi_dbm=self.rssi_dbm
        )

    def down(self, out: Recorder, times: np.ndarray, lengths: Any, ap_rssi: float) -> None:
        out.add(times, lengths, tx=self.bssid, rx=self.mac, bssid=self.bssid, flags=fr.FLAG_FROM_DS, rssi_dbm=ap_rssi)

    def emit(self, t0: float, t1: float, lit: bool, out: Recorder | None, ap_rssi: float) -> None:
        raise NotImplementedError


def packetise(frame_bytes: float, payload: int, overhead: int) -> np.ndarray:
    """802.11 frame lengths carrying ``frame_bytes`` of video in ``payload``-byte pieces."""
    whole, rest = divmod(max(int(frame_bytes), 1), payload)
    pieces = [payload] * whole + ([rest] if rest else [])
    return np.asarray(pieces, dtype=np.float64) + overhead + HEADER


class AccessPoint(Model):
    def emit(self, t0: float, t1: float, lit: bool, out: Recorder | None, ap_rssi: float) -> None:
        self.fade(t1 - t0)
        interval = self.spec["beacon_interval_tu"] * 1.024e-3
        first = math.ceil(t0 / interval) * interval
        times = np.arange(first, t1, interval)
        if out is not None and times.size:
            length = 24 + 12 + 40 + len(self.spec["ssid"]) + 150  # header, fixed fields, IEs
            out.add(
                times + self.rng.uniform(0, 2e-4, times.size),
                length,
                tx=self.mac,
                rx=fr.BROADCAST,
                bssid=self.mac,
                ftype=fr.TYPE_MANAGEMENT,
                subtype=fr.SUBTYPE_BEACON,
                rssi_dbm=self.rssi_dbm,
            )


class Camera(Model):
    """A Wi-Fi camera streaming to its cloud (or a phone app) through the access point."""

    def __init__(self, spec: dict[str, Any], rng: np.random.Generator) -> None:
        super().__init__(spec, rng)
        self.period = 1.0 / spec["fps"]
        self.next_frame = rng.uniform(0, self.period)
        self.index = int(rng.integers(0, spec["gop"]))
        gop = spec["gop"]
        self.p_bytes = spec["bitrate_bps"] / 8.0 / spec["fps"] * gop / (gop - 1 + KEY_RATIO)
        self.ae_tau = rng.uniform(*AE_TAU_S)
        self.ae = 0.0  # 0: exposure for the dark room, 1: settled on the lit ring
        self.rc = 1.0
        self.scene = 0.0
        self.was_lit: bool | None = None
        self.streaming_until = math.inf if spec["upload"] == "continuous" else -math.inf
        self.next_keepalive = rng.uniform(0, 15.0)
        self.next_report = rng.uniform(0, 1.0)

    def _motion(self, t0: float, t1: float, lit: bool) -> None:
        if self.spec["upload"] != "motion":
            return
        changed = self.was_lit is not None and lit != self.was_lit and self.spec["sees_device"]
        rate = self.spec["motion_per_min"] / 60.0
        if changed or (rate and self.rng.random() < rate * (t1 - t0)):
            self.streaming_until = max(self.streaming_until, t0 + self.spec["clip_s"])

    def frame_bytes(self, key: bool, dt: float, lit: bool) -> float:
        """The next frame's size: scene, exposure (the ring), rate control, the encoder's spread."""
        target = 1.0 if (lit and self.spec["sees_device"]) else 0.0
        self.ae += (target - self.ae) * (1.0 - math.exp(-dt / self.ae_tau))
        r = self.spec["led_response"] * self.ae
        gain = MEAN_LEVEL / (MEAN_LEVEL + r)  # auto-exposure lowers the gain as the picture brightens
        picture = (1.0 - NOISE_SHARE + NOISE_SHARE * gain) * (1.0 + BLOB_GAIN * r)
        self.scene = 0.98 * self.scene + SCENE_WANDER * self.rng.standard_normal()
        size = self.p_bytes * math.exp(self.scene) * picture * self.rc
        size *= KEY_RATIO if key else math.exp(FRAME_NOISE * self.rng.standard_normal())
        # the rate controller sees the frame's size against its share of the target
        nominal = self.p_bytes * (KEY_RATIO if key else 1.0)
        self.rc *= math.exp(-(dt / RC_TAU_S) * math.log(max(size, 1.0) / nominal))
        return size

    def emit(self, t0: float, t1: float, lit: bool, out: Recorder | None, ap_rssi: float) -> None:
        self.fade(t1 - t0)
        self._motion(t0, t1, lit)
        self.was_lit = lit
        tcp = self.spec["transport"] == "tcp"
        while self.next_frame < t1:
            t = self.next_frame
            self.next_frame += self.period * (1.0 + 0.003 * self.rng.standard_normal())
            key = self.index % self.spec["gop"] == 0
            self.index += 1
            size = self.frame_bytes(key, self.period, lit)
            if out is None or t >= self.streaming_until:
                continue
            lengths = packetise(size, MTU - 40, 40) if tcp else packetise(size, RTP_PAYLOAD, RTP_OVERHEAD)
            times = self.train(t + 0.002, lengths)  # an encoder's few ms
            self.up(out, times, lengths)
            if tcp:  # the far end acknowledges every second segment
                acks = times[1::2] + 0.004 + self.rng.uniform(0, 0.01, times[1::2].size)
                self.down(out, acks, TCP_ACK_IP + HEADER, ap_rssi)
        self._housekeeping(t0, t1, out, ap_rssi)

    def _housekeeping(self, t0: float, t1: float, out: Recorder | None, ap_rssi: float) -> None:
        """RTCP reports while streaming; a cloud keep-alive every 15 s whatever it does."""
        while self.next_report < t1:
            t = self.next_report
            self.next_report += 1.0
            if out is not None and t < self.streaming_until and self.spec["transport"] == "rtp":
                self.up(out, np.array([t]), 80 + HEADER)
                self.down(out, np.array([t + 0.03]), 80 + HEADER, ap_rssi)
        while self.next_keepalive < t1:
            t = self.next_keepalive
            self.next_keepalive += 15.0
            if out is not None:
                self.up(out, np.array([t]), 120 + HEADER)
                self.down(out, np.array([t + 0.05]), TCP_ACK_IP + HEADER, ap_rssi)


class VideoCall(Model):
    """A phone or laptop in a video call: its camera's video up, the other side's video down, audio both ways."""

    def __init__(self, spec: dict[str, Any], rng: np.random.Generator) -> None:
        super().__init__(spec, rng)
        self.period = 1.0 / spec["fps"]
        self.next_up = rng.uniform(0, self.period)
        self.next_down = rng.uniform(0, self.period)
        self.next_audio = rng.uniform(0, 0.02)
        self.level_up = 0.0
        self.level_down = 0.0

    def _video(self, when: float, bps: float, level: float) -> np.ndarray:
        size = bps / 8.0 / self.spec["fps"] * math.exp(level + 0.25 * self.rng.standard_normal())
        if self.rng.random() < 0.01:  # a key frame on request (loss, a new participant)
            size *= KEY_RATIO
        return packetise(size, 1200, RTP_OVERHEAD)  # WebRTC keeps packets near 1200 bytes

    def emit(self, t0: float, t1: float, lit: bool, out: Recorder | None, ap_rssi: float) -> None:
        self.fade(t1 - t0)
        while self.next_up < t1:
            t = self.next_up
            self.next_up += self.period * (1.0 + 0.02 * self.rng.standard_normal())
            self.level_up = 0.97 * self.level_up + 0.05 * self.rng.standard_normal()  # bandwidth estimation
            if out is not None:
                lengths = self._video(t, self.spec["uplink_bps"], self.level_up)
                self.up(out, self.train(t, lengths), lengths)
        while self.next_down < t1:
            t = self.next_down
            self.next_down += self.period * (1.0 + 0.05 * self.rng.standard_normal())  # the internet's jitter
            self.level_down = 0.97 * self.level_down + 0.05 * self.rng.standard_normal()
            if out is not None:
                lengths = self._video(t, self.spec["downlink_bps"], self.level_down)
                self.down(out, t + np.arange(lengths.size) * 2e-4, lengths, ap_rssi)
        audio = np.arange(self.next_audio, t1, 0.02)
        self.next_audio = float(audio[-1] + 0.02) if audio.size else self.next_audio
        if out is not None and audio.size:  # Opus every 20 ms each way
            self.up(out, audio, 120 + RTP_OVERHEAD + HEADER)
            self.down(out, audio + self.rng.uniform(0, 0.02, audio.size), 120 + RTP_OVERHEAD + HEADER, ap_rssi)


class VodClient(Model):
    """A TV or phone playing video on demand: a segment downloaded as fast as the link goes, then silence."""

    def __init__(self, spec: dict[str, Any], rng: np.random.Generator) -> None:
        super().__init__(spec, rng)
        self.next_segment = rng.uniform(0, spec["segment_s"])

    def emit(self, t0: float, t1: float, lit: bool, out: Recorder | None, ap_rssi: float) -> None:
        self.fade(t1 - t0)
        while self.next_segment < t1:
            t = self.next_segment
            self.next_segment += self.spec["segment_s"] * self.rng.uniform(0.9, 1.1)
            if out is None:
                continue
            total = self.spec["downlink_bps"] * self.spec["segment_s"] / 8.0
            lengths = packetise(total, MTU - 40, 40)
            times = self.train(t, lengths)
            self.down(out, times, lengths, ap_rssi)
            self.up(out, times[1::2] + 0.001, TCP_ACK_IP + HEADER)


class TvClient(Model):
    """An IPTV set-top box: MPEG-TS datagrams (seven 188-byte packets) at a steady rate, down only."""

    DATAGRAM = 7 * 188 + 8 + 20

    def __init__(self, spec: dict[str, Any], rng: np.random.Generator) -> None:
        super().__init__(spec, rng)
        self.interval = self.DATAGRAM * 8.0 / spec["downlink_bps"]
        self.next = rng.uniform(0, self.interval)

    def emit(self, t0: float, t1: float, lit: bool, out: Recorder | None, ap_rssi: float) -> None:
        self.fade(t1 - t0)
        times = np.arange(self.next, t1, self.interval)
        self.next = float(times[-1] + self.interval) if times.size else self.next
        if out is not None and times.size:
            jitter = self.rng.exponential(0.002, times.size)
            self.down(out, np.sort(times + jitter), self.DATAGRAM + HEADER, ap_rssi)


class Uploader(Model):
    """A file going up (a phone's photo backup, a laptop's sync): TCP, paced by the ACK clock or link-bound."""

    def __init__(self, spec: dict[str, Any], rng: np.random.Generator) -> None:
        super().__init__(spec, rng)
        self.packet = MTU + HEADER
        self.interval = self.packet * 8.0 / spec["uplink_bps"]
        self.next = rng.uniform(0, self.interval)

    def emit(self, t0: float, t1: float, lit: bool, out: Recorder | None, ap_rssi: float) -> None:
        self.fade(t1 - t0)
        if self.spec["paced"]:  # ACKs come back at the bottleneck's rate: evenly spaced segments
            times = np.arange(self.next, t1, self.interval)
            self.next = float(times[-1] + self.interval) if times.size else self.next
            times = times + self.rng.normal(0, 0.05 * self.interval, times.size)
        else:  # the link is the bottleneck: back to back, with contention and the odd stall
            count = self.rng.poisson((t1 - t0) / self.interval)
            times = np.sort(self.rng.uniform(t0, t1, count))
        if out is not None and times.size:
            self.up(out, times, self.packet)
            self.down(out, times[1::2] + 0.003, TCP_ACK_IP + HEADER, ap_rssi)


class Phone(Model):
    """A phone asleep on the network: power-save null frames, a push notification now and then, a probe."""

    def __init__(self, spec: dict[str, Any], rng: np.random.Generator) -> None:
        super().__init__(spec, rng)
        self.next_null = rng.uniform(0, 0.5)

    def emit(self, t0: float, t1: float, lit: bool, out: Recorder | None, ap_rssi: float) -> None:
        self.fade(t1 - t0)
        nulls = []
        while self.next_null < t1:
            nulls.append(self.next_null)
            self.next_null += self.rng.uniform(0.1, 1.0)
        if out is None:
            return
        if nulls:
            out.add(
                np.array(nulls),
                NULL_FRAME,
                tx=self.mac,
                rx=self.bssid,
                bssid=self.bssid,
                subtype=SUBTYPE_NULL + SUBTYPE_QOS_DATA,
                flags=fr.FLAG_TO_DS,
                rssi_dbm=self.rssi_dbm,
            )
        if self.rng.random() < self.spec["push_per_min"] / 60.0 * (t1 - t0):
            t = self.rng.uniform(t0, t1)
            n = int(self.rng.integers(2, 10))
            self.down(out, t + np.arange(n) * 3e-4, self.rng.integers(200, MTU, n) + HEADER, ap_rssi)
            self.up(out, t + 0.01 + np.arange(max(n // 2, 1)) * 3e-4, TCP_ACK_IP + HEADER)
        if self.rng.random() < (t1 - t0) / 45.0:
            out.add(
                np.array([self.rng.uniform(t0, t1)]),
                180,
                tx=self.mac,
                rx=fr.BROADCAST,
                bssid=fr.BROADCAST,
                ftype=fr.TYPE_MANAGEMENT,
                subtype=SUBTYPE_PROBE_REQUEST,
                rssi_dbm=self.rssi_dbm,
            )


class Plug(Model):
    """A smart plug or bulb: a heartbeat to its cloud and the reply."""

    def __init__(self, spec: dict[str, Any], rng: np.random.Generator) -> None:
        super().__init__(spec, rng)
        self.next = rng.uniform(0, spec["heartbeat_s"])

    def emit(self, t0: float, t1: float, lit: bool, out: Recorder | None, ap_rssi: float) -> None:
        self.fade(t1 - t0)
        while self.next < t1:
            t = self.next
            self.next += self.spec["heartbeat_s"] * self.rng.uniform(0.95, 1.05)
            if out is not None:
                self.up(out, np.array([t]), 150 + HEADER)
                self.down(out, np.array([t + 0.04]), 110 + HEADER, ap_rssi)


MODELS: dict[str, type[Model]] = {
    "access-point": AccessPoint,
    "camera": Camera,
    "video-call": VideoCall,
    "vod-client": VodClient,
    "tv-client": TvClient,
    "uploader": Uploader,
    "phone": Phone,
    "plug": Plug,
}


def build(devices: list[dict[str, Any]], seed: int) -> list[Model]:
    """One model per device of a validated ``wifi`` block, each with its own random stream."""
    streams = np.random.SeedSequence(seed).spawn(len(devices))
    return [MODELS[d["kind"]](d, np.random.default_rng(s)) for d, s in zip(devices, streams, strict=True)]
