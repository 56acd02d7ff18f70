"""Recordings (raw and SigMF) and the radio drivers, with pyrtlsdr faked at its boundary."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from dsp import iq, psd
from hw import recording
from hw.errors import RadioLost, RadioUnavailable, RecordingError, TuneError
from hw.radio import ReplayRadio, RtlSdrRadio


def test_rtl433_names_give_centre_and_rate():
    assert recording.parse_name("g001_433.92M_250k.cu8") == (433.92e6, 250e3)
    assert recording.parse_name("cap_1280M_2.4M.cs16") == (1280e6, 2.4e6)
    assert recording.parse_name("radiohead_ask__03__g001_433.92M_250k.cu8") == (433.92e6, 250e3)
    assert recording.parse_name("noname.cu8") == (None, None)


def test_real_recording_loads_with_metadata_from_its_name(rtl433_recordings):
    rec = recording.load(rtl433_recordings[0])
    assert (rec.format, rec.rate_hz, rec.center_hz) == ("cu8", 250e3, 433.92e6)
    assert rec.n_samples == 262_144
    assert rec.seconds == pytest.approx(1.048576)


def test_sigmf_round_trip(tmp_path):
    raw = (np.arange(8192) % 256).astype(np.uint8)
    meta = recording.write_sigmf(
        tmp_path / "dwell",
        raw,
        rate_hz=2.4e6,
        center_hz=1.28e9,
        description="test",
        annotations=[{"core:sample_start": 0, "core:sample_count": 4096, "core:label": "camera"}],
    )
    rec = recording.load(meta)
    assert (rec.format, rec.rate_hz, rec.center_hz) == ("cu8", 2.4e6, 1.28e9)
    np.testing.assert_array_equal(np.asarray(rec.raw), raw)
    assert recording.load(tmp_path / "dwell.sigmf-data").n_samples == 4096


@pytest.mark.parametrize(
    "name,content,kwargs,message",
    [
        ("x_433.92M_250k.cu8", b"\x80" * 4097, {}, "not a whole number of cu8 samples"),
        ("x_433.92M_250k.cs16", b"\x00" * 4098, {}, "not a whole number of cs16 samples"),
        ("x_433.92M_250k.cu8", b"\x80" * 100, {}, "at least 1024"),
        ("x.bin", b"\x80" * 4096, {}, "cannot tell the sample format"),
        ("x.cu8", b"\x80" * 4096, {}, "sample rate unknown"),
        ("x.cu8", b"\x80" * 4096, {"rate_hz": -5.0}, "impossible sample rate"),
        ("x.cu8", b"\x80" * 4096, {"rate_hz": 2.4e6, "fmt": "cu12"}, "unknown format"),
        ("x_1M_2.4M.cf32", np.full(2048, np.nan, np.float32).tobytes(), {}, "NaN"),
    ],
)
def test_broken_recordings_are_refused_with_a_reason(tmp_path, name, content, kwargs, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=message):
        recording.load(path, **kwargs)


def test_missing_and_invalid_sigmf(tmp_path):
    with pytest.raises(RecordingError, match="no such file"):
        recording.load(tmp_path / "absent_433.92M_250k.cu8")
    meta = tmp_path / "bad.sigmf-meta"
    meta.write_text("{not json")
    with pytest.raises(RecordingError, match="unreadable SigMF"):
        recording.load(meta)
    meta.write_text(
        '{"global": {"core:datatype": "ri16_le", "core:version": "1.0.0"}, "captures": [], "annotations": []}'
    )
    with pytest.raises(RecordingError, match="not supported"):
        recording.load(meta)


def test_replay_radio_shifts_the_recording_when_retuned(tmp_path):
    rate = 1e6
    t = np.arange(200_000) / rate
    tone = 0.5 * np.exp(2j * np.pi * 100e3 * t)
    path = tmp_path / "tone_100M_1M.cu8"
    iq.to_cu8(tone.astype(np.complex64)).tofile(path)
    radio = ReplayRadio(recording.load(path))
    radio.tune(100e6)
    freqs = psd.bin_frequencies(1024, rate, 100e6)
    assert freqs[np.argmax(psd.welch(radio.read(50_000), 1024))] == pytest.approx(100.1e6, abs=1e3)
    radio.tune(100.2e6)
    freqs = psd.bin_frequencies(1024, rate, 100.2e6)
    assert freqs[np.argmax(psd.welch(radio.read(50_000), 1024))] == pytest.approx(100.1e6, abs=1e3)
    with pytest.raises(TuneError, match="above the recording.s"):
        radio.tune(101e6)


# --- RtlSdrRadio against a fake pyrtlsdr (the C boundary) ---------------------------------


def test_absent_dongle_is_radio_unavailable_with_a_hint(fake_rtlsdr):
    fake_rtlsdr.present = False
    with pytest.raises(RadioUnavailable, match="plugged in"):
        RtlSdrRadio()


def test_tune_discards_settle_samples_and_read_returns_a_copy(fake_rtlsdr):
    radio = RtlSdrRadio(gain=30, settle_samples=4096)
    dev = fake_rtlsdr.instances[0]
    assert radio.gain == 29.7 and dev.sample_rate == 2.4e6
    radio.tune(433.92e6)
    data = radio.read(1000)
    assert dev.reads == [(433.92e6, 8192), (433.92e6, 2000)]
    assert data.dtype == np.uint8 and data.size == 2000 and data[0] == 127
    with pytest.raises(TuneError, match="above the RTL-SDR.s 1766 MHz limit"):
        radio.tune(2.4e9)
    radio.close()
    assert dev.closed


def test_a_hung_read_becomes_radio_lost_within_the_timeout(fake_rtlsdr):
    radio = RtlSdrRadio(timeout_s=0.3)
    fake_rtlsdr.hang_reads = True
    with pytest.raises(RadioLost, match="did not answer"):
        radio.read(1000)
    with pytest.raises(RadioLost, match="reopen"):
        radio.read(1000)


def test_short_reads_are_radio_lost(fake_rtlsdr):
    radio = RtlSdrRadio()
    fake_rtlsdr.short_reads = True
    with pytest.raises(RadioLost, match="short read"):
        radio.read(1000)


def test_missing_pyrtlsdr_is_explained(monkeypatch):
    monkeypatch.setitem(sys.modules, "rtlsdr", None)
    with pytest.raises(RadioUnavailable, match="pip install"):
        RtlSdrRadio()


def test_the_pinned_pyrtlsdr_and_librtlsdr_work_together():
    """pyrtlsdr >= 0.4 needs rtlsdr_set_dithering; pyrtlsdrlib's library has it (Debian 0.6.0 does not)."""
    import rtlsdr
    from rtlsdr.librtlsdr import librtlsdr

    assert hasattr(librtlsdr, "rtlsdr_set_dithering")
    assert issubclass(rtlsdr.rtlsdr.LibUSBError, OSError)


def test_no_dongle_on_this_machine_is_a_clear_error():
    try:
        radio = RtlSdrRadio(timeout_s=5)
    except RadioUnavailable as exc:
        assert "RTL-SDR" in str(exc)
    else:  # a developer with a dongle plugged in
        radio.close()
        pytest.skip("an RTL-SDR is attached")
