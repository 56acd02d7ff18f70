"""Static asset URLs that name the file's content, so a phone may cache them for good.

``asset("js/sweep.js")`` in a template gives ``/static/js/sweep.js?v=<digest>``. A response to a
URL whose ``v`` matches the file's current digest is cacheable forever (``immutable``); anything
else is revalidated. After a software update the pages ask for new URLs, so a phone never runs
old scripts against a new API — and on a slow hotspot the pages load without revalidating
every asset.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def digest(filename: str) -> str | None:
    """Short content digest of a static file (cached per modification time and size); None if absent."""
    folder = current_app.static_folder
    path = safe_join(folder, filename) if folder else None
    if path is None:
        return None
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    cache: dict[str, tuple[tuple[int, int], str]] = current_app.extensions.setdefault("asset_digests", {})
    stamp = (stat.st_mtime_ns, stat.st_size)
    known = cache.get(filename)
    if known is not None and known[0] == stamp:
        return known[1]
    value = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    cache[filename] = (stamp, value)
    return value


def asset(filename: str) -> str:
    version = digest(filename)
    if version is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=version)


def init_app(app: Flask) -> None:
    app.add_template_global(asset, "asset")

    @app.after_request
    def _cache_static(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        wanted = request.args.get("v")
        current = digest(request.view_args.get("filename", "")) if request.view_args else None
        response.headers["Cache-Control"] = IMMUTABLE if wanted and wanted == current else REVALIDATE
        return response
