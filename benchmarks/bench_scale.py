"""Benchmark of ``popqa audit`` as the register grows (issue 16): seconds and peak memory per stage.

The audit runs in a fresh child process; every stage is wrapped so that its seconds and its own
peak resident memory are recorded (the kernel's high-water mark is reset before each stage by
writing 5 to ``/proc/self/clear_refs``). With ``--executor dask`` a ``distributed.LocalCluster``
of ``--workers`` worker processes (one thread each) is started in the child; the peak of each
worker process is read at the end (``client.run``) and reported beside the main process's.

A watchdog in this (parent) process stops the child when its resident memory passes
``--limit-gb`` (default 14), so a run that would not fit never pushes the shared machine into
swap; the stop is reported as such, with the stage it was in.

Usage (heavy: wrap in ``flock /tmp/bench.lock``)::

    .venv/bin/python benchmarks/bench_scale.py --data benchmarks/out/run/data/register --label 1.0
    .venv/bin/python benchmarks/bench_scale.py --data ... --code /tmp/popqa-pre16 --label 1.0-before
    .venv/bin/python benchmarks/bench_scale.py --data ... --executor dask --workers 2 --label 1.0-dask2

``--code DIR`` times the popqa of another checkout (its folder goes first on the child's
``PYTHONPATH``); code before issue 16 has no ``--executor`` or ``--partition``. Results
are appended as one JSON line to ``benchmarks/out/scale/results.jsonl``.

A month that reuses last month's linkage models (``linkage.retrain_months``): keep a first
audit's results (``--keep DIR``), then give its month folder as ``--previous`` of a second
run, which links it as the month before::

    .venv/bin/python benchmarks/bench_scale.py --data ... --keep /tmp/m1 --label trained
    .venv/bin/python benchmarks/bench_scale.py --data ... --previous /tmp/m1/results/2026-10 --label reused

``--profile publish,check`` runs those stages under cProfile and writes ``profile-STAGE.prof`` into
``--profile-dir`` (``benchmarks/out/scale`` by default; read with ``python -m pstats``). A profiled
stage runs slower: its seconds are not comparable with an unprofiled run's.

``--log FILE`` writes popqa's log lines (INFO, each with its time to the millisecond) to FILE: where
the link stage's time goes, model by model, in an unprofiled run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = r"""
import json, os, sys, time, dataclasses
from pathlib import Path
import popqa
from popqa.pipeline import audit
from popqa.stages import STAGES

data, out, period, executor, workers, partition = sys.argv[1:7]
workers = int(workers)
STATE = Path(out) / "stage.txt"

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0

def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass

if os.environ.get("POPQA_BENCH_LOG"):  # popqa's own log lines (each model's steps), with their times
    import logging
    logging.basicConfig(filename=os.environ["POPQA_BENCH_LOG"], level=logging.INFO,
                        format="%(asctime)s.%(msecs)03d %(name)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("popqa").setLevel(logging.INFO)

per_stage = {}
PROFILE = set(filter(None, os.environ.get("POPQA_BENCH_PROFILE", "").split(",")))

def wrap(stage):
    fn = stage.resolve()
    def run(ctx, _fn=fn, _name=stage.name):
        if "read" not in per_stage:  # the read stage ran before the first wrapped stage
            per_stage["read"] = {"seconds": None, "peak_mb": round(status("VmHWM")),
                                 "rss_after_mb": round(status("VmRSS"))}
        STATE.write_text(_name)
        reset_peak()
        prof = None
        if _name in PROFILE:
            import cProfile
            prof = cProfile.Profile()
            prof.enable()
        t0 = time.perf_counter()
        try:
            return _fn(ctx)
        finally:
            if prof is not None:
                prof.disable()
                prof.dump_stats(str(Path(os.environ["POPQA_BENCH_PROFILE_DIR"]) / f"profile-{_name}.prof"))
            per_stage[_name] = {"seconds": round(time.perf_counter() - t0, 2),
                                "peak_mb": round(status("VmHWM")), "rss_after_mb": round(status("VmRSS"))}
    return dataclasses.replace(stage, func=run)

kwargs = {"stages": [wrap(s) for s in STAGES], "workbooks": True}
if os.environ.get("POPQA_BENCH_CONFIG"):
    kwargs["config"] = os.environ["POPQA_BENCH_CONFIG"]
cluster = client = None
if executor == "dask":
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, memory_limit=0)
    client = Client(cluster)
    kwargs.update(executor="dask", scheduler=cluster.scheduler_address, partition_by=partition)
elif partition != "-":
    kwargs.update(partition_by=partition)
t0 = time.perf_counter()
reset_peak()
STATE.write_text("read")
res = audit(data, period, Path(out) / "results", **kwargs)
total = time.perf_counter() - t0
worker_peaks = []
if client is not None:
    def hwm():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    worker_peaks = sorted(round(v) for v in client.run(hwm).values())
    client.close(); cluster.close()
m = json.loads((Path(res["results_dir"]) / "manifest.json").read_text())
print(json.dumps({"code": popqa.__file__, "audit_s": round(total, 1), "timings": res["timings"],
                  "stages": per_stage, "worker_peak_mb": worker_peaks,
                  "cpu_s": round(sum(e.get("cpu_seconds") or 0 for e in m["stages"]), 1),
                  "cpu_by_stage": {e["name"]: e.get("cpu_seconds") for e in m["stages"]},
                  "persons": m["tables"].get("persons"), "findings": sum(e["rows"].get("findings", 0)
                  for e in m["stages"] if e["name"] == "findings")}))
"""


def _rss_mb(pid: int) -> float:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children (the Dask workers), MB."""
    total = _rss_mb(pid)
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        kids = []
    return total + sum(_tree_rss_mb(int(k)) for k in kids)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="register folder")
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--code", default=None, help="time the popqa of this checkout instead of the current one")
    ap.add_argument("--executor", choices=("local", "dask"), default="local")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--partition", default="-", help="partition_by (district, commune, commune_2025)")
    ap.add_argument("--label", default="")
    ap.add_argument("--config", default=None, help="a popqa configuration (YAML) for the audit")
    ap.add_argument("--keep", default=None,
                    help="write the results under this folder and keep them (e.g. to time the reports after)")
    ap.add_argument("--previous", default=None,
                    help="a kept audit's month folder, linked as the month before --period (its models are reused)")
    ap.add_argument("--profile", default="",
                    help="comma-separated stages to run under cProfile; each one's profile is written to "
                         "PROFILE-DIR/profile-STAGE.prof (profiling slows the stage: its seconds are not comparable)")
    ap.add_argument("--profile-dir", default=str(HERE / "out" / "scale"), help="where --profile writes")
    ap.add_argument("--log", default=None,
                    help="write popqa's log lines (INFO, with their times: each model's training and scoring) to this file")
    ap.add_argument("--limit-gb", type=float, default=14.0, help="stop the child past this resident memory")
    ap.add_argument("--results", default=str(HERE / "out" / "scale" / "results.jsonl"))
    args = ap.parse_args()

    env = dict(os.environ)
    if args.config:
        env["POPQA_BENCH_CONFIG"] = str(Path(args.config).resolve())
    if args.profile:
        env["POPQA_BENCH_PROFILE"] = args.profile
        Path(args.profile_dir).mkdir(parents=True, exist_ok=True)
        env["POPQA_BENCH_PROFILE_DIR"] = str(Path(args.profile_dir).resolve())
    if args.log:
        env["POPQA_BENCH_LOG"] = str(Path(args.log).resolve())
    if args.code:
        env["PYTHONPATH"] = str(Path(args.code).resolve()) + os.pathsep + env.get("PYTHONPATH", "")
        before16 = not (Path(args.code) / "popqa" / "linkage" / "distributed.py").exists()
        if before16 and (args.executor != "local" or args.partition != "-"):
            ap.error("--code runs code before issue 16: local executor, no --partition")
    partition = args.partition if args.partition != "-" else ("district" if args.executor == "dask" else "-")
    (HERE / "out").mkdir(exist_ok=True)
    keep = contextlib.nullcontext(str(Path(args.keep).resolve())) if args.keep else None
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
    with keep or tempfile.TemporaryDirectory(prefix="popqa-scale-", dir=HERE / "out") as work:
        if args.previous:
            from popqa.period import Period

            (Path(work) / "results").mkdir(exist_ok=True)
            before = Path(work) / "results" / str(Period.parse(args.period).previous())
            if before.is_symlink():
                before.unlink()
            os.symlink(Path(args.previous).resolve(), before)
        t0 = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(Path(args.data).resolve()), work, args.period,
                                  args.executor, str(args.workers), partition],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=work)
        peak_tree, stopped = 0.0, None
        while child.poll() is None:
            rss = _tree_rss_mb(child.pid)
            peak_tree = max(peak_tree, rss)
            if rss > args.limit_gb * 1024:
                stage = (Path(work) / "stage.txt").read_text() if (Path(work) / "stage.txt").exists() else "?"
                stopped = {"stage": stage, "rss_mb": round(rss), "after_s": round(time.perf_counter() - t0, 1)}
                child.kill()
                break
            time.sleep(0.5)
        out, err = child.communicate()
        wall = time.perf_counter() - t0
    rec = {"label": args.label, "data": str(args.data), "config": args.config, "previous": args.previous,
           "executor": args.executor,
           "workers": args.workers,
           "partition": partition, "code": args.code or "current", "wall_s": round(wall, 1),
           "peak_tree_mb": round(peak_tree), "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    if stopped:
        rec["stopped"] = stopped
    elif child.returncode:
        sys.stderr.write(err[-4000:])
        rec["failed"] = err.strip().splitlines()[-1][:300] if err.strip() else f"exit {child.returncode}"
    else:
        rec.update(json.loads(out.strip().splitlines()[-1]))
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    with open(args.results, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(json.dumps(rec, indent=1, ensure_ascii=False))
    return 0 if not (stopped or child.returncode) else 1


if __name__ == "__main__":
    raise SystemExit(main())
