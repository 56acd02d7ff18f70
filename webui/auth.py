"""Who is logged in, and how fast anyone may guess the admin secret.

- A login makes a session on the device (``web_sessions`` in the store); the cookie carries only
  its random id. Logout revokes that id for good (a copied cookie dies with it), a session ends
  12 h after login however busy it was (no refresh), "log out everywhere" revokes them all, and a
  new admin secret ends every session made under the old one (each records its fingerprint).
- Every secret check, the login form's and ``Authorization: Bearer``'s alike, goes through one
  throttle: 5 failures per address and 30 in all per 5 minutes, then 429 until the window moves on.
  Failures are kept in the store, so a restart does not hand out a fresh allowance.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from appliance.store import Store

log = logging.getLogger(__name__)

SESSION_LIFETIME_S = 12 * 3600
FAILURES_PER_ADDRESS = 5
FAILURES_IN_ALL = 30
WINDOW_S = 300.0


def fingerprint(secret: str) -> str:
    """What a session remembers of the secret it was made under (never the secret itself)."""
    return hashlib.sha256(b"roomsweep-session:" + secret.encode()).hexdigest()[:32]


class AdminSecret:
    """The admin secret in force: the daemon's, re-read when its file changes (a new secret
    written by the owner takes effect, and ends every session, without a restart)."""

    def __init__(self, initial: str, path: Path | None = None) -> None:
        self._secret, self._path = initial, path
        self._mtime = self._stat()

    def _stat(self) -> float | None:
        try:
            return self._path.stat().st_mtime_ns if self._path else None
        except OSError:
            return None

    def current(self) -> str:
        mtime = self._stat()
        if mtime is not None and mtime != self._mtime:
            from appliance.device import identity

            try:
                self._secret = identity.load_admin_secret(self._path.parent)
                self._mtime = mtime
                log.warning("admin secret changed: every session made under the old one has ended")
            except (identity.IdentityError, OSError) as exc:  # half-written or weak: keep the old one
                log.error("new admin secret not taken: %s", exc)
        return self._secret


class SecretThrottle:
    """Failed secret checks per client address and in all, over the last ``WINDOW_S``."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self._store, self._clock = store, clock
        self._lock = threading.Lock()
        since = clock() - WINDOW_S
        try:
            self._failures = deque(store.auth_failures(since))
            store.forget_auth_failures(before=since)
        except sqlite3.Error as exc:  # a card that cannot be read: start counting afresh
            log.error("failed logins not read back: %s", exc)
            self._failures = deque()

    def blocked_for(self, client: str) -> float:
        """Seconds until ``client`` may try again (0: now)."""
        now = self._clock()
        with self._lock:
            while self._failures and now - self._failures[0][1] > WINDOW_S:
                self._failures.popleft()
            mine = [at for who, at in self._failures if who == client]
            waits = [0.0]
            if len(mine) >= FAILURES_PER_ADDRESS:
                waits.append(WINDOW_S - (now - mine[-FAILURES_PER_ADDRESS]))
            if len(self._failures) >= FAILURES_IN_ALL:
                waits.append(WINDOW_S - (now - self._failures[-FAILURES_IN_ALL][1]))
            return max(waits)

    def fail(self, client: str) -> None:
        at = self._clock()
        with self._lock:
            self._failures.append((client, at))
        self._keep(lambda: self._store.add_auth_failure(client, at))

    def succeed(self, client: str) -> None:
        with self._lock:
            if not any(who == client for who, _ in self._failures):
                return  # the usual case (a script's bearer on every request): no write
            self._failures = deque((who, at) for who, at in self._failures if who != client)
        self._keep(lambda: self._store.forget_auth_failures(client=client))

    @staticmethod
    def _keep(write: Callable[[], None]) -> None:
        try:
            write()
        except sqlite3.Error as exc:  # the count in memory still holds until the next restart
            log.error("failed-login record not kept: %s", exc)


class WebSessions:
    """Login sessions kept by the device, so the device can end them."""

    def __init__(self, store: Store, secret: AdminSecret, clock: Callable[[], float] = time.time) -> None:
        self._store, self._secret, self._clock = store, secret, clock
        self._unsaved: dict[str, tuple[float, str]] = {}  # a full card: valid until restart

    def start(self) -> str:
        session_id = secrets.token_urlsafe(32)
        expires, fp = self._clock() + SESSION_LIFETIME_S, fingerprint(self._secret.current())
        try:
            self._store.add_web_session(session_id, expires_at=expires, secret_fp=fp)
        except sqlite3.Error as exc:
            log.error("session not saved (%s): it ends at restart", exc)
            self._unsaved[session_id] = (expires, fp)
        return session_id

    def valid(self, session_id: str | None) -> bool:
        if not session_id:
            return False
        now, fp = self._clock(), fingerprint(self._secret.current())
        if session_id in self._unsaved:
            expires, made_under = self._unsaved[session_id]
            return now < expires and made_under == fp
        try:
            return self._store.web_session_valid(session_id, secret_fp=fp, now=now)
        except sqlite3.Error as exc:
            log.error("session check failed: %s", exc)
            return False

    def end(self, session_id: str | None) -> None:
        if session_id:
            self._unsaved.pop(session_id, None)
            self._store.revoke_web_sessions(session_id)

    def end_all(self) -> int:
        self._unsaved.clear()
        return self._store.revoke_web_sessions()
