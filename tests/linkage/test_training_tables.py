"""The tables Splink's training leaves in a model's DuckDB (each EM pass's pairs, comparison vectors and
pattern counts) are dropped before its scoring (``popqa.linkage.model.drop_training_tables``, issue 16):
the scoring starts with none of them, and scores the same pairs as with them left in place."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from popqa.linkage import blocking, model, predict
from popqa.linkage.config import LinkageConfig
from popqa.linkage.model import TRAINING_TABLES, run_splink
from tests.linkage.linkage_helpers import source_features

KEY = ["unique_id_l", "unique_id_r"]


def _tables(con) -> list[str]:
    """The database's tables, Splink's without the suffix that makes each name unique to its database."""
    return [re.sub(r"_[0-9a-f]{9}$", "", r[0])
            for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal").fetchall()]


def _scored(monkeypatch, left, right, kind: str, drop: bool) -> tuple[pd.DataFrame, list[str]]:
    """The model trained and scored; the tables of its DuckDB when the scoring starts (the sources' pairs
    joined on their ids, the deduplication's pairs made), with the training's tables dropped or not."""
    seen: list[str] = []
    link, pairs = predict.predict_link, blocking.register_blocked_pairs

    def link_spy(linker, con, *args):
        seen.extend(_tables(con))
        return link(linker, con, *args)

    def pairs_spy(linker, con):
        seen.extend(_tables(con))
        return pairs(linker, con)

    with monkeypatch.context() as m:
        m.setattr(predict, "predict_link", link_spy)
        m.setattr(blocking, "register_blocked_pairs", pairs_spy)
        if not drop:
            m.setattr(model, "drop_training_tables", lambda linker, con: [])
        scored = run_splink(left, right, kind, LinkageConfig(min_train_records=1000))
    return scored.sort_values(KEY, ignore_index=True), seen


@pytest.mark.parametrize("kind", ["dedupe", "residents"])
def test_the_scoring_starts_without_the_trainings_tables_and_scores_the_same_pairs(register, features,
                                                                                   monkeypatch, kind):
    left = features.drop_duplicates("unique_id", ignore_index=True)
    right = None if kind == "dedupe" else source_features(register, kind)
    kept, before = _scored(monkeypatch, left, right, kind, drop=False)
    dropped, after = _scored(monkeypatch, left, right, kind, drop=True)
    left_over = [t for t in before if t.startswith(TRAINING_TABLES)]
    assert left_over, "the training left no table to drop: the test shows nothing"
    assert before and after and not [t for t in after if t.startswith(TRAINING_TABLES)]
    assert set(before) - set(after) == set(left_over)  # the inputs and term frequencies stay
    assert {"__splink__df_tf_given", "__splink__df_tf_surname"} <= set(after)
    assert len(dropped) > 0
    pd.testing.assert_frame_equal(dropped, kept)
