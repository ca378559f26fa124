"""popqa.labour.indicators against values worked out by hand on a small LFS frame.

The variance is Taylor linearisation of a ratio (Lumley, *Complex Surveys*, 2010, §2.3 and
appendix; Cochran, *Sampling Techniques*, 3rd ed., 1977, §6.11 and 11.24): with
R = Y/X and z_i = w_i (y_i - R x_i) / X, V = sum_h n_h/(n_h-1) sum_j (z_hj - mean_h z)^2 over PSU
totals z_hj, stage 1 with replacement; a stratum with a single PSU contributes z_h1^2 (R survey's
``options(survey.lonely.psu="adjust")``: deviation from the grand mean of PSU totals, zero for a
linearised ratio). Each expected number below is derived in the comments.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from popqa.labour import LabourConfig, Target, age_group, indicators, table_indicators, working_age
from popqa.survey import LonelyPSUWarning

CFG = LabourConfig(min_n=1, min_psus=1)


def small_lfs() -> pd.DataFrame:
    """Two strata, two PSUs each: 7 persons in the labour force, 2 unemployed.

    Stratum A (weight 10): PSU 1 = employed, unemployed; PSU 2 = employed, employed.
    Stratum B (weight 20): PSU 3 = employed, unemployed; PSU 4 = employed, outside.
    """
    return pd.DataFrame({
        "stratum": ["A"] * 4 + ["B"] * 4,
        "psu": ["1", "1", "2", "2", "3", "3", "4", "4"],
        "weight": [10.0] * 4 + [20.0] * 4,
        "sex": [1, 2, 1, 2, 1, 2, 1, 2],
        "age": [30, 22, 45, 50, 23, 35, 60, 70],
        "urban": [True, True, False, False, True, False, True, False],
        "labour_status": ["employed", "unemployed", "employed", "employed",
                          "employed", "unemployed", "employed", "outside"],
        "sector": ["industry", None, "agriculture", "services", "agriculture", None, "agriculture", None],
        "training": ["certificate or higher", "none", "none", "short course",
                     "certificate or higher", "none", "none", "none"],
        "in_education": [False] * 8,
        "social_insurance": [True, False, False, True, False, False, True, False],
    })


def _row(r: pd.DataFrame, iid: str) -> pd.Series:
    return r.set_index("indicator_id").loc[iid]


def test_unemployment_rate_by_hand():
    # Y = 10 + 20 = 30 unemployed, X = 4*10 + 3*20 = 100 in the labour force: R = 0.3.
    # z (per PSU, / X): PSU1 10(-.3)+10(.7) = .04, PSU2 -.06, PSU3 20(-.3)+20(.7) = .08, PSU4 -.06 (outside: 0).
    # Stratum A: mean -.01, 2 * (.05^2 + .05^2) = .01; B: mean .01, 2 * (.07^2 * 2) = .0196. V = .0296.
    r = _row(indicators(small_lfs(), year=2025, config=CFG.model_copy(update={"interval": "normal"})),
             "unemployment_rate")
    assert r["estimate"] == pytest.approx(0.3)
    assert r["numerator"] == pytest.approx(30.0) and r["denominator"] == pytest.approx(100.0)
    assert r["se"] == pytest.approx(math.sqrt(0.0296), rel=1e-12)
    z = stats.norm.ppf(0.975)
    assert r["ci_low"] == pytest.approx(0.3 - z * math.sqrt(0.0296))
    assert r["ci_high"] == pytest.approx(0.3 + z * math.sqrt(0.0296))
    assert (r["n"], r["n_psu"], r["n_missing"]) == (7, 4, 0)


def test_logit_interval_on_the_design_degrees_of_freedom():
    # R's svyciprop(method="logit"): expit(logit(p) +- t_{df} se / (p (1-p))), df = 4 PSUs - 2 strata = 2
    r = _row(indicators(small_lfs(), year=2025, config=CFG), "unemployment_rate")
    se = math.sqrt(0.0296)
    half = stats.t.ppf(0.975, 2) * se / (0.3 * 0.7)
    eta = math.log(0.3 / 0.7)
    assert r["se"] == pytest.approx(se, rel=1e-12)
    assert r["ci_low"] == pytest.approx(1 / (1 + math.exp(-(eta - half))), rel=1e-10)
    assert r["ci_high"] == pytest.approx(1 / (1 + math.exp(-(eta + half))), rel=1e-10)


def test_other_shares_by_hand():
    r = indicators(small_lfs(), year=2025, config=CFG)
    # trained: certificate rows 1 (w10) and 5 (w20) of the labour force: 30 / 100
    assert _row(r, "trained_share")["estimate"] == pytest.approx(0.30)
    # agriculture: employed rows 3 (w10), 5, 7 (w20) over employed 10*3 + 20*2 = 70: 50 / 70
    a = _row(r, "agriculture_share")
    assert (a["numerator"], a["denominator"]) == (pytest.approx(50.0), pytest.approx(70.0))
    # urban unemployment: urban LF rows 1, 2 (w10), 5, 7 (w20): X = 60, unemployed row 2: Y = 10
    assert _row(r, "unemployment_rate_urban")["estimate"] == pytest.approx(10 / 60)
    # social insurance, working age in 2025 (men < 61y3m, women < 56y8m): the LF rows 1-7 (ages 30, 22, 45,
    # 50, 23, 35, 60) are all of working age: X = 100; insured rows 1, 4 (w10) and 7 (w20): Y = 40
    s = _row(r, "social_insurance_share")
    assert (s["numerator"], s["denominator"]) == (pytest.approx(10 + 10 + 20), pytest.approx(100.0))


def test_working_age_follows_the_retirement_schedule():
    # Decree 135/2020/ND-CP, Appendix I: men 60y3m in 2021 rising 3 months a year to 62 in 2028;
    # women 55y4m in 2021 rising 4 months a year to 60 in 2035.
    cfg = LabourConfig()
    assert cfg.retirement_age(2020, 1) == 60.0 and cfg.retirement_age(2021, 1) == 60.25
    assert cfg.retirement_age(2028, 1) == 62.0 and cfg.retirement_age(2040, 1) == 62.0
    assert cfg.retirement_age(2021, 2) == pytest.approx(55 + 4 / 12)
    assert cfg.retirement_age(2034, 2) == pytest.approx(59 + 8 / 12)
    assert cfg.retirement_age(2035, 2) == 60.0
    # completed ages: a woman of 56 is of working age in 2025 (56y8m), of 57 is not; a man of 61 is (61y3m)
    got = working_age(pd.Series([56, 57, 61, 62, 14]), pd.Series([2, 2, 1, 1, 1]), 2025).tolist()
    assert got == [True, False, True, False, False]
    # a 60-year-old woman in 2025 is out of the labour force of working age: the share changes
    lfs = small_lfs()
    lfs.loc[7, ["labour_status", "sex", "social_insurance"]] = ["employed", 2, False]   # woman aged 70
    lfs.loc[3, "age"] = 58                                                                 # woman, insured
    s = _row(indicators(lfs, year=2025, config=CFG), "social_insurance_share")
    # denominator: LF minus row 4 (58 > 56y8m) minus row 8 (70): 120 - 10 - 20 = 90; insured rows 1, 7: 30
    assert (s["numerator"], s["denominator"]) == (pytest.approx(30.0), pytest.approx(90.0))


def test_lonely_psu_adjusted_as_r():
    # Add stratum C with one PSU (5): employed, unemployed, weight 10. Y = 40, X = 120, R = 1/3.
    # PSU totals of z: 1/36, -2/36, 2/36, -2/36, 1/36. A: 2*((3/72)^2*2) = 1/144; B: 2*((2/36)^2*2) = 1/81;
    # C alone: (1/36 - 0)^2 = 1/1296. V = (9 + 16 + 1)/1296 = 26/1296.
    lfs = pd.concat([small_lfs(), pd.DataFrame({
        "stratum": ["C", "C"], "psu": ["5", "5"], "weight": [10.0, 10.0], "sex": [1, 2], "age": [40, 41],
        "urban": [False, False], "labour_status": ["employed", "unemployed"], "sector": ["services", None],
        "training": ["none", "none"], "in_education": [False, False], "social_insurance": [True, False]})],
        ignore_index=True)
    with pytest.warns(LonelyPSUWarning):
        r = _row(indicators(lfs, year=2025, config=CFG), "unemployment_rate")
    assert r["estimate"] == pytest.approx(1 / 3)
    assert r["se"] == pytest.approx(math.sqrt(26) / 36, rel=1e-12)


def test_domain_with_no_sampled_unit_is_no_sample_not_zero():
    lfs = small_lfs()
    lfs["age"] = [30, 32, 45, 50, 33, 35, 60, 70]      # no one aged 15-24
    r = indicators(lfs, year=2025, config=CFG)
    y = _row(r, "youth_unemployment_urban")
    assert y["reliability"] == "no sample" and np.isnan(y["estimate"]) and y["n"] == 0
    assert y["numerator"] == 0 and y["denominator"] == 0
    assert y["status_2025"] == "no data"
    # by sex: no man is unemployed: 0 is an estimate (n > 0), not "no sample"
    by = indicators(small_lfs(), year=2025, by="sex", config=CFG).set_index(["indicator_id", "sex"])
    assert by.loc[("unemployment_rate", 1), "estimate"] == 0.0
    assert by.loc[("unemployment_rate", 1), "reliability"] == "ok"
    # women: LF rows 2 (w10, unemployed), 4 (w10), 6 (w20, unemployed): 30 / 40
    assert by.loc[("unemployment_rate", 2), "estimate"] == pytest.approx(0.75)
    # by age group: youth indicators outside 15-24 have no sample
    ag = indicators(small_lfs(), year=2025, by="age_group", config=CFG).set_index(["indicator_id", "age_group"])
    assert ag.loc[("youth_unemployment_urban", "35-44"), "reliability"] == "no sample"
    assert ag.loc[("youth_unemployment_urban", "15-24"), "estimate"] == pytest.approx(10 / 30)


def test_missing_values_leave_both_numerator_and_denominator():
    lfs = small_lfs()
    lfs.loc[0, "training"] = None            # row 1: in the LF, training unknown
    lfs.loc[4, "labour_status"] = None       # row 5: labour status unknown
    r = indicators(lfs, year=2025, config=CFG)
    t = _row(r, "trained_share")
    # LF without row 5 (w20): X = 80; without row 1 too (training unknown): 70; certificates: none left
    assert (t["numerator"], t["denominator"]) == (pytest.approx(0.0), pytest.approx(70.0))
    assert t["n"] == 5 and t["n_missing"] == 2
    u = _row(r, "unemployment_rate")
    assert (u["numerator"], u["denominator"], u["n_missing"]) == (pytest.approx(30.0), pytest.approx(80.0), 1)
    # an unknown sex with an age both limits agree on still counts in the working age
    lfs.loc[1, "sex"] = None
    s = _row(indicators(lfs, year=2025, config=CFG), "social_insurance_share")
    assert s["n_missing"] == 1 and s["denominator"] == pytest.approx(80.0)


def test_an_absent_column_is_no_data_never_zero():
    lfs = small_lfs()
    r = indicators(lfs, year=2025, config=CFG)
    for iid in ("it_skills_share", "voluntary_insurance_share", "youth_underemployment_rural", "neet_rate"):
        row = _row(r, iid)
        assert row["reliability"] == "no data", iid
        assert np.isnan(row["estimate"]) and np.isnan(row["numerator"]), iid
        assert row["status_2025"] == row["status_2030"] == "no data"
    # a column present but entirely empty is no data too
    lfs["it_skills"] = pd.array([pd.NA] * len(lfs), dtype="boolean")
    assert _row(indicators(lfs, year=2025, config=CFG), "it_skills_share")["reliability"] == "no data"
    # when present, it is estimated
    lfs["it_skills"] = [True, True, False, False, True, False, False, False]
    lfs["insurance_scheme"] = ["voluntary", "none", "none", "compulsory", "none", "none", "compulsory", "none"]
    r = indicators(lfs, year=2025, config=CFG)
    assert _row(r, "it_skills_share")["estimate"] == pytest.approx(40 / 100)
    assert _row(r, "voluntary_insurance_share")["estimate"] == pytest.approx(10 / 100)


def test_youth_underemployment_and_neet():
    lfs = small_lfs()
    # rural youth employed: none in small_lfs; make rows 3 and 4 young and rural employed
    lfs.loc[[2, 3], "age"] = [20, 21]
    lfs["hours_worked"] = [40, np.nan, 20, 30, 44, np.nan, 50, np.nan]
    lfs["wants_more_hours"] = [False, None, True, False, False, None, False, None]
    lfs["available_more_hours"] = [False, None, True, False, False, None, False, None]
    lfs["in_training"] = [False, False, False, False, False, True, False, False]
    r = indicators(lfs, year=2025, config=CFG)
    # rows 3, 4 (w10 each): row 3 under 35 hours, wants and available more: 10 / 20
    assert _row(r, "youth_underemployment_rural")["estimate"] == pytest.approx(0.5)
    # youth 15-24: rows 2 (22, unemployed, not in education): NEET; 3, 4 (employed); 5 (23, employed): 10 / 50
    assert _row(r, "neet_rate")["estimate"] == pytest.approx(10 / 50)


def test_status_against_targets_reads_the_interval():
    lfs = small_lfs()
    tg = {
        "unemployment_rate": Target(target_2025=0.99, target_2030=0.01, direction="below"),
        "trained_share": Target(target_2025=0.01, target_2030=0.3, direction="at_least"),
    }
    r = indicators(lfs, year=2025, config=CFG.model_copy(update={"targets": tg}))
    u, t = _row(r, "unemployment_rate"), _row(r, "trained_share")
    assert u["ci_high"] < 0.99 and u["status_2025"] == "met"
    assert u["ci_low"] > 0.01 and u["status_2030"] == "not met"
    assert t["ci_low"] > 0.01 and t["status_2025"] == "met"
    assert t["ci_low"] < 0.3 < t["ci_high"] and t["status_2030"] == "cannot tell"
    # without a configured target: no target, no status
    a = _row(r, "agriculture_share")
    assert np.isnan(a["target_2025"]) and a["status_2025"] == "no data"
    # too small a sample: cannot tell, whatever the interval
    r = indicators(lfs, year=2025, config=LabourConfig(min_n=50, targets=tg))
    assert _row(r, "unemployment_rate")["reliability"] == "insufficient"
    assert _row(r, "unemployment_rate")["status_2025"] == "cannot tell"


def test_default_targets_of_decision_176():
    t = LabourConfig().targets
    assert (t["unemployment_rate"].target_2025, t["unemployment_rate_urban"].target_2025) == (0.03, 0.04)
    assert (t["trained_share"].target_2025, t["trained_share"].target_2030) == (0.30, 0.35)
    assert (t["agriculture_share"].target_2025, t["agriculture_share"].target_2030) == (0.30, 0.20)
    assert (t["social_insurance_share"].target_2025, t["social_insurance_share"].target_2030) == (0.45, 0.60)
    assert (t["voluntary_insurance_share"].target_2025, t["voluntary_insurance_share"].target_2030) == (0.025, 0.05)
    assert (t["neet_rate"].target_2025, t["youth_unemployment_urban"].target_2025,
            t["youth_underemployment_rural"].target_2025) == (0.08, 0.07, 0.06)
    with pytest.raises(ValueError, match="extra"):
        LabourConfig(unknown=1)


def test_output_shape_and_errors():
    r = indicators(small_lfs(), year=2025, by=["sex", "urban"], config=CFG)
    assert list(r.columns[:3]) == ["indicator_id", "sex", "urban"]
    assert len(r) == 10 * 4
    with pytest.raises(ValueError, match="weight"):
        indicators(small_lfs().drop(columns="weight"), year=2025)
    with pytest.raises(ValueError, match="by column"):
        indicators(small_lfs(), year=2025, by="district")
    assert age_group(pd.Series([15, 64, 65])).tolist() == ["15-24", "55-64", "65+"]


def test_province_table_indicators():
    t = pd.DataFrame({"indicator": ["career_guidance_share", "career_guidance_share", "job_centre_placement_share"],
                      "year": [2023, 2024, 2024], "value": [70.0, 85.0, 0.5], "unit": ["%", "%", "share"],
                      "source": ["DOLISA 2023", "DOLISA report 2024", "Job centre"]})
    r = table_indicators(t).set_index("indicator_id")
    assert r.loc["career_guidance_share", "estimate"] == pytest.approx(0.85)      # the latest year
    assert r.loc["career_guidance_share", "source"] == "DOLISA report 2024"
    assert (r.loc["career_guidance_share", "status_2025"], r.loc["career_guidance_share", "status_2030"]) == (
        "met", "not met")
    assert r.loc["job_centre_placement_share", "estimate"] == pytest.approx(0.5)
    assert r.loc["labour_productivity_growth", "reliability"] == "no data"
    assert np.isnan(r.loc["labour_productivity_growth", "estimate"])
    with pytest.raises(ValueError, match="unknown indicator"):
        table_indicators(t.assign(indicator="gdp"))


def test_lonely_warning_is_not_raised_for_regular_design():
    with warnings.catch_warnings():
        warnings.simplefilter("error", LonelyPSUWarning)
        indicators(small_lfs(), year=2025, config=CFG)
