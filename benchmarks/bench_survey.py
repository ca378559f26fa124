"""Benchmark popqa.survey: a design-based mean by 1,000 domains and a calibrated ratio.

Usage::

    .venv/bin/python benchmarks/bench_survey.py --rows 100000 --domains 1000

Builds a stratified two-stage-like sample (``--strata`` strata, ``--psus`` PSUs of
equal size, sampling weights varying by stratum), then times, each a few times and
reporting the best: the design itself, the mean of a numeric column by 1,000 domains
(Taylor variances for every domain), the same by domain for a calibrated design, and
a ratio on a design calibrated (linear GREG) to a population size, a numeric total
and a categorical margin. Peak memory is the process high-water mark (VmHWM).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd


def peak_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def frame(rows: int, domains: int, strata: int, psus: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    psu = np.sort(rng.integers(0, psus, rows))
    stratum = psu % strata
    w = 50.0 + 10.0 * stratum + rng.uniform(0, 5, rows)
    x = rng.gamma(4.0, 10.0, rows)
    return pd.DataFrame({
        "stratum": stratum, "psu": psu, "w": w, "x": x,
        "y": 2.0 * x + rng.normal(0, 10, rows) + 3.0 * (psu % 7),
        "domain": rng.integers(0, domains, rows),
        "sex": rng.choice(["female", "male"], rows),
    })


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--domains", type=int, default=1_000)
    ap.add_argument("--strata", type=int, default=50)
    ap.add_argument("--psus", type=int, default=2_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()

    from popqa.survey import Design

    df = frame(args.rows, args.domains, args.strata, args.psus, args.seed)
    warnings.simplefilter("ignore")
    t_design, d = best(lambda: Design(df, ids="psu", strata="stratum", weights="w"), args.repeat)
    t_by, by = best(lambda: d.mean("y", by="domain"), args.repeat)
    N = float(df["w"].sum()) * 1.02
    pop = {"(Intercept)": N, "x": float((df["w"] * df["x"]).sum()) * 1.01,
           "sexmale": float(df.loc[df["sex"] == "male", "w"].sum()) * 1.03}
    t_cal, g = best(lambda: d.calibrate(pop), args.repeat)
    t_ratio, r = best(lambda: g.ratio("y", "x"), args.repeat)
    t_calby, cby = best(lambda: g.mean("y", by="domain"), args.repeat)
    rows = [
        ("design (ids, strata, weights)", t_design, ""),
        (f"mean by {by.shape[0]:,} domains", t_by, f"median SE {by['se'].median():.3f}"),
        ("calibrate (linear, 3 totals)", t_cal, ""),
        ("ratio on the calibrated design", t_ratio, f"{r.estimate:.4f} (SE {r.se:.5f})"),
        (f"mean by {cby.shape[0]:,} domains, calibrated design", t_calby, f"median SE {cby['se'].median():.3f}"),
    ]
    print(f"rows={args.rows:,} strata={args.strata} psus={args.psus:,} domains={args.domains:,}")
    print("| step | seconds | result |")
    print("|---|---|---|")
    for name, secs, note in rows:
        print(f"| {name} | {secs:.3f} | {note} |")
    print(f"peak memory {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
