"""Live progress as Server-Sent Events at /api/events.

Each open stream holds one waitress thread, so streams are capped (``web.max_streams``; the
pool is sized so the API keeps threads when every stream is open). A comment line goes out every
``SSE_HEARTBEAT_S`` so proxies and phones keep the connection and a dead client is noticed. A
stream whose page was closed (the phone moved to another page) gives its slot back within about
a second: waitress reports the disconnect (``waitress.client_disconnected``, with
``channel_request_lookahead`` >= 1), which the stream checks between events.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request, stream_with_context

from webui.security import appliance, json_error, login_required

bp = Blueprint("stream", __name__, url_prefix="/api")

DISCONNECT_CHECK_S = 1.0


class StreamSlots:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.open >= self.limit:
                return False
            self.open += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.open -= 1

    def holder(self) -> Callable[[], None]:
        """A give-back that counts once however often it is called (the stream's end and the
        response's close both call it; a stream closed before it started runs only the latter)."""
        once = threading.Lock()

        def release() -> None:
            if once.acquire(blocking=False):
                self.give_back()

        return release


def _slots() -> StreamSlots:
    slots = current_app.extensions.get("stream_slots")
    if slots is None:
        slots = current_app.extensions["stream_slots"] = StreamSlots(current_app.config["MAX_STREAMS"])
    return slots


def format_event(event_type: str, data: dict, seq: int | None = None) -> str:
    head = f"id: {seq}\n" if seq is not None and seq >= 0 else ""
    return f"{head}event: {event_type}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


@bp.get("/events")
@login_required
def events():
    if request.method == "HEAD":  # headers only: no stream, so no slot
        response = Response(mimetype="text/event-stream")
        response.headers["Cache-Control"] = "no-store"
        return response
    slots = _slots()
    if not slots.take():
        response = json_error(503, f"too many live streams open (limit {slots.limit}); close another tab")
        response.headers["Retry-After"] = "5"
        return response
    heartbeat = current_app.config["SSE_HEARTBEAT_S"]
    gone = request.environ.get("waitress.client_disconnected", lambda: False)
    subscription = appliance().session.events.subscribe()
    release = slots.holder()

    def generate():
        try:
            yield "retry: 2000\n\n"
            quiet_since = time.monotonic()
            while not subscription.closed and not gone():  # closed when the daemon shuts down
                event = subscription.get(timeout=min(heartbeat, DISCONNECT_CHECK_S))
                if event is not None:
                    yield format_event(event.type, event.data, event.seq)
                    quiet_since = time.monotonic()
                elif time.monotonic() - quiet_since >= heartbeat:
                    yield ": keep-alive\n\n"
                    quiet_since = time.monotonic()
        finally:
            subscription.close()
            release()

    response = Response(stream_with_context(generate()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"
    response.call_on_close(subscription.close)
    response.call_on_close(release)
    return response
