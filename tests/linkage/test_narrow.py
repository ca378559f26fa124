"""A source linkage on the register persons its rules can pair with (``linkage.narrow_register``, issue 16):
the same scored pairs, weights and trained model as on the whole register, whether the model is trained
(EM passes on the narrowed persons, their record sampling included) or reused, from frames in memory or in
files; and the register is left whole when narrowing would not pay."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from popqa.linkage.config import LinkageConfig
from popqa.linkage.frames import FrameFile
from popqa.linkage.model import run_splink
from popqa.linkage.narrow import candidate_sql
from tests.linkage.linkage_helpers import source_features


def _sorted(pairs: pd.DataFrame) -> pd.DataFrame:
    return pairs.sort_values(["unique_id_l", "unique_id_r"], ignore_index=True)


@pytest.fixture(autouse=True)
def _small_ratio(monkeypatch):
    """The sample's insurance records are a quarter of its persons: narrowed here, as a source a tenth of
    the register's size is by default (the ratio is about cost, not about the pairs)."""
    import popqa.linkage.narrow as narrow

    monkeypatch.setattr(narrow, "MIN_RATIO", 2.5)


def _run(left, right, kind, cfg, tmp_path, label, caplog):
    """The scored pairs, the model written and the narrowing log lines of one run."""
    folder = tmp_path / label
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="popqa.linkage.narrow"):
        pairs = run_splink(left, right, kind, cfg.model_copy(update={"save_models_to": str(folder)}))
    written = folder / f"{kind}.json"  # none for a model kept at its documented priors (too few records)
    model = json.loads(written.read_text()) if written.exists() else None
    return _sorted(pairs), model, [r.getMessage() for r in caplog.records if r.name == "popqa.linkage.narrow"]


def _probabilities(model: dict) -> list:
    s = model["settings"]
    return [s["probability_two_random_records_match"]] + [
        (c["output_column_name"], lv.get("m_probability"), lv.get("u_probability"))
        for c in s["comparisons"] for lv in c["comparison_levels"]]


# civil births: 78 records against 6,232 persons, trained (min_train_records lowered); insurance: 1,681
# records, with the EM passes' record sampling forced by a small source_em_max_pairs
@pytest.mark.parametrize(("kind", "source_em_max_pairs", "in_files"),
                         [("civil_births", 5e6, False), ("civil_births", 5e6, True), ("insurance", 300.0, True)])
def test_a_trained_model_scores_the_same_pairs_on_the_narrowed_register(tmp_path, register, features, caplog,
                                                                         kind, source_em_max_pairs, in_files):
    right = source_features(register, kind)
    left = features
    if in_files:
        left, right = FrameFile.write(features, tmp_path / "l.parquet"), FrameFile.write(right, tmp_path / "r.parquet")
    cfg = LinkageConfig(u_max_pairs=1e5, min_train_records=50, source_em_max_pairs=source_em_max_pairs)
    whole, whole_model, whole_log = _run(left, right, kind, cfg.model_copy(update={"narrow_register": False}),
                                         tmp_path, "whole", caplog)
    near, near_model, near_log = _run(left, right, kind, cfg, tmp_path, "near", caplog)
    assert not whole_log
    assert len(near_log) == 1 and "register narrowed to the" in near_log[0]  # narrowed once, before the EM passes
    kept = int(near_log[0].split("the ")[1].split(" of")[0])
    assert kept < len(features) / 2
    assert len(whole) > 20 and whole["match_weight"].nunique() > 5
    pd.testing.assert_frame_equal(whole, near)
    assert _probabilities(whole_model) == pytest.approx(_probabilities(near_model), rel=1e-9, abs=1e-15)


def test_a_source_samples_its_em_passes_by_source_em_max_pairs_and_the_deduplication_by_em_max_pairs(
        register, features, monkeypatch):
    """The cap each EM pass hands Splink's sampling (Splink's own function, called through, its arguments kept)."""
    import splink.internals.em_training_session as session

    right = source_features(register, "insurance")
    cfg = LinkageConfig(u_max_pairs=1e5, min_train_records=50, narrow_register=False)
    seen: list[float] = []
    real = session.resolve_em_sample_threshold

    def recording(**kwargs):
        seen.append(kwargs["max_pairs"])
        return real(**kwargs)

    monkeypatch.setattr(session, "resolve_em_sample_threshold", recording)

    def caps(kind: str, **update: float) -> list[float]:
        seen.clear()
        run_splink(features, None if kind == "dedupe" else right, kind, cfg.model_copy(update=update))
        return list(seen)

    assert caps("insurance", source_em_max_pairs=300.0) == [300.0] * 3
    assert caps("insurance", em_max_pairs=300.0) == [2e6] * 3
    assert caps("dedupe", em_max_pairs=300.0) == [300.0] * 3
    assert caps("dedupe", source_em_max_pairs=300.0) == [5e6] * 3


def test_a_reused_model_scores_the_same_pairs_on_the_narrowed_register(tmp_path, register, features, caplog):
    """A model trained earlier is reused as it is: the register is narrowed to score only (the scoring's rules)."""
    right = source_features(register, "insurance")
    cfg = LinkageConfig(u_max_pairs=1e5, min_train_records=50)
    _, model, _ = _run(features, right, "insurance", cfg.model_copy(update={"narrow_register": False}), tmp_path,
                       "trained", caplog)
    reuse = cfg.model_copy(update={"model_files": {"insurance": str(tmp_path / "trained" / "insurance.json")}})
    whole, _, _ = _run(features, right, "insurance", reuse.model_copy(update={"narrow_register": False}), tmp_path,
                       "whole", caplog)
    near, near_model, near_log = _run(features, right, "insurance", reuse, tmp_path, "near", caplog)
    assert len(near_log) == 1 and "register narrowed" in near_log[0]
    pd.testing.assert_frame_equal(whole, near)
    assert _probabilities(near_model) == _probabilities(model)


def test_the_term_frequencies_are_the_whole_registers(tmp_path, register, features, caplog):
    """The narrowed persons of a small source share its surnames far more often than the register does:
    term frequencies computed on them would weigh an agreeing name differently. The pairs' weights are
    the whole register's (with the narrowed persons' term frequencies this test and the ones above fail)."""
    right = source_features(register, "civil_deaths")
    cfg = LinkageConfig(u_max_pairs=1e5)  # 24 records: the documented prior model, not trained
    whole, _, _ = _run(features, right, "civil_deaths", cfg.model_copy(update={"narrow_register": False}),
                       tmp_path, "whole", caplog)
    near, _, near_log = _run(features, right, "civil_deaths", cfg, tmp_path, "near", caplog)
    assert "register narrowed to the 24 of" in near_log[0]
    assert whole["match_weight"].nunique() > 3
    pd.testing.assert_frame_equal(whole, near)


def test_a_source_as_large_as_the_register_is_not_narrowed(tmp_path, register, features, caplog):
    right = source_features(register, "residents")  # 5,449 records against 6,232 persons
    _, _, near_log = _run(features, right, "residents", LinkageConfig(u_max_pairs=1e5), tmp_path, "r", caplog)
    assert not near_log


def test_the_candidates_are_the_persons_some_rule_pairs_with_a_record():
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE a AS SELECT * FROM (VALUES ('p1', 'x', 1), ('p2', 'y', 2), ('p3', NULL, 3), "
                "('p4', 'z', 9)) t(unique_id, k, n)")
    con.execute("CREATE TABLE b AS SELECT * FROM (VALUES ('s1', 'x', 5), ('s2', NULL, 3), ('s3', 'q', 2)) "
                "t(unique_id, k, n)")
    rules = ["l.k = r.k", "l.n = r.n AND (l.k IS NULL OR r.k IS NULL)"]
    got = sorted(r[0] for r in con.execute(candidate_sql("a", "b", rules)).fetchall())
    # p1: k; p3: n with a missing k (NULL keys join nothing); p2's n = 2 meets s3, whose k is known, and
    # p2's own k too: the filter keeps it out; p4 pairs with nothing
    assert got == ["p1", "p3"]


def test_the_whole_register_when_splinks_internals_have_moved(tmp_path, register, features, caplog, monkeypatch):
    """A Splink without the internals popqa.linkage.narrow reads: the whole register is scored, with a warning,
    and the pairs are the same."""
    import popqa.linkage.narrow as narrow

    def moved(*args, **kwargs):
        raise AttributeError("'Linker' object has no attribute '_input_tables_dict'")

    right = source_features(register, "civil_deaths")
    cfg = LinkageConfig(u_max_pairs=1e5)
    whole, _, _ = _run(features, right, "civil_deaths", cfg.model_copy(update={"narrow_register": False}),
                       tmp_path, "whole", caplog)
    monkeypatch.setattr(narrow, "narrowed", moved)
    with caplog.at_level(logging.WARNING, logger="popqa.linkage.model"):
        got = _sorted(run_splink(features, right, "civil_deaths", cfg))
    assert any("the whole register read at each step" in r.getMessage() for r in caplog.records)
    assert len(whole) > 20
    pd.testing.assert_frame_equal(whole, got)
