"""The linkage of a source after its model has scored: ``popqa.linkage.link`` with the scored pairs of the
police residence records (or another source) read from a file, so that only what follows the scoring is
timed (the source's features, the pairs' tidying, sorting by source record, the one-to-one assignment
and each record's link). Issue 16: this step grew faster than the register (3.3x for 2.7x the persons).

The first run scores the pairs with the model as the audit does (``linkage.memory_limit: 2500MB``) and
writes them to ``--pairs``; later runs read them, in the kind of frame ``run_splink`` returns (the ids
as the code under test gives them: ``string[pyarrow]`` since 209f1cf, Python strings before with
``--python-ids``). Prints one JSON line: seconds, the process's peak resident memory from the start of
the timed call (MiB), the number of source records and of links. Figures in docs/benchmarks.md, "The
audit at 1.25 and 3.38 M persons, seventh measurement".

Usage (heavy: wrap in ``flock /tmp/bench.lock``; run the code under test with ``PYTHONPATH``)::

    .venv/bin/python benchmarks/bench_link_after_scoring.py REGISTER_DIR --pairs PAIRS.parquet [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import time

from bench_link_models import _reset_peak, _status


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("register")
    ap.add_argument("--pairs", required=True, help="the scored pairs' file (written by the first run)")
    ap.add_argument("--source", default="residents")
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--python-ids", action="store_true", help="the pairs' ids as Python strings (code before 209f1cf)")
    ap.add_argument("--profile", action="store_true", help="print cProfile's 30 costliest calls")
    args = ap.parse_args()

    import pandas as pd

    from popqa import textkeys
    from popqa.io import read_register
    from popqa.linkage import link
    from popqa.linkage import model as M
    from popqa.linkage.config import LinkageConfig
    from popqa.linkage.features import person_features
    from popqa.pipeline import arrow_memory_from_c_library

    arrow_memory_from_c_library()  # as the audit does
    scored = M.run_splink
    id_dtype = "string" if args.python_ids else pd.StringDtype("pyarrow")

    def from_file(left, right, kind, config):
        if not os.path.exists(args.pairs):
            scored(left, right, kind, config).to_parquet(args.pairs)
        return pd.read_parquet(args.pairs).astype({"unique_id_l": id_dtype, "unique_id_r": id_dtype})

    M.run_splink = from_file
    reg = read_register(args.register, period=args.period)
    pids = reg.persons["person_id"]
    if hasattr(textkeys, "first_of_each"):
        first = textkeys.first_of_each(pids)
    else:  # a checkout before 209f1cf, measured beside the current code
        first = pids.notna().to_numpy() & ~textkeys.duplicated(pids)
    feats = person_features(reg.persons[first])
    cfg = LinkageConfig(memory_limit="2500MB")
    if not os.path.exists(args.pairs):
        link(reg.persons, reg[args.source], args.source, cfg, features=feats)
    gc.collect()
    _reset_peak()
    prof = cProfile.Profile() if args.profile else None
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    res = link(reg.persons, reg[args.source], args.source, cfg, features=feats)
    if prof:
        prof.disable()
    seconds = time.perf_counter() - t0
    print(json.dumps({"register": args.register, "source": args.source, "seconds": round(seconds, 2),
                      "peak_mb": round(_status("VmHWM")), "records": len(res.links),
                      "linked": int(res.links["person_id"].notna().sum()), "pairs": len(res.pairs),
                      "python_ids": args.python_ids}))
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
