"""Settings: defaults, TOML file, web UI layer, environment, and clear errors."""

from __future__ import annotations

import pytest

from appliance import config as cfg


def write(tmp_path, text):
    path = tmp_path / "roomsweep.toml"
    path.write_text(text)
    return path


def test_defaults_when_there_is_no_file(tmp_path):
    conf = cfg.load(tmp_path / "absent.toml", env={})
    assert conf["panel.long_press_s"] == 1.5 and conf["sweep.preset"] == "full"
    assert set(conf.sources.values()) == {"default"}


def test_layers_file_then_ui_then_environment(tmp_path):
    path = write(tmp_path, '[sweep]\npreset = "cameras"\n[panel]\nred_pin = 5\nlong_press_s = 2\n')
    conf = cfg.load(path, ui={"panel.long_press_s": 1.0}, env={"ROOMSWEEP_PANEL_RED_PIN": "6"})
    assert conf["sweep.preset"] == "cameras" and conf.sources["sweep.preset"] == "file"
    assert conf["panel.long_press_s"] == 1.0 and conf.sources["panel.long_press_s"] == "ui"
    assert conf["panel.red_pin"] == 6 and conf.sources["panel.red_pin"] == "env"
    described = {d["key"]: d for d in conf.describe()}
    assert described["panel.red_pin"]["editable"] is False  # fixed by the environment


@pytest.mark.parametrize(
    "text,message",
    [
        ("[panel\nred_pin = 5", "not valid TOML"),
        ("[panel]\nred_pin = 99\n", "panel.red_pin: 99 is outside 2–27"),
        ("[panel]\nred_pin = 'five'\n", "cannot read 'five' as int"),
        ("[panel]\ncolour = 1\n", "unknown setting 'panel.colour'"),
        ("[sweep]\npreset = 'everything'\n", "not one of full, cameras"),
        ("[sweep]\nranges = '2.4G:2.5G'\n", "2.4/5.8 GHz"),
        ("[radio]\ngain = 'loud'\n", "'auto' or a gain in dB"),
        ("[panel]\nred_pin = 17\n", "panel.green_pin and panel.red_pin are both GPIO17"),
        ("panel = 3\n", r"must be a \[section\] table"),
    ],
)
def test_malformed_files_are_clear(tmp_path, text, message):
    with pytest.raises(cfg.ConfigError, match=message):
        cfg.load(write(tmp_path, text), env={})


def test_bad_environment_values_name_the_variable(tmp_path):
    with pytest.raises(cfg.ConfigError, match="ROOMSWEEP_TRACKING_RATE_HZ: tracking.rate_hz"):
        cfg.load(None, env={"ROOMSWEEP_TRACKING_RATE_HZ": "fast"})


def test_a_required_file_that_is_missing(tmp_path):
    with pytest.raises(cfg.ConfigError, match="no such settings file"):
        cfg.load(tmp_path / "nope.toml", env={}, require_file=True)


def test_web_updates_are_validated_against_the_table_and_each_other():
    conf = cfg.load(None, env={"ROOMSWEEP_SWEEP_PRESET": "full"})
    assert cfg.validate_update(conf, {"tracking.rate_hz": "25"}) == {"tracking.rate_hz": 25.0}
    with pytest.raises(cfg.ConfigError, match="fixed by the environment"):
        cfg.validate_update(conf, {"sweep.preset": "cameras"})
    with pytest.raises(cfg.ConfigError, match="only be changed in the settings file"):
        cfg.validate_update(conf, {"web.port": 9000})
    with pytest.raises(cfg.ConfigError, match="both GPIO23"):
        cfg.validate_update(conf, {"panel.red_pin": 23})
    with pytest.raises(cfg.ConfigError, match="unknown setting"):
        cfg.validate_update(conf, {"nope": 1})
