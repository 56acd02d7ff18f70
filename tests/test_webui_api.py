"""The JSON API: auth, CSRF, validation, the sweep flow (Flask's test client, flaskr's shape);
the event stream on a real waitress server (``live_server``)."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
import requests

SECRET = "test-admin-secret-123"
AUTH = {"Authorization": f"Bearer {SECRET}"}


def bearer(server):
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {server.secret}"
    return s


def form_token(client, path="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def log_in(client) -> str:
    """A browser-like session on the test client: cookie + the API's CSRF token."""
    token = form_token(client)
    r = client.post("/login", data={"secret": SECRET, "csrf_token": token})
    assert r.status_code == 302
    csrf = client.get("/api/status").get_json()["csrf_token"]
    assert csrf != token, "logging in issues a fresh CSRF token"
    return csrf


def wait_state(client, wanted, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get("/api/status", headers=AUTH).get_json()["session"]["state"]
        if state in wanted:
            return state
        time.sleep(0.1)
    raise AssertionError(f"state never became {wanted}")


ENDPOINTS = [
    ("GET", "/api/status"),
    ("GET", "/api/sweeps"),
    ("POST", "/api/sweeps"),
    ("POST", "/api/cancel"),
    ("GET", "/api/sweeps/1"),
    ("DELETE", "/api/sweeps/1"),
    ("GET", "/api/sweeps/1/spectrum"),
    ("GET", "/api/sweeps/1/files/1"),
    ("POST", "/api/tracking"),
    ("DELETE", "/api/tracking"),
    ("GET", "/api/baseline"),
    ("POST", "/api/baseline"),
    ("DELETE", "/api/baseline"),
    ("GET", "/api/settings"),
    ("PUT", "/api/settings"),
    ("DELETE", "/api/settings"),
    ("GET", "/api/device"),
    ("GET", "/api/events"),
]


@pytest.mark.parametrize("method,path", ENDPOINTS)
def test_unauthenticated_requests_get_401_json(client, method, path):
    r = client.open(path, method=method, json={})
    assert r.status_code == 401
    assert r.get_json() == {"error": "login required"}


@pytest.mark.parametrize("method,path", [(m, p) for m, p in ENDPOINTS if m != "GET"])
def test_state_changing_requests_without_csrf_get_403(client, method, path):
    log_in(client)
    r = client.open(path, method=method, json={})
    assert r.status_code == 403
    assert "CSRF" in r.get_json()["error"]


def test_wrong_secret_is_refused_and_throttled(client):
    token = form_token(client)
    codes = [client.post("/login", data={"secret": "guess", "csrf_token": token}).status_code for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429
    r = client.post("/login", data={"secret": SECRET, "csrf_token": token})
    assert r.status_code == 429, "the right secret is refused too while throttled"


def test_login_sets_a_strict_httponly_cookie_and_headers_lock_the_page_down(client):
    page = client.get("/login")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert page.headers["X-Frame-Options"] == "DENY"
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"secret": SECRET, "csrf_token": token})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/api/status").status_code == 200
    r = client.post("/login", data={"secret": SECRET})
    assert r.status_code == 403, "the login form itself needs the CSRF token"


@pytest.mark.parametrize(
    "method,path,body,status,message",
    [
        ("POST", "/api/sweeps", {"preset": "everything"}, 400, "unknown preset"),
        ("POST", "/api/sweeps", {"ranges": [{"lo_hz": 2.4e9, "hi_hz": 2.5e9}]}, 400, "lo_hz must be between"),
        ("POST", "/api/sweeps", {"ranges": "850M:1400M"}, 400, "ranges must be a list"),
        ("POST", "/api/sweeps", {"ranges": [{"lo_hz": 9e8}]}, 400, "hi_hz is required"),
        ("POST", "/api/sweeps", {"preset": "full", "ranges": []}, 400, "either preset or ranges"),
        ("POST", "/api/sweeps", {"preset": None}, 400, "preset must be text"),
        ("POST", "/api/sweeps", {"colour": "red"}, 400, "unknown field 'colour'"),
        ("POST", "/api/sweeps", [1, 2], 400, "must be a JSON object"),
        ("POST", "/api/tracking", {}, 400, "give either emitter_id or freq_hz"),
        ("POST", "/api/tracking", {"freq_hz": 2.4e9}, 400, "freq_hz must be between"),
        ("POST", "/api/tracking", {"emitter_id": 999999}, 404, "no emitter"),
        ("POST", "/api/tracking", {"emitter_id": True}, 400, "must be an integer"),
        ("PUT", "/api/settings", {"values": {"panel.red_pin": 99}}, 400, "outside 2–27"),
        ("PUT", "/api/settings", {"values": {"nope": 1}}, 400, "unknown setting"),
        ("PUT", "/api/settings", {"values": {"sweep.ranges": "2.4G:2.5G"}}, 409, "2.4/5.8 GHz"),
        ("PUT", "/api/settings", {"values": {"panel.red_pin": 23}}, 409, "both GPIO23"),
        ("PUT", "/api/settings", {"values": {"radio.gain": ""}}, 400, "'auto' or a gain in dB"),
        ("GET", "/api/sweeps/99999999999999999999999", None, 404, "no sweep"),
        ("PUT", "/api/settings", {"values": []}, 400, "non-empty object"),
        ("POST", "/api/baseline", {}, 409, "no complete sweep yet"),
        ("POST", "/api/baseline", {"sweep_id": 12345}, 404, "no sweep 12345"),
        ("GET", "/api/sweeps/777", None, 404, "no sweep 777"),
        ("GET", "/api/sweeps?limit=0", None, 400, "limit must be between"),
        ("GET", "/api/sweeps?limit=abc", None, 400, "must be an integer"),
        ("GET", "/api/nothing-here", None, 404, "no API endpoint"),
        ("PATCH", "/api/status", None, 405, "not allowed"),
    ],
)
def test_malformed_requests_get_4xx_json(client, method, path, body, status, message):
    sent = {} if body is None else {"json": body}
    r = client.open(path, method=method, headers=AUTH, **sent)
    assert r.status_code == status, r.text
    assert message in r.get_json()["error"]


def test_non_json_and_oversized_bodies(client):
    form = {**AUTH, "Content-Type": "application/x-www-form-urlencoded"}
    r = client.post("/api/sweeps", data="preset=full", headers=form)
    assert r.status_code == 415 and "JSON" in r.get_json()["error"]
    r = client.post("/api/sweeps", data="{not json", headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]
    r = client.put("/api/settings", data="x" * 100_000, headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 413 and r.get_json() == {"error": "request body too large"}


def test_sweep_results_spectrum_baseline_and_tracking_through_the_api(client):
    headers = {"X-CSRF-Token": log_in(client)}
    r = client.post("/api/sweeps", json={"preset": "cameras"}, headers=headers)
    assert r.status_code == 202
    assert client.post("/api/sweeps", json={}, headers=headers).status_code == 409
    wait_state(client, {"results"})
    (sweep,) = client.get("/api/sweeps").get_json()["sweeps"]
    assert sweep["status"] == "complete"
    detail = client.get(f"/api/sweeps/{sweep['id']}").get_json()
    freqs = [e["freq_hz"] for e in detail["document"]["emitters"]]
    assert any(abs(f - 1.28e9) < 1e4 for f in freqs)
    spec = client.get(
        f"/api/sweeps/{sweep['id']}/spectrum", query_string={"lo_hz": 1.27e9, "hi_hz": 1.29e9, "points": 200}
    ).get_json()
    assert len(spec["freqs_hz"]) <= 200 and max(v for v in spec["mean_dbfs"] if v is not None) > -40
    r = client.post("/api/baseline", json={"name": "clean room"}, headers=headers)
    assert r.status_code == 201 and r.get_json()["baseline"]["sweep_id"] == sweep["id"]
    assert client.get("/api/baseline").get_json()["baseline"]["name"] == "clean room"
    camera = next(e for e in detail["document"]["emitters"] if abs(e["freq_hz"] - 1.28e9) < 1e4)
    assert client.post("/api/tracking", json={"emitter_id": camera["id"]}, headers=headers).status_code == 202
    wait_state(client, {"tracking"})
    assert client.delete("/api/tracking", headers=headers).get_json() == {"stopped": True}
    wait_state(client, {"results", "idle"})
    assert client.delete("/api/baseline", headers=headers).get_json() == {"cleared": 1}
    assert client.delete(f"/api/sweeps/{sweep['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/sweeps/{sweep['id']}").status_code == 404


def test_settings_changed_from_the_phone_take_effect_and_persist(app, client):
    r = client.put("/api/settings", json={"values": {"panel.long_press_s": 2.5}}, headers=AUTH)
    assert r.status_code == 200
    entry = next(x for x in r.get_json()["settings"] if x["key"] == "panel.long_press_s")
    assert entry["value"] == 2.5 and entry["source"] == "ui"
    assert app.extensions["appliance"].store.settings() == {"panel.long_press_s": 2.5}
    r = client.delete("/api/settings", json={}, headers=AUTH)
    assert next(x for x in r.get_json()["settings"] if x["key"] == "panel.long_press_s")["value"] == 1.5


def test_device_status_reports_radio_panel_and_disk(client):
    status = client.get("/api/device", headers=AUTH).get_json()
    assert status["radio"]["state"] == "simulated" and status["panel"]["state"] == "mock pins"
    assert status["disk"]["free_bytes"] > 0 and status["simulated"] is True


def test_openapi_documents_every_api_route(app, client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops if m != "parameters"}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and "<path:" not in rule.rule:
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
            routes |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented


def read_events(response, stop_after, timeout=30.0):
    """Parse an SSE stream until ``stop_after(event_type, data)`` is true."""
    seen = []
    event_type, data = None, None
    deadline = time.monotonic() + timeout
    for raw in response.iter_lines(decode_unicode=True):
        if time.monotonic() > deadline:
            break
        if raw.startswith("event:"):
            event_type = raw[6:].strip()
        elif raw.startswith("data:"):
            data = json.loads(raw[5:])
        elif raw == "" and event_type:
            seen.append((time.monotonic(), event_type, data))
            if stop_after(event_type, data):
                break
            event_type, data = None, None
    return seen


def test_sse_delivers_progress_and_the_result(live_server):
    s = bearer(live_server)
    with s.get(f"{live_server.base_url}/api/events", stream=True, timeout=30) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        started = {}

        def start():
            time.sleep(0.3)
            started["at"] = time.monotonic()
            s.post(f"{live_server.base_url}/api/sweeps", json={"preset": "cameras"})

        threading.Thread(target=start).start()
        seen = read_events(stream, lambda t, d: t == "result")
    types = [t for _, t, _ in seen]
    assert types[0] == "state" and "hop" in types and types[-1] == "result"
    first_progress = next(at for at, t, d in seen if t == "progress")
    assert first_progress - started["at"] < 0.25


def test_sse_streams_are_capped(live_server):
    s = bearer(live_server)
    streams = [s.get(f"{live_server.base_url}/api/events", stream=True, timeout=10) for _ in range(4)]
    try:
        assert all(r.status_code == 200 for r in streams)
        extra = s.get(f"{live_server.base_url}/api/events", timeout=10)
        assert extra.status_code == 503 and "too many live streams" in extra.json()["error"]
        assert s.get(f"{live_server.base_url}/api/status").status_code == 200, "the API still answers"
    finally:
        for r in streams:
            r.close()


def test_a_sweep_with_the_optical_stage_stores_findings_and_the_glint_photo(client):
    started = client.post(
        "/api/sweeps", json={"ranges": [{"lo_hz": 1.27e9, "hi_hz": 1.29e9}], "optical": True}, headers=AUTH
    )
    assert started.status_code == 202
    wait_state(client, {"results"}, timeout=120)
    sweep_id = client.get("/api/sweeps", headers=AUTH).get_json()["sweeps"][0]["id"]
    detail = client.get(f"/api/sweeps/{sweep_id}", headers=AUTH).get_json()
    kinds = sorted(f["kind"] for f in detail["document"]["optical"]["findings"])
    assert kinds == ["ir-led", "lens"], detail["document"]["optical"]["findings"]  # the demo room's lens and IR LED
    lens = next(f for f in detail["document"]["optical"]["findings"] if f["kind"] == "lens")
    assert abs(lens["x"] - 0.62 * 1280) < 6 and abs(lens["y"] - 0.31 * 720) < 6
    (image_url,) = detail["images"]
    photo = client.get(image_url, headers=AUTH)
    assert photo.status_code == 200 and photo.data[:2] == b"\xff\xd8"
    assert detail["sweep"]["summary"]["counts"]["findings"] == 2


def test_a_closed_stream_gives_its_slot_back_within_seconds(live_server):
    """A phone flipping between pages must not lock itself out of the live view."""
    live_server.app.config["SSE_HEARTBEAT_S"] = 60.0  # far longer than the wait below
    s = bearer(live_server)
    for _ in range(4):
        r = s.get(f"{live_server.base_url}/api/events", stream=True, timeout=10)
        assert r.status_code == 200
        assert next(r.iter_content(5)) == b"retry"
        r.close()  # the page went away
    deadline = time.monotonic() + 5.0
    while True:
        streams = [s.get(f"{live_server.base_url}/api/events", stream=True, timeout=10) for _ in range(4)]
        codes = [r.status_code for r in streams]
        for r in streams:
            r.close()
        if codes == [200] * 4 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert codes == [200] * 4, f"slots still held by closed streams: {codes}"


def test_a_refused_login_keeps_the_page_the_user_was_going_to(client):
    page = client.get("/history", follow_redirects=True)  # -> /login?next=/history
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert 'name="next" value="/history"' in page.text
    form = {"secret": "guess", "csrf_token": token, "next": "/history"}
    refused = client.post("/login", data=form)
    assert refused.status_code == 401 and 'name="next" value="/history"' in refused.text
    form["secret"] = SECRET
    r = client.post("/login", data=form)
    assert r.status_code == 302 and r.headers["Location"] == "/history"
