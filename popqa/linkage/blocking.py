"""A model's candidate pairs as the union of its blocking rules' joins, each pair once (issue 16).

Splink makes the pairs a model scores (``__splink__blocked_id_pairs``) as one join per blocking rule,
and keeps each pair once by adding to each rule's join the negation of every rule before it
(``AND NOT (coalesce(rule 1, false) OR ... OR coalesce(rule k-1, false))``). Every pair a rule's join
makes is tested against all the rules before it: the deduplication of a merged province (3.38 M persons,
19 rules, 18.4 M pairs) spent 49 s making its pairs, 21 s of it in the joins and the rest in those
tests, more than the scoring of the pairs (41 s).

:func:`register_blocked_pairs` makes the same table another way: each rule's join on its own, on the
records' row numbers and the columns the rules read, the union of the joins grouped by pair, keeping
the first rule that finds each pair (Splink's ``match_key``: the rule whose join it comes out of), and
the pairs' ids joined back. It leaves the table where Splink's own blocking leaves its pairs (the
linker's cache), and Splink's ``predict`` scores it as it scores its own: the same comparisons, term
frequencies of the whole inputs and weights. A pair comes out of a rule's join exactly when Splink keeps
it by that rule or an earlier one, so the table holds the same pairs with the same match keys
(``tests/linkage/test_blocking.py`` compares them, and the scored pairs, with Splink's own).

It works for a deduplication (one input, pairs ``l.id < r.id``) and for a link of two inputs (every
pair across them) when the records' ids are unique on each side and no rule explodes an array;
otherwise it leaves the pairs to Splink. :func:`popqa.linkage.model.run_splink` uses it for the
deduplication only: a source's pairs are each found by few rules, so Splink's tests cost little, and
numbering the register costs more (at 3.38 M persons the insurance records' pairs took 11 s instead of
7.4, the police residence records' 18 instead of 21; docs/benchmarks.md, "twenty-third measurement").
Partitioned scoring (``score_partitions``, Splink's chunks) keeps Splink's own blocking, as the chunks
filter the joins.
"""

from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger(__name__)

__all__ = ["PAIRS_TABLE", "register_blocked_pairs", "union_sql"]

#: The DuckDB table the pairs are made in (one per model's connection, replaced at each call).
PAIRS_TABLE = "popqa_blocked_pairs"
_IDS = "popqa_blocking_ids"


def union_sql(left: str, right: str, rules: list[str], ordered: bool) -> str:
    """The pairs of row numbers (``a`` of ``left``, ``b`` of ``right``, both ``rid``) some rule joins,
    each once with the index of the first rule that joins it (``mk``); ``ordered``: a deduplication's
    pairs, ``a < b``.

    >>> print(union_sql("t", "t", ["l.x = r.x", "l.y = r.y"], ordered=True))
    SELECT min(mk) AS mk, a, b FROM (
    SELECT 0::INTEGER AS mk, l.rid AS a, r.rid AS b FROM t AS l INNER JOIN t AS r ON (l.x = r.x) WHERE l.rid < r.rid
    UNION ALL SELECT 1::INTEGER AS mk, l.rid AS a, r.rid AS b FROM t AS l INNER JOIN t AS r ON (l.y = r.y) WHERE l.rid < r.rid
    ) GROUP BY a, b
    """
    where = " WHERE l.rid < r.rid" if ordered else ""
    joins = "\nUNION ALL ".join(
        f"SELECT {i}::INTEGER AS mk, l.rid AS a, r.rid AS b FROM {left} AS l INNER JOIN {right} AS r ON ({rule}){where}"
        for i, rule in enumerate(rules))
    return f"SELECT min(mk) AS mk, a, b FROM (\n{joins}\n) GROUP BY a, b"


def _unique(con: Any, table: str) -> bool:
    n, distinct = con.execute(f"SELECT count(*), count(DISTINCT key) FROM {table}").fetchall()[0]
    return int(n) == int(distinct)


def register_blocked_pairs(linker: Any, con: Any) -> bool:
    """Make ``linker``'s candidate pairs in DuckDB connection ``con`` (the model's) and register them with
    Splink for ``linker.inference.predict``. Returns False, having done nothing Splink would see, when the
    linker is not a deduplication of one input or a link of two, a rule explodes an array, or the records'
    ids are not unique on a side: Splink then makes the pairs itself."""
    from splink.internals.blocking import ExplodingBlockingRule, _columns_needed_for_blocking
    from splink.internals.chunking import _blocked_pairs_cache_key
    from splink.internals.unique_id_concat import _composite_unique_id_from_nodes_sql
    from splink.internals.vertically_concatenate import (
        select_two_dataset_link_only_input_tables_sqls,
        vertically_concatenate_sql,
    )

    settings = linker._settings_obj
    rules = settings._blocking_rules_to_generate_predictions
    inputs = linker._input_tables_dict
    info = settings.column_info_settings
    uid, source = info.unique_id_input_column, info.source_dataset_input_column
    if not rules or any(isinstance(br, ExplodingBlockingRule) for br in rules):
        return False
    dedupe = settings._link_type == "dedupe_only" and len(inputs) == 1
    if not dedupe and not (settings._link_type == "link_only" and len(inputs) == 2 and source is not None):
        return False
    t0 = time.perf_counter()
    columns = _columns_needed_for_blocking(rules, source, uid)
    names = ", ".join(dict.fromkeys(c.name for c in columns))
    if dedupe:
        sides = {"l": vertically_concatenate_sql(inputs, source_dataset_input_column=None)}
        key = uid.name
    else:
        left_sql, right_sql = select_two_dataset_link_only_input_tables_sqls(
            inputs, input_columns=columns, source_dataset_input_column=source)
        sides = {"l": left_sql, "r": right_sql}
        key = _composite_unique_id_from_nodes_sql([source, uid])
    for side, sql in sides.items():
        # a deduplication's rows numbered in the order of their ids: l.rid < r.rid is Splink's l.id < r.id
        order = f"ORDER BY {key}" if dedupe else ""
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_IDS}_{side} AS SELECT row_number() OVER ({order}) AS rid, "
                    f"{key} AS key, {names} FROM ({sql}) WHERE {key} IS NOT NULL")
    try:
        if not all(_unique(con, f"{_IDS}_{side}") for side in sides):
            log.info("blocked pairs left to Splink: the records' ids are not unique")
            return False
        left, right = f"{_IDS}_l", f"{_IDS}_{'l' if dedupe else 'r'}"
        con.execute(
            f"CREATE OR REPLACE TABLE {PAIRS_TABLE} AS SELECT CAST(p.mk AS VARCHAR) AS match_key, "
            f"l.key AS join_key_l, r.key AS join_key_r "
            f"FROM ({union_sql(left, right, [br.blocking_rule_sql for br in rules], dedupe)}) AS p "
            f"INNER JOIN {left} AS l ON p.a = l.rid INNER JOIN {right} AS r ON p.b = r.rid")
    finally:
        for side in sides:
            con.execute(f"DROP TABLE IF EXISTS {_IDS}_{side}")
    # the pairs where Splink's own blocking leaves them (its cache), so that predict joins them to the whole
    # inputs as it does its own. Splink's public registration (register_blocked_pairs_for_predict) first
    # copies the records that take part in a pair: nearly all of a deduplication's (11 s more at 3.38 M)
    linker._intermediate_table_cache[_blocked_pairs_cache_key()] = linker._db_api.table_to_splink_dataframe(
        "__splink__blocked_id_pairs", PAIRS_TABLE)
    log.info("%d candidate pairs of %d rules made in %.1f s",
             con.execute(f"SELECT count(*) FROM {PAIRS_TABLE}").fetchall()[0][0], len(rules), time.perf_counter() - t0)
    return True
