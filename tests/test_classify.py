"""Verdicts: kinds, camera scores and reasons, from spectra and from a dwell's features."""

from __future__ import annotations

import json

import pytest

from appliance.analyze import analyze
from appliance.cli import main
from dsp import classify, features
from dsp.detect import Detection
from hw import recording as recmod

RATE = 2.4e6


def detection(freq_hz, bandwidth_hz, *, power_dbfs=-30.0, bursty=False):
    return Detection(0, 1, freq_hz, bandwidth_hz, power_dbfs, -55.0, power_dbfs + 55, power_dbfs, power_dbfs, bursty)


def judge(raw, centre_hz, det):
    return classify.judge(features.Block(raw, RATE), det, centre_hz, None)


@pytest.mark.parametrize(("standard", "modulation"), [("PAL", "fm"), ("NTSC", "am"), ("SECAM", "am")])
def test_video_in_a_camera_band_is_a_suspect_with_reasons(hacktv_video, rtl_capture, standard, modulation):
    raw = rtl_capture(hacktv_video(standard, modulation, 3e6), 0.3e6, 0.0, seed=11)
    verdict = judge(raw, 1279.7e6, detection(1280e6, 2e6 if modulation == "fm" else 150e3))
    assert verdict.kind == "analog-video" and verdict.suspect and verdict.camera_score > 0.95
    assert verdict.standard == ("NTSC" if standard == "NTSC" else "PAL")
    assert verdict.examined and verdict.features["line_harmonics"] >= 3
    assert any("line-rate comb" in r for r in verdict.reasons)
    assert any("field rate" in r for r in verdict.reasons)
    assert any("1.2 GHz" in r for r in verdict.reasons)


def test_video_outside_camera_bands_is_still_a_suspect(hacktv_video, rtl_capture):
    """An old AV sender on a UHF TV channel: the band does not explain it away."""
    raw = rtl_capture(hacktv_video("PAL", "am"), -0.3e6, 0.0, seed=12)
    verdict = judge(raw, 600.3e6, detection(600e6, 150e3))
    assert verdict.kind == "analog-video" and verdict.suspect


DECOYS = [
    ({"kind": "fm-broadcast"}, 98.1e6, 200e3, "fm-broadcast"),
    ({"kind": "fm-broadcast"}, 864e6, 200e3, "fm-broadcast"),  # wireless headphones: the pilot tells
    ({"kind": "tdma", "slots": 1}, 1.28e9, 200e3, "tdma"),  # a GSM-like burst in a camera band
    ({"kind": "tdma", "slots": 8}, 935.2e6, 200e3, "tdma"),
    ({"kind": "lte", "load": 0.4, "bandwidth_hz": 1.08e6}, 1.24e9, 1.08e6, "lte"),
    ({"kind": "lte", "load": 0.9, "bandwidth_hz": 4.5e6}, 806e6, 4.5e6, "lte"),
    ({"kind": "ofdm", "bandwidth_hz": 7.6e6}, 650e6, 7.6e6, "ofdm"),
    ({"kind": "ofdm", "bandwidth_hz": 1.536e6}, 1.2e9, 1.536e6, "ofdm"),
    ({"kind": "carrier"}, 1.1e9, 28e3, "carrier"),
    ({"kind": "burst", "period_s": 0.1, "burst_s": 0.05}, 433.92e6, 30e3, "burst"),
]


@pytest.mark.parametrize(("doc", "freq_hz", "bandwidth_hz", "kind"), DECOYS)
@pytest.mark.parametrize("snr_db", [0, 20])
def test_decoys_are_never_suspects(decoy, doc, freq_hz, bandwidth_hz, kind, snr_db):
    raw = decoy(doc, 0.3e6, snr_db, seed=int(freq_hz) % 997)
    det = detection(freq_hz, bandwidth_hz, bursty=False)  # the survey saw them as continuous: worst case
    verdict = judge(raw, freq_hz - 0.3e6, det)
    assert verdict.camera_score < 0.5, verdict.reasons
    assert verdict.line_rate_hz is None
    if snr_db == 20:  # at 0 dB some bursts drown and the kind may fall back to the band's
        assert verdict.kind == kind, verdict.reasons


def test_spectrum_only_verdicts_stay_below_the_suspect_line():
    wide = classify.from_spectrum(detection(1.28e9, 4e6))
    assert wide.kind == "unknown" and not wide.suspect and not wide.examined
    assert "closer look" in " ".join(wide.reasons)
    assert classify.from_spectrum(detection(98.1e6, 150e3)).kind == "fm-broadcast"
    assert classify.from_spectrum(detection(433.92e6, 30e3, bursty=True)).kind == "burst"


def test_looks_go_to_likely_cameras_first():
    camera_band = classify.look_priority(detection(1.28e9, 4e6))
    uhf = classify.look_priority(detection(650e6, 7.6e6))
    assert camera_band > uhf
    assert classify.look_priority(detection(98.1e6, 150e3)) is None  # no video fits in FM broadcast
    assert classify.look_priority(detection(1.28e9, 200e3, bursty=True)) is None  # video never pauses


def test_the_parts_of_one_video_signal_are_one_emitter_and_cameras_apart_stay_two():
    blanking = detection(1278.8e6, 0.74e6, power_dbfs=-20)
    white, sync = detection(1282.7e6, 0.76e6, power_dbfs=-30), detection(1276.6e6, 9e3, power_dbfs=-38)
    picture = detection(1279.7e6, 3.2e6, power_dbfs=-27)  # never looked at
    far = detection(1300e6, 2e6, power_dbfs=-45)  # the next channel, 20 MHz up

    def video(rate):
        return classify.Verdict("analog-video", 0.99, ["comb"], line_rate_hz=rate, standard="PAL", examined=True)

    items = [
        (sync, video(15625.1)),
        (blanking, video(15625.0)),
        (picture, classify.from_spectrum(picture)),
        (white, video(15625.0)),
        (far, video(15625.0)),
    ]
    kept = classify.one_per_transmitter(items)
    assert [i for i, _, _ in kept] == [1, 4]
    (_, camera, verdict), (_, second, _) = kept
    assert camera.freq_hz == 1278.8e6  # at its blanking line
    assert camera.bandwidth_hz == pytest.approx(1283.08e6 - 1276.5955e6)
    assert verdict.suspect and "one video signal" in verdict.reasons[0]
    assert second is far  # 20 MHz away: a second camera


def test_analyze_finds_the_camera_in_a_recording(tmp_path, hacktv_video, rtl_capture, capsys):
    raw = rtl_capture(hacktv_video("NTSC", "fm", 3e6), 0.3e6, 3.0, seed=13)
    path = tmp_path / "cam_1279.700M_2400k.cu8"
    raw.tofile(path)
    doc = analyze(path)
    suspects = [e for e in doc["emitters"] if e["camera_score"] >= 0.5]
    assert len(suspects) == 1
    (cam,) = suspects
    assert cam["kind"] == "analog-video" and cam["standard"] == "NTSC"
    assert cam["line_rate_hz"] == pytest.approx(4.5e6 / 286, rel=1e-3)
    assert cam["field_rate_hz"] == pytest.approx(59.94, rel=0.01)
    assert abs(cam["freq_hz"] - 1279.7e6) < 1.3e6
    assert main(["analyze", str(path)]) == 0
    out = capsys.readouterr().out
    assert "analog-video" in out and "line-rate comb" in out


def test_analyze_json_of_sigmf_keeps_the_design_shape(tmp_path, hacktv_video, rtl_capture, capsys):
    raw = rtl_capture(hacktv_video("PAL", "am"), -0.4e6, 10.0, seed=14)
    meta = recmod.write_sigmf(tmp_path / "av", raw, rate_hz=RATE, center_hz=600e6, description="test")
    assert main(["analyze", str(meta), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (cam,) = [e for e in doc["emitters"] if e["camera_score"] >= 0.5]
    design_keys = {"freq_hz", "bandwidth_hz", "power_dbfs", "snr_db", "kind", "line_rate_hz", "standard"}
    assert design_keys | {"camera_score", "reasons", "field_rate_hz", "examined", "features"} <= set(cam)
    assert cam["freq_hz"] == pytest.approx(599.6e6, abs=10e3)
    assert cam["standard"] == "PAL" and cam["examined"]
