"""The one sweep document: built and judged here, once; the CLI prints it, the store keeps it,
the API returns it and the phone renders it without deciding anything.

Shape (``sweep --json``, the stored sweep, ``GET /api/sweeps/<id>``'s ``document``; DESIGN.md)::

    version, status ("complete" | "partial" | "cancelled" | "failed"), complete, cancelled,
    error (what ended the RF part early), problems (hops given up on),
    plan {ranges_hz, hops, rbw_hz, sample_rate_hz}, hops_done, relocks, missing_bands_hz,
    noise_floor_dbfs, emitters [emitter_json …], looks, looks_skipped,
    optical (null: not run; else glint --json plus scan facts, findings with "suspect"),
    wifi (null: not run; else ``wifi_part``: wifi --json plus state, status, problems, adapter;
          devices with "suspect", "sees_device" and the baseline fields),
    ble (null: not run; else ``ble_part``: ble --json plus state, not_covered; devices with hints and reasons,
         never suspects; ``wifi_mac`` when its address is a Wi-Fi device's of the same chip),
    pictures (null: not run; else ``picture_part``: status, problems, cameras, pictures, confirmed; each
              pictured emitter carries ``picture`` {file, standard, modulation, tunings_hz, quality, seconds, …},
              ``stimulus`` (analyze --stimulus's shape), ``sees_device`` and ``confirmation``, the sentence),
    lan (null: no network scan; else ``lan_part``: lan --json plus state; devices with "suspect" (a camera
         by what it announced) and ``wifi_index`` into wifi.devices when the same MAC was heard on the air;
         that Wi-Fi device gets ``lan_index`` and a reason naming what it announced; attached after the
         sweep by :func:`attach_lan`; never in ``suspects``: a camera on a hotel's network may be in
         another room, the Wi-Fi sweep's RSSI and stimulus say whether it is in this one),
    suspects [{"part": "rf" | "optical" | "wifi", "index": i} …]  (into emitters / optical.findings /
             wifi.devices; a Wi-Fi camera that sees the device first, then most camera-like first),
    counts {emitters, findings, suspects, rf_suspects, optical_suspects, wifi_devices, wifi_suspects,
            sees_device (Wi-Fi and radio), rf_sees_device, new_since_baseline, ble_devices, ble_hints,
            lan_devices, lan_cameras},
    baseline (null, or which baseline and the rise it was judged with),
    new_since_baseline (null without a baseline, else [{"part": "rf", "index": i} …]),
    radio_time_s, survey_radio_time_s, rf_wall_time_s, wall_time_s, not_covered

Each emitter carries ``suspect`` (its camera score against ``dsp.classify.SUSPECT_SCORE``) and the
baseline fields ``new_since_baseline``, ``baseline_change``, ``baseline_power_dbfs``,
``baseline_rise_db``: the verdict of the moment the sweep ran, against the baseline then in force.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from appliance import baseline as baselinemod
from dsp.classify import SUSPECT_SCORE, Verdict
from dsp.detect import Detection

if TYPE_CHECKING:
    from appliance.optical import OpticalScan
    from appliance.picture_stage import PictureOutcome
    from appliance.rf_sweep import SweepResult
    from dsp.plan import Plan

VERSION = 2
#: the parts of the document a suspect or a "new since the baseline" reference points into
SUSPECT_PARTS = ("rf", "optical", "wifi")
NOT_COVERED = "2.4/5.8 GHz and everything outside 24–1766 MHz"
NOT_COVERED_WIFI = (
    "cameras on Ethernet, cameras that only record to a card, cloud cameras that upload only when something "
    "moves and were idle, and 6 GHz Wi-Fi without a Wi-Fi 6E adapter"
)
NOT_COVERED_BLE = (
    "cameras without Bluetooth, and cameras already set up, which mostly stop advertising: a BLE hint is a reason "
    "to look closer, never proof"
)
MAX_BLE_DEVICES = 200  # a crowded place (a train, a conference) must not grow the stored row without bound
#: a chip's Bluetooth address sits this close to its Wi-Fi MAC (Espressif: Wi-Fi station = base, Bluetooth =
#: base + 2, ESP-IDF "Miscellaneous System APIs", MAC addresses); other combo chips use +1
SAME_CHIP_SPAN = 3
STREAMING_KINDS = ("camera", "video-call", "streaming-client", "uploader")
MAX_WIFI_DEVICES = 200  # a document (and the stored row) stays small in a block of flats; the most camera-like kept
LISTS = ("emitters",)
#: an emitter the picture stage did not picture (or not confirm): what every emitter starts with
NO_PICTURE = {
    "picture": None,
    "stimulus": None,
    "sees_device": False,
    "confirmation": None,
}  # what the store keeps in rows, not in the document's head


def _num(value: float | None, digits: int = 1) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def is_suspect(score: float | None) -> bool:
    """The one suspect line, for radio emitters, optical findings and Wi-Fi devices alike."""
    return score is not None and score >= SUSPECT_SCORE


def emitter_json(det: Detection, verdict: Verdict, **extra: Any) -> dict[str, Any]:
    """One emitter as DESIGN.md's ``analyze --json`` shows it (plus compatible extras)."""
    return {
        "freq_hz": round(det.freq_hz, 1),
        "bandwidth_hz": round(det.bandwidth_hz, 1),
        "power_dbfs": _num(det.power_dbfs),
        "snr_db": _num(det.snr_db),
        "kind": verdict.kind,
        "line_rate_hz": _num(verdict.line_rate_hz, 2),
        "standard": verdict.standard,
        "camera_score": round(float(verdict.camera_score), 2),
        "suspect": verdict.suspect,
        "reasons": list(verdict.reasons),
        "bursty": det.bursty,
        "field_rate_hz": _num(verdict.field_rate_hz, 2),
        "examined": verdict.examined,
        "features": verdict.features,
        **extra,
    }


def rf_part(result: SweepResult) -> dict[str, Any]:
    """What the RF stage contributes (small: the sweep may drop its IQ and spectra right after)."""
    plan = result.plan
    return {
        "plan": plan_json(plan),
        "error": result.error,
        "cancelled": result.cancelled,
        "problems": list(result.problems),
        "hops_done": result.hops_done,
        "relocks": result.relocks,
        "missing_bands_hz": [list(m) for m in result.missing],
        "noise_floor_dbfs": _num(result.noise_floor_dbfs),
        "emitters": [emitter_json(c.detection, c.verdict, evidence=c.evidence, **NO_PICTURE) for c in result.emitters],
        "looks": result.looks,
        "looks_skipped": result.looks_skipped,
        "radio_time_s": _seconds(result.radio_time_s),
        "survey_radio_time_s": _seconds(result.survey_radio_time_s),
        "rf_wall_time_s": _seconds(result.wall_time_s),
    }


def confirmation_text(stimulus: dict[str, Any] | None) -> str | None:
    """The confirmation in the words the phone shows under the camera's picture."""
    if stimulus is None:
        return None
    if stimulus["responds"]:
        return (
            "It sees this device: its picture brightened each time the LED ring was lit "
            f"(p = {stimulus['p_value']:.2g})"
        )
    return f"It does not see the device from here (p = {stimulus['p_value']:.2g})"


def picture_part(emitters: list[dict[str, Any]], outcome: PictureOutcome) -> dict[str, Any]:
    """The picture stage's part; each pictured emitter gains its ``picture``, ``stimulus``, ``sees_device``
    and ``confirmation`` (the sentence) in place."""
    for shot in outcome.shots:
        emitter = emitters[shot.index]
        emitter.update(
            picture=shot.picture,
            stimulus=shot.stimulus,
            sees_device=bool(shot.stimulus and shot.stimulus["responds"]),
            confirmation=confirmation_text(shot.stimulus),
        )
        if shot.note:
            emitter["reasons"] = [*emitter["reasons"], shot.note]
    return {
        "status": "partial" if outcome.problems else "complete",
        "problems": list(outcome.problems),
        "cameras": len(outcome.shots),
        "pictures": sum(1 for s in outcome.shots if s.picture),
        "confirmed": sum(1 for s in outcome.shots if s.stimulus and s.stimulus["responds"]),
    }


def plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "ranges_hz": [list(r) for r in plan.ranges],
        "hops": len(plan.hops),
        "rbw_hz": plan.bin_hz,
        "sample_rate_hz": plan.sample_rate,
    }


def optical_part(scan: OpticalScan) -> dict[str, Any]:
    """The optical stage's part: ``glint --json`` with each finding's ``suspect``, and the scan's facts."""
    doc = scan.to_json()
    for finding in doc["findings"]:
        finding["suspect"] = is_suspect(finding.get("score"))
    return {**doc, **scan.summary()}


def wifi_part(outcome: dict[str, Any] | None = None, *, off: str | None = None) -> dict[str, Any]:
    """The Wi-Fi stage's part: ``wifi --json`` (``WifiOutcome.to_json``) with each device's ``suspect`` and
    ``sees_device`` judged here; or, with no adapter, ``state`` "off" and ``off`` saying why."""
    if outcome is None:
        return {
            "state": "off",
            "error": off,
            "status": "off",
            "problems": [],
            "devices": [],
            "channels_mhz": [],
            "seconds": 0.0,
            "stimulus": None,
            "adapter": None,
            "not_covered": NOT_COVERED_WIFI,
        }
    devices = []
    ranked = sorted(outcome["devices"], key=lambda d: -d["camera_score"])
    for device in ranked[:MAX_WIFI_DEVICES]:
        verdict = device.get("stimulus") or {}
        devices.append(
            {**device, "suspect": is_suspect(device["camera_score"]), "sees_device": bool(verdict.get("responds"))}
        )
    dropped = len(ranked) - len(devices)
    problems = list(outcome.get("problems", []))
    if dropped:
        problems.append(
            f"{dropped} more Wi-Fi devices heard, the least camera-like, not listed (at most {MAX_WIFI_DEVICES})"
        )
    return {
        **outcome,
        "state": "ran",
        "error": None,
        "devices": devices,
        "problems": problems,
        "not_covered": NOT_COVERED_WIFI,
    }


def ble_part(outcome: dict[str, Any] | None = None, *, off: str | None = None) -> dict[str, Any]:
    """The BLE stage's part: ``ble --json`` (``BleOutcome.to_json``), at most :data:`MAX_BLE_DEVICES` (the
    most telling kept); or, with no adapter, ``state`` "off" and ``error`` saying why. Hints are shown with
    their reasons and counted, never made suspects: a set-up advert names a maker, not a camera in the room."""
    if outcome is None:
        return {
            "state": "off",
            "error": off,
            "status": "off",
            "adapter": None,
            "seconds": 0.0,
            "adverts": 0,
            "problems": [],
            "devices": [],
            "not_covered": NOT_COVERED_BLE,
        }
    devices = [{**d, "wifi_mac": None} for d in outcome["devices"][:MAX_BLE_DEVICES]]
    problems = list(outcome.get("problems", []))
    dropped = len(outcome["devices"]) - len(devices)
    if dropped:
        problems.append(
            f"{dropped} more Bluetooth devices heard, the least telling, not listed (at most {MAX_BLE_DEVICES})"
        )
    return {
        **outcome,
        "state": "ran",
        "error": None,
        "devices": devices,
        "problems": problems,
        "not_covered": NOT_COVERED_BLE,
    }


def _mac_value(text: str) -> int | None:
    try:
        return int(text.replace(":", ""), 16)
    except ValueError:
        return None


def link_ble_to_wifi(ble: dict[str, Any] | None, wifi: dict[str, Any] | None) -> None:
    """Name the Wi-Fi device whose chip a BLE advertiser is: a public Bluetooth address within
    :data:`SAME_CHIP_SPAN` of a Wi-Fi MAC of the same maker's block. Sets ``wifi_mac`` and adds the reason."""
    if not ble or ble.get("state") != "ran" or not wifi or wifi.get("state") != "ran":
        return
    macs = {_mac_value(d["mac"]): d for d in wifi["devices"]}
    for device in ble["devices"]:
        address = _mac_value(device["address"])
        if device.get("address_type") != "public" or address is None:
            continue
        match = next(
            (
                (value, d)
                for value, d in sorted(macs.items(), key=lambda kv: abs((kv[0] or 0) - address))
                if value is not None and value >> 24 == address >> 24 and 0 < abs(value - address) <= SAME_CHIP_SPAN
            ),
            None,
        )
        if match is None:
            continue
        value, wifi_device = match
        device["wifi_mac"] = wifi_device["mac"]
        what = "a Wi-Fi camera suspect" if wifi_device.get("suspect") else f"Wi-Fi device ({wifi_device['kind']})"
        device["reasons"] = [
            *device["reasons"],
            f"same chip as {what} {wifi_device['mac']}: its Bluetooth address is the Wi-Fi MAC "
            f"{'+' if address > value else '-'} {abs(address - value)}",
        ]


def streams(device: dict[str, Any]) -> bool:
    """A Wi-Fi device worth flagging when it is new: anything that streams (or looks like a camera)."""
    return device["kind"] in STREAMING_KINDS or device["suspect"]


def judge_wifi_baseline(wifi: dict[str, Any] | None, reference: baselinemod.Reference | None) -> list[int]:
    """Mark each streaming device new or known against the baseline's Wi-Fi devices; the new ones' indices.

    A baseline taken without a Wi-Fi part cannot judge: the fields stay null."""
    if not wifi or wifi.get("state") != "ran":
        return []
    known = None if reference is None or reference.wifi_devices is None else reference.wifi_devices
    flagged = []
    for i, device in enumerate(wifi["devices"]):
        if known is None or not streams(device):
            device["new_since_baseline"], device["baseline_change"] = None, None
            continue
        before = known.get(device["mac"])
        new = before is None or not streams(before)
        device["new_since_baseline"], device["baseline_change"] = new, "new" if new else None
        if new:
            flagged.append(i)
    return flagged


def sweep_document(
    plan: Plan,
    *,
    rf: dict[str, Any] | None,
    rf_error: str | None = None,
    optical: dict[str, Any] | None = None,
    wifi: dict[str, Any] | None = None,
    ble: dict[str, Any] | None = None,
    pictures: dict[str, Any] | None = None,
    reference: baselinemod.Reference | None = None,
    rise_db: float = baselinemod.DEFAULT_RISE_DB,
    cancelled: bool = False,
    wall_time_s: float | None = None,
) -> dict[str, Any]:
    """Build and judge the sweep: suspects, baseline flags, status. ``rf`` is :func:`rf_part`'s
    (None when the radio could not be opened: ``rf_error`` says why), ``optical`` is
    :func:`optical_part`'s (None: not run), ``wifi`` :func:`wifi_part`'s, ``ble`` :func:`ble_part`'s (None: not run)."""
    measured = rf or {}
    emitters = measured.get("emitters", [])
    cancelled = cancelled or bool(measured.get("cancelled"))
    error = measured.get("error") or rf_error
    problems = list(measured.get("problems", []))
    doc: dict[str, Any] = {
        "version": VERSION,
        "plan": plan_json(plan),
        "error": error,
        "problems": problems,
        "hops_done": measured.get("hops_done", 0),
        "relocks": measured.get("relocks", 0),
        # with no radio nothing was measured: every planned band is missing
        "missing_bands_hz": measured.get("missing_bands_hz", [list(r) for r in plan.ranges]),
        "noise_floor_dbfs": measured.get("noise_floor_dbfs"),
        "emitters": emitters,
        "looks": measured.get("looks", 0),
        "looks_skipped": measured.get("looks_skipped", 0),
        "optical": optical,
        "wifi": wifi,
        "ble": ble,
        "pictures": pictures,
        "lan": None,  # a network scan is opt-in and attached afterwards (attach_lan)
        "radio_time_s": measured.get("radio_time_s"),
        "survey_radio_time_s": measured.get("survey_radio_time_s"),
        "rf_wall_time_s": measured.get("rf_wall_time_s"),
        "wall_time_s": _seconds(wall_time_s if wall_time_s is not None else measured.get("rf_wall_time_s")),
        "not_covered": NOT_COVERED,
    }
    doc["baseline"], doc["new_since_baseline"] = judge_baseline(doc, reference, rise_db)
    new_wifi = judge_wifi_baseline(wifi, reference)
    if doc["new_since_baseline"] is not None and wifi and wifi.get("state") == "ran":
        doc["new_since_baseline"] += [{"part": "wifi", "index": i} for i in new_wifi]
    link_ble_to_wifi(ble, wifi)
    findings = optical["findings"] if optical else []
    wifi_devices = wifi["devices"] if wifi else []
    doc["suspects"] = _rank_suspects(emitters, findings, wifi_devices)
    optical_trouble = bool(optical and optical.get("error"))
    wifi_trouble = bool(wifi and wifi.get("status") == "partial")
    ble_trouble = bool(ble and ble.get("status") == "partial")
    picture_trouble = bool(pictures and pictures["status"] == "partial")
    if cancelled:
        status = "cancelled"
    elif rf is None and not findings and not wifi_devices:
        status = "failed"
    elif error or problems or optical_trouble or wifi_trouble or ble_trouble or picture_trouble or rf is None:
        status = "partial"
    else:
        status = "complete"
    doc.update(status=status, complete=status == "complete", cancelled=cancelled)
    doc["counts"] = counts(doc)
    return doc


def judge_baseline(
    doc: dict[str, Any], reference: baselinemod.Reference | None, rise_db: float
) -> tuple[dict[str, Any] | None, list[dict[str, Any]] | None]:
    """Set each emitter's baseline fields; the document's ``baseline`` and ``new_since_baseline``."""
    emitters = doc["emitters"]
    summary = baselinemod.annotate(
        emitters, reference, rise_db=rise_db, current_ranges_hz=[tuple(r) for r in doc["plan"]["ranges_hz"]]
    )
    if summary is None:
        return None, None
    flagged = [i for i, e in enumerate(emitters) if e["new_since_baseline"]]
    flagged.sort(key=lambda i: (-emitters[i]["camera_score"], emitters[i]["freq_hz"]))
    return summary, [{"part": "rf", "index": i} for i in flagged]


def _rank_suspects(
    emitters: list[dict[str, Any]], findings: list[dict[str, Any]], wifi_devices: list[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """Suspects, a camera proven to see the device first, then the most camera-like."""
    ranked = [
        (-int(bool(e.get("sees_device"))), -e["camera_score"], -(e.get("power_dbfs") or -999.0), "rf", i)
        for i, e in enumerate(emitters)
    ]
    ranked += [(0, -f["score"], 0.0, "optical", i) for i, f in enumerate(findings)]
    ranked += [
        (-int(bool(d.get("sees_device"))), -d["camera_score"], -(d.get("rssi_dbm") or -999.0), "wifi", i)
        for i, d in enumerate(wifi_devices)
    ]
    return [
        {"part": part, "index": i}
        for _, score, _, part, i in sorted(ranked)
        if is_suspect(-score)  # scores are negated for the sort
    ]


def counts(doc: dict[str, Any]) -> dict[str, int]:
    """What a history line or a headline needs, counted once here."""
    parts = [s["part"] for s in doc["suspects"]]
    optical = doc.get("optical") or {}
    wifi_devices = (doc.get("wifi") or {}).get("devices", [])
    ble_devices = (doc.get("ble") or {}).get("devices", [])
    lan_devices = (doc.get("lan") or {}).get("devices", [])
    return {
        "emitters": len(doc["emitters"]),
        "findings": len(optical.get("findings", [])),
        "suspects": len(parts),
        "rf_suspects": parts.count("rf"),
        "optical_suspects": parts.count("optical"),
        "wifi_devices": len(wifi_devices),
        "wifi_suspects": parts.count("wifi"),
        "sees_device": sum(1 for d in [*wifi_devices, *doc["emitters"]] if d.get("sees_device")),
        "rf_sees_device": sum(1 for e in doc["emitters"] if e.get("sees_device")),
        "new_since_baseline": len(doc["new_since_baseline"] or []),
        "ble_devices": len(ble_devices),
        "ble_hints": sum(1 for d in ble_devices if d.get("hint")),
        "lan_devices": len(lan_devices),
        "lan_cameras": sum(1 for d in lan_devices if d.get("suspect")),
    }


def suspect_items(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The suspects themselves (emitters and findings), most camera-like first."""
    findings = (doc.get("optical") or {}).get("findings", [])
    lists = {"rf": doc["emitters"], "optical": findings, "wifi": (doc.get("wifi") or {}).get("devices", [])}
    return [lists[s["part"]][s["index"]] for s in doc["suspects"]]


def head(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without its emitter and finding lists (the store keeps those as rows)."""
    out = {k: v for k, v in doc.items() if k not in LISTS}
    if out.get("optical"):
        out["optical"] = {k: v for k, v in out["optical"].items() if k != "findings"}
    return out


def assemble(
    head_doc: dict[str, Any], emitters: list[dict[str, Any]], findings: list[dict[str, Any]]
) -> dict[str, Any]:
    """The document again from its head and its rows (the inverse of :func:`head`)."""
    doc = {**head_doc, "emitters": emitters}
    if doc.get("optical") is not None:
        doc["optical"] = {**doc["optical"], "findings": findings}
    return doc


def pending(plan: Plan) -> dict[str, Any]:
    """The document of a sweep that has only begun: its plan (a page that opens it can lay out), nothing measured."""
    return {**sweep_document(plan, rf={}), "status": "running", "complete": False}


def comparison(newer: dict[str, Any], older: dict[str, Any], *, rise_db: float) -> dict[str, Any]:
    """Two stored sweeps side by side (history's compare): what appeared, went, rose or fell.

    The same matching as the baseline comparison (``baseline.compare``); indices refer into each
    document's emitters. ``not_covered``: newer emitters outside the older sweep's bands;
    ``not_swept_now``: older emitters outside the newer sweep's bands.
    """
    reference = baselinemod.Reference(older["emitters"], [tuple(r) for r in older["plan"]["ranges_hz"]])
    result = baselinemod.compare(
        newer["emitters"],
        reference,
        rise_db=rise_db,
        current_ranges_hz=[tuple(r) for r in newer["plan"]["ranges_hz"]],
    )
    out: dict[str, Any] = {
        "rise_db": rise_db,
        "appeared": [],
        "stronger": [],
        "weaker": [],
        "unchanged": [],
        "not_covered": [],
        "gone": result.gone,
        # older emitters the newer sweep did not look at: not gone, just not swept
        "not_swept_now": [
            j
            for j, e in enumerate(older["emitters"])
            if not any(lo <= e["freq_hz"] <= hi for lo, hi in newer["plan"]["ranges_hz"])
        ],
    }
    names = {"new": "appeared", "stronger": "stronger", "weaker": "weaker", "known": "unchanged"}
    for i, change in enumerate(result.changes):
        entry = {"index": i, "older_index": change.matched, "rise_db": change.rise_db}
        out[names.get(change.status, "not_covered")].append(entry)
    out["findings"] = {
        "newer": len((newer.get("optical") or {}).get("findings", [])),
        "older": len((older.get("optical") or {}).get("findings", [])),
    }
    return out


def upgrade(old: dict[str, Any], emitters: list[dict[str, Any]], findings: list[dict[str, Any]], status: str) -> dict:
    """A sweep stored before version 2 — the CLI's ``sweep --json`` or the session's own summary —
    as a version-2 head; ``emitters`` and ``findings`` (its rows, in order) gain ``suspect`` in place."""
    if old.get("version") == VERSION:
        return old
    for item, score in [(e, e.get("camera_score")) for e in emitters] + [(f, f.get("score")) for f in findings]:
        item.setdefault("suspect", is_suspect(score))
    for e in emitters:
        for key in ("new_since_baseline", "baseline_change", "baseline_power_dbfs", "baseline_rise_db"):
            e.setdefault(key, None)
    plan = old.get("plan") or {
        "ranges_hz": old.get("ranges_hz") or [],
        "hops": old.get("hops", 0),
        "rbw_hz": old.get("rbw_hz"),
        "sample_rate_hz": None,
    }
    optical = old.get("optical")
    if optical is not None or findings:
        optical = {**(optical or {}), "findings": findings}
    doc: dict[str, Any] = {
        "version": VERSION,
        "status": status,
        "complete": status == "complete",
        "cancelled": status == "cancelled",
        "error": old.get("error", old.get("rf_error")),
        "problems": list(old.get("problems", old.get("rf_problems", []))),
        "plan": plan,
        "hops_done": old.get("hops_done", 0),
        "relocks": old.get("relocks", 0),
        "missing_bands_hz": old.get("missing_bands_hz", []),
        "noise_floor_dbfs": old.get("noise_floor_dbfs"),
        "emitters": emitters,
        "looks": old.get("looks", 0),
        "looks_skipped": old.get("looks_skipped", 0),
        "optical": optical,
        "radio_time_s": old.get("radio_time_s"),
        "survey_radio_time_s": old.get("survey_radio_time_s"),
        "rf_wall_time_s": old.get("rf_wall_time_s"),
        "wall_time_s": old.get("wall_time_s"),
        "not_covered": NOT_COVERED,
        "baseline": None,  # sweeps before version 2 were not judged against a baseline when they ran
        "new_since_baseline": None,
    }
    doc["suspects"] = _rank_suspects(emitters, findings)
    doc["counts"] = counts(doc)
    return head(doc)


# --- the network scan's part (opt-in, attached to a finished sweep) ----------------------------------

MAX_LAN_DEVICES = 254  # a /24's hosts; a /22 keeps its most camera-like
NOT_COVERED_LAN = (
    "devices on other networks (the hotel's staff or camera VLANs), devices that answer no discovery protocol "
    "and have no camera port open, and everything behind client isolation"
)


def lan_part(outcome: dict[str, Any] | None = None, *, off: str | None = None) -> dict[str, Any]:
    """The network scan's part: ``lan --json`` (``LanOutcome.to_json``) with each device's ``suspect`` judged
    here; or ``state`` "off" with ``off`` saying why (the join failed, no adapter, a subnet too large)."""
    if outcome is None:
        return {"state": "off", "error": off, "status": "off", "problems": [], "devices": [], "notes": [],
                "isolated": False, "network": None, "seconds": 0.0, "source": None,
                "not_covered": NOT_COVERED_LAN}  # fmt: skip
    ranked = sorted(outcome["devices"], key=lambda d: -d["camera_score"])
    devices = [{**d, "suspect": is_suspect(d["camera_score"]), "wifi_index": None} for d in ranked[:MAX_LAN_DEVICES]]
    problems = list(outcome.get("problems", []))
    if len(ranked) > len(devices):
        problems.append(f"{len(ranked) - len(devices)} more hosts answered, the least camera-like, not listed")
    return {**outcome, "state": "ran", "error": None, "devices": devices, "problems": problems,
            "not_covered": NOT_COVERED_LAN}  # fmt: skip


def link_lan_to_wifi(lan: dict[str, Any] | None, wifi: dict[str, Any] | None) -> None:
    """Merge by MAC: a host on the network that is also a station heard by the Wi-Fi sweep. The LAN device
    gets ``wifi_index``; the Wi-Fi device ``lan_index`` and a reason naming what it announced."""
    if not lan or lan.get("state") != "ran" or not wifi or wifi.get("state") != "ran":
        return
    stations = {d["mac"]: i for i, d in enumerate(wifi["devices"])}
    for index, device in enumerate(lan["devices"]):
        wifi_index = stations.get(device["mac"])
        device["wifi_index"] = wifi_index
        if wifi_index is None:
            continue
        station = wifi["devices"][wifi_index]
        station["lan_index"] = index
        if device["suspect"]:
            named = device.get("model") or (device["names"] or [device["ip"]])[0]
            reason = f"on the room's network it is a camera: {named} ({device['reasons'][0]})"
            station["reasons"] = [*[r for r in station["reasons"] if not r.startswith("on the room's network")], reason]


def attach_lan(doc: dict[str, Any], lan: dict[str, Any]) -> dict[str, Any]:
    """The sweep's document with a network scan's part attached, merged with its Wi-Fi part, recounted."""
    out = {**doc, "lan": lan}
    if out.get("wifi"):
        out["wifi"] = {**out["wifi"], "devices": [dict(d) for d in out["wifi"]["devices"]]}
    link_lan_to_wifi(lan, out.get("wifi"))
    out["counts"] = counts(out)
    return out
