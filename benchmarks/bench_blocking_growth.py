"""Candidate pairs of each deduplication blocking rule on one register (issue 16): the pairs of its
equality keys ("pre") and the pairs it keeps ("post"), counted with DuckDB on the person features.
Figures in docs/benchmarks.md, "Where the link stage grows faster than the register".

Usage::

    .venv/bin/python benchmarks/bench_blocking_growth.py REGISTER_DIR 2026-10
"""

from __future__ import annotations

import re
import sys
import time


def main() -> None:
    import duckdb

    from popqa.io import read_register
    from popqa.linkage.features import person_features
    from popqa.linkage.model import blocking_rules_for

    reg = read_register(sys.argv[1], period=sys.argv[2])
    ids = reg.persons["person_id"].astype("string")
    f = person_features(reg.persons[ids.notna() & ~ids.duplicated()])
    con = duckdb.connect()
    con.register("f", f)
    con.execute("CREATE TABLE t AS SELECT * FROM f")
    print("persons", len(f), flush=True)
    for i, rule in enumerate(blocking_rules_for("dedupe")):
        keys = re.findall(r"l\.(\w+) = r\.\1\b", rule)
        nn = " AND ".join(f"{k} IS NOT NULL" for k in keys)
        pre = con.execute(f"SELECT sum(n*(n-1)/2) FROM (SELECT count(*) n FROM t WHERE {nn} "
                          f"GROUP BY {', '.join(keys)})").fetchone()[0]
        t0 = time.perf_counter()
        post = con.execute(f"SELECT count(*) FROM t l JOIN t r ON l.unique_id < r.unique_id AND {rule}").fetchone()[0]
        print(f"{i:2d} pre {int(pre or 0):>12,} post {post:>12,} {time.perf_counter() - t0:6.1f}s  {rule[:110]}",
              flush=True)


if __name__ == "__main__":
    main()
