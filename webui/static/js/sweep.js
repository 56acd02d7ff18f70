/* The sweep page: one big button (start / cancel / stop tracking), live stage and progress, the
   spectrum filling in hop by hop, signals and glints as they are found, then the stored result.
   While the device tracks an emitter it shows the hot/cold view instead. Everything follows the
   live event stream; the session status is re-read whenever the stream was interrupted.

   Timings for the tests (window.RS.timings): ready (page rendered with its data), clickAt,
   sweepPosted (the start request answered), firstProgress, firstProgressMs (click to first
   progress event) and firstProgressAfterPostMs. */
(function () {
  "use strict";
  const RS = window.RS;
  const { el, fmt, $ } = RS;

  const STAGES = {
    rf: "Radio sweep",
    confirm: "Checking suspects",
    refine: "Measuring wide signals",
    picture: "Camera pictures: what each camera sees",
    optical: "Optical sweep: lens glints and IR LEDs",
  };
  const WIFI_PHASES = { survey: "listening to every channel", dwell: "watching the streams", stimulus: "LED-ring test", done: "done" };
  const CHIP = { idle: "ready", sweeping: "sweeping", results: "done", tracking: "tracking", error: "error" };
  const PRESET_KEY = "roomsweep.preset";

  const page = {
    session: null, // the last session status or state event
    shownSweep: null, // id of the stored sweep on screen
    live: false, // a sweep is being watched live
    emitters: [],
    findings: [],
    clickAt: null,
    trackTarget: null,
    trackLevels: [],
    loading: null, // the stored sweep being fetched
  };
  let chart;
  let live;

  RS.onReady(init);

  RS.stats = { progress: 0, hops: 0, emitters: 0, findings: 0, tracking: 0 };

  function init() {
    chart = RS.chart = new RS.SpectrumChart($("#spectrum"), { oncursor: showReadout });
    live = new RS.Live({
      state: applySession,
      progress: onProgress,
      hop: onHop,
      emitter: onEmitter,
      finding: onFinding,
      result: onResult,
      tracking: onTracking,
      prompt: onPrompt,
      error: (e) => RS.banner("error", "Device error", e.message, "device-error"),
      gap: resync,
      poll: resync,
      reconnected: resync,
    });
    RS.live = live;
    $("#main-action").addEventListener("click", mainAction);
    $("#beep").addEventListener("click", () => beeper.toggle($("#beep")));
    initPreset();
    loadInitial();
  }

  async function loadInitial() {
    // The page names the newest sweep: fetch it while the status is on its way (if a sweep is
    // running after all, the live view replaces it).
    const latest = Number(RS.main().dataset.latestSweep) || null;
    if (latest && page.shownSweep === null) showSweep(latest);
    try {
      const status = await RS.api("GET", "/api/status");
      (status.warnings || []).forEach((w, i) => RS.banner("warn", "Device", w, "device-warning-" + i));
      applySession(status.session);
      if (page.loading) await page.loading; // the stream's state event may have started the load
      if (status.session.state === "sweeping") {
        const p = status.session.progress;
        if (p) onProgress(p);
      } else if (status.latest_sweep && page.shownSweep === null) {
        await showSweep(status.latest_sweep.id);
      } else if (!status.latest_sweep) {
        setStage("Ready", "Press Start sweep and hold the device still in the middle of the room.");
      }
    } catch (err) {
      RS.fail(err, "Could not read the device's status");
    }
    RS.ready();
  }

  async function resync() {
    try {
      const status = await RS.api("GET", "/api/status");
      applySession(status.session);
      if (status.session.progress) onProgress(status.session.progress);
    } catch (err) {
      /* still down: the live stream's banner says so */
    }
  }

  // ---- the session state ---------------------------------------------------------------------

  function applySession(s) {
    const previous = page.session ? page.session.state : null;
    page.session = { ...(page.session || {}), ...s };
    const chip = $("#state-chip");
    chip.hidden = false;
    chip.textContent = CHIP[s.state] || s.state;
    chip.className = "chip " + s.state;

    updateButton();

    const tracking = s.state === "tracking";
    $("#tracking-view").hidden = !tracking;
    $("#sweep-view").hidden = tracking;
    if (tracking) enterTracking(s);
    else if (previous === "tracking") leaveTracking();

    if (s.state === "error" && s.message) RS.banner("error", "The device stopped", s.message, "state-error");
    else if (s.state === "sweeping" || s.state === "tracking") RS.dismiss("state-error");

    if (s.state === "sweeping" && !page.live) beginLive();
    if (s.state !== "sweeping" && previous === "sweeping" && page.live) {
      page.live = false; // the result event was lost (stream gap): load the stored sweep below
      if (s.sweep_id) showSweep(s.sweep_id);
    }
    if (s.state === "results" && !page.live && s.sweep_id && s.sweep_id !== page.shownSweep) {
      showSweep(s.sweep_id);
    }
  }

  function updateButton() {
    const state = page.session ? page.session.state : "idle";
    const button = $("#main-action");
    button.disabled = false;
    if (state === "sweeping") {
      button.textContent = "Cancel sweep";
      button.className = "big stop";
    } else if (state === "tracking") {
      button.textContent = "Stop tracking";
      button.className = "big stop";
    } else {
      button.textContent = page.shownSweep ? "Sweep again" : "Start sweep";
      button.className = "big primary";
    }
    $("#preset").hidden = state === "sweeping" || state === "tracking";
  }

  async function mainAction() {
    const button = $("#main-action");
    const state = page.session ? page.session.state : "idle";
    button.disabled = true;
    try {
      if (state === "sweeping") {
        await RS.api("POST", "/api/cancel", {});
        $("#stage").textContent = "Cancelling…";
      } else if (state === "tracking") {
        await RS.api("DELETE", "/api/tracking");
      } else {
        await startSweep();
      }
    } catch (err) {
      RS.fail(err, "The device refused");
      page.live = false;
      resync();
    } finally {
      button.disabled = false;
    }
  }

  async function startSweep() {
    const preset = document.querySelector('input[name="preset"]:checked');
    const body = preset && preset.value ? { preset: preset.value } : {};
    RS.timings.firstProgress = undefined;
    page.clickAt = RS.timings.clickAt = performance.now();
    beginLive();
    const reply = await RS.api("POST", "/api/sweeps", body);
    RS.timings.sweepPosted = performance.now();
    if (RS.timings.firstProgress !== undefined) {
      RS.timings.firstProgressAfterPostMs = RS.timings.firstProgress - RS.timings.sweepPosted;
    }
    applySession(reply.session);
  }

  function initPreset() {
    let saved = "";
    try {
      saved = localStorage.getItem(PRESET_KEY) || "";
    } catch (err) {
      saved = "";
    }
    for (const input of document.querySelectorAll('input[name="preset"]')) {
      if (input.value === saved) input.checked = true;
      input.addEventListener("change", () => {
        try {
          localStorage.setItem(PRESET_KEY, input.value);
        } catch (err) {
          /* not remembered */
        }
      });
    }
  }

  // ---- a sweep, live --------------------------------------------------------------------------

  function beginLive() {
    page.live = true;
    page.shownSweep = null;
    page.emitters = [];
    page.findings = [];
    RS.clear($("#signals"));
    RS.clear($("#findings"));
    $("#findings-box").hidden = true;
    $("#signals-empty").hidden = false;
    $("#signals-empty").textContent = "Signals appear here as they are found.";
    $("#open-results").hidden = true;
    $("#summary").textContent = "";
    ["sweep-status", "device-error", "api-error"].forEach(RS.dismiss);
    chart.startLive(null);
    setStage("Starting…", "");
    setPercent(0, "0 %");
    $("#freq").textContent = "";
    $("#elapsed").textContent = "";
  }

  function onProgress(p) {
    if (!page.session || page.session.state !== "sweeping") return;
    if (p.stage === "wifi") {
      onWifiProgress(p);
      return;
    }
    if (p.stage === "ble") {
      const line = $("#ble-line");
      line.hidden = false;
      RS.setText(line, "Bluetooth scan · " + Math.floor(Number.isFinite(p.percent) ? p.percent : 0) + " %");
      return;
    }
    if (page.clickAt !== null && RS.timings.firstProgress === undefined) {
      const now = performance.now();
      RS.timings.firstProgress = now;
      RS.timings.firstProgressMs = now - page.clickAt;
      if (RS.timings.sweepPosted !== undefined) RS.timings.firstProgressAfterPostMs = now - RS.timings.sweepPosted;
      document.documentElement.dataset.firstProgressMs = RS.timings.firstProgressMs.toFixed(1);
    }
    if (!page.live) beginLive();
    RS.stats.progress += 1;
    if (p.ranges_hz && !chart.liveCovers(p.ranges_hz) && (!chart.live || chart.live.hops === 0)) {
      chart.startLive(p.ranges_hz);
    }
    const stage = STAGES[p.stage] || p.stage;
    const percent = Number.isFinite(p.percent) ? p.percent : 0;
    const surveyed = p.stage === "confirm" || p.stage === "refine";
    RS.setText($("#stage"), stage + (surveyed ? "…" : ""));
    setPercent(percent / 100, surveyed ? "Almost done" : Math.floor(percent) + " %");
    RS.setText($("#freq"), Number.isFinite(p.freq_hz) ? "at " + fmt.mhz(p.freq_hz, 1) : "");
    RS.setText($("#elapsed"), Number.isFinite(p.elapsed_s) ? fmt.duration(p.elapsed_s) : "");
    if (p.hops) RS.setText($("#summary"), "Hop " + (p.hop || 0) + " of " + p.hops);
  }

  /** The Wi-Fi sweep runs beside the radio sweep: its own line, not the main bar. */
  function onWifiProgress(p) {
    const line = $("#wifi-line");
    line.hidden = false;
    const phase = WIFI_PHASES[p.phase] || p.phase || "";
    const where = Number.isFinite(p.channel_mhz) ? " · " + p.channel_mhz + " MHz" : "";
    RS.setText(line, "Wi-Fi: " + phase + where + " · " + Math.floor(Number.isFinite(p.percent) ? p.percent : 0) + " %");
    if (p.phase === "done") RS.dismiss("wifi-prompt");
  }

  function onPrompt(p) {
    RS.banner("warn", "Wi-Fi camera test", p.text, "wifi-prompt");
  }

  function onHop(h) {
    if (!page.live) return;
    RS.stats.hops += 1;
    chart.addHop(h.f0_hz, h.df_hz, h.dbfs);
  }

  function onEmitter(e) {
    if (!page.live) return;
    RS.stats.emitters += 1;
    page.emitters.push(e);
    renderSignals(page.emitters);
    chart.setMarkers(page.emitters);
  }

  function onFinding(f) {
    if (!page.live) return;
    RS.stats.findings += 1;
    page.findings.push(f);
    renderFindings(page.findings);
  }

  function onResult(r) {
    page.live = false;
    RS.timings.result = performance.now();
    showSweep(r.sweep_id);
  }

  // ---- a stored sweep -------------------------------------------------------------------------

  function showSweep(id) {
    page.shownSweep = id;
    page.loading = loadSweep(id);
    return page.loading;
  }

  async function loadSweep(id) {
    try {
      const [reply, spectrum] = await Promise.all([
        RS.api("GET", "/api/sweeps/" + id),
        RS.api("GET", "/api/sweeps/" + id + "/spectrum?points=" + Math.min(4000, chart.pixelWidth)).catch((err) =>
          err.status === 404 ? null : Promise.reject(err),
        ),
      ]);
      if (page.shownSweep !== id) return; // a newer sweep started meanwhile
      const sweep = reply.sweep;
      const doc = reply.document;
      const ranges = doc.plan.ranges_hz;
      if (spectrum) chart.setOverview(spectrum, ranges);
      else if (!chart.isLive) chart.startLive(ranges);
      chart.setMissing(doc.missing_bands_hz);
      chart.setMarkers(doc.emitters);
      page.emitters = doc.emitters;
      renderSignals(doc.emitters);
      renderFindings(doc.optical ? doc.optical.findings : []);
      showOutcome(sweep, doc);
      const link = $("#open-results a");
      link.href = "/results/" + id;
      $("#open-results").hidden = false;
      updateButton();
    } catch (err) {
      RS.fail(err, "Could not load sweep " + id);
    }
  }

  function showOutcome(sweep, doc) {
    const counts = doc.counts || {};
    const found = counts.emitters || 0;
    const glints = counts.findings || 0;
    const status = RS.statusText[sweep.status] || sweep.status;
    const headline = sweep.status === "failed" ? "Sweep failed" : RS.suspectHeadline(counts);
    setStage(headline, "");
    setPercent(sweep.status === "complete" ? 1 : (doc.hops_done || 0) / (doc.plan.hops || 1), "");
    $("#freq").textContent = found + (found === 1 ? " signal" : " signals") + (glints ? ", " + glints + " glints" : "");
    $("#elapsed").textContent = Number.isFinite(doc.wall_time_s) ? fmt.duration(doc.wall_time_s) : "";
    $("#summary").textContent =
      "Sweep #" + sweep.id + " · " + status + " · " + fmt.when(sweep.started_at) + " · " + fmt.ranges(doc.plan.ranges_hz);
    RS.sweepStatusBanner(sweep, doc, "Showing what was measured before the sweep stopped.");
  }

  function renderSignals(emitters) {
    const list = $("#signals");
    RS.clear(list);
    const ranked = RS.rankEmitters(emitters);
    for (const e of ranked) {
      list.append(
        RS.emitterCard(e, {
          href: e.id ? "/results/" + page.shownSweep + "#e" + e.id : null,
          onTrack: page.live ? null : RS.track,
        }),
      );
    }
    const empty = $("#signals-empty");
    empty.hidden = ranked.length > 0;
    if (!ranked.length) empty.textContent = page.live ? "Signals appear here as they are found." : "No signals above the noise.";
  }

  function renderFindings(findings) {
    const list = $("#findings");
    RS.clear(list);
    findings.forEach((f, i) => list.append(el("li", { class: "card", text: RS.findingText(f, i) })));
    $("#findings-box").hidden = findings.length === 0;
  }

  function setStage(text, summary) {
    RS.setText($("#stage"), text);
    if (summary !== undefined) RS.setText($("#summary"), summary);
  }

  function setPercent(fraction, text) {
    RS.setText($("#percent"), text);
    $("#percent").hidden = !text;
    RS.setMeter($("#progress"), fraction, text);
  }

  function showReadout(hit) {
    $("#readout").textContent = hit ? fmt.mhz(hit.freq) + ": " + fmt.dbfs(hit.level) : "No data there.";
  }

  // ---- tracking -------------------------------------------------------------------------------

  function enterTracking(s) {
    const label = (s.target && s.target.label) || s.message || "";
    if (label) $("#track-target").textContent = label;
    if (page.trackTarget !== label) {
      page.trackTarget = label;
      page.trackLevels = [];
    }
  }

  function leaveTracking() {
    page.trackTarget = null;
    beeper.stop($("#beep"));
  }

  function onTracking(t) {
    if (!page.session || page.session.state !== "tracking") return;
    RS.stats.tracking += 1;
    RS.setMeter($("#proximity"), t.proximity, Math.round(t.proximity * 100) + " % (hot is 100)");
    $("#track-level").textContent = fmt.num(t.smoothed_dbfs);
    $("#track-snr").textContent = fmt.num(t.snr_db);
    $("#track-rate").textContent = Number.isFinite(t.rate_hz) ? t.rate_hz.toFixed(0) : "–";
    page.trackLevels.push([t.elapsed_s, t.smoothed_dbfs]);
    while (page.trackLevels.length && page.trackLevels[0][0] < t.elapsed_s - 20) page.trackLevels.shift();
    beeper.proximity = t.proximity;
    drawSparkline();
  }

  let sparkFrame = 0;
  function drawSparkline() {
    if (sparkFrame) return;
    sparkFrame = requestAnimationFrame(() => {
      sparkFrame = 0;
      const canvas = $("#sparkline");
      const dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(canvas.clientWidth * dpr);
      canvas.height = Math.round(canvas.clientHeight * dpr);
      const ctx = canvas.getContext("2d");
      const points = page.trackLevels.filter((p) => Number.isFinite(p[1]));
      if (points.length < 2) return;
      const t1 = points[points.length - 1][0];
      const t0 = Math.max(t1 - 20, points[0][0]); // fill the width until 20 s have passed
      const span = Math.max(t1 - t0, 1e-3);
      let lo = Math.min(...points.map((p) => p[1]));
      let hi = Math.max(...points.map((p) => p[1]));
      if (hi - lo < 10) {
        const mid = (hi + lo) / 2;
        lo = mid - 5;
        hi = mid + 5;
      }
      const style = getComputedStyle(canvas);
      ctx.strokeStyle = style.getPropertyValue("--chart-peak").trim();
      ctx.lineWidth = 2 * dpr;
      ctx.beginPath();
      points.forEach(([t, v], i) => {
        const x = ((t - t0) / span) * canvas.width;
        const y = canvas.height - 4 * dpr - ((v - lo) / (hi - lo)) * (canvas.height - 8 * dpr);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    });
  }

  /** Optional ticks from the phone's speaker: faster and higher the hotter it gets. */
  const beeper = {
    audio: null,
    on: false,
    timer: null,
    proximity: 0,
    toggle(button) {
      if (this.on) {
        this.stop(button);
        return;
      }
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) {
        RS.banner("warn", "No sound", "This browser cannot play sounds.", "beep");
        return;
      }
      this.audio = this.audio || new Context();
      this.audio.resume();
      this.on = true;
      button.setAttribute("aria-pressed", "true");
      button.textContent = "Stop beeping";
      this.loop();
    },
    stop(button) {
      this.on = false;
      clearTimeout(this.timer);
      button.setAttribute("aria-pressed", "false");
      button.textContent = "Beep on this phone";
    },
    loop() {
      if (!this.on) return;
      this.tick();
      this.timer = setTimeout(() => this.loop(), 900 - 820 * Math.max(0, Math.min(1, this.proximity)));
    },
    tick() {
      const ctx = this.audio;
      const t = ctx.currentTime;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 500 + 1000 * this.proximity;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.005);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.06);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.07);
    },
  };
})();
