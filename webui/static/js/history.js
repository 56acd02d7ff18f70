/* Stored sweeps, newest first, a page at a time; tick two to compare their signals (matched by
   frequency: new, gone, changed in level); delete with a second tap. */
(function () {
  "use strict";
  const RS = window.RS;
  const { el, fmt, $ } = RS;
  const PAGE = 20;
  const CHANGE_DB = 6;

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
    const status = RS.statusText[sweep.status] || sweep.status;
    const counts = [];
    if (Number.isFinite(s.emitters)) counts.push(s.emitters + (s.emitters === 1 ? " signal" : " signals"));
    if (s.suspects) counts.push(s.suspects + (s.suspects === 1 ? " suspect" : " suspects"));
    if (s.findings) counts.push(s.findings + (s.findings === 1 ? " glint" : " glints"));
    if (Number.isFinite(s.wall_time_s)) counts.push(fmt.duration(s.wall_time_s));
    if (s.ranges_hz) counts.push(fmt.ranges(s.ranges_hz));
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
        s.suspects ? el("span", { class: "badge suspect", text: "! " + s.suspects }) : null,
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
      const [a, b] = await Promise.all([RS.api("GET", "/api/sweeps/" + older), RS.api("GET", "/api/sweeps/" + newer)]);
      renderDiff(a, b);
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

  function renderDiff(a, b) {
    const idA = a.sweep.id;
    const idB = b.sweep.id;
    const { onlyA: appeared, onlyB: gone, both } = RS.matchEmitters(b.emitters, a.emitters);
    const changed = [];
    const same = [];
    for (const [now, before] of both) {
      const delta = now.power_dbfs - before.power_dbfs;
      if (Number.isFinite(delta) && Math.abs(delta) >= CHANGE_DB) {
        changed.push(
          fmt.mhz(now.freq_hz) +
            ": " +
            fmt.dbfs(before.power_dbfs) +
            " → " +
            fmt.dbfs(now.power_dbfs) +
            " (" +
            (delta > 0 ? "+" : "") +
            fmt.db(delta) +
            ")",
        );
      } else {
        same.push(line(now));
      }
    }
    RS.append(RS.clear($("#compare-body")), [
      el("p", { text: "Sweep #" + idB + " (" + fmt.when(b.sweep.started_at) + ") against #" + idA + " (" + fmt.when(a.sweep.started_at) + ")." }),
      section("New in #" + idB, appeared.map(line), "Nothing new."),
      section("Gone since #" + idA, gone.map(line), "Nothing disappeared."),
      section("Level changed by " + CHANGE_DB + " dB or more", changed, "No big level changes."),
      el(
        "details",
        {},
        el("summary", { text: "Unchanged (" + same.length + ")" }),
        el("ul", { class: "plain" }, same.map((t) => el("li", { text: t }))),
      ),
      el("p", { class: "muted small", text: "Glints: " + (a.findings || []).length + " → " + (b.findings || []).length }),
    ]);
    const box = $("#compare");
    box.hidden = false;
    box.scrollIntoView({ behavior: "smooth", block: "start" });
  }
})();
