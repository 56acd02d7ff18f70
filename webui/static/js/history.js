/* Stored sweeps, newest first, a page at a time; tick two to compare their signals (the device
   matches them: new, gone, stronger, weaker); delete with a second tap. */
(function () {
  "use strict";
  const RS = window.RS;
  const { el, fmt, $ } = RS;
  const PAGE = 20;

  let nextBefore = null;
  const picked = new Set();

  RS.onReady(async () => {
    $("#more").addEventListener("click", () => loadPage(nextBefore));
    $("#compare-button").addEventListener("click", compare);
    await loadPage(null);
    RS.ready();
  });

  async function loadPage(before) {
    const more = $("#more");
    more.disabled = true;
    try {
      const query = "?limit=" + PAGE + (before ? "&before=" + before : "");
      const reply = await RS.api("GET", "/api/sweeps" + query);
      const list = $("#sweeps");
      for (const sweep of reply.sweeps) list.append(item(sweep));
      nextBefore = reply.next_before;
      more.hidden = !nextBefore;
      $("#history-empty").hidden = list.children.length > 0;
    } catch (err) {
      RS.fail(err, "Could not load the history");
    } finally {
      more.disabled = false;
    }
  }

  function item(sweep) {
    const s = sweep.summary || {};
    const c = s.counts || {};
    const status = RS.statusText[sweep.status] || sweep.status;
    const counts = [];
    if (Number.isFinite(c.emitters)) counts.push(c.emitters + (c.emitters === 1 ? " signal" : " signals"));
    if (c.suspects) counts.push(c.suspects + (c.suspects === 1 ? " suspect" : " suspects"));
    if (c.new_since_baseline) counts.push(c.new_since_baseline + " new since baseline");
    if (c.findings) counts.push(c.findings + (c.findings === 1 ? " glint" : " glints"));
    if (Number.isFinite(s.wall_time_s)) counts.push(fmt.duration(s.wall_time_s));
    if (s.plan && s.plan.ranges_hz && s.plan.ranges_hz.length) counts.push(fmt.ranges(s.plan.ranges_hz));
    const box = el("input", { type: "checkbox", id: "pick-" + sweep.id, value: String(sweep.id) });
    box.addEventListener("change", () => {
      if (box.checked) picked.add(sweep.id);
      else picked.delete(sweep.id);
      updateCompareButton();
    });
    const node = el(
      "li",
      { class: "card sweep-item", dataset: { sweepId: String(sweep.id) } },
      el(
        "p",
        { class: "title" },
        el("a", { href: "/results/" + sweep.id, text: "Sweep #" + sweep.id }),
        el("span", { class: "badge " + (RS.statusClass[sweep.status] || ""), text: status }),
        c.suspects ? el("span", { class: "badge suspect", text: "! " + c.suspects }) : null,
      ),
      el("p", { class: "num", text: fmt.when(sweep.started_at) + " · " + fmt.ago(sweep.started_at) }),
      el("p", { class: "muted small", text: counts.join(" · ") }),
      sweep.error ? el("p", { class: "small", text: sweep.error }) : null,
    );
    const row = el("div", { class: "row-buttons" }, el("label", { class: "pick", for: box.id }, box, "Compare"));
    if (sweep.status !== "running") {
      const del = el("button", { type: "button", class: "small danger", text: "Delete" });
      RS.twoTap(del, "Tap again to delete", async () => {
        try {
          await RS.api("DELETE", "/api/sweeps/" + sweep.id);
          picked.delete(sweep.id);
          node.remove();
          updateCompareButton();
          $("#history-empty").hidden = $("#sweeps").children.length > 0;
        } catch (err) {
          RS.fail(err, "Could not delete sweep " + sweep.id);
        }
      });
      row.append(del);
    }
    node.append(row);
    return node;
  }

  function updateCompareButton() {
    const button = $("#compare-button");
    const ids = [...picked].sort((a, b) => a - b);
    button.disabled = ids.length !== 2;
    if (ids.length === 2) button.textContent = "Compare #" + ids[0] + " with #" + ids[1];
    else if (ids.length > 2) button.textContent = "Tick only two";
    else button.textContent = "Tick two to compare";
  }

  async function compare() {
    const [older, newer] = [...picked].sort((a, b) => a - b);
    const button = $("#compare-button");
    button.disabled = true;
    try {
      const [diff, a, b] = await Promise.all([
        RS.api("GET", "/api/sweeps/" + newer + "/compare?with=" + older),
        RS.api("GET", "/api/sweeps/" + older),
        RS.api("GET", "/api/sweeps/" + newer),
      ]);
      renderDiff(diff, a, b);
    } catch (err) {
      RS.fail(err, "Could not compare");
    } finally {
      updateCompareButton();
    }
  }

  function line(e) {
    return fmt.mhz(e.freq_hz) + " · " + RS.kindLabel(e.kind) + " · " + fmt.dbfs(e.power_dbfs);
  }

  function section(title, items, empty) {
    return [
      el("h3", { text: title + " (" + items.length + ")" }),
      items.length ? el("ul", { class: "plain" }, items.map((t) => el("li", { text: t }))) : el("p", { class: "muted", text: empty }),
    ];
  }

  /** The device's comparison (indices into each sweep's emitters), in words. */
  function renderDiff(diff, a, b) {
    const before = a.document.emitters;
    const now = b.document.emitters;
    const change = (entry) =>
      fmt.mhz(now[entry.index].freq_hz) +
      ": " +
      fmt.dbfs(before[entry.older_index].power_dbfs) +
      " → " +
      fmt.dbfs(now[entry.index].power_dbfs) +
      " (" +
      (entry.rise_db > 0 ? "+" : "") +
      fmt.db(entry.rise_db) +
      ")";
    const unchanged = diff.unchanged.map((entry) => line(now[entry.index]));
    RS.append(RS.clear($("#compare-body")), [
      el("p", {
        text: "Sweep #" + diff.sweep_id + " (" + fmt.when(b.sweep.started_at) + ") against #" + diff.with + " (" + fmt.when(a.sweep.started_at) + ").",
      }),
      section("New in #" + diff.sweep_id, diff.appeared.map((entry) => line(now[entry.index])), "Nothing new."),
      section("Gone since #" + diff.with, diff.gone.map((i) => line(before[i])), "Nothing disappeared."),
      section("Stronger by " + fmt.db(diff.rise_db) + " or more", diff.stronger.map(change), "Nothing got stronger."),
      section("Weaker by " + fmt.db(diff.rise_db) + " or more", diff.weaker.map(change), "Nothing got weaker."),
      diff.not_covered.length
        ? section("Outside sweep #" + diff.with + "'s bands", diff.not_covered.map((entry) => line(now[entry.index])), "")
        : null,
      diff.not_swept_now.length
        ? section("Outside sweep #" + diff.sweep_id + "'s bands", diff.not_swept_now.map((i) => line(before[i])), "")
        : null,
      el(
        "details",
        {},
        el("summary", { text: "Unchanged (" + unchanged.length + ")" }),
        el("ul", { class: "plain" }, unchanged.map((t) => el("li", { text: t }))),
      ),
      el("p", { class: "muted small", text: "Glints: " + diff.findings.older + " → " + diff.findings.newer }),
    ]);
    const box = $("#compare");
    box.hidden = false;
    box.scrollIntoView({ behavior: "smooth", block: "start" });
  }
})();
