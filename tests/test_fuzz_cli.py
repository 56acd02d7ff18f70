"""Fuzzing `roomsweep analyze`: any file, any name, any flags -> exit 0 or a one-line exit 2.

A longer run: `python -m benchmarks.fuzz_cli`.
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.cli import main
from tests.conftest import RTL433
from tests.strategies import json_values as json_values_of

SCALE = float(os.environ.get("ROOMSWEEP_FUZZ_SCALE", "1"))  # benchmarks/fuzz_cli.py runs it longer


def examples(n: int) -> int:
    return max(1, int(n * SCALE))


SUFFIXES = [".cu8", ".cs8", ".cs16", ".cf32", ".bin", ".complex16u", ".sigmf-data", ".sigmf-meta", ""]
NAMES = st.one_of(
    st.sampled_from(["cap", "g001_433.92M_250k", "x_0M_0k", "x_1e400M_2.4M", "x_433.92M_0.0001k", "x_99999M_250k"]),
    # "." and ".." would name the directory itself, not a file (a harness error, not an input)
    st.text(alphabet="abcM_k0123456789.", min_size=1, max_size=20).filter(lambda s: s.strip(".") != ""),
)
FLAG_VALUES = st.sampled_from(["250k", "2.4M", "0", "-5", "nan", "inf", "1e12", "abc", "433.92M", "1G"])
flags = st.lists(
    st.one_of(
        st.tuples(st.just("--rate"), FLAG_VALUES),
        st.tuples(st.just("--center"), FLAG_VALUES),
        st.tuples(st.just("--format"), st.sampled_from(["cu8", "cs8", "cs16", "cf32", "wav"])),
        st.tuples(st.just("--json")),
    ),
    max_size=3,
)
json_values = json_values_of(allow_nan=False)
sigmf_meta = st.fixed_dictionaries(
    {},
    optional={
        "global": st.fixed_dictionaries(
            {},
            optional={
                "core:datatype": st.sampled_from(["cu8", "ci16_le", "cf32_le", "ri8", "bogus"]) | json_values,
                "core:sample_rate": st.floats(allow_nan=False) | json_values,
                "core:version": st.just("1.0.0") | json_values,
                "core:num_channels": st.integers(-1, 3) | json_values,
            },
        ),
        "captures": st.lists(st.fixed_dictionaries({}, optional={"core:frequency": json_values}), max_size=2)
        | json_values,
        "annotations": st.just([]) | json_values,
    },
)


def check(capsys, argv):
    code = main(argv)
    captured = capsys.readouterr()
    assert code in (0, 2), captured.err
    assert "Traceback" not in captured.err
    if code == 2:
        assert len(captured.err.strip().splitlines()) == 1, captured.err


@settings(max_examples=examples(120), deadline=None, suppress_health_check=list(HealthCheck))
@given(name=NAMES, suffix=st.sampled_from(SUFFIXES), content=st.binary(max_size=20_000), extra=flags)
def test_random_files_and_flags(tmp_path_factory, capsys, name, suffix, content, extra):
    path = tmp_path_factory.mktemp("fuzz") / f"{name}{suffix}"
    path.write_bytes(content)
    check(capsys, ["analyze", str(path), *[part for flag in extra for part in flag]])


@settings(max_examples=examples(60), deadline=None, suppress_health_check=list(HealthCheck))
@given(cut=st.integers(0, 524_288), flips=st.lists(st.integers(0, 524_287), max_size=20), which=st.integers(0, 10))
def test_damaged_real_captures(tmp_path_factory, capsys, cut, flips, which):
    source = sorted(RTL433.glob("*.cu8"))[which % 11]
    data = bytearray(source.read_bytes()[:cut])
    for i in flips:
        if i < len(data):
            data[i] ^= 0xFF
    path = tmp_path_factory.mktemp("cut") / source.name
    path.write_bytes(bytes(data))
    check(capsys, ["analyze", str(path), "--json"])


@settings(max_examples=examples(80), deadline=None, suppress_health_check=list(HealthCheck))
@given(meta=sigmf_meta, data=st.binary(min_size=0, max_size=8192))
def test_sigmf_metadata(tmp_path_factory, capsys, meta, data):
    folder = tmp_path_factory.mktemp("sigmf")
    (folder / "rec.sigmf-meta").write_text(json.dumps(meta))
    (folder / "rec.sigmf-data").write_bytes(data)
    check(capsys, ["analyze", str(folder / "rec.sigmf-meta")])


def _image_bytes(kind: str, width: int, height: int, seed: int) -> bytes:
    import io

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    mode = {"L": (height, width), "RGB": (height, width, 3), "RGBA": (height, width, 4)}
    array = rng.integers(0, 256, mode[kind], dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(array).save(out, format="PNG" if seed % 2 else "JPEG" if kind != "RGBA" else "PNG")
    return out.getvalue()


image_files = st.lists(
    st.one_of(
        st.builds(
            _image_bytes,
            st.sampled_from(["L", "RGB", "RGBA"]),
            st.integers(1, 96),
            st.integers(1, 64),
            st.integers(0, 2**16),
        ),
        st.binary(max_size=2000),
    ),
    min_size=0,
    max_size=5,
)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=list(HealthCheck))
@given(files=image_files, cut=st.lists(st.integers(0, 3000), max_size=5), as_json=st.booleans())
def test_glint_on_random_and_damaged_images(tmp_path_factory, capsys, files, cut, as_json):
    folder = tmp_path_factory.mktemp("glint")
    paths = []
    for i, data in enumerate(files):
        if i < len(cut) and cut[i] < len(data):
            data = data[: cut[i]]  # a truncated upload
        path = folder / f"img{i}.png"
        path.write_bytes(data)
        paths.append(str(path))
    code = main(["glint", *paths, *(["--json"] if as_json else [])])
    captured = capsys.readouterr()
    assert code in (0, 2), captured.err
    assert "Traceback" not in captured.err
    if code == 2:
        assert len(captured.err.strip().splitlines()) == 1, captured.err


@settings(max_examples=examples(25), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    size=st.tuples(st.integers(16, 160), st.integers(16, 120)),
    kinds=st.lists(st.sampled_from(["L", "RGB", "RGBA"]), min_size=2, max_size=6),
    seed=st.integers(0, 2**16),
)
def test_glint_on_pairs_of_matching_random_images(tmp_path_factory, capsys, size, kinds, seed):
    folder = tmp_path_factory.mktemp("pairs")
    paths = []
    for i, kind in enumerate(kinds[: len(kinds) // 2 * 2]):
        path = folder / f"img{i}.png"
        path.write_bytes(_image_bytes(kind, size[0], size[1], seed + i))
        paths.append(str(path))
    code = main(["glint", *paths, "--json"])
    captured = capsys.readouterr()
    assert code in (0, 2), captured.err
    assert "Traceback" not in captured.err
