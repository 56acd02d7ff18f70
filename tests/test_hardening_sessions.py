"""Issue 13 rows 5 and 6: every secret check is throttled, and sessions are the device's to end.

Against a real waitress server on loopback; guessers connect from 127.0.0.2 and up.
"""

from __future__ import annotations

import re
import time

import pytest
import requests

from appliance.device import identity
from benchmarks._common import session_from
from tests.live import LiveServer
from tests.test_daemon import Daemon, free_port
from webui import auth


def _login(base: str, secret: str, s: requests.Session | None = None) -> requests.Session:
    s = s or requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', s.get(f"{base}/login").text).group(1)
    r = s.post(f"{base}/login", data={"secret": secret, "csrf_token": token}, allow_redirects=False)
    assert r.status_code == 302, r.text
    s.csrf = s.get(f"{base}/api/status").json()["csrf_token"]  # type: ignore[attr-defined]
    return s


def _bearer(s: requests.Session, base: str, secret: str) -> int:
    return s.get(f"{base}/api/status", headers={"Authorization": f"Bearer {secret}"}, timeout=5).status_code


# --- row 5: bearer guesses share the form's throttle, per address and in all -----------------------------


def test_row5_bearer_guesses_are_throttled_and_lock_the_form_too(live_server):
    base = live_server.base_url
    guesser = session_from("127.0.0.2")
    codes = [_bearer(guesser, base, f"guess-{i}") for i in range(300)]
    assert codes[: auth.FAILURES_PER_ADDRESS] == [401] * auth.FAILURES_PER_ADDRESS
    assert set(codes[auth.FAILURES_PER_ADDRESS :]) == {429}, "after 5 wrong secrets every try is refused unheard"
    assert _bearer(guesser, base, live_server.secret) == 429, "the right secret straight after is refused too"
    token = re.search(r'name="csrf_token" value="([^"]+)"', guesser.get(f"{base}/login").text).group(1)
    r = guesser.post(f"{base}/login", data={"secret": live_server.secret, "csrf_token": token})
    assert r.status_code == 429 and "Too many wrong attempts" in r.text, "one throttle for the form and bearer"
    assert int(r.headers["Retry-After"]) > 0
    assert _bearer(requests.Session(), base, live_server.secret) == 200, "the owner's phone is not locked out"


def test_row5_form_failures_lock_bearer_too(live_server):
    base = live_server.base_url
    guesser = session_from("127.0.0.3")
    token = re.search(r'name="csrf_token" value="([^"]+)"', guesser.get(f"{base}/login").text).group(1)
    for _ in range(auth.FAILURES_PER_ADDRESS):
        assert guesser.post(f"{base}/login", data={"secret": "nope", "csrf_token": token}).status_code == 401
    assert _bearer(guesser, base, live_server.secret) == 429


def test_row5_many_addresses_meet_the_global_cap(live_server):
    base = live_server.base_url
    for i in range(auth.FAILURES_IN_ALL):
        assert _bearer(session_from(f"127.0.1.{i + 1}"), base, "wrong-one") == 401
    assert _bearer(session_from("127.0.2.1"), base, "wrong-again") == 429, "a fresh address gets no fresh allowance"


def test_row5_the_throttle_is_kept_across_a_restart(tmp_path, monkeypatch):
    monkeypatch.setenv("ROOMSWEEP_SWEEP_OPTICAL", "false")
    server = LiveServer(tmp_path)
    try:
        guesser = session_from("127.0.0.4")
        for _ in range(auth.FAILURES_PER_ADDRESS):
            _bearer(guesser, server.base_url, "wrong")
    finally:
        server.close()
    again = LiveServer(tmp_path)
    try:
        assert _bearer(session_from("127.0.0.4"), again.base_url, again.secret) == 429
    finally:
        again.close()


# --- row 6: logout, a fixed lifetime, log out everywhere, a new secret -------------------------------------


def test_row6_a_cookie_copied_before_logout_is_dead_after_it(live_server):
    base = live_server.base_url
    phone = _login(base, live_server.secret)
    copy = requests.Session()
    copy.cookies.update(phone.cookies)
    assert copy.get(f"{base}/api/status").status_code == 200
    assert "Set-Cookie" not in copy.get(f"{base}/api/status").headers, "no fresh expiry on every request"
    token = re.search(r'name="csrf_token" value="([^"]+)"', phone.get(f"{base}/device").text).group(1)
    assert phone.post(f"{base}/logout", data={"csrf_token": token}, allow_redirects=False).status_code == 302
    assert copy.get(f"{base}/api/status").status_code == 401
    r = copy.put(
        f"{base}/api/settings", json={"values": {"panel.long_press_s": 2.0}}, headers={"X-CSRF-Token": phone.csrf}
    )
    assert r.status_code == 401
    assert copy.get(f"{base}/", allow_redirects=False).status_code == 302, "pages send it to the login"


def test_row6_a_session_ends_at_its_fixed_lifetime_however_busy(live_server, monkeypatch):
    monkeypatch.setattr(auth, "SESSION_LIFETIME_S", 2.0)
    base = live_server.base_url
    phone = _login(base, live_server.secret)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline - 0.3:
        assert phone.get(f"{base}/api/status").status_code == 200  # busy: no refresh for all that
        time.sleep(0.2)
    time.sleep(0.6)
    assert phone.get(f"{base}/api/status").status_code == 401


def test_row6_log_out_everywhere_ends_every_phone(live_server):
    base = live_server.base_url
    first, second = _login(base, live_server.secret), _login(base, live_server.secret)
    token = re.search(r'name="csrf_token" value="([^"]+)"', first.get(f"{base}/device").text).group(1)
    assert "Log out everywhere" in first.get(f"{base}/device").text
    r = first.post(f"{base}/logout/everywhere", data={"csrf_token": token})
    assert r.status_code == 200 and "Logged out everywhere: 2 sessions ended." in r.text
    assert first.get(f"{base}/api/status").status_code == 401
    assert second.get(f"{base}/api/status").status_code == 401
    assert _login(base, live_server.secret).get(f"{base}/api/status").status_code == 200, "logging in again works"


def test_row6_a_new_admin_secret_ends_every_session(tmp_path):
    daemon = Daemon(tmp_path / "data", tmp_path / "roomsweep.toml", free_port())
    base = f"http://127.0.0.1:{daemon.port}"
    try:
        phone = _login(base, daemon.secret)
        new = "kq8v-2mhx-7tnz-p3wc"
        identity.set_admin_secret(daemon.data_dir, new)
        assert phone.get(f"{base}/api/status").status_code == 401, "the old secret's session has ended"
        assert _bearer(requests.Session(), base, new) == 200
        assert _bearer(requests.Session(), base, daemon.secret) == 401
    finally:
        daemon.stop()


@pytest.mark.parametrize(
    "weak", ["Password123456!", "Zq3_legacy-secret", "aaaaaaaaaaaaaaaaaaaa", "roomsweep-admin-2026"]
)
def test_an_owner_set_secret_must_be_as_strong_as_a_generated_one(tmp_path, weak):
    with pytest.raises(identity.IdentityError, match="too weak"):
        identity.set_admin_secret(tmp_path, weak)
    assert not (tmp_path / identity.ADMIN_SECRET_FILE).exists()


def test_every_generated_secret_passes_the_strength_check():
    for _ in range(200):
        identity.check_strength(identity.new_passphrase())
