"""A long fuzz run over the CLI's file inputs (analyze; glint): never a traceback.

Runs the property tests in tests/test_fuzz_cli.py with ``--scale`` times their usual number of
examples and reports how many inputs were tried and whether any crashed.
Usage: python -m benchmarks.fuzz_cli [--scale 50]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from benchmarks._common import save

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=50)
    args = ap.parse_args()
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_fuzz_cli.py",
            "--hypothesis-show-statistics",
        ],
        cwd=ROOT,
        env={**os.environ, "ROOMSWEEP_FUZZ_SCALE": str(args.scale)},
        capture_output=True,
        text=True,
    )
    tried = sum(int(line.split("-", 1)[1].split()[0]) for line in proc.stdout.splitlines() if " passing, " in line)
    elapsed = time.monotonic() - started
    print(proc.stdout[-3000:])
    print(f"fuzz: {tried} inputs in {elapsed:.0f} s, {'no crash' if proc.returncode == 0 else 'FAILURES'}")
    print(f"results: {save('fuzz_cli', {'inputs': tried, 'seconds': elapsed, 'ok': proc.returncode == 0})}")
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
