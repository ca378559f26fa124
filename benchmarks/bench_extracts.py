"""Data-sharing extracts against the synthetic province's truth, and their speed after the audit.

For each kind, on the synthetic province (``popqa.synth.generate_province``):

* the audit's inputs are computed first, as ``popqa audit`` does (``run_checks``; ``dedupe`` with the
  person features computed once) and timed apart: the target is about the extracts *after* the audit;
* each extract is built (``build_extract``) and written (``write_extract``: CSV, one XLSX per commune,
  summary.json, sharing log) into a temporary folder, and timed (wall clock, and the process's CPU time,
  which a busy machine inflates less: the work is single-threaded);
* the rows are compared with the truth. A *true person* is an original record (not an injected
  duplicate, ``truth["duplicates"]``); a row stands for the true person of its ``person_id`` (a
  duplicate record stands for its original). *Clean* persons are those whose record has no injected
  fault (``truth["faults"]`` on the persons table) and whose duplicates have none either. Eligibility
  in the truth is computed here, independently of ``popqa.extracts.kinds``, from the clean original
  record (Python ``datetime`` arithmetic on the distinct birth dates). Reported per kind: eligible clean
  persons, listed, missed (and of those, folded into another person's row by a wrong merge), listed twice,
  and clean persons listed though not eligible (age-uncertain entries whose interval straddles a bound);
  ``twice_all`` counts every true person on two rows (faulted ones too), ``twice_with_L002`` those of the
  clean ones whose two records the linkage proposed for clerical review (rule L002, an info finding).

Reproduce::

    .venv/bin/python benchmarks/bench_extracts.py --scale 0.3
    .venv/bin/python benchmarks/bench_extracts.py --scale 1.0
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from popqa.extracts import KINDS, build_extract  # noqa: E402
from popqa.extracts.write import write_extract  # noqa: E402

out = sys.stdout.write


def _age(b: dt.date, at: dt.date) -> int:
    """Completed years; a 29 February birthday is reached on 1 March in common years."""
    years = at.year - b.year
    try:
        birthday = b.replace(year=at.year)
    except ValueError:  # 29 February in a common year
        birthday = dt.date(at.year, 3, 1)
    return years - (at < birthday)


def truth_eligible(p: pd.DataFrame, kind: str, ref: dt.date, school_year: int, election: dt.date) -> np.ndarray:
    """Eligibility of exact-date, present records, computed from the rule's text (independent code)."""
    born = pd.to_datetime(p["birth_date"])
    uniq = pd.Series(born.dropna().unique())
    ok = born.notna().to_numpy() & (born <= pd.Timestamp(ref)).fillna(False).to_numpy()
    age_ref = born.map({b: _age(b.date(), ref) for b in uniq}).to_numpy(float)
    year = born.dt.year.to_numpy(float)
    sex = pd.to_numeric(p["sex"], errors="coerce").to_numpy(float)
    status = pd.to_numeric(p["status"], errors="coerce").to_numpy(float)
    present = ~np.isin(status, [2, 3])
    if kind == "school_entry":
        rule = year == school_year - 6
    elif kind == "under6":
        rule = age_ref < 6
    elif kind == "immunization":
        rule = age_ref < 2
    elif kind == "voters":
        age_e = born.map({b: _age(b.date(), election) for b in uniq}).to_numpy(float)
        eth = p["ethnicity_code"].astype("string").fillna("").to_numpy()
        res = pd.to_numeric(p["residence_status"], errors="coerce").to_numpy(float)
        rule = (age_e >= 18) & (eth != "55") & np.isin(res, [1, 2])
    elif kind == "military_registration":
        rule = (sex == 1) & (year == ref.year - 17)
    else:
        edu = pd.to_numeric(p["education_level"], errors="coerce").to_numpy(float)
        upper = np.where(np.isin(edu, [5, 6]), 27, 25)
        rule = (sex == 1) & (age_ref >= 18) & (age_ref <= upper)
    return ok & present & rule


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--kinds", default=",".join(KINDS))
    args = ap.parse_args()

    from popqa.checks import run_checks
    from popqa.config import Config
    from popqa.linkage import dedupe
    from popqa.linkage.features import person_features
    from popqa.synth import generate_province

    cfg = Config()
    t0 = time.perf_counter()
    prov = generate_province(scale=args.scale, seed=args.seed, period=args.period)
    with tempfile.TemporaryDirectory() as tmp:  # the audit reads the written register: same types
        from popqa.io import read_register

        prov.write(tmp)
        reg = read_register(os.path.join(tmp, "register"), period=args.period)
    t_gen = time.perf_counter() - t0
    persons = reg.persons
    out(f"scale {args.scale}: {len(persons):,} person records (generated and read in {t_gen:.1f} s)\n")

    t0 = time.perf_counter()
    findings = run_checks(reg, cfg)
    t_checks = time.perf_counter() - t0
    t0 = time.perf_counter()
    ids = persons["person_id"].astype("string")
    feats = person_features(persons[ids.notna() & ~ids.duplicated()])
    dd = dedupe(persons, cfg.linkage, features=feats, households=reg.households)
    t_dedupe = time.perf_counter() - t0
    findings = pd.concat([findings, dd.findings], ignore_index=True)
    out(f"audit inputs: run_checks {t_checks:.1f} s, dedupe {t_dedupe:.1f} s (not counted below)\n\n")

    truth = prov.truth
    dup = truth["duplicates"][["person_id", "original_person_id"]].astype("string")
    root = dict(zip(dup["person_id"], dup["original_person_id"], strict=True))
    for _ in range(5):  # a duplicate of a duplicate points to the original
        dup["original_person_id"] = dup["original_person_id"].map(lambda x: root.get(x, x))
    to_true = pd.Series(dup["original_person_id"].to_numpy(), index=dup["person_id"].to_numpy())
    faults = truth["faults"]
    faulted = set(faults.loc[faults["table"] == "persons", "record_id"].astype("string"))
    faulted_true = {to_true.get(r, r) for r in faulted}
    pid = persons["person_id"].astype("string")
    orig = persons[~pid.isin(to_true.index).to_numpy() & ~pid.duplicated(keep=False).to_numpy()]
    clean = orig[~orig["person_id"].astype("string").isin(faulted_true).to_numpy()]

    ref = pd.Period(args.period, freq="M").end_time.date()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            c0 = time.process_time()
            t0 = time.perf_counter()
            table = build_extract(reg, kind, period=args.period, clusters=dd.clusters, findings=findings)
            t_build = time.perf_counter() - t0
            t0 = time.perf_counter()
            res = write_extract(table, os.path.join(tmp, "extracts"), lang="vi")
            t_write = time.perf_counter() - t0
            cpu = time.process_time() - c0
            prm = table.params
            sy = prm.school_year or 0
            ed = prm.election_date.date() if prm.election_date is not None else ref
            eligible = clean[truth_eligible(clean, kind, ref, sy, ed)]
            elig_ids = set(eligible["person_id"].astype("string"))
            r = table.rows
            rep_true = r["person_id"].map(lambda x: to_true.get(x, x))
            counts = rep_true.value_counts()
            listed = set(counts.index)
            folded = r.loc[r["duplicate_person_ids"].ne(""), ["person_id", "duplicate_person_ids"]]
            folded = folded.assign(d=folded["duplicate_person_ids"].str.split(";")).explode("d")
            folded_true = set(folded["d"].map(lambda x: to_true.get(x, x))) - listed
            missed = elig_ids - listed
            twice_ids = set(counts[counts > 1].index) & elig_ids
            l002 = findings.loc[findings["rule_id"] == "L002", ["record_id", "value"]].astype("string")
            l002_true = set(l002["record_id"].map(lambda x: to_true.get(x, x))) | set(
                l002["value"].map(lambda x: to_true.get(x, x)))
            clean_ids = set(clean["person_id"].astype("string"))
            rows.append({
                "kind": kind, "rows": len(r), "eligible_clean": len(elig_ids), "listed": len(elig_ids & listed),
                "missed": len(missed), "missed_by_wrong_merge": len(missed & folded_true),
                "twice": int((counts.reindex(list(elig_ids & listed)) > 1).sum()),
                "twice_all": int((counts > 1).sum()),
                "twice_with_L002": len(twice_ids & l002_true),
                "listed_not_eligible": len((listed & clean_ids) - elig_ids),
                "age_uncertain": int(r["flags"].str.contains("age_uncertain").sum()),
                "flagged": int(r["flags"].ne("").sum()),
                "build_s": round(t_build, 2), "write_s": round(t_write, 2),
                "total_s": round(t_build + t_write, 2), "cpu_s": round(cpu, 2), "workbooks": len(res.files) - 1,
            })
    df = pd.DataFrame(rows)
    cols = list(df.columns)
    out("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n")
    for r in df.itertuples(index=False):
        out("| " + " | ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in r) + " |\n")


if __name__ == "__main__":
    main()
