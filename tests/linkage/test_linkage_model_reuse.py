"""Trained linkage models kept with an audit and reused by the next months' audits (``retrain_months``)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from popqa.linkage import dedupe
from popqa.linkage.config import LinkageConfig
from popqa.linkage.model import _save_model, model_fingerprint, read_model
from popqa.period import Period
from popqa.pipeline import _linkage_models
from popqa.store import ResultsStore


@pytest.fixture(scope="module")
def register():
    from popqa.synth import generate_province

    return generate_province(scale=0.005, seed=5).register


def test_a_stored_model_is_reused_without_training_and_scores_the_same(tmp_path, register, monkeypatch):
    import popqa.linkage.model as model

    cfg = {"u_max_pairs": 1e5, "save_models_to": str(tmp_path / "a"), "model_period": "2026-08"}
    first = dedupe(register.persons, cfg)
    stored = json.loads((tmp_path / "a" / "dedupe.json").read_text())
    assert stored["trained_period"] == "2026-08" and stored["reused_from"] is None
    assert stored["trained_records"][0] == register.persons["person_id"].nunique()
    assert stored["fingerprint"] == model_fingerprint("dedupe", LinkageConfig(**cfg))

    def no_training(*args, **kwargs):
        raise AssertionError("the model was trained again although a stored one was given")

    monkeypatch.setattr(model, "_train", no_training)
    again = dedupe(register.persons, {**cfg, "save_models_to": str(tmp_path / "b"), "model_period": "2026-09",
                                      "model_files": {"dedupe": str(tmp_path / "a" / "dedupe.json")}})
    # the same data under the same model: the same pairs, weights and clusters
    pd.testing.assert_frame_equal(first.pairs, again.pairs)
    pd.testing.assert_frame_equal(first.clusters, again.clusters)
    copy = json.loads((tmp_path / "b" / "dedupe.json").read_text())
    assert copy["trained_period"] == "2026-08" and copy["reused_from"] == str(tmp_path / "a" / "dedupe.json")
    assert copy["settings"] == stored["settings"]
    # a model of other training settings is not reused: the audit trains (and here, fails loudly)
    with pytest.raises(AssertionError, match="trained again"):
        dedupe(register.persons, {**cfg, "seed": 7, "model_files": {"dedupe": str(tmp_path / "a" / "dedupe.json")}})


def test_only_a_model_of_the_same_kind_and_fingerprint_is_read(tmp_path):
    cfg = LinkageConfig()
    settings = {"comparisons": [], "probability_two_random_records_match": 0.01}
    _save_model(str(tmp_path), "dedupe", cfg, settings, trained_period="2026-08", records=[10, None])
    path = tmp_path / "dedupe.json"
    assert read_model(path, "dedupe", cfg)["trained_period"] == "2026-08"
    assert read_model(path, "residents", cfg) is None
    assert read_model(path, "dedupe", LinkageConfig(u_max_pairs=5e5)) is None
    assert read_model(path, "dedupe", LinkageConfig(retrain_months=0)) is not None  # not a training setting
    (tmp_path / "bad.json").write_text("{not json")
    assert read_model(tmp_path / "bad.json", "dedupe", cfg) is None
    assert read_model(tmp_path / "missing.json", "dedupe", cfg) is None


def _store_with_models(root, cfg, models):
    """Committed-looking period folders, each with a dedupe model trained on the given period."""
    settings = {"comparisons": [], "probability_two_random_records_match": 0.01}
    for period, trained in models.items():
        d = root / period
        (d / "linkage" / "models").mkdir(parents=True)
        (d / "manifest.json").write_text("{}")
        _save_model(str(d / "linkage" / "models"), "dedupe", cfg, settings, trained_period=trained, records=[1, None])
    return ResultsStore(root)


def _ctx(store, period, tmp_path, **linkage):
    return SimpleNamespace(config=SimpleNamespace(linkage=LinkageConfig(**linkage)), period=Period.parse(period),
                           staging=SimpleNamespace(store=store, file=lambda rel: tmp_path / "staging" / rel))


def test_the_audit_reuses_the_latest_earlier_model_within_retrain_months(tmp_path):
    root = tmp_path / "results"
    store = _store_with_models(root, LinkageConfig(), {"2026-06": "2026-06", "2026-08": "2026-08",
                                                        "2026-09": "2026-08", "2026-11": "2026-11"})
    got = _linkage_models(_ctx(store, "2026-10", tmp_path), ["dedupe", "residents"])
    # the latest earlier period's model (copied forward from 2026-08), never a later period's
    assert got.model_files == {"dedupe": str(root / "2026-09" / "linkage" / "models" / "dedupe.json")}
    assert got.model_period == "2026-10"
    assert got.save_models_to == str(tmp_path / "staging" / "linkage" / "models")
    # the age counts from the training: at most retrain_months after the period trained on
    assert _linkage_models(_ctx(store, "2026-10", tmp_path, retrain_months=1), ["dedupe"]).model_files == {}
    assert _linkage_models(_ctx(store, "2026-12", tmp_path, retrain_months=1), ["dedupe"]).model_files == {
        "dedupe": str(root / "2026-11" / "linkage" / "models" / "dedupe.json")}
    # re-auditing a month never takes that month's own model
    assert _linkage_models(_ctx(store, "2026-06", tmp_path), ["dedupe"]).model_files == {}
    # 0: train at every audit; other training settings: no model matches
    assert _linkage_models(_ctx(store, "2026-10", tmp_path, retrain_months=0), ["dedupe"]).model_files == {}
    assert _linkage_models(_ctx(store, "2026-10", tmp_path, seed=1), ["dedupe"]).model_files == {}
