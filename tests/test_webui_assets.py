"""Static assets: every page names its scripts and styles by content digest, so phones cache
them for good and still never run an old script after an update."""

from __future__ import annotations

import re

import requests


def test_pages_link_assets_by_digest_and_those_urls_are_cached_for_good(live_server):
    login = requests.get(f"{live_server.base_url}/login")
    css = re.search(r'href="(/static/app\.css\?v=([0-9a-f]{12}))"', login.text)
    assert css, "the stylesheet is linked with its digest"
    r = requests.get(live_server.base_url + css.group(1))
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "text/css" in r.headers["Content-Type"]
    stale = requests.get(f"{live_server.base_url}/static/app.css?v=000000000000")
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache", "an old page's URL is not frozen"
    plain = requests.get(f"{live_server.base_url}/static/app.css")
    assert plain.headers["Cache-Control"] == "no-cache"


def test_a_changed_file_gets_a_new_url(live_server, tmp_path):
    from webui.assets import asset

    app = live_server.app
    (tmp_path / "x.js").write_text("one")
    app.static_folder = str(tmp_path)
    with app.test_request_context("/"):
        first = asset("x.js")
        (tmp_path / "x.js").write_text("two, longer")  # a new size and mtime
        second = asset("x.js")
        missing = asset("nope.js")
    assert first != second and first.startswith("/static/x.js?v=")
    assert missing == "/static/nope.js"
