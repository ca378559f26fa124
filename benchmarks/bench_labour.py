"""Benchmark popqa.labour: every indicator, overall and by sex, area and age group, on a 100,000-person LFS.

Usage::

    .venv/bin/python benchmarks/bench_labour.py --rows 100000

Builds an LFS-shaped frame (``--strata`` strata, ``--psus`` PSUs, weights varying by
stratum, every optional column of the contract, a little item non-response) and times
:func:`popqa.labour.indicators` for all ten survey indicators: overall, by sex, by
area (urban), by age group, by the three crossed, and by district (``--districts``
units). Each timing is the best of ``--repeat`` runs. Peak memory is the process
high-water mark (VmHWM).
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


def frame(rows: int, strata: int, psus: int, districts: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    psu = np.sort(rng.integers(0, psus, rows))
    stratum = psu % strata
    age = rng.integers(15, 90, rows)
    urban = (stratum % 3) == 0
    active = rng.random(rows) < np.where(age < 65, 0.85, 0.3)
    status = np.where(~active, "outside", np.where(rng.random(rows) < 0.025, "unemployed", "employed"))
    status = np.where(rng.random(rows) < 0.002, None, status)        # item non-response
    emp = status == "employed"
    hours = np.where(emp, rng.normal(44, 9, rows).clip(2, 84), np.nan)
    return pd.DataFrame({
        "stratum": stratum.astype(str), "psu": psu.astype(str), "weight": 50.0 + 10.0 * (stratum % 5),
        "sex": rng.integers(1, 3, rows), "age": age, "urban": urban, "labour_status": status,
        "sector": np.where(emp, rng.choice(["agriculture", "industry", "services"], rows, p=[0.27, 0.33, 0.4]),
                           None),
        "training": rng.choice(["none", "short course", "certificate or higher"], rows, p=[0.66, 0.06, 0.28]),
        "in_education": (age < 23) & (rng.random(rows) < 0.5), "in_training": rng.random(rows) < 0.02,
        "social_insurance": emp & (rng.random(rows) < 0.4),
        "insurance_scheme": rng.choice(["compulsory", "voluntary", "none"], rows, p=[0.35, 0.03, 0.62]),
        "hours_worked": hours, "wants_more_hours": np.where(emp, rng.random(rows) < 0.05, None),
        "available_more_hours": np.where(emp, rng.random(rows) < 0.04, None),
        "it_skills": rng.random(rows) < 0.5,
        "district_code": (700 + psu % districts).astype(str),
    })


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    from popqa.labour import indicators

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--strata", type=int, default=60)
    ap.add_argument("--psus", type=int, default=2_000)
    ap.add_argument("--districts", type=int, default=9)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    lfs = frame(a.rows, a.strata, a.psus, a.districts, a.seed)
    cases = {"overall": None, "by sex": "sex", "by area": "urban", "by age group": "age_group",
             "by sex x area x age group": ["sex", "urban", "age_group"], "by district": "district_code"}
    print(f"rows={a.rows:,} strata={a.strata} psus={a.psus}")
    total = 0.0
    for name, by in cases.items():
        sec, out = best(lambda by=by: indicators(lfs, year=2025, by=by), a.repeat)
        total += sec if name in ("by sex", "by area", "by age group") else 0.0
        print(f"{name:28s} {sec:6.2f} s  rows out {len(out):5d}")   # noqa: T201
    print(f"{'sex + area + age group':28s} {total:6.2f} s")   # noqa: T201
    print(f"peak memory {peak_mb():.0f} MB")   # noqa: T201


if __name__ == "__main__":
    main()
