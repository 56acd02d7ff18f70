/* The spectrum chart: a canvas of level (dBFS) against frequency, drawn at the phone's pixel
   density. It fills in live from hop events, or shows a stored sweep (peak hold as a line, mean
   as an area). Zoom: drag across the chart to select a band, pinch with two fingers, the band
   buttons, the mouse wheel or +/- keys; a tap reads off the level; a double tap zooms out.
   Bands the sweep did not cover are shaded; emitters are marked (suspects in the alarm colour). */
(function () {
  "use strict";
  const RS = window.RS;

  const LIVE_BINS = 2048;
  const MIN_SPAN_HZ = 50e3;
  const TAP_SLOP_PX = 8;

  function niceStep(span, target) {
    const raw = span / Math.max(1, target);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
    return 10 * mag;
  }

  function lowerBound(arr, value) {
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (arr[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function toSeries(data) {
    const n = data.freqs_hz.length;
    const freqs = new Float64Array(n);
    const peak = new Float32Array(n);
    const mean = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      freqs[i] = data.freqs_hz[i];
      const p = data.peak_dbfs ? data.peak_dbfs[i] : null;
      const m = data.mean_dbfs ? data.mean_dbfs[i] : null;
      peak[i] = p === null || p === undefined ? NaN : p;
      mean[i] = m === null || m === undefined ? NaN : m;
    }
    return { freqs, peak, mean, lo: data.lo_hz, hi: data.hi_hz };
  }

  class SpectrumChart {
    constructor(canvas, options) {
      this.canvas = canvas;
      this.ctx = canvas.getContext("2d");
      this.options = options || {};
      this.domain = [24e6, 1766e6];
      this.view = [24e6, 1766e6];
      this.swept = null;
      this.missing = [];
      this.markers = [];
      this.overview = null;
      this.detail = null;
      this.live = null;
      this.liveY = null;
      this.cursor = null;
      this.selection = null;
      this.pointers = new Map();
      this.gesture = null;
      this.lastTap = 0;
      this.drawnPoints = 0;
      this.frame = 0;
      this.viewTimer = null;
      this.dpr = 1;
      canvas.setAttribute("role", "img");
      canvas.tabIndex = 0;
      this.resize();
      if (window.ResizeObserver) new ResizeObserver(() => this.resize()).observe(canvas);
      this.bindInput();
    }

    // ---- data ----------------------------------------------------------------------------------

    /** Start a live sweep over ranges [[lo, hi], ...] (the whole tuner if unknown). */
    startLive(ranges) {
      const list = ranges && ranges.length ? ranges : [[24e6, 1766e6]];
      const lo = Math.min(...list.map((r) => r[0]));
      const hi = Math.max(...list.map((r) => r[1]));
      const freqs = new Float64Array(LIVE_BINS);
      for (let i = 0; i < LIVE_BINS; i++) freqs[i] = lo + ((i + 0.5) * (hi - lo)) / LIVE_BINS;
      this.live = { lo, hi, freqs, bins: new Float32Array(LIVE_BINS).fill(NaN), hops: 0 };
      this.liveY = null;
      this.overview = null;
      this.detail = null;
      this.markers = [];
      this.missing = [];
      this.cursor = null;
      this.swept = list;
      this.domain = [lo, hi];
      this.view = [lo, hi];
      this.draw();
    }

    get isLive() {
      return this.live !== null;
    }

    liveCovers(ranges) {
      if (!this.live || !ranges || !ranges.length) return false;
      const lo = Math.min(...ranges.map((r) => r[0]));
      const hi = Math.max(...ranges.map((r) => r[1]));
      return Math.abs(lo - this.live.lo) < 1 && Math.abs(hi - this.live.hi) < 1;
    }

    /** One hop's levels: value i is at f0 + i * df. */
    addHop(f0, df, values) {
      const live = this.live;
      if (!live) return;
      const scale = LIVE_BINS / (live.hi - live.lo);
      const bins = live.bins;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v === null) continue;
        const b = Math.floor((f0 + i * df - live.lo) * scale);
        if (b < 0 || b >= LIVE_BINS) continue;
        if (!(bins[b] >= v)) bins[b] = v; // NaN-aware max
      }
      live.hops += 1;
      this.requestDraw();
    }

    /** A stored sweep's spectrum (the API's /spectrum reply) for the whole sweep. */
    setOverview(data, ranges) {
      this.live = null;
      this.overview = toSeries(data);
      this.detail = null;
      const lo = ranges && ranges.length ? Math.min(...ranges.map((r) => r[0])) : data.lo_hz;
      const hi = ranges && ranges.length ? Math.max(...ranges.map((r) => r[1])) : data.hi_hz;
      this.swept = ranges && ranges.length ? ranges : null;
      this.domain = [lo, hi];
      this.view = [lo, hi];
      this.draw();
    }

    /** Finer data for part of the sweep (fetched after a zoom). */
    setDetail(data) {
      this.detail = toSeries(data);
      this.draw();
    }

    setMarkers(emitters) {
      this.markers = (emitters || []).map((e) => ({
        freq: e.freq_hz,
        suspect: RS.isSuspect(e) || RS.isNew(e),
      }));
      this.requestDraw();
    }

    setMissing(bands) {
      this.missing = bands || [];
      this.requestDraw();
    }

    // ---- view ----------------------------------------------------------------------------------

    setView(lo, hi, quiet) {
      const [d0, d1] = this.domain;
      const span = Math.min(Math.max(hi - lo, MIN_SPAN_HZ), d1 - d0);
      const start = Math.max(d0, Math.min((lo + hi) / 2 - span / 2, d1 - span));
      this.view = [start, start + span];
      this.draw();
      if (!quiet) this.viewChanged();
    }

    resetView() {
      this.setView(this.domain[0], this.domain[1]);
    }

    get zoomed() {
      return this.view[0] > this.domain[0] + 1 || this.view[1] < this.domain[1] - 1;
    }

    viewChanged() {
      clearTimeout(this.viewTimer);
      this.viewTimer = setTimeout(() => {
        if (this.options.onview) this.options.onview(this.view[0], this.view[1]);
      }, 120);
    }

    /** Device pixels across the plot: how many points a detail fetch should ask for. */
    get pixelWidth() {
      return Math.max(100, this.canvas.width);
    }

    // ---- drawing -------------------------------------------------------------------------------

    resize() {
      const dpr = window.devicePixelRatio || 1;
      const w = Math.round(this.canvas.clientWidth * dpr);
      const h = Math.round(this.canvas.clientHeight * dpr);
      if (w > 0 && h > 0 && (w !== this.canvas.width || h !== this.canvas.height)) {
        this.canvas.width = w;
        this.canvas.height = h;
      }
      this.dpr = dpr;
      this.draw();
    }

    requestDraw() {
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.draw();
      });
    }

    series() {
      if (this.live) {
        return { freqs: this.live.freqs, peak: this.live.bins, mean: null };
      }
      const [v0, v1] = this.view;
      const d = this.detail;
      if (d && d.lo <= v0 + 1 && d.hi >= v1 - 1) return d;
      return this.overview;
    }

    colours() {
      const style = getComputedStyle(this.canvas);
      const get = (name) => style.getPropertyValue(name).trim();
      return {
        grid: get("--chart-grid"),
        axis: get("--chart-axis"),
        mean: get("--chart-mean"),
        peak: get("--chart-peak"),
        marker: get("--chart-marker"),
        other: get("--chart-other"),
        shade: get("--chart-shade"),
        select: get("--chart-select"),
        backing: get("--chart-backing"),
      };
    }

    /** Points to plot in device pixels: raw points when few, else a max per pixel column. */
    project(values, freqs, i0, i1, x, width) {
      const out = [];
      if (i1 - i0 <= width) {
        for (let i = i0; i < i1; i++) out.push([x(freqs[i]), values[i]]);
        return out;
      }
      const cols = new Float32Array(width).fill(NaN);
      const [v0, v1] = this.view;
      const k = width / (v1 - v0);
      for (let i = i0; i < i1; i++) {
        const v = values[i];
        if (Number.isNaN(v)) continue;
        const c = Math.min(width - 1, Math.max(0, Math.floor((freqs[i] - v0) * k)));
        if (!(cols[c] >= v)) cols[c] = v;
      }
      for (let c = 0; c < width; c++) out.push([c + 0.5, cols[c]]);
      return out;
    }

    yRange(points) {
      const finite = [];
      for (const p of points) if (Number.isFinite(p[1])) finite.push(p[1]);
      if (!finite.length) return this.liveY || [-70, -10];
      finite.sort((a, b) => a - b);
      const low = finite[Math.floor(finite.length * 0.02)];
      const high = finite[finite.length - 1];
      let y0 = Math.floor((low - 6) / 10) * 10;
      let y1 = Math.ceil((high + 4) / 10) * 10;
      if (y1 - y0 < 30) y1 = y0 + 30;
      if (this.live) {
        // a live chart only ever widens its scale: no jumping while the user watches
        if (this.liveY) {
          y0 = Math.min(y0, this.liveY[0]);
          y1 = Math.max(y1, this.liveY[1]);
        }
        this.liveY = [y0, y1];
      }
      return [y0, y1];
    }

    draw() {
      const { canvas, ctx } = this;
      const W = canvas.width;
      const H = canvas.height;
      if (!W || !H) return;
      const dpr = this.dpr;
      const c = this.colours();
      const top = 14 * dpr;
      const bottom = H - 24 * dpr;
      const plotH = bottom - top;
      const [v0, v1] = this.view;
      const x = (f) => ((f - v0) / (v1 - v0)) * W;
      ctx.clearRect(0, 0, W, H);

      // not swept / missing bands
      ctx.fillStyle = c.shade;
      if (this.swept) {
        const sorted = [...this.swept].sort((a, b) => a[0] - b[0]);
        let edge = v0;
        for (const [lo, hi] of sorted) {
          if (lo > edge) ctx.fillRect(x(edge), top, x(Math.min(lo, v1)) - x(edge), plotH);
          edge = Math.max(edge, hi);
        }
        if (edge < v1) ctx.fillRect(x(edge), top, W - x(edge), plotH);
      }
      for (const [lo, hi] of this.missing) {
        if (hi < v0 || lo > v1) continue;
        ctx.fillRect(x(lo), top, x(hi) - x(lo), plotH);
        ctx.save();
        ctx.beginPath();
        ctx.rect(x(lo), top, x(hi) - x(lo), plotH);
        ctx.clip();
        ctx.strokeStyle = c.axis;
        ctx.globalAlpha = 0.35;
        ctx.lineWidth = dpr;
        for (let hx = x(lo) - plotH; hx < x(hi); hx += 10 * dpr) {
          ctx.beginPath();
          ctx.moveTo(hx, bottom);
          ctx.lineTo(hx + plotH, top);
          ctx.stroke();
        }
        ctx.restore();
      }

      const data = this.series();
      let points = [];
      let meanPoints = null;
      if (data && data.freqs.length) {
        const i0 = Math.max(0, lowerBound(data.freqs, v0) - 1);
        const i1 = Math.min(data.freqs.length, lowerBound(data.freqs, v1) + 1);
        points = this.project(data.peak, data.freqs, i0, i1, x, W);
        if (data.mean) meanPoints = this.project(data.mean, data.freqs, i0, i1, x, W);
      }
      const [y0, y1] = this.yRange(points);
      const y = (db) => top + ((y1 - db) / (y1 - y0)) * plotH;

      // grid and axes
      ctx.font = `${11 * dpr}px system-ui, sans-serif`;
      ctx.lineWidth = Math.max(1, dpr * 0.6);
      ctx.strokeStyle = c.grid;
      ctx.fillStyle = c.axis;
      ctx.textBaseline = "bottom";
      ctx.textAlign = "left";
      const dbStep = y1 - y0 > 60 ? 20 : 10;
      const labels = []; // drawn last, on a backing, so peaks never hide the scale
      for (let db = Math.ceil(y0 / dbStep) * dbStep; db <= y1; db += dbStep) {
        ctx.beginPath();
        ctx.moveTo(0, y(db));
        ctx.lineTo(W, y(db));
        ctx.stroke();
        if (db < y1) labels.push([String(db).replace("-", "\u2212"), y(db)]);
      }
      const cssWidth = W / dpr;
      const fStep = niceStep(v1 - v0, Math.max(3, Math.floor(cssWidth / 65)));
      const digits = fStep >= 1e6 ? 0 : fStep >= 1e5 ? 1 : fStep >= 1e4 ? 2 : 3;
      ctx.textBaseline = "top";
      ctx.textAlign = "center";
      for (let f = Math.ceil(v0 / fStep) * fStep; f <= v1; f += fStep) {
        const px = x(f);
        ctx.beginPath();
        ctx.moveTo(px, top);
        ctx.lineTo(px, bottom);
        ctx.stroke();
        if (px > 18 * dpr && px < W - 40 * dpr) ctx.fillText((f / 1e6).toFixed(digits), px, bottom + 5 * dpr);
      }
      ctx.textAlign = "right";
      ctx.fillText("MHz", W - 4 * dpr, bottom + 5 * dpr);
      ctx.textBaseline = "top";
      ctx.fillText("dBFS", W - 4 * dpr, 2 * dpr);

      // mean as an area, peak hold as a line
      const trace = (pts, close) => {
        let open = false;
        let first = 0;
        let last = 0;
        ctx.beginPath();
        for (const [px, v] of pts) {
          if (!Number.isFinite(v)) {
            if (open && close) {
              ctx.lineTo(last, bottom);
              ctx.lineTo(first, bottom);
              ctx.closePath();
            }
            open = false;
            continue;
          }
          const py = Math.max(top, Math.min(bottom, y(v)));
          if (!open) {
            ctx.moveTo(px, py);
            first = px;
            open = true;
          } else ctx.lineTo(px, py);
          last = px;
        }
        if (open && close) {
          ctx.lineTo(last, bottom);
          ctx.lineTo(first, bottom);
          ctx.closePath();
        }
      };
      if (meanPoints) {
        ctx.fillStyle = c.mean;
        trace(meanPoints, true);
        ctx.fill();
      }
      ctx.strokeStyle = c.peak;
      ctx.lineWidth = 1.5 * dpr;
      ctx.lineJoin = "round";
      trace(points, false);
      ctx.stroke();
      this.drawnPoints = points.reduce((n, p) => n + (Number.isFinite(p[1]) ? 1 : 0), 0);

      // emitter markers: a downward triangle at the top edge
      for (const m of this.markers) {
        if (m.freq < v0 || m.freq > v1) continue;
        const px = x(m.freq);
        const s = (m.suspect ? 7 : 5) * dpr;
        ctx.fillStyle = m.suspect ? c.marker : c.other;
        ctx.beginPath();
        ctx.moveTo(px - s, top - s);
        ctx.lineTo(px + s, top - s);
        ctx.lineTo(px, top + s * 0.6);
        ctx.closePath();
        ctx.fill();
      }

      ctx.font = `${11 * dpr}px system-ui, sans-serif`;
      ctx.textAlign = "left";
      ctx.textBaseline = "bottom";
      for (const [text, py] of labels) {
        const w = ctx.measureText(text).width;
        ctx.fillStyle = c.backing;
        ctx.fillRect(2 * dpr, py - 14 * dpr, w + 4 * dpr, 13 * dpr);
        ctx.fillStyle = c.axis;
        ctx.fillText(text, 4 * dpr, py - 2 * dpr);
      }

      if (this.cursor !== null && this.cursor >= v0 && this.cursor <= v1) {
        ctx.strokeStyle = c.axis;
        ctx.lineWidth = dpr;
        ctx.setLineDash([4 * dpr, 3 * dpr]);
        ctx.beginPath();
        ctx.moveTo(x(this.cursor), top);
        ctx.lineTo(x(this.cursor), bottom);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      if (this.selection) {
        const [a, b] = this.selection;
        ctx.fillStyle = c.select;
        ctx.fillRect(Math.min(a, b), top, Math.abs(b - a), plotH);
      }
      this.describe(data);
    }

    describe(data) {
      const now = performance.now();
      if (this.live && now - (this.describedAt || 0) < 1000) return;
      this.describedAt = now;
      const [v0, v1] = this.view;
      let text = "Spectrum " + RS.fmt.mhz(v0, 1) + " to " + RS.fmt.mhz(v1, 1);
      if (data && data.freqs.length) {
        let best = -Infinity;
        let at = NaN;
        for (let i = 0; i < data.freqs.length; i++) {
          const f = data.freqs[i];
          if (f >= v0 && f <= v1 && data.peak[i] > best) {
            best = data.peak[i];
            at = f;
          }
        }
        if (Number.isFinite(best)) text += ". Strongest " + RS.fmt.dbfs(best) + " at " + RS.fmt.mhz(at) + ".";
      } else {
        text += ": no data yet.";
      }
      if (this.markers.length) text += " " + this.markers.length + " signals marked.";
      this.canvas.setAttribute("aria-label", text);
    }

    /** The level nearest a frequency (for the tap read-out). */
    valueAt(freq) {
      const data = this.series();
      if (!data || !data.freqs.length) return null;
      const [v0, v1] = this.view;
      const halfPixel = ((v1 - v0) / this.canvas.width) * 3 * this.dpr;
      const i0 = lowerBound(data.freqs, freq - halfPixel);
      const i1 = lowerBound(data.freqs, freq + halfPixel);
      let best = -Infinity;
      let at = freq;
      for (let i = Math.max(0, i0 - 1); i < Math.min(data.freqs.length, i1 + 1); i++) {
        if (data.peak[i] > best) {
          best = data.peak[i];
          at = data.freqs[i];
        }
      }
      return Number.isFinite(best) ? { freq: at, level: best } : null;
    }

    // ---- input ---------------------------------------------------------------------------------

    freqAt(clientX) {
      const rect = this.canvas.getBoundingClientRect();
      const [v0, v1] = this.view;
      return v0 + ((clientX - rect.left) / rect.width) * (v1 - v0);
    }

    bindInput() {
      const canvas = this.canvas;
      canvas.addEventListener("pointerdown", (e) => {
        canvas.setPointerCapture(e.pointerId);
        this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, x0: e.clientX });
        if (this.pointers.size === 1) {
          this.gesture = { kind: "tap", x0: e.clientX, f0: this.freqAt(e.clientX) };
        } else if (this.pointers.size === 2) {
          const [a, b] = [...this.pointers.values()];
          const mid = (a.x + b.x) / 2;
          this.selection = null;
          this.gesture = {
            kind: "pinch",
            d0: Math.max(20, Math.abs(a.x - b.x)),
            anchor: this.freqAt(mid),
            view0: [...this.view],
            frac: (mid - canvas.getBoundingClientRect().left) / canvas.getBoundingClientRect().width,
          };
        }
      });
      canvas.addEventListener("pointermove", (e) => {
        const p = this.pointers.get(e.pointerId);
        if (!p || !this.gesture) return;
        p.x = e.clientX;
        p.y = e.clientY;
        const g = this.gesture;
        if (g.kind === "pinch" && this.pointers.size >= 2) {
          const [a, b] = [...this.pointers.values()];
          const d = Math.max(20, Math.abs(a.x - b.x));
          const span = ((g.view0[1] - g.view0[0]) * g.d0) / d;
          this.setView(g.anchor - g.frac * span, g.anchor + (1 - g.frac) * span);
          return;
        }
        if (g.kind === "tap" && Math.abs(e.clientX - g.x0) > TAP_SLOP_PX) g.kind = "select";
        if (g.kind === "select") {
          const rect = canvas.getBoundingClientRect();
          const k = canvas.width / rect.width;
          this.selection = [(g.x0 - rect.left) * k, (e.clientX - rect.left) * k];
          this.requestDraw();
        }
      });
      const end = (e, cancelled) => {
        this.pointers.delete(e.pointerId);
        const g = this.gesture;
        if (!g || this.pointers.size > 0) return;
        this.gesture = null;
        const sel = this.selection;
        this.selection = null;
        if (cancelled) {
          this.requestDraw();
          return;
        }
        if (g.kind === "select" && sel && Math.abs(sel[1] - sel[0]) >= 12 * this.dpr) {
          const f1 = this.freqAt(e.clientX);
          this.setView(Math.min(g.f0, f1), Math.max(g.f0, f1));
        } else if (g.kind === "tap") {
          const now = performance.now();
          if (now - this.lastTap < 350) {
            this.lastTap = 0;
            this.resetView();
          } else {
            this.lastTap = now;
            this.tapAt(g.f0);
          }
        } else {
          this.requestDraw();
        }
      };
      canvas.addEventListener("pointerup", (e) => end(e, false));
      canvas.addEventListener("pointercancel", (e) => end(e, true));
      canvas.addEventListener(
        "wheel",
        (e) => {
          if (!e.ctrlKey && Math.abs(e.deltaY) < Math.abs(e.deltaX)) return;
          e.preventDefault();
          this.zoomAround(this.freqAt(e.clientX), e.deltaY > 0 ? 1.5 : 1 / 1.5);
        },
        { passive: false },
      );
      canvas.addEventListener("keydown", (e) => {
        const [v0, v1] = this.view;
        const span = v1 - v0;
        const mid = (v0 + v1) / 2;
        if (e.key === "+" || e.key === "=") this.zoomAround(mid, 0.5);
        else if (e.key === "-") this.zoomAround(mid, 2);
        else if (e.key === "ArrowLeft") this.setView(v0 - span * 0.2, v1 - span * 0.2);
        else if (e.key === "ArrowRight") this.setView(v0 + span * 0.2, v1 + span * 0.2);
        else if (e.key === "0" || e.key === "Escape") this.resetView();
        else return;
        e.preventDefault();
      });
    }

    zoomAround(freq, factor) {
      const [v0, v1] = this.view;
      const frac = (freq - v0) / (v1 - v0);
      const span = (v1 - v0) * factor;
      this.setView(freq - frac * span, freq + (1 - frac) * span);
    }

    tapAt(freq) {
      const hit = this.valueAt(freq);
      this.cursor = hit ? hit.freq : freq;
      this.draw();
      if (this.options.oncursor) this.options.oncursor(hit);
    }
  }

  RS.SpectrumChart = SpectrumChart;
})();
