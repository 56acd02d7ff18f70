/* The live event stream (/api/events) with recovery: the browser retries a dropped stream by
   itself; a refused one (503: too many phones, 401: logged out) is retried here with back-off,
   and while no stream is open the session's status is polled so the page never shows a stale
   state. Handlers get parsed event data: state, progress, hop, emitter, finding, result,
   tracking, error, gap, prompt (the Wi-Fi "lights" test asking the user to switch the room light). */
(function () {
  "use strict";
  const RS = window.RS;
  const TYPES = ["state", "progress", "hop", "emitter", "finding", "result", "tracking", "error", "gap", "prompt"];

  class Live {
    constructor(handlers) {
      this.handlers = handlers;
      this.source = null;
      this.retryMs = 1000;
      this.retryTimer = null;
      this.pollTimer = null;
      this.downSince = null;
      this.closed = false;
      this.connect();
      window.addEventListener("pagehide", () => this.close());
      window.addEventListener("pageshow", (event) => {
        if (event.persisted) {
          this.closed = false;
          this.connect(); // back from the bfcache: the old stream is gone
        }
      });
    }

    connect() {
      if (this.closed) return;
      const source = new EventSource("/api/events");
      this.source = source;
      for (const type of TYPES) {
        source.addEventListener(type, (event) => this.dispatch(type, event));
      }
      source.addEventListener("open", () => {
        this.retryMs = 1000;
        this.stopPolling();
        if (this.downSince !== null) {
          this.downSince = null;
          RS.dismiss("live");
          if (this.handlers.reconnected) this.handlers.reconnected();
        }
      });
      source.addEventListener("error", () => this.dropped());
    }

    dispatch(type, event) {
      const handler = this.handlers[type];
      if (!handler) return;
      let data;
      try {
        data = JSON.parse(event.data);
      } catch (err) {
        return; // a torn message; the next one will do
      }
      handler(data);
    }

    dropped() {
      if (this.closed) return;
      if (this.downSince === null) this.downSince = performance.now();
      this.startPolling();
      if (this.source && this.source.readyState === EventSource.CLOSED) {
        // refused (503 / 401) or the server went away: the browser gave up, so we retry
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 10000);
      }
      setTimeout(() => {
        if (this.downSince !== null && !this.closed) {
          RS.banner("warn", "Live view interrupted", "Reconnecting to the device…", "live");
        }
      }, 2500);
    }

    startPolling() {
      if (this.pollTimer || !this.handlers.poll) return;
      this.pollTimer = setInterval(() => this.handlers.poll(), 2000);
    }

    stopPolling() {
      clearInterval(this.pollTimer);
      this.pollTimer = null;
    }

    close() {
      this.closed = true;
      clearTimeout(this.retryTimer);
      this.stopPolling();
      if (this.source) this.source.close();
    }
  }

  RS.Live = Live;
})();
