"""A source's linkage on the register's records it can be paired with (issue 16).

A source linkage (:func:`popqa.linkage.model.run_splink` with a source) compares each source record
with the register persons a blocking rule pairs it with. Splink still reads every register person on
each of its SQL pipelines: the three EM passes read the persons twice each (blocking, then the
comparison vectors with their term frequencies), and the scoring materialises all of them with their
term frequencies before it blocks. For the civil births of a merged province (47,000 records against
3.38 M persons) that was most of the model's 97 s, and it grows with the register, not with the source.

:func:`narrowed` gives Splink, once the model's prior and u probabilities are estimated on the whole
register, a copy of the model over the register persons that some rule of its EM passes or of its
scoring pairs with a source record: a semi join per rule on the rule's own condition, reading only
the columns the rule uses. Every pair that any of those rules makes has its register person in that
set, so the blocked pairs are the same pairs; the term-frequency tables are those of the whole register
(computed by Splink on it first and handed to the copy), so the weights are the same; the EM passes'
record sampling (``em_max_pairs``) hashes each record's id and source name, which stay the same, so the
same pairs are sampled. The u probabilities and the prior are not estimated on the narrowed set: both
count random or deterministic pairs of the whole register.

``tests/linkage/test_narrow.py`` compares the pairs, weights and trained models with and without it;
docs/benchmarks.md ("twenty-second measurement") gives the time it saves.
"""

from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger(__name__)

__all__ = ["NARROW_TABLE", "candidate_sql", "narrowed", "worth_trying"]

#: The DuckDB table holding the narrowed register (one per model's connection).
NARROW_TABLE = "a_register_near"

#: Narrow only when the register has at least this many times the source's records. The semi joins cost
#: about 16 s at 3.38 M persons whatever the source; a large source pairs with most persons and they save
#: nothing: the insurance records (918,000, a ratio of 3.7) pair with 2.05 M of the 3.38 M persons (61 %),
#: the civil births (47,000, 72) with 115,000 and the deaths (17,000, 200) with 116,000
#: (docs/benchmarks.md, "twenty-second measurement").
MIN_RATIO = 10.0


def candidate_sql(left: str, right: str, rules: list[str]) -> str:
    """The ``unique_id`` of each record of table ``left`` (alias ``l``) that some rule pairs with a record
    of ``right`` (alias ``r``): one semi join per rule (``EXISTS``, which DuckDB joins on the rule's
    equality conditions and filters by the rest), their union.

    >>> print(candidate_sql("a", "b", ["l.x = r.x", "l.y = r.y AND l.z < r.z"]))
    SELECT l.unique_id FROM a l WHERE EXISTS (SELECT 1 FROM b r WHERE l.x = r.x)
    UNION SELECT l.unique_id FROM a l WHERE EXISTS (SELECT 1 FROM b r WHERE l.y = r.y AND l.z < r.z)
    """
    return "\nUNION ".join(f"SELECT l.unique_id FROM {left} l WHERE EXISTS (SELECT 1 FROM {right} r WHERE {rule})"
                           for rule in rules)


def _count(con: Any, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def worth_trying(persons: int, records: int) -> bool:
    """Whether a register of ``persons`` is :data:`MIN_RATIO` times a source of ``records`` (read at call time).

    >>> worth_trying(3_384_190, 46_837), worth_trying(3_384_190, 918_145)
    (True, False)
    """
    return persons >= MIN_RATIO * max(records, 1)


def narrowed(linker: Any, con: Any, rules: list[str], persons: int) -> Any:
    """A linker with ``linker``'s model over the register persons some of ``rules`` pairs with a source
    record, and the whole register's term frequencies; ``linker`` itself when the narrowed set would keep
    more than half of the register's ``persons`` (the caller asks only when :func:`worth_trying`).

    ``linker`` links two inputs, the register ("a_register") first, in DuckDB connection ``con``.
    ``rules`` are Splink blocking rules' SQL (``l.`` the register, ``r.`` the source): those of the
    scoring and, before the EM passes, those of the passes too.
    """
    from splink import DuckDBAPI, Linker
    from splink.internals.term_frequencies import (
        colname_to_tf_tablename,
        ensure_term_frequencies_for_linker,
    )

    reg, src = linker._input_tables_dict.values()
    t0 = time.perf_counter()
    con.execute(f"DROP TABLE IF EXISTS {NARROW_TABLE}")
    con.execute(f"CREATE TEMP TABLE {NARROW_TABLE} AS SELECT * FROM {reg.physical_name} "
                f"WHERE unique_id IN ({candidate_sql(reg.physical_name, src.physical_name, rules)})")
    kept = _count(con, NARROW_TABLE)
    if kept > persons / 2:
        con.execute(f"DROP TABLE {NARROW_TABLE}")
        log.info("register not narrowed: %d of %d persons can pair with a record (%.1f s)", kept, persons,
                 time.perf_counter() - t0)
        return linker
    # the whole register's term frequencies, computed by Splink on the two whole inputs
    tf_tables = ensure_term_frequencies_for_linker(linker)
    db = DuckDBAPI(connection=con)
    near = db.register(NARROW_TABLE, table_name=reg.templated_name)
    near.dataset_display_name = reg.dataset_display_name
    other = db.register(src.physical_name, table_name=src.templated_name)
    other.dataset_display_name = src.dataset_display_name
    out = Linker([near, other], linker.misc.save_model_to_json(), log_level=None, validate_settings=False)
    settings = out._settings_obj
    for col in settings._term_frequency_columns:
        name = colname_to_tf_tablename(col)
        table = next(t for t in tf_tables if t.templated_name == name)
        out.table_management.register_term_frequency_lookup(db.register(table.physical_name, table_name=f"{name}_whole"),
                                                             col.unquote().name)
    log.info("register narrowed to the %d of %d persons a rule can pair with a record (%.1f s)", kept, persons,
             time.perf_counter() - t0)
    return out
