"""The phone pages in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) at a
390×844 phone viewport, against a real waitress server with the simulated appliance.

The flow a user follows: log in, sweep from the phone, watch progress arrive, open the suspect,
zoom the spectrum, look at the glint photo, track the suspect and stop, then history (compare,
delete), baseline (save, clear), settings (a bad value, a good one, reset) and the device page.
Every page is screenshotted into test-artifacts/webui/; any console error or Content-Security-
Policy violation fails the test that caused it.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import requests

from hw.radio import TUNER_RANGE_HZ
from tests.browser import PHONE, launch
from tests.conftest import REPO
from tests.live import LiveServer

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts" / "webui"
SWEEP_PAGE_BUDGET_BYTES = 200_000
# Collected by an init script in every page: CSP violations the browser reports.
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # a quarter of real time: a full sweep takes a few seconds, long enough to watch it fill in
    live = LiveServer(tmp_path_factory.mktemp("webui"), time_scale=0.25)
    yield live
    live.close()


@pytest.fixture(scope="module")
def api(server):
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {server.secret}"
    return s


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            chromium = launch(playwright)
        except RuntimeError as exc:
            pytest.fail(str(exc))
        yield chromium
        chromium.close()


class Phone:
    """One logged-in phone: a Playwright page plus what it logged."""

    def __init__(self, browser, server):
        self.server = server
        self.context = browser.new_context(**PHONE)
        self.context.add_init_script(WATCH_CSP)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("response", self._response)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def expect_refusal(self, status: int) -> None:
        """The browser logs every 4xx answer as a console error; drop the one the test provoked."""
        expected = f"status of {status}"
        assert any(expected in e for e in self.errors), f"no {status} answer was logged"
        self.errors[:] = [e for e in self.errors if expected not in e]

    def _response(self, response) -> None:
        if response.status >= 500:  # e.g. 503 from /api/events: the live view would be lost
            self.errors.append(f"{response.status} from {response.url}")

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def goto(self, path: str) -> None:
        self.check_csp()
        self.page.goto(self.server.base_url + path)
        self.wait_ready()

    def wait_ready(self) -> None:
        self.page.wait_for_selector("html[data-ready]", state="attached")

    def log_in(self) -> None:
        """Through the login form with the device's admin secret, as the owner does."""
        self.page.goto(self.server.base_url + "/login")
        self.page.fill("#secret", self.server.secret)
        self.page.click("button[type=submit]")
        self.wait_ready()

    def check_csp(self) -> None:
        violations = self.page.evaluate("window.__csp || []") if self.page.url.startswith("http") else []
        self.errors.extend(f"CSP violation: {v}" for v in violations)

    def shot(self, name: str, full: bool = False) -> Path:
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full)
        return path

    def no_horizontal_scroll(self) -> None:
        width = self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{self.page.url} scrolls sideways: {width[0]} px content in {width[1]} px"

    def timings(self) -> dict:
        return self.page.evaluate("JSON.parse(JSON.stringify(RS.timings))")

    def close(self) -> None:
        self.check_csp()
        self.context.close()


@pytest.fixture(scope="module")
def phone(browser, server):
    phone = Phone(browser, server)
    page = phone.page
    page.goto(server.base_url + "/")
    assert page.url.startswith(server.base_url + "/login"), "pages need a login"
    page.fill("#secret", server.secret)
    page.click("button[type=submit]")
    phone.wait_ready()
    yield phone
    phone.close()


@pytest.fixture(autouse=True)
def clean_console(request):
    """Every test starts with an empty error log and fails on anything it caused."""
    if "phone" not in request.fixturenames:
        yield
        return
    phone = request.getfixturevalue("phone")
    phone.errors.clear()
    yield
    phone.check_csp()
    page_errors, phone.errors[:] = list(phone.errors), []
    assert not page_errors, "\n".join(page_errors)


def record(name: str, value) -> None:
    """Keep measured figures beside the screenshots (test-artifacts/webui/measurements.json)."""
    path = ARTIFACTS / "measurements.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = value
    path.write_text(json.dumps(data, indent=2, sort_keys=True))


def wait_idle(api, server, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = api.get(f"{server.base_url}/api/status").json()["session"]["state"]
        if state not in ("sweeping", "tracking"):
            return state
        time.sleep(0.1)
    raise AssertionError("the device stayed busy")


def sweep_via_api(api, server, **body) -> int:
    wait_idle(api, server)
    r = api.post(f"{server.base_url}/api/sweeps", json=body)
    assert r.status_code == 202, r.text
    wait_idle(api, server)
    return api.get(f"{server.base_url}/api/sweeps?limit=1").json()["sweeps"][0]["id"]


def latest_sweep(api, server) -> int:
    sweeps = api.get(f"{server.base_url}/api/sweeps?limit=1").json()["sweeps"]
    return sweeps[0]["id"] if sweeps else sweep_via_api(api, server)


def drawn_trace_pixels(page, selector: str) -> int:
    """Pixels of the chart canvas in the trace colour (the spectrum really drew)."""
    return page.evaluate(
        """(selector) => {
        const canvas = document.querySelector(selector);
        const css = getComputedStyle(canvas).getPropertyValue('--chart-peak').trim();
        const probe = document.createElement('canvas').getContext('2d');
        probe.fillStyle = css; probe.fillRect(0, 0, 1, 1);
        const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3] > 200 && Math.abs(data[i] - r) < 40 && Math.abs(data[i + 1] - g) < 40
              && Math.abs(data[i + 2] - b) < 40) n++;
        }
        return n;
    }""",
        selector,
    )


# ---- the sweep page ---------------------------------------------------------------------------------


def test_sweep_from_the_phone_shows_progress_spectrum_signals_and_glints(phone, server):
    page = phone.page
    phone.goto("/")
    assert page.text_content("#main-action") == "Start sweep"
    phone.shot("01-sweep-ready")
    page.click("#preset label:has-text('24–1766 MHz')")
    assert page.is_checked("input[name=preset][value=full]")

    page.tap("#main-action")
    page.wait_for_function("() => RS.stats.hops > 150")  # the spectrum fills in as hops land
    assert re.fullmatch(r"\d+ %", page.text_content("#percent"))
    assert page.text_content("#main-action") == "Cancel sweep"
    assert page.text_content("#state-chip") == "sweeping"
    phone.shot("02-sweep-running")

    page.wait_for_selector("#signals [data-emitter-id]:not([data-emitter-id=''])", timeout=120_000)
    page.wait_for_function("() => document.querySelector('#state-chip').textContent === 'done'")
    stats = page.evaluate("RS.stats")
    assert stats["progress"] > 100 and stats["hops"] > 300, stats
    assert stats["findings"] == 2, "glints are shown as the optical stage finds them"

    timings = phone.timings()
    record("first_progress_ms_from_tap", round(timings["firstProgressMs"], 1))
    record("first_progress_ms_after_start_request", round(timings.get("firstProgressAfterPostMs", 0), 1))
    assert timings["firstProgressMs"] > 0, "the page timed the first progress event (benchmarks/webui_pages.py)"

    rows = page.locator("#signals li.emitter")
    freqs = [float(f) for f in rows.evaluate_all("els => els.map(e => e.dataset.freq)")]
    assert any(abs(f - 1280e6) < 1e6 for f in freqs), freqs
    assert any(abs(f - 98.1e6) < 0.2e6 for f in freqs), freqs
    camera = page.locator("#signals li.emitter", has_text="1280.00")
    assert camera.count() == 1
    assert page.locator("#findings li").count() == 2
    assert "Lens glint" in page.text_content("#findings")
    assert page.evaluate("RS.chart.drawnPoints") > 500
    assert drawn_trace_pixels(page, "#spectrum") > 2000
    assert page.text_content("#main-action") == "Sweep again"
    # the PAL camera at 1.28 GHz, the lens and the IR LED, the two Wi-Fi cameras (one sees the device)
    assert (
        page.text_content("#stage")
        == "A Wi-Fi camera sees this device · 5 suspects found (1 radio, 2 optical, 2 Wi-Fi)"
    )
    phone.no_horizontal_scroll()
    phone.shot("03-sweep-done")


def test_sweep_page_renders_with_its_data_and_weighs_under_200_kb(phone, server, api):
    latest_sweep(api, server)
    page = phone.page
    phone.goto("/")
    assert page.get_attribute("main", "data-latest-sweep") == str(latest_sweep(api, server))
    page.wait_for_selector("#signals li.emitter")
    ready_ms = phone.timings()["ready"]
    weight = page.evaluate(
        """() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const assets = performance.getEntriesByType('resource').filter(e => !e.name.includes('/api/'));
        return {html: nav.decodedBodySize,
                assets: assets.map(e => [new URL(e.name).pathname, e.decodedBodySize])};
    }"""
    )
    names = {name for name, _ in weight["assets"]}
    icon = 0 if "/static/icon.svg" in names else len(requests.get(f"{server.base_url}/static/icon.svg").content)
    total = weight["html"] + sum(size for _, size in weight["assets"]) + icon
    assert {"/static/app.css", "/static/js/core.js", "/static/js/chart.js", "/static/js/sweep.js"} <= names
    assert all(size > 0 for _, size in weight["assets"]), weight
    record("sweep_page_ready_ms", round(ready_ms, 1))
    record("sweep_page_bytes", total)
    assert total <= SWEEP_PAGE_BUDGET_BYTES, f"sweep page weighs {total} bytes: {weight}"
    assert drawn_trace_pixels(page, "#spectrum") > 2000, "the last sweep's spectrum is drawn at once"


# ---- results ------------------------------------------------------------------------------------------


def test_open_the_suspect_zoom_and_see_the_glint_photo(phone, server, api):
    latest_sweep(api, server)
    page = phone.page
    phone.goto("/")
    page.click("#signals li.emitter:has-text('1280.00') .freq a")
    page.wait_for_url(re.compile(r"/results/\d+#e\d+$"))
    phone.wait_ready()
    card = page.locator("li.emitter.highlight")
    assert "1280.00" in card.text_content()
    assert re.search(r"SNR \d+\.\d dB", card.text_content())
    assert card.locator(".reasons li").count() >= 1
    page.wait_for_selector("html[data-detail-points]")  # zoomed to the signal: finer data fetched
    view = page.evaluate("RS.chart.view")
    assert view[0] < 1280e6 < view[1] and view[1] - view[0] < 50e6
    phone.shot("04-results-suspect")

    # band buttons
    page.click("#bands button:has-text('Video 1.2 GHz')")
    page.wait_for_function("() => RS.chart.view[0] === 1080e6 && RS.chart.view[1] === 1360e6")
    page.wait_for_function("() => RS.chart.detail && RS.chart.detail.lo === 1080e6")
    assert "1080.00 MHz – 1360.00 MHz" in page.text_content("#readout")

    # drag across the chart to select a band
    page.click("#bands button:has-text('All')")
    page.wait_for_function("() => !RS.chart.zoomed")
    box = page.locator("#spectrum").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.70, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.72, y, steps=4)
    page.mouse.move(box["x"] + box["width"] * 0.76, y, steps=4)
    page.mouse.up()
    page.wait_for_function("() => RS.chart.zoomed")
    lo, hi = page.evaluate("RS.chart.view")
    assert 0.05 < (hi - lo) / (1766e6 - 24e6) < 0.08, (lo, hi)

    # pinch with two fingers (real touch events through the DevTools protocol)
    before = hi - lo
    cdp = page.context.new_cdp_session(page)
    cx, cy = box["x"] + box["width"] / 2, y

    def touch(kind, spread):
        points = (
            [] if kind == "touchEnd" else [{"x": cx - spread, "y": cy, "id": 1}, {"x": cx + spread, "y": cy, "id": 2}]
        )
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", 30)
    for spread in (45, 60, 75, 90):
        touch("touchMove", spread)
    touch("touchEnd", 0)
    page.wait_for_function(f"() => RS.chart.view[1] - RS.chart.view[0] < {before * 0.5}")
    cdp.detach()

    # the glint photo, findings pointed out
    page.locator("#optical").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('figure.glint img').naturalWidth === 1280")
    findings = page.locator("#optical ol.findings button")
    assert findings.count() == 2
    findings.first.click()
    assert findings.first.get_attribute("aria-pressed") == "true"
    assert "Lens glint" in findings.first.text_content()
    files = page.text_content("#files")
    assert "Glint photo" in files and "Spectrum" in files
    assert "2.4 GHz" in page.text_content("#blind-spot")
    phone.no_horizontal_scroll()
    phone.shot("05-results-glints")
    image_url = page.get_attribute("figure.glint img", "src")
    assert api.get(server.base_url + image_url).headers["Content-Type"] == "image/jpeg"


def test_track_the_suspect_then_stop(phone, server, api):
    sweep_id = latest_sweep(api, server)
    page = phone.page
    phone.goto(f"/results/{sweep_id}")
    page.click("li.emitter:has-text('1280.00') button:has-text('Track')")
    page.wait_for_url(re.compile(r"/#tracking$"))
    page.wait_for_selector("#tracking-view:not([hidden])")
    page.wait_for_function("() => RS.stats.tracking > 3")
    assert "1280.00" in page.text_content("#track-target")
    assert re.fullmatch(r"−?\d+\.\d", page.text_content("#track-level"))
    assert re.fullmatch(r"−?\d+\.\d", page.text_content("#track-snr"))
    assert 0 <= int(page.get_attribute("#proximity", "aria-valuenow")) <= 100
    assert page.text_content("#main-action") == "Stop tracking"
    assert api.get(f"{server.base_url}/api/status").json()["session"]["state"] == "tracking"
    phone.shot("06-tracking")

    page.tap("#main-action")
    page.wait_for_selector("#tracking-view", state="hidden")
    assert wait_idle(api, server) in ("results", "idle")
    assert page.text_content("#main-action") == "Sweep again"


# ---- history, baseline, settings, device ---------------------------------------------------------------


def test_history_lists_compares_and_deletes_sweeps(phone, server, api):
    older = latest_sweep(api, server)
    newer = sweep_via_api(api, server, preset="cameras")
    page = phone.page
    phone.goto("/history")
    items = page.locator("#sweeps li.sweep-item")
    ids = [int(i) for i in items.evaluate_all("els => els.map(e => e.dataset.sweepId)")]
    assert ids[:2] == [newer, older]
    assert "7 signals" in items.nth(1).text_content()
    page.check(f"#pick-{older}")
    page.check(f"#pick-{newer}")
    assert page.text_content("#compare-button") == f"Compare #{older} with #{newer}"
    page.click("#compare-button")
    page.wait_for_selector("#compare:not([hidden])")
    diff = page.text_content("#compare-body")
    # the camera-bands sweep does not cover the FM band: the FM stations are not "gone", just not swept
    assert f"Gone since #{older} (0)" in diff
    # the FM station, measured to a bin or two of 98.1 MHz
    assert re.search(rf"Outside sweep #{newer}'s bands \([1-9]", diff) and re.search(r"98\.(09\d|10\d) MHz", diff)
    phone.no_horizontal_scroll()
    phone.shot("07-history-compare")

    delete = page.locator(f"li[data-sweep-id='{newer}'] button:has-text('Delete')")
    delete.click()
    assert delete.text_content() == "Tap again to delete"
    delete.click()
    page.wait_for_selector(f"li[data-sweep-id='{newer}']", state="detached")
    assert api.get(f"{server.base_url}/api/sweeps/{newer}").status_code == 404


def test_baseline_save_view_and_clear(phone, server, api):
    sweep_id = latest_sweep(api, server)
    page = phone.page
    phone.goto("/baseline")
    assert page.text_content("#current-text") == "No baseline saved."
    page.select_option("#source", str(sweep_id))
    page.fill("#name", "room 214")
    page.click("#save")
    page.wait_for_function("() => document.querySelector('#current-text').textContent.startsWith('room 214')")
    assert f"from sweep #{sweep_id}" in page.text_content("#current-meta")
    assert re.search(r"1280\.00\d MHz", page.text_content("#baseline-emitters"))
    assert api.get(f"{server.base_url}/api/baseline").json()["baseline"]["name"] == "room 214"
    phone.no_horizontal_scroll()
    phone.shot("08-baseline")

    page.click("#clear")
    page.click("#clear")
    page.wait_for_function("() => document.querySelector('#current-text').textContent === 'No baseline saved.'")
    assert api.get(f"{server.base_url}/api/baseline").json()["baseline"] is None


def test_settings_show_errors_at_the_field_save_and_reset(phone, server, api):
    page = phone.page
    phone.goto("/settings")
    rate = page.locator("#set-tracking-rate_hz")
    assert rate.input_value() == "20"
    assert page.is_disabled("#set-web-port"), "file-only settings are read-only here"
    assert page.is_disabled("#save")

    rate.fill("500")
    page.click("#save")
    error = page.locator("#set-tracking-rate_hz-error")
    assert error.is_visible() and "between 10 and 50" in error.text_content()
    assert rate.get_attribute("aria-invalid") == "true"
    phone.shot("09-settings-error")

    page.fill("#set-radio-ppm", "12")
    rate.fill("25")
    page.fill("#set-radio-gain", "loud")  # only the device knows this one is wrong
    page.click("#save")
    gain_error = page.locator("#set-radio-gain-error")
    gain_error.wait_for()
    assert "radio.gain: 'loud'" in gain_error.text_content()
    phone.expect_refusal(400)
    assert not error.is_visible(), "the fixed field's error is gone"
    page.fill("#set-radio-gain", "auto")
    assert page.text_content("#save") == "Save 2 changes"
    page.click("#save")
    page.wait_for_selector("#banners .banner.ok")
    settings = {s["key"]: s for s in api.get(f"{server.base_url}/api/settings").json()["settings"]}
    assert settings["tracking.rate_hz"]["value"] == 25.0 and settings["tracking.rate_hz"]["source"] == "ui"
    assert settings["radio.ppm"]["value"] == 12
    assert "changed here" in page.locator("#set-radio-ppm").locator("xpath=..").text_content()
    phone.no_horizontal_scroll()
    phone.shot("10-settings-saved")

    page.click("#reset")
    page.click("#reset")
    page.wait_for_function("() => document.querySelector('#set-tracking-rate_hz').value === '20'")
    settings = {s["key"]: s for s in api.get(f"{server.base_url}/api/settings").json()["settings"]}
    assert settings["tracking.rate_hz"]["source"] == "default" and settings["radio.ppm"]["value"] == 0

    page.check("#night")
    assert page.evaluate("document.documentElement.classList.contains('night')")
    phone.goto("/device")  # remembered on this phone across pages
    assert page.evaluate("document.documentElement.classList.contains('night')")
    phone.shot("11-device-night")
    phone.goto("/settings")
    page.uncheck("#night")


def test_device_page_shows_radio_panel_camera_power_disk_and_version(phone, server):
    """Probes are rendered from whatever fields they report (camera and power as the Pi build has them)."""
    probes = server.appliance.probes
    probes["power"] = lambda: {
        "state": "warning",
        "temperature_c": 81.4,
        "throttled": "0x20002",
        "now": ["ARM frequency capped"],
        "since_boot": ["under-voltage"],
        "warnings": ["SoC at 81 °C: the Pi throttles from 80 °C; give it air or a heatsink"],
    }
    probes["camera"] = lambda: {"state": "present", "model": "imx219 (NoIR)", "resolution": [1280, 720]}
    try:
        page = phone.page
        phone.goto("/device")
        text = page.text_content("#device")
        assert "0.1" in text or "unknown" in text  # version
        assert "Radio" in text and "simulated" in text
        assert "Buttons, LEDs, buzzer" in text and "mock pins" in text
        assert "Power and temperature" in text and "81.4 °C" in text and "ARM frequency capped" in text
        assert "Camera" in text and "imx219 (NoIR)" in text and "1280, 720" in text
        assert re.search(r"Free\s*[\d.]+ (MB|GB|TB)", text)
        assert "throttles from 80 °C" in page.text_content("#banners")
        phone.no_horizontal_scroll()
        phone.shot("12-device")
    finally:
        del probes["power"], probes["camera"]


CLASSIFIED = {
    "freq_hz": 1280e6,
    "bandwidth_hz": 6e6,
    "power_dbfs": -31.0,
    "snr_db": 24.0,
    "kind": "analog-video",
    "camera_score": 0.97,
    "standard": "PAL",
    "line_rate_hz": 15625.3,
    "field_rate_hz": 50.0,
    "reasons": ["line-rate comb at 15625 Hz (4 harmonics)", "continuous"],
    "examined": True,
    "features": {"comb_harmonics": 4, "duty_cycle": 0.99},
    "suspect": True,
}
KNOWN = {**CLASSIFIED, "freq_hz": 98.1e6, "kind": "fm-broadcast", "camera_score": 0.0, "standard": None}
KNOWN.update(line_rate_hz=None, field_rate_hz=None, features=None, suspect=False)


def test_results_show_what_the_classifier_adds(phone, server):
    """Fields from the camera classifier and the baseline comparison, shown when present."""
    import numpy as np

    store = server.appliance.store
    sweep_id = store.begin_sweep("classifier fields")
    freqs = np.linspace(24e6, 1766e6, 4000)
    power = np.full(freqs.size, 10 ** (-5.5)) * (1 + 300 * (np.abs(freqs - 1280e6) < 3e6))
    store.save_spectrum(sweep_id, freqs, power, power)
    from appliance import baseline, report
    from dsp import plan as planmod

    reference = baseline.Reference([KNOWN], [(24e6, 1766e6)], id=3, name="clean room")
    rf = {"emitters": [dict(KNOWN), dict(CLASSIFIED)], "hops_done": 870}
    doc = report.sweep_document(
        planmod.make_plan(((24e6, 1766e6),), tuning_range=TUNER_RANGE_HZ), rf=rf, reference=reference
    )
    store.finish_sweep(sweep_id, doc)
    try:
        page = phone.page
        phone.goto(f"/results/{sweep_id}")
        first = page.locator("#signals li.emitter").first
        text = first.text_content()
        for shown in ("! Suspect", "New since baseline", "Analog video link", "PAL", "Line rate 15625.3 Hz"):
            assert shown in text, shown
        assert "Camera score 97 %" in text and "line-rate comb" in text
        first.locator("summary:has-text('More measurements')").click()
        assert "comb harmonics" in first.locator("details.more").text_content()
        second = page.locator("#signals li.emitter").nth(1).text_content()
        assert re.search(r"98\.(09\d|10\d) MHz", second) and "New since baseline" not in second
        assert page.text_content("#headline") == "1 suspect found (1 radio)"
        phone.shot("14-results-classified")
    finally:
        store.delete_sweep(sweep_id)


def test_results_page_without_sweeps_and_login_page(browser, tmp_path):
    """A fresh device: the results page says there is nothing yet; wrong secrets are refused."""
    fresh = LiveServer(tmp_path)
    try:
        phone = Phone(browser, fresh)
        page = phone.page
        page.goto(fresh.base_url + "/results")
        page.fill("#secret", "not-the-secret")
        page.click("button[type=submit]")
        assert "not this device's admin secret" in page.text_content(".error")
        phone.shot("00-login-refused")
        phone.expect_refusal(401)
        page.fill("#secret", fresh.secret)
        page.click("button[type=submit]")
        phone.wait_ready()
        assert page.url == fresh.base_url + "/results"
        assert "No sweeps yet" in page.text_content("main")
        phone.goto("/")
        assert page.text_content("#stage") == "Ready"
        phone.check_csp()
        phone.close()
        assert not phone.errors, phone.errors
    finally:
        fresh.close()


def test_a_dongle_pulled_mid_sweep_shows_which_bands_are_missing(browser, tmp_path):
    from test_session import PulledRadio

    from hw.sim.scene import load_demo

    server = LiveServer(tmp_path)
    scene = load_demo()
    server.appliance.session.rig._radio_factory = lambda: PulledRadio(scene, time_scale=0, fail_after=300)
    try:
        phone = Phone(browser, server)
        page = phone.page
        page.goto(server.base_url + "/login")
        page.fill("#secret", server.secret)
        page.click("button[type=submit]")
        phone.wait_ready()
        page.tap("#main-action")
        banner = page.locator(".banner[data-banner='sweep-status']")
        banner.wait_for()
        text = banner.text_content()
        assert "Partly measured" in text and "No data for" in text and "LIBUSB_ERROR_NO_DEVICE" in text
        assert re.search(r"No data for \d+–1766 MHz", text), text
        phone.shot("13-sweep-partial")
        page.click("#open-results a")
        phone.wait_ready()
        assert "Not measured" in page.text_content("#facts")
        assert page.evaluate("RS.chart.missing.length") >= 1
        assert "Partly measured" in page.text_content("#banners")
        phone.close()
        assert not phone.errors, phone.errors
    finally:
        server.close()


def test_a_cli_saved_baseline_and_a_daemon_sweep_show_the_same_facts(browser, tmp_path, monkeypatch, capsys):
    """Both come from the one sweep document: the results page has nothing to guess for either."""
    from appliance.cli import main

    server = LiveServer(tmp_path)
    monkeypatch.setenv("ROOMSWEEP_DATA_DIR", str(tmp_path / "data"))  # the CLI works on the device's store
    try:
        assert main(["sweep", "--simulate", "--range", "1.27G:1.29G", "--save-baseline", "desk", "--json"]) == 0
        cli_id = json.loads(capsys.readouterr().out)["baseline_saved"]
        cli_sweep = server.appliance.store.latest_baseline().sweep_id
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {server.secret}"
        body = {"ranges": [{"lo_hz": 1.27e9, "hi_hz": 1.29e9}], "optical": False}
        assert api.post(server.base_url + "/api/sweeps", json=body).status_code == 202
        deadline = time.monotonic() + 60
        while api.get(server.base_url + "/api/status").json()["session"]["state"] != "results":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        daemon_sweep = api.get(server.base_url + "/api/sweeps?limit=1").json()["sweeps"][0]["id"]
        phone = Phone(browser, server)
        phone.page.goto(server.base_url + "/login")
        phone.page.fill("#secret", server.secret)
        phone.page.click("button[type=submit]")
        phone.wait_ready()

        def facts(sweep_id):
            phone.goto(f"/results/{sweep_id}")
            names = phone.page.locator("#facts dt").all_text_contents()
            values = phone.page.locator("#facts dd").all_text_contents()
            return dict(zip(names, values, strict=True))

        cli, daemon = facts(cli_sweep), facts(daemon_sweep)
        for name in ("Bands", "Hops", "Noise floor", "Resolution", "Signals"):
            assert cli.get(name) and daemon.get(name), (name, cli, daemon)
        assert cli["Bands"] == daemon["Bands"] == "1270–1290 MHz" and cli["Hops"] == daemon["Hops"]
        assert cli["Compared with"].startswith("no baseline")
        assert daemon["Compared with"].startswith(f"baseline desk · {cli['Signals']} signals")
        assert daemon["New since baseline"] == "0"
        phone.shot("15-results-after-cli-baseline")
        phone.close()
        assert not phone.errors, phone.errors
        assert cli_id is not None
    finally:
        server.close()


def test_an_analog_cameras_picture_and_whether_it_sees_the_device(browser, tmp_path, monkeypatch):
    """Button → sweep → the camera's picture on its card (tap to enlarge) and the ring's verdict in words."""
    camera = {"kind": "analog-video", "freq_hz": 1.2e9, "power_dbfs": -40, "standard": "PAL", "deviation_hz": 3e6}
    scene = tmp_path / "room.json"
    emitters = [{**camera, "sees_device": True, "led_response": 0.05}, {**camera, "freq_hz": 1.32e9}]
    scene.write_text(json.dumps({"name": "two cameras", "noise_floor_dbfs": -60, "emitters": emitters}))
    for name, value in (("SWEEP_PRESET", "cameras"), ("SWEEP_OPTICAL", "false"), ("SWEEP_WIFI", "false")):
        monkeypatch.setenv(f"ROOMSWEEP_{name}", value)
    monkeypatch.setenv("ROOMSWEEP_SWEEP_BLE", "false")
    monkeypatch.setenv("ROOMSWEEP_PICTURE_SECONDS", "1")
    server = LiveServer(tmp_path, scene=scene)
    try:
        phone = Phone(browser, server)
        page = phone.page
        page.goto(server.base_url + "/login")
        page.fill("#secret", server.secret)
        page.click("button[type=submit]")
        phone.wait_ready()
        page.tap("#main-action")
        page.locator("#open-results a").wait_for(timeout=120_000)
        page.click("#open-results a")
        phone.wait_ready()
        assert page.text_content("#headline").startswith("An analog camera sees this device")
        sees = page.locator("#signals li.emitter:has-text('1200.00')")
        blind = page.locator("#signals li.emitter:has-text('1320.00')")
        assert "What this camera sees" in sees.text_content()
        page.wait_for_function(
            "() => [...document.querySelectorAll('figure.camera-picture img')].every((i) => i.naturalWidth === 384)"
        )
        figure = sees.locator("figure.camera-picture")
        card_width = sees.bounding_box()["width"]
        assert figure.locator("img").bounding_box()["width"] > 0.8 * card_width  # full width
        verdict = sees.locator("p.confirmation.sees").text_content()
        assert re.fullmatch(
            r"It sees this device: its picture brightened each time the LED ring was lit \(p = [0-9.e-]+\)", verdict
        )
        assert blind.locator("p.confirmation").text_content().startswith("It does not see the device from here")
        assert not blind.locator("p.confirmation.sees").count()
        assert "Camera's picture (PNG)" in page.text_content("#files")
        phone.no_horizontal_scroll()
        sees.scroll_into_view_if_needed()
        phone.shot("15-results-camera-picture")
        figure.locator("button.enlarge").tap()
        page.wait_for_function("() => document.querySelector('figure.camera-picture.enlarged')")
        big = figure.locator("img").bounding_box()
        assert big["width"] >= 385  # the phone's whole width
        phone.shot("16-camera-picture-enlarged")
        figure.locator("button.enlarge").tap()
        assert not page.locator("figure.camera-picture.enlarged").count()
        src = figure.locator("img").get_attribute("src")
        picture = requests.get(server.base_url + src, headers={"Authorization": f"Bearer {server.secret}"})
        assert picture.status_code == 200 and picture.headers["Content-Type"] == "image/png"
        phone.close()
        assert not phone.errors, phone.errors
    finally:
        server.close()
