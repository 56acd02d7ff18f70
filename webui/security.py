"""Who may use the device, and the browser protections for a device on a shared-key hotspot.

- A per-device admin secret (generated at first run, printed on the device label) logs a phone
  in; the session cookie is HttpOnly and SameSite=Strict. Scripts may send the same secret as
  ``Authorization: Bearer <secret>`` instead.
- Every state-changing request from a cookie session carries the session's CSRF token: the
  ``X-CSRF-Token`` header on the JSON API (a form post cannot set it), the form field
  ``csrf_token`` on the two HTML forms (login, logout); without it: 403.
- Only this device's names answer (``ALLOWED_HOSTS``, or an IP literal): a page on another site
  whose name was re-pointed at the device (DNS rebinding) gets 400, not the API.
- ``Content-Security-Policy: default-src 'self'`` and friends on every response: no inline
  script or style anywhere, no framing.
- Sessions live on the device and every secret check is throttled: :mod:`webui.auth`.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, g, jsonify, redirect, render_template, request, session, url_for

from webui import auth

bp = Blueprint("security", __name__)

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def appliance() -> Any:
    return current_app.extensions["appliance"]


def csrf_token() -> str:
    """The session's CSRF token (created on first use, also before login)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _secret_matches(given: str) -> bool:
    current = current_app.extensions["admin_secret"].current()
    return bool(given) and hmac.compare_digest(given.encode(), current.encode())


def _client() -> str:
    return request.remote_addr or "?"


def _check_bearer() -> Any:
    """``Authorization: Bearer``: through the same throttle as the login form. Sets ``g.bearer``;
    returns the refusal (401/429 JSON) for a wrong or throttled secret."""
    g.bearer = False
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    throttle: auth.SecretThrottle = current_app.extensions["secret_throttle"]
    wait = throttle.blocked_for(_client())
    if wait > 0:
        return _throttled(json_error(429, f"too many wrong secrets; try again in {int(wait) + 1} s"), wait)
    if not _secret_matches(header[7:].strip()):
        throttle.fail(_client())
        return json_error(401, "wrong admin secret")
    throttle.succeed(_client())
    g.bearer = True
    return None


def _throttled(response, wait: float):
    response.headers["Retry-After"] = str(int(wait) + 1)
    return response


def is_logged_in() -> bool:
    if getattr(g, "bearer", False):
        return True
    if "logged_in" not in g:
        g.logged_in = current_app.extensions["web_sessions"].valid(session.get("sid"))
    return g.logged_in


def json_error(status: int, message: str, **extra: Any):
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


def login_required(view):
    """Pages redirect to the login page; the API answers 401 in JSON."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not is_logged_in():
            if request.path.startswith("/api/"):
                return json_error(401, "login required")
            return redirect(url_for("security.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


def host_name(header: str) -> str:
    """The name in a Host header, without port, brackets or a trailing dot, lower case."""
    header = header.strip().lower()
    if header.startswith("["):  # [v6]:port
        return header[1 : header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0].rstrip(".") if header.count(":") <= 1 else header


def host_allowed(name: str, allowed: frozenset[str] | set[str]) -> bool:
    """A name of this device, or an IP literal (which no other site's page can be re-pointed at)."""
    if not name:
        return False
    if name in allowed or name in LOCAL_HOSTS:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def init_app(app: Flask) -> None:
    device = app.extensions["appliance"]
    secret = auth.AdminSecret(device.admin_secret, app.config.get("ADMIN_SECRET_FILE"))
    app.extensions["admin_secret"] = secret
    app.extensions["secret_throttle"] = auth.SecretThrottle(device.store)
    app.extensions["web_sessions"] = auth.WebSessions(device.store, secret)
    app.config.setdefault("ALLOWED_HOSTS", set())

    @app.before_request
    def _protect() -> Any:
        if not host_allowed(host_name(request.headers.get("Host", "")), app.config["ALLOWED_HOSTS"]):
            message = "this device does not answer to that name (Host header)"
            if request.path.startswith("/api/"):
                return json_error(400, message)
            return render_template("error.html", code=400, message=message), 400
        refusal = _check_bearer()
        if refusal is not None:
            return refusal
        if request.method in SAFE_METHODS or g.bearer:
            return None
        sent = request.headers.get("X-CSRF-Token", "")
        if not sent and not request.path.startswith("/api/"):  # the HTML forms: login, logout
            sent = request.form.get("csrf_token", "")
        expected = session.get("csrf", "")
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            if request.path.startswith("/api/"):
                if not is_logged_in():
                    return json_error(401, "login required")
                return json_error(403, "missing or wrong CSRF token")
            abort(403)
        return None

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(403)
    def _forbidden(error):
        if request.path.startswith("/api/"):
            return json_error(403, "forbidden")
        return render_template("error.html", code=403, message="This request was refused (stale page?)."), 403

    @app.errorhandler(404)
    def _not_found(error):
        if request.path.startswith("/api/"):
            return json_error(404, f"no API endpoint {request.path}")
        return render_template("error.html", code=404, message="No such page."), 404

    @app.errorhandler(405)
    def _method(error):
        allowed = ", ".join(sorted(getattr(error, "valid_methods", None) or []))
        if request.path.startswith("/api/"):
            response = json_error(405, f"{request.method} is not allowed here")
        else:
            response = app.make_response((render_template("error.html", code=405, message="Not allowed."), 405))
        if allowed:
            response.headers["Allow"] = allowed  # RFC 9110: a 405 lists what is allowed
        return response

    @app.errorhandler(413)
    def _too_large(error):
        return json_error(413, "request body too large")

    @app.errorhandler(500)
    def _internal(error):  # a bug: Flask has logged it; the phone gets a message, not a traceback
        if request.path.startswith("/api/"):
            return json_error(500, "internal error; the device log has the details")
        return render_template("error.html", code=500, message="Something went wrong on the device."), 500

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        return {"csrf_token": csrf_token, "logged_in": is_logged_in()}


def safe_next(target: str | None) -> str:
    r"""Only redirect to a path on this device.

    Browsers drop tab, CR and LF from a URL and read a backslash as a slash, so
    ``/\t/evil.example`` or ``/\evil.example`` would leave the device: anything with a control
    character or a backslash, or that parses with a scheme or a host, goes to the sweep page.
    """
    fallback = url_for("pages.sweep")
    if not target or not target.startswith("/") or "\\" in target:
        return fallback
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return fallback
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    throttle: auth.SecretThrottle = current_app.extensions["secret_throttle"]
    error = None
    status = 200
    if request.method == "POST":
        wait = throttle.blocked_for(_client())
        if wait > 0:
            error, status = f"Too many wrong attempts. Try again in {int(wait) + 1} s.", 429
        elif _secret_matches(request.form.get("secret", "").strip()):
            throttle.succeed(_client())
            session.clear()
            session["sid"] = current_app.extensions["web_sessions"].start()
            session.permanent = True
            csrf_token()
            return redirect(safe_next(request.form.get("next")))
        else:
            throttle.fail(_client())
            error, status = "That is not this device's admin secret (it is on the label).", 401
    # after a refused attempt the form keeps where the user was going (it came back in the form)
    ended = request.args.get("ended", type=int) if request.method == "GET" else None  # after "log out everywhere"
    page = render_template("login.html", error=error, next=request.values.get("next", ""), ended=ended)
    response = current_app.make_response((page, status))
    return _throttled(response, wait) if status == 429 else response


@bp.route("/logout", methods=["POST"])
def logout():
    """This phone's session ends on the device too: a copy of the cookie is worthless after."""
    current_app.extensions["web_sessions"].end(session.get("sid"))
    session.clear()
    return redirect(url_for("security.login"))


@bp.route("/logout/everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    """Every session on every phone ends (a phone lost, a guest who saw the secret)."""
    ended = current_app.extensions["web_sessions"].end_all()
    session.clear()
    return redirect(url_for("security.login", ended=ended))
