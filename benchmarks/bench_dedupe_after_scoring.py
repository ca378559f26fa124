"""The deduplication after its model has scored: ``popqa.linkage.dedupe`` with the scored pairs read from a
file, so that only what follows the scoring is timed (the whole-name adjustment, the pairs' tidying, the
constrained clustering and its look-ups, the findings and their places). Issue 16: 13.6 s of the 1.25 M
audit's link stage before the twentieth measurement, the records looked up for every person.

The first run scores the persons' features as the audit does (``linkage.memory_limit: 2500MB``) and writes
the pairs to ``--pairs``; later runs read them, so that two codes are timed on the same pairs. Runs
``dedupe`` ``--runs`` times in one process (the rules' modules imported first, as an audit has them) and
prints one JSON line: each run's seconds, the number of pairs and of persons in clusters of several, and
the file of the code timed. Figures in docs/benchmarks.md, "twentieth measurement".

Usage (heavy: wrap in ``flock /tmp/bench.lock``; run the code under test with ``PYTHONPATH``)::

    .venv/bin/python benchmarks/bench_dedupe_after_scoring.py REGISTER_DIR --pairs PAIRS.parquet [--runs 3]
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("register")
    ap.add_argument("--pairs", required=True, help="the scored pairs' file (written by the first run)")
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    import pandas as pd

    import popqa.checks.rules  # noqa: F401  (imported by the check stage before an audit's link stage)
    import popqa.linkage.model as model
    from popqa.io import read_register
    from popqa.linkage.config import LinkageConfig
    from popqa.linkage.features import person_features
    from popqa.pipeline import arrow_memory_from_c_library

    arrow_memory_from_c_library()  # as the audit does
    dd = importlib.import_module("popqa.linkage.dedupe")  # the module (popqa.linkage.dedupe is the function)
    reg = read_register(args.register, period=args.period)
    persons = reg.persons
    feats = person_features(persons)
    cfg = LinkageConfig(memory_limit="2500MB")
    path = Path(args.pairs)
    if not path.exists():
        model.run_splink(feats, None, "dedupe", cfg).to_parquet(path)
    # the ids as run_splink gives them (Arrow text), whichever run wrote the file
    raw = pd.read_parquet(path).astype({"unique_id_l": pd.StringDtype("pyarrow"),
                                        "unique_id_r": pd.StringDtype("pyarrow")})
    model.run_splink = lambda *a, **k: raw.copy()  # dedupe imports it from the module when it runs
    seconds = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        res = dd.dedupe(persons, cfg, households=reg.households, features=feats)
        seconds.append(round(time.perf_counter() - t0, 2))
    print(json.dumps({"code": dd.__file__, "persons": len(persons), "seconds": seconds, "pairs": len(res.pairs),
                      "clustered": int((res.clusters["cluster_size"] > 1).sum())}))


if __name__ == "__main__":
    main()
