"""pandas' hash tables against popqa.textkeys (Arrow) on text ids, as the register grows (issue 16).

For each register given (or synthetic 12-digit ids at 1.25 and 3.38 M when none is), on the persons'
``person_id`` as the readers type it (pandas' Python-backed strings), the best of ``--repeat`` runs of:

* ``duplicated``: ``Series.duplicated()`` against ``textkeys.duplicated``;
* ``isin``: ``Series.isin(one id in three)`` against ``textkeys.isin``;
* ``map``: ``Series.map(Series indexed by id)`` (a new index each time) against ``textkeys.lookup``;
* ``factorize``: ``pd.factorize`` against ``textkeys.factorize``;
* ``duplicated keep=False``: ``Series.duplicated(keep=False)`` against ``textkeys.duplicated`` (codes counted);
* ``first of each``: ``textkeys.first_of_each`` as it was (pandas' ``duplicated`` of the Arrow codes)
  against now (each code's first row from the codes' order);
* ``few among many``: one id in thirteen (the events' share of the persons) looked up among the distinct ids:
  a pandas ``Index`` of them built and looked up (the check stage's ``ctx.person_ids`` before the thirtieth
  measurement), Arrow hashing the ids (``is_in``, ``index_in``: ``textkeys`` before it) and
  ``textkeys.isin`` / ``textkeys.positions`` now (the few ids hashed, every id looked up among them);
* ``many among many``: every id looked up among the distinct ids in reverse order (as the police residence
  records among the persons): Arrow's ``is_in`` and ``index_in`` (``textkeys`` before the thirty-first
  measurement) against ``textkeys.isin`` / ``textkeys.positions`` now (DuckDB's join, both sides above
  ``textkeys.JOIN_FROM``).

The ratio column is the larger size's seconds over the smaller's: linear work gives the ratio of the ids.

Usage::

    .venv/bin/python benchmarks/bench_textkeys.py
    .venv/bin/python benchmarks/bench_textkeys.py /work/big/m12/register /work/big/m33/register
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from popqa import textkeys  # noqa: E402


def _ids(arg: str) -> pd.Series:
    if arg.isdigit():
        n = int(arg)
        rng = np.random.default_rng(1)
        return pd.Series([f"{v:012d}" for v in 254560000000 + rng.permutation(n) * 7], dtype="string")
    return pq.read_table(os.path.join(arg, "persons.parquet"), columns=["person_id"]).column(
        "person_id").to_pandas().astype("string")


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure(ids: pd.Series, repeat: int) -> dict[str, float]:
    ids = pd.Series(pd.array(ids.to_numpy(dtype=object, na_value=None), dtype="string"))  # fresh objects
    some = ids.iloc[::3]
    mapping = pd.Series(np.arange(len(ids)), index=ids.to_numpy(dtype=object, na_value=None))
    mapping = mapping[~mapping.index.duplicated()]
    values = mapping.to_numpy()
    return {
        "duplicated pandas": _best(lambda: ids.duplicated(), repeat),
        "duplicated textkeys": _best(lambda: textkeys.duplicated(ids), repeat),
        "isin pandas": _best(lambda: ids.isin(some), repeat),
        "isin textkeys": _best(lambda: textkeys.isin(ids, some), repeat),
        "map pandas": _best(lambda: ids.map(pd.Series(values, index=pd.Index(mapping.index.to_numpy(), dtype=object))),
                            repeat),
        "map textkeys": _best(lambda: textkeys.lookup(ids, mapping), repeat),
        "factorize pandas": _best(lambda: pd.factorize(ids), repeat),
        "factorize textkeys": _best(lambda: textkeys.factorize(ids), repeat),
        "duplicated keep=False pandas": _best(lambda: ids.duplicated(keep=False), repeat),
        "duplicated keep=False textkeys": _best(lambda: textkeys.duplicated(ids, keep=False), repeat),
        "first of each: duplicated codes": _best(lambda: ~pd.Series(textkeys.codes(ids)).duplicated().to_numpy(), repeat),
        "first of each textkeys": _best(lambda: textkeys.first_of_each(ids), repeat),
        **_few_among_many(ids, repeat),
        **_many_among_many(ids, repeat),
    }


def _many_among_many(ids: pd.Series, repeat: int) -> dict[str, float]:
    import pyarrow.compute as pc

    values = textkeys.arrow(ids)
    keys = textkeys.arrow(ids[textkeys.first_of_each(ids)].iloc[::-1])
    return {
        "many among many: is_in": _best(lambda: pc.is_in(values, value_set=keys), repeat),
        "many among many: textkeys.isin": _best(lambda: textkeys.isin(values, keys), repeat),
        "many among many: index_in": _best(lambda: pc.index_in(values, value_set=keys), repeat),
        "many among many: textkeys.positions": _best(lambda: textkeys.positions(values, keys), repeat),
    }


def _few_among_many(ids: pd.Series, repeat: int) -> dict[str, float]:
    import pyarrow.compute as pc

    distinct = ids[textkeys.first_of_each(ids)]
    few = ids.iloc[::13]
    keys = textkeys.arrow(distinct)
    few_arrow = textkeys.arrow(few)
    return {
        "few among many: pandas Index built": _best(
            lambda: pd.Index(distinct.to_numpy(dtype=object), dtype=object).get_indexer(few.to_numpy(dtype=object)),
            repeat),
        "few among many: is_in of the ids": _best(lambda: pc.is_in(few_arrow, value_set=keys), repeat),
        "few among many: textkeys.isin": _best(lambda: textkeys.isin(few_arrow, keys), repeat),
        "few among many: index_in of the ids": _best(lambda: pc.index_in(few_arrow, value_set=keys), repeat),
        "few among many: textkeys.positions": _best(lambda: textkeys.positions(few_arrow, keys), repeat),
    }


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")] or ["1250000", "3380000"]
    repeat = 3
    rows = []
    for a in args:
        ids = _ids(a)
        rows.append((a, len(ids), measure(ids, repeat)))
    print("| operation | " + " | ".join(f"{n:,} ids" for _, n, _ in rows) + " | ratio |")
    print("|---|" + "---|" * (len(rows) + 1))
    for op in rows[0][2]:
        secs = [m[op] for _, _, m in rows]
        print(f"| {op} | " + " | ".join(f"{s:.2f} s" for s in secs) + f" | {secs[-1] / secs[0]:.1f} |")
    print(f"\n(ids ratio {rows[-1][1] / rows[0][1]:.2f}; best of {repeat})")


if __name__ == "__main__":
    main()
