"""A bounded store of recent frame records, per device: what a long Wi-Fi capture keeps in memory.

A busy channel brings thousands of records a second and a crowded building hundreds of devices; a
capture that kept everything would outgrow a 1 GB Pi. Records are filed under the station they
concern (its own transmissions; frames its access point sends to it), each station in a ring of at
most ``per_device`` records (the newest win), and at most ``max_devices`` stations are kept: a new one
pushes out the quietest (fewest bytes so far) — a streaming camera is never the quietest.
Pure numpy, no clock.
"""

from __future__ import annotations

import numpy as np

from dsp import frames as fr

MAX_DEVICES = 128
PER_DEVICE = 16_384  # ~45 s of a 4 Mbit/s camera; 640 kB a device, 80 MB at most in all


class _Ring:
    __slots__ = ("buf", "bytes", "count", "head", "wrapped")

    def __init__(self, capacity: int) -> None:
        self.buf = fr.empty(min(capacity, 256))
        self.count = 0  # records held
        self.head = 0  # next slot to write once the ring is full
        self.bytes = 0
        self.wrapped = False  # older records of this station have been overwritten

    def add(self, records: np.ndarray, capacity: int) -> None:
        self.bytes += int(records["length"].sum())
        self.wrapped |= len(records) > capacity
        records = records[-capacity:]
        if self.count + len(records) > len(self.buf) and len(self.buf) < capacity:
            grown = fr.empty(min(capacity, max(2 * len(self.buf), self.count + len(records))))
            grown[: self.count] = self.ordered()
            self.buf, self.head = grown, 0
        free = len(self.buf) - self.count
        if free >= len(records):  # still filling
            self.buf[self.count : self.count + len(records)] = records
            self.count += len(records)
            return
        if free:  # fill the rest, then wrap
            self.buf[self.count :] = records[:free]
            self.count = len(self.buf)
            records = records[free:]
        self.wrapped = True
        end = self.head + len(records)  # the ring is at capacity here, and records fit in it
        if end <= len(self.buf):
            self.buf[self.head : end] = records
        else:
            split = len(self.buf) - self.head
            self.buf[self.head :] = records[:split]
            self.buf[: end - len(self.buf)] = records[split:]
        self.head = end % len(self.buf)

    def ordered(self) -> np.ndarray:
        if self.count < len(self.buf):
            return self.buf[: self.count]
        return np.concatenate((self.buf[self.head :], self.buf[: self.head]))


class FrameWindow:
    """Recent records per station, bounded in devices and records (see the module's docstring)."""

    def __init__(self, *, max_devices: int = MAX_DEVICES, per_device: int = PER_DEVICE) -> None:
        if max_devices < 1 or per_device < 1:
            raise ValueError("a frame window needs room for at least one device and one record")
        self.max_devices = max_devices
        self.per_device = per_device
        self._rings: dict[int, _Ring] = {}
        self.evicted = 0  # times a station was pushed out, or left out as the quietest

    def __len__(self) -> int:
        return sum(r.count for r in self._rings.values())

    @property
    def devices(self) -> int:
        return len(self._rings)

    def add(self, batch: np.ndarray) -> None:
        """File a batch of records (time order) under their stations."""
        if len(batch) == 0:
            return
        keys = np.where(fr.downlink_mask(batch), batch["rx"], batch["tx"])
        keep = (keys != 0) & (keys != fr.BROADCAST)
        batch, keys = batch[keep], keys[keep]
        order = np.argsort(keys, kind="stable")
        keys, batch = keys[order], batch[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        for a, b in zip(starts, np.r_[starts[1:], len(keys)], strict=True):
            key = int(keys[a])
            ring = self._rings.get(key)
            if ring is None:
                if len(self._rings) >= self.max_devices:
                    quietest = min(self._rings, key=lambda k: self._rings[k].bytes)
                    self.evicted += 1
                    if int(batch["length"][a:b].sum()) <= self._rings[quietest].bytes:
                        continue  # the newcomer is the quietest: it is the one left out
                    del self._rings[quietest]
                ring = self._rings[key] = _Ring(self.per_device)
            ring.add(batch[a:b], self.per_device)

    def frames(self) -> np.ndarray:
        """What every station's ring still covers, in time order (what ``dsp.traffic.analyze`` reads).

        A busy station's ring reaches back less far than a quiet one's; records older than the
        newest of the overwritten rings' oldest records are left out, so every device is judged over
        the same span (a camera's rate is not spread over a minute it has no records for).
        """
        if not self._rings:
            return fr.empty(0)
        held = [r.ordered() for r in self._rings.values()]
        since = max((h["t"][0] for r, h in zip(self._rings.values(), held, strict=True) if r.wrapped), default=None)
        out = np.concatenate(held)
        if since is not None:
            out = out[out["t"] >= since]
        return out[np.argsort(out["t"], kind="stable")]
