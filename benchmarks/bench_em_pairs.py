"""The EM passes' sample size (``linkage.em_max_pairs``, ``source_em_max_pairs``) against time and accuracy,
model by model (issue 16).

Each EM pass of a model samples its blocked pairs down to about ``em_max_pairs`` (the deduplication) or
``source_em_max_pairs`` (a source's linkage; Splink's deterministic record hashing on both sides); the
script sets both to each value given. This script reads one synthetic register and its truth,
computes the persons' features once, then for each value given runs the deduplication and each source
linkage as the link stage does (``popqa.linkage.dedupe`` / ``link`` with the features) and reports, per
model: seconds in all, seconds in the EM passes (popqa's own log lines), and accuracy against the truth
(pairwise precision, recall and F1 of the deduplication's accepted pairs; precision and recall of each
source's links), plus how many links and accepted pairs differ from the first value's. Figures in
docs/benchmarks.md ("twenty-sixth measurement", "twenty-seventh measurement").

Usage (heavy: wrap in ``flock /tmp/bench.lock``)::

    .venv/bin/python benchmarks/bench_em_pairs.py REGISTER_DIR TRUTH_DIR --values 5e6,2e6 [--kinds dedupe,residents]

``--memory-limit`` is DuckDB's limit per model (default 4GB, the audit's default above 2 M persons).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_linkage import pairs_set, score, true_pairs_dedupe  # noqa: E402


class _Seconds(logging.Handler):
    """Adds up the seconds of popqa's "EM pass in X s" and "u estimated in X s" log lines."""

    PATTERN = re.compile(r"^(EM pass|u estimated) in ")

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.em = self.u = 0.0
        self.passes = 0

    def emit(self, record: logging.LogRecord) -> None:
        m = self.PATTERN.match(str(record.msg))
        if m and record.args:
            if m.group(1) == "EM pass":
                self.em += float(record.args[0])
                self.passes += 1
            else:
                self.u += float(record.args[0])


def main() -> int:
    from popqa import textkeys
    from popqa.io import read_register
    from popqa.linkage import dedupe, link
    from popqa.linkage.config import LinkageConfig
    from popqa.linkage.features import person_features, recent_move_ins
    from popqa.period import Period

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("register")
    ap.add_argument("truth")
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--values", default="5e6,2e6", help="em_max_pairs values, the first one the reference")
    ap.add_argument("--kinds", default="dedupe,civil_births,civil_deaths,residents,insurance")
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "out" / "em_pairs.jsonl"))
    args = ap.parse_args()

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("popqa").setLevel(logging.INFO)
    seconds = _Seconds()
    logging.getLogger("popqa.linkage.model").addHandler(seconds)
    truth = {n: pd.read_parquet(Path(args.truth) / f"{n}.parquet") for n in ("duplicates", "links")}
    reg = read_register(args.register, period=args.period)
    persons = reg.persons
    moved = recent_move_ins(reg.get("events"), Period.parse(args.period).end, LinkageConfig().mover_months)
    feats = person_features(persons[textkeys.first_of_each(persons["person_id"])], move_in_ids=moved)
    true_dd = true_pairs_dedupe(truth, persons)
    kinds = args.kinds.split(",")
    reference: dict[str, set] = {}
    rows = []
    for value in [float(v) for v in args.values.split(",")]:
        cfg = LinkageConfig(memory_limit=args.memory_limit, em_max_pairs=value, source_em_max_pairs=value)
        for kind in kinds:
            if kind != "dedupe" and kind not in reg:
                continue
            seconds.em = seconds.u = 0.0
            seconds.passes = 0
            t0 = time.perf_counter()
            if kind == "dedupe":
                res = dedupe(persons, cfg, features=feats)
                secs = time.perf_counter() - t0
                acc = res.pairs[res.pairs["match_probability"] >= res.threshold]
                got = pairs_set(acc, "person_id_l", "person_id_r")
                quality = score(got, true_dd)
            else:
                res = link(persons, reg[kind], kind, cfg, features=feats)
                secs = time.perf_counter() - t0
                made = res.links.dropna(subset=["person_id"])
                got = set(zip(made["source_id"].astype(str), made["person_id"].astype(str), strict=True))
                tl = truth["links"]
                tl = tl[(tl["source"] == kind) & tl["person_id"].notna()]
                # bench_linkage's score: (source id, person id) pairs against the true ones
                quality = score(got, pd.DataFrame({"a": tl["source_id"].astype(str), "b": tl["person_id"].astype(str)}))
            ref = reference.setdefault(kind, got)
            row = {"em_max_pairs": value, "kind": kind, "seconds": round(secs, 1), "em_s": round(seconds.em, 1),
                   "em_passes": seconds.passes, "u_s": round(seconds.u, 1), "accepted": len(got),
                   "differ_from_first": len(got ^ ref), **{k: (round(v, 5) if isinstance(v, float) else v)
                                                           for k, v in quality.items()},
                   "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
            print(json.dumps(row), flush=True)
            rows.append(row)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps({"register": args.register, **row}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
