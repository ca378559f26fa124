"""The generated present population follows the documented 2019-census-like Tây Ninh pyramid."""

import numpy as np
import pandas as pd
import pytest

from popqa.synth import generate_province
from popqa.synth.pyramid import (
    AGE_GROUPS,
    broad_shares,
    pyramid_of,
    sex_ratio,
    target_pyramid,
    total_variation,
)

EXPORT = pd.Timestamp("2026-10-31")


@pytest.fixture(scope="module")
def present():
    """Present persons (status 1, no injected duplicate row) of the whole province at scale 0.05."""
    prov = generate_province(scale=0.05, seed=20261, period="2026-10")
    p = prov.register.persons
    dup_rows = set(prov.truth["duplicates"]["person_id"])
    p = p[(p["status"] == 1) & ~p["person_id"].isin(dup_rows) & p["birth_date"].notna() & p["sex"].isin([1, 2])]
    p = p.drop_duplicates("person_id")  # exact-copy fault rows
    age = (EXPORT - p["birth_date"]).dt.days.to_numpy() / 365.25
    return pyramid_of(age, p["sex"].astype(int).to_numpy())


def test_target_table_is_the_documented_one():
    t = target_pyramid()
    assert len(t) == 2 * len(AGE_GROUPS) == 34
    assert t["share"].sum() == pytest.approx(1.0)
    b = broad_shares(t)
    assert b["0-14"] == pytest.approx(0.215, abs=0.005) and b["65+"] == pytest.approx(0.075, abs=0.005)
    assert 98.5 < sex_ratio(t) < 99.5
    both = t.groupby("age_group", sort=False)["share"].sum()
    # largest cohorts 25-39, a dip at 40-44, a solid 45-59 band, then decline
    assert set(both.nlargest(3).index) == {"25-29", "30-34", "35-39"}
    assert both["40-44"] < both["35-39"] and both["40-44"] < both["45-49"]
    assert both["65-69"] < both["60-64"] < both["55-59"]


def test_present_population_follows_the_target_pyramid(present):
    target = target_pyramid()
    assert total_variation(present, target) < 0.03
    # every age-sex cell within 0.5 percentage point (sampling sd ~0.08 pp at this scale)
    assert np.abs(present["share"] - target["share"]).max() < 0.005
    # every 5-year group (both sexes) within 1.0 percentage point
    got = present.groupby("age_group", sort=False)["share"].sum()
    want = target.groupby("age_group", sort=False)["share"].sum()
    assert (got - want).abs().max() < 0.01


def test_broad_age_shares_and_sex_ratio_are_tay_ninh_like(present):
    b = broad_shares(present)
    assert 0.20 <= b["0-14"] <= 0.23
    assert 0.69 <= b["15-64"] <= 0.73
    assert 0.065 <= b["65+"] <= 0.085
    assert 97.0 <= sex_ratio(present) <= 101.0
    both = present.groupby("age_group", sort=False)["share"].sum()
    assert (both[["45-49", "50-54", "55-59"]] > 0.055).all()
    # more women than men among the old
    old = present[present["age_group"].isin(["75-79", "80+"])]
    assert old.loc[old["sex"] == 2, "share"].sum() > 1.2 * old.loc[old["sex"] == 1, "share"].sum()
