"""Scoring a link's candidate pairs with the records joined on their own ids (issue 16).

Splink scores a link of two inputs (the register and a source) by joining its candidate pairs to the
records of both inputs stacked in one table, on a key made of each record's input name and id
(``l.source_dataset || '-__-' || l.unique_id = b.join_key_l``). The key is made for every record of both
inputs on each side of the join, and the join hashes those long strings: at 3.38 M persons the police
residence records' 8.1 M pairs took 46 s to join to their records this way and 28 s on the plain ids
(docs/benchmarks.md, "twenty-fourth measurement").

:func:`predict_link` scores the same pairs with the same SQL as Splink's ``predict`` but for that join:
the input name each side's keys start with is read off the pairs once, and each side of a pair is joined
to that input's own records on the id alone (the rest of the key, cut off by its known length). The
comparisons, term frequencies (of both inputs, as Splink makes them), weights and threshold are Splink's
own SQL, so the scored pairs are the same rows (``tests/linkage/test_predict.py`` compares them with
Splink's for the four sources). It returns None, having changed nothing, when it cannot tell the result
would be the same: a linker that is not a link of two inputs, ids that are not text, or pairs whose keys
do not each start with one input's name on each side; the caller then calls Splink's ``predict``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger(__name__)

__all__ = ["predict_link"]

_SEP = "-__-"


def predict_link(linker: Any, con: Any, threshold_match_probability: float | None = None) -> Any | None:
    """Splink's ``linker.inference.predict(threshold_match_probability=...)`` of a two-input link in DuckDB
    connection ``con`` (the model's), the pairs joined to the records on plain ids; None (nothing done)
    where the linker is not such a link or its ids are not text."""
    from splink.internals.pipeline import CTEPipeline
    from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
    from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

    settings = linker._settings_obj
    info = settings.column_info_settings
    source, uid = info.source_dataset_input_column, info.unique_id_input_column
    inputs = linker._input_tables_dict
    if settings._link_type != "link_only" or len(inputs) != 2 or source is None:
        return None
    types = {str(t).upper() for t in _id_types(con, inputs, uid.name)}
    if types != {"VARCHAR"}:
        log.info("pairs scored by Splink's join: the ids are %s, not text", sorted(types))
        return None
    t0 = time.perf_counter()
    blocked, cached = linker.inference._get_or_compute_blocked_pairs_for_predict_chunk(
        left_chunk=(1, 1), right_chunk=(1, 1))
    try:
        names = con.execute(
            f"SELECT DISTINCT split_part(join_key_l, '{_SEP}', 1), split_part(join_key_r, '{_SEP}', 1) "
            f"FROM {blocked.physical_name}").fetchall()
        if len(names) != 1:  # no pair (Splink's predict makes the empty table), or keys of several names a side
            log.info("pairs scored by Splink's join: their keys start with %s", names)
            return _splink_predict(linker, blocked, cached, threshold_match_probability)
        (name_l, name_r), = names
        quoted = source.name  # the source column as the SQL names it
        pairs = (f"(SELECT match_key, substr(join_key_l, {len(name_l) + len(_SEP) + 1}) AS id_l, "
                 f"substr(join_key_r, {len(name_r) + len(_SEP) + 1}) AS id_r FROM {blocked.physical_name})")
        side = "(SELECT * FROM __splink__df_concat_with_tf WHERE {col} = {name})"
        cols = ",\n".join([*settings._columns_to_select_for_blocking, "b.match_key"])
        pipeline = CTEPipeline([blocked])
        enqueue_df_concat_with_tf(linker, pipeline)
        pipeline.enqueue_sql(
            f"SELECT {cols}\nFROM {pairs} AS b\n"
            f"INNER JOIN {side.format(col=quoted, name=_literal(name_l))} AS l ON l.{uid.name} = b.id_l\n"
            f"INNER JOIN {side.format(col=quoted, name=_literal(name_r))} AS r ON r.{uid.name} = b.id_r",
            "blocked_with_cols")
        pipeline.enqueue_sql(
            "SELECT " + ",\n".join(settings._columns_to_select_for_comparison_vector_values) + "\nFROM blocked_with_cols",
            "__splink__df_comparison_vectors")
        pipeline.enqueue_list_of_sqls(predict_from_comparison_vectors_sqls_using_settings(
            settings, threshold_match_probability, None))
        predicted = linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)
        log.info("pairs joined on their ids and scored in %.1f s", time.perf_counter() - t0)
        return predicted
    finally:
        if not cached:
            blocked.drop_table_from_database_and_remove_from_cache()


def _splink_predict(linker: Any, blocked: Any, cached: bool, threshold: float | None) -> Any:
    """Splink's own predict of pairs already made (left in the linker's cache for it to find)."""
    from splink.internals.chunking import _blocked_pairs_cache_key

    if not cached:
        linker._intermediate_table_cache[_blocked_pairs_cache_key()] = blocked
    return linker.inference.predict(threshold_match_probability=threshold)


def _id_types(con: Any, inputs: dict[str, Any], column: str) -> list[str]:
    out = []
    for df in inputs.values():
        rows = con.execute(f"DESCRIBE SELECT {column} FROM {df.physical_name}").fetchall()
        out += [r[1] for r in rows]
    return out


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
