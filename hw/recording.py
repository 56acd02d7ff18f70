"""Reading IQ recordings: raw interleaved files (cu8/cs8/cs16/cf32) and SigMF.

Sample rate and centre frequency come, in order of preference, from the caller, from SigMF
metadata, or from an rtl_433-style file name such as ``g001_433.92M_250k.cu8``.
Anything unusable raises :class:`RecordingError` with a one-line reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dsp import iq as iqmod
from hw.errors import RecordingError
from hw.files import atomic_write_bytes

MAX_RATE_HZ = 100e6  # no receiver this appliance talks to samples faster
MIN_SAMPLES = 1024

# SigMF core:datatype -> our raw format name
_SIGMF_TYPES = {"cu8": "cu8", "ci8": "cs8", "ci16_le": "cs16", "cf32_le": "cf32"}
_FORMAT_TO_SIGMF = {v: k for k, v in _SIGMF_TYPES.items()}
# File suffixes rtl_433 and others use, beyond our own format names.
_SUFFIX_ALIASES = {
    ".cu8": "cu8",
    ".cs8": "cs8",
    ".cs16": "cs16",
    ".cf32": "cf32",
    ".complex16u": "cu8",
    ".complex16s": "cs8",
    ".cfile": "cf32",
    ".fc32": "cf32",
    ".sc16": "cs16",
}
_NAME_RE = re.compile(r"_(?P<freq>\d+(?:\.\d+)?)M_(?P<rate>\d+(?:\.\d+)?)(?P<unit>[kM])(?:sps)?(?=\.|_|$)")


@dataclass(frozen=True)
class Recording:
    """A recording's raw samples (memory-mapped) and what is known about them."""

    path: Path
    format: str
    rate_hz: float
    center_hz: float | None
    raw: np.ndarray  # interleaved, dtype of ``format``

    @property
    def n_samples(self) -> int:
        return self.raw.size // 2

    @property
    def seconds(self) -> float:
        return self.n_samples / self.rate_hz


def parse_name(name: str) -> tuple[float | None, float | None]:
    """(centre_hz, rate_hz) from an rtl_433-style name, or ``None`` for what is not there."""
    match = _NAME_RE.search(Path(name).name)
    if not match:
        return None, None
    unit = 1e3 if match["unit"] == "k" else 1e6
    return float(match["freq"]) * 1e6, float(match["rate"]) * unit


def format_from_suffix(path: Path) -> str | None:
    """The raw format a file suffix implies, if any."""
    return _SUFFIX_ALIASES.get(path.suffix.lower())


def sigmf_meta_path(path: Path) -> Path | None:
    """The ``.sigmf-meta`` beside a SigMF data or meta file, if this is a SigMF recording."""
    if path.name.endswith(".sigmf-meta"):
        return path
    if path.name.endswith(".sigmf-data"):
        return path.with_name(path.name[: -len(".sigmf-data")] + ".sigmf-meta")
    return None


def load(
    path: str | Path,
    *,
    fmt: str | None = None,
    rate_hz: float | None = None,
    center_hz: float | None = None,
) -> Recording:
    """Open a recording; explicit arguments override what the file says about itself."""
    path = Path(path)
    meta = sigmf_meta_path(path)
    if meta is not None:
        return _load_sigmf(meta, fmt=fmt, rate_hz=rate_hz, center_hz=center_hz)
    if fmt is None:
        fmt = format_from_suffix(path)
        if fmt is None:
            raise RecordingError(
                f"{path.name}: cannot tell the sample format from the name; pass --format ({'|'.join(iqmod.FORMATS)})"
            )
    name_center, name_rate = parse_name(path.name)
    rate = rate_hz if rate_hz is not None else name_rate
    if rate is None:
        raise RecordingError(f"{path.name}: sample rate unknown; pass --rate HZ or use a name like x_433.92M_250k.cu8")
    center = center_hz if center_hz is not None else name_center
    return _open_raw(path, path, fmt, rate, center)


def _load_sigmf(meta_path: Path, *, fmt: str | None, rate_hz: float | None, center_hz: float | None) -> Recording:
    try:
        meta = json.loads(meta_path.read_text())
    except FileNotFoundError:
        raise RecordingError(f"{meta_path.name}: SigMF metadata file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordingError(f"{meta_path.name}: unreadable SigMF metadata ({exc})") from None
    try:
        from sigmf import validate as sigmf_validate

        sigmf_validate.validate(meta)
    except Exception as exc:  # the sigmf package raises several types for invalid metadata
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RecordingError(f"{meta_path.name}: invalid SigMF metadata: {first_line}") from None
    glob = meta.get("global", {})
    datatype = glob.get("core:datatype", "")
    if fmt is None:
        fmt = _SIGMF_TYPES.get(datatype)
        if fmt is None:
            raise RecordingError(
                f"{meta_path.name}: SigMF datatype {datatype!r} not supported (use one of {', '.join(_SIGMF_TYPES)})"
            )
    if glob.get("core:num_channels", 1) != 1:
        raise RecordingError(f"{meta_path.name}: only single-channel SigMF recordings are supported")
    rate = rate_hz if rate_hz is not None else glob.get("core:sample_rate")
    if rate is None:
        raise RecordingError(f"{meta_path.name}: no core:sample_rate in metadata; pass --rate HZ")
    captures = meta.get("captures") or [{}]
    center = center_hz if center_hz is not None else captures[0].get("core:frequency")
    data_path = meta_path.with_name(meta_path.name[: -len(".sigmf-meta")] + ".sigmf-data")
    return _open_raw(data_path, meta_path, fmt, float(rate), None if center is None else float(center))


def _open_raw(data_path: Path, shown: Path, fmt: str, rate: float, center: float | None) -> Recording:
    if fmt not in iqmod.SAMPLE_DTYPES:
        raise RecordingError(f"{shown.name}: unknown format {fmt!r}; expected one of {', '.join(iqmod.FORMATS)}")
    if not (np.isfinite(rate) and 0 < rate <= MAX_RATE_HZ):
        raise RecordingError(f"{shown.name}: impossible sample rate {rate:g} Hz (must be > 0 and <= {MAX_RATE_HZ:g})")
    if center is not None and not (np.isfinite(center) and 0 <= center < 100e9):
        raise RecordingError(f"{shown.name}: impossible centre frequency {center:g} Hz")
    if not data_path.is_file():
        raise RecordingError(f"{data_path}: no such file")
    size = data_path.stat().st_size
    dtype = iqmod.SAMPLE_DTYPES[fmt]
    frame = 2 * dtype.itemsize
    if size % frame:
        raise RecordingError(
            f"{data_path.name}: {size} bytes is not a whole number of {fmt} samples "
            f"({frame} bytes each): truncated or wrong --format"
        )
    if size // frame < MIN_SAMPLES:
        raise RecordingError(f"{data_path.name}: only {size // frame} samples; at least {MIN_SAMPLES} are needed")
    try:
        raw = np.memmap(data_path, dtype=dtype, mode="r")
    except (OSError, ValueError) as exc:
        raise RecordingError(f"{data_path.name}: cannot read ({exc})") from None
    if fmt == "cf32" and not np.all(np.isfinite(raw[: min(raw.size, 1 << 20)])):
        raise RecordingError(f"{data_path.name}: contains NaN or infinite values: not cf32 data?")
    return Recording(path=data_path, format=fmt, rate_hz=rate, center_hz=center, raw=raw)


def write_sigmf(
    base: str | Path,
    raw: np.ndarray,
    *,
    rate_hz: float,
    center_hz: float,
    description: str,
    annotations: list[dict] | None = None,
    extra_global: dict | None = None,
) -> Path:
    """Write ``base.sigmf-data`` + ``base.sigmf-meta`` atomically; returns the meta path.

    ``annotations`` are SigMF annotation dicts (``core:sample_start`` etc.).
    """
    base = Path(base)
    fmt = iqmod.format_of(np.asarray(raw))
    meta = {
        "global": {
            "core:datatype": _FORMAT_TO_SIGMF[fmt],
            "core:sample_rate": float(rate_hz),
            "core:version": "1.0.0",
            "core:description": description,
            "core:recorder": "roomsweep",
            **(extra_global or {}),
        },
        "captures": [{"core:sample_start": 0, "core:frequency": float(center_hz)}],
        "annotations": annotations or [],
    }
    atomic_write_bytes(base.with_name(base.name + ".sigmf-data"), np.ascontiguousarray(raw).tobytes())
    meta_path = base.with_name(base.name + ".sigmf-meta")
    atomic_write_bytes(meta_path, json.dumps(meta, indent=2).encode())
    return meta_path
