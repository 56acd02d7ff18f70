/* Shared helpers for every page: the JSON API (with the CSRF header), building DOM safely
   (text only, never HTML strings), number and time formats, banners, two-tap confirmations,
   and the "page rendered" mark the browser tests and timings read. */
(function () {
  "use strict";
  const RS = (window.RS = window.RS || {});

  RS.timings = RS.timings || {};

  // ---- the API ----------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }
  RS.ApiError = ApiError;

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  /** Call the JSON API; resolves to the parsed body (null for 204), rejects with ApiError. */
  RS.api = async function api(method, path, body, options) {
    const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (options && options.signal) init.signal = options.signal;
    if (method !== "GET" && method !== "HEAD") init.headers["X-CSRF-Token"] = csrfToken();
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      if (err && err.name === "AbortError") throw err;
      throw new ApiError(0, "The device did not answer. Is the phone still on the device's Wi-Fi?");
    }
    if (response.status === 401) {
      location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
      throw new ApiError(401, "Logged out: log in again.");
    }
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch (err) {
      data = null;
    }
    if (!response.ok) {
      let message = (data && data.error) || "The device answered " + response.status + ".";
      if (response.status === 403) message = "This page is out of date (" + message + "): reload it.";
      throw new ApiError(response.status, message);
    }
    return data;
  };

  // ---- DOM ----------------------------------------------------------------------------------------

  /** el("li", {class: "x", text: "y", onclick: fn, dataset: {...}, "aria-label": "z"}, child, ...) */
  RS.el = function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (key in node && typeof value !== "string") node[key] = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    RS.append(node, children);
    return node;
  };

  RS.append = function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };

  RS.clear = function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  };

  RS.$ = (selector, root) => (root || document).querySelector(selector);

  /** Change a text only when it differs (live regions re-announce rewritten text). */
  RS.setText = function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  };

  /** Set a bar's fill (0..1) and its ARIA value; CSSOM writes are allowed by the CSP. */
  RS.setMeter = function setMeter(meter, fraction, text) {
    const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
    const fill = meter.firstElementChild;
    if (fill) fill.style.width = (f * 100).toFixed(1) + "%";
    meter.setAttribute("aria-valuenow", String(Math.round(f * 100)));
    if (text) meter.setAttribute("aria-valuetext", text);
  };

  RS.meter = function meter(fraction, label, extraClass) {
    const node = RS.el(
      "div",
      {
        class: "meter" + (extraClass ? " " + extraClass : ""),
        role: "progressbar",
        "aria-label": label,
        "aria-valuemin": "0",
        "aria-valuemax": "100",
      },
      RS.el("span"),
    );
    RS.setMeter(node, fraction);
    return node;
  };

  // ---- formats ----------------------------------------------------------------------------------

  const MINUS = "\u2212";
  const signed = (text) => text.replace(/^-/, MINUS);

  RS.fmt = {
    mhz(hz, digits) {
      if (!Number.isFinite(hz)) return "–";
      return (hz / 1e6).toFixed(digits === undefined ? 3 : digits) + " MHz";
    },
    bandwidth(hz) {
      if (!Number.isFinite(hz)) return "–";
      if (hz >= 1e6) return (hz / 1e6).toFixed(2) + " MHz";
      if (hz >= 1e3) return (hz / 1e3).toFixed(hz >= 1e5 ? 0 : 1) + " kHz";
      return hz.toFixed(0) + " Hz";
    },
    num(value, digits) {
      if (value === null || value === undefined || !Number.isFinite(value)) return "–";
      return signed(value.toFixed(digits === undefined ? 1 : digits));
    },
    db(value, unit) {
      if (value === null || value === undefined || !Number.isFinite(value)) return "–";
      return signed(value.toFixed(1)) + " " + (unit || "dB");
    },
    dbfs(value) {
      return RS.fmt.db(value, "dBFS");
    },
    percent(fraction) {
      return Number.isFinite(fraction) ? Math.round(fraction * 100) + " %" : "–";
    },
    bytes(n) {
      if (!Number.isFinite(n)) return "–";
      const units = ["B", "kB", "MB", "GB", "TB"];
      let i = 0;
      while (n >= 1000 && i < units.length - 1) {
        n /= 1000;
        i += 1;
      }
      return (i === 0 ? n.toFixed(0) : n.toFixed(n >= 100 ? 0 : 1)) + " " + units[i];
    },
    duration(seconds) {
      if (!Number.isFinite(seconds)) return "–";
      if (seconds < 60) return seconds.toFixed(seconds < 10 ? 1 : 0) + " s";
      const m = Math.floor(seconds / 60);
      if (m < 60) return m + " min " + Math.round(seconds - m * 60) + " s";
      const h = Math.floor(m / 60);
      if (h < 48) return h + " h " + (m % 60) + " min";
      return Math.floor(h / 24) + " days " + (h % 24) + " h";
    },
    when(epochSeconds) {
      if (!Number.isFinite(epochSeconds)) return "–";
      const d = new Date(epochSeconds * 1000);
      return d.toLocaleString(undefined, {
        weekday: "short",
        day: "numeric",
        month: "short",
        hour: "2-digit",
        minute: "2-digit",
      });
    },
    ago(epochSeconds) {
      if (!Number.isFinite(epochSeconds)) return "";
      const s = Date.now() / 1000 - epochSeconds;
      if (s < 45) return "just now";
      if (s < 3600) return Math.round(s / 60) + " min ago";
      if (s < 86400) return Math.round(s / 3600) + " h ago";
      return Math.round(s / 86400) + " days ago";
    },
    ranges(ranges) {
      if (!Array.isArray(ranges) || !ranges.length) return "–";
      return ranges.map((r) => (r[0] / 1e6).toFixed(0) + "–" + (r[1] / 1e6).toFixed(0) + " MHz").join(", ");
    },
  };

  RS.statusText = {
    running: "running",
    complete: "complete",
    partial: "partly measured",
    cancelled: "cancelled",
    failed: "failed",
    interrupted: "interrupted",
  };
  RS.statusClass = { complete: "ok", partial: "warn", cancelled: "warn", failed: "bad", interrupted: "warn" };

  // ---- banners ----------------------------------------------------------------------------------

  /** Show (or replace) a banner; kind: "error" | "warn" | "ok". Returns its element. */
  RS.banner = function banner(kind, title, text, id) {
    const host = document.getElementById("banners");
    if (!host) return null;
    if (id) RS.dismiss(id);
    const node = RS.el(
      "div",
      { class: "banner " + kind, role: kind === "error" ? "alert" : "status", dataset: { banner: id || "" } },
      RS.el("p", {}, title ? RS.el("strong", { text: title }) : null, text || ""),
      RS.el("button", {
        type: "button",
        "aria-label": "Dismiss",
        text: "\u2715",
        onclick: () => node.remove(),
      }),
    );
    host.append(node);
    return node;
  };

  RS.dismiss = function dismiss(id) {
    const host = document.getElementById("banners");
    if (!host) return;
    for (const node of host.querySelectorAll(".banner")) {
      if (node.dataset.banner === id) node.remove();
    }
  };

  /** The banner a stored sweep deserves (partial, cancelled, failed), or none; ``cancelledText`` says what is shown. */
  RS.sweepStatusBanner = function sweepStatusBanner(sweep, doc, cancelledText) {
    const missing = (doc && doc.missing_bands_hz) || [];
    const status = RS.statusText[sweep.status] || sweep.status;
    RS.dismiss("sweep-status");
    if (sweep.status === "partial") {
      const gaps = missing.length ? "No data for " + RS.fmt.ranges(missing) + ". " : "";
      RS.banner("warn", "Partly measured", gaps + (sweep.error || ""), "sweep-status");
    } else if (sweep.status === "cancelled") {
      RS.banner("warn", "Cancelled", cancelledText, "sweep-status");
    } else if (sweep.status === "failed" || sweep.status === "interrupted") {
      RS.banner("error", "Sweep " + status, sweep.error || "No data was measured.", "sweep-status");
    }
  };

  /** Run ``action`` with ``button`` disabled (no double taps); a failure becomes a banner titled ``failTitle``. */
  RS.whileBusy = async function whileBusy(button, failTitle, action) {
    button.disabled = true;
    try {
      await action();
    } catch (err) {
      RS.fail(err, failTitle);
    } finally {
      button.disabled = false;
    }
  };

  /** Show an API failure as a banner (aborts are silent). */
  RS.fail = function fail(err, title) {
    if (err && err.name === "AbortError") return;
    if (err && err.status === 401) return; // already on the way to the login page
    RS.banner("error", title || "That did not work", err && err.message ? err.message : String(err), "api-error");
    if (!(err instanceof ApiError)) console.warn(err); // a bug in the page, not a device answer
  };

  /** A destructive button needs a second tap within 4 s (no modal dialogs on a phone). */
  RS.twoTap = function twoTap(button, armedLabel, action) {
    const label = button.textContent;
    let timer = null;
    button.addEventListener("click", async () => {
      if (!button.classList.contains("armed")) {
        button.classList.add("armed");
        button.textContent = armedLabel;
        timer = setTimeout(() => {
          button.classList.remove("armed");
          button.textContent = label;
        }, 4000);
        return;
      }
      clearTimeout(timer);
      button.classList.remove("armed");
      button.textContent = label;
      button.disabled = true;
      try {
        await action();
      } finally {
        button.disabled = false;
      }
    });
  };

  /** Mark the page as rendered with its data (read by the browser tests). */
  RS.ready = function ready() {
    if (RS.timings.ready === undefined) RS.timings.ready = performance.now();
    document.documentElement.dataset.ready = "1";
  };

  RS.onReady = function onReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  };

  RS.main = () => document.getElementById("main");
})();
