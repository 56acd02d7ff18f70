"""The phone's Bluetooth section in headless Chromium: a sweep of the demo room lists its advertisers with the
Tuya set-up advert and the camera-named ESP32 first, their makers and reasons; a replayed advertisement log
through the running appliance shows the HomeKit camera; the device page shows the Bluetooth adapter."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from hw.ble import AdvertLogReplay
from tests.live import LiveServer
from tests.test_webui_pages import Phone, browser  # noqa: F401  (the browser fixture)

pytestmark = pytest.mark.browser
LOG = Path(__file__).parent / "data" / "ble" / "room.jsonl"
TUYA, ESP32, PHONE = "f3:41:7c:20:9b:11", "a4:cf:12:3e:51:09", "5e:91:0a:c2:44:e0"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("ROOMSWEEP_SWEEP_WIFI", "false")  # the Wi-Fi section has its own browser test
        env.setenv("ROOMSWEEP_SWEEP_OPTICAL", "false")
        env.setenv("ROOMSWEEP_BLE_SECONDS", "3")
        live = LiveServer(tmp_path_factory.mktemp("webui-ble"), time_scale=0.0)
        yield live
        live.close()


def api_call(server, method, path, **kwargs):
    headers = {"Authorization": f"Bearer {server.secret}"}
    return requests.request(method, server.base_url + path, headers=headers, timeout=10, **kwargs)


def sweep(server) -> int:
    assert api_call(server, "POST", "/api/sweeps", json={"preset": "cameras"}).status_code == 202
    deadline = time.monotonic() + 120
    while api_call(server, "GET", "/api/status").json()["session"]["state"] != "results":
        assert time.monotonic() < deadline, "the sweep never finished"
        time.sleep(0.1)
    return api_call(server, "GET", "/api/sweeps?limit=1").json()["sweeps"][0]["id"]


def test_results_show_the_bluetooth_section(browser, server):  # noqa: F811
    simulated = sweep(server)
    server.appliance.session.rig.ble_factory = lambda: AdvertLogReplay(LOG)
    replayed = sweep(server)
    phone = Phone(browser, server)
    page = phone.page
    try:
        phone.log_in()

        phone.goto(f"/results/{simulated}")
        facts = page.text_content("#ble-facts")
        assert "simulated: hotel room" in facts and "from 5 devices" in facts
        assert "2 devices worth a closer look" in facts
        cards = page.locator("#ble-devices > li")
        assert cards.count() == 5
        assert [cards.nth(i).get_attribute("data-address") for i in range(2)] == [TUYA, ESP32]
        tuya = page.locator(f"#ble-devices li[data-address='{TUYA}']")
        assert "Waiting to be set up" in tuya.locator(".head").text_content()
        assert "Hangzhou Tuya Information Technology" in tuya.text_content()
        assert "0xa201 Tuya BLE SDK" in tuya.locator(".measures").text_content()
        assert "product id k7fq2v9x" in tuya.locator(".reasons li").first.text_content()
        esp32 = page.locator(f"#ble-devices li[data-address='{ESP32}']")
        assert "IPC_3E5107" in esp32.locator(".head").text_content() and "Camera name" in esp32.text_content()
        phone_card = page.locator(f"#ble-devices li[data-address='{PHONE}']")
        assert "Apple, Inc." in phone_card.text_content() and phone_card.locator(".badge").count() == 0
        assert "never proof" in page.text_content("#ble-blind-spot")
        assert page.text_content("#headline") == "1 suspect found (1 radio)"  # the RF camera: hints are not suspects
        assert page.text_content("#summary-line").endswith(" · 2 Bluetooth hints")
        phone.no_horizontal_scroll()
        page.locator("#ble-heading").scroll_into_view_if_needed()
        phone.shot("30-ble-results")

        phone.goto(f"/results/{replayed}")
        assert "replay: room.jsonl" in page.text_content("#ble-facts")
        first = page.locator("#ble-devices > li").first
        assert first.get_attribute("data-address") == "3a:9c:54:e0:7b:12"
        assert "Declares a camera" in first.locator(".head").text_content()
        assert "HomeKit accessory of category IP camera (not paired yet)" in first.text_content()
        matter = page.locator("#ble-devices li[data-address='02:00:5e:10:20:31']")
        assert "vendor 0xFFF1, product 0x8001" in matter.text_content()
        phone.shot("31-ble-replay")

        phone.goto("/device")
        text = page.text_content("#device")
        assert "Bluetooth adapter (BLE hints)" in text and "SimBle" in text
        phone.check_csp()
        assert not phone.errors, phone.errors
    finally:
        phone.close()


def test_the_sweep_page_shows_the_bluetooth_scan_on_its_own_line(browser, server):  # noqa: F811
    from hw.sim import scene as scenemod
    from hw.sim.ble import SimBle

    block = scenemod.load_demo().ble
    server.appliance.session.rig.ble_factory = lambda: SimBle(block, time_scale=1.0)  # 3 s in real time
    phone = Phone(browser, server)
    page = phone.page
    try:
        phone.log_in()
        phone.goto("/")
        page.tap("#main-action")
        page.wait_for_selector("#ble-line:not([hidden])")
        page.wait_for_function("() => /Bluetooth scan · [1-9]/.test(document.querySelector('#ble-line').textContent)")
        assert not page.text_content("#stage").lower().startswith("ble")  # the main bar stays the sweep's
        page.wait_for_function("() => document.querySelector('#main-action').textContent === 'Sweep again'")
        assert not phone.errors, phone.errors
    finally:
        phone.close()
