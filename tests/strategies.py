"""Hypothesis strategies shared by the property and fuzz tests."""

from __future__ import annotations

from hypothesis import strategies as st


def json_values(*, allow_nan: bool) -> st.SearchStrategy:
    """Any JSON-like value (nested lists and objects), for fields that must refuse the wrong type."""
    return st.recursive(
        st.none() | st.booleans() | st.floats(allow_nan=allow_nan) | st.integers() | st.text(max_size=10),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=5),
        max_leaves=20,
    )
