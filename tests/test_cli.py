"""The roomsweep command line: contracts, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from appliance.cli import main

ENV = {**os.environ, "ROOMSWEEP_SIM_TIME_SCALE": "0"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "appliance.cli", *args], capture_output=True, text=True, env=ENV, timeout=300
    )


def test_sweep_json_reports_the_demo_rooms_emitters():
    proc = run("sweep", "--simulate", "--preset", "cameras", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["complete"] and doc["plan"]["hops"] > 200
    freqs = [e["freq_hz"] for e in doc["emitters"]]
    assert any(abs(f - 1.28e9) < 1e4 for f in freqs)
    keys = {
        "freq_hz",
        "bandwidth_hz",
        "power_dbfs",
        "snr_db",
        "kind",
        "line_rate_hz",
        "standard",
        "camera_score",
        "reasons",
    }
    assert all(keys <= set(e) for e in doc["emitters"])
    assert "new_since_baseline" in doc


def test_sweep_writes_csv_and_prints_a_table(tmp_path, capsys):
    out = tmp_path / "sweep.csv"
    assert main(["sweep", "--simulate", "--range", "95M:110M", "--csv", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "98.09" in printed or "98.10" in printed
    assert "2.4/5.8 GHz" in printed
    assert len(out.read_text().splitlines()) == 8


@pytest.mark.parametrize("index", range(11))
def test_analyze_reports_the_433_mhz_bursts_of_every_real_capture(rtl433_recordings, capsys, index):
    if index >= len(rtl433_recordings):
        pytest.skip("fewer recordings")
    assert main(["analyze", str(rtl433_recordings[index]), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["source"] == {
        "path": str(rtl433_recordings[index]),
        "format": "cu8",
        "rate_hz": 250000.0,
        "center_hz": 433920000.0,
        "seconds": doc["source"]["seconds"],
    }
    bursts = [e for e in doc["emitters"] if e["bursty"] and abs(e["freq_hz"] - 433.92e6) < 125e3]
    assert bursts, doc["emitters"]
    assert all(e["camera_score"] < 0.5 for e in doc["emitters"])


def test_analyze_takes_rate_and_centre_from_flags(tmp_path, rtl433_recordings, capsys):
    plain = tmp_path / "capture.cu8"
    plain.write_bytes(rtl433_recordings[0].read_bytes())
    assert main(["analyze", str(plain), "--rate", "250k", "--center", "433.92M", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["source"]["center_hz"] == 433.92e6


def _one_line_error(proc_or_capsys, code, expect):
    err = proc_or_capsys
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert expect in lines[0]


@pytest.mark.parametrize(
    "args,expect",
    [
        (["analyze", "{tmp}/odd_433.92M_250k.cu8"], "not a whole number of cu8 samples"),
        (["analyze", "{tmp}/odd_433.92M_250k.cu8", "--format", "cu12"], "invalid choice: 'cu12'"),
        (["analyze", "{tmp}/absent_433.92M_250k.cu8"], "no such file"),
        (["analyze", "{tmp}/odd_433.92M_250k.cu8", "--rate", "fast"], "not a frequency"),
        (["sweep", "--simulate", "--range", "10M:100M"], "below the RTL-SDR's 24 MHz"),
        (["sweep", "--simulate", "--range", "2.4G:2.5G"], "2.4/5.8 GHz"),
        (["sweep", "--simulate", "--range", "banana"], "LOW:HIGH"),
        (["sweep", "--scene", "{tmp}/bad.json"], "unknown key 'wallpaper'"),
        (["sweep", "--scene", "{tmp}/missing.json"], "no such scene file"),
        (["sweep", "--simulate", "--bogus"], "unrecognized arguments: --bogus"),
        (["sweep", "--range", "100M:200M", "--preset", "full"], "not allowed with argument"),
        (["sweep", "--simulate", "--range", "95M:100M", "--csv", "/proc/nope/x.csv"], "cannot write"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, expect):
    (tmp_path / "odd_433.92M_250k.cu8").write_bytes(b"\x80" * 5001)
    (tmp_path / "bad.json").write_text('{"wallpaper": "red"}')
    code = main([a.format(tmp=tmp_path) for a in args])
    _one_line_error(capsys.readouterr().err, code, expect)


def test_bad_input_through_the_real_entry_point(tmp_path):
    bad = tmp_path / "trunc_433.92M_250k.cu8"
    bad.write_bytes(b"\x80" * 2047)
    proc = run("analyze", str(bad))
    _one_line_error(proc.stderr, proc.returncode, "truncated or wrong --format")


def test_real_sweep_without_a_dongle_fails_clearly():
    proc = run("sweep", "--range", "433M:435M")
    if proc.returncode == 0:
        pytest.skip("an RTL-SDR is attached")
    assert proc.returncode == 1
    assert "RTL-SDR" in proc.stderr and "Traceback" not in proc.stderr


def test_track_shows_levels_and_stops_after_the_given_time():
    proc = run("track", "1100M", "--simulate", "--seconds", "1.5")
    assert proc.returncode == 0, proc.stderr
    assert "dBFS" in proc.stdout and "level updates per second" in proc.stdout


@pytest.mark.parametrize(
    "args,expect",
    [
        (["track", "fast", "--simulate"], "not a frequency"),
        (["track", "1100M", "--simulate", "--seconds", "-1"], "--seconds must be positive"),
        (["track", "2.4G", "--simulate", "--seconds", "1"], "2.4/5.8 GHz Wi-Fi cameras are invisible"),
    ],
)
def test_track_bad_input(capsys, args, expect):
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and expect in err and "Traceback" not in err
