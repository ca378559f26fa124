"""Benchmark of ``popqa run``: audit (every stage) then reports and site, in a fresh process.

Targets: full scale (1.2 M persons) under 5 minutes on 2 cores; the staged
audit over the results store (issue 8) no slower and no larger in peak memory
than the audit it replaced, measured in the same session on the same data.

Usage::

    # the current code, generating the province first (not timed as part of the run)
    .venv/bin/python benchmarks/bench_run.py --scale 1.0
    # the same register, three ways, one after the other (the numbers of docs/benchmarks.md)
    .venv/bin/python benchmarks/bench_run.py --scale 1.0 --out benchmarks/out/run   # keeps OUT/data
    git worktree add /tmp/popqa-base c4cd14d
    .venv/bin/python benchmarks/bench_run.py --data benchmarks/out/run/data/register --code /tmp/popqa-base
    .venv/bin/python benchmarks/bench_run.py --data benchmarks/out/run/data/register --stages core --geography legacy

``--code DIR`` times the popqa of another checkout (its folder goes first on
the child's ``PYTHONPATH``, kernels included). ``--stages core`` runs the
quality audit only (read, validate, check, link, findings, indicators, score,
publish), without the analytic stages (reconcile, demography, labour), which
is what the audit before issue 8 computed. Prints wall-clock seconds per stage
and the peak RSS of the popqa process (VmHWM; report kernels apart).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

ANALYTIC = ("reconcile", "demography", "labour")

CHILD = """
import json, os, resource, sys, time
from pathlib import Path
import popqa
from popqa.pipeline import audit, report
data, out, period, workers = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
kwargs = {}
if os.environ.get("POPQA_BENCH_STAGES") == "core":
    from popqa.stages import STAGES
    kwargs["stages"] = [s for s in STAGES if s.name not in __ANALYTIC__]
def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime
if os.environ.get("POPQA_BENCH_CONFIG"):
    kwargs["config"] = os.environ["POPQA_BENCH_CONFIG"]
c1, t1 = cpu(), time.perf_counter()
res = audit(data, period, out / "results", **kwargs)
t2, c2 = time.perf_counter(), cpu()
rkw = {"geography": os.environ["POPQA_BENCH_GEOGRAPHY"]} if os.environ.get("POPQA_BENCH_GEOGRAPHY") else {}
run = report(out / "results", out / "site", period=period, workers=workers, progress=False, **rkw)
t3 = time.perf_counter()
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
stage_cpu = {e["name"]: [e.get("cpu_seconds"), e.get("peak_rss_mb"), e.get("workers_peak_rss_mb")]
             for e in res.get("stages", [])}
print(json.dumps({"code": popqa.__file__, "timings": res["timings"], "stage_cpu": stage_cpu, "audit_s": t2 - t1, "audit_cpu_s": c2 - c1, "report_s": t3 - t2,
                  "site_s": run.manifest["timings"]["reports_seconds"], "peak_mb": hwm,
                  "reports": len(run.results), "failed": len(run.failed)}))
""".replace("__ANALYTIC__", repr(ANALYTIC))


def _cpu(entry) -> str:
    """`` (CPU x s, peak y MB)`` of a stage, when the audit's manifest records them (after 7289604)."""
    if not entry or entry[0] is None:
        return ""
    workers = f", link workers' peaks added up {entry[2]:,.0f} MB" if len(entry) > 2 and entry[2] else ""
    return f" (CPU {entry[0]:.1f} s, peak so far {entry[1]:,.0f} MB{workers})"


def _child(data: Path, work: Path, args: argparse.Namespace, env: dict[str, str]) -> dict | None:
    """One audit + report in a fresh process; its JSON summary, or None (stderr shown) when it failed."""
    shutil.rmtree(work / "results", ignore_errors=True)
    shutil.rmtree(work / "site", ignore_errors=True)
    child = subprocess.run([sys.executable, "-c", CHILD, str(data), str(work), args.period, str(args.workers)],
                           capture_output=True, text=True, env=env, cwd=work)  # cwd: no checkout on sys.path
    if child.returncode:
        sys.stderr.write(child.stderr[-5000:])
        return None
    # the summary is the last line that is a JSON object; anything else a library printed is shown, not parsed
    lines = child.stdout.strip().splitlines()
    summary = next(i for i in range(len(lines) - 1, -1, -1) if lines[i].startswith('{"code"'))
    for line in lines[:summary] + lines[summary + 1:]:
        sys.stderr.write(f"(child stdout) {line}\n")
    return json.loads(lines[summary])


def _pairs(args: argparse.Namespace, data: Path, work: Path, env: dict[str, str]) -> int:
    """``--pairs`` pairs of runs, this code against ``--against``, back to back, the order alternating
    (the earlier checkout first in odd pairs): a machine's speed drifts between hours, so only a pair
    compares, and more than one pair shows the noise."""
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("POPQA_BENCH_")}
    base_env["PYTHONPATH"] = str(Path(args.against).resolve()) + os.pathsep + os.environ.get("PYTHONPATH", "")
    rows = []
    for i in range(args.pairs):
        order = [("before", base_env), ("now", env)] if i % 2 == 0 else [("now", env), ("before", base_env)]
        got = {}
        for name, e in order:
            r = _child(data, work, args, e)
            if r is None:
                return 1
            got[name] = r
            print(f"pair {i + 1} {name}: audit {r['audit_s']:.1f} s, CPU {r['audit_cpu_s']:.1f} s, "
                  f"peak {r['peak_mb']:,.0f} MB ({r['code']})", flush=True)
        b, n = got["before"], got["now"]
        rows.append((n["audit_s"] / b["audit_s"], n["audit_cpu_s"] / b["audit_cpu_s"], n["peak_mb"] / b["peak_mb"]))
        print(f"pair {i + 1} ({' then '.join(x for x, _ in order)}): wall {rows[-1][0]:.3f}x, CPU {rows[-1][1]:.3f}x, "
              f"peak {rows[-1][2]:.3f}x", flush=True)
    mean = [sum(r[k] for r in rows) / len(rows) for k in range(3)]
    print(f"mean of {len(rows)} pairs: wall {mean[0]:.3f}x (range {min(r[0] for r in rows):.3f}-"
          f"{max(r[0] for r in rows):.3f}), CPU {mean[1]:.3f}x, peak {mean[2]:.3f}x")
    (work / "pairs.json").write_text(json.dumps({"pairs": rows, "mean": mean}, indent=2))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--out", default=str(HERE / "out" / "run"))
    ap.add_argument("--data", default=None, help="an already written register folder (skips generation)")
    ap.add_argument("--code", default=None, help="time the popqa of this checkout instead of the current one")
    ap.add_argument("--geography", choices=("2025", "legacy"), default=None,
                    help="report organisation (legacy: the 9 district reports the code before issue 8 rendered)")
    ap.add_argument("--config", default=None, help="a popqa configuration (YAML) for the audit")
    ap.add_argument("--stages", choices=("all", "core"), default="all",
                    help="core: the quality audit only, without the analytic stages")
    ap.add_argument("--against", default=None,
                    help="another checkout (e.g. a worktree of c4cd14d) timed in pairs with this code; its "
                         "audit runs with its own defaults (no --stages, --geography or --config)")
    ap.add_argument("--pairs", type=int, default=3, help="with --against: pairs of runs, the order alternating")
    args = ap.parse_args()

    out = Path(args.out)
    t_gen = None
    persons = None
    if args.data:
        data = Path(args.data).resolve()
        work = out / f"run-{'base' if args.code else args.stages}"
        shutil.rmtree(work, ignore_errors=True)
    else:
        from popqa.synth import generate_province

        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        prov = generate_province(scale=args.scale, seed=args.seed, period=args.period)
        prov.write(out / "data")
        t_gen = time.perf_counter() - t0
        persons = len(prov.register.persons)
        del prov
        data = (out / "data" / "register").resolve()
        work = out / "run"
    work.mkdir(parents=True, exist_ok=True)
    work = work.resolve()

    env = dict(os.environ)
    if args.code:
        env["PYTHONPATH"] = str(Path(args.code).resolve()) + os.pathsep + env.get("PYTHONPATH", "")
    if args.stages == "core":
        env["POPQA_BENCH_STAGES"] = "core"
    if args.geography:
        env["POPQA_BENCH_GEOGRAPHY"] = args.geography
    if args.config:
        env["POPQA_BENCH_CONFIG"] = str(Path(args.config).resolve())
    if args.against:
        return _pairs(args, data, work, env)
    r = _child(data, work, args, env)
    if r is None:
        return 1
    timings, site_s, t_audit, t_report = r["timings"], r["site_s"], r["audit_s"], r["report_s"]
    peak, n_reports, failed = r["peak_mb"], r["reports"], r["failed"]

    rows = [("code", r["code"]), ("stages", args.stages)]
    if persons is not None:
        rows.append(("persons", f"{persons:,}"))
    if t_gen is not None:
        rows.append(("generate + write (not part of run)", f"{t_gen:.1f} s"))
    rows += [
        *[(f"audit: {k}", f"{v:.1f} s" + _cpu(r.get("stage_cpu", {}).get(k))) for k, v in timings.items()],
        ("audit (wall clock in the child)", f"{t_audit:.1f} s"),
        ("audit CPU seconds (all threads; steadier than wall clock on a shared machine)", f"{r['audit_cpu_s']:.1f} s"),
        (f"render {n_reports} reports ({args.workers} workers)", f"{site_s:.1f} s"),
        ("report total (reports + site)", f"{t_report:.1f} s"),
        ("popqa run (audit + report)", f"{t_audit + t_report:.1f} s"),
        ("peak RSS of the popqa process (kernels apart)", f"{peak:,.0f} MB"),
        ("failed reports", str(failed)),
    ]
    w = max(len(a) for a, _ in rows)
    print(f"{'stage':<{w}}  value")
    for a, b in rows:
        print(f"{a:<{w}}  {b}")
    (work / "bench.json").write_text(json.dumps(dict(rows), indent=2, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
