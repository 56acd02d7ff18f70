"""Small helpers shared by the benchmark scripts (timing, machine facts, result files)."""

from __future__ import annotations

import json
import os
import platform
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def best_of(func: Callable[[], object], repeats: int) -> float:
    """Fastest wall time of ``repeats`` runs: the least disturbed by the rest of the machine."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t0)
    return best


def machine() -> dict[str, object]:
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
    }


def save(name: str, result: dict) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **result}, indent=2))
    return path


def api_request(base_url: str, secret: str, path: str, method: str = "GET", body: dict | None = None):
    """A request to the daemon's API with the admin secret as bearer token."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base_url}{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {secret}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    return request


def api(base_url: str, secret: str, path: str, method: str = "GET", body: dict | None = None, timeout: float = 5):
    """Call the API and decode its JSON answer (None for an empty body)."""
    with urllib.request.urlopen(api_request(base_url, secret, path, method, body), timeout=timeout) as response:
        return json.loads(response.read() or b"null")


def session_from(address: str):
    """A requests session whose connections leave from ``address`` (a 127.x.y.z on loopback):
    each load client is its own phone, as it would be on the hotspot, so the server's
    per-address connection cap (``webui/server.py``) treats them as it treats guests."""
    import requests
    from requests.adapters import HTTPAdapter

    class _FromAddress(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = (address, 0)
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    session.mount("http://", _FromAddress())
    return session
