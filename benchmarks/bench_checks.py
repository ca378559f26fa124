"""Accuracy and speed of the rule catalogue on the synthetic province.

Generates the province (not timed), writes it as Parquet, then in a fresh
process reads it back with ``popqa.io.read_register`` and runs every rule,
reporting wall time, the slowest rules and the child process's peak memory.
Prints recall per fault class and the share of fault-free records with an
error-severity finding.

    .venv/bin/python benchmarks/bench_checks.py --scale 1.0
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def _child(data: str, out: str, q) -> None:
    from popqa.checks import run_checks
    from popqa.io import read_register

    t0 = time.perf_counter()
    reg = read_register(data)
    t_read = time.perf_counter() - t0
    timings: dict[str, float] = {}
    t1 = time.perf_counter()
    findings = run_checks(reg, timings=timings)
    t_run = time.perf_counter() - t1
    findings.to_parquet(out, index=False)
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's across exec)
    peak_mb = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:")) / 1024
    q.put({"read": t_read, "run": t_run, "timings": timings, "peak_mb": peak_mb,
           "persons": len(reg.persons), "households": len(reg.households),
           "events": len(reg.events) if reg.events is not None else 0})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--keep", help="folder to keep the generated data and findings in")
    ap.add_argument("--reuse", help="folder written by an earlier --keep run (register/ and truth/): no generation")
    args = ap.parse_args(argv)

    from popqa.checks.truth_map import false_positive_share, recall_by_class
    from popqa.io import read_register
    from popqa.synth import generate_province

    if args.reuse:
        work = Path(args.reuse)
        truth = {f.stem: pd.read_parquet(f) for f in (work / "truth").glob("*.parquet")}
        t_gen = float("nan")
    else:
        work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_checks_"))
        t0 = time.perf_counter()
        sp = generate_province(scale=args.scale, seed=args.seed, period=args.period)
        sp.write(work, fmt="parquet")
        t_gen = time.perf_counter() - t0
        truth = sp.truth
        del sp

    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    out = work / "findings.parquet"
    p = ctx.Process(target=_child, args=(str(work / "register"), str(out), q))
    p.start()
    res = None
    while res is None:
        try:
            res = q.get(timeout=5)
        except Exception:  # queue.Empty: is the child still alive?
            if not p.is_alive():
                raise SystemExit(f"the checks process died (exit code {p.exitcode})") from None
    p.join()

    findings = pd.read_parquet(out)
    reg = read_register(work / "register")
    rec = recall_by_class(findings, truth["faults"])
    fp = false_positive_share(findings, reg, truth)

    w = sys.stdout.write
    w(f"# bench_checks  scale={args.scale} seed={args.seed} period={args.period}\n")
    w(f"persons {res['persons']:,}  households {res['households']:,}  events {res['events']:,}  "
      f"(generated in {t_gen:.1f} s, not timed)\n\n")
    w("## Speed (fresh process)\n")
    w(f"read_register  {res['read']:.1f} s\nrun_checks     {res['run']:.1f} s  ({len(findings):,} findings)\n")
    w(f"peak RSS       {res['peak_mb']:.0f} MB\n")
    slow = sorted(res["timings"].items(), key=lambda kv: -kv[1])[:8]
    w("slowest rules: " + ", ".join(f"{k} {v:.2f}s" for k, v in slow) + "\n\n")
    w("## Recall per fault class\n")
    w(_markdown(rec))
    w(f"\n\nclasses below 0.98: {int((rec['recall'] < 0.98).sum())} of {len(rec)}\n\n")
    w("## Fault-free records with an error-severity finding\n")
    w(fp.to_string(index=False) + "\n\n")
    fp_rules = _fp_rules(findings, reg, truth)
    w("error findings on fault-free records, by rule:\n" + (fp_rules.to_string() if len(fp_rules) else "none") + "\n")
    return 0


def _markdown(df: pd.DataFrame) -> str:
    head = "| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns) + "\n"
    return head + "".join("| " + " | ".join(str(v) for v in row) + " |\n" for row in df.itertuples(index=False))


def _fp_rules(findings: pd.DataFrame, reg, truth) -> pd.Series:
    faults = truth["faults"]
    dups = truth.get("duplicates")
    bad = set(zip(faults["table"], faults["record_id"].astype(str), strict=True))
    if dups is not None:
        bad |= {("persons", str(x)) for x in pd.concat([dups["person_id"], dups["original_person_id"]])}
    err = findings[(findings["severity"] == "error") & findings["table"].isin(["households", "persons", "events"])]
    keep = [(t, r) not in bad for t, r in zip(err["table"], err["record_id"], strict=True)]
    return err[keep].groupby("rule_id").size().sort_values(ascending=False)


if __name__ == "__main__":
    raise SystemExit(main())
