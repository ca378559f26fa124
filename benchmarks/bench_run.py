"""Benchmark of ``popqa run``: generate, audit (checks, dedupe, linkage, scorecard), render the site.

Targets (issue 5): full scale (1.2 M persons) under 5 minutes on 2 cores, of which
rendering the 9 district reports under 90 s.

Usage::

    .venv/bin/python benchmarks/bench_run.py --scale 1.0 [--workers 2] [--out benchmarks/out/run]

Generation of the synthetic province is timed apart and is not part of ``popqa run``
on real data. Prints a table of wall-clock seconds per stage and peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--out", default=str(HERE / "out" / "run"))
    args = ap.parse_args()

    from popqa.pipeline import audit, report
    from popqa.synth import generate_province

    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    prov = generate_province(scale=args.scale, seed=args.seed, period=args.period)
    prov.write(out / "data")
    t_gen = time.perf_counter() - t0
    persons = len(prov.register.persons)
    del prov

    t1 = time.perf_counter()
    res = audit(out / "data" / "register", args.period, out / "results")
    t_audit = time.perf_counter() - t1
    t2 = time.perf_counter()
    run = report(out / "results", out / "site", period=args.period, workers=args.workers, progress=False)
    t_report = time.perf_counter() - t2
    site_s = run.manifest["timings"]["reports_seconds"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    rows = [
        ("persons", f"{persons:,}"),
        ("generate + write (not part of run)", f"{t_gen:.1f} s"),
        *[(f"audit: {k}", f"{v:.1f} s") for k, v in res.timings.items()],
        (f"render {len(run.results)} district reports ({args.workers} workers)", f"{site_s:.1f} s"),
        ("report total (reports + site)", f"{t_report:.1f} s"),
        ("popqa run (audit + report)", f"{t_audit + t_report:.1f} s"),
        ("peak RSS, main process", f"{peak:,.0f} MB"),
        ("peak RSS, largest child", f"{peak_children:,.0f} MB"),
        ("failed districts", str(len(run.failed))),
    ]
    w = max(len(a) for a, _ in rows)
    print(f"{'stage':<{w}}  value")
    for a, b in rows:
        print(f"{a:<{w}}  {b}")
    (out / "bench.json").write_text(json.dumps(dict(rows), indent=2, ensure_ascii=False))
    return 1 if run.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
