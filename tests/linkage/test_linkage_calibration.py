"""Calibration of match probabilities from reviewed clerical decisions (popqa.linkage.calibration).

The reviewers' decisions here follow the independent test register's truth (a second
generator, tests/linkage/independent_register.py), or a stated rule where a test needs a
known direction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.linkage import LinkageConfig, dedupe
from popqa.linkage.calibration import NotEnoughReviews, fit_calibration, load_calibration
from tests.linkage.independent_register import make_register


def _scored(weights: np.ndarray) -> pd.DataFrame:
    n = len(weights)
    return pd.DataFrame({
        "person_id_l": [f"A{i:04d}" for i in range(n)], "person_id_r": [f"B{i:04d}" for i in range(n)],
        "match_weight": weights, "match_probability": 1 / (1 + 2.0 ** -weights),
        "rule": pd.Series(pd.NA, index=range(n), dtype="string"),
    })


def _reviews(pairs: pd.DataFrame, match: np.ndarray) -> pd.DataFrame:
    return pairs[["person_id_l", "person_id_r"]].assign(decision=np.where(match, "match", "non-match"))


@pytest.mark.parametrize("method", ["logistic", "isotonic"])
def test_calibration_moves_decisions_the_way_the_reviews_say(method):
    w = np.linspace(-1.2, 1.2, 200)  # the uncertain band: model probabilities 0.30-0.70
    pairs = _scored(w)
    # reviewers found nearly every pair of the band to be one person: more merges
    up = fit_calibration(pairs, _reviews(pairs, w > -0.9), method=method)
    # reviewers, who also checked pairs above the threshold (weights up to 3), found the pairs
    # below weight 2 to be two persons: fewer merges
    w2 = np.linspace(-1.2, 3.0, 200)
    pairs2 = _scored(w2)
    down = fit_calibration(pairs2, _reviews(pairs2, w2 > 2.0), method=method)
    probe = np.array([0.0, 1.0])
    model = 1 / (1 + 2.0 ** -probe)
    assert (up.probability(probe) > model).all() and (up.probability(probe) >= 0.7).all()
    assert (down.probability(probe) < model).all()
    assert up.weight_threshold < up.model_weight_threshold < down.weight_threshold
    # outside the reviewed weights the curve is not extrapolated: a pair far above keeps at least
    # its model probability, one far below at most its own
    assert up.probability(np.array([-8.0]))[0] <= 1 / (1 + 2.0 ** 8)
    assert down.probability(np.array([10.0]))[0] >= 1 / (1 + 2.0 ** -10)
    assert down.probability(np.array([-8.0]))[0] <= 1 / (1 + 2.0 ** 8)
    # monotone in the weight
    grid = np.linspace(-20, 20, 2001)
    assert (np.diff(up.probability(grid)) >= -1e-12).all() and (np.diff(down.probability(grid)) >= -1e-12).all()
    # the curve: reviewed pairs per band of weight, what reviewers found and both probabilities
    assert up.curve["reviewed"].sum() == 200 == up.n_reviews
    assert {"weight_from", "weight_to", "observed", "model", "calibrated"} <= set(up.curve.columns)


def test_refuses_to_calibrate_on_too_few_reviews():
    pairs = _scored(np.linspace(-1.2, 1.2, 300))
    few = _reviews(pairs.iloc[:99], np.arange(99) % 2 == 0)
    with pytest.raises(NotEnoughReviews, match="99 reviewed pairs"):
        fit_calibration(pairs, few)
    one_sided = _reviews(pairs.iloc[:200], np.arange(200) >= 5)  # only 5 non-matches
    with pytest.raises(NotEnoughReviews, match="5 non-match"):
        fit_calibration(pairs, one_sided)
    # decisions that fall as the weight rises contradict the model: no calibration
    with pytest.raises(NotEnoughReviews, match="do not become more often"):
        fit_calibration(pairs, _reviews(pairs, pairs["match_weight"].to_numpy() < 0))


def test_rule_blocked_pairs_do_not_count():
    pairs = _scored(np.linspace(-1.2, 1.2, 150))
    pairs.loc[:99, "rule"] = "twins"
    with pytest.raises(NotEnoughReviews, match="50 reviewed pairs"):
        fit_calibration(pairs, _reviews(pairs, np.arange(150) % 2 == 0))


@pytest.fixture(scope="module")
def register():
    # 1,900 persons: under min_train_records, so the run keeps the prior model and is quick
    return make_register(n_households=500, seed=3)


def _truth_reviews(res, reg) -> pd.DataFrame:
    """What a careful clerk decides on every pair the run sent to review (the register's truth)."""
    t = reg["duplicates"]
    true = set(zip(t[["a", "b"]].min(axis=1), t[["a", "b"]].max(axis=1), strict=True))
    unc = res.pairs[(res.pairs["model_probability"] >= 0.05) & res.pairs["rule"].isna()]
    ok = [(a, b) in true for a, b in zip(unc["person_id_l"], unc["person_id_r"], strict=True)]
    return unc[["person_id_l", "person_id_r"]].assign(decision=np.where(ok, "match", "non-match"))


@pytest.mark.slow
def test_reviews_recalibrate_and_the_next_run_uses_it(register, tmp_path):
    persons = register["persons"]
    # at least 3 of each decision: on this register the review holds 3 non-matches since the
    # sibling_gap rule keeps 7 pairs of same-named siblings out of it
    cfg = LinkageConfig(calibration_min_reviews=20, calibration_min_each=3)
    first = dedupe(persons, cfg)
    assert first.calibration is None
    reviews = _truth_reviews(first, register)
    assert len(reviews) >= 20
    # too few reviews for the default (100): the model and the threshold stand, and the run says so
    few = dedupe(persons, reviews=reviews.iloc[:10])
    assert few.calibration is None and "calibration needs at least 100" in few.calibration_note
    free = few.pairs["review"].isna() & few.pairs["rule"].isna()
    assert (few.pairs.loc[free, "match_probability"] == few.pairs.loc[free, "model_probability"]).all()
    # enough reviews: probabilities follow what the reviewers found
    second = dedupe(persons, cfg, reviews=reviews)
    cal = second.calibration
    assert cal is not None and cal.n_reviews == len(reviews)
    path = cal.save(tmp_path / "calibration.json")
    # the next run, without the reviews, reads the saved calibration and applies it
    third = dedupe(persons, cfg, calibration=path)
    back = load_calibration(path)
    assert back.weight_range == cal.weight_range and back.n_reviews == cal.n_reviews
    p = third.pairs
    free = p["rule"].isna()
    expected = back.probability(p.loc[free, "match_weight"].to_numpy())
    assert np.allclose(p.loc[free, "match_probability"].to_numpy(), expected, atol=1e-9)
    assert third.calibration is not None
    # decisions moved the reviewers' way: among the reviewed pairs, more are right at the threshold
    r = reviews.merge(p, on=["person_id_l", "person_id_r"])
    said = r["decision"] == "match"
    right_after = ((r["match_probability"] >= 0.7) == said).mean()
    right_before = ((r["model_probability"] >= 0.7) == said).mean()
    assert right_after >= right_before


def test_cli_says_when_reviews_are_too_few_and_rejects_a_bad_calibration(persons, tmp_path, capsys):
    from popqa.cli import main

    src = tmp_path / "persons.csv"
    persons.to_csv(src, index=False)
    reviews = tmp_path / "reviewed.xlsx"
    with pd.ExcelWriter(reviews) as xw:
        pd.DataFrame({"person_id_l": ["P01", "P05"], "person_id_r": ["P02", "P06"],
                      "decision": ["match", "non-match"]}).to_excel(xw, sheet_name="review", index=False)
    out = tmp_path / "pairs.csv"
    assert main(["dedupe", "--persons", str(src), "--out", str(out), "--reviews", str(reviews),
                 "--calibration-out", str(tmp_path / "cal.json")]) == 0
    assert "2 reviewed pairs" in capsys.readouterr().out
    assert not (tmp_path / "cal.json").exists()
    bad = tmp_path / "bad.json"
    bad.write_text('{"method": "magic"}', encoding="utf-8")
    assert main(["dedupe", "--persons", str(src), "--out", str(out), "--calibration", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.json" in err[0]
