"""Benchmark of ``make demo`` (issue 13's target: three months at scale 0.1 under 3 minutes on the
2-core machine once ``.venv`` exists), with a peer checkout timed in the same run.

Usage (under ``flock /tmp/bench.lock`` on a shared machine)::

    .venv/bin/python benchmarks/bench_demo.py
    # beside another checkout (its own .venv must exist: `make -C DIR venv`), alternating order
    git worktree add --detach /tmp/popqa-peer 4900923 && make -C /tmp/popqa-peer venv
    .venv/bin/python benchmarks/bench_demo.py --peer /tmp/popqa-peer --pairs 2

Each run is ``make demo OUT=<temporary folder>`` in the checkout, so nothing of ``out/demo`` is
touched. Prints one JSON line per run: the wall seconds of the whole command and, from the files
it wrote, each audit's stage seconds (its manifest) and the report step's reports seconds (the
site manifest); with ``--peer``, the ratio of the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def run_demo(checkout: Path) -> dict:
    """``make demo`` in ``checkout`` into a temporary folder; its wall seconds and per-step timings."""
    with tempfile.TemporaryDirectory(prefix="popqa-demo-") as tmp:
        out = Path(tmp) / "demo"
        t0 = time.perf_counter()
        proc = subprocess.run(["make", "-C", str(checkout), "demo", f"OUT={out}"], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        rec: dict = {"checkout": str(checkout), "wall_s": round(wall, 1), "returncode": proc.returncode}
        if proc.returncode:
            rec["stderr"] = proc.stderr[-2000:]
            return rec
        audits = {}
        for m in sorted((out / "results" / ".popqa" / "audits").glob("*/*/manifest.json")):
            man = json.loads(m.read_text(encoding="utf-8"))
            audits[man["period"]] = {k: round(v, 1) for k, v in man["timings"].items() if isinstance(v, int | float)}
        rec["audits"] = audits
        site = json.loads((out / "site" / "manifest.json").read_text(encoding="utf-8"))
        rec["reports_s"] = site.get("timings", {}).get("reports_seconds")
        rec["reports"] = len(site.get("districts", []))
        rec["failed_reports"] = [r["district"] for r in site.get("districts", []) if r.get("status") != "ok"]
        return rec


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer", type=Path, default=None, help="another checkout timed in the same run")
    ap.add_argument("--pairs", type=int, default=1, help="runs of each checkout (order alternating)")
    args = ap.parse_args()
    runs: dict[str, list[float]] = {"this": [], "peer": []}
    for i in range(args.pairs):
        order = [("this", ROOT)] + ([("peer", args.peer.resolve())] if args.peer else [])
        if i % 2:
            order.reverse()
        for name, checkout in order:
            rec = run_demo(checkout)
            rec["which"] = name
            print(json.dumps(rec, ensure_ascii=False), flush=True)
            if rec["returncode"]:
                return 1
            runs[name].append(rec["wall_s"])
    summary = {"this_median_s": statistics.median(runs["this"])}
    if runs["peer"]:
        summary["peer_median_s"] = statistics.median(runs["peer"])
        summary["ratio"] = round(summary["this_median_s"] / summary["peer_median_s"], 3)
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
