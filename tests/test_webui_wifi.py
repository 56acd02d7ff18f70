"""The phone's Wi-Fi section in headless Chromium: a sweep of the demo room shows the camera that sees the
device at the top with its verdict and reasons, the corridor camera as a streamer only, the video call as a
call; "Find" starts the hot/cold finder on its RSSI; the device page shows the adapter."""

from __future__ import annotations

import re
import time

import pytest
import requests

from tests.live import LiveServer
from tests.test_webui_pages import ARTIFACTS, Phone, browser  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.browser
SEES, BLIND, CALL = "a4:cf:12:3e:51:07", "d8:f1:5b:20:0c:44", "3c:22:fb:8a:10:5e"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("webui-wifi"), time_scale=0.0)
    yield live
    live.close()


def api_call(server, method, path, **kwargs):
    headers = {"Authorization": f"Bearer {server.secret}"}
    return requests.request(method, server.base_url + path, headers=headers, timeout=10, **kwargs)


def wait_state(server, wanted, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = api_call(server, "GET", "/api/status").json()["session"]["state"]
        if state in wanted:
            return state
        time.sleep(0.1)
    raise AssertionError(f"never reached {wanted}")


def test_results_show_the_wifi_section_and_find_the_camera(browser, server):  # noqa: F811
    assert api_call(server, "POST", "/api/sweeps", json={"preset": "cameras"}).status_code == 202
    wait_state(server, {"results"})
    sweep_id = api_call(server, "GET", "/api/sweeps?limit=1").json()["sweeps"][0]["id"]
    phone = Phone(browser, server)
    page = phone.page
    try:
        phone.log_in()
        phone.goto(f"/results/{sweep_id}")
        assert page.text_content("#headline").startswith("A Wi-Fi camera sees this device")
        sees = page.locator(f"#wifi-devices li[data-mac='{SEES}']")
        assert "Sees this device" in sees.locator(".head").text_content()
        assert "Espressif Inc." in sees.text_content() and "2437 MHz" in sees.text_content()
        assert "Follows the LED pattern" in sees.locator(".verdict").text_content()
        assert sees.locator(".reasons li").first.text_content().startswith("this camera sees the device")
        blind = page.locator(f"#wifi-devices li[data-mac='{BLIND}']")
        assert "Suspect" in blind.locator(".head").text_content()
        assert "Sees this device" not in blind.text_content()
        assert "does not see the device from here" in blind.text_content()
        call = page.locator(f"#wifi-devices li[data-mac='{CALL}']")
        assert "Video call" in call.text_content() and "Suspect" not in call.locator(".head").text_content()
        first = page.locator("#wifi-devices li").first
        assert first.get_attribute("data-mac") == SEES
        assert "cameras on Ethernet" in page.text_content("#wifi-blind-spot")
        phone.no_horizontal_scroll()
        sees.scroll_into_view_if_needed()
        phone.shot("20-wifi-results")

        sees.locator("button:has-text('Find')").click()
        page.wait_for_url(re.compile(r"/#tracking$"))
        page.wait_for_selector("#tracking-view:not([hidden])")
        page.wait_for_function("() => RS.stats.tracking > 3")
        assert SEES in page.text_content("#track-target")
        level = float(page.text_content("#track-level").replace("−", "-"))
        assert -70 < level < -35  # the camera's RSSI, in dBm
        assert 0 < int(page.get_attribute("#proximity", "aria-valuenow")) <= 100
        phone.shot("21-wifi-finder")
        page.tap("#main-action")
        page.wait_for_selector("#tracking-view", state="hidden")
        wait_state(server, {"results", "idle"})

        phone.goto("/device")
        text = page.text_content("#device")
        assert "Wi-Fi adapter (Wi-Fi sweep)" in text and "SimWifi" in text
        phone.shot("22-wifi-device")
        phone.check_csp()
        assert not phone.errors, phone.errors
    finally:
        phone.close()


def test_tracking_request_for_wifi_is_validated(server):
    r = api_call(server, "POST", "/api/tracking", json={"wifi_mac": "A4-CF", "channel_mhz": 2437})
    assert r.status_code == 400 and "wifi_mac must look like" in r.json()["error"]
    r = api_call(server, "POST", "/api/tracking", json={"wifi_mac": SEES})
    assert r.status_code == 400 and "together" in r.json()["error"]
    r = api_call(server, "POST", "/api/tracking", json={"wifi_mac": SEES, "channel_mhz": 99})
    assert r.status_code == 400
