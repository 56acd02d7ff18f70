/* Settings, rendered from GET /api/settings: each with its type, limits or choices, where its
   value comes from, whether the phone may change it and whether it needs a restart. Only
   changed values are sent (PUT); errors are shown at the field they concern. */
(function () {
  "use strict";
  const RS = window.RS;
  const { el, $ } = RS;

  const SECTIONS = {
    sweep: "Sweep",
    radio: "Radio (RTL-SDR)",
    optical: "Camera (optical sweep)",
    tracking: "Hot / cold tracking",
    panel: "Buttons, LEDs and buzzer (GPIO pins)",
    hotspot: "Hotspot",
    storage: "Storage",
    web: "Web interface",
  };
  const SOURCES = {
    default: ["default", ""],
    file: ["settings file", "warn"],
    ui: ["changed here", "ok"],
    env: ["environment", "warn"],
  };
  const UNITS = { s: "s", hz: "Hz", mb: "MB", db: "dB", us: "µs", ppm: "ppm" };

  let settings = [];

  RS.onReady(async () => {
    initNight();
    $("#settings-form").addEventListener("submit", save);
    $("#settings-form").addEventListener("input", updateSaveButton);
    $("#settings-form").addEventListener("change", updateSaveButton);
    RS.twoTap($("#reset"), "Tap again to reset", reset);
    try {
      const reply = await RS.api("GET", "/api/settings");
      render(reply);
    } catch (err) {
      RS.fail(err, "Could not load the settings");
    }
    RS.ready();
  });

  function initNight() {
    const box = $("#night");
    box.checked = document.documentElement.classList.contains("night");
    box.addEventListener("change", () => {
      document.documentElement.classList.toggle("night", box.checked);
      try {
        localStorage.setItem("roomsweep.night", box.checked ? "1" : "0");
      } catch (err) {
        RS.banner("warn", "Not remembered", "This browser does not keep settings.", "night");
      }
    });
  }

  function label(key) {
    const name = key.split(".").slice(1).join(".");
    const parts = name.split("_");
    const unit = UNITS[parts[parts.length - 1]];
    if (unit && parts.length === 1) return unit.toUpperCase(); // e.g. radio.ppm: the help says the rest
    if (unit) parts.pop();
    const text = parts.join(" ");
    return text.charAt(0).toUpperCase() + text.slice(1) + (unit ? " (" + unit + ")" : "");
  }

  const envName = (key) => "ROOMSWEEP_" + key.replace(/\./g, "_").toUpperCase();
  const fieldId = (key) => "set-" + key.replace(/\./g, "-");

  function render(reply) {
    settings = reply.settings;
    RS.dismiss("config-error");
    if (reply.error) RS.banner("error", "Settings file ignored", reply.error, "config-error");
    const groups = new Map();
    for (const s of settings) {
      const section = s.key.split(".")[0];
      if (!groups.has(section)) groups.set(section, []);
      groups.get(section).push(s);
    }
    const order = Object.keys(SECTIONS);
    const names = [...groups.keys()].sort((a, b) => {
      const ia = order.indexOf(a) === -1 ? 99 : order.indexOf(a);
      const ib = order.indexOf(b) === -1 ? 99 : order.indexOf(b);
      return ia - ib || a.localeCompare(b);
    });
    const host = RS.clear($("#sections"));
    for (const name of names) {
      const title = SECTIONS[name] || name.charAt(0).toUpperCase() + name.slice(1);
      const headingId = "section-" + name;
      host.append(
        el(
          "section",
          { class: "card", "aria-labelledby": headingId },
          el("h2", { id: headingId, text: title }),
          groups.get(name).map(field),
        ),
      );
    }
    updateSaveButton();
  }

  function field(s) {
    const id = fieldId(s.key);
    const errorId = id + "-error";
    const helpId = id + "-help";
    let input;
    const common = { id, name: s.key, "aria-describedby": helpId + " " + errorId, dataset: { key: s.key } };
    if (s.type === "bool") {
      input = el("input", { ...common, type: "checkbox" });
      input.checked = Boolean(s.value);
    } else if (s.choices) {
      input = el("select", common, s.choices.map((c) => el("option", { value: c, text: c })));
      input.value = String(s.value);
    } else if (s.type === "int" || s.type === "float") {
      input = el("input", {
        ...common,
        type: "number",
        inputmode: s.type === "int" && !(s.min < 0) ? "numeric" : "decimal",
        step: s.type === "int" ? "1" : "any",
        min: s.min ?? null,
        max: s.max ?? null,
      });
      input.value = String(s.value);
    } else {
      input = el("input", { ...common, type: "text", autocomplete: "off", autocapitalize: "off", spellcheck: "false" });
      input.value = s.value === null || s.value === undefined ? "" : String(s.value);
    }
    input.disabled = !s.editable;
    input.dataset.original = s.type === "bool" ? String(Boolean(s.value)) : input.value;
    const [sourceText, sourceClass] = SOURCES[s.source] || [s.source, ""];
    const badges = [el("span", { class: "badge " + sourceClass, text: sourceText })];
    if (s.restart) badges.push(el("span", { class: "badge", text: "restart" }));
    const notes = [s.help || ""];
    if (s.type === "int" || s.type === "float") {
      if (s.min !== null && s.max !== null) notes.push(s.min + " to " + s.max);
    }
    if (s.default !== undefined && s.default !== null && String(s.default) !== "") {
      notes.push("default " + String(s.default));
    }
    if (!s.editable) {
      notes.push(s.source === "env" ? "fixed by " + envName(s.key) : "change it in the settings file");
    }
    if (s.restart) notes.push("takes effect after a restart");
    const help = el("p", { class: "help", id: helpId, text: notes.filter(Boolean).join(" · ") });
    const error = el("p", { class: "field-error", id: errorId, role: "alert", hidden: true });
    if (s.type === "bool") {
      return el(
        "div",
        { class: "setting" },
        el("div", { class: "label-row" }, el("label", { class: "check", for: id }, input, label(s.key)), badges),
        help,
        error,
      );
    }
    return el(
      "div",
      { class: "setting" },
      el("div", { class: "label-row" }, el("label", { for: id, text: label(s.key) }), badges),
      help,
      input,
      error,
    );
  }

  function inputs() {
    return [...document.querySelectorAll("#sections [data-key]")];
  }

  function currentValue(input) {
    return input.type === "checkbox" ? String(input.checked) : input.value;
  }

  function changed() {
    return inputs().filter((i) => !i.disabled && currentValue(i) !== i.dataset.original);
  }

  function updateSaveButton() {
    const n = changed().length;
    const button = $("#save");
    button.disabled = n === 0;
    button.textContent = n === 0 ? "No changes" : "Save " + n + (n === 1 ? " change" : " changes");
  }

  function setError(input, message) {
    const error = document.getElementById(input.id + "-error");
    input.setAttribute("aria-invalid", message ? "true" : "false");
    error.hidden = !message;
    error.textContent = message || "";
  }

  /** The typed value, or throws a message for the field. */
  function parse(input, s) {
    if (s.type === "bool") return input.checked;
    const text = input.value.trim();
    if (s.type === "int" || s.type === "float") {
      if (text === "") throw new Error("Enter a number.");
      const value = Number(text);
      if (!Number.isFinite(value)) throw new Error("Enter a number.");
      if (s.type === "int" && !Number.isInteger(value)) throw new Error("Enter a whole number.");
      if ((s.min !== null && value < s.min) || (s.max !== null && value > s.max)) {
        throw new Error("Must be between " + s.min + " and " + s.max + ".");
      }
      return value;
    }
    if (s.choices && !s.choices.includes(text)) throw new Error("Pick one of " + s.choices.join(", ") + ".");
    return text;
  }

  async function save(event) {
    event.preventDefault();
    const byKey = new Map(settings.map((s) => [s.key, s]));
    const values = {};
    let firstBad = null;
    for (const input of inputs()) setError(input, "");
    for (const input of changed()) {
      try {
        values[input.dataset.key] = parse(input, byKey.get(input.dataset.key));
      } catch (err) {
        setError(input, err.message);
        firstBad = firstBad || input;
      }
    }
    if (firstBad) {
      firstBad.scrollIntoView({ block: "center" });
      firstBad.focus({ preventScroll: true });
      return;
    }
    if (!Object.keys(values).length) return;
    const button = $("#save");
    button.disabled = true;
    try {
      const reply = await RS.api("PUT", "/api/settings", { values });
      const restart = Object.keys(values).filter((k) => (byKey.get(k) || {}).restart);
      render(reply);
      RS.banner(
        "ok",
        "Saved",
        Object.keys(values).length +
          " setting(s) changed; the next sweep uses them." +
          (restart.length ? " Restart the device for: " + restart.join(", ") + "." : ""),
        "settings",
      );
    } catch (err) {
      const input = inputs().find((i) => mentions(err.message, i.dataset.key));
      if (input && (err.status === 400 || err.status === 409)) {
        setError(input, err.message.replace(/^web settings: /, ""));
        input.scrollIntoView({ block: "center" });
        input.focus({ preventScroll: true });
      } else {
        RS.fail(err, "Could not save");
      }
      updateSaveButton();
    }
  }

  /** Does a server message name this setting (not merely a longer key that starts with it)? */
  function mentions(message, key) {
    const at = (message || "").indexOf(key);
    return at >= 0 && !/[\w]/.test(message.charAt(at + key.length));
  }

  async function reset() {
    try {
      const reply = await RS.api("DELETE", "/api/settings", {});
      render(reply);
      RS.banner("ok", "Reset", "Settings changed from the phone were undone.", "settings");
    } catch (err) {
      RS.fail(err, "Could not reset");
    }
  }
})();
