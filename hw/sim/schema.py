"""Strict validation of scene documents: each key has a type, a default (or is required) and bounds;
unknown keys are an error with one line saying where."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hw.errors import SceneError

_MISSING = object()


@dataclass(frozen=True)
class Field:
    """One allowed key: its type, default (``_MISSING`` = required) and bounds."""

    kind: type | tuple[type, ...]
    default: Any = _MISSING
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] | None = None


NUMBER = (int, float)


def check(value: Any, spec: Field, where: str) -> Any:
    if isinstance(value, bool) and spec.kind is not bool and spec.kind != (bool,):
        raise SceneError(f"{where}: expected {_type_name(spec.kind)}, got {value!r}")
    if not isinstance(value, spec.kind):
        raise SceneError(f"{where}: expected {_type_name(spec.kind)}, got {type(value).__name__} {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise SceneError(f"{where}: must be a finite number, got {value!r}")
    if spec.choices is not None and value not in spec.choices:
        raise SceneError(f"{where}: {value!r} is not one of {', '.join(spec.choices)}")
    if spec.lo is not None and isinstance(value, NUMBER) and value < spec.lo:
        raise SceneError(f"{where}: {value!r} is below the minimum {spec.lo:g}")
    if spec.hi is not None and isinstance(value, NUMBER) and value > spec.hi:
        raise SceneError(f"{where}: {value!r} is above the maximum {spec.hi:g}")
    return value


def _type_name(kind: type | tuple[type, ...]) -> str:
    if kind == NUMBER:
        return "a number"
    names = {str: "a string", int: "an integer", bool: "true or false", list: "a list", dict: "an object"}
    return names.get(kind, str(kind)) if isinstance(kind, type) else "a value"


def fields(obj: Any, specs: dict[str, Field], where: str) -> dict[str, Any]:
    """Validate an object against ``specs``; fill defaults; reject unknown keys."""
    if not isinstance(obj, dict):
        raise SceneError(f"{where}: expected an object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - set(specs))
    if unknown:
        raise SceneError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(specs)})")
    out = {}
    for key, spec in specs.items():
        if key in obj:
            value = obj[key]
            out[key] = value if (value is None and spec.default is None) else check(value, spec, f"{where}.{key}")
        elif spec.default is _MISSING:
            raise SceneError(f"{where}: missing required key {key!r}")
        else:
            out[key] = list(spec.default) if isinstance(spec.default, list) else spec.default
    return out
