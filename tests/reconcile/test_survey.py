"""The register against the population-change survey on a hand-made register (tests/reconcile/cases.py).

Expected values are computed by hand in the test (the with-replacement
stratified variance of a Horvitz-Thompson total, Cochran 1977 eq. 5A.41 / R's
``svytotal``): the interval popqa.survey gives must equal it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from popqa.errors import InputError
from popqa.indicators import validate_indicators
from popqa.reconcile import ReconcileConfig, reconcile_stage
from popqa.reconcile.survey import AGE_LABELS, survey_comparison
from tests.reconcile.cases import HOUSEHOLDS, A, C, survey_register, survey_rows

CFG = ReconcileConfig(survey_min_psus=2, survey_min_events=1, province_code="72")


def by_hand(psu_totals_per_stratum: list[list[float]]) -> tuple[float, float, float, float]:
    """Total, se and 95% interval of a stratified with-replacement design from its PSU totals."""
    total = sum(sum(t) for t in psu_totals_per_stratum)
    var = sum(len(t) / (len(t) - 1) * sum((x - np.mean(t)) ** 2 for x in t) for t in psu_totals_per_stratum)
    se = var ** 0.5
    z = norm.ppf(0.975)
    return total, se, total - z * se, total + z * se


@pytest.fixture(scope="module")
def table():
    return survey_comparison(survey_register(), period="2026-10", config=CFG).table.set_index(
        ["level", "unit_code", "measure", "group"])


def test_district_totals_and_intervals_agree_with_a_direct_computation(table):
    # persons: PSU totals 100 x (2, 3, 4); by hand 900, se sqrt(3/2 x 20,000) = 173.2, [560.5, 1239.5]
    est, se, lo, hi = by_hand([[100.0 * size for size, _ in HOUSEHOLDS]])
    assert (est, round(se, 3), round(lo, 2), round(hi, 2)) == (900.0, 173.205, 560.52, 1239.48)
    for district in ("710", "711"):
        r = table.loc[("district", district, "persons", "")]
        assert r["estimate"] == pytest.approx(est) and r["se"] == pytest.approx(se)
        assert r["ci_low"] == pytest.approx(lo) and r["ci_high"] == pytest.approx(hi)
        assert r["psus"] == 3 and r["n"] == 9 and r["status"] == "ok"
    # the province is both strata: 1,800, se sqrt(60,000)
    est, se, lo, hi = by_hand([[200.0, 300, 400], [200.0, 300, 400]])
    p = table.loc[("province", "72", "persons", "")]
    assert (p["estimate"], p["se"], p["ci_low"], p["ci_high"]) == pytest.approx((est, se, lo, hi))
    # sex 1 is members 1, 3 of each household: 1, 2, 2 per PSU
    est, se, lo, hi = by_hand([[100.0, 200, 200]])
    s = table.loc[("district", "710", "persons", "sex=1")]
    assert (s["estimate"], s["se"], s["ci_low"], s["ci_high"]) == pytest.approx((est, se, lo, hi))
    # every survey member was born 15 June 1990: 36 at 31 October 2026
    assert table.loc[("district", "710", "persons", "sex=1;age=35-39"), "estimate"] == pytest.approx(est)
    assert table.loc[("district", "710", "persons", "sex=1;age=30-34"), "estimate"] == 0


def test_register_counts_inside_and_outside(table):
    inside = table.loc[("district", "710", "persons", "")]
    outside = table.loc[("district", "711", "persons", "")]
    # present persons only (the dead person of each commune is not counted)
    assert inside["register"] == 1000 and not inside["outside"]
    assert outside["register"] == 1500 and outside["outside"] and outside["direction"] == "above"
    assert table.loc[("province", "72", "persons", ""), "register"] == 2500


def test_births_shared_by_household_members_and_too_imprecise(table):
    # each household's births once, with its weight: PSU totals 100 x (1, 0, 2) = 300, se 173.2 (CV 58%)
    est, se, _, _ = by_hand([[100.0 * b for _, b in HOUSEHOLDS]])
    b = table.loc[("district", "710", "births", "")]
    assert b["estimate"] == pytest.approx(est) and b["se"] == pytest.approx(se)
    assert b["status"] == "insufficient" and "coefficient of variation" in b["reason"]
    assert b["register"] == 4  # the older birth is out of the twelve months
    d = table.loc[("district", "710", "deaths", "")]
    assert d["estimate"] == 0 and d["status"] == "insufficient" and d["reason"] == "the survey saw none in this unit"


def test_units_the_design_does_not_support_say_so(table):
    none = table.loc[("district", "703", "persons", "")]
    assert none["status"] == "not_measurable" and none["reason"] == "the survey sampled no household in this unit"
    t = survey_comparison(survey_register(), period="2026-10", config=ReconcileConfig(province_code="72")).table
    d = t[(t["level"] == "district") & t["unit_code"].isin(["710", "711"]) & (t["group"] == "")]
    # three PSUs are fewer than the default five: no estimate is compared, nothing is flagged
    assert (d["status"] == "insufficient").all() and not d["outside"].any()
    assert d["reason"].str.contains("fewer than 5 clusters").all()
    # nine persons seen in a district are fewer than the default 20 (CDC: rates from 20 or fewer events are unstable)
    t2 = survey_comparison(survey_register(), period="2026-10",
                           config=ReconcileConfig(survey_min_psus=2, province_code="72")).table
    r = t2[(t2["level"] == "district") & (t2["unit_code"] == "710") & (t2["group"] == "")].set_index("measure")
    assert r.loc["persons", "seen"] == 9 and r.loc["persons", "status"] == "insufficient"
    assert r.loc["persons", "reason"] == "the survey saw fewer than 20 in this unit"
    assert r.loc["births", "seen"] == 3  # the households' births, each once
    # every unit has a row for every group, sampled or not
    assert len(t[(t["level"] == "district") & (t["measure"] == "persons")]) == 9 * (1 + 2 + 2 * len(AGE_LABELS))


def test_stage_rows_and_findings():
    rows, f = reconcile_stage(survey_register(), {}, period="2026-10", config=CFG)
    validate_indicators(rows)
    r = rows[rows["indicator_id"] == "survey_persons_total"].set_index(["level", "unit_code", "group"])
    assert r.loc[("district", "711", ""), "numerator"] == 1500 and r.loc[("district", "711", ""), "value"] == 900
    births = rows[(rows["indicator_id"] == "survey_births_12m") & (rows["level"] == "district")]
    assert births["value"].isna().all() and set(births["status"]) == {"insufficient", "not_measurable"}
    x = f[f["rule_id"] == "X012"].set_index("record_id")
    # 2025 communes are not a level the survey is designed for (by default): listed, never flagged
    assert set(x.index) == {"72", "711"}
    assert x.loc["711", "column"] == "persons" and x.loc["711", "value"] == "1500 (561-1239)"
    assert x.loc["711", "district_code"] == "711" and x.loc["72", "province_code"] == "72"
    c25 = r.loc[("commune_2025", C, "")]
    assert c25["status"] == "insufficient" and c25["numerator"] == 1500
    # when the survey is stratified by 2025 commune, its communes are compared and flagged too
    cfg = CFG.model_copy(update={"survey_levels": ("province", "district", "commune_2025")})
    _, f = reconcile_stage(survey_register(), {}, period="2026-10", config=cfg)
    x = f[f["rule_id"] == "X012"].set_index("record_id")
    assert set(x.index) == {"72", "711", C} and x.loc[C, "province_code"] == "72"
    assert pd.isna(x.loc[C, "district_code"]) and pd.isna(x.loc[C, "commune_code"])
    assert (f["dimension"] == "coverage").all()


def test_without_survey_columns_of_events_and_without_survey():
    s = survey_rows().drop(columns=["births_12m", "deaths_12m"])
    t = survey_comparison(survey_register(survey=s), period="2026-10", config=CFG).table
    b = t[(t["measure"] == "births") & (t["group"] == "")]
    assert (b["status"] == "not_measurable").all() and (b["reason"] == "the survey has no births_12m values").all()
    reg = survey_register()
    del reg.tables["survey_persons"]
    assert survey_comparison(reg, period="2026-10", config=CFG) is None


def test_bad_survey_rows_are_named():
    s = survey_rows()
    s.loc[1, "births_12m"] = 0  # second member of the first household: 0 where the first says 1
    with pytest.raises(InputError, match=r"survey_persons: row 3: column births_12m: births_12m differs"):
        survey_comparison(survey_register(survey=s), period="2026-10", config=CFG)
    s = survey_rows()
    s["weight"] = s["weight"].astype(object)
    s.loc[4, "weight"] = None
    with pytest.raises(InputError, match=r"survey_persons: row 6: column weight: missing value"):
        survey_comparison(survey_register(survey=s), period="2026-10", config=CFG)


def test_a_bad_survey_costs_the_survey_comparison_only():
    s = survey_rows()
    s["weight"] = s["weight"].astype(object)
    s.loc[4, "weight"] = None
    notes: list[str] = []
    rows, f = reconcile_stage(survey_register(survey=s), {}, period="2026-10", config=CFG, notes=notes)
    assert len(notes) == 1 and notes[0].startswith("survey comparison not made: survey_persons: row 6: column weight")
    assert not rows["indicator_id"].str.startswith("survey_").any() and "X012" not in set(f["rule_id"])
    with pytest.raises(InputError):  # called without notes, the error is the caller's
        reconcile_stage(survey_register(survey=s), {}, period="2026-10", config=CFG)


def test_age_from_the_age_column_when_no_birth_date():
    s = survey_rows()
    s["birth_date"] = pd.NaT
    s["age"] = 7
    t = survey_comparison(survey_register(survey=s), period="2026-10", config=CFG).table.set_index(
        ["level", "unit_code", "measure", "group"])
    assert t.loc[("district", "710", "persons", "sex=2;age=5-9"), "estimate"] == 400


def test_unknown_sex_counts_in_the_total_only():
    s = survey_rows()
    s["sex"] = s["sex"].astype("Int64")
    s.loc[0, "sex"] = pd.NA   # first member of the first household of district 710 (a man)
    s.loc[2, "sex"] = 9
    t = survey_comparison(survey_register(survey=s), period="2026-10", config=CFG).table.set_index(
        ["level", "unit_code", "measure", "group"])
    assert t.loc[("district", "710", "persons", ""), "estimate"] == 900
    assert t.loc[("district", "710", "persons", "sex=1"), "estimate"] == 300
    assert t.loc[("district", "710", "persons", "sex=2"), "estimate"] == 400


def test_units_cutting_across_strata_are_not_compared():
    # district 710's stratum split between two 2025 communes (its third PSU in commune 25657): the district is
    # a whole stratum, each 2025 commune only part of one, with a sample size left to chance
    s = survey_rows()
    third = (s["stratum"] == "710") & (s["psu"] == f"{A}-3")
    s.loc[third, "commune_code"] = "25657"
    reg = survey_register(present={A: 1000, C: 1500, "25657": 10}, births={A: 4, C: 0, "25657": 0}, survey=s)
    default = survey_comparison(reg, period="2026-10", config=CFG).table
    r = default[(default["level"] == "commune_2025") & (default["unit_code"] == C) & (default["group"] == "")]
    assert (r["reason"] == "the survey is not designed to estimate this level of unit").all()
    cfg = CFG.model_copy(update={"survey_levels": ("province", "district", "commune_2025")})
    t = survey_comparison(reg, period="2026-10", config=cfg).table
    t = t[(t["group"] == "") & (t["measure"] == "persons")].set_index(["level", "unit_code"])
    assert t.loc[("district", "710"), "status"] == "ok" and t.loc[("district", "710"), "planned"]
    for c in (A, "25657"):
        r = t.loc[("commune_2025", c)]
        assert r["status"] == "insufficient" and not r["planned"] and not r["outside"]
        assert r["reason"] == "the survey's strata cut across this unit: its sample size is left to chance"
    assert t.loc[("commune_2025", C), "status"] == "ok"  # district 711's stratum lies wholly in its commune


def test_register_counts_are_those_of_a_label_per_person():
    """The register's persons counted by commune, sex and age group codes, labelled afterwards, give the
    table that a label per person gave (the computation before issue 16's last pass, written out here):
    the same rows, order and types, with persons whose sex, birth date or commune is missing or odd."""
    from popqa.definitions import age_at, is_present
    from popqa.io import Register
    from popqa.reconcile.survey import _register_counts, _sex_group, age_groups
    from popqa.synth import generate_province

    reg = generate_province(scale=0.01, seed=5).register
    pp = reg.persons.copy()
    rng = np.random.default_rng(2)
    pp.loc[rng.random(len(pp)) < 0.02, "sex"] = pd.NA
    pp.loc[rng.random(len(pp)) < 0.01, "sex"] = 9
    pp.loc[rng.random(len(pp)) < 0.02, "birth_date"] = pd.NaT
    pp.loc[rng.random(len(pp)) < 0.01, "birth_date"] = pd.Timestamp("2030-01-01")  # born after the date
    pp.loc[rng.random(len(pp)) < 0.02, "commune_code"] = pd.NA
    reg = Register.from_frames({**reg.tables, "persons": pp})
    ref = pd.Timestamp("2026-10-31")

    p = pp.loc[is_present(pp).to_numpy(), ["person_id", "sex", "birth_date", "commune_code"]]
    p = p[~p["person_id"].astype("string").duplicated().to_numpy()]
    sexg = _sex_group(p["sex"])
    cellg = sexg + ";age=" + age_groups(age_at(pd.to_datetime(p["birth_date"], errors="coerce"), ref))
    com = p["commune_code"].astype("string")
    parts = []
    for g in (pd.Series("", index=p.index, dtype="string"), sexg, cellg):
        c = pd.DataFrame({"commune_code": com.to_numpy(), "group": g.astype("string").to_numpy()}).dropna()
        parts.append(c.groupby(["commune_code", "group"]).size().rename("count").reset_index())
    want = pd.concat(parts, ignore_index=True)

    got = _register_counts(reg, None, ref, pd.DataFrame({"source": [], "removed": [], "event": [],
                                                         "unit_commune": []}), "2026-10", CFG)["persons"]
    assert len(want) > 1000 and set(want["group"]) > {"", "sex=1", "sex=2", "sex=2;age=80+"}
    pd.testing.assert_frame_equal(got, want, check_exact=True)
