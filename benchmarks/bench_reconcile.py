"""How well the Chapman estimate recovers the true number of births and deaths on the synthetic province.

Three scenarios, per legacy commune and district, with perfect matching (the
synthetic truth's links) so only the estimator and its assumptions are tested:

``as_generated``
    The province as :func:`popqa.synth.generate_province` makes it, through
    :func:`popqa.reconcile.event_coverage` (removals included). The register
    holds every true event; civil registration records 95% of births and 90%
    of deaths at random plus registrations of events the register lacks (3% /
    5%). True total = register events + those registrations; nothing is missed
    by both.
``independent``
    The register's true events, each kept by the register with a probability
    drawn per commune (0.70-0.95) and by civil registration with probability
    0.90, independently. The assumptions hold: intervals should cover ~95%.
``dependent``
    The same events, but 15% of them are "hidden" (households the same
    collaborator fails to report to either office): hidden events are kept with
    probability 0.30 by each source, the others with 0.95. Positive dependence:
    the estimate is biased low and the completeness biased high.

The simulated scenarios are repeated ``--reps`` times (capture draws only).
Prints a JSON summary; ``--markdown`` prints the table for docs/reconciliation.md.

Usage: .venv/bin/python benchmarks/bench_reconcile.py [--scale 0.1] [--seed 20261] [--reps 200] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd


def _truth_events(prov, event: str) -> pd.DataFrame:
    """True events of the register (one per person) with their commune and district."""
    from popqa.reconcile.coverage import unit_map

    units = unit_map(prov.province_code)
    pop = prov.truth["population"]
    col = {"birth": "births", "death": "deaths"}[event]
    ev = pop[["commune_code", col]].rename(columns={col: "n"})
    ev = ev.loc[ev.index.repeat(ev["n"])].reset_index(drop=True)[["commune_code"]].astype("string")
    ev["district_code"] = ev["commune_code"].map(units["district_code"])
    return ev


def _summarise(est: pd.DataFrame, truth: np.ndarray, comp_true: np.ndarray) -> dict:
    ok = est["estimate"].notna().to_numpy()
    rel = ((est["estimate"] - truth) / truth).to_numpy()
    cover_log = (est["ci_low"] <= truth + 1e-9) & (truth <= est["ci_high"] + 1e-9)
    z = 1.959964
    cover_norm = (est["estimate"] - z * est["se"] <= truth + 1e-9) & (truth <= est["estimate"] + z * est["se"] + 1e-9)
    reliable = ok & (est["m"] >= 10).to_numpy() & (est["cv"] <= 0.3).to_numpy()
    cerr = (est["completeness_1"].to_numpy() - comp_true)

    def share(mask, sel):
        return round(float(np.mean(mask[sel])), 3) if sel.any() else None

    return {
        "units": int(len(est)), "with_estimate": int(ok.sum()), "reliable": int(reliable.sum()),
        "coverage_log": share(cover_log.to_numpy(), ok), "coverage_normal": share(cover_norm.to_numpy(), ok),
        "coverage_log_reliable": share(cover_log.to_numpy(), reliable),
        "coverage_normal_reliable": share(cover_norm.to_numpy(), reliable),
        "mean_rel_error": round(float(np.nanmean(rel[ok])), 4) if ok.any() else None,
        "completeness_error_mean": round(float(np.nanmean(cerr[ok])), 4) if ok.any() else None,
        "completeness_error_mae": round(float(np.nanmean(np.abs(cerr[ok]))), 4) if ok.any() else None,
    }


def as_generated(prov, event: str) -> dict:
    from popqa.reconcile import ReconcileConfig, event_coverage

    tl = prov.truth["links"]
    table = {"birth": "civil_births", "death": "civil_deaths"}[event]
    links = {table: tl.loc[tl["source"] == table, ["source_id", "person_id"]].astype("string")}
    t0 = time.perf_counter()
    ec = event_coverage(prov.register, links, period=prov.period, events=(event,),
                        config=ReconcileConfig(ci="log"))  # log interval in ci_low/high; normal from se
    secs = time.perf_counter() - t0
    # truth: the register's true events plus civil registrations of events the register lacks
    rec = ec.records
    extra = rec[(rec["source"] == "civil") & rec["removed"].isna() & ~rec["matched"]]
    extra_ids = set(tl.loc[(tl["source"] == table) & tl["person_id"].isna(), "source_id"].astype(str))
    extra = extra[extra["record_id"].isin(extra_ids)]
    ev = _truth_events(prov, event)
    out = {"seconds_event_coverage": round(secs, 2)}
    for level in ("commune", "district"):
        if level == "commune":
            true_n = ev.groupby("commune_code").size().add(extra.groupby("unit_commune").size(), fill_value=0)
        else:
            from popqa.reconcile.coverage import unit_map

            d = unit_map(prov.province_code)["district_code"]
            true_n = ev.groupby("district_code").size().add(
                extra["unit_commune"].map(d).value_counts(), fill_value=0)
        t = ec.table[(ec.table["level"] == level) & (ec.table["group"] == "")].set_index("unit_code")
        t = t[t.index.isin(true_n.index)]
        truth = true_n.reindex(t.index).to_numpy(float)
        out[level] = _summarise(t.reset_index(), truth, t["n1"].to_numpy() / truth)
    return out


def simulated(prov, event: str, scenario: str, reps: int, seed: int) -> dict:
    from popqa.reconcile import dse_table

    ev = _truth_events(prov, event)
    rng = np.random.default_rng(seed)
    communes = ev["commune_code"].astype("category")
    ci = communes.cat.codes.to_numpy()
    districts = ev["district_code"].astype("category")
    di = districts.cat.codes.to_numpy()
    n = len(ev)
    res: dict[str, list] = {"commune": [], "district": []}
    for _ in range(reps):
        if scenario == "independent":
            p1 = rng.uniform(0.70, 0.95, len(communes.cat.categories))[ci]
            c1 = rng.random(n) < p1
            c2 = rng.random(n) < 0.90
        else:
            hidden = rng.random(n) < 0.15
            p = np.where(hidden, 0.30, 0.95)
            c1 = rng.random(n) < p
            c2 = rng.random(n) < p
        for level, codes, k in (("commune", ci, len(communes.cat.categories)),
                                ("district", di, len(districts.cat.categories))):
            n1 = np.bincount(codes, weights=c1, minlength=k)
            n2 = np.bincount(codes, weights=c2, minlength=k)
            m = np.bincount(codes, weights=c1 & c2, minlength=k)
            N = np.bincount(codes, minlength=k).astype(float)
            t = dse_table(n1, n2, m)
            t["truth"] = N
            t["comp_true"] = n1 / N
            res[level].append(t[N > 0])
    out = {}
    for level, parts in res.items():
        t = pd.concat(parts, ignore_index=True)
        out[level] = _summarise(t, t["truth"].to_numpy(), t["comp_true"].to_numpy())
        out[level]["units"] = int(len(t) / reps)
        out[level]["with_estimate"] = round(out[level]["with_estimate"] / reps, 1)
        out[level]["reliable"] = round(out[level]["reliable"] / reps, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    from popqa.synth import generate_province

    t0 = time.perf_counter()
    prov = generate_province(scale=a.scale, seed=a.seed, period="2026-10")
    gen = time.perf_counter() - t0
    result = {"scale": a.scale, "seed": a.seed, "reps": a.reps, "seconds_generate": round(gen, 1), "events": {}}
    for event in ("birth", "death"):
        result["events"][event] = {
            "as_generated": as_generated(prov, event),
            "independent": simulated(prov, event, "independent", a.reps, a.seed),
            "dependent": simulated(prov, event, "dependent", a.reps, a.seed + 1),
        }
    if not a.markdown:
        print(json.dumps(result, indent=1))
        return
    lines = ["| event | scenario | level | units | with estimate | reliable | 95% log CI covers truth "
             "(all / reliable) | normal CI covers (all / reliable) | mean relative error of N | "
             "completeness error (mean / mean abs.) |", "|" + "---|" * 10]
    for event, sc in result["events"].items():
        for name, r in sc.items():
            for level in ("commune", "district"):
                x = r[level]
                lines.append(
                    f"| {event} | {name} | {level} | {x['units']} | {x['with_estimate']} | {x['reliable']} | "
                    f"{x['coverage_log']} / {x['coverage_log_reliable']} | "
                    f"{x['coverage_normal']} / {x['coverage_normal_reliable']} | {x['mean_rel_error']} | "
                    f"{x['completeness_error_mean']} / {x['completeness_error_mae']} |")
    print("\n".join(lines))
    print(f"\nscale {a.scale}, seed {a.seed}, {a.reps} capture draws per simulated scenario; "
          f"generation {result['seconds_generate']} s")


if __name__ == "__main__":
    main()
