"""The phone web UI: a Flask application factory, served by waitress in ``roomsweep serve``.

``create_app(appliance)`` takes the running :class:`appliance.daemon.Appliance`; pages are
plain HTML that load their data from the JSON API (``/api/``) and follow live progress over
Server-Sent Events (``/api/events``). Every asset is served from the package (no internet on
the hotspot).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from appliance.daemon import Appliance
from hw.files import atomic_write_bytes
from webui.auth import SESSION_LIFETIME_S
from webui.server import MAX_BODY_BYTES

log = logging.getLogger(__name__)


def _signing_key(data_dir: Path) -> bytes:
    """Per-device key for session cookies; kept so a restart does not log everyone out (a card
    that cannot be written gets a key for this run only: phones log in again after a restart)."""
    path = data_dir / "webui-session.key"
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        atomic_write_bytes(path, key)
        path.chmod(0o600)
    except OSError as exc:
        log.warning("cookie key not saved (%s): phones log in again after a restart", exc)
    return key


def device_names(appliance: Appliance) -> set[str]:
    """The names the UI answers to besides localhost and IP literals (``webui.security``): the
    hotspot's UI name and address and the configured listen host."""
    from appliance.device import hotspot, identity

    names = {identity.DEFAULT_UI_HOSTNAME, hotspot.HOTSPOT_ADDRESS, appliance.settings["web.host"].lower()}
    with contextlib.suppress(identity.IdentityError, OSError):  # no identity yet: the default name
        names.add(identity.load(appliance.data_dir).ui_hostname.lower())
    return names


def create_app(appliance: Appliance, test_config: dict[str, Any] | None = None) -> Flask:
    """The web UI around ``appliance``; ``ALLOWED_HOSTS`` may be extended (``serve --host H``)."""
    from webui import api, assets, pages, security, stream

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_signing_key(appliance.data_dir),
        SESSION_COOKIE_NAME="roomsweep_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=SESSION_LIFETIME_S),
        SESSION_REFRESH_EACH_REQUEST=False,  # a session ends 12 h after login (webui/auth.py)
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        JSON_SORT_KEYS=False,
        MAX_STREAMS=appliance.settings["web.max_streams"],
        SSE_HEARTBEAT_S=15.0,
        ALLOWED_HOSTS=device_names(appliance),
    )
    if test_config:
        app.config.update(test_config)
    app.extensions["appliance"] = appliance
    security.init_app(app)
    assets.init_app(app)
    app.register_blueprint(security.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(stream.bp)
    app.register_blueprint(pages.bp)
    return app
