"""The phone's Network section and its opt-in "Scan the room's Wi-Fi" form, in headless Chromium.

The demo room with its hidden camera given the D-Link DCS-935L's MAC; the rig's network scan replays the
real capture of that camera joining a network (../shared/data/wifi/lan/). The form (SSID, passphrase,
CSRF as every write) starts the scan, the result is added to the sweep, merged by MAC with the Wi-Fi
device, and shown; the passphrase is nowhere in the database or in any answer.
"""

from __future__ import annotations

import json
import time

import pytest
import requests

from appliance import lan_scan
from hw.lan.replay import LanReplay
from tests.conftest import REPO, SHARED_DATA
from tests.live import LiveServer
from tests.test_webui_pages import Phone, browser  # noqa: F401  (the browser fixture)

LAN = SHARED_DATA / "wifi" / "lan"
DLINK = "b0:c5:54:25:5b:0e"
HIDDEN = "a4:cf:12:3e:51:07"  # the demo room's hidden camera, renamed to the D-Link's MAC here
PASSPHRASE = "correct horse battery"
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not LAN.is_dir(), reason="../shared/data/wifi/lan is not there")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("webui-lan")
    scene = tmp / "room.json"
    demo = (REPO / "hw" / "sim" / "scenes" / "hotel-room.json").read_text()
    scene.write_text(demo.replace(HIDDEN, DLINK))
    live = LiveServer(tmp, time_scale=0.0, scene=scene)
    asked = []

    def replay(**kwargs):
        asked.append(kwargs)
        outcome = lan_scan.assess(LanReplay(LAN / "D-LinkCam_Setup-A-1-STA.pcap").observations(), source="replay")
        return outcome

    live.appliance.session.rig.lan_factory = replay
    live.asked = asked
    yield live
    live.close()


def api_call(server, method, path, **kwargs):
    headers = {"Authorization": f"Bearer {server.secret}"}
    return requests.request(method, server.base_url + path, headers=headers, timeout=10, **kwargs)


def wait(server, path, key, wanted, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = api_call(server, "GET", path).json()
        value = reply[key]["state"]
        if value in wanted:
            return reply[key]
        time.sleep(0.1)
    raise AssertionError(f"{path} never reached {wanted}")


def test_a_scan_needs_a_finished_sweep_and_a_valid_request(server):
    assert api_call(server, "POST", "/api/lan", json={"ssid": "Hotel"}).status_code == 409  # no sweep yet
    assert api_call(server, "POST", "/api/lan", json={"ssid": "Hotel", "passphrase": "short"}).status_code == 400
    assert api_call(server, "POST", "/api/lan", json={"ssid": "x" * 33}).status_code == 400
    assert api_call(server, "POST", "/api/lan", json={"ssid": "Hotel", "psk": "x"}).status_code == 400
    assert requests.post(server.base_url + "/api/lan", json={"ssid": "Hotel"}, timeout=5).status_code == 401


def test_the_form_scans_merges_by_mac_and_shows_the_network(browser, server):  # noqa: F811
    assert api_call(server, "POST", "/api/sweeps", json={"preset": "cameras"}).status_code == 202
    wait(server, "/api/status", "session", {"results"})
    sweep_id = api_call(server, "GET", "/api/sweeps?limit=1").json()["sweeps"][0]["id"]
    phone = Phone(browser, server)
    page = phone.page
    try:
        phone.log_in()
        phone.goto(f"/results/{sweep_id}")
        assert "not scanned" in page.text_content("#lan")
        page.fill("#lan-ssid", "Hotel Guest")
        page.fill("#lan-passphrase", PASSPHRASE)
        page.click("#lan-form button[type=submit]")
        page.wait_for_selector(f"#lan-devices li[data-mac='{DLINK}']")
        card = page.locator(f"#lan-devices li[data-mac='{DLINK}']")
        assert "! Camera" in card.locator(".head").text_content() and "DCS-935L" in card.text_content()
        assert "10.10.10.37" in card.text_content() and "D-Link International" in card.text_content()
        assert "Heard by the Wi-Fi sweep" in card.locator(".verdict").text_content()
        wifi_card = page.locator(f"#wifi-devices li[data-mac='{DLINK}']")
        assert "on the room's network it is a camera: DCS-935L" in wifi_card.locator(".reasons").text_content()
        assert page.input_value("#lan-passphrase") == ""
        phone.shot("results-lan", full=True)
        assert not phone.errors, phone.errors
    finally:
        phone.close()

    assert server.asked == [{"ssid": "Hotel Guest", "budget_s": 45.0}]  # the passphrase goes to the join only
    doc = api_call(server, "GET", f"/api/sweeps/{sweep_id}").json()["document"]
    lan = doc["lan"]
    dlink = next(d for d in lan["devices"] if d["mac"] == DLINK)
    assert dlink["suspect"] and doc["wifi"]["devices"][dlink["wifi_index"]]["mac"] == DLINK
    assert doc["wifi"]["devices"][dlink["wifi_index"]]["lan_index"] == lan["devices"].index(dlink)
    assert doc["counts"]["lan_cameras"] == 1 and doc["counts"]["lan_devices"] == len(lan["devices"])
    state = api_call(server, "GET", "/api/lan").json()["lan"]
    assert state["state"] == "done" and PASSPHRASE not in json.dumps(state)
    for path in (server.appliance.data_dir).rglob("*"):
        if path.is_file():
            assert PASSPHRASE.encode() not in path.read_bytes(), path


def test_no_sweep_starts_while_the_scan_holds_the_adapter(server):
    """The scan and the Wi-Fi sweep share the USB adapter: a sweep (or tracking) asked for meanwhile is a 409."""
    import threading

    release = threading.Event()
    rig = server.appliance.session.rig
    before = rig.lan_factory

    def slow(**kwargs):
        release.wait(30)
        return lan_scan.LanOutcome(source="replay")

    rig.lan_factory = slow
    try:
        wait(server, "/api/status", "session", {"results", "idle"})
        if not api_call(server, "GET", "/api/sweeps?limit=1").json()["sweeps"]:
            assert api_call(server, "POST", "/api/sweeps", json={"preset": "cameras"}).status_code == 202
            wait(server, "/api/status", "session", {"results"})
        assert api_call(server, "POST", "/api/lan", json={"ssid": "Hotel"}).status_code == 202
        refused = api_call(server, "POST", "/api/sweeps", json={"preset": "cameras"})
        assert refused.status_code == 409 and "network scan" in refused.json()["error"]
        assert api_call(server, "POST", "/api/lan", json={"ssid": "Hotel"}).status_code == 409  # one at a time
    finally:
        release.set()
        wait(server, "/api/lan", "lan", {"done", "failed"})
        rig.lan_factory = before
    assert api_call(server, "POST", "/api/sweeps", json={"preset": "cameras"}).status_code == 202
    wait(server, "/api/status", "session", {"results"})
