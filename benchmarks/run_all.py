"""Run every benchmark script in this folder that needs no input, one after another, at full scale.

Usage::

    .venv/bin/python benchmarks/run_all.py [--scale 1.0]

Each ``bench_*.py`` prints its own table; copy the figures into docs/benchmarks.md. The scripts in
:data:`BY_HAND` measure a register folder, a results folder or another checkout that you name (their
docstrings say how); they are listed at the end, not run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: scripts with their own defaults and no ``--scale``
NO_SCALE = ("bench_demo.py", "bench_labour.py", "bench_survey.py", "bench_textkeys.py")
#: scripts that measure a register folder, a results folder or another checkout named on the command line
BY_HAND = ("bench_blocking.py", "bench_blocking_growth.py", "bench_dedupe_after_scoring.py", "bench_em_pairs.py",
           "bench_extracts_scale.py",
           "bench_features_out_of_core.py", "bench_link_after_scoring.py", "bench_link_inputs.py",
           "bench_link_models.py", "bench_model_reuse.py", "bench_narrow.py", "bench_record_units.py",
           "bench_report_langs.py", "bench_reports.py",
           "bench_scale.py", "bench_spill.py")


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
        **{name: [] for name in NO_SCALE},
    }
    failed, by_hand = [], []
    for script in sorted(HERE.glob("bench_*.py")):
        if script.name in BY_HAND:
            by_hand.append(script.name)
            continue
        extra = special.get(script.name, ["--scale", args.scale])
        print(f"\n=== {script.name} {' '.join(extra)}", flush=True)
        rc = subprocess.call([sys.executable, str(script), *extra])
        if rc:
            failed.append(script.name)
    print(f"\nnot run (they need an input you name; see each docstring): {', '.join(by_hand)}")
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
