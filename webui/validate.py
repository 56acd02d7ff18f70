"""Request validation for the JSON API: malformed input is a 400 with a message, never a 500."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import request

from dsp import plan as planmod

MAX_ID = 2**53 - 1  # ids stay exact in JavaScript


class RequestError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


MAX_JSON_DEPTH = 32  # the deepest body the API takes is 3 levels


def json_object(*, allow_empty: bool = True) -> dict[str, Any]:
    """The request body as a JSON object (an empty body counts as {} when allowed).

    A body in any other content type is refused (415), never read as "no body"; every parse
    failure, a body nested too deep for the parser included, is a 400 with a message.
    """
    if request.content_type and not request.is_json:
        raise RequestError("send JSON (Content-Type: application/json)", 415)
    raw = request.get_data(cache=True)
    if not raw.strip():
        if allow_empty:
            return {}
        raise RequestError("a JSON object body is required")
    if not request.is_json:
        raise RequestError("send JSON (Content-Type: application/json)", 415)
    if _depth_exceeds(raw, MAX_JSON_DEPTH):
        raise RequestError(f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise RequestError(f"the body is not valid JSON ({str(exc)[:80]})") from None
    if not isinstance(body, dict):
        raise RequestError("the body must be a JSON object")
    return body


def _depth_exceeds(raw: bytes, limit: int) -> bool:
    """True when brackets outside strings nest deeper than ``limit`` (checked before parsing)."""
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def only_keys(body: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise RequestError(f"unknown field {unknown[0]!r} (allowed: {', '.join(sorted(allowed)) or 'none'})")


def number(
    body: dict[str, Any], key: str, *, lo: float | None = None, hi: float | None = None, required: bool = False
) -> float | None:
    if key not in body:
        if required:
            raise RequestError(f"{key} is required")
        return None
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RequestError(f"{key} must be a number")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise RequestError(f"{key} must be between {lo:g} and {hi:g}")
    return float(value)


def integer(body: dict[str, Any], key: str, *, lo: int = 0, hi: int = MAX_ID, required: bool = False) -> int | None:
    if key not in body:
        if required:
            raise RequestError(f"{key} is required")
        return None
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestError(f"{key} must be an integer")
    if not lo <= value <= hi:
        raise RequestError(f"{key} must be between {lo} and {hi}")
    return value


def text(body: dict[str, Any], key: str, *, max_len: int = 200, required: bool = False) -> str | None:
    if key not in body:
        if required:
            raise RequestError(f"{key} is required")
        return None
    value = body[key]
    if not isinstance(value, str) or len(value) > max_len:
        raise RequestError(f"{key} must be text of at most {max_len} characters")
    return value


def flag(body: dict[str, Any], key: str) -> bool | None:
    if key not in body:
        return None
    if not isinstance(body[key], bool):
        raise RequestError(f"{key} must be true or false")
    return body[key]


def frequency_ranges(body: dict[str, Any], key: str, *, lo: float, hi: float) -> tuple[tuple[float, float], ...]:
    """``[{"lo_hz": .., "hi_hz": ..}, ...]`` inside [lo, hi]; each pair is put in order and a
    zero-width one means "just this frequency"."""
    items = body[key]
    if not isinstance(items, list) or not 1 <= len(items) <= 8:
        raise RequestError(f"{key} must be a list of 1 to 8 {{lo_hz, hi_hz}} objects")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise RequestError(f"{key}[{i}] must be an object with lo_hz and hi_hz")
        only_keys(item, {"lo_hz", "hi_hz"})
        a = number(item, "lo_hz", lo=lo, hi=hi, required=True)
        b = number(item, "hi_hz", lo=lo, hi=hi, required=True)
        a, b = min(a, b), max(a, b)
        if b - a < 1e3:
            a, b = max(lo, a - 5e3), min(hi, b + 5e3)
        out.append((a, b))
    return planmod.merge_ranges(out)


def query_int(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RequestError(f"query parameter {name} must be an integer") from None
    if not lo <= value <= hi:
        raise RequestError(f"query parameter {name} must be between {lo} and {hi}")
    return value


def query_float(name: str, default: float | None, lo: float, hi: float) -> float | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise RequestError(f"query parameter {name} must be a number") from None
    if not math.isfinite(value) or not lo <= value <= hi:
        raise RequestError(f"query parameter {name} must be between {lo:g} and {hi:g}")
    return value
