"""The BLE scan: listen for a few seconds, one entry per advertiser with its names, makers, services, level
and hints (``dsp.ble.hints``), most telling first. The session's BLE stage and ``roomsweep ble`` both run it.

A hint is a reason to look closer, not a verdict: the document never makes a BLE device a suspect
(``report.ble_part``). Makers come from the Bluetooth SIG's company identifiers (``bluetooth-numbers``'
bundled copy) and, for a public address, the IEEE registry (``appliance.wifi_vendors``).
"""

from __future__ import annotations

import functools
import statistics
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from appliance import wifi_vendors
from dsp import ble
from hw.ble import BleScanner, Sighting
from hw.errors import BleError, BleUnavailable

STEP_S = 1.0  # the scan is read in slices this long: progress, cancel and a pulled adapter are noticed this fast
HINT_ORDER = {"camera": 0, "setup": 1, "platform": 2, "name": 3}


@functools.lru_cache(maxsize=1024)
def company_name(company: int) -> str | None:
    """The Bluetooth SIG's name for a company identifier, or None."""
    import bluetooth_numbers  # its tables load on first use

    return bluetooth_numbers.company.get(company)


@dataclass
class BleOutcome:
    """What a BLE scan heard; ``to_json`` is ``roomsweep ble --json`` and the document's BLE part before judging."""

    adapter: str
    seconds: float = 0.0
    adverts: int = 0
    devices: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    status: str = "complete"  # "partial": the adapter went away; "cancelled"

    def to_json(self) -> dict[str, Any]:
        return {
            "adapter": self.adapter,
            "seconds": round(self.seconds, 2),
            "adverts": self.adverts,
            "status": self.status,
            "problems": list(self.problems),
            "devices": self.devices,
        }


def describe(address: str, sightings: list[Sighting], start: float) -> dict[str, Any]:
    """One advertiser: everything it said over the scan merged, its level, its hints and the reasons."""
    advert = ble.Advertisement()
    for sighting in sightings:
        advert = advert.merge(sighting.advert)
    levels = [s.rssi_dbm for s in sightings if s.rssi_dbm is not None]
    kind = next((s.address_type for s in reversed(sightings) if s.address_type != "unknown"), "unknown")
    companies = [{"id": c, "name": company_name(c)} for c in sorted(advert.manufacturer_data)]
    # a random address has no registered maker; an unknown one may be either, so only "public" is looked up
    owner = wifi_vendors.vendor(address) if kind == "public" else None
    vendor = next((c["name"] for c in companies if c["name"]), None) or owner
    hints = ble.hints(advert)
    reasons = [h.reason for h in hints]
    if wifi_vendors.makes_camera_modules(vendor):
        reasons.append(f"made by {vendor}, whose chips are in many cheap cameras (and in plugs and bulbs)")
    return {
        "address": address,
        "address_type": kind,
        "name": advert.local_name,
        "vendor": vendor,
        "companies": companies,
        "services": [
            {"uuid": ble.short_uuid(u), "name": ble.SERVICE_NAMES.get(u)}
            for u in dict.fromkeys([*advert.service_uuids, *advert.service_data])
        ],
        "rssi_dbm": round(statistics.median(levels)) if levels else None,
        "rssi_max_dbm": max(levels) if levels else None,
        "tx_power_dbm": advert.tx_power_dbm,
        "adverts": len(sightings),
        "first_s": round(sightings[0].t - start, 2),
        "last_s": round(sightings[-1].t - start, 2),
        "hints": [h.to_json() for h in hints],
        "hint": bool(hints),
        "reasons": reasons,
        "problems": advert.problems,
    }


def rank_key(device: dict[str, Any]) -> tuple:
    """Hinted devices first (a declared camera, then set-up adverts, ...), then the loudest."""
    strongest = min((HINT_ORDER[h["kind"]] for h in device["hints"]), default=len(HINT_ORDER))
    return (strongest, -(device["rssi_dbm"] if device["rssi_dbm"] is not None else -999), device["address"])


def assess(sightings: list[Sighting], start: float | None = None) -> list[dict[str, Any]]:
    """Every advertiser heard, described and ranked."""
    if not sightings:
        return []
    begin = min(s.t for s in sightings) if start is None else start
    by_address: dict[str, list[Sighting]] = {}
    for sighting in sorted(sightings, key=lambda s: s.t):
        by_address.setdefault(sighting.address, []).append(sighting)
    return sorted((describe(a, group, begin) for a, group in by_address.items()), key=rank_key)


def survey(
    scanner: BleScanner,
    seconds: float,
    *,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
    keep: Callable[[list[Sighting]], None] | None = None,
) -> BleOutcome:
    """Scan for ``seconds`` in :data:`STEP_S` slices; a pulled adapter ends it partial with what was heard."""
    outcome = BleOutcome(adapter=scanner.name)
    heard: list[Sighting] = []
    done = 0.0
    while done < seconds and not scanner.exhausted:
        if cancel is not None and cancel.is_set():
            outcome.status = "cancelled"
            break
        step = min(STEP_S, seconds - done)
        try:
            batch = scanner.scan(step)
        except BleError as exc:
            if isinstance(exc, BleUnavailable) and done == 0:
                raise  # nothing heard yet: no adapter to speak of (the part is "off", not partial)
            outcome.problems.append(str(exc))
            outcome.status = "partial"
            break
        heard += batch
        if keep is not None:
            keep(batch)
        done += step
        if progress is not None:
            progress(min(1.0, done / seconds))
    outcome.seconds = done
    cut = list(getattr(scanner, "warnings", ()))  # a replayed capture cut mid-record
    if cut:
        outcome.problems += cut
        outcome.status = "partial" if outcome.status == "complete" else outcome.status
    outcome.adverts = len(heard)
    start = min((s.t for s in heard), default=0.0)
    outcome.devices = assess(heard, start)
    return outcome
