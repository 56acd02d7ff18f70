/* One stored sweep: summary, the spectrum with zoom (finer data fetched for the zoomed band),
   signals ranked with their reasons and a Track button, glint photos with the findings
   pointed out, evidence files, and the sweep's baseline / delete actions.
   A link ending in #e<emitter id> opens with that signal highlighted and zoomed to. */
(function () {
  "use strict";
  const RS = window.RS;
  const { el, fmt, $ } = RS;

  // Zoom buttons (a UI choice of the bands people ask about; camera bands first).
  const BANDS = [
    ["Video 1.2 GHz", 1080e6, 1360e6],
    ["Video 900 MHz", 900e6, 1010e6],
    ["433 MHz", 432e6, 436e6],
    ["868 MHz", 862e6, 871e6],
    ["FM radio", 87.5e6, 108e6],
    ["TV", 470e6, 694e6],
  ];
  const FILE_ROLES = {
    image: "Glint photo (JPEG)",
    picture: "Camera's picture (PNG)",
    spectrum: "Spectrum (NumPy .npz)",
    recording: "IQ recording (SigMF)",
    evidence: "IQ recording (SigMF)",
  };

  let chart;
  let sweepId;
  let reply; // GET /api/sweeps/<id>: {sweep, document, images, files}
  let doc; // the sweep document, judged on the device when the sweep ran
  let detailRequest = null;

  RS.onReady(init);

  async function init() {
    sweepId = Number(RS.main().dataset.sweepId) || null;
    if (!sweepId) {
      RS.ready();
      return;
    }
    chart = RS.chart = new RS.SpectrumChart($("#spectrum"), { onview: fetchDetail, oncursor: readout });
    RS.twoTap($("#delete"), "Tap again to delete", deleteSweep);
    $("#save-baseline").addEventListener("click", saveBaseline);
    RS.bindLanForm($("#lan-form"));
    try {
      const [sweepReply, spectrum] = await Promise.all([
        RS.api("GET", "/api/sweeps/" + sweepId),
        RS.api("GET", "/api/sweeps/" + sweepId + "/spectrum?points=" + Math.min(4000, chart.pixelWidth)).catch((err) =>
          err.status === 404 ? null : Promise.reject(err),
        ),
      ]);
      reply = sweepReply;
      doc = reply.document;
      render(spectrum);
    } catch (err) {
      RS.fail(err, "Could not load sweep " + sweepId);
      $("#headline").textContent = "Could not load this sweep.";
    }
    RS.ready();
    focusFromHash();
  }

  function render(spectrum) {
    const sweep = reply.sweep;
    renderOverview(sweep);
    if (spectrum) {
      chart.setOverview(spectrum, doc.plan.ranges_hz);
      chart.setMissing(doc.missing_bands_hz);
      chart.setMarkers(doc.emitters);
      renderBands();
    } else {
      $("#readout").textContent = "This sweep has no radio spectrum.";
    }
    renderSignals();
    RS.renderWifi($("#wifi"), doc.wifi || null);
    RS.renderBle($("#ble"), doc.ble || null);
    RS.renderLan($("#lan"), doc.lan || null, doc.wifi || null);
    renderOptical();
    renderFiles();
    $("#save-baseline").hidden = sweep.status !== "complete";
  }

  function renderOverview(sweep) {
    const status = RS.statusText[sweep.status] || sweep.status;
    const counts = doc.counts || {};
    const ranges = doc.plan.ranges_hz;
    let headline = RS.suspectHeadline(counts);
    if (sweep.status === "failed") headline = "Sweep failed";
    if (sweep.status === "running") headline = "Still sweeping…";
    $("#headline").textContent = headline;
    $("#summary-line").textContent = [
      fmt.when(sweep.started_at),
      status,
      fmt.ranges(ranges),
      doc.emitters.length + " signals",
      counts.ble_hints ? counts.ble_hints + " Bluetooth " + (counts.ble_hints === 1 ? "hint" : "hints") : null,
    ]
      .filter(Boolean)
      .join(" · ");
    const facts = [
      ["Status", el("span", { class: "badge " + (RS.statusClass[sweep.status] || ""), text: status })],
      ["Started", fmt.when(sweep.started_at) + " (" + fmt.ago(sweep.started_at) + ")"],
      ["Took", fmt.duration(doc.wall_time_s)],
      ["Bands", fmt.ranges(ranges)],
      ["Hops", doc.plan.hops ? (doc.hops_done ?? "–") + " of " + doc.plan.hops : null],
      ["Noise floor", Number.isFinite(doc.noise_floor_dbfs) ? fmt.dbfs(doc.noise_floor_dbfs) : null],
      ["Resolution", Number.isFinite(doc.plan.rbw_hz) ? fmt.bandwidth(doc.plan.rbw_hz) : null],
      ["Signals", String(doc.emitters.length)],
      ["Glints", counts.findings ? String(counts.findings) : null],
      ["Source", sweep.source || null],
    ];
    const baseline = doc.baseline;
    if (baseline) {
      const n = Number.isFinite(baseline.emitters) ? " · " + baseline.emitters + " signals" : "";
      const rise = Number.isFinite(baseline.rise_db) ? " · stronger means +" + fmt.db(baseline.rise_db) : "";
      facts.push(["Compared with", "baseline " + (baseline.name || "#" + baseline.id) + n + rise]);
      facts.push(["New since baseline", String(counts.new_since_baseline || 0)]);
    } else {
      facts.push(["Compared with", "no baseline (save one in a room you know is clean)"]);
    }
    const missing = doc.missing_bands_hz || [];
    if (missing.length) facts.push(["Not measured", fmt.ranges(missing)]);
    if (sweep.error) facts.push(["Problem", sweep.error]);
    const dl = RS.clear($("#facts"));
    for (const [name, value] of facts) {
      if (value === null || value === undefined || value === "–") continue;
      dl.append(el("dt", { text: name }), el("dd", {}, value));
    }
    RS.sweepStatusBanner(sweep, doc, "This sweep was stopped early: it shows only what was measured.");
  }

  // ---- spectrum zoom ----------------------------------------------------------------------------

  function renderBands() {
    const host = RS.clear($("#bands"));
    const [d0, d1] = chart.domain;
    const all = el("button", { type: "button", text: "All", "aria-pressed": "true" });
    all.addEventListener("click", () => zoomTo(d0, d1, all));
    host.append(all);
    for (const [name, lo, hi] of BANDS) {
      if (hi <= d0 || lo >= d1) continue;
      const button = el("button", { type: "button", text: name, "aria-pressed": "false" });
      button.addEventListener("click", () => zoomTo(lo, hi, button));
      host.append(button);
    }
  }

  function zoomTo(lo, hi, button) {
    chart.setView(Math.max(lo, chart.domain[0]), Math.min(hi, chart.domain[1]));
    pressBand(button || null);
  }

  function pressBand(button) {
    for (const b of document.querySelectorAll("#bands button")) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    }
  }

  async function fetchDetail(lo, hi) {
    if (detailRequest) detailRequest.abort();
    const label = "Showing " + fmt.mhz(lo, 2) + " – " + fmt.mhz(hi, 2);
    $("#readout").textContent = label + (chart.zoomed ? " · double-tap to zoom out" : "");
    if (!chart.zoomed) {
      pressBand($("#bands button"));
      return;
    }
    if (document.activeElement && !document.activeElement.closest("#bands")) pressBand(null);
    detailRequest = new AbortController();
    const points = Math.min(4000, chart.pixelWidth);
    const query = "?lo_hz=" + Math.floor(lo) + "&hi_hz=" + Math.ceil(hi) + "&points=" + points;
    try {
      const data = await RS.api("GET", "/api/sweeps/" + sweepId + "/spectrum" + query, undefined, {
        signal: detailRequest.signal,
      });
      chart.setDetail(data);
      RS.timings.detail = performance.now();
      document.documentElement.dataset.detailPoints = String(data.freqs_hz.length);
    } catch (err) {
      RS.fail(err, "Could not load the zoomed spectrum");
    }
  }

  function readout(hit) {
    $("#readout").textContent = hit ? fmt.mhz(hit.freq) + ": peak " + fmt.dbfs(hit.level) : "No data there.";
  }

  function zoomToEmitter(e) {
    const span = Math.max(2e6, (e.bandwidth_hz || 0) * 6);
    chart.setView(e.freq_hz - span / 2, e.freq_hz + span / 2);
    pressBand(null);
    $("#spectrum").scrollIntoView({ behavior: "smooth", block: "center" });
  }

  // ---- signals ----------------------------------------------------------------------------------

  function renderSignals() {
    const list = RS.clear($("#signals"));
    const ranked = RS.rankEmitters(doc.emitters);
    for (const e of ranked) {
      list.append(RS.emitterCard(e, { onTrack: RS.track, onZoom: chart ? zoomToEmitter : null, pictureUrl }));
    }
    const suspects = ranked.filter(RS.isSuspect).length;
    $("#signals-count").textContent =
      "(" + ranked.length + (suspects ? ", " + suspects + (suspects === 1 ? " suspect" : " suspects") : "") + ")";
    $("#signals-empty").hidden = ranked.length > 0;
  }

  /** The stored file an emitter's picture names (GET /api/sweeps/<id>'s files). */
  function pictureUrl(e) {
    const stored = (reply.files || []).find((f) => f.role === "picture" && e.picture && f.name === e.picture.file);
    return stored ? stored.url : null;
  }

  function focusFromHash() {
    const match = /^#e(\d+)$/.exec(location.hash);
    if (!match || !doc) return;
    const card = document.getElementById("e" + match[1]);
    const emitter = doc.emitters.find((e) => String(e.id) === match[1]);
    if (!card || !emitter) return;
    card.classList.add("highlight");
    card.tabIndex = -1;
    zoomToEmitter(emitter);
    card.scrollIntoView({ block: "center" });
    card.focus({ preventScroll: true });
  }

  // ---- optical ----------------------------------------------------------------------------------

  function renderOptical() {
    const host = RS.clear($("#optical"));
    const optical = doc.optical;
    const findings = optical ? optical.findings || [] : [];
    if (!reply.images.length && !findings.length) {
      let text = "No optical sweep in this run (radio only).";
      if (optical && optical.error) text = "The optical sweep did not run: " + optical.error;
      else if (optical) text = "The optical sweep found no lens glints and no infrared LEDs.";
      host.append(el("p", { class: "muted", text }));
      return;
    }
    const overlays = [];
    for (const url of reply.images) {
      const img = el("img", {
        src: url,
        alt: "Glint photo of the room with " + findings.length + " finding(s) circled",
        decoding: "async",
      });
      const canvas = el("canvas", { "aria-hidden": "true" });
      const figure = el(
        "figure",
        { class: "glint" },
        el("div", { class: "frame" }, el("a", { href: url, target: "_blank", rel: "noopener" }, img), canvas),
        el("figcaption", { text: "Circled: what the camera saw. Tap a finding below to point it out." }),
      );
      host.append(figure);
      const overlay = { img, canvas, selected: -1 };
      img.addEventListener("load", () => drawOverlay(overlay, findings, optical));
      if (window.ResizeObserver) new ResizeObserver(() => drawOverlay(overlay, findings, optical)).observe(img);
      overlays.push(overlay);
    }
    if (!findings.length) {
      host.append(el("p", { class: "muted", text: "No lens glints or infrared LEDs were found." }));
      return;
    }
    const list = el("ol", { class: "findings", "aria-label": "Optical findings" });
    findings.forEach((f, i) => {
      const button = el("button", { type: "button", "aria-pressed": "false", text: RS.findingText(f, i) });
      button.addEventListener("click", () => {
        const on = button.getAttribute("aria-pressed") !== "true";
        for (const b of list.querySelectorAll("button")) b.setAttribute("aria-pressed", "false");
        button.setAttribute("aria-pressed", on ? "true" : "false");
        for (const o of overlays) {
          o.selected = on ? i : -1;
          drawOverlay(o, findings, optical);
        }
        if (on && overlays.length) overlays[0].img.scrollIntoView({ behavior: "smooth", block: "center" });
      });
      list.append(el("li", {}, button));
    });
    host.append(list);
    const cut = optical && optical.cut ? optical.cut : {};
    const names = { lens: "lens", "ir-led": "infrared LED" };
    const left = Object.keys(cut)
      .filter((kind) => cut[kind] > 0)
      .map((kind) => cut[kind] + " more " + (names[kind] || kind) + " finding(s)");
    if (left.length) host.append(el("p", { class: "muted", text: "Not listed: " + left.join(", ") + "." }));
  }

  /** Number each finding on the photo; ring the selected one. */
  function drawOverlay(overlay, findings, optical) {
    const { img, canvas } = overlay;
    if (!img.naturalWidth || !img.clientWidth) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(img.clientWidth * dpr);
    canvas.height = Math.round(img.clientHeight * dpr);
    const size = optical && optical.image ? optical.image : { width: img.naturalWidth, height: img.naturalHeight };
    const kx = canvas.width / size.width;
    const ky = canvas.height / size.height;
    const ctx = canvas.getContext("2d");
    const style = getComputedStyle(canvas);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.font = `bold ${13 * dpr}px system-ui, sans-serif`;
    ctx.textBaseline = "middle";
    findings.forEach((f, i) => {
      if (!Number.isFinite(f.x) || !Number.isFinite(f.y)) return;
      const x = f.x * kx;
      const y = f.y * ky;
      const selected = i === overlay.selected;
      const r = Math.max(10 * dpr, (f.radius_px || 2) * kx * 3) * (selected ? 1.8 : 1);
      ctx.lineWidth = (selected ? 3.5 : 1.5) * dpr;
      ctx.strokeStyle = style.getPropertyValue(selected ? "--focus" : "--chart-marker").trim();
      ctx.beginPath();
      ctx.arc(x, y, r, 0, Math.PI * 2);
      ctx.stroke();
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillText(String(i + 1), x + r + 3 * dpr, y);
    });
  }

  // ---- files and actions ------------------------------------------------------------------------

  function renderFiles() {
    const list = RS.clear($("#files"));
    for (const f of reply.files || []) {
      list.append(
        el(
          "li",
          {},
          el(
            "a",
            { href: f.url, download: f.name },
            el("span", {}, el("b", { text: FILE_ROLES[f.role] || f.role }), el("br"), el("span", { class: "small", text: f.name })),
            el("span", { class: "muted small num", text: fmt.bytes(f.bytes) }),
          ),
        ),
      );
    }
    if (!list.children.length) list.append(el("li", { class: "muted", text: "No files stored with this sweep." }));
  }

  async function saveBaseline() {
    await RS.whileBusy($("#save-baseline"), "Could not save the baseline", async () => {
      await RS.api("POST", "/api/baseline", { sweep_id: sweepId });
      RS.banner("ok", "Baseline saved", "Later sweeps mark what is new compared with this one.", "baseline");
    });
  }

  async function deleteSweep() {
    try {
      await RS.api("DELETE", "/api/sweeps/" + sweepId);
      location.assign("/history");
    } catch (err) {
      RS.fail(err, "Could not delete the sweep");
    }
  }
})();
