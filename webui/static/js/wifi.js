/* The sweep document's Wi-Fi part as the results page shows it: the adapter and what it heard, each
   device with its vendor, kind, rates, channel, RSSI, the LED-ring verdict and the reasons, and a
   "Find" button for the hot/cold finder (RSSI). Every verdict (suspect, sees the device, new since the
   baseline) was judged on the device when the sweep ran (appliance/report.py): this file only shows it. */
(function () {
  "use strict";
  const RS = window.RS;
  const { el, fmt } = RS;

  const KINDS = {
    camera: "Wi-Fi camera stream",
    "video-call": "Video call (two-way video)",
    "streaming-client": "Streaming client (TV, video on demand)",
    uploader: "Bulk upload",
    idle: "Idle device",
    "access-point": "Access point",
    unknown: "Unknown Wi-Fi device",
  };

  function kbit(bps) {
    return Number.isFinite(bps) ? (bps / 1e3).toFixed(bps >= 1e5 ? 0 : 1) + " kbit/s" : "–";
  }

  function verdictText(d) {
    const s = d.stimulus;
    if (!s) return null;
    const p = " (p = " + s.p_value + (Number.isFinite(s.lag_s) ? ", lag " + s.lag_s.toFixed(2) + " s" : "") + ")";
    return (s.responds ? "Follows the LED pattern" : "Does not follow the LED pattern") + p;
  }

  function deviceCard(d) {
    const head = el(
      "div",
      { class: "head" },
      d.sees_device ? el("span", { class: "badge suspect", text: "! Sees this device" }) : null,
      d.suspect && !d.sees_device ? el("span", { class: "badge suspect", text: "! Suspect" }) : null,
      d.new_since_baseline === true ? el("span", { class: "badge new", text: "New since baseline" }) : null,
      el("span", { class: "kind", text: KINDS[d.kind] || d.kind }),
    );
    const measures = [
      "Up " + kbit(d.uplink_bps),
      "Down " + kbit(d.downlink_bps),
      Number.isFinite(d.frame_rate_hz) ? d.frame_rate_hz.toFixed(1) + " frames/s" : null,
      Number.isFinite(d.rssi_dbm) ? "RSSI " + d.rssi_dbm + " dBm" : null,
      Number.isFinite(d.channel_mhz) ? d.channel_mhz + " MHz" : null,
    ].filter(Boolean);
    const verdict = verdictText(d);
    const item = el(
      "li",
      { class: "emitter wifi" + (d.suspect ? " suspect" : ""), dataset: { mac: d.mac } },
      head,
      el("p", { class: "freq" }, d.mac + (d.vendor ? " · " + d.vendor : "")),
      el("p", { class: "measures", text: measures.join(" · ") }),
      el(
        "div",
        { class: "score" },
        el("span", { text: "Camera score " + fmt.percent(d.camera_score) }),
        RS.meter(d.camera_score || 0, "Camera score", d.suspect ? "bad" : ""),
      ),
      verdict ? el("p", { class: "verdict", text: verdict }) : null,
      d.reasons && d.reasons.length ? el("ul", { class: "reasons" }, d.reasons.map((r) => el("li", { text: r }))) : null,
    );
    if (Number.isFinite(d.channel_mhz) && d.kind !== "access-point") {
      const find = el("button", {
        type: "button",
        class: "small" + (d.suspect ? " primary" : ""),
        text: "Find (hot/cold)",
        "aria-label": "Find " + d.mac + " by its signal strength",
      });
      find.addEventListener("click", () => track(d, find));
      item.append(el("div", { class: "row-buttons" }, find));
    }
    return item;
  }

  async function track(d, button) {
    button.disabled = true;
    try {
      await RS.api("POST", "/api/tracking", { wifi_mac: d.mac, channel_mhz: d.channel_mhz });
      location.assign("/#tracking");
    } catch (err) {
      RS.fail(err, "Could not start the finder");
      button.disabled = false;
    }
  }

  /** Fill ``host`` with the Wi-Fi part (null: the Wi-Fi sweep did not run). */
  RS.renderWifi = function renderWifi(host, wifi) {
    RS.clear(host);
    if (!wifi) {
      host.append(el("p", { class: "muted", text: "The Wi-Fi sweep did not run with this sweep." }));
      return;
    }
    if (wifi.state === "off") {
      host.append(el("p", { class: "note", id: "wifi-off", text: wifi.error || "The Wi-Fi sweep is off." }));
      return;
    }
    const channels = wifi.channels_mhz || [];
    const facts = [
      ["Adapter", wifi.adapter ? wifi.adapter.name : "–"],
      ["Listened", fmt.duration(wifi.seconds) + " on " + channels.length + " channels"],
      ["Status", RS.statusText[wifi.status] || wifi.status],
    ];
    if (wifi.stimulus) {
      const s = wifi.stimulus;
      const on = (s.channels_mhz || []).join(", ");
      facts.push(["LED-ring test", s.pattern.length + " slots of " + s.slot_s + " s" + (on ? " on " + on + " MHz" : "")]);
    }
    for (const p of wifi.problems || []) facts.push(["Problem", p]);
    const dl = el("dl", { class: "facts card", id: "wifi-facts" });
    for (const [name, value] of facts) dl.append(el("dt", { text: name }), el("dd", { text: value }));
    host.append(dl);
    const list = el("ol", { class: "emitters", id: "wifi-devices" });
    for (const d of wifi.devices) list.append(deviceCard(d));
    host.append(wifi.devices.length ? list : el("p", { class: "muted", text: "No Wi-Fi transmitters heard." }));
    if (wifi.not_covered) {
      host.append(el("p", { class: "note", id: "wifi-blind-spot" }, el("strong", { text: "What the Wi-Fi sweep cannot see: " }), wifi.not_covered + "."));
    }
  };
})();
