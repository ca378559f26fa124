"""Age-sex accuracy indices against DemoTools' documented results, and the unit quality table.

Reference values: DemoTools (timriffe/DemoTools) ``tests/testthat/test-AGESEX.R``
(PAS spreadsheet AGESEX males and females, 3 decimals), the "de facto unit
tests" and example comments of ``R/AGESEX.R`` (commit d0451a9e), and the
printed output of the ``ageSexAccuracyDasGupta`` reference example on the
pkgdown site (South West Africa 1946, Das Gupta 1955).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from popqa.demography.agesex import (
    QUALITY_COLUMNS,
    age_quality_table,
    age_ratio_score,
    age_sex_accuracy,
    age_sex_accuracy_das_gupta,
    five_year_counts,
    sex_ratio_score,
    single_year_counts,
)

DATA = Path(__file__).parent / "data"
PAS = pd.read_csv(DATA / "pas_agesex_5yr.csv")
M, F, AGE = PAS["males"].to_numpy(float), PAS["females"].to_numpy(float), PAS["age_lower"].to_numpy()
SWA = pd.read_csv(DATA / "dasgupta_southwestafrica1946_5yr.csv")


def r3(x: float) -> float:
    return round(x, 3)


def test_age_ratio_score_test_agesex():
    # test-AGESEX.R "ageRatioScore works": 3.907 (males), 3.655 (females), ageMax = 75
    assert r3(age_ratio_score(M, AGE, age_max=75)) == 3.907
    assert r3(age_ratio_score(F, AGE, age_max=75)) == 3.655
    assert r3(age_ratio_score(M, AGE)) == 3.907  # default age_max = max(Age), open group dropped


def test_age_ratio_score_other_methods_match_the_documented_comments():
    # R/AGESEX.R example: Ramachandran "# 1.8", Zelnick "# 2.4"
    assert round(age_ratio_score(F, AGE, age_max=75, method="Ramachandran"), 1) == 1.8
    assert round(age_ratio_score(F, AGE, age_max=75, method="Zelnick"), 1) == 2.4
    assert age_ratio_score(F, AGE, method="zelnick") == age_ratio_score(F, AGE, method="Zelnick")


def test_sex_ratio_score_test_agesex():
    # test-AGESEX.R "sexRatioScore works": 2.249, also with ageMax = 70
    assert r3(sex_ratio_score(M, F, AGE)) == 2.249
    assert r3(sex_ratio_score(M, F, AGE, age_max=70)) == 2.249


def test_age_sex_accuracy_test_agesex():
    # test-AGESEX.R "ageSexAccuracy works": 14.308 ("14.3, matches PAS")
    assert r3(age_sex_accuracy(M, F, AGE)) == 14.308
    # it is 3 x the sex ratio score plus both age ratio scores
    assert age_sex_accuracy(M, F, AGE) == pytest.approx(
        3 * sex_ratio_score(M, F, AGE) + age_ratio_score(M, AGE) + age_ratio_score(F, AGE))


def test_das_gupta_reproduces_the_demotools_example():
    # ageSexAccuracyDasGupta example, South West Africa 1946: prints 5.68162 (and via method = "das gupta")
    m, f, a = SWA["males"], SWA["females"], SWA["age_lower"]
    assert age_sex_accuracy_das_gupta(m, f, a) == pytest.approx(5.68162, rel=5e-7)
    assert age_sex_accuracy(m, f, a, method="das gupta") == pytest.approx(5.68162, rel=5e-7)
    assert age_sex_accuracy(m, f, a, method="Das Gupta") == age_sex_accuracy(m, f, a, method="dasgupta")


def test_small_population_adjustment_is_demotools_formula():
    # ageSexAccuracy: if adjust and total < 1e6, index - 3500 / sqrt(total) + 3.5 (31.5 points at 10,000)
    m, f = M / M.sum() * 5000, F / F.sum() * 5000
    raw = age_sex_accuracy(m, f, AGE, adjust=False)
    assert age_sex_accuracy(m, f, AGE) == pytest.approx(raw - 31.5)
    assert age_sex_accuracy(M, F, AGE, adjust=False) == age_sex_accuracy(M, F, AGE)  # 54 million: no change


def test_open_group_is_dropped_unless_oag_false():
    m2 = M.copy()
    m2[-1] *= 5  # a wild open group changes nothing while it is dropped
    assert age_ratio_score(m2, AGE) == age_ratio_score(M, AGE)
    assert age_ratio_score(m2, AGE, oag=False) != age_ratio_score(M, AGE, oag=False)


def test_invalid_input_is_a_clear_error():
    with pytest.raises(ValueError, match="method"):
        age_ratio_score(M, AGE, method="Myers")
    with pytest.raises(ValueError, match="method"):
        age_sex_accuracy(M, F, AGE, method="x")
    with pytest.raises(ValueError, match="same length"):
        sex_ratio_score(M, F[:-1], AGE)


def test_counts_by_single_year_and_five_year_group():
    v, a = single_year_counts([0, 1, 1, 3, 120, None, -1], open_age=4)
    assert v.tolist() == [1, 2, 0, 1, 1] and a.tolist() == [0, 1, 2, 3, 4]
    v5, a5 = five_year_counts(np.arange(100), open_age=75)
    assert v5.tolist() == [5] * 15 + [25] and a5.tolist() == list(range(0, 80, 5))
    with pytest.raises(ValueError, match="multiple of 5"):
        five_year_counts([1], open_age=72)


def _persons(rng, n, heap=0.0):
    """n persons from the PAS AGESEX structure, ages spread uniformly within each group; ``heap`` of the
    adults aged 23-82 moved to the nearest age ending in 0 or 5."""
    share = np.r_[M, F] / np.r_[M, F].sum()
    cell = rng.choice(32, size=n, p=share)
    sex = np.where(cell < 16, 1, 2)
    grp = cell % 16
    age = grp * 5 + np.where(grp == 15, rng.integers(0, 20, n), rng.integers(0, 5, n))
    move = (rng.random(n) < heap) & (age >= 23) & (age <= 82)
    age = np.where(move, np.round(age / 5) * 5, age)
    return age, sex


def test_quality_table_bands_a_clean_and_a_heaped_population():
    rng = np.random.default_rng(7)
    age, sex = _persons(rng, 200_000)
    t = age_quality_table(age, sex).set_index(["index_id", "group"])
    assert list(t.reset_index().columns) == list(QUALITY_COLUMNS)
    assert t.loc[("whipple", "total"), "band"] == "highly accurate"
    assert t.loc[("myers", "total"), "value"] < 4  # steps between uniform 5-year groups, not heaping
    age_h, sex_h = _persons(rng, 200_000, heap=0.5)
    th = age_quality_table(age_h, sex_h).set_index(["index_id", "group"])
    w = th.loc[("whipple", "total"), "value"]  # about 1 + 0.5 * 4 = 3
    assert 2.5 < w < 3.5 and th.loc[("whipple", "total"), "band"] == "very rough"
    assert th.loc[("myers", "total"), "value"] > 20
    assert (th["status"] == "ok").loc[["whipple", "myers", "bachi", "spoorenberg"]].all()


def test_quality_table_age_sex_accuracy_is_reported_unadjusted_and_unbanded_below_a_million():
    rng = np.random.default_rng(3)
    age, sex = _persons(rng, 10_000)
    t = age_quality_table(age, sex).set_index(["index_id", "group"])
    raw = t.loc[("age_sex_accuracy", "total")]
    m5, a5 = five_year_counts(age[sex == 1])
    f5, _ = five_year_counts(age[sex == 2])
    assert raw["value"] == pytest.approx(age_sex_accuracy(m5, f5, a5, adjust=False))
    assert raw["band"] == "" and "31.5 points" in raw["note"]
    adj = t.loc[("age_sex_accuracy_adjusted", "total")]
    assert adj["value"] == pytest.approx(raw["value"] - 31.5)
    assert adj["status"] == "insufficient"


def test_quality_table_of_an_empty_unit_is_not_measurable_not_a_crash():
    t = age_quality_table([], [])
    assert (t["status"] == "not_measurable").all() and t["value"].isna().all()
    with pytest.raises(ValueError, match="same length"):
        age_quality_table([1, 2], [1])
