/* The sweep document's network part (the opt-in scan of the room's Wi-Fi) as the results page shows it:
   each device with its IP, MAC, vendor, what it announced, its services and the verdict with reasons,
   and the Wi-Fi station it is (same MAC); and the "Scan the room's Wi-Fi" form. Every verdict and note
   (camera, isolated network) was decided on the device (appliance/report.py, dsp/lan): this file shows it. */
(function () {
  "use strict";
  const RS = window.RS;
  const { el } = RS;

  function deviceCard(d, wifiDevices) {
    const station = Number.isInteger(d.wifi_index) ? wifiDevices[d.wifi_index] : null;
    const head = el(
      "div",
      { class: "head" },
      d.suspect ? el("span", { class: "badge suspect", text: "! Camera" }) : null,
      d.gateway ? el("span", { class: "badge", text: "Gateway" }) : null,
      el("span", { class: "kind", text: d.model || (d.names && d.names[0]) || (d.suspect ? "Camera" : "Device") }),
    );
    const facts = [d.ip, d.mac, d.vendor].filter(Boolean).join(" · ");
    const services = (d.services || []).slice(0, 4).join(", ");
    const rtsp = (d.rtsp || []).map((r) => "RTSP " + r.port + " (status " + r.status + ")");
    const ports = (d.open_ports || []).length ? "Open ports " + d.open_ports.join(", ") : null;
    return el(
      "li",
      { class: "emitter lan" + (d.suspect ? " suspect" : ""), dataset: { mac: d.mac } },
      head,
      el("p", { class: "freq", text: facts }),
      services || rtsp.length || ports
        ? el("p", { class: "measures", text: [services, ...rtsp, ports].filter(Boolean).join(" · ") })
        : null,
      el(
        "div",
        { class: "score" },
        el("span", { text: "Camera score " + RS.fmt.percent(d.camera_score) }),
        RS.meter(d.camera_score || 0, "Camera score", d.suspect ? "bad" : ""),
      ),
      station
        ? el("p", { class: "verdict", text: "Heard by the Wi-Fi sweep as " + (station.vendor || station.mac) + " (" + station.kind + ")" })
        : null,
      el("ul", { class: "reasons" }, (d.reasons || []).map((r) => el("li", { text: r }))),
      d.said && d.said.length
        ? el("details", {}, el("summary", { text: "What it announced" }), el("ul", { class: "said" }, d.said.map((s) => el("li", { text: s }))))
        : null,
    );
  }

  /** Fill ``host`` with the network part (null: the room's network was not scanned for this sweep). */
  RS.renderLan = function renderLan(host, lan, wifi) {
    RS.clear(host);
    if (!lan) {
      host.append(el("p", { class: "muted", id: "lan-none", text: "The room's network was not scanned for this sweep." }));
      return;
    }
    if (lan.state === "off") {
      host.append(el("p", { class: "note", id: "lan-off", text: lan.error || "The network scan did not run." }));
      return;
    }
    const facts = [
      ["Network", lan.network ? lan.network.network + " (gateway " + (lan.network.gateway || "none") + ")" : lan.source],
      ["Scanned", RS.fmt.duration(lan.seconds)],
      ["Status", RS.statusText[lan.status] || lan.status],
    ];
    for (const p of lan.problems || []) facts.push(["Problem", p]);
    const dl = el("dl", { class: "facts card", id: "lan-facts" });
    for (const [name, value] of facts) dl.append(el("dt", { text: name }), el("dd", { text: value }));
    host.append(dl);
    for (const note of lan.notes || []) host.append(el("p", { class: "note lan-note", text: note }));
    const list = el("ol", { class: "emitters", id: "lan-devices" });
    const stations = (wifi && wifi.devices) || [];
    for (const d of lan.devices) list.append(deviceCard(d, stations));
    if (lan.devices.length) host.append(list);
    if (lan.not_covered) {
      host.append(el("p", { class: "note", id: "lan-blind-spot" }, el("strong", { text: "What the network scan cannot see: " }), lan.not_covered + "."));
    }
  };

  async function waitForScan(status) {
    for (;;) {
      const reply = await RS.api("GET", "/api/lan");
      const lan = reply.lan;
      RS.setText(status, lan.state === "running" ? "Scanning " + lan.ssid + "…" : "");
      if (lan.state === "done" || lan.state === "failed") return lan;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  /** The opt-in form: SSID and passphrase go to POST /api/lan (CSRF header as every write), then the
      page of the sweep the result was added to is shown. The passphrase field is cleared at once. */
  RS.bindLanForm = function bindLanForm(form) {
    if (!form) return;
    const status = form.querySelector(".lan-status");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      RS.whileBusy(button, "Could not scan the room's Wi-Fi", async () => {
        const ssid = form.elements.ssid.value;
        const passphrase = form.elements.passphrase.value;
        form.elements.passphrase.value = "";
        await RS.api("POST", "/api/lan", passphrase ? { ssid, passphrase } : { ssid });
        const lan = await waitForScan(status);
        if (lan.state === "failed" && lan.error) RS.banner("error", "The network scan did not run", lan.error, "lan-error");
        location.assign("/results/" + lan.sweep_id + "#lan-heading");
        if (String(lan.sweep_id) === RS.main().dataset.sweepId) location.reload();
      });
    });
  };
})();
