"""Power and heat from a fake sysfs: the firmware flags decoded, warnings shown and logged once."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from appliance import daemon, rig
from hw import thermal

PI4_FLAGS = "devices/platform/soc/soc:firmware/get_throttled"


def fake_sys(root: Path, *, throttled: str | None = None, flags_path: str = PI4_FLAGS, zones=()) -> Path:
    if throttled is not None:
        (root / flags_path).parent.mkdir(parents=True, exist_ok=True)
        (root / flags_path).write_text(throttled)
    for i, (kind, millidegrees) in enumerate(zones):
        zone = root / "class" / "thermal" / f"thermal_zone{i}"
        zone.mkdir(parents=True)
        (zone / "type").write_text(kind + "\n")
        (zone / "temp").write_text(f"{millidegrees}\n")
    return root


def test_flags_decode_now_and_since_boot():
    flags = thermal.decode_throttled(0x50005)
    assert flags.now == ("under-voltage", "throttled")
    assert flags.since_boot == ("under-voltage", "throttled")
    assert thermal.decode_throttled(0x80000).since_boot == ("soft temperature limit",)
    assert thermal.decode_throttled(0).now == () and thermal.decode_throttled(0).since_boot == ()


def test_a_weak_supply_and_a_hot_soc_are_warned_about(tmp_path):
    root = fake_sys(tmp_path, throttled="50005\n", zones=[("cpu-thermal", 82350)])
    doc = thermal.status(root, vcgencmd=None)
    assert doc["state"] == "warning" and doc["throttled"] == "0x50005" and doc["temperature_c"] == 82.3
    assert doc["now"] == ["under-voltage", "throttled"]
    text = " | ".join(doc["warnings"])
    assert "under-voltage now" in text and "RTL-SDR may drop out" in text
    assert "CPU slowed down now (throttled)" in text
    assert "SoC at 82 °C" in text and "throttles from 80 °C" in text


def test_a_healthy_pi_has_no_warnings_and_past_trouble_is_mentioned(tmp_path):
    assert thermal.status(fake_sys(tmp_path / "ok", throttled="0", zones=[("cpu-thermal", 48000)]), None) == {
        "state": "ok",
        "temperature_c": 48.0,
        "throttled": "0x0",
        "now": [],
        "since_boot": [],
        "warnings": [],
    }
    past = thermal.status(fake_sys(tmp_path / "past", throttled="10000", zones=[("cpu-thermal", 76000)]), None)
    assert past["warnings"] == [
        "under-voltage happened since boot: check the power supply if the dongle dropped out",
        "SoC at 76 °C: close to the 80 °C throttling point",
    ]


def test_a_pi5_firmware_path_and_the_cpu_zone_are_found(tmp_path):
    root = fake_sys(
        tmp_path,
        throttled="0x0",
        flags_path="devices/platform/soc@107c000000/soc@107c000000:firmware/get_throttled",
        zones=[("rp1_adc", 30000), ("cpu-thermal", 61500)],
    )
    doc = thermal.status(root, vcgencmd=None)
    assert doc["state"] == "ok" and doc["temperature_c"] == 61.5


def test_vcgencmd_is_the_fallback(tmp_path):
    tool = tmp_path / "vcgencmd"
    tool.write_text('#!/bin/sh\n[ "$1" = get_throttled ] && echo "throttled=0x50000"\n')
    tool.chmod(0o755)
    doc = thermal.status(tmp_path / "empty-sys", vcgencmd=str(tool))
    assert doc["throttled"] == "0x50000" and doc["since_boot"] == ["under-voltage", "throttled"]
    assert doc["now"] == [] and doc["state"] == "warning"


@pytest.mark.parametrize("content", [None, "garbage\n", ""])
def test_off_a_pi_it_is_unknown_and_never_raises(tmp_path, content):
    root = fake_sys(tmp_path, throttled=content, zones=[("x86_pkg_temp", 91000)])
    doc = thermal.status(root, vcgencmd=None)
    assert doc["state"] == "unknown" and doc["warnings"] == [] and doc["throttled"] is None
    assert doc["temperature_c"] == 91.0  # shown, but not judged by a Pi's limits
    assert thermal.status(tmp_path / "nothing", vcgencmd="no-such-tool")["state"] == "unknown"


def test_the_monitor_logs_a_warning_when_it_appears_and_when_it_clears(tmp_path, caplog):
    root = fake_sys(tmp_path, throttled="1", zones=[("cpu-thermal", 50000)])
    monitor = thermal.PowerMonitor(root, vcgencmd=None)
    with caplog.at_level(logging.INFO, logger="hw.thermal"):
        monitor.check()
        monitor.check()
        (root / PI4_FLAGS).write_text("10000")  # the supply recovered; the since-boot flag stays
        monitor.check()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("under-voltage now" in m for m in messages) == 2  # appeared once, cleared once
    assert messages[0].startswith("power/heat: under-voltage now")
    assert any(m.startswith("power/heat cleared: under-voltage now") for m in messages)
    assert any(m.startswith("power/heat: under-voltage happened since boot") for m in messages)


def test_the_device_page_shows_power_warnings(tmp_path, monkeypatch):
    monkeypatch.setenv("ROOMSWEEP_SWEEP_OPTICAL", "false")
    root = fake_sys(tmp_path / "sys", throttled="50005", zones=[("cpu-thermal", 55000)])
    appliance = daemon.build(
        hardware=rig.Choice(simulate=True),
        data_dir=tmp_path / "data",
        config_path=tmp_path / "roomsweep.toml",
        admin_secret="test-admin-secret-123",
        power=thermal.PowerMonitor(root, vcgencmd=None, interval_s=0.05),
    )
    try:
        status = appliance.device_status()
    finally:
        appliance.close()
    assert status["power"]["throttled"] == "0x50005"
    assert any("under-voltage now" in w for w in status["warnings"])
