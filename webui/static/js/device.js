/* Device status from GET /api/device, rendered generically: every part (radio, panel, camera,
   power, ...) is an object the appliance fills in as its hardware allows; whatever fields it has
   are shown, formatted by their names (..._bytes, ..._s, ..._c). Refreshed every 5 s. */
(function () {
  "use strict";
  const RS = window.RS;
  const { el, fmt, $ } = RS;
  const REFRESH_MS = 5000;
  const TITLES = {
    radio: "Radio",
    camera: "Camera",
    panel: "Buttons, LEDs, buzzer",
    power: "Power and temperature",
    disk: "Storage",
    hotspot: "Hotspot",
    wifi: "Wi-Fi adapter (Wi-Fi sweep)",
    ble: "Bluetooth adapter (BLE hints)",
  };
  const GOOD = new Set(["ok", "present", "ready", "gpio", "simulated", "mock pins", "running", "up"]);
  const BAD = new Set(["absent", "unavailable", "error", "failed", "lost", "warning", "no-monitor"]);
  const TOP = ["version", "simulated", "uptime_s", "ui_addresses", "config_error"];

  let timer = null;

  RS.onReady(async () => {
    await refresh();
    RS.ready();
    document.addEventListener("visibilitychange", schedule);
    schedule();
  });

  function schedule() {
    clearInterval(timer);
    if (!document.hidden) timer = setInterval(refresh, REFRESH_MS);
  }

  async function refresh() {
    try {
      const status = await RS.api("GET", "/api/device");
      render(status);
      RS.dismiss("device-down");
    } catch (err) {
      if (err.status === 401) return;
      RS.banner("error", "No answer", err.message, "device-down");
    }
  }

  const NAMES = { ui_addresses: "Web address", config_error: "Settings file", uptime_s: "Running for" };

  function human(key) {
    if (NAMES[key]) return NAMES[key];
    const text = key.replace(/_(bytes|s|c|hz|mb|pct)$/, "").replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function value(key, v) {
    if (v === null || v === undefined) {
      return el("span", { class: "muted", text: /error$/.test(key) ? "no problem" : "unknown" });
    }
    if (key === "state") {
      const cls = GOOD.has(v) ? "ok" : BAD.has(v) ? "bad" : "warn";
      return el("span", { class: "badge " + cls, text: String(v) });
    }
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (Array.isArray(v)) {
      if (!v.length) return el("span", { class: "muted", text: "none" });
      if (v.every((x) => typeof x !== "object" || x === null)) return v.join(", ");
      return el("ul", { class: "plain" }, v.map((x) => el("li", {}, value("", x))));
    }
    if (typeof v === "object") return facts(v);
    if (typeof v === "number") {
      if (key.endsWith("_bytes")) return fmt.bytes(v);
      if (key.endsWith("_s")) return fmt.duration(v);
      if (key.endsWith("_c")) return v.toFixed(1) + " °C";
      if (key.endsWith("_hz")) return fmt.mhz(v);
      if (key.endsWith("_pct")) return v.toFixed(0) + " %";
    }
    return String(v);
  }

  function facts(obj, skip) {
    const dl = el("dl", { class: "facts" });
    for (const [key, v] of Object.entries(obj)) {
      if (key === "warnings" || (skip && skip.includes(key))) continue;
      dl.append(el("dt", { text: human(key) }), el("dd", {}, value(key, v)));
    }
    return dl;
  }

  function card(title, ...children) {
    return el("section", { class: "card" }, el("h2", { text: title }), children);
  }

  function render(status) {
    (status.warnings || []).forEach((w, i) => RS.banner("warn", "Warning", w, "device-warning-" + i));
    for (let i = (status.warnings || []).length; i < 20; i++) RS.dismiss("device-warning-" + i);

    const host = RS.clear($("#device"));
    const top = {};
    for (const key of TOP) if (key in status) top[key] = status[key];
    top.simulated = status.simulated ? "yes (simulated room, mock pins)" : "no (real hardware)";
    host.append(card("roomsweep", facts(top)));

    const disk = status.disk;
    if (disk && Number.isFinite(disk.total_bytes)) {
      const used = disk.total_bytes - disk.free_bytes;
      host.append(
        card(
          TITLES.disk,
          RS.meter(used / disk.total_bytes, "SD card used", disk.free_bytes / disk.total_bytes < 0.1 ? "bad" : ""),
          facts(disk),
        ),
      );
    }
    for (const [key, v] of Object.entries(status)) {
      if (TOP.includes(key) || key === "disk" || key === "warnings") continue;
      if (v && typeof v === "object" && !Array.isArray(v)) {
        host.append(card(TITLES[key] || human(key), facts(v)));
      } else {
        host.firstChild.querySelector("dl").append(el("dt", { text: human(key) }), el("dd", {}, value(key, v)));
      }
    }
    $("#updated").textContent = "Updated " + new Date().toLocaleTimeString();
  }
})();
