"""Accuracy and speed of popqa's dedup and linkage against the synthetic province's truth.

Compares, on the same data: popqa (``popqa.linkage.dedupe`` / ``link``), a vanilla
Splink configuration a competent user would write (names, birth date, sex,
commune, ID with default comparisons from ``splink.comparison_library``) and the
Python Record Linkage Toolkit (``recordlinkage``). Prints tables (pairwise
precision, recall, F1, wall time; per variation kind; hard non-duplicates;
each linked source) and, with ``--scaling``, popqa's dedup time and peak memory at
several sizes.

With ``--independent`` it also scores the independent test register
(``tests/linkage/independent_register.py``: a second generator sharing no code with
``popqa.synth``, with twins, triplets, parent-child namesakes and movers), so accuracy is
reported on data the model was not adjusted to. ``--blocking`` measures the recall of the
blocking rules on their own (true pairs compared / true pairs).

Reproduce::

    .venv/bin/python benchmarks/bench_linkage.py --scale 0.05 --independent --blocking
    .venv/bin/python benchmarks/bench_linkage.py --scaling 100000,300000,1200000 --no-compare --blocking
    .venv/bin/python benchmarks/bench_linkage.py --compare-at 1200000 --blocking
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from popqa.linkage import dedupe, link  # noqa: E402

out = sys.stdout.write


class PeakRSS:
    """Sample the process's resident memory in a thread; ``peak`` in GB."""

    def __init__(self) -> None:
        import psutil

        self._p = psutil.Process()
        self.peak = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRSS:
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._p.memory_info().rss / 1e9)
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


# --------------------------------------------------------------------------- truth
def true_pairs_dedupe(truth: dict[str, pd.DataFrame], persons: pd.DataFrame) -> pd.DataFrame:
    """All true duplicate pairs (within each true person's group of records), with variation."""
    d = truth["duplicates"][["person_id", "original_person_id", "variation"]].astype("string")
    ids = set(persons["person_id"].astype("string"))
    d = d[d["person_id"].isin(ids) & d["original_person_id"].isin(ids)]
    # root each duplicate at its original; records sharing a root are all pairwise true matches
    root = dict(zip(d["person_id"], d["original_person_id"], strict=True))
    for _ in range(5):
        d["original_person_id"] = d["original_person_id"].map(lambda x: root.get(x, x))
    groups = pd.concat(
        [d[["original_person_id"]].rename(columns={"original_person_id": "pid"}).assign(root=d["original_person_id"]),
         d[["person_id"]].rename(columns={"person_id": "pid"}).assign(root=d["original_person_id"])]
    ).drop_duplicates()
    m = groups.merge(groups, on="root")
    m = m[m["pid_x"] < m["pid_y"]]
    var = pd.concat(
        [d.assign(a=d[["person_id", "original_person_id"]].min(axis=1), b=d[["person_id", "original_person_id"]].max(axis=1))]
    )[["a", "b", "variation"]]
    m = m.rename(columns={"pid_x": "a", "pid_y": "b"})[["a", "b"]].merge(var, on=["a", "b"], how="left")
    m["variation"] = m["variation"].fillna("sibling duplicates")
    return m.drop_duplicates(["a", "b"])


def score(pred: set, truth_pairs: pd.DataFrame) -> dict[str, float]:
    t = set(zip(truth_pairs["a"], truth_pairs["b"], strict=True))
    tp = len(pred & t)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(t) if t else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "fp": len(pred - t), "fn": len(t - pred)}


def pairs_set(df: pd.DataFrame, a: str, b: str) -> set:
    lo = np.minimum(df[a].astype(str).to_numpy(), df[b].astype(str).to_numpy())
    hi = np.maximum(df[a].astype(str).to_numpy(), df[b].astype(str).to_numpy())
    return set(zip(lo, hi, strict=True))


def blocking_recall(persons: pd.DataFrame, truth_pairs: pd.DataFrame) -> dict[str, float]:
    """Share of true pairs that at least one blocking rule compares, and the number of
    candidate pairs each rule generates (one DuckDB pass per rule, equi-join on its keys)."""
    import duckdb

    from popqa import textkeys
    from popqa.linkage.features import person_features
    from popqa.linkage.model import blocking_rules_for

    f = person_features(persons[textkeys.first_of_each(persons["person_id"])])
    con = duckdb.connect(":memory:")
    con.register("f", f)
    con.register("t", truth_pairs[["a", "b"]].astype(str))
    rules = blocking_rules_for("dedupe")
    cond = " OR ".join(f"coalesce({r}, false)" for r in rules)
    hit = con.execute(
        f"SELECT avg(CASE WHEN {cond} THEN 1 ELSE 0 END) FROM t JOIN f l ON l.unique_id = t.a "
        "JOIN f r ON r.unique_id = t.b"
    ).fetchone()[0]
    n_pairs = 0
    for r in rules:
        n_pairs += con.execute(
            f"SELECT count(*) FROM f l JOIN f r ON {r} AND l.unique_id < r.unique_id"
        ).fetchone()[0]
    con.close()
    return {"blocking recall": float(hit), "candidate pairs (sum over rules)": int(n_pairs), "rules": len(rules)}


def run_independent(n_households: int, seed: int) -> None:
    from tests.linkage.independent_register import evaluate, make_register

    reg = make_register(n_households, seed=seed)
    persons = reg["persons"]
    out(f"independent register: {len(persons):,} persons, {len(reg['duplicates']):,} true duplicate pairs\n\n")
    t0 = time.perf_counter()
    res = dedupe(persons)
    secs = time.perf_counter() - t0
    e = evaluate(res.pairs, res.threshold, reg)
    row = {k: e[k] for k in ("precision", "recall", "f1", "tp", "fp", "fn")}
    out("## Independent register: dedup (popqa)\n\n" + _md(pd.DataFrame([{**row, "seconds": secs}])) + "\n\n")
    out("### Recall per variation kind\n\n" + _md(e["per_variation"].reset_index()) + "\n\n")
    out("### Hard non-duplicates: pairs wrongly linked\n\n" + _md(e["hard"].reset_index()) + "\n\n")
    t = reg["duplicates"]
    out("### Blocking\n\n" + _md(pd.DataFrame([blocking_recall(persons, t)])) + "\n\n")


# --------------------------------------------------------------------------- competitors
def _plain(persons: pd.DataFrame) -> pd.DataFrame:
    """What a competent user feeds a generic tool: lower-case names, ISO date, raw codes."""
    f = pd.DataFrame({"unique_id": persons["person_id"].astype(str)})
    name = persons["full_name"].astype("string").str.lower().str.strip()
    f["first_name"] = name.str.rsplit(" ", n=1).str[-1]
    f["surname"] = name.str.split(" ", n=1).str[0]
    f["full_name"] = name
    f["dob"] = pd.to_datetime(persons["birth_date"], errors="coerce").dt.strftime("%Y-%m-%d")
    f["sex"] = persons["sex"].astype("string")
    f["commune_code"] = persons["commune_code"].astype("string")
    f["citizen_id"] = persons["citizen_id"].astype("string") if "citizen_id" in persons else pd.NA
    f = f[~f["unique_id"].duplicated()]
    return f.astype(object).where(f.notna(), None)


def vanilla_splink(persons: pd.DataFrame, threshold: float, seed: int) -> pd.DataFrame:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = _plain(persons)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("commune_code"),
            cl.ExactMatch("citizen_id"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname", "dob"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("citizen_id"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    import duckdb

    con = duckdb.connect()
    con.execute("SET memory_limit = '8GB'")  # the shared benchmark machine: DuckDB's default is 80 % of RAM
    db = DuckDBAPI(connection=con)
    linker = Linker(db.register(df), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=3e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    pred = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    return pred[["unique_id_l", "unique_id_r", "match_probability"]]


def recordlinkage_rl(persons: pd.DataFrame, threshold: float) -> pd.DataFrame:
    import recordlinkage

    df = _plain(persons).set_index("unique_id")
    idx = recordlinkage.Index()
    idx.block(["surname", "dob"])
    idx.block(["first_name", "dob"])
    idx.block("citizen_id")
    cand = idx.index(df)
    cmp = recordlinkage.Compare()
    cmp.string("first_name", "first_name", method="jarowinkler", threshold=0.85, label="first")
    cmp.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    cmp.exact("dob", "dob", label="dob")
    cmp.exact("sex", "sex", label="sex")
    cmp.exact("commune_code", "commune_code", label="commune")
    cmp.exact("citizen_id", "citizen_id", label="cid")
    feats = cmp.compute(cand, df)
    ecm = recordlinkage.ECMClassifier(binarize=0.5)
    ecm.fit(feats)
    prob = ecm.prob(feats)
    sel = prob[prob >= threshold]
    return pd.DataFrame(
        {"unique_id_l": sel.index.get_level_values(0), "unique_id_r": sel.index.get_level_values(1),
         "match_probability": sel.to_numpy()}
    )


# --------------------------------------------------------------------------- main runs
def run_compare(scale: float, seed: int, compare: bool, blocking: bool = False) -> None:
    from popqa.synth import generate_province

    t0 = time.perf_counter()
    sp = generate_province(scale=scale, seed=seed)
    persons = sp.register.persons
    out(f"synthetic province scale {scale}: {len(persons):,} persons (generated in {time.perf_counter() - t0:.1f} s)\n")
    truth = true_pairs_dedupe(sp.truth, persons)
    out(f"true duplicate pairs: {len(truth):,}\n\n")
    if blocking:
        out("## Blocking (synthetic province)\n\n" + _md(pd.DataFrame([blocking_recall(persons, truth)])) + "\n\n")

    rows = []
    t0 = time.perf_counter()
    res = dedupe(persons, households=sp.register.households)
    t_popqa = time.perf_counter() - t0
    acc = res.pairs[res.pairs["match_probability"] >= res.threshold]
    pred = pairs_set(acc, "person_id_l", "person_id_r")
    rows.append({"method": "popqa", **score(pred, truth), "seconds": t_popqa})
    if compare:
        t0 = time.perf_counter()
        v = vanilla_splink(persons, res.threshold, seed)
        rows.append({"method": "vanilla Splink", **score(pairs_set(v, "unique_id_l", "unique_id_r"), truth),
                     "seconds": time.perf_counter() - t0})
        t0 = time.perf_counter()
        r = recordlinkage_rl(persons, res.threshold)
        rows.append({"method": "recordlinkage (ECM)", **score(pairs_set(r, "unique_id_l", "unique_id_r"), truth),
                     "seconds": time.perf_counter() - t0})
    out("## Register dedup\n\n" + _md(pd.DataFrame(rows)) + "\n\n")

    # per variation kind (recall; precision is a property of the predicted set, shown overall)
    per = []
    tset = truth.copy()
    tset["found"] = [(a, b) in pred for a, b in zip(tset["a"], tset["b"], strict=True)]
    tset = tset.assign(variation=tset["variation"].str.split("+")).explode("variation")
    for var, g in tset.groupby("variation"):
        per.append({"variation": var, "true pairs": len(g), "found": int(g["found"].sum()),
                    "recall": g["found"].mean()})
    out("### Recall per variation kind (popqa)\n\n" + _md(pd.DataFrame(per)) + "\n\n")
    hard = sp.truth.get("hard_nonduplicates")
    if hard is not None and len(hard):
        h = hard.astype({"person_id_l": str, "person_id_r": str})
        h["linked"] = [(min(a, b), max(a, b)) in pred for a, b in zip(h["person_id_l"], h["person_id_r"], strict=True)]
        hn = h.groupby("kind").agg(pairs=("linked", "size"), wrongly_linked=("linked", "sum")).reset_index()
        hn["specificity"] = 1 - hn["wrongly_linked"] / hn["pairs"]
        out("### Hard non-duplicates (popqa): pairs wrongly linked\n\n" + _md(hn) + "\n\n")

    links = sp.truth.get("links")
    if links is not None and len(links):
        lrows = []
        for src, g in links.groupby("source"):
            table = sp.register.get(src)
            if table is None:
                continue
            t0 = time.perf_counter()
            lr = link(persons, table, src)
            secs = time.perf_counter() - t0
            tl = g[g["person_id"].notna()].astype({"source_id": str, "person_id": str})
            tp_set = set(zip(tl["source_id"], tl["person_id"], strict=True))
            got = lr.links.dropna(subset=["person_id"])
            pr_set = set(zip(got["source_id"].astype(str), got["person_id"].astype(str), strict=True))
            tp = len(tp_set & pr_set)
            p = tp / len(pr_set) if pr_set else 1.0
            r = tp / len(tp_set) if tp_set else 1.0
            lrows.append({"source": src, "records": len(table), "true links": len(tp_set), "precision": p,
                          "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "seconds": secs})
            gv = g.astype({"source_id": str, "person_id": str}).copy()
            gv = gv[g["person_id"].notna().to_numpy()]
            gv["ok"] = [(s, q) in pr_set for s, q in zip(gv["source_id"], gv["person_id"], strict=True)]
            out(f"### {src}: recall per variation\n\n"
                + _md(gv[gv["person_id"] != "<NA>"].groupby("variation")["ok"].agg(["size", "mean"]).reset_index()
                      .rename(columns={"size": "true links", "mean": "recall"})) + "\n\n")
        out("## Linkage with each source (popqa)\n\n" + _md(pd.DataFrame(lrows)) + "\n\n")


def run_scaling(sizes: list[int], seed: int, blocking: bool = False) -> None:
    from popqa.synth import generate_province

    rows = []
    for n in sizes:
        scale = n / 1_200_000
        sp = generate_province(scale=scale, seed=seed)
        persons = sp.register.persons
        if blocking:
            b = blocking_recall(persons, true_pairs_dedupe(sp.truth, persons))
            out(f"{len(persons):,} persons: " + ", ".join(f"{k} {v:,.4f}" if isinstance(v, float) else f"{k} {v:,}"
                                                        for k, v in b.items()) + "\n")
        del sp
        with PeakRSS() as mem:
            t0 = time.perf_counter()
            res = dedupe(persons)
            secs = time.perf_counter() - t0
        rows.append({"persons": len(persons), "scored pairs": len(res.pairs),
                     "duplicate records": int((res.clusters["person_id"] != res.clusters["cluster_id"]).sum()),
                     "seconds": secs, "peak RSS GB": mem.peak})
        out(_md(pd.DataFrame(rows[-1:])) + "\n")
    out("\n## Dedup scaling (popqa)\n\n" + _md(pd.DataFrame(rows)) + "\n")


def _peak_gb() -> float:
    """Peak resident memory of this process so far (VmHWM), GB."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1e6


def run_one(method: str, data: str, seed: int) -> None:
    """One method on persons saved by ``run_compare_at``, in its own process (clean peak memory).

    Prints one JSON line: seconds, peak RSS of the whole process (including the persons frame,
    ``base GB`` = after loading them), precision, recall, F1 against the saved truth pairs.
    """
    import json

    persons = pd.read_parquet(os.path.join(data, "persons.parquet"))
    truth = pd.read_parquet(os.path.join(data, "truth.parquet"))
    base = _peak_gb()
    t0 = time.perf_counter()
    row: dict[str, object] = {"method": method, "persons": len(persons)}
    try:
        if method == "popqa":
            res = dedupe(persons)
            acc = res.pairs[res.pairs["match_probability"] >= res.threshold]
            pred = pairs_set(acc, "person_id_l", "person_id_r")
        elif method == "vanilla Splink":
            pred = pairs_set(vanilla_splink(persons, 0.7, seed), "unique_id_l", "unique_id_r")
        else:
            pred = pairs_set(recordlinkage_rl(persons, 0.7), "unique_id_l", "unique_id_r")
        row.update({"seconds": time.perf_counter() - t0, "peak RSS GB": _peak_gb(), "base GB": base,
                    **{k: v for k, v in score(pred, truth).items() if k in ("precision", "recall", "f1")}})
    except Exception as exc:  # a competitor that cannot finish is a result
        row.update({"seconds": time.perf_counter() - t0, "peak RSS GB": _peak_gb(), "base GB": base,
                    "error": f"{type(exc).__name__}: {str(exc)[:120]}"})
    out(json.dumps(row) + "\n")


def run_compare_at(n: int, seed: int, blocking: bool, timeout_min: float) -> None:
    """popqa, vanilla Splink and recordlinkage on one province of ``n`` persons, each in its own
    process on the same saved persons; seconds and peak memory with ratios to popqa."""
    import json
    import subprocess
    import tempfile

    from popqa.synth import generate_province

    t0 = time.perf_counter()
    sp = generate_province(scale=n / 1_200_000, seed=seed)
    persons = sp.register.persons
    truth = true_pairs_dedupe(sp.truth, persons)
    out(f"{len(persons):,} persons, {len(truth):,} true pairs (generated in {time.perf_counter() - t0:.0f} s)\n")
    if blocking:
        b = blocking_recall(persons, truth)
        out(", ".join(f"{k} {v:,.4f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in b.items()) + "\n")
    rows = []
    scratch = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(scratch, exist_ok=True)  # not in a fresh clone (ignored by git)
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        persons.to_parquet(os.path.join(tmp, "persons.parquet"))
        truth.to_parquet(os.path.join(tmp, "truth.parquet"))
        del sp, persons
        for method in ("popqa", "vanilla Splink", "recordlinkage (ECM)"):
            try:
                r = subprocess.run([sys.executable, __file__, "--one", method, "--data", tmp, "--seed", str(seed)],
                                   capture_output=True, text=True, timeout=timeout_min * 60)
                line = [x for x in r.stdout.splitlines() if x.startswith("{")]
                row = json.loads(line[-1]) if line else {"method": method, "error": (r.stderr or "no output")[-200:]}
            except subprocess.TimeoutExpired:
                row = {"method": method, "seconds": timeout_min * 60, "error": f"stopped after {timeout_min:g} min"}
            out(json.dumps(row) + "\n")
            rows.append(row)
    df = pd.DataFrame(rows)
    ref = df.iloc[0]
    df["seconds / popqa"] = df["seconds"] / ref["seconds"]
    df["memory / popqa"] = df["peak RSS GB"] / ref["peak RSS GB"]
    out("\n## Dedup at scale: popqa, vanilla Splink, recordlinkage (same persons, one process each)\n\n"
        + _md(df) + "\n")


def _md(df: pd.DataFrame) -> str:
    df = df.copy()
    for c in df.columns:
        if df[c].dtype.kind == "f":
            df[c] = df[c].map(lambda x: f"{x:.3f}" if abs(x) < 100 else f"{x:,.0f}")
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(map(str, r)) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--no-compare", action="store_true", help="skip vanilla Splink and recordlinkage")
    ap.add_argument("--scaling", help="comma-separated person counts for the scaling table")
    ap.add_argument("--independent", action="store_true", help="also score the independent test register")
    ap.add_argument("--independent-households", type=int, default=12_000)
    ap.add_argument("--independent-only", action="store_true", help="only the independent register")
    ap.add_argument("--blocking", action="store_true", help="measure blocking recall on its own")
    ap.add_argument("--compare-at", type=int, help="persons: popqa, vanilla Splink and recordlinkage at this size, "
                    "each in its own process (seconds, peak memory, accuracy, ratios)")
    ap.add_argument("--timeout-min", type=float, default=20, help="a method still running after this is stopped")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.one:
        run_one(args.one, args.data, args.seed)
        return
    if args.compare_at:
        run_compare_at(args.compare_at, args.seed, args.blocking, args.timeout_min)
        return
    if args.independent or args.independent_only:
        run_independent(args.independent_households, 15)
        if args.independent_only:
            return
    if args.scaling:
        run_scaling([int(x) for x in args.scaling.split(",")], args.seed, args.blocking)
        if args.no_compare:
            return
    run_compare(args.scale, args.seed, not args.no_compare, args.blocking)


if __name__ == "__main__":
    main()
