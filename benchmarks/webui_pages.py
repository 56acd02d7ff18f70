"""Phone web UI on loopback: headless Chromium at a phone viewport against a real waitress server
with the simulated appliance (sweeps at simulation speed).

1. Sweep page, rendered with its JavaScript-loaded data (session status, the last sweep's
   signals and its spectrum drawn): navigation start -> the page's "ready" mark. Baseline in the
   same run: the login page (HTML + CSS, no script, no data) to its load event. Fresh browser
   context each time (nothing cached), then once more warm (assets from the cache).
2. First progress event: tap on Start -> the first ``progress`` event handled by the page.
   Baseline in the same run: one plain API round trip from the same page (fetch /api/status).
3. Weight of the sweep page: HTML + CSS + JS + icon as the browser decoded them.

Bounds (issue 6): ready <= 1000 ms, first progress <= 250 ms, sweep page <= 200 KB.
Usage: python -m benchmarks.webui_pages [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
from pathlib import Path

from benchmarks._common import save
from tests.browser import PHONE, launch
from webui import serve

SECRET = "benchmark-admin-secret"


def start_server(data_dir: Path):
    """The simulated appliance behind the daemon's own bounded waitress on a free loopback port."""
    from appliance import daemon, rig
    from webui import create_app
    from webui.server import create_bounded_server

    os.environ["ROOMSWEEP_SWEEP_OPTICAL"] = "false"
    appliance = daemon.build(
        hardware=rig.Choice(simulate=True, time_scale=0.0),
        data_dir=data_dir,
        config_path=data_dir / "roomsweep.toml",
        admin_secret=SECRET,
    )
    server = create_bounded_server(create_app(appliance), host="127.0.0.1", port=0, threads=12)
    threading.Thread(target=server.run, daemon=True).start()
    return appliance, server, f"http://127.0.0.1:{server.effective_port}"


def stop_server(appliance, server) -> None:
    appliance.session.events.close_all()
    serve.stop_server(server)
    appliance.close()


def log_in(browser, base: str):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#secret", SECRET)
    page.click("button[type=submit]")
    page.wait_for_selector("html[data-ready]", state="attached")
    return context, page


def sweep_once(page) -> float:
    """Tap Start on the sweep page; the first progress event's delay after the tap (ms)."""
    page.tap("#main-action")
    page.wait_for_function("() => RS.timings.firstProgressMs !== undefined")
    page.wait_for_function("() => document.querySelector('#state-chip').textContent === 'done'", timeout=120_000)
    return page.evaluate("RS.timings.firstProgressMs")


def api_round_trip(page) -> float:
    return page.evaluate(
        """async () => { const t = performance.now(); await fetch('/api/status'); return performance.now() - t; }"""
    )


def ready_ms(context, base: str) -> tuple[float, int]:
    page = context.new_page()
    page.goto(base + "/")
    page.wait_for_selector("html[data-ready]", state="attached")
    page.wait_for_selector("#signals li.emitter")
    ready = page.evaluate("RS.timings.ready")
    weight = page.evaluate(
        """() => performance.getEntriesByType('navigation')[0].decodedBodySize +
              performance.getEntriesByType('resource').filter(e => !e.name.includes('/api/'))
                .reduce((n, e) => n + e.decodedBodySize, 0)"""
    )
    page.close()
    return ready, weight


def login_page_ms(browser, base: str) -> float:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(base + "/login", wait_until="load")
    value = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    context.close()
    return value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    import requests
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        appliance, server, base = start_server(Path(tmp))
        browser = launch(playwright)
        try:
            context, page = log_in(browser, base)
            sweep_once(page)  # warm-up: Numba cache load, first stored sweep
            progress, round_trips = [], []
            for _ in range(args.repeats):
                page.goto(base + "/")
                page.wait_for_selector("html[data-ready]", state="attached")
                round_trips.append(api_round_trip(page))
                progress.append(sweep_once(page))
            cookies = context.cookies()
            cold, logins = [], []
            for _ in range(args.repeats):
                fresh = browser.new_context(**PHONE)
                fresh.add_cookies(cookies)
                cold.append(ready_ms(fresh, base))
                fresh.close()
                logins.append(login_page_ms(browser, base))
            warm = ready_ms(context, base)
            icon = len(requests.get(base + "/static/icon.svg", timeout=5).content)
            context.close()
        finally:
            browser.close()
            stop_server(appliance, server)

    ready = [r for r, _ in cold]
    weight = cold[0][1] + icon
    result = {
        "sweep_page_ready_ms": {"median": statistics.median(ready), "max": max(ready), "warm": warm[0]},
        "login_page_load_ms": {"median": statistics.median(logins)},
        "ready_over_login_page": statistics.median(ready) / statistics.median(logins),
        "first_progress_ms": {"median": statistics.median(progress), "max": max(progress)},
        "api_round_trip_ms": {"median": statistics.median(round_trips)},
        "first_progress_over_round_trip": statistics.median(progress) / statistics.median(round_trips),
        "sweep_page_bytes": weight,
        "repeats": args.repeats,
    }
    print(f"sweep page ready, cold: median {statistics.median(ready):.0f} ms, max {max(ready):.0f} ms (bound 1000)")
    print(f"   warm (cached assets): {warm[0]:.0f} ms; login page load (baseline): {statistics.median(logins):.0f} ms")
    print(f"   ratio ready / login page: {result['ready_over_login_page']:.2f}")
    print(f"first progress after the tap: median {statistics.median(progress):.0f} ms, max {max(progress):.0f} ms")
    trip, ratio = statistics.median(round_trips), result["first_progress_over_round_trip"]
    print(f"   API round trip (baseline): {trip:.1f} ms; ratio {ratio:.1f}")
    print(f"sweep page weight: {weight} bytes (bound 200000)")
    print(f"written to {save('webui_pages', result)}")


if __name__ == "__main__":
    main()
