"""The picture stage in the sweep: each analog camera suspect's picture stored with the sweep (SQLite and a
PNG on disk), and the LED ring's confirmation in the one document: a simulated camera that sees the device
responds, one that does not, does not."""

from __future__ import annotations

import io
import json
import re

import numpy as np
from PIL import Image

from appliance import config as cfg
from appliance.rig import SimulatedRig
from appliance.session import Session, State
from appliance.store import Store
from dsp import picture as picmod
from hw.sim import scene as scenemod
from hw.sim import video
from tests.test_session import wait_for

SEES = {"kind": "analog-video", "freq_hz": 1.2e9, "power_dbfs": -40, "standard": "PAL", "deviation_hz": 3e6}
BLIND = {**SEES, "freq_hz": 1.32e9, "power_dbfs": -42}


def _settings(**extra: str) -> cfg.Config:
    env = {
        "ROOMSWEEP_SWEEP_PRESET": "cameras",
        "ROOMSWEEP_SWEEP_OPTICAL": "false",
        "ROOMSWEEP_SWEEP_WIFI": "false",
        "ROOMSWEEP_SWEEP_BLE": "false",
        "ROOMSWEEP_PICTURE_SECONDS": "1",
        "ROOMSWEEP_CONFIRM_SECONDS": "4",
        **extra,
    }
    return cfg.load(None, env=env)


def _sweep(tmp_path, factory, settings, emitters):
    path = tmp_path / "room.json"
    path.write_text(json.dumps({"name": "room", "noise_floor_dbfs": -60, "emitters": emitters}))
    rig = SimulatedRig(settings, scenemod.load(path), time_scale=0.0, pin_factory=factory)
    store = Store(tmp_path / "data")
    session = Session(rig=rig, store=store, config=settings)
    events = session.events.subscribe(maxlen=100_000)
    try:
        session.start_sweep()
        assert wait_for(lambda: session.state in (State.RESULTS, State.ERROR), timeout=300)
        assert session.state is State.RESULTS, session.status()["message"]
    finally:
        session.close()
    stages = []
    while (event := events.get(timeout=0)) is not None:
        if event.type == "progress":
            stages.append(event.data.get("stage"))
    record = store.sweeps(limit=1)[0]
    return store, record, stages


def _camera(doc, freq_hz):
    return next(e for e in doc["emitters"] if abs(e["freq_hz"] - freq_hz) < 1e6 and e["kind"] == "analog-video")


def test_the_sweep_pictures_each_camera_and_asks_whether_it_sees_the_device(tmp_path, factory):
    scene = [{**SEES, "sees_device": True, "led_response": 0.05}, {**BLIND, "sees_device": False}]
    store, record, stages = _sweep(tmp_path, factory, _settings(), scene)
    doc = store.document(record.id)  # read back from SQLite
    assert doc["status"] == "complete" and "picture" in stages
    assert doc["pictures"] == {"status": "complete", "problems": [], "cameras": 2, "pictures": 2, "confirmed": 1}
    sees, blind = _camera(doc, SEES["freq_hz"]), _camera(doc, BLIND["freq_hz"])
    assert sees["sees_device"] and sees["stimulus"]["responds"] and sees["stimulus"]["p_value"] < 0.01
    assert sees["confirmation"].startswith("It sees this device: its picture brightened each time the LED ring")
    assert not blind["sees_device"] and blind["stimulus"]["responds"] is False
    assert blind["confirmation"].startswith("It does not see the device from here")
    assert doc["suspects"][0] == {"part": "rf", "index": doc["emitters"].index(sees)}  # the proven camera first
    assert doc["counts"]["sees_device"] == 1
    # the picture: stored beside the sweep, named in the document, and it is the simulated camera's room
    assert sees["picture"]["standard"] == "PAL" and sees["picture"]["modulation"] == "fm"
    assert len(sees["picture"]["tunings_hz"]) >= 2 and 0.5 <= sees["picture"]["seconds"] <= 1.5
    files = {f["path"].name: f for f in store.files(record.id, "picture")}
    assert set(files) == {sees["picture"]["file"], blind["picture"]["file"]}
    img = np.asarray(Image.open(io.BytesIO(files[sees["picture"]["file"]]["path"].read_bytes())), np.float32)
    source = np.asarray(Image.fromarray(video.room_picture()).resize((384, 288), Image.Resampling.BILINEAR))
    assert picmod.pearson(img[8:-8], source[5:-11]) > 0.7
    # deleted with its sweep
    store.delete_sweep(record.id)
    assert not files[sees["picture"]["file"]]["path"].exists()


def test_switched_off_no_pictures(tmp_path, factory):
    store, record, stages = _sweep(tmp_path, factory, _settings(ROOMSWEEP_SWEEP_PICTURE="false"), [SEES])
    doc = store.document(record.id)
    assert doc["pictures"] is None and "picture" not in stages
    assert _camera(doc, SEES["freq_hz"])["picture"] is None and store.files(record.id, "picture") == []


def test_a_failing_picture_marks_the_part_partial_and_keeps_the_rest(tmp_path, factory, monkeypatch):
    from appliance import picture as picturemod

    def broken(*args, **kwargs):
        raise ValueError("simulated bug")

    monkeypatch.setattr(picturemod, "take", broken)
    store, record, _ = _sweep(tmp_path, factory, _settings(), [SEES])
    doc = store.document(record.id)
    assert doc["status"] == "partial" and doc["pictures"]["status"] == "partial"
    [problem] = doc["pictures"]["problems"]
    assert re.fullmatch(r"the picture at 1200\.0\d\d MHz failed: simulated bug", problem)
    camera = _camera(doc, SEES["freq_hz"])
    assert camera["suspect"] and camera["picture"] is None  # the RF result is all there
    assert f"camera pictures: {problem}" in record.error
