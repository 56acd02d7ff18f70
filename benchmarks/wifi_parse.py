"""802.11 header parsing speed and pcap replay time, against scapy in the same run.

Input: the real radiotap captures in ../shared/data/wifi/radiotap/, their frames retimed and tiled into a
60 s capture of a busy channel (5 000 frames a second, 300 000 frames) written as a pcap in a temporary
directory. Timed, best of 5, one core (the kernels are serial):

- ``dsp.dot11.parse`` over all 300 000 frames already in memory (records a second; bound ≥ 200 000);
- ``PcapReplay`` reading the file in 1 s windows as the CLI does (index + parse + windows), against the
  capture's 60 s (bound ≤ 0.25× real time);
- baseline: scapy's ``RadioTap`` dissector on 3 000 of the same frames (per-frame Python objects).
Usage: python -m benchmarks.wifi_parse
"""

from __future__ import annotations

import struct
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks._common import best_of, save
from dsp import dot11
from dsp import pcap as pcapindex
from tests.conftest import SHARED_DATA

SECONDS = 60.0
RATE = 5_000
BASELINE_FRAMES = 3_000


def real_frames() -> list[bytes]:
    """Every captured frame (radiotap + 802.11) of the real captures, in order."""
    out = []
    for path in sorted((SHARED_DATA / "wifi" / "radiotap").glob("*.pcap")):
        buf = np.fromfile(path, np.uint8)
        offsets, caplens, _, _, _, _ = pcapindex.records(buf, 24, big_endian=False, nanoseconds=False, limit=1 << 20)
        out += [buf[o : o + c].tobytes() for o, c in zip(offsets, caplens, strict=True)]
    return out


def busy_capture(path: Path, frames: list[bytes]) -> int:
    """A 60 s pcap at 5 000 frames a second, tiled from the real frames."""
    count = int(SECONDS * RATE)
    times = 1.7e9 + np.sort(np.random.default_rng(0).uniform(0, SECONDS, count))
    with path.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, dot11.LINKTYPE_RADIOTAP))
        for i, t in enumerate(times):
            frame = frames[i % len(frames)]
            sec = int(t)
            out.write(struct.pack("<IIII", sec, int((t - sec) * 1e6), len(frame), len(frame)) + frame)
    return count


def main() -> None:
    from hw.wifi.pcap import PcapReplay

    frames = real_frames()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "busy.pcap"
        count = busy_capture(path, frames)
        buf = np.fromfile(path, np.uint8)
        index = pcapindex.records(buf, 24, big_endian=False, nanoseconds=False, limit=count)
        offsets, caplens, origlens, times = index[:4]
        dot11.parse(buf, offsets[:10], caplens[:10], origlens[:10], times[:10], 127)  # compile / load cache
        parse_s = best_of(lambda: dot11.parse(buf, offsets, caplens, origlens, times, 127), 5)

        def replay() -> int:
            source, n = PcapReplay(path), 0
            while not source.exhausted:
                n += len(source.read(1.0))
            return n

        assert replay() == count
        replay_s = best_of(replay, 5)

    from scapy.layers.dot11 import RadioTap  # the baseline, imported only here

    sample = frames[:BASELINE_FRAMES]

    def scapy_parse() -> None:
        for raw in sample:
            pkt = RadioTap(raw)
            _ = (pkt.addr1, pkt.addr2, pkt.addr3, pkt.type, pkt.subtype, pkt.dBm_AntSignal, pkt.ChannelFrequency)

    t0 = time.perf_counter()
    scapy_s = best_of(scapy_parse, 2)
    ours_rate = count / parse_s
    scapy_rate = len(sample) / scapy_s
    result = {
        "frames": count,
        "parse_s": parse_s,
        "parse_frames_per_s": ours_rate,
        "replay_s": replay_s,
        "replay_real_time_factor": replay_s / SECONDS,
        "scapy_frames_per_s": scapy_rate,
        "ratio_vs_scapy": ours_rate / scapy_rate,
        "baseline_wall_s": time.perf_counter() - t0,
    }
    print(f"{'':34}{'frames/s':>12}")
    print(f"{'dsp.dot11.parse (1 core)':34}{ours_rate:>12,.0f}   bound >= 200,000")
    print(f"{'scapy RadioTap dissector':34}{scapy_rate:>12,.0f}")
    print(f"ratio: {ours_rate / scapy_rate:,.0f}x")
    print(
        f"replay of a {SECONDS:.0f} s capture ({count} frames): {replay_s:.3f} s = {replay_s / SECONDS:.4f}x real time"
    )
    print(f"(bound <= 0.25x)  -> {save('wifi_parse', result)}")


if __name__ == "__main__":
    main()
