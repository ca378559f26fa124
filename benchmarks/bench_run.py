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
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


CHILD = """
import json, sys, time
from pathlib import Path
from popqa.pipeline import audit, report
out, period, workers = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
t1 = time.perf_counter()
res = audit(out / "data" / "register", period, out / "results")
t2 = time.perf_counter()
run = report(out / "results", out / "site", period=period, workers=workers, progress=False)
t3 = time.perf_counter()
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
print(json.dumps({"timings": res["timings"], "audit_s": t2 - t1, "report_s": t3 - t2,
                  "site_s": run.manifest["timings"]["reports_seconds"], "peak_mb": hwm,
                  "reports": len(run.results), "failed": len(run.failed)}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--out", default=str(HERE / "out" / "run"))
    args = ap.parse_args()

    from popqa.synth import generate_province

    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    prov = generate_province(scale=args.scale, seed=args.seed, period=args.period)
    prov.write(out / "data")
    t_gen = time.perf_counter() - t0
    persons = len(prov.register.persons)
    del prov

    # `popqa run` on the written register, in a fresh process: its own time and peak memory
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(out), args.period, str(args.workers)],
        capture_output=True, text=True,
    )
    if child.returncode:
        sys.stderr.write(child.stderr[-5000:])
        return child.returncode
    r = json.loads(child.stdout.strip().splitlines()[-1])
    timings, site_s, t_audit, t_report = r["timings"], r["site_s"], r["audit_s"], r["report_s"]
    peak, n_reports, failed = r["peak_mb"], r["reports"], r["failed"]

    rows = [
        ("persons", f"{persons:,}"),
        ("generate + write (not part of run)", f"{t_gen:.1f} s"),
        *[(f"audit: {k}", f"{v:.1f} s") for k, v in timings.items()],
        (f"render {n_reports} district reports ({args.workers} workers)", f"{site_s:.1f} s"),
        ("report total (reports + site)", f"{t_report:.1f} s"),
        ("popqa run (audit + report)", f"{t_audit + t_report:.1f} s"),
        ("peak RSS of the popqa process (kernels apart)", f"{peak:,.0f} MB"),
        ("failed districts", str(failed)),
    ]
    w = max(len(a) for a, _ in rows)
    print(f"{'stage':<{w}}  value")
    for a, b in rows:
        print(f"{a:<{w}}  {b}")
    (out / "bench.json").write_text(json.dumps(dict(rows), indent=2, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
