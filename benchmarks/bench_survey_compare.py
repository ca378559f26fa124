"""How the survey comparison (popqa.reconcile.survey) behaves on the synthetic province, against the truth.

For each seed the synthetic province is generated (its population-change
survey is a fresh two-stage sample: 10% of the villages of each district x
urban stratum, up to 15 households each) and compared with its register. Per
unit (province, district, 2025 commune) and count (persons present, births
and deaths of twelve months, whole unit only):

* **supported**: the units the design supports (at least ``--min-psus``
  sampled PSUs, at least 20 persons or events seen, CV at most 30%);
* **covers truth**: among supported units, the share whose 95% interval
  contains the true count (synthetic truth ``population``: persons present at
  the period end before the injected faults, births and deaths of the twelve
  months) - near 95% if the design-based variance is right;
* **register outside**: among supported units, the share whose register count
  lies outside the interval (rule X012); the register differs from the truth
  by its injected faults (duplicates, persons not removed, ...);
* **estimate vs truth**: the mean relative error of the supported estimates
  (bias); ``--levels ... commune_2025`` also compares the 2025 communes, which
  cut across the district x urban strata, to show why they are not compared
  by default.

Usage: flock /tmp/bench.lock .venv/bin/python benchmarks/bench_survey_compare.py [--scale 0.1]
       [--seeds 20261 20262 20263] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd


def _truth(prov, units: pd.DataFrame) -> dict[str, pd.DataFrame]:
    pop = prov.truth["population"].astype({"commune_code": "string"})
    out = {}
    for lvl, col in (("province", "province_code"), ("district", "district_code"),
                     ("commune_2025", "commune_code_2025")):
        g = pop.assign(unit=pop["commune_code"].map(units[col])).groupby("unit")[
            ["true_population", "births", "deaths"]].sum()
        out[lvl] = g.rename(columns={"true_population": "persons"})
    return out


def run(scale: float, seeds: list[int], min_psus: tuple[int, ...],
        levels: tuple[str, ...] = ("province", "district")) -> pd.DataFrame:
    from popqa.reconcile import ReconcileConfig
    from popqa.reconcile.coverage import unit_map
    from popqa.reconcile.survey import survey_comparison
    from popqa.synth import generate_province

    rows = []
    for seed in seeds:
        t0 = time.perf_counter()
        prov = generate_province(scale=scale, seed=seed, period="2026-10")
        t_gen = time.perf_counter() - t0
        units = unit_map(prov.province_code)
        truth = _truth(prov, units)
        for k in min_psus:
            t1 = time.perf_counter()
            sv = survey_comparison(prov.register, period="2026-10",
                                   config=ReconcileConfig(survey_min_psus=k, survey_levels=levels,
                                                          province_code=prov.province_code))
            t_cmp = time.perf_counter() - t1
            t = sv.table[sv.table["group"] == ""]
            for _, r in t.iterrows():
                tr = truth[r["level"]]
                true = float(tr.loc[r["unit_code"], r["measure"]]) if r["unit_code"] in tr.index else 0.0
                rows.append({"seed": seed, "min_psus": k, "level": r["level"], "unit": r["unit_code"],
                             "measure": r["measure"], "status": r["status"], "psus": r["psus"],
                             "estimate": r["estimate"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                             "register": r["register"], "truth": true, "outside": bool(r["outside"]),
                             "t_generate": t_gen, "t_compare": t_cmp})
    return pd.DataFrame(rows)


def summary(df: pd.DataFrame) -> pd.DataFrame:
    out = []
    for (k, lvl, m), g in df.groupby(["min_psus", "level", "measure"], sort=False):
        sampled = g[g["psus"] > 0]
        ok = g[g["status"] == "ok"]
        covers = ((ok["ci_low"] <= ok["truth"]) & (ok["truth"] <= ok["ci_high"]))
        reg_vs_truth = (ok["register"] - ok["truth"]) / ok["truth"].where(ok["truth"] > 0)
        est_vs_truth = (ok["estimate"] - ok["truth"]) / ok["truth"].where(ok["truth"] > 0)
        out.append({"min_psus": k, "level": lvl, "measure": m, "units": len(g), "sampled": len(sampled),
                    "supported": len(ok),
                    "covers_truth": f"{int(covers.sum())}/{len(ok)} = {covers.mean():.3f}" if len(ok) else None,
                    "register_outside": f"{int(ok['outside'].sum())}/{len(ok)} = {ok['outside'].mean():.3f}"
                    if len(ok) else None,
                    "estimate_vs_truth": round(est_vs_truth.mean(), 4) if len(ok) else None,
                    "register_vs_truth": round(reg_vs_truth.mean(), 4) if len(ok) else None,
                    "median_cv": round(((ok["ci_high"] - ok["ci_low"]) / 3.92 / ok["estimate"]).median(), 3)
                    if len(ok) else None})
    return pd.DataFrame(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--seeds", type=int, nargs="+", default=[20261, 20262, 20263])
    ap.add_argument("--min-psus", type=int, nargs="+", default=[5, 2])
    ap.add_argument("--levels", nargs="+", default=["province", "district"],
                    help="survey_levels compared (add commune_2025 to measure the unplanned 2025 communes)")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    df = run(a.scale, a.seeds, tuple(a.min_psus), tuple(a.levels))
    s = summary(df)
    timing = {"generate_s_per_seed": round(df.groupby("seed")["t_generate"].first().mean(), 1),
              "compare_s": round(df.groupby(["seed", "min_psus"])["t_compare"].first().mean(), 2)}
    if a.markdown:
        cols = list(s.columns)
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
        for r in s.itertuples(index=False):
            print("| " + " | ".join("" if v is None or v != v else str(v) for v in r) + " |")
        print(f"\n{json.dumps(timing)}")
    else:
        print(json.dumps({"summary": s.to_dict(orient="records"), "timing": timing}, indent=1))


if __name__ == "__main__":
    main()
