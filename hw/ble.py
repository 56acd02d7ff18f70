"""Bluetooth LE scanning: the :class:`BleScanner` protocol and its drivers.

- :class:`BleakScanner` — the Pi's adapter through BlueZ over D-Bus (``bleak``, imported inside the driver);
- :class:`AdvertLogReplay` — a recorded advertisement log (:func:`write_log` writes one), or a btsnoop
  capture (``btmon -w FILE`` during a scan; ``dsp.hci`` reads its LE advertising reports);
- ``hw.sim.ble.SimBle`` — the simulated room's ``ble`` block.

Every source yields :class:`Sighting` records: one advertisement (or scan response) heard, its fields parsed
into a :class:`dsp.ble.Advertisement`. A scan never connects to, pairs with or writes to a device: the
adapter scans actively (it asks each advertiser for its scan response, where names usually are), as every
phone does.

The log format (JSON lines, one sighting per line; blank lines are skipped)::

    {"t": 12.5, "address": "c4:de:e2:10:20:30", "address_type": "public", "rssi": -61, "adv": "020106..."}

``t`` in seconds on any clock (the replay starts at the first line's), ``address_type`` ``public`` /
``random`` / ``unknown`` (optional), ``rssi`` dBm or null, ``adv`` the AD structures as hex (advertisement
and scan response may be one run).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from dsp import ble, hci
from hw.errors import AdvertLogError, BleLost, BleUnavailable

NO_ADAPTER = "no Bluetooth adapter: BLE hints off"
SYSFS_BLUETOOTH = Path("/sys/class/bluetooth")
ADDRESS = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
ADDRESS_TYPES = ("public", "random", "unknown")
MAX_LOG_LINES = 1_000_000  # a log of a long scan in a crowded place; more is refused, not read into memory


@dataclass(frozen=True)
class Sighting:
    """One advertisement heard: when (the scanner's clock, s), from whom, how loud, what it said."""

    t: float
    address: str  # lower case, "c4:de:e2:10:20:30"
    rssi_dbm: int | None
    advert: ble.Advertisement
    address_type: str = "unknown"

    def to_json(self) -> dict[str, Any]:
        """The log line of this sighting (the fields re-encoded as AD structures)."""
        return {
            "t": round(self.t, 6),
            "address": self.address,
            "address_type": self.address_type,
            "rssi": self.rssi_dbm,
            "adv": ble.encode(self.advert).hex(),
        }


@runtime_checkable
class BleScanner(Protocol):
    """A receive-only source of BLE advertisements.

    ``scan(seconds)`` returns what was heard over the next ``seconds`` (blocking live and simulated, instant for
    a replay); ``exhausted`` is True once a replay has nothing left. A pulled adapter raises
    :class:`hw.errors.BleLost` from ``scan``.
    """

    name: str  # "hci0 (BlueZ)", "replay: room.jsonl", "simulated: hotel room"

    def scan(self, seconds: float) -> list[Sighting]:
        """The sightings of the next ``seconds``."""
        ...

    @property
    def exhausted(self) -> bool:
        """True when nothing will ever be heard again (end of a replay)."""
        ...

    def close(self) -> None:
        """Release the adapter or the file."""
        ...


def adapters(sysfs: Path | None = None) -> list[str]:
    """The kernel's Bluetooth controllers (``hci0``, ...), without asking BlueZ."""
    try:
        root = SYSFS_BLUETOOTH if sysfs is None else sysfs
        return sorted(p.name for p in root.iterdir() if re.fullmatch(r"hci\d+", p.name))
    except OSError:
        return []


def advert_from_bleak(data: Any) -> ble.Advertisement:
    """bleak's ``AdvertisementData`` as our :class:`dsp.ble.Advertisement` (flags and appearance it drops)."""
    return ble.Advertisement(
        local_name=data.local_name,
        tx_power_dbm=data.tx_power,
        manufacturer_data={int(k): bytes(v) for k, v in data.manufacturer_data.items()},
        service_uuids=[str(u).lower() for u in data.service_uuids],
        service_data={str(k).lower(): bytes(v) for k, v in data.service_data.items()},
    )


def _address_type(data: Any) -> str:
    """BlueZ's ``AddressType`` of the device, from the platform data bleak passes along."""
    try:
        props = data.platform_data[1]
        kind = str(props.get("AddressType", "unknown"))
    except (AttributeError, IndexError, TypeError):
        return "unknown"
    return kind if kind in ADDRESS_TYPES else "unknown"


class BleakScanner:
    """The Pi's Bluetooth adapter, scanning through BlueZ (``bleak``). ``adapter`` "" = BlueZ's default."""

    def __init__(self, adapter: str = "", *, sysfs: Path | None = None) -> None:
        present = adapters(sysfs)
        if not present or (adapter and adapter not in present):
            detail = f" ({adapter} not among {', '.join(present)})" if present else ""
            raise BleUnavailable(NO_ADAPTER + detail)
        try:
            import bleak  # noqa: F401  (the Pi extra; a missing library is "no BLE", not a crash)
        except ImportError:
            raise BleUnavailable("bleak is not installed (pip install 'roomsweep[pi]'): BLE hints off") from None
        self.adapter = adapter or present[0]
        self.name = f"{self.adapter} (BlueZ)"
        self._sysfs = sysfs

    @property
    def exhausted(self) -> bool:
        return False

    def scan(self, seconds: float) -> list[Sighting]:
        from bleak.exc import BleakError

        try:
            return asyncio.run(self._scan(seconds))
        except BleakError as exc:
            if self.adapter not in adapters(self._sysfs):
                raise BleLost(f"the Bluetooth adapter {self.adapter} went away mid-scan ({exc})") from None
            raise BleUnavailable(f"BlueZ refused the scan on {self.adapter}: {exc}") from None
        except (OSError, EOFError) as exc:  # no system bus, BlueZ not running, permission denied
            raise BleUnavailable(f"BlueZ is not reachable over D-Bus ({exc}): BLE hints off") from None

    async def _scan(self, seconds: float) -> list[Sighting]:
        from bleak import BleakScanner as Scanner

        heard: list[Sighting] = []

        def seen(device: Any, data: Any) -> None:
            heard.append(
                Sighting(time.time(), device.address.lower(), data.rssi, advert_from_bleak(data), _address_type(data))
            )

        # DuplicateData: every advert, not only the first of each device (the RSSI over the scan)
        scanner = Scanner(seen, bluez={"adapter": self.adapter, "filters": {"DuplicateData": True}})
        async with scanner:
            await asyncio.sleep(seconds)
        return heard

    def close(self) -> None:
        """Nothing held between scans: each scan opens and stops its own discovery session."""


def _field(obj: dict[str, Any], key: str, kinds: type | tuple[type, ...], where: str, *, optional: bool = False) -> Any:
    if key not in obj:
        if optional:
            return None
        raise AdvertLogError(f"{where}: missing {key!r}")
    value = obj[key]
    if (value is None and optional) or (isinstance(value, kinds) and not isinstance(value, bool)):
        return value
    raise AdvertLogError(f"{where}: {key!r} has the wrong type ({type(value).__name__})")


def parse_log_line(line: str, where: str) -> Sighting:
    """One log line as a sighting; :class:`AdvertLogError` says what is wrong and where."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise AdvertLogError(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise AdvertLogError(f"{where}: expected an object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - {"t", "address", "address_type", "rssi", "adv"})
    if unknown:
        raise AdvertLogError(f"{where}: unknown key {unknown[0]!r}")
    t = float(_field(obj, "t", (int, float), where))
    address = str(_field(obj, "address", str, where)).lower()
    if not ADDRESS.match(address):
        raise AdvertLogError(f"{where}: not a Bluetooth address: {obj['address']!r}")
    kind = _field(obj, "address_type", str, where, optional=True) or "unknown"
    if kind not in ADDRESS_TYPES:
        raise AdvertLogError(f"{where}: address_type {kind!r} is not one of {', '.join(ADDRESS_TYPES)}")
    rssi = _field(obj, "rssi", int, where, optional=True)
    text = _field(obj, "adv", str, where)
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise AdvertLogError(f"{where}: 'adv' is not hex") from None
    return Sighting(t, address, rssi, ble.parse(raw), kind)


class AdvertLogReplay:
    """A recorded advertisement log played back on its own clock: ``scan(s)`` gives the next ``s`` seconds."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = f"replay: {self.path.name}"
        self.warnings: list[str] = []  # a btsnoop capture cut mid-record: read up to the cut
        self._sightings = self._read()
        self._start = self._sightings[0].t if self._sightings else 0.0
        self._now = self._start
        self._next = 0

    def _read(self) -> list[Sighting]:
        try:
            with self.path.open("rb") as handle:
                if handle.read(len(hci.MAGIC)) == hci.MAGIC:
                    return self._read_btsnoop(self.path.read_bytes())
            with self.path.open(encoding="utf-8") as handle:
                lines = []
                for number, line in enumerate(handle, 1):
                    if number > MAX_LOG_LINES:
                        raise AdvertLogError(f"{self.path.name}: more than {MAX_LOG_LINES} lines")
                    if line.strip():
                        lines.append(parse_log_line(line, f"{self.path.name} line {number}"))
        except FileNotFoundError:
            raise AdvertLogError(f"{self.path}: no such advertisement log") from None
        except UnicodeDecodeError:
            raise AdvertLogError(f"{self.path.name}: not a text file (JSON lines expected)") from None
        except OSError as exc:
            raise AdvertLogError(f"{self.path}: cannot read ({exc.strerror or exc})") from None
        return sorted(lines, key=lambda s: s.t)

    def _read_btsnoop(self, blob: bytes) -> list[Sighting]:
        try:
            reports, self.warnings = hci.read_btsnoop(blob)
        except hci.CaptureError as exc:
            raise AdvertLogError(f"{self.path.name}: {exc}") from None
        sightings = [Sighting(r.t, r.address, r.rssi_dbm, ble.parse(r.data), r.address_type) for r in reports]
        return sorted(sightings, key=lambda s: s.t)

    @property
    def exhausted(self) -> bool:
        return self._next >= len(self._sightings)

    def scan(self, seconds: float) -> list[Sighting]:
        self._now += seconds
        out = []
        while self._next < len(self._sightings) and self._sightings[self._next].t < self._now:
            out.append(self._sightings[self._next])
            self._next += 1
        return out

    def close(self) -> None:
        """The log was read whole at open: nothing to release."""


def write_log(path: str | Path, sightings: Iterable[Sighting]) -> int:
    """Write ``sightings`` as an advertisement log (what :class:`AdvertLogReplay` reads); how many lines."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for sighting in sightings:
            handle.write(json.dumps(sighting.to_json(), separators=(",", ":")) + "\n")
            count += 1
    return count
