"""The radiotap + 802.11 header parser and PcapReplay on real captures, checked frame by frame against tshark."""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from dsp import dot11
from dsp import frames as fr
from hw.errors import CaptureFileError
from hw.wifi.pcap import PcapReplay, PcapWriter
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA / "wifi"
RADIOTAP = sorted((DATA / "radiotap").glob("*.pcap"))
LAN = sorted((DATA / "lan").glob("*.pcap"))
FIELDS = [
    "frame.len", "radiotap.length", "radiotap.flags.fcs", "wlan.fc.type", "wlan.fc.subtype", "wlan.ta",
    "wlan.ra", "wlan.bssid", "radiotap.dbm_antsignal", "radiotap.channel.freq", "wlan.fc.retry",
    "wlan.fc.protected", "wlan.fc.ds",
]  # fmt: skip


def read_all(path: Path) -> np.ndarray:
    replay = PcapReplay(path)
    return np.concatenate([fr.empty(), *replay.batches()])


def tshark_rows(path: Path) -> list[dict[str, str]]:
    """tshark's reading of every frame (the reference reader; CI installs it)."""
    assert shutil.which("tshark"), "tshark is needed (Debian package tshark, .ci/apt-packages.txt)"
    command = ["tshark", "-n", "-r", str(path), "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for field in FIELDS:
        command += ["-e", field]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return [dict(zip(FIELDS, line.split("\t"), strict=True)) for line in out.splitlines()]


def mac(text: str) -> int:
    return fr.mac_to_int(text) if text else 0


def test_captures_are_there():
    assert len(RADIOTAP) == 4 and len(LAN) == 3


@pytest.mark.parametrize("path", RADIOTAP, ids=lambda p: p.name)
def test_every_frame_matches_tshark(path):
    ours = read_all(path)
    ref = tshark_rows(path)
    assert len(ours) == len(ref) > 200
    for rec, row in zip(ours, ref, strict=True):
        assert rec["ftype"] == int(row["wlan.fc.type"]) and rec["subtype"] == int(row["wlan.fc.subtype"], 0)
        cf_end = rec["ftype"] == fr.TYPE_CONTROL and rec["subtype"] in (14, 15)  # tshark: its TA is "BSSID"
        assert rec["tx"] == mac(row["wlan.bssid"] if cf_end else row["wlan.ta"]) and rec["rx"] == mac(row["wlan.ra"])
        if row["wlan.bssid"]:
            assert rec["bssid"] == mac(row["wlan.bssid"])
        fcs = 4 if row["radiotap.flags.fcs"] in ("1", "True") else 0
        assert rec["length"] == int(row["frame.len"]) - int(row["radiotap.length"]) - fcs
        assert rec["rssi_dbm"] == int(row["radiotap.dbm_antsignal"] or fr.RSSI_UNKNOWN)
        assert rec["freq_mhz"] == int(row["radiotap.channel.freq"])
        assert bool(rec["flags"] & fr.FLAG_RETRY) == (row["wlan.fc.retry"] in ("1", "True"))
        assert bool(rec["flags"] & fr.FLAG_PROTECTED) == (row["wlan.fc.protected"] in ("1", "True"))
        assert rec["flags"] & (fr.FLAG_TO_DS | fr.FLAG_FROM_DS) == int(row["wlan.fc.ds"], 0)
    counts = np.bincount(ours["ftype"], minlength=3)
    ref_counts = np.bincount([int(r["wlan.fc.type"]) for r in ref], minlength=3)
    assert counts.tolist() == ref_counts.tolist()


def test_pcapng_and_a_short_snaplen_give_the_same_records(tmp_path):
    source = RADIOTAP[2]
    original = read_all(source)
    ng = tmp_path / "capture.pcapng"
    short = tmp_path / "short.pcapng"
    subprocess.run(["editcap", "-F", "pcapng", str(source), str(ng)], check=True)
    subprocess.run(["editcap", "-F", "pcapng", "-s", "40", str(source), str(short)], check=True)
    again = read_all(ng)
    assert PcapReplay(ng).format == "pcapng"
    assert np.allclose(again["t"], original["t"], rtol=0, atol=1e-6)
    assert np.array_equal(again[list(fr.FRAME_DTYPE.names[1:])], original[list(fr.FRAME_DTYPE.names[1:])])
    truncated = read_all(short)
    assert np.array_equal(truncated["length"], original["length"])  # sizes from the original length
    assert np.array_equal(truncated["ftype"], original["ftype"])
    assert np.allclose(truncated["t"], original["t"], rtol=0, atol=1e-6)


def test_a_file_cut_mid_record_is_read_to_the_cut_with_one_warning(tmp_path, caplog):
    source = RADIOTAP[0]
    whole = read_all(source)
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(source.read_bytes()[:-50])
    with caplog.at_level(logging.WARNING):
        replay = PcapReplay(cut)
        got = np.concatenate(list(replay.batches()))
    assert np.array_equal(got, whole[:-1])
    assert replay.warnings == [f"cut.pcap: file ends mid-record after {len(whole) - 1} frames; read up to the cut"]
    assert [r.message for r in caplog.records if r.levelno == logging.WARNING] == replay.warnings


@pytest.mark.parametrize("path", LAN, ids=lambda p: p.name)
def test_ethernet_captures_are_refused_in_one_line(path):
    with pytest.raises(CaptureFileError) as caught:
        PcapReplay(path)
    message = str(caught.value)
    assert "link type 1 (Ethernet) is not a Wi-Fi capture" in message and "\n" not in message


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "empty"), (b"hello world, not a pcap", "not a pcap or pcapng"), (b"\xd4\xc3\xb2\xa1\x02\x00", "short")],
)
def test_other_files_are_bad_input(tmp_path, content, words):
    path = tmp_path / "x.pcap"
    path.write_bytes(content)
    with pytest.raises(CaptureFileError, match=words):
        PcapReplay(path)
    with pytest.raises(CaptureFileError, match="no such file"):
        PcapReplay(tmp_path / "missing.pcap")


def test_read_steps_through_the_file_by_its_own_clock():
    whole = read_all(RADIOTAP[1])
    replay = PcapReplay(RADIOTAP[1])
    first = replay.read(1.0)
    assert replay.clock() == pytest.approx(whole["t"][0] + 1.0)
    assert len(first) == int(np.sum(whole["t"] < whole["t"][0] + 1.0))
    rest = [replay.read(5.0) for _ in range(int(np.ptp(whole["t"]) / 5) + 2)]
    assert replay.exhausted
    assert np.array_equal(np.concatenate([first, *rest]), whole)


def test_writer_keeps_headers_only_and_replays_to_the_same_records(tmp_path):
    whole = read_all(RADIOTAP[2])
    out = tmp_path / "kept.pcap"
    with PcapWriter(out) as writer:
        writer.write(whole)
    back = read_all(out)
    assert back.dtype == whole.dtype and len(back) == len(whole)
    for name in ("tx", "rx", "ftype", "subtype", "flags", "rssi_dbm", "freq_mhz", "length"):
        assert np.array_equal(back[name], whole[name]), name
    mgmt = whole["ftype"] == fr.TYPE_MANAGEMENT
    assert np.array_equal(back["bssid"][mgmt], whole["bssid"][mgmt])
    assert np.allclose(back["t"], whole["t"], atol=1e-6)
    assert out.stat().st_size < 24 + len(whole) * (16 + 16 + 30)  # no payload: 16 + radiotap + header a record
    assert len(tshark_rows(out)) == len(whole)  # and tshark reads what we wrote


def test_parser_refuses_what_is_not_802_11_and_bounds_it_reads():
    buf = np.zeros(64, np.uint8)
    with pytest.raises(ValueError, match="link type 1"):
        dot11.parse(buf, [0], [10], [10], [0.0], 1)
    with pytest.raises(ValueError, match="outside the buffer"):
        dot11.parse(buf, [60], [10], [10], [0.0], 105)
    rec = dot11.parse(buf, [0, 0], [1, 30], [1, 100], [0.0, 1.0], 105)
    assert rec["ftype"][0] == dot11.FTYPE_NOT_CAPTURED and rec["length"][1] == 100
