"""Why the extracts' "none missed" target is out of the linkage's reach: pairs that agree on the whole name,
sex and an exact birth date, true duplicates against namesakes, and what the deduplication made of each.

Reads a synthetic register (``popqa synth ... --format parquet``: ``DATA/register`` and ``DATA/truth``)
and the committed audit of it (``RESULTS``: ``analyst/clusters.parquet`` and ``duplicate_pairs.parquet``).
Prints (1) every pair of day-precise records with one whole name, sex and birth date, by truth and by
what the two records show (same household, same commune, one or both without citizen ID), linked (one
cluster) or not; (2) the scored pairs at or above each probability: true and false links.

Usage::

    popqa synth --scale 1.0 --period 2026-10 --format parquet --out DATA
    popqa audit --data DATA/register --period 2026-10 --out RESULTS
    .venv/bin/python benchmarks/namesake_pairs.py DATA RESULTS
"""

from __future__ import annotations

import glob
import sys

import numpy as np
import pandas as pd


def main(data: str, results: str) -> None:
    reg, truth = f"{data}/register", f"{data}/truth"
    dup = pd.read_parquet(f"{truth}/duplicates.parquet")
    orig = dict(zip(dup["person_id"].astype(str), dup["original_person_id"].astype(str), strict=True))

    def true(x: str) -> str:
        return orig.get(x, x)

    p = pd.read_parquet(f"{reg}/persons.parquet")
    p = p[p["birth_date_precision"].astype(str).eq("day") & p["full_name"].notna() & p["birth_date"].notna()].copy()
    p["person_id"] = p["person_id"].astype(str)
    p["name"] = p["full_name"].str.lower().str.strip()
    p["noid"] = p["citizen_id"].isna()
    many = p.groupby(["name", "sex", "birth_date"])["person_id"].transform("size") > 1
    q = p[many][["person_id", "household_id", "commune_code", "name", "sex", "birth_date", "noid"]]
    pairs = q.merge(q, on=["name", "sex", "birth_date"], suffixes=("_l", "_r"))
    pairs = pairs[pairs["person_id_l"] < pairs["person_id_r"]]

    folder = sorted(glob.glob(f"{results}/**/analyst/clusters.parquet", recursive=True))[-1].rsplit("/", 1)[0]
    cl = pd.read_parquet(f"{folder}/clusters.parquet")
    cid = dict(zip(cl["person_id"].astype(str), cl["cluster_id"].astype(str), strict=True))
    pairs["linked"] = [cid.get(a, a) == cid.get(b, b) for a, b in zip(pairs["person_id_l"], pairs["person_id_r"],
                                                                         strict=True)]
    pairs["truth"] = np.where([true(a) == true(b) for a, b in zip(pairs["person_id_l"], pairs["person_id_r"],
                                                                    strict=True)], "duplicate", "namesake")
    pairs["same household"] = pairs["household_id_l"] == pairs["household_id_r"]
    pairs["same commune"] = pairs["commune_code_l"] == pairs["commune_code_r"]
    pairs["citizen IDs"] = np.select([pairs["noid_l"] & pairs["noid_r"], pairs["noid_l"] ^ pairs["noid_r"]],
                                     ["both missing", "one missing"], "both present")
    print(f"{len(pairs):,} pairs of day-precise records with one whole name, sex and birth date\n")
    print(pd.crosstab([pairs["truth"], pairs["same household"], pairs["same commune"], pairs["citizen IDs"]],
                      pairs["linked"].map({True: "linked", False: "apart"})).to_string())

    dp = pd.read_parquet(f"{folder}/duplicate_pairs.parquet")
    dp["true"] = [true(str(a)) == true(str(b)) for a, b in zip(dp["person_id_l"], dp["person_id_r"], strict=True)]
    print("\n| merged at probability | true links | false links |\n|---|---|---|")
    for thr in (0.7, 0.8, 0.9, 0.95, 0.99, 0.999):
        a = dp[dp["match_probability"] >= thr]
        print(f"| {thr} | {int(a['true'].sum()):,} | {int((~a['true']).sum()):,} |")


if __name__ == "__main__":
    main(*sys.argv[1:3])
