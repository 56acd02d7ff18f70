/* The sweep document's BLE part as the results page shows it: the adapter and what it heard, each
   advertiser with its name, maker, services, RSSI, and the hints with their reasons. Hints were judged on
   the device when the sweep ran (dsp/ble.py, appliance/report.py); they are never suspects, and this file
   only shows them. */
(function () {
  "use strict";
  const RS = window.RS;
  const { el, fmt } = RS;

  const HINT_KINDS = {
    camera: "Declares a camera",
    setup: "Waiting to be set up",
    platform: "Camera platform",
    name: "Camera name",
  };

  function deviceCard(d) {
    const head = el(
      "div",
      { class: "head" },
      d.hints.length ? el("span", { class: "badge warn", text: "! " + (HINT_KINDS[d.hints[0].kind] || "Hint") }) : null,
      el("span", { class: "kind", text: d.name || "(no name)" }),
    );
    const services = (d.services || []).map((s) => s.uuid + (s.name ? " " + s.name : ""));
    const measures = [
      Number.isFinite(d.rssi_dbm) ? "RSSI " + d.rssi_dbm + " dBm" : null,
      d.adverts + (d.adverts === 1 ? " advert" : " adverts"),
      d.address_type + " address",
      services.length ? "Services " + services.join(", ") : null,
    ].filter(Boolean);
    return el(
      "li",
      { class: "emitter ble" + (d.hint ? " hinted" : ""), dataset: { address: d.address } },
      head,
      el("p", { class: "freq" }, d.address + (d.vendor ? " · " + d.vendor : "")),
      el("p", { class: "measures", text: measures.join(" · ") }),
      d.wifi_mac ? el("p", { class: "verdict", text: "Same chip as Wi-Fi device " + d.wifi_mac }) : null,
      d.reasons && d.reasons.length ? el("ul", { class: "reasons" }, d.reasons.map((r) => el("li", { text: r }))) : null,
    );
  }

  /** Fill ``host`` with the BLE part (null: the BLE scan did not run). */
  RS.renderBle = function renderBle(host, part) {
    RS.clear(host);
    if (!part) {
      host.append(el("p", { class: "muted", text: "The Bluetooth scan did not run with this sweep." }));
      return;
    }
    if (part.state === "off") {
      host.append(el("p", { class: "note", id: "ble-off", text: part.error || "The Bluetooth scan is off." }));
      return;
    }
    const hinted = part.devices.filter((d) => d.hint).length;
    const facts = [
      ["Adapter", part.adapter || "–"],
      ["Listened", fmt.duration(part.seconds) + " · " + part.adverts + " adverts from " + part.devices.length + " devices"],
      ["Hints", hinted ? hinted + (hinted === 1 ? " device" : " devices") + " worth a closer look" : "none"],
      ["Status", RS.statusText[part.status] || part.status],
    ];
    for (const p of part.problems || []) facts.push(["Problem", p]);
    const dl = el("dl", { class: "facts card", id: "ble-facts" });
    for (const [name, value] of facts) dl.append(el("dt", { text: name }), el("dd", { text: value }));
    host.append(dl);
    const list = el("ol", { class: "emitters", id: "ble-devices" });
    for (const d of part.devices) list.append(deviceCard(d));
    host.append(part.devices.length ? list : el("p", { class: "muted", text: "No Bluetooth LE advertisers heard." }));
    if (part.not_covered) {
      host.append(el("p", { class: "note", id: "ble-blind-spot" }, el("strong", { text: "What the Bluetooth scan cannot see: " }), part.not_covered + "."));
    }
  };
})();
