"""Issue 13, the HTTP rows: what a guest on the hotspot tried, against a real waitress on loopback.

Raw sockets where the attack is below HTTP (a huge upload, idle and trickling connections).
Attackers connect from other loopback addresses (127.0.0.2 and up), as a second phone on the
hotspot would; the owner's requests come from 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time

import pytest
import requests

from webui import server as bounded

SECRET_HEADER = {"Authorization": "Bearer test-admin-secret-123"}


def _connect(server, source: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.server.effective_port), timeout=10, source_address=(source, 0))
    return sock


def _read_response(sock: socket.socket, limit: int = 65536) -> bytes:
    """Status line, headers and (by Content-Length) the body of one response."""
    data = b""
    while len(data) < limit:
        head, sep, body = data.partition(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        if sep and (length is None or len(body) >= int(length.group(1))):
            break
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _login_page_answers(server) -> float:
    """Seconds /login took from the owner's address (raises if it did not answer in 5 s)."""
    t0 = time.perf_counter()
    r = requests.get(f"{server.base_url}/login", timeout=5)
    assert r.status_code == 200 and "admin secret" in r.text
    return time.perf_counter() - t0


def _from_peer(server, source: str) -> int:
    return sum(
        1 for ch in list(server.server.active_channels.values()) if isinstance(ch.addr, tuple) and ch.addr[0] == source
    )


def logged_in(server):
    s = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', s.get(f"{server.base_url}/login").text).group(1)
    r = s.post(f"{server.base_url}/login", data={"secret": server.secret, "csrf_token": token}, allow_redirects=False)
    assert r.status_code == 302
    s.csrf = s.get(f"{server.base_url}/api/status").json()["csrf_token"]  # type: ignore[attr-defined]
    return s


# --- row 1: a 200 MB body is refused from its Content-Length, before any of it is stored ------------------


def test_row1_a_huge_upload_is_refused_before_its_body_is_read(live_server):
    sock = _connect(live_server, "127.0.0.2")
    try:
        t0 = time.perf_counter()
        sock.sendall(
            b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 200000000\r\n\r\n"
        )
        head = _read_response(sock)
        assert head.startswith(b"HTTP/1.1 413"), head[:200]
        assert time.perf_counter() - t0 < 2, "answered from the header, not after reading 200 MB"
    finally:
        sock.close()


def test_row1_a_chunked_upload_is_cut_at_the_limit(live_server):
    sock = _connect(live_server, "127.0.0.2")
    try:
        sock.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(bounded.MAX_BODY_BYTES // 16384 + 1):  # just over the limit, no end chunk
            sock.sendall(b"%x\r\n%s\r\n" % (16384, b"a" * 16384))
        assert _read_response(sock).startswith(b"HTTP/1.1 413"), "refused at the limit, not at the end"
    finally:
        sock.close()


# --- row 3 and row 4: idle, trickling and half-sent connections from one guest --------------------------


def test_row3_idle_and_trickling_connections_from_one_guest_leave_login_answering(live_server):
    idle = []
    for _ in range(120):
        try:
            idle.append(_connect(live_server, "127.0.0.2"))
        except OSError:
            break
    trickling = []
    for _ in range(100):
        try:
            sock = _connect(live_server, "127.0.0.3")
            sock.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            trickling.append(sock)
        except OSError:
            break
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(1.0):
            for sock in trickling:
                with contextlib.suppress(OSError):
                    sock.send(b"X-Slow: 1\r\n")

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)
        assert _from_peer(live_server, "127.0.0.2") <= bounded.PER_SOURCE_LIMIT
        assert _from_peer(live_server, "127.0.0.3") <= bounded.PER_SOURCE_LIMIT
        assert _login_page_answers(live_server) < 5
        # a trickled request is dropped at its deadline, an idle socket at the idle timeout
        deadline = time.monotonic() + bounded.REQUEST_DEADLINE_S + 5
        while time.monotonic() < deadline and (
            _from_peer(live_server, "127.0.0.3") or _from_peer(live_server, "127.0.0.2")
        ):
            time.sleep(0.5)
        assert _from_peer(live_server, "127.0.0.3") == 0, "trickling requests outlived their deadline"
        assert _from_peer(live_server, "127.0.0.2") == 0, "idle connections outlived the idle timeout"
        assert _login_page_answers(live_server) < 5
    finally:
        stop.set()
        thread.join(timeout=5)
        for sock in idle + trickling:
            sock.close()


def test_row3_the_connection_over_the_cap_gets_a_json_refusal(live_server):
    held = [_connect(live_server, "127.0.0.4") for _ in range(bounded.PER_SOURCE_LIMIT)]
    try:
        time.sleep(0.3)
        extra = _connect(live_server, "127.0.0.4")
        reply = b""
        while chunk := extra.recv(4096):
            reply += chunk
        extra.close()
        assert reply.startswith(b"HTTP/1.1 503")
        assert json.loads(reply.split(b"\r\n\r\n", 1)[1])["error"].startswith("too many connections")
    finally:
        for sock in held:
            sock.close()


def test_row4_half_sent_requests_hold_bounded_memory(live_server):
    """90 requests with 7 KiB of headers each and no end: at most the per-address cap is kept,
    each holding at most the header limit (the unit's MemoryMax is the backstop: test_deploy)."""
    socks = []
    for _ in range(90):
        try:
            sock = _connect(live_server, "127.0.0.5")
            sock.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"p" * 7000 + b"\r\n")
            socks.append(sock)
        except OSError:
            pass
    try:
        time.sleep(0.5)
        channels = [
            ch
            for ch in list(live_server.server.active_channels.values())
            if getattr(ch, "addr", ("",))[0] == "127.0.0.5"
        ]
        assert len(channels) <= bounded.PER_SOURCE_LIMIT
        held = sum(ch.request.header_bytes_received for ch in channels if ch.request is not None)
        assert held <= bounded.PER_SOURCE_LIMIT * bounded.MAX_HEADER_BYTES
        big = _connect(live_server, "127.0.0.6")
        big.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"p" * 20000 + b"\r\n\r\n")
        assert b" 431 " in _read_response(big).split(b"\r\n")[0], "headers over the limit are refused"
        big.close()
        assert _login_page_answers(live_server) < 5
    finally:
        for sock in socks:
            sock.close()


# --- row 7: only this device's names answer ------------------------------------------------------------


@pytest.mark.parametrize("host", ["attacker.example", "", "roomsweep.home.arpa.evil.example", "localhost.evil"])
def test_row7_a_foreign_or_empty_host_is_refused(live_server, host):
    sock = _connect(live_server, "127.0.0.1")
    try:
        sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (host.encode(), _bearer_line()))
        reply = _read_response(sock)
    finally:
        sock.close()
    assert reply.startswith(b"HTTP/1.1 400"), reply[:100]
    assert b"does not answer to that name" in reply
    if host:  # the login page too (requests cannot send an empty Host)
        r = requests.get(f"{live_server.base_url}/login", headers={"Host": host}, timeout=5)
        assert r.status_code == 400 and "does not answer to that name" in r.text


def _bearer_line() -> bytes:
    return b"Authorization: Bearer test-admin-secret-123\r\n"


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "roomsweep.home.arpa", "10.42.0.1", "[::1]", "192.168.1.20"]
)
def test_row7_the_device_names_answer(live_server, host):
    port = live_server.server.effective_port
    r = requests.get(
        f"{live_server.base_url}/api/status", headers={**SECRET_HEADER, "Host": f"{host}:{port}"}, timeout=5
    )
    assert r.status_code == 200, r.text


# --- row 8: next never leaves the device ----------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["/\t/evil.example", "/\\evil.example", "//evil.example", "/\r\n/evil.example", "https://evil.example/", "/\\/x"],
)
def test_row8_next_never_leaves_the_device(live_server, target):
    s = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', s.get(f"{live_server.base_url}/login").text).group(1)
    r = s.post(
        f"{live_server.base_url}/login",
        data={"secret": live_server.secret, "csrf_token": token, "next": target},
        allow_redirects=False,
    )
    assert r.status_code == 302
    assert r.headers["Location"] == "/"


def test_row8_next_on_the_device_is_kept(live_server):
    s = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', s.get(f"{live_server.base_url}/login").text).group(1)
    r = s.post(
        f"{live_server.base_url}/login",
        data={"secret": live_server.secret, "csrf_token": token, "next": "/history?x=1"},
        allow_redirects=False,
    )
    assert r.headers["Location"] == "/history?x=1"


# --- row 9: HEAD on the event stream takes no slot --------------------------------------------------------


def test_row9_head_on_the_event_stream_takes_no_slot(live_server):
    limit = live_server.app.config["MAX_STREAMS"]
    for _ in range(limit + 2):
        r = requests.head(f"{live_server.base_url}/api/events", headers=SECRET_HEADER, timeout=5)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/event-stream")
    with requests.get(f"{live_server.base_url}/api/events", headers=SECRET_HEADER, stream=True, timeout=5) as r:
        assert r.status_code == 200, "a live stream is still available"
    assert (
        live_server.app.extensions.get("stream_slots") is None or live_server.app.extensions["stream_slots"].open <= 1
    )


# --- row 10: absurdly nested JSON is a 400 with a JSON message ---------------------------------------------


@pytest.mark.parametrize("method,path", [("PUT", "/api/settings"), ("POST", "/api/sweeps"), ("POST", "/api/baseline")])
@pytest.mark.parametrize("body", ["[" * 30000 + "]" * 30000, '{"values": ' + "[" * 30000 + "]" * 30000 + "}"])
def test_row10_deeply_nested_json_is_a_400(live_server, method, path, body):
    assert len(body) < bounded.MAX_BODY_BYTES
    r = requests.request(
        method,
        live_server.base_url + path,
        data=body,
        headers={**SECRET_HEADER, "Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 400
    assert "nested" in r.json()["error"]
    assert live_server.appliance.session.state.value == "idle", "nothing was started"


@pytest.mark.parametrize("body", [b"\xff\xfe{}", b'{"preset": "\\ud800"', b'{"preset": 1e999999}', b"{" + b"1" * 5000])
def test_row10_every_json_parse_error_is_a_400(live_server, body):
    r = requests.post(
        f"{live_server.base_url}/api/sweeps",
        data=body,
        headers={**SECRET_HEADER, "Content-Type": "application/json"},
        timeout=10,
    )
    assert 400 <= r.status_code < 500 and r.json()["error"]


# --- row 11: a JSON endpoint takes JSON, and the CSRF token from the header only ---------------------------


def test_row11_a_form_body_with_csrf_token_on_a_json_endpoint_is_refused(live_server):
    s = logged_in(live_server)
    r = s.post(f"{live_server.base_url}/api/sweeps", data={"csrf_token": s.csrf, "preset": "wifi"})
    assert r.status_code == 403 and "CSRF" in r.json()["error"], "the form field is not a CSRF token for the API"
    r = s.post(
        f"{live_server.base_url}/api/sweeps",
        data={"csrf_token": s.csrf, "preset": "wifi"},
        headers={"X-CSRF-Token": s.csrf},
    )
    assert r.status_code == 415 and "JSON" in r.json()["error"], "a form body is refused, not read as no body"
    r = s.post(
        f"{live_server.base_url}/api/sweeps",
        data="preset=wifi",
        headers={"X-CSRF-Token": s.csrf, "Content-Type": "text/plain"},
    )
    assert r.status_code == 415
    assert live_server.appliance.store.sweeps(limit=1) == [], "no sweep was started"
