"""The Wi-Fi part of the one sweep document: judged once (suspect, sees the device, ranked first), stored
and given back, and a new streamer since the room's baseline flagged."""

from __future__ import annotations

from appliance import baseline, report
from appliance.store import Store
from dsp import plan as planmod
from hw.radio import TUNER_RANGE_HZ

PLAN = planmod.make_plan(planmod.preset("cameras", TUNER_RANGE_HZ), tuning_range=TUNER_RANGE_HZ)


def device(mac, kind, score, *, responds=None, rssi=-60):
    stimulus = (
        None if responds is None else {"responds": responds, "p_value": 0.001 if responds else 0.5, "lag_s": 0.25}
    )
    return {
        "mac": mac, "vendor": None, "kind": kind, "camera_score": score, "uplink_bps": 9e5, "downlink_bps": 4e3,
        "frame_rate_hz": 15.0, "rssi_dbm": rssi, "channel_mhz": 2437, "bssid": "02:00:00:00:00:01",
        "stimulus": stimulus, "reasons": ["…"],
    }  # fmt: skip


def outcome(*devices, status="complete", problems=()):
    return {
        "seconds": 60.0, "channels_mhz": [2437], "stimulus": None, "devices": list(devices),
        "adapter": {"name": "wlan1 (mt7921u, phy1)"}, "status": status, "problems": list(problems),
    }  # fmt: skip


CAM_SEES = device("a4:cf:12:00:00:01", "camera", 0.95, responds=True, rssi=-70)
CAM_BLIND = device("a4:cf:12:00:00:02", "camera", 0.99, responds=False, rssi=-40)
CALL = device("3c:22:fb:00:00:03", "video-call", 0.1)
PLUG = device("50:02:91:00:00:04", "idle", 0.0)
EMITTER = {"freq_hz": 1.28e9, "bandwidth_hz": 6e6, "power_dbfs": -30.0, "snr_db": 25.0, "kind": "analog-video",
           "camera_score": 0.9, "suspect": True, "reasons": []}  # fmt: skip


def rf(emitters=()):
    return {"emitters": [dict(e) for e in emitters], "problems": [], "hops_done": 10}


def test_the_proven_camera_heads_the_suspects_and_counts_say_so():
    doc = report.sweep_document(PLAN, rf=rf([EMITTER]), wifi=report.wifi_part(outcome(CALL, CAM_BLIND, CAM_SEES)))
    devices = doc["wifi"]["devices"]
    by_mac = {d["mac"]: i for i, d in enumerate(devices)}
    assert doc["suspects"][0] == {"part": "wifi", "index": by_mac[CAM_SEES["mac"]]}
    assert {"part": "wifi", "index": by_mac[CAM_BLIND["mac"]]} in doc["suspects"]
    assert {"part": "wifi", "index": by_mac[CALL["mac"]]} not in doc["suspects"]
    assert devices[by_mac[CAM_SEES["mac"]]]["sees_device"] and not devices[by_mac[CAM_BLIND["mac"]]]["sees_device"]
    assert doc["counts"]["wifi_suspects"] == 2 and doc["counts"]["sees_device"] == 1 and doc["counts"]["suspects"] == 3
    assert report.suspect_items(doc)[0]["mac"] == CAM_SEES["mac"]
    assert doc["status"] == "complete"


def test_no_adapter_is_not_a_partial_sweep_but_a_pulled_one_is():
    off = report.sweep_document(PLAN, rf=rf(), wifi=report.wifi_part(off="no monitor-capable Wi-Fi adapter: …"))
    assert off["status"] == "complete" and off["wifi"]["state"] == "off" and off["counts"]["wifi_devices"] == 0
    pulled = report.wifi_part(outcome(CAM_SEES, status="partial", problems=["wlan1 went away mid-capture"]))
    assert report.sweep_document(PLAN, rf=rf(), wifi=pulled)["status"] == "partial"


def test_a_new_streamer_since_the_baseline_is_flagged(tmp_path):
    store = Store(tmp_path / "data")
    try:
        first = report.sweep_document(PLAN, rf=rf(), wifi=report.wifi_part(outcome(CAM_BLIND, PLUG)))
        baseline.save(store, first, name="clean room")
        reference = baseline.latest(store)
        assert set(reference.wifi_devices) == {CAM_BLIND["mac"], PLUG["mac"]}
        newer = report.sweep_document(
            PLAN,
            rf=rf(),
            wifi=report.wifi_part(outcome(CAM_BLIND, CAM_SEES, PLUG, device("da:a1:19:00:00:05", "idle", 0.0))),
            reference=reference,
        )
        devices = newer["wifi"]["devices"]
        flags = {d["mac"]: d["new_since_baseline"] for d in devices}
        assert flags == {CAM_SEES["mac"]: True, CAM_BLIND["mac"]: False, PLUG["mac"]: None, "da:a1:19:00:00:05": None}
        new_index = next(i for i, d in enumerate(devices) if d["mac"] == CAM_SEES["mac"])
        assert newer["new_since_baseline"] == [{"part": "wifi", "index": new_index}]
        assert newer["counts"]["new_since_baseline"] == 1
        sweep_id = store.begin_sweep("test")
        store.finish_sweep(sweep_id, newer)
        assert store.document(sweep_id)["wifi"] == newer["wifi"]  # stored and given back as built
    finally:
        store.close()


def test_a_baseline_without_wifi_judges_no_wifi_device():
    reference = baseline.Reference(emitters=[], ranges_hz=None)
    doc = report.sweep_document(PLAN, rf=rf(), wifi=report.wifi_part(outcome(CAM_SEES)), reference=reference)
    assert doc["wifi"]["devices"][0]["new_since_baseline"] is None and doc["new_since_baseline"] == []


def test_a_crowded_building_keeps_the_document_bounded():
    crowd = [
        device(f"02:00:00:00:{i // 256:02x}:{i % 256:02x}", "idle", 0.0) for i in range(report.MAX_WIFI_DEVICES + 50)
    ]
    part = report.wifi_part(outcome(CAM_SEES, *crowd))
    assert len(part["devices"]) == report.MAX_WIFI_DEVICES and part["devices"][0]["mac"] == CAM_SEES["mac"]
    assert part["problems"][-1].startswith("51 more Wi-Fi devices heard")
