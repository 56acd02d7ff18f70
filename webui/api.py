"""The JSON API under /api/ (described by /api/openapi.json).

Every error is JSON ``{"error": "..."}`` with a 4xx status: 400 malformed, 401 not logged in,
403 no CSRF token, 404 unknown thing, 409 the hardware is busy, 413/415 wrong body,
507 the SD card is full or read-only.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from flask import Blueprint, jsonify, request, send_file, url_for

from appliance import baseline as baselinemod
from appliance import report
from appliance.config import ConfigError, SettingConflict
from appliance.lan_job import LanBusy
from appliance.session import AdapterClaimed, SessionBusy, target_for
from appliance.store import StorageFull
from appliance.tracking import Target
from appliance.wifi_tracking import WifiTarget
from dsp import plan as planmod
from hw.radio import TUNER_RANGE_HZ
from webui import validate
from webui.openapi import document
from webui.security import appliance, csrf_token, json_error, login_required
from webui.validate import MAX_ID, RequestError

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_SPECTRUM_POINTS = 4000


@bp.errorhandler(RequestError)
def _bad_request(error: RequestError):
    return json_error(error.status, str(error))


@bp.errorhandler(ConfigError)
def _bad_setting(error: ConfigError):
    return json_error(409 if isinstance(error, SettingConflict) else 400, str(error))


@bp.errorhandler(SessionBusy)
def _busy(error: SessionBusy):
    if isinstance(error, AdapterClaimed):
        return json_error(409, str(error))
    return json_error(409, f"the device is {appliance().session.state.value}; cancel that first")


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/status")
@login_required
def status():
    app = appliance()
    latest = app.store.sweeps(limit=1)
    return jsonify(
        {
            "session": app.session.status(),
            "latest_sweep": _sweep_json(latest[0]) if latest else None,
            "warnings": app.device_status()["warnings"],
            "csrf_token": csrf_token(),  # for cookie clients; same-origin only (no CORS)
        }
    )


@bp.post("/sweeps")
@login_required
def start_sweep():
    body = validate.json_object()
    validate.only_keys(body, {"preset", "ranges", "optical"})
    preset = validate.text(body, "preset", max_len=20)
    optical = validate.flag(body, "optical")
    if preset is not None and "ranges" in body:
        raise RequestError("give either preset or ranges, not both")
    ranges = None
    if preset is not None:
        if preset not in planmod.PRESETS:
            raise RequestError(f"unknown preset {preset!r} (one of {', '.join(planmod.PRESETS)})")
        ranges = planmod.preset(preset, TUNER_RANGE_HZ)
    elif "ranges" in body:
        ranges = validate.frequency_ranges(body, "ranges", lo=TUNER_RANGE_HZ[0], hi=TUNER_RANGE_HZ[1])
    appliance().session.start_sweep(ranges=ranges, optical=optical)
    return jsonify({"session": appliance().session.status()}), 202


@bp.post("/cancel")
@login_required
def cancel():
    validate.only_keys(validate.json_object(), set())
    return jsonify({"cancelled": appliance().session.cancel()})


@bp.get("/sweeps")
@login_required
def list_sweeps():
    limit = validate.query_int("limit", 20, 1, 200)
    before = validate.query_int("before", 0, 0, MAX_ID) or None
    records = appliance().store.sweeps(limit=limit, before_id=before)
    return jsonify(
        {
            "sweeps": [_sweep_json(r) for r in records],
            "next_before": records[-1].id if len(records) == limit else None,
        }
    )


def _sweep_json(record) -> dict[str, Any]:
    """A stored sweep's row: when, how it ended, and its document's head (``summary``: the sweep
    document without its emitter and finding lists, see ``appliance.report``)."""
    return {
        "id": record.id,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "status": record.status,
        "error": record.error,
        "source": record.source,
        "summary": record.summary,
    }


def _record_or_404(sweep_id: int):
    if not 1 <= sweep_id <= MAX_ID:  # larger ids would overflow SQLite's integers
        raise RequestError(f"no sweep {sweep_id}", 404)
    record = appliance().store.sweep(sweep_id)
    if record is None:
        raise RequestError(f"no sweep {sweep_id}", 404)
    return record


@bp.get("/sweeps/<int:sweep_id>")
@login_required
def get_sweep(sweep_id: int):
    store = appliance().store
    record = _record_or_404(sweep_id)
    files = store.files(sweep_id)
    return jsonify(
        {
            "sweep": _sweep_json(record),
            "document": store.document(sweep_id),
            "images": [
                url_for("api.sweep_file", sweep_id=sweep_id, file_id=f["id"]) for f in files if f["role"] == "image"
            ],
            "files": [
                {
                    "id": f["id"],
                    "role": f["role"],
                    "name": f["path"].name,
                    "bytes": f["bytes"],
                    "url": url_for("api.sweep_file", sweep_id=sweep_id, file_id=f["id"]),
                }
                for f in files
            ],
        }
    )


@bp.get("/sweeps/<int:sweep_id>/compare")
@login_required
def compare_sweeps(sweep_id: int):
    """This sweep against an older one (``?with=ID``): what appeared, went, rose or fell, judged here."""
    if "with" not in request.args:
        raise RequestError("give the sweep to compare with: ?with=ID")
    other = validate.query_int("with", 0, 1, MAX_ID)
    store = appliance().store
    _record_or_404(sweep_id)
    _record_or_404(other)
    newer, older = store.document(sweep_id), store.document(other)
    if newer is None or older is None:  # deleted in between
        raise RequestError("that sweep was just deleted", 404)
    rise = appliance().settings["sweep.baseline_rise_db"]
    return jsonify({"sweep_id": sweep_id, "with": other, **report.comparison(newer, older, rise_db=rise)})


@bp.delete("/sweeps/<int:sweep_id>")
@login_required
def delete_sweep(sweep_id: int):
    _record_or_404(sweep_id)
    if appliance().session.status()["sweep_id"] == sweep_id and appliance().session.state.value == "sweeping":
        raise RequestError("this sweep is still running", 409)
    try:
        appliance().store.delete_sweep(sweep_id)
    except StorageFull as exc:
        return json_error(507, str(exc))
    return "", 204


@bp.get("/sweeps/<int:sweep_id>/files/<int:file_id>")
@login_required
def sweep_file(sweep_id: int, file_id: int):
    _record_or_404(sweep_id)
    if not 1 <= file_id <= MAX_ID:
        raise RequestError(f"no file {file_id} in sweep {sweep_id}", 404)
    for entry in appliance().store.files(sweep_id):
        if entry["id"] == file_id and entry["path"].is_file():
            return send_file(entry["path"], download_name=entry["path"].name, max_age=3600)
    raise RequestError(f"no file {file_id} in sweep {sweep_id}", 404)


@bp.get("/sweeps/<int:sweep_id>/spectrum")
@login_required
def spectrum(sweep_id: int):
    """The stored spectrum between lo_hz and hi_hz, max-pooled to at most ``points`` values."""
    _record_or_404(sweep_id)
    points = validate.query_int("points", 1000, 10, MAX_SPECTRUM_POINTS)
    lo = validate.query_float("lo_hz", None, 0, 10e9)
    hi = validate.query_float("hi_hz", None, 0, 10e9)
    data = appliance().store.load_spectrum(sweep_id)
    if data is None:
        raise RequestError(f"sweep {sweep_id} has no spectrum (no RF part)", 404)
    freqs, mean, peak = data["freqs"], data["mean_db"], data["peak_db"]
    lo = freqs[0] if lo is None else lo
    hi = freqs[-1] if hi is None else hi
    sel = (freqs >= lo) & (freqs <= hi)
    freqs, mean, peak = freqs[sel], mean[sel], peak[sel]
    if freqs.size > points:  # max-pool: a zoomed-out chart must still show every peak
        factor = int(np.ceil(freqs.size / points))
        n = freqs.size // factor * factor
        freqs = freqs[:n].reshape(-1, factor).mean(axis=1)
        # fmax skips NaN (bands not measured) and leaves NaN only where a whole block is unmeasured
        mean = np.fmax.reduce(mean[:n].reshape(-1, factor), axis=1) if n else mean[:0]
        peak = np.fmax.reduce(peak[:n].reshape(-1, factor), axis=1) if n else peak[:0]

    def clean(values: np.ndarray) -> list[float | None]:
        return [None if not np.isfinite(v) else round(float(v), 2) for v in values]

    return jsonify(
        {
            "lo_hz": float(lo),
            "hi_hz": float(hi),
            "freqs_hz": [round(float(f), 1) for f in freqs],
            "mean_dbfs": clean(mean),
            "peak_dbfs": clean(peak),
            "rbw_hz": (appliance().store.sweep(sweep_id).summary or {}).get("rbw_hz"),
        }
    )


@bp.post("/tracking")
@login_required
def start_tracking():
    body = validate.json_object(allow_empty=False)
    validate.only_keys(body, {"emitter_id", "freq_hz", "bandwidth_hz", "wifi_mac", "channel_mhz"})
    if "wifi_mac" in body or "channel_mhz" in body:
        return _track_wifi(body)
    emitter_id = validate.integer(body, "emitter_id", lo=1)
    freq = validate.number(body, "freq_hz", lo=TUNER_RANGE_HZ[0], hi=TUNER_RANGE_HZ[1])
    width = validate.number(body, "bandwidth_hz", lo=1e3, hi=20e6)
    if (emitter_id is None) == (freq is None):
        raise RequestError("give either emitter_id or freq_hz")
    if emitter_id is not None:
        emitter = _emitter_or_404(emitter_id)
        target = target_for(emitter)
    else:
        target = Target(freq_hz=freq, bandwidth_hz=width or 200e3, label=f"{freq / 1e6:.3f} MHz")
    appliance().session.start_tracking(target)
    return jsonify({"session": appliance().session.status()}), 202


WIFI_MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")


def _track_wifi(body: dict[str, Any]):
    """Hot/cold on a Wi-Fi device: its MAC and channel, as the sweep document lists them."""
    if set(body) != {"wifi_mac", "channel_mhz"}:
        raise RequestError("give wifi_mac and channel_mhz together, and nothing else")
    mac = validate.text(body, "wifi_mac", max_len=17, required=True)
    if not WIFI_MAC.fullmatch(mac):
        raise RequestError("wifi_mac must look like a4:cf:12:00:00:01 (lower case)")
    channel = validate.integer(body, "channel_mhz", lo=2400, hi=7125, required=True)
    appliance().session.start_tracking(WifiTarget(mac, channel, label=f"Wi-Fi {mac} on {channel} MHz"))
    return jsonify({"session": appliance().session.status()}), 202


def _emitter_or_404(emitter_id: int) -> dict[str, Any]:
    emitter = appliance().store.emitter(emitter_id)
    if emitter is None:
        raise RequestError(f"no emitter {emitter_id}", 404)
    return emitter


@bp.delete("/tracking")
@login_required
def stop_tracking():
    session = appliance().session
    stopping = session.state.value == "tracking" and session.cancel()
    return jsonify({"stopped": bool(stopping)})


@bp.get("/baseline")
@login_required
def get_baseline():
    baseline = appliance().store.latest_baseline()
    return jsonify({"baseline": _baseline_json(baseline) if baseline else None})


def _baseline_json(baseline) -> dict[str, Any]:
    return {
        "id": baseline.id,
        "created_at": baseline.created_at,
        "name": baseline.name,
        "sweep_id": baseline.sweep_id,
        "emitters": baseline.emitters,
    }


@bp.post("/baseline")
@login_required
def save_baseline():
    body = validate.json_object()
    validate.only_keys(body, {"sweep_id", "name"})
    sweep_id = validate.integer(body, "sweep_id", lo=1)
    name = validate.text(body, "name", max_len=80) or ""
    store = appliance().store
    if sweep_id is None:
        complete = [r for r in store.sweeps(limit=50) if r.status == "complete"]
        if not complete:
            raise RequestError("no complete sweep yet: sweep the clean room first", 409)
        sweep_id = complete[0].id
    record = _record_or_404(sweep_id)
    if record.status != "complete":
        raise RequestError(f"sweep {sweep_id} is {record.status}; a baseline needs a complete sweep", 409)
    baseline_id = baselinemod.save(store, store.document(sweep_id), name=name, sweep_id=sweep_id)
    (baseline,) = [b for b in store.baselines() if b.id == baseline_id]
    return jsonify({"baseline": _baseline_json(baseline)}), 201


@bp.delete("/baseline")
@login_required
def clear_baseline():
    validate.only_keys(validate.json_object(), set())
    return jsonify({"cleared": appliance().store.clear_baselines()})


@bp.get("/settings")
@login_required
def get_settings():
    app = appliance()
    return jsonify({"settings": app.settings.describe(), "error": app.config_error})


@bp.put("/settings")
@login_required
def put_settings():
    body = validate.json_object(allow_empty=False)
    validate.only_keys(body, {"values"})
    values = body.get("values")
    if not isinstance(values, dict) or not values:
        raise RequestError("values must be a non-empty object of setting: value")
    app = appliance()
    app.update_settings(values)
    return jsonify({"settings": app.settings.describe(), "error": app.config_error})


@bp.delete("/settings")
@login_required
def reset_settings():
    validate.only_keys(validate.json_object(), set())
    app = appliance()
    app.reset_settings()
    return jsonify({"settings": app.settings.describe(), "error": app.config_error})


@bp.get("/device")
@login_required
def device():
    return jsonify(appliance().device_status())


@bp.get("/lan")
@login_required
def lan_status():
    return jsonify({"lan": appliance().lan.status()})


@bp.post("/lan")
@login_required
def start_lan_scan():
    """The opt-in "Scan the room's Wi-Fi": the passphrase goes to the join and nowhere else (not stored,
    not logged, not in the reply)."""
    body = validate.json_object(allow_empty=False)
    validate.only_keys(body, {"ssid", "passphrase"})
    ssid = validate.text(body, "ssid", max_len=32, required=True)
    passphrase = validate.text(body, "passphrase", max_len=63) or None
    if not ssid:
        raise RequestError("ssid is empty")
    if passphrase is not None and len(passphrase) < 8:
        raise RequestError("a WPA passphrase is 8 to 63 characters (leave it empty for an open network)")
    try:
        state = appliance().lan.start(ssid, passphrase)
    except LanBusy as exc:
        return json_error(409, str(exc))
    return jsonify({"lan": state}), 202
