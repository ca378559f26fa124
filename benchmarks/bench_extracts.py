"""Data-sharing extracts against the synthetic province's truth, and their speed after the audit.

For each kind, on the synthetic province (``popqa.synth.generate_province``):

* the audit's inputs are computed first, as ``popqa audit`` does (``run_checks``; ``dedupe`` with the
  person features computed once) and timed apart: the target is about the extracts *after* the audit;
* each extract is built (``build_extract``) and written (``write_extract``: CSV, one XLSX per commune,
  summary.json, sharing log) into a temporary folder, and timed (wall clock, and the process's CPU time,
  which a busy machine inflates less: the work is single-threaded);
* the rows are compared with the truth, per group of true persons. A *true person* is an original
  record (not an injected duplicate, ``truth["duplicates"]``); a row stands for the true person of its
  ``person_id`` (a duplicate record stands for its original). Groups: *clean* (no injected fault on the
  record, no injected duplicate), *duplicated* (an injected duplicate record, no other fault on either),
  *faulted* (an injected fault, ``truth["faults"]`` on the persons table, on the record or a duplicate).
  Eligibility in the truth is computed here, independently of ``popqa.extracts.kinds``, from the original
  record (Python ``datetime`` arithmetic on the distinct birth dates). Reported per kind and group:
  eligible persons, listed, missed (of those: folded into another person's row by a wrong merge of the
  linkage, and of those a known hard non-duplicate: twins, namesakes, ...), listed twice (and of those,
  every row flagged ``possible_duplicate``), listed though not eligible (and of those flagged
  ``age_uncertain``). A miss that is not a fold, or a clean person twice, would be the extract's fault.

Reproduce::

    .venv/bin/python benchmarks/bench_extracts.py --scale 0.3
    .venv/bin/python benchmarks/bench_extracts.py --scale 1.0
    popqa synth --scale 1.0 --out benchmarks/out/synth1     # once, then:
    .venv/bin/python benchmarks/bench_extracts.py --data benchmarks/out/synth1 --cache benchmarks/out/ex-cache
    .venv/bin/python benchmarks/bench_extracts.py --data ... --cache ... --timing-only --repeat 2
    .venv/bin/python benchmarks/bench_extracts.py --data ... --cache ... --profile voters
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


def _load(args) -> tuple:
    """Register and truth: generated (``--scale``) or read from a ``popqa synth`` folder (``--data``)."""
    from popqa.io import read_register

    t0 = time.perf_counter()
    if args.data:
        reg = read_register(os.path.join(args.data, "register"), period=args.period)
        truth = {n: pd.read_parquet(os.path.join(args.data, "truth", f"{n}.parquet"))
                 for n in ("duplicates", "faults", "hard_nonduplicates")}
        what = args.data
    else:
        from popqa.synth import generate_province

        prov = generate_province(scale=args.scale, seed=args.seed, period=args.period)
        with tempfile.TemporaryDirectory() as tmp:  # the audit reads the written register: same types
            prov.write(tmp)
            reg = read_register(os.path.join(tmp, "register"), period=args.period)
        truth = prov.truth
        what = f"scale {args.scale}, seed {args.seed}"
    out(f"{what}: {len(reg.persons):,} person records (read in {time.perf_counter() - t0:.1f} s)\n")
    return reg, truth


def _audit_inputs(reg, args) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Findings (checks + linkage), clusters and scored pairs, as the audit makes them; cached with ``--cache``."""
    if args.cache and os.path.isfile(os.path.join(args.cache, "clusters.parquet")):
        out(f"audit inputs read from {args.cache}\n\n")
        pairs = os.path.join(args.cache, "pairs.parquet")
        return (pd.read_parquet(os.path.join(args.cache, "findings.parquet")),
                pd.read_parquet(os.path.join(args.cache, "clusters.parquet")),
                pd.read_parquet(pairs) if os.path.isfile(pairs) else None)
    from popqa import textkeys
    from popqa.checks import run_checks
    from popqa.config import Config
    from popqa.linkage import dedupe
    from popqa.linkage.features import person_features

    cfg = Config()
    persons = reg.persons
    t0 = time.perf_counter()
    findings = run_checks(reg, cfg)
    t_checks = time.perf_counter() - t0
    t0 = time.perf_counter()
    feats = person_features(persons[textkeys.first_of_each(persons["person_id"])])
    dd = dedupe(persons, cfg.linkage, features=feats, households=reg.households)
    t_dedupe = time.perf_counter() - t0
    findings = pd.concat([findings, dd.findings], ignore_index=True)
    out(f"audit inputs: run_checks {t_checks:.1f} s, dedupe {t_dedupe:.1f} s (not counted below)\n\n")
    if args.cache:
        os.makedirs(args.cache, exist_ok=True)
        f = findings.copy()
        for c in f.columns:
            if f[c].dtype == object:
                f[c] = f[c].astype("string")
        f.to_parquet(os.path.join(args.cache, "findings.parquet"), index=False)
        dd.clusters.to_parquet(os.path.join(args.cache, "clusters.parquet"), index=False)
        dd.pairs.to_parquet(os.path.join(args.cache, "pairs.parquet"), index=False)
    return findings, dd.clusters, dd.pairs


def _truth_groups(persons: pd.DataFrame, truth: dict) -> tuple[pd.Series, pd.DataFrame, set]:
    """``to_true`` (duplicate record -> its original), the original records with their group, and the
    hard non-duplicate persons (twins, namesakes, ...).

    Groups of a true person (an original record whose id is not repeated):
    ``clean`` no injected fault on its record and no injected duplicate; ``duplicated`` an injected
    duplicate record (itself a fault of the register: the person is recorded twice) but no other fault on
    either record; ``faulted`` an injected fault (``truth["faults"]``, table persons) on its record or a
    duplicate's. Records sharing a person id (fault ``duplicate_person_id``) are left out: the truth
    cannot tell which of them a row stands for.
    """
    dup = truth["duplicates"][["person_id", "original_person_id"]].astype("string")
    root = dict(zip(dup["person_id"], dup["original_person_id"], strict=True))
    for _ in range(5):  # a duplicate of a duplicate points to the original
        dup["original_person_id"] = dup["original_person_id"].map(lambda x: root.get(x, x))
    to_true = pd.Series(dup["original_person_id"].to_numpy(), index=dup["person_id"].to_numpy())
    faults = truth["faults"]
    faulted = set(faults.loc[faults["table"] == "persons", "record_id"].astype("string"))
    faulted_true = {to_true.get(r, r) for r in faulted}
    pid = persons["person_id"].astype("string")
    orig = persons[~pid.isin(to_true.index).to_numpy() & ~pid.duplicated(keep=False).to_numpy()].copy()
    oid = orig["person_id"].astype("string")
    has_dup = oid.isin(set(to_true.to_numpy())).to_numpy()
    orig["_group"] = np.where(oid.isin(faulted_true).to_numpy(), "faulted", np.where(has_dup, "duplicated", "clean"))
    hard = truth.get("hard_nonduplicates")
    hard_ids = set() if hard is None else set(hard["person_id_l"].astype(str)) | set(hard["person_id_r"].astype(str))
    return to_true, orig, hard_ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--data", help="a `popqa synth` folder (register/, truth/) instead of generating")
    ap.add_argument("--cache", help="folder keeping the audit's findings and clusters between runs")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--repeat", type=int, default=1, help="time each kind this many times (best kept)")
    ap.add_argument("--timing-only", action="store_true", help="no comparison with the truth")
    ap.add_argument("--profile", help="cProfile this kind once and print the top functions")
    ap.add_argument("--collapse-at", dest="collapse_at", type=float, default=None,
                    help="build_extract's collapse_at: one row only for records linked at this probability or more")
    ap.add_argument("--explain", type=int, default=0, help="print the rows that absorbed N missed clean persons")
    args = ap.parse_args()

    import popqa

    out(f"popqa from {os.path.dirname(popqa.__file__)}\n")
    reg, truth = _load(args)
    findings, clusters, pairs = _audit_inputs(reg, args)
    if args.collapse_at is not None and pairs is None:
        sys.exit("--collapse-at needs the scored pairs: use a new --cache folder")
    collapse = {"pairs": pairs, "collapse_at": args.collapse_at}
    if args.collapse_at is not None:
        out(f"collapse_at {args.collapse_at}\n")
    persons = reg.persons
    if args.profile:
        import cProfile
        import pstats

        with tempfile.TemporaryDirectory() as tmp:
            pr = cProfile.Profile()
            pr.enable()
            table = build_extract(reg, args.profile, period=args.period, clusters=clusters, findings=findings,
                                  **collapse)
            write_extract(table, os.path.join(tmp, "extracts"), lang="vi")
            pr.disable()
        pstats.Stats(pr, stream=sys.stdout).sort_stats("cumulative").print_stats(45)
        return

    if not args.timing_only:
        to_true, orig, hard_ids = _truth_groups(persons, truth)
    ref = pd.Period(args.period, freq="M").end_time.date()
    timing, accuracy = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            best = None
            for _ in range(args.repeat):
                c0 = time.process_time()
                t0 = time.perf_counter()
                table = build_extract(reg, kind, period=args.period, clusters=clusters, findings=findings,
                                      **collapse)
                t_build = time.perf_counter() - t0
                t0 = time.perf_counter()
                res = write_extract(table, os.path.join(tmp, "extracts"), lang="vi")
                t_write = time.perf_counter() - t0
                cpu = time.process_time() - c0
                if best is None or t_build + t_write < best[0] + best[1]:
                    best = (t_build, t_write, cpu)
            t_build, t_write, cpu = best
            r = table.rows
            timing.append({"kind": kind, "rows": len(r), "build_s": round(t_build, 2), "write_s": round(t_write, 2),
                           "total_s": round(t_build + t_write, 2), "cpu_s": round(cpu, 2),
                           "workbooks": len(res.files) - 1})
            if args.timing_only:
                continue
            prm = table.params
            sy = prm.school_year or 0
            ed = prm.election_date.date() if prm.election_date is not None else ref
            elig = truth_eligible(orig, kind, ref, sy, ed)
            rep_true = r["person_id"].map(lambda x: to_true.get(x, x))
            counts = rep_true.value_counts()
            listed = set(counts.index)
            folded = r.loc[r["duplicate_person_ids"].ne(""), ["person_id", "duplicate_person_ids"]]
            folded = folded.assign(d=folded["duplicate_person_ids"].str.split(";")).explode("d")
            folded_true = set(folded["d"].map(lambda x: to_true.get(x, x))) - listed
            # rows of a true person listed more than once, and whether every one of its rows says so
            twice_rows = r[rep_true.map(counts).gt(1).to_numpy()]
            twice_true = rep_true[twice_rows.index]
            poss = twice_rows["flags"].str.contains("possible_duplicate", regex=False)
            all_flagged = poss.groupby(twice_true.to_numpy()).all()
            uncertain = set(rep_true[r["flags"].str.contains("age_uncertain", regex=False).to_numpy()])
            if args.explain:
                _explain(kind, r, persons, orig, elig, listed, to_true, args.explain)
            for group in ("clean", "duplicated", "faulted"):
                g = orig[(orig["_group"] == group).to_numpy()]
                gids = set(g["person_id"].astype("string"))
                eids = set(g.loc[elig[(orig["_group"] == group).to_numpy()], "person_id"].astype("string"))
                missed = eids - listed
                twice = {t for t in eids & listed if counts[t] > 1}
                not_elig = (listed & gids) - eids
                accuracy.append({
                    "kind": kind, "group": group, "eligible": len(eids), "listed": len(eids & listed),
                    "missed": len(missed), "missed_folded": len(missed & folded_true),
                    "missed_folded_hard_case": len(missed & folded_true & hard_ids),
                    "twice": len(twice), "twice_flagged": int(all_flagged.reindex(list(twice)).fillna(False).sum()),
                    "listed_not_eligible": len(not_elig), "of_which_age_uncertain": len(not_elig & uncertain),
                })
    _table(pd.DataFrame(timing))
    if accuracy:
        out("\n")
        _table(pd.DataFrame(accuracy))


def _explain(kind, r, persons, orig, elig, listed, to_true, n) -> None:
    """The row of each missed clean person (its id in another row's duplicate_person_ids) and that row's
    records: who the linkage put together."""
    clean = orig[(orig["_group"] == "clean").to_numpy() & elig]
    missed = sorted(set(clean["person_id"].astype("string")) - listed)[:n]
    cols = ["person_id", "household_id", "full_name", "sex", "birth_date", "birth_date_precision", "citizen_id",
            "status", "residence_status", "commune_code"]
    pid = persons["person_id"].astype("string")
    for m in missed:
        row = r[r["duplicate_person_ids"].str.split(";").map(lambda ids, m=m: m in ids)]
        out(f"\n{kind}: missed clean {m}, in the row of {row['person_id'].tolist()} flags {row['flags'].tolist()}\n")
        ids = set(row["person_id"]) | {i for d in row["duplicate_person_ids"] for i in d.split(";")}
        recs = persons[pid.isin(ids).to_numpy()][cols].assign(true=lambda d: d["person_id"].map(
            lambda x: to_true.get(x, x)))
        out(recs.to_string(index=False) + "\n")


def _table(df: pd.DataFrame) -> None:
    cols = list(df.columns)
    out("| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n")
    for r in df.itertuples(index=False):
        out("| " + " | ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in r) + " |\n")


if __name__ == "__main__":
    main()
