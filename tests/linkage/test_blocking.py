"""A model's candidate pairs made as the union of its rules' joins, grouped by pair
(``linkage.group_blocked_pairs``, issue 16): the same pairs, with the same match keys, as Splink's own
blocking (each rule's join less the pairs of the rules before it), and the same scored pairs and weights,
for a deduplication and for the links of every source kind, from frames in memory and in files."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from popqa.linkage.blocking import PAIRS_TABLE, register_blocked_pairs
from popqa.linkage.config import LinkageConfig
from popqa.linkage.frames import FrameFile
from popqa.linkage.model import (
    _connect,
    _register,
    _settings,
    blocking_rules_for,
    run_splink,
    settle_by_id,
)
from tests.linkage.linkage_helpers import source_features


@pytest.fixture(scope="module")
def unique_persons(features):
    """One row per person id, as the link stage gives the models (the sample repeats three ids)."""
    return features.drop_duplicates("unique_id", ignore_index=True)


def _linker(left, right, kind, cfg):
    """A linker as :func:`run_splink` builds it (settled records, its blocking rules), its connection."""
    from splink import DuckDBAPI, Linker

    con = _connect(cfg)
    db = DuckDBAPI(connection=con)
    left, right, settled = settle_by_id(left, right, cfg)
    settings = _settings(kind, "dedupe_only" if right is None else "link_only", 1e-4, cfg, settled=bool(settled.any()))
    return Linker(_register(db, left, right, settled, con), settings, validate_settings=False), con


def _splink_pairs(linker) -> pd.DataFrame:
    return (linker.inference.compute_blocked_pairs_for_predict().as_pandas_dataframe()
            [["match_key", "join_key_l", "join_key_r"]].astype(str))


def _ours(linker, con) -> pd.DataFrame:
    assert register_blocked_pairs(linker, con)
    return con.sql(f"SELECT * FROM {PAIRS_TABLE}").df()[["match_key", "join_key_l", "join_key_r"]].astype(str)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    key = ["join_key_l", "join_key_r"]
    a, b = a.sort_values(key, ignore_index=True), b.sort_values(key, ignore_index=True)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("kind", ["dedupe", "civil_births", "civil_deaths", "residents", "insurance"])
def test_the_same_candidate_pairs_and_match_keys_as_splinks_blocking(register, unique_persons, kind):
    cfg = LinkageConfig()
    right = None if kind == "dedupe" else source_features(register, kind)
    linker, con = _linker(unique_persons, right, kind, cfg)
    theirs = _splink_pairs(linker)
    linker2, con2 = _linker(unique_persons, right, kind, cfg)
    ours = _ours(linker2, con2)
    # the small sources' 24-78 records make 20-90 pairs; the others thousands
    assert len(theirs) > (1000 if kind in ("dedupe", "residents", "insurance") else 20), "too few pairs to tell apart"
    # several rules find pairs first, so a wrong match key or a pair kept twice would show
    assert theirs["match_key"].nunique() >= 3
    _same(ours, theirs)
    con.close()
    con2.close()


@pytest.mark.parametrize("in_files", [False, True])
def test_a_deduplication_scores_the_same_pairs_and_weights(tmp_path, unique_persons, caplog, in_files):
    left = FrameFile.write(unique_persons, tmp_path / "l.parquet") if in_files else unique_persons
    cfg = LinkageConfig(u_max_pairs=1e5, min_probability=0.0)
    splink = run_splink(left, None, "dedupe", cfg.model_copy(update={"group_blocked_pairs": False}))
    with caplog.at_level(logging.INFO, logger="popqa.linkage.blocking"):
        ours = run_splink(left, None, "dedupe", cfg)
    assert any("candidate pairs of" in r.getMessage() for r in caplog.records if r.name == "popqa.linkage.blocking")
    key = ["unique_id_l", "unique_id_r"]
    assert len(splink) > 500
    pd.testing.assert_frame_equal(ours.sort_values(key, ignore_index=True), splink.sort_values(key, ignore_index=True))


@pytest.mark.parametrize("kind", ["residents", "civil_births"])
def test_a_link_scores_the_same_pairs_and_weights(register, unique_persons, kind):
    """run_splink groups a deduplication's pairs only; a link's grouped pairs score the same too."""
    from popqa.linkage.model import _collect

    right = source_features(register, kind)
    scored = []
    for group in (False, True):
        linker, con = _linker(unique_persons, right, kind, LinkageConfig())
        if group:
            assert register_blocked_pairs(linker, con)
        scored.append(_collect(con, linker.inference.predict(threshold_match_probability=0.0).physical_name, kind, True)
                      .sort_values(["unique_id_l", "unique_id_r"], ignore_index=True))
        con.close()
    assert len(scored[0]) > 50
    pd.testing.assert_frame_equal(scored[1], scored[0])


def test_rules_whose_keys_are_missing_and_records_without_an_id_make_no_pair(unique_persons):
    """Splink keeps no pair whose id is missing (``l.id < r.id`` is unknown) and a rule on a missing key
    joins nothing; nor do the grouped pairs."""
    left = unique_persons.head(400).copy()
    left.loc[left.index[:5], "citizen_id"] = None
    left.loc[left.index[5:8], "surname"] = None
    cfg = LinkageConfig()
    linker, con = _linker(left, None, "dedupe", cfg)
    theirs = _splink_pairs(linker)
    linker2, con2 = _linker(left, None, "dedupe", cfg)
    _same(_ours(linker2, con2), theirs)


def test_ids_that_repeat_are_left_to_splink(unique_persons):
    left = pd.concat([unique_persons.head(300), unique_persons.head(5)], ignore_index=True)
    linker, con = _linker(left, None, "dedupe", LinkageConfig())
    assert not register_blocked_pairs(linker, con)
    assert not con.sql(f"SELECT * FROM duckdb_tables() WHERE table_name = '{PAIRS_TABLE}'").fetchall()


def test_every_kind_has_rules_to_group():
    assert all(len(blocking_rules_for(k)) > 10 for k in ("dedupe", "residents", "civil_births"))


def test_splinks_pairs_when_its_internals_have_moved(unique_persons, caplog, monkeypatch):
    """A Splink without the internals popqa.linkage.blocking reads makes the deduplication's pairs itself,
    with a warning: the same pairs and weights."""
    import splink.internals.chunking as chunking

    cfg = LinkageConfig(u_max_pairs=1e5, min_probability=0.0)
    splink = run_splink(unique_persons, None, "dedupe", cfg.model_copy(update={"group_blocked_pairs": False}))
    monkeypatch.delattr(chunking, "_blocked_pairs_cache_key")
    with caplog.at_level(logging.WARNING, logger="popqa.linkage.model"):
        got = run_splink(unique_persons, None, "dedupe", cfg)
    assert any("candidate pairs made by Splink" in r.getMessage() for r in caplog.records)
    key = ["unique_id_l", "unique_id_r"]
    assert len(splink) > 500
    pd.testing.assert_frame_equal(got.sort_values(key, ignore_index=True), splink.sort_values(key, ignore_index=True))
