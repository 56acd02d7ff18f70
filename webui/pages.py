"""The phone pages. Each is a small HTML shell; its script loads data from /api/ and follows
/api/events, so a page is usable the moment it arrives and never shows stale numbers."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for

from webui.security import appliance, login_required

bp = Blueprint("pages", __name__)

NAV = (
    ("pages.sweep", "Sweep"),
    ("pages.results", "Results"),
    ("pages.history", "History"),
    ("pages.baseline", "Baseline"),
    ("pages.settings", "Settings"),
    ("pages.device", "Device"),
)


def _page(template: str, active: str, **context):
    return render_template(template, nav=NAV, active=active, simulated=appliance().simulated, **context)


@bp.get("/")
@login_required
def sweep():
    # the newest sweep's id lets the page fetch it at once, alongside the session status
    latest = appliance().store.sweeps(limit=1)
    finished = latest[0].id if latest and latest[0].status != "running" else None
    return _page("sweep.html", "pages.sweep", latest_sweep_id=finished)


@bp.get("/results")
@login_required
def results():
    latest = appliance().store.sweeps(limit=1)
    if not latest:
        return _page("results.html", "pages.results", sweep_id=None)
    return redirect(url_for("pages.result", sweep_id=latest[0].id))


@bp.get("/results/<int:sweep_id>")
@login_required
def result(sweep_id: int):
    if appliance().store.sweep(sweep_id) is None:
        return render_template("error.html", code=404, message=f"No sweep {sweep_id}."), 404
    return _page("results.html", "pages.results", sweep_id=sweep_id)


@bp.get("/history")
@login_required
def history():
    return _page("history.html", "pages.history")


@bp.get("/baseline")
@login_required
def baseline():
    return _page("baseline.html", "pages.baseline")


@bp.get("/settings")
@login_required
def settings():
    return _page("settings.html", "pages.settings")


@bp.get("/device")
@login_required
def device():
    return _page("device.html", "pages.device")
