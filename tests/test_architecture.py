"""The house rules that keep one judge and one hardware choice, checked on the source itself.

- dependencies point webui -> appliance -> dsp, hw; dsp imports no hardware and does no I/O;
- the browser renders verdicts, it never makes them: no suspect line, rise or matching tolerance
  in webui/static/js;
- "real or simulated" is decided in appliance/rig.py only (and read from flags by the commands).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("appliance", "dsp", "hw", "webui")
MAY_IMPORT = {
    "dsp": {"dsp"},
    "hw": {"hw", "dsp"},
    "appliance": {"appliance", "dsp", "hw"},
    "webui": {"webui", "appliance", "dsp", "hw"},
}


def sources(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("package", PACKAGES)
def test_dependencies_point_one_way(package):
    ours = set(PACKAGES)
    for path in sources(package):
        wrong = (imported_packages(path) & ours) - MAY_IMPORT[package]
        assert not wrong, f"{path.relative_to(REPO)} imports {sorted(wrong)}"


def test_dsp_does_no_io_and_reads_no_clock():
    forbidden = re.compile(r"\b(open\(|Path\(|time\.(time|monotonic|perf_counter|sleep)\(|socket|subprocess)")
    for path in sources("dsp"):
        text = path.read_text(encoding="utf-8")
        assert not forbidden.search(text), f"{path.relative_to(REPO)}: {forbidden.search(text).group(0)}"


def test_the_javascript_decides_nothing():
    """Suspect line, baseline rise and frequency tolerance live in Python (appliance/report.py, baseline.py)."""
    rules = re.compile(r"SUSPECT|RISE_DB|CHANGE_DB|tolerance|camera_score[^;\n]*[<>]=?|matchEmitters|150e3")
    for path in sorted((REPO / "webui" / "static" / "js").glob("*.js")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            assert not rules.search(line), f"{path.name}:{n}: {line.strip()}"


def test_the_suspect_line_is_written_once():
    definitions = [
        path
        for package in PACKAGES
        for path in sources(package)
        if re.search(r"^SUSPECT_SCORE\s*=", path.read_text(encoding="utf-8"), re.M)
    ]
    assert [p.relative_to(REPO).as_posix() for p in definitions] == ["dsp/classify.py"]
    for package in ("appliance", "webui"):
        for path in sources(package):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"(camera_score|score)\"?\]?\)?\s*>=\s*0\.5", text), path.relative_to(REPO)


def test_only_the_rig_chooses_real_or_simulated_hardware():
    """Flag parsing may name --simulate; nothing else below the composition root branches on it."""
    allowed = {"appliance/rig.py", "webui/serve.py"}
    for package in ("appliance", "webui"):
        for path in sources(package):
            rel = path.relative_to(REPO).as_posix()
            if rel in allowed or rel.startswith("appliance/commands/"):
                continue
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"\bsimulate\b", text), f"{rel} reads 'simulate'"
            assert "hw.sim" not in text, f"{rel} imports the simulated devices itself"
