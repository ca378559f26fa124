"""A link's candidate pairs scored with the records joined on their plain ids (``popqa.linkage.predict``,
issue 16): the same scored pairs, weights and match keys as Splink's ``predict`` for every source kind,
settled or not, with a threshold or none, and Splink's own predict where the plain join cannot be used."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from popqa.linkage.config import LinkageConfig
from popqa.linkage.frames import FrameFile
from popqa.linkage.model import _collect, _connect, _register, _settings, run_splink, settle_by_id
from popqa.linkage.predict import predict_link
from tests.linkage.linkage_helpers import source_features

KEY = ["unique_id_l", "unique_id_r"]


@pytest.fixture(scope="module")
def unique_persons(features):
    """One row per person id, as the link stage gives the models (the sample repeats three ids)."""
    return features.drop_duplicates("unique_id", ignore_index=True)


def _linker(left, right, kind, cfg, settle=True):
    from splink import DuckDBAPI, Linker

    con = _connect(cfg)
    db = DuckDBAPI(connection=con)
    if settle:
        left, right, settled = settle_by_id(left, right, cfg)
    else:
        settled = np.zeros(len(right), dtype=bool)
    settings = _settings(kind, "link_only", 1e-4, cfg, settled=bool(settled.any()))
    return Linker(_register(db, left, right, settled, con), settings, validate_settings=False), con


def _scored(kind, left, right, ours: bool, threshold=0.0, settle=True):
    linker, con = _linker(left, right, kind, LinkageConfig(), settle=settle)
    if ours:
        predicted = predict_link(linker, con, threshold)
        assert predicted is not None
    else:
        predicted = linker.inference.predict(threshold_match_probability=threshold)
    raw = con.sql(f"SELECT * FROM {predicted.physical_name}").df()
    df = _collect(con, predicted.physical_name, kind, True)
    con.close()
    return raw.sort_values(KEY, ignore_index=True), df.sort_values(KEY, ignore_index=True)


@pytest.mark.parametrize("kind", ["civil_births", "civil_deaths", "residents", "insurance"])
@pytest.mark.parametrize("settle", [True, False])
def test_the_same_scored_pairs_as_splinks_predict(register, unique_persons, kind, settle):
    right = source_features(register, kind)
    raw_s, splink = _scored(kind, unique_persons, right, ours=False, settle=settle)
    raw_o, ours = _scored(kind, unique_persons, right, ours=True, settle=settle)
    # the small sources' 24-78 records make 20-90 pairs; the others thousands
    assert len(splink) > (1000 if kind in ("residents", "insurance") else 20), "too few pairs to tell apart"
    assert raw_s["match_key"].nunique() >= 2
    # every column of Splink's table, in its order: comparison levels, weights, match keys, tf columns
    assert list(raw_o.columns) == list(raw_s.columns)
    pd.testing.assert_frame_equal(raw_o, raw_s)
    pd.testing.assert_frame_equal(ours, splink)


def test_a_threshold_keeps_the_same_pairs(register, unique_persons):
    right = source_features(register, "residents")
    raw_s, _ = _scored("residents", unique_persons, right, ours=False, threshold=0.5)
    raw_o, _ = _scored("residents", unique_persons, right, ours=True, threshold=0.5)
    all_pairs, _ = _scored("residents", unique_persons, right, ours=True, threshold=0.0)
    assert 0 < len(raw_s) < len(all_pairs)
    pd.testing.assert_frame_equal(raw_o, raw_s)


def test_ids_that_contain_the_separator_are_joined_whole(register, unique_persons):
    """The id is what follows the input's name and Splink's separator, cut by the name's length."""
    right = source_features(register, "civil_births")
    left = unique_persons.assign(unique_id=unique_persons["unique_id"] + "-__-x")
    right = right.assign(unique_id="r-__-" + right["unique_id"])
    raw_s, _ = _scored("civil_births", left, right, ours=False)
    raw_o, _ = _scored("civil_births", left, right, ours=True)
    assert len(raw_s) > 20 and raw_o["unique_id_l"].str.endswith("-__-x").all()
    pd.testing.assert_frame_equal(raw_o, raw_s)


def test_ids_shared_by_both_inputs_join_each_side_to_its_own_input(register, unique_persons):
    """A source record whose id is also a person's id: each side of a pair is that input's record only."""
    right = source_features(register, "insurance")
    right = right.assign(unique_id=unique_persons["unique_id"].iloc[:len(right)].to_numpy())
    raw_s, _ = _scored("insurance", unique_persons, right, ours=False)
    raw_o, _ = _scored("insurance", unique_persons, right, ours=True)
    assert len(raw_s) > 1000 and raw_s["unique_id_r"].isin(set(unique_persons["unique_id"])).all()
    pd.testing.assert_frame_equal(raw_o, raw_s)


def test_no_pair_makes_splinks_empty_table(unique_persons):
    left = unique_persons.head(50)
    right = unique_persons.tail(50).assign(
        citizen_id=None, surname="Zz", given="Qq", name_fold="zz qq", dob="1800-01-01", birth_year=1800)
    raw_s, _ = _scored("residents", left, right, ours=False, settle=False)
    raw_o, _ = _scored("residents", left, right, ours=True, settle=False)
    assert raw_s.empty and raw_o.empty and list(raw_o.columns) == list(raw_s.columns)


def test_a_deduplication_and_ids_not_text_are_left_to_splink(unique_persons):
    from splink import DuckDBAPI, Linker

    cfg = LinkageConfig()
    con = _connect(cfg)
    db = DuckDBAPI(connection=con)
    settings = _settings("dedupe", "dedupe_only", 1e-4, cfg, settled=False)
    dedupe = Linker(_register(db, unique_persons.head(200), None, None, con), settings,
                    validate_settings=False)
    assert predict_link(dedupe, con, 0.0) is None
    con.close()
    left = unique_persons.head(200).assign(unique_id=range(200))
    right = unique_persons.tail(200).assign(unique_id=range(1000, 1200))
    linker, con = _linker(left, right, "residents", cfg, settle=False)
    assert predict_link(linker, con, 0.0) is None
    con.close()


@pytest.mark.parametrize("in_files", [pytest.param(False, marks=pytest.mark.slow), True])  # the audit's: in files
def test_run_splink_scores_a_link_the_same_with_or_without(tmp_path, register, unique_persons, caplog, in_files):
    right = source_features(register, "residents")
    left = unique_persons
    if in_files:
        left, right = FrameFile.write(left, tmp_path / "l.parquet"), FrameFile.write(right, tmp_path / "r.parquet")
    cfg = LinkageConfig(u_max_pairs=1e5, min_probability=0.0)
    splink = run_splink(left, right, "residents", cfg.model_copy(update={"join_on_ids": False}))
    with caplog.at_level(logging.INFO, logger="popqa.linkage.predict"):
        ours = run_splink(left, right, "residents", cfg)
    assert any("joined on their ids" in r.getMessage() for r in caplog.records if r.name == "popqa.linkage.predict")
    assert len(splink) > 500
    pd.testing.assert_frame_equal(ours.sort_values(KEY, ignore_index=True), splink.sort_values(KEY, ignore_index=True))


def test_splinks_join_when_its_internals_have_moved(monkeypatch, register, unique_persons, caplog):
    """A Splink whose internals popqa.linkage.predict reads have changed scores with its own join."""
    import popqa.linkage.predict as predict

    def moved(*args, **kwargs):
        raise AttributeError("'Linker' object has no attribute '_settings_obj'")

    right = source_features(register, "civil_births")
    cfg = LinkageConfig(u_max_pairs=1e5, min_probability=0.0)
    expected = run_splink(unique_persons, right, "civil_births", cfg.model_copy(update={"join_on_ids": False}))
    monkeypatch.setattr(predict, "predict_link", moved)
    with caplog.at_level(logging.WARNING, logger="popqa.linkage.model"):
        got = run_splink(unique_persons, right, "civil_births", cfg)
    assert any("pairs scored by Splink's join" in r.getMessage() for r in caplog.records)
    assert len(expected) > 20
    pd.testing.assert_frame_equal(got.sort_values(KEY, ignore_index=True), expected.sort_values(KEY, ignore_index=True))
