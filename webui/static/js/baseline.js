/* The room's baseline: what it holds, save one (from the newest complete sweep or one picked
   from the list), clear it with a second tap. */
(function () {
  "use strict";
  const RS = window.RS;
  const { el, fmt, $ } = RS;

  RS.onReady(async () => {
    $("#save-form").addEventListener("submit", save);
    RS.twoTap($("#clear"), "Tap again to clear", clear);
    try {
      const [baseline, sweeps] = await Promise.all([
        RS.api("GET", "/api/baseline"),
        RS.api("GET", "/api/sweeps?limit=50"),
      ]);
      show(baseline.baseline);
      fillSources(sweeps.sweeps);
    } catch (err) {
      RS.fail(err, "Could not load the baseline");
    }
    RS.ready();
  });

  function fillSources(sweeps) {
    const select = $("#source");
    const complete = sweeps.filter((s) => s.status === "complete");
    for (const s of complete) {
      const n = ((s.summary || {}).counts || {}).emitters;
      select.append(
        el("option", {
          value: String(s.id),
          text: "Sweep #" + s.id + " · " + fmt.when(s.started_at) + (Number.isFinite(n) ? " · " + n + " signals" : ""),
        }),
      );
    }
    $("#save").disabled = complete.length === 0;
    if (!complete.length) {
      $("#save").textContent = "Sweep the room first";
    }
  }

  function show(baseline) {
    const list = RS.clear($("#baseline-emitters"));
    $("#clear").hidden = !baseline;
    if (!baseline) {
      $("#current-text").textContent = "No baseline saved.";
      $("#current-meta").textContent = "Sweeps are judged on their own until you save one.";
      return;
    }
    const n = baseline.emitters.length;
    $("#current-text").textContent = (baseline.name || "Baseline") + ": " + n + (n === 1 ? " signal" : " signals");
    $("#current-meta").textContent =
      "Saved " + fmt.when(baseline.created_at) + (baseline.sweep_id ? " from sweep #" + baseline.sweep_id : "");
    const sorted = [...baseline.emitters].sort((a, b) => a.freq_hz - b.freq_hz);
    for (const e of sorted) {
      list.append(
        el(
          "li",
          { class: "card" },
          el("b", { class: "num", text: fmt.mhz(e.freq_hz) }),
          " ",
          el("span", { text: RS.kindLabel(e.kind) }),
          el("br"),
          el("span", { class: "muted small num", text: fmt.dbfs(e.power_dbfs) + " · " + fmt.bandwidth(e.bandwidth_hz) }),
        ),
      );
    }
  }

  async function save(event) {
    event.preventDefault();
    const body = {};
    const source = $("#source").value;
    const name = $("#name").value.trim();
    if (source) body.sweep_id = Number(source);
    if (name) body.name = name;
    await RS.whileBusy($("#save"), "Could not save the baseline", async () => {
      const reply = await RS.api("POST", "/api/baseline", body);
      show(reply.baseline);
      RS.banner("ok", "Baseline saved", "Later sweeps mark what is new compared with it.", "baseline");
      $("#current").scrollIntoView({ behavior: "smooth", block: "start" });
    });
  }

  async function clear() {
    try {
      const reply = await RS.api("DELETE", "/api/baseline", {});
      show(null);
      RS.banner("ok", "Baseline cleared", reply.cleared + " saved baseline(s) forgotten.", "baseline");
    } catch (err) {
      RS.fail(err, "Could not clear the baseline");
    }
  }
})();
