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
    # the arguments that give each script's documented figures at this scale
    special = {
        "bench_synth.py": ["--scales", f"0.01,0.1,{args.scale}", "--write"],
        # the side-by-side comparison runs at 5 %: vanilla Splink and recordlinkage take hours at
        # full scale; the scaling table goes to full scale with popqa alone
        "bench_linkage.py": ["--scale", "0.05", "--scaling", "100000,300000,1200000"],
    }
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        extra = special.get(script.name, ["--scale", args.scale])
        print(f"\n=== {script.name} {' '.join(extra)}", flush=True)
        rc = subprocess.call([sys.executable, str(script), *extra])
        if rc:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
