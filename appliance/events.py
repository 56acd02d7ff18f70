"""Progress events from the session to its watchers (web UI streams, the CLI).

Publishing never blocks the sweep: each subscriber has a bounded queue; a subscriber that falls
behind loses its oldest events and is told how many (a ``gap`` event), after which it should
re-read the session's status.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

# Event types whose latest value a new subscriber gets first, so it starts from the present.
STICKY = ("state", "progress")


@dataclass(frozen=True)
class Event:
    seq: int
    type: str
    data: dict[str, Any]
    at: float = field(default_factory=time.time)


class Subscription:
    def __init__(self, bus: EventBus, maxlen: int) -> None:
        self._bus = bus
        self._queue: deque[Event] = deque()
        self._maxlen = maxlen
        self._dropped = 0
        self._cond = threading.Condition()
        self.closed = False

    def _put(self, event: Event) -> None:
        with self._cond:
            if len(self._queue) >= self._maxlen:
                self._queue.popleft()
                self._dropped += 1
            self._queue.append(event)
            self._cond.notify()

    def get(self, timeout: float | None = None) -> Event | None:
        """Next event, a ``gap`` event after losses, or None on timeout / close."""
        with self._cond:
            if not self._queue and not self.closed:
                self._cond.wait(timeout)
            if self._dropped:
                lost, self._dropped = self._dropped, 0
                return Event(seq=-1, type="gap", data={"lost": lost})
            return self._queue.popleft() if self._queue else None

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()
        self._bus._remove(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EventBus:
    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._latest: dict[str, Event] = {}

    def publish(self, type_: str, data: dict[str, Any]) -> Event:
        with self._lock:
            event = Event(seq=next(self._seq), type=type_, data=data)
            if type_ in STICKY:
                self._latest[type_] = event
            subs = list(self._subs)
        for sub in subs:
            sub._put(event)
        return event

    def subscribe(self, maxlen: int = 2000) -> Subscription:
        sub = Subscription(self, maxlen)
        with self._lock:
            latest = sorted(self._latest.values(), key=lambda e: e.seq)
            self._subs.append(sub)
        for event in latest:
            sub._put(event)
        return sub

    def close_all(self) -> None:
        """End every subscription (shutdown): their readers return at once."""
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            sub.close()

    def latest(self, type_: str) -> Event | None:
        with self._lock:
            return self._latest.get(type_)

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subs)
