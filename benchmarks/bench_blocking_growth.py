"""Candidate pairs of each deduplication blocking rule on one register (issue 16): the pairs of its
equality keys ("pre") and the pairs it keeps ("post"), counted with DuckDB on the person features.
Figures in docs/benchmarks.md, "Where the link stage grows faster than the register".

Usage::

    .venv/bin/python benchmarks/bench_blocking_growth.py REGISTER_DIR 2026-10 [SOURCE]

With SOURCE (e.g. ``residents``) the rules of that source's linkage are counted instead: the register's
person features against the source's records, the records settled by their citizen ID taking part in
the ID rule only, as :func:`popqa.linkage.model.run_splink` sets them up; "post" is then each rule's own
join (a pair met by two rules counts in both).
"""

from __future__ import annotations

import re
import sys
import time


def main() -> None:
    import duckdb

    from popqa import textkeys
    from popqa.io import read_register
    from popqa.linkage.features import person_features
    from popqa.linkage.model import blocking_rules_for

    reg = read_register(sys.argv[1], period=sys.argv[2])
    f = person_features(reg.persons[textkeys.first_of_each(reg.persons["person_id"])])
    con = duckdb.connect()
    if len(sys.argv) > 3:
        _source(con, reg, f, sys.argv[3])
        return
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


def _source(con, reg, f, kind: str) -> None:
    from popqa.linkage.config import LinkageConfig
    from popqa.linkage.link import _reference_year, source_frame
    from popqa.linkage.model import _settings, settle_by_id

    right = source_frame(reg[kind], kind, persons=reg.persons, reference_year=_reference_year(reg.persons))
    left, right, settled = settle_by_id(f, right, LinkageConfig())
    con.register("lf", left)
    con.register("rf", right)
    con.execute("CREATE TABLE l_t AS SELECT * FROM lf")
    con.execute("CREATE TABLE r_t AS SELECT * FROM rf")
    print("persons", len(left), kind, len(right), "settled", int(settled.sum()), flush=True)
    rules = _settings(kind, "link_only", 0.5, LinkageConfig(), settled=bool(settled.any()))[
        "blocking_rules_to_generate_predictions"]
    for i, rule in enumerate(rules):
        t0 = time.perf_counter()
        post = con.execute(f"SELECT count(*) FROM l_t l JOIN r_t r ON {rule}").fetchone()[0]
        print(f"{i:2d} post {post:>12,} {time.perf_counter() - t0:6.1f}s  {rule[:120]}", flush=True)


if __name__ == "__main__":
    main()
