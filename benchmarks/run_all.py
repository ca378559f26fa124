"""Run every benchmark script in this folder, one after another, at full scale.

Usage::

    .venv/bin/python benchmarks/run_all.py [--scale 1.0]

Each ``bench_*.py`` prints its own table; copy the figures into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="1.0")
    args = ap.parse_args()
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name} (scale {args.scale})", flush=True)
        rc = subprocess.call([sys.executable, str(script), "--scale", args.scale])
        if rc:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
