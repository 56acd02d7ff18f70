/* Emitters (RF signals) and optical findings as the pages show them: ranked cards with kind,
   frequency, level, SNR, camera score, reasons and "new since baseline". Every verdict here
   (suspect, new, stronger) was judged on the device when the sweep ran (appliance/report.py):
   this file only shows it. */
(function () {
  "use strict";
  const RS = window.RS;
  const { el, fmt } = RS;

  const KINDS = {
    "analog-video": "Analog video link",
    "fm-broadcast": "FM broadcast",
    tdma: "TDMA (phone, DECT)",
    lte: "LTE (mobile phone network)",
    ofdm: "OFDM (TV, DAB)",
    burst: "Bursts (remote, sensor)",
    carrier: "Steady carrier",
    unknown: "Unknown signal",
  };
  const FINDINGS = { lens: "Lens glint", "ir-led": "Infrared LED" };
  // Fields the card shows in its own places; any others go under "More measurements".
  const SHOWN = new Set([
    "id", "sweep_id", "freq_hz", "bandwidth_hz", "power_dbfs", "snr_db", "kind", "line_rate_hz", "standard",
    "camera_score", "suspect", "reasons", "bursty", "field_rate_hz", "examined", "new_since_baseline",
    "baseline_change", "baseline_power_dbfs", "baseline_rise_db", "evidence",
    "picture", "stimulus", "sees_device", "confirmation",
  ]);
  const CHANGES = { new: "New since baseline", stronger: "Stronger than baseline" };

  RS.kindLabel = (kind) => KINDS[kind] || kind || "Unknown signal";
  RS.findingLabel = (kind) => FINDINGS[kind] || kind || "Finding";
  RS.isSuspect = (item) => item.suspect === true;
  RS.isNew = (emitter) => emitter.new_since_baseline === true;

  /** Suspects first, then new ones, then by camera score and SNR (an order, not a verdict). */
  RS.rankEmitters = function rankEmitters(list) {
    const key = (e) => [RS.isSuspect(e) ? 1 : 0, RS.isNew(e) ? 1 : 0, e.camera_score || 0, e.snr_db || 0];
    return [...list].sort((p, q) => {
      const kp = key(p);
      const kq = key(q);
      for (let i = 0; i < kp.length; i++) if (kp[i] !== kq[i]) return kq[i] - kp[i];
      return p.freq_hz - q.freq_hz;
    });
  };

  /**
   * One emitter as a list item. options: {href, onTrack(e, button), onZoom(e), pictureUrl(e)}.
   * The Track button appears only for stored emitters (they have an id); the camera's picture only
   * where pictureUrl gives its stored file's address.
   */
  RS.emitterCard = function emitterCard(e, options) {
    const opts = options || {};
    const suspect = RS.isSuspect(e);
    const isNew = RS.isNew(e);
    const freqText = fmt.mhz(e.freq_hz);
    const head = el(
      "div",
      { class: "head" },
      suspect ? el("span", { class: "badge suspect", text: "! Suspect" }) : null,
      isNew ? el("span", { class: "badge new", text: CHANGES[e.baseline_change] || "New since baseline" }) : null,
      el("span", { class: "kind", text: RS.kindLabel(e.kind) }),
      e.standard ? el("span", { class: "badge", text: e.standard }) : null,
    );
    const measures = [
      "Level " + fmt.dbfs(e.power_dbfs),
      "SNR " + fmt.db(e.snr_db),
      "Width " + fmt.bandwidth(e.bandwidth_hz),
    ];
    if (Number.isFinite(e.line_rate_hz)) measures.push("Line rate " + e.line_rate_hz.toFixed(1) + " Hz");
    if (Number.isFinite(e.field_rate_hz)) measures.push("Field rate " + e.field_rate_hz.toFixed(2) + " Hz");
    if (Number.isFinite(e.baseline_power_dbfs)) measures.push("Baseline " + fmt.dbfs(e.baseline_power_dbfs));
    if (e.baseline_change === "stronger" && Number.isFinite(e.baseline_rise_db)) {
      measures.push("+" + fmt.db(e.baseline_rise_db) + " since baseline");
    }
    if (e.bursty) measures.push("bursty");
    if (e.examined === true) measures.push("looked at closely");
    const score = Number.isFinite(e.camera_score) ? e.camera_score : 0;
    const reasons = Array.isArray(e.reasons) ? e.reasons : [];
    const item = el(
      "li",
      {
        class: "emitter" + (suspect ? " suspect" : "") + (isNew ? " is-new" : ""),
        id: e.id ? "e" + e.id : null,
        dataset: { freq: String(e.freq_hz), emitterId: e.id ? String(e.id) : "" },
      },
      head,
      el("p", { class: "freq" }, opts.href ? el("a", { href: opts.href, text: freqText }) : freqText),
      el("p", { class: "measures", text: measures.join(" · ") }),
      score > 0
        ? el(
            "div",
            { class: "score" },
            el("span", { text: "Camera score " + fmt.percent(score) }),
            RS.meter(score, "Camera score", suspect ? "bad" : ""),
          )
        : el("p", { class: "measures", text: "Camera score 0 %" }),
      reasons.length ? el("ul", { class: "reasons" }, reasons.map((r) => el("li", { text: r }))) : null,
      cameraPicture(e, opts.pictureUrl ? opts.pictureUrl(e) : null),
      e.confirmation
        ? el("p", { class: "confirmation" + (e.sees_device ? " sees" : ""), text: e.confirmation })
        : null,
      moreMeasurements(e),
    );
    const buttons = [];
    if (opts.onTrack && e.id) {
      const track = el("button", {
        type: "button",
        class: "small" + (suspect ? " primary" : ""),
        text: "Track",
        "aria-label": "Track " + freqText + " (hot/cold)",
      });
      track.addEventListener("click", () => opts.onTrack(e, track));
      buttons.push(track);
    }
    if (opts.onZoom) {
      const zoom = el("button", {
        type: "button",
        class: "small",
        text: "Zoom",
        "aria-label": "Show " + freqText + " on the chart",
      });
      zoom.addEventListener("click", () => opts.onZoom(e));
      buttons.push(zoom);
    }
    if (buttons.length) item.append(el("div", { class: "row-buttons" }, buttons));
    return item;
  };

  /** "What this camera sees": the picture recovered from its signal, full width; a tap enlarges it. */
  function cameraPicture(e, url) {
    if (!e.picture || !url) return null;
    const pic = e.picture;
    const img = el("img", {
      src: url,
      alt: "The picture the camera at " + fmt.mhz(e.freq_hz) + " sends",
      decoding: "async",
    });
    const figure = el(
      "figure",
      { class: "camera-picture" },
      el("p", { class: "title", text: "What this camera sees" }),
      el("button", { type: "button", class: "enlarge", "aria-label": "Enlarge the camera's picture" }, img),
      el("figcaption", {
        text: [pic.standard, String(pic.modulation || "").toUpperCase(), pic.seconds + " s of radio"]
          .filter(Boolean)
          .join(" · "),
      }),
    );
    figure.querySelector("button.enlarge").addEventListener("click", () => {
      const big = figure.classList.toggle("enlarged");
      figure.querySelector("button.enlarge").setAttribute("aria-label", big ? "Close the picture" : "Enlarge the camera's picture");
    });
    return figure;
  }

  /** Whatever else the classifier measured (e.g. its dwell's features), as name: value rows. */
  function moreMeasurements(e) {
    const rows = [];
    const add = (key, value) => {
      if (value === null || value === undefined || typeof value === "object") return;
      const text = typeof value === "number" ? String(Math.round(value * 1000) / 1000) : String(value);
      rows.push(el("dt", { text: key.replace(/_/g, " ") }), el("dd", { text }));
    };
    for (const [key, value] of Object.entries(e)) {
      if (SHOWN.has(key)) continue;
      if (value && typeof value === "object" && !Array.isArray(value)) {
        for (const [inner, v] of Object.entries(value)) add(inner, v);
      } else {
        add(key, Array.isArray(value) ? value.join(", ") : value);
      }
    }
    if (!rows.length) return null;
    return el("details", { class: "more" }, el("summary", { text: "More measurements" }), el("dl", { class: "facts small" }, rows));
  }

  /** Start proximity tracking of a stored emitter, then go to the live page. */
  RS.track = async function track(emitter, button) {
    if (button) button.disabled = true;
    try {
      await RS.api("POST", "/api/tracking", { emitter_id: emitter.id });
      location.assign("/#tracking");
    } catch (err) {
      RS.fail(err, "Could not start tracking");
      if (button) button.disabled = false;
    }
  };

  /** "2 suspects found (1 radio, 1 optical)" or "No camera suspects", from the document's counts. */
  RS.suspectHeadline = function suspectHeadline(counts) {
    const c = counts || {};
    const total = c.suspects || 0;
    const radio = c.rf_suspects || 0;
    const optical = c.optical_suspects || 0;
    const wifi = c.wifi_suspects || 0;
    if (!total) return "No camera suspects";
    const parts = [];
    if (radio) parts.push(radio + " radio");
    if (optical) parts.push(optical + " optical");
    if (wifi) parts.push(wifi + " Wi-Fi");
    const found = total + (total === 1 ? " suspect" : " suspects") + " found" + (parts.length ? " (" + parts.join(", ") + ")" : "");
    const sees = c.sees_device || 0;
    const analog = c.rf_sees_device || 0; // older documents counted Wi-Fi cameras only
    const what = analog === sees ? "analog " : analog ? "" : "Wi-Fi ";
    if (!sees) return found;
    return (sees === 1 ? (what === "analog " ? "An " : "A ") + what + "camera sees this device · " : sees + " " + what + "cameras see this device · ") + found;
  };

  RS.findingText = function findingText(f, index) {
    const parts = [
      (index !== undefined ? index + 1 + ". " : "") + RS.findingLabel(f.kind),
      "score " + fmt.percent(f.score),
    ];
    if (f.shape === "ring") parts.push("a ring of LEDs, radius " + Math.round(f.radius_px) + " px");
    if (Number.isFinite(f.seen_in)) parts.push("seen in " + f.seen_in + " pair" + (f.seen_in === 1 ? "" : "s"));
    if (Number.isFinite(f.x) && Number.isFinite(f.y)) parts.push("at " + Math.round(f.x) + ", " + Math.round(f.y));
    return parts.join(" · ");
  };
})();
