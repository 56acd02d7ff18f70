"""OpenAPI 3.0 description of /api/ — what the API accepts and answers, kept beside the routes."""

from __future__ import annotations

from typing import Any

from appliance import config as cfg
from appliance.report import SUSPECT_PARTS
from dsp import classify
from hw.radio import TUNER_RANGE_HZ
from webui.validate import MAX_ID

# A radio tracking request names no Wi-Fi device, and the other way round.
WIFI_TARGET_KEYS = {"anyOf": [{"required": ["wifi_mac"]}, {"required": ["channel_mhz"]}]}

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "malformed request",
        401: "not logged in",
        403: "missing or wrong CSRF token",
        404: "no such thing",
        409: "the device is busy or the request conflicts with its state",
        413: "body too large",
        415: "body is not JSON",
        503: "too many live streams",
        507: "the SD card is full or read-only: nothing could be freed",
    }
    return {str(c): _json(ERROR, text[c]) for c in codes}


def _body(schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
TUNABLE_HZ = {"type": "number", "minimum": TUNER_RANGE_HZ[0], "maximum": TUNER_RANGE_HZ[1]}
SWEEP_ID = {"name": "sweep_id", "in": "path", "required": True, "schema": ID_SCHEMA}


def _setting_schema(setting: cfg.Setting) -> dict[str, Any]:
    kind = {int: "integer", float: "number", str: "string", bool: "boolean"}[setting.kind]
    schema: dict[str, Any] = {"type": kind, "description": setting.help}
    if setting.lo is not None:
        schema["minimum"] = setting.lo
    if setting.hi is not None:
        schema["maximum"] = setting.hi
    if setting.choices:
        schema["enum"] = list(setting.choices)
    if setting.pattern:
        schema["pattern"] = setting.pattern
    return schema


SETTING_VALUES = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": False,
    "properties": {s.key: _setting_schema(s) for s in cfg.SETTINGS if s.ui},
}
WRITE_ERRORS = (400, 401, 403, 413, 415)

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
    "SessionStatus": {
        "type": "object",
        "required": ["state", "message", "sweep_id", "progress"],
        "properties": {
            "state": {"type": "string", "enum": ["idle", "sweeping", "results", "tracking", "error"]},
            "message": {"type": "string"},
            "sweep_id": {"type": "integer", "nullable": True},
            "progress": {"type": "object", "nullable": True},
            "source": {"type": "string"},
        },
    },
    "Sweep": {
        "type": "object",
        "required": ["id", "started_at", "status", "summary"],
        "properties": {
            "id": {"type": "integer"},
            "started_at": {"type": "number"},
            "finished_at": {"type": "number", "nullable": True},
            "status": {
                "type": "string",
                "enum": ["running", "complete", "partial", "cancelled", "failed", "interrupted"],
            },
            "error": {"type": "string", "nullable": True},
            "source": {"type": "string"},
            "summary": {"type": "object"},
        },
    },
    "Emitter": {
        "type": "object",
        "required": ["id", "freq_hz", "bandwidth_hz", "kind", "camera_score", "reasons"],
        "properties": {
            "id": {"type": "integer"},
            "freq_hz": {"type": "number"},
            "bandwidth_hz": {"type": "number"},
            "power_dbfs": {"type": "number", "nullable": True},
            "snr_db": {"type": "number", "nullable": True},
            "kind": {"type": "string", "enum": list(classify.KINDS)},
            "line_rate_hz": {"type": "number", "nullable": True},
            "standard": {"type": "string", "nullable": True},
            "camera_score": {"type": "number", "minimum": 0, "maximum": 1},
            "suspect": {"type": "boolean"},
            "reasons": {"type": "array", "items": {"type": "string"}},
            "new_since_baseline": {"type": "boolean", "nullable": True},
            "baseline_change": {"type": "string", "enum": ["new", "stronger"], "nullable": True},
            "baseline_power_dbfs": {"type": "number", "nullable": True},
            "baseline_rise_db": {"type": "number", "nullable": True},
            "picture": {
                "type": "object",
                "nullable": True,
                "description": "an analog camera's picture: its PNG is the sweep's file of this name (role picture)",
                "properties": {
                    "file": {"type": "string"},
                    "standard": {"type": "string"},
                    "modulation": {"type": "string", "enum": ["am", "fm"]},
                    "tunings_hz": {"type": "array", "items": {"type": "number"}},
                    "quality": {"type": "number"},
                    "seconds": {"type": "number"},
                },
            },
            "stimulus": {
                "type": "object",
                "nullable": True,
                "description": "the LED ring's confirmation (analyze --stimulus's shape)",
                "properties": {
                    "responds": {"type": "boolean"},
                    "p_value": {"type": "number"},
                    "lag_s": {"type": "number", "nullable": True},
                    "statistic": {"type": "number"},
                },
            },
            "sees_device": {"type": "boolean"},
            "confirmation": {"type": "string", "nullable": True, "description": "the confirmation in words"},
        },
    },
    "SuspectRef": {
        "type": "object",
        "required": ["part", "index"],
        "properties": {"part": {"type": "string", "enum": list(SUSPECT_PARTS)}, "index": {"type": "integer"}},
    },
    "SweepDocument": {
        "type": "object",
        "description": "The one sweep document (appliance/report.py), judged on the device when the sweep ran",
        "required": ["version", "status", "plan", "emitters", "suspects", "counts", "baseline", "new_since_baseline"],
        "properties": {
            "version": {"type": "integer"},
            "status": {"type": "string"},
            "complete": {"type": "boolean"},
            "cancelled": {"type": "boolean"},
            "error": {"type": "string", "nullable": True},
            "problems": {"type": "array", "items": {"type": "string"}},
            "plan": {"type": "object"},
            "missing_bands_hz": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
            "emitters": {"type": "array", "items": {"$ref": "#/components/schemas/Emitter"}},
            "optical": {
                "type": "object",
                "nullable": True,
                "properties": {"findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}}},
            },
            "wifi": {
                "type": "object",
                "nullable": True,
                "description": "the Wi-Fi part (wifi --json plus state, status, problems, adapter); null: not run",
                "properties": {
                    "state": {"type": "string", "enum": ["ran", "off"]},
                    "devices": {"type": "array", "items": {"$ref": "#/components/schemas/WifiDevice"}},
                },
            },
            "ble": {
                "type": "object",
                "nullable": True,
                "description": "the BLE part (ble --json plus state, not_covered): advertisers with hints and "
                "reasons, never suspects; null: not run",
                "properties": {
                    "state": {"type": "string", "enum": ["ran", "off"]},
                    "devices": {"type": "array", "items": {"type": "object"}},
                },
            },
            "lan": {
                "type": "object",
                "nullable": True,
                "description": "the network scan's part (lan --json plus state; devices with suspect and "
                "wifi_index), attached after the sweep by the opt-in scan; null: not scanned",
                "properties": {
                    "state": {"type": "string", "enum": ["ran", "off"]},
                    "devices": {"type": "array", "items": {"type": "object"}},
                },
            },
            "suspects": {"type": "array", "items": {"$ref": "#/components/schemas/SuspectRef"}},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "baseline": {"type": "object", "nullable": True},
            "new_since_baseline": {
                "type": "array",
                "nullable": True,
                "items": {"$ref": "#/components/schemas/SuspectRef"},
            },
        },
    },
    "WifiDevice": {
        "type": "object",
        "required": ["mac", "kind", "camera_score", "suspect", "sees_device", "reasons"],
        "properties": {
            "mac": {"type": "string"},
            "vendor": {"type": "string", "nullable": True},
            "kind": {"type": "string"},
            "camera_score": {"type": "number"},
            "suspect": {"type": "boolean"},
            "sees_device": {"type": "boolean"},
            "channel_mhz": {"type": "integer", "nullable": True},
            "rssi_dbm": {"type": "integer", "nullable": True},
            "stimulus": {"type": "object", "nullable": True},
            "reasons": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Finding": {
        "type": "object",
        "required": ["kind", "x", "y", "score"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": ["lens", "ir-led"]},
            "x": {"type": "number"},
            "y": {"type": "number"},
            "radius_px": {"type": "number"},
            "score": {"type": "number"},
            "suspect": {"type": "boolean"},
            "seen_in": {"type": "integer"},
        },
    },
    "Baseline": {
        "type": "object",
        "required": ["id", "created_at", "name", "emitters"],
        "properties": {
            "id": {"type": "integer"},
            "created_at": {"type": "number"},
            "name": {"type": "string"},
            "sweep_id": {"type": "integer", "nullable": True},
            "emitters": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Setting": {
        "type": "object",
        "required": ["key", "type", "value", "source", "editable"],
        "properties": {
            "key": {"type": "string"},
            "type": {"type": "string"},
            "value": {},
            "default": {},
            "source": {"type": "string", "enum": ["default", "file", "ui", "env"]},
            "help": {"type": "string"},
            "min": {"type": "number", "nullable": True},
            "max": {"type": "number", "nullable": True},
            "choices": {"type": "array", "items": {"type": "string"}, "nullable": True},
            "editable": {"type": "boolean"},
            "restart": {"type": "boolean"},
        },
    },
}

LAN_REPLY = {
    "type": "object",
    "required": ["lan"],
    "properties": {
        "lan": {
            "type": "object",
            "properties": {
                "state": {"type": "string", "enum": ["idle", "running", "done", "failed"]},
                "sweep_id": {"type": "integer", "nullable": True},
                "ssid": {"type": "string", "nullable": True},
                "error": {"type": "string", "nullable": True},
            },
        }
    },
}
SESSION_REPLY = {"type": "object", "required": ["session"], "properties": {"session": SCHEMAS["SessionStatus"]}}
SETTINGS_REPLY = {
    "type": "object",
    "required": ["settings"],
    "properties": {
        "settings": {"type": "array", "items": {"$ref": "#/components/schemas/Setting"}},
        "error": {"type": "string", "nullable": True},
    },
}
EMPTY_BODY = _body({"type": "object", "additionalProperties": False, "maxProperties": 0})

PATHS: dict[str, Any] = {
    "/api/status": {
        "get": {
            "summary": "Session state, the newest sweep and device warnings",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["session", "latest_sweep", "warnings", "csrf_token"],
                        "properties": {
                            "csrf_token": {"type": "string"},
                            "session": {"$ref": "#/components/schemas/SessionStatus"},
                            "latest_sweep": {"allOf": [{"$ref": "#/components/schemas/Sweep"}], "nullable": True},
                            "warnings": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                ),
                **_errors(401),
            },
        }
    },
    "/api/sweeps": {
        "get": {
            "summary": "History of sweeps, newest first",
            "parameters": [
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                {"name": "before", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}},
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["sweeps", "next_before"],
                        "properties": {
                            "sweeps": {"type": "array", "items": {"$ref": "#/components/schemas/Sweep"}},
                            "next_before": {"type": "integer", "nullable": True},
                        },
                    }
                ),
                **_errors(400, 401),
            },
        },
        "post": {
            "summary": "Start a sweep (RF, then optical)",
            "requestBody": _body(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "preset": {"type": "string", "enum": ["full", "cameras"]},
                        "ranges": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 8,
                            "description": "frequency ranges to sweep instead of the preset (each put in order)",
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["lo_hz", "hi_hz"],
                                "properties": {"lo_hz": TUNABLE_HZ, "hi_hz": TUNABLE_HZ},
                            },
                        },
                        "optical": {"type": "boolean"},
                    },
                    "not": {"required": ["preset", "ranges"]},
                }
            ),
            "responses": {"202": _json(SESSION_REPLY, "sweep started"), **_errors(*WRITE_ERRORS, 409)},
        },
    },
    "/api/cancel": {
        "post": {
            "summary": "Cancel the running sweep or stop tracking",
            "requestBody": EMPTY_BODY,
            "responses": {
                "200": _json({"type": "object", "properties": {"cancelled": {"type": "boolean"}}}),
                **_errors(*WRITE_ERRORS),
            },
        }
    },
    "/api/sweeps/{sweep_id}": {
        "parameters": [SWEEP_ID],
        "get": {
            "summary": "One sweep: its row, its sweep document (emitters, optical findings, verdicts) and files",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["sweep", "document", "images", "files"],
                        "properties": {
                            "sweep": {"$ref": "#/components/schemas/Sweep"},
                            "document": {"$ref": "#/components/schemas/SweepDocument"},
                            "images": {"type": "array", "items": {"type": "string"}},
                            "files": {"type": "array", "items": {"type": "object"}},
                        },
                    }
                ),
                **_errors(401, 404),
            },
        },
        "delete": {
            "summary": "Delete a sweep and its files",
            "responses": {"204": {"description": "deleted"}, **_errors(401, 403, 404, 409, 507)},
        },
    },
    "/api/sweeps/{sweep_id}/compare": {
        "parameters": [SWEEP_ID],
        "get": {
            "summary": "This sweep against an older one: appeared, gone, stronger, weaker, unchanged (indices)",
            "parameters": [
                {
                    "name": "with",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                }
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["sweep_id", "with", "rise_db", "appeared", "gone", "stronger", "weaker"],
                        "properties": {
                            "sweep_id": {"type": "integer"},
                            "with": {"type": "integer"},
                            "rise_db": {"type": "number"},
                            "appeared": {"type": "array", "items": {"type": "object"}},
                            "gone": {"type": "array", "items": {"type": "integer"}},
                            "not_swept_now": {"type": "array", "items": {"type": "integer"}},
                            "stronger": {"type": "array", "items": {"type": "object"}},
                            "weaker": {"type": "array", "items": {"type": "object"}},
                            "unchanged": {"type": "array", "items": {"type": "object"}},
                            "not_covered": {"type": "array", "items": {"type": "object"}},
                            "findings": {"type": "object"},
                        },
                    }
                ),
                **_errors(400, 401, 404),
            },
        },
    },
    "/api/sweeps/{sweep_id}/spectrum": {
        "parameters": [SWEEP_ID],
        "get": {
            "summary": "The sweep's spectrum in a band, max-pooled to at most `points` values",
            "parameters": [
                {"name": "lo_hz", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1e10}},
                {"name": "hi_hz", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1e10}},
                {"name": "points", "in": "query", "schema": {"type": "integer", "minimum": 10, "maximum": 4000}},
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["lo_hz", "hi_hz", "freqs_hz", "mean_dbfs", "peak_dbfs"],
                        "properties": {
                            "lo_hz": {"type": "number"},
                            "hi_hz": {"type": "number"},
                            "freqs_hz": {"type": "array", "items": {"type": "number"}},
                            "mean_dbfs": {"type": "array", "items": {"type": "number", "nullable": True}},
                            "peak_dbfs": {"type": "array", "items": {"type": "number", "nullable": True}},
                            "rbw_hz": {"type": "number", "nullable": True},
                        },
                    }
                ),
                **_errors(400, 401, 404),
            },
        },
    },
    "/api/sweeps/{sweep_id}/files/{file_id}": {
        "parameters": [
            SWEEP_ID,
            {"name": "file_id", "in": "path", "required": True, "schema": ID_SCHEMA},
        ],
        "get": {
            "summary": "A stored file: glint photo (JPEG), spectrum (npz) or evidence recording (SigMF)",
            "responses": {
                "200": {"description": "the file", "content": {"application/octet-stream": {}}},
                **_errors(401, 404),
            },
        },
    },
    "/api/tracking": {
        "post": {
            "summary": "Start proximity tracking of a stored emitter, a frequency, or a Wi-Fi device (by RSSI)",
            "requestBody": _body(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "emitter_id": ID_SCHEMA,
                        "freq_hz": TUNABLE_HZ,
                        "bandwidth_hz": {"type": "number", "minimum": 1e3, "maximum": 20e6},
                        "wifi_mac": {"type": "string", "pattern": "^[0-9a-f]{2}(:[0-9a-f]{2}){5}$"},
                        "channel_mhz": {"type": "integer", "minimum": 2400, "maximum": 7125},
                    },
                    "oneOf": [
                        {"required": ["emitter_id"], "not": WIFI_TARGET_KEYS},
                        {"required": ["freq_hz"], "not": WIFI_TARGET_KEYS},
                        {
                            "required": ["wifi_mac", "channel_mhz"],
                            "not": {"anyOf": [{"required": [k]} for k in ("emitter_id", "freq_hz", "bandwidth_hz")]},
                        },
                    ],
                },
                required=True,
            ),
            "responses": {"202": _json(SESSION_REPLY, "tracking started"), **_errors(*WRITE_ERRORS, 404, 409)},
        },
        "delete": {
            "summary": "Stop tracking",
            "responses": {
                "200": _json({"type": "object", "properties": {"stopped": {"type": "boolean"}}}),
                **_errors(401, 403),
            },
        },
    },
    "/api/lan": {
        "get": {
            "summary": "The opt-in network scan's state (idle, running, done, failed) and the sweep it is added to",
            "responses": {"200": _json(LAN_REPLY), **_errors(401)},
        },
        "post": {
            "summary": "Scan the room's Wi-Fi: the USB adapter joins it, scans the subnet, the result is added "
            "to the latest sweep (the passphrase is used for the join only, never stored)",
            "requestBody": _body(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["ssid"],
                    "properties": {
                        "ssid": {"type": "string", "minLength": 1, "maxLength": 32},
                        "passphrase": {"type": "string", "maxLength": 63, "pattern": "^(|[\\s\\S]{8,63})$"},
                    },
                },
                required=True,
            ),
            "responses": {"202": _json(LAN_REPLY, "scan started"), **_errors(*WRITE_ERRORS, 409)},
        },
    },
    "/api/baseline": {
        "get": {
            "summary": "The room baseline (known emitters), if any",
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["baseline"],
                        "properties": {
                            "baseline": {"allOf": [{"$ref": "#/components/schemas/Baseline"}], "nullable": True}
                        },
                    }
                ),
                **_errors(401),
            },
        },
        "post": {
            "summary": "Save a complete sweep (default: the newest) as the room's baseline",
            "requestBody": _body(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "sweep_id": ID_SCHEMA,
                        "name": {"type": "string", "maxLength": 80},
                    },
                }
            ),
            "responses": {
                "201": _json(
                    {"type": "object", "properties": {"baseline": {"$ref": "#/components/schemas/Baseline"}}},
                    "saved",
                ),
                **_errors(*WRITE_ERRORS, 404, 409),
            },
        },
        "delete": {
            "summary": "Forget every baseline",
            "requestBody": EMPTY_BODY,
            "responses": {
                "200": _json({"type": "object", "properties": {"cleared": {"type": "integer"}}}),
                **_errors(*WRITE_ERRORS),
            },
        },
    },
    "/api/settings": {
        "get": {
            "summary": "Every setting, its value and where it comes from",
            "responses": {"200": _json(SETTINGS_REPLY), **_errors(401)},
        },
        "put": {
            "summary": "Change settings from the phone (validated; kept across restarts)",
            "requestBody": _body(
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["values"],
                    "properties": {"values": SETTING_VALUES},
                },
                required=True,
            ),
            "responses": {"200": _json(SETTINGS_REPLY), **_errors(*WRITE_ERRORS, 409)},
        },
        "delete": {
            "summary": "Undo every change made from the phone",
            "requestBody": EMPTY_BODY,
            "responses": {"200": _json(SETTINGS_REPLY), **_errors(*WRITE_ERRORS)},
        },
    },
    "/api/device": {
        "get": {
            "summary": "Radio, camera, temperature and power, disk",
            "responses": {"200": _json({"type": "object", "required": ["warnings"]}), **_errors(401)},
        }
    },
    "/api/events": {
        "get": {
            "summary": "Live progress as Server-Sent Events (state, progress, hop, emitter, finding, result, "
            "tracking, wifi (a Wi-Fi suspect), prompt (the Wi-Fi lights test), error; heartbeat comments)",
            "responses": {
                "200": {"description": "an event stream", "content": {"text/event-stream": {}}},
                **_errors(401, 503),
            },
        }
    },
    "/api/openapi.json": {
        "get": {"summary": "This document", "security": [], "responses": {"200": _json({"type": "object"})}}
    },
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "roomsweep appliance API",
            "version": "1",
            "description": "Log in with the device's admin secret (cookie session + X-CSRF-Token header for "
            "changes), or send it as a bearer token.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"cookie": []}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "roomsweep_session"},
            },
        },
        "paths": PATHS,
    }
