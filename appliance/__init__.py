"""Composition: sweep runners, session, storage, configuration, feedback and the CLI."""

from appliance.numba_cache import ensure_writable_cache

ensure_writable_cache()  # before anything imports Numba (appliance/numba_cache.py says why)
