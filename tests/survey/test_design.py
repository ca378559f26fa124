"""The linearised designs of R's ``survey`` on its California API examples.

Reference values: R package ``survey``, file ``tests/api.Rout.save`` (the saved
output of ``example(api)``; repository cran/survey, commit e04ec819, R 2.14 run; the
same figures are printed by the 2025 vignette below), and the vignette "A survey
analysis example" (``inst/doc/survey.pdf`` of survey 4.4-8, built 2025-08-28) for
``svytotal(~stype)``, ``svyratio`` and ``svyby``. Each test names its source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.survey import Design, Estimate

from .conftest import printed

API_ROUT = "cran/survey tests/api.Rout.save"
VIGNETTE = "survey 4.4-8 vignette 'A survey analysis example' (inst/doc/survey.pdf)"


@pytest.mark.parametrize(
    ("design", "mean", "mean_se", "total", "total_se"),
    [
        # api.Rout.save: svymean(~api00, d); svytotal(~enroll, d, na.rm=TRUE)
        ("dstrat", "662.29", "9.4089", "3687178", "114642"),
        ("dclus1", "644.17", "23.542", "3404940", "932235"),
        ("dclus2", "670.81", "30.099", "2639273", "799638"),
        ("dclus2wr", "670.81", "30.712", "2639273", "820261"),
    ],
)
def test_mean_and_total_equal_r_api_examples(request, design, mean, mean_se, total, total_se):
    d = request.getfixturevalue(design)
    m = d.mean("api00")
    t = d.total("enroll", na_rm=True)
    assert isinstance(m, Estimate)
    assert printed(m.estimate, mean) and printed(m.se, mean_se), (API_ROUT, m)
    assert printed(t.estimate, total) and printed(t.se, total_se), (API_ROUT, t)


def test_two_stage_weights_are_implied_by_the_fpc(dclus2, api):
    # svydesign(id=~dnum+snum, fpc=~fpc1+fpc2) without weights: weight = N1/n1 * N2/n2,
    # which is the pw column shipped with apiclus2
    assert np.allclose(dclus2.weights, api["apiclus2"]["pw"].to_numpy())


def test_categorical_total_is_one_row_per_level(dclus1):
    # VIGNETTE: svytotal(~stype, dclus1): E 4873.97 (1333.32), H 473.86 (158.70), M 846.17 (167.55)
    t = dclus1.total("stype")
    assert list(t.index) == ["E", "H", "M"]
    for lev, est, se in [("E", "4873.97", "1333.32"), ("H", "473.86", "158.70"), ("M", "846.17", "167.55")]:
        assert printed(t.loc[lev, "estimate"], est) and printed(t.loc[lev, "se"], se), (VIGNETTE, lev)


def test_ratio_and_domain_ratio(dclus1, api):
    # VIGNETTE: svyratio(~api.stu, ~enroll, dclus1) 0.8497087 (0.008386297);
    # svyratio(..., design=subset(dclus1, stype=="H")) 0.8300683 (0.01472607)
    r = dclus1.ratio("api.stu", "enroll")
    assert printed(r.estimate, "0.8497087") and printed(r.se, "0.008386297")
    h = dclus1.subset(api["apiclus1"]["stype"] == "H").ratio("api.stu", "enroll")
    assert printed(h.estimate, "0.8300683") and printed(h.se, "0.01472607")
    assert h.n == 14


def test_svyby_domains(dclus1):
    # VIGNETTE: svyby(~ell+meals, ~stype, design=dclus1, svymean)
    ell = dclus1.mean("ell", by="stype")
    meals = dclus1.mean("meals", by="stype")
    want = {"E": ("29.69444", "1.411617", "53.09028", "7.070399"),
            "H": ("15.00000", "5.347065", "37.57143", "5.912262"),
            "M": ("22.68000", "2.952862", "43.08000", "6.017110")}
    assert list(ell.columns) == ["estimate", "se", "ci_low", "ci_high", "deff", "n"]
    for g, (e, es, m, ms) in want.items():
        assert printed(ell.loc[g, "estimate"], e) and printed(ell.loc[g, "se"], es), g
        assert printed(meals.loc[g, "estimate"], m) and printed(meals.loc[g, "se"], ms), g


def test_by_equals_subset(dstrat, api):
    by = dstrat.mean("api00", by="stype")
    sub = dstrat.subset(api["apistrat"]["stype"] == "M").mean("api00")
    assert by.loc["M", "estimate"] == pytest.approx(sub.estimate)
    assert by.loc["M", "se"] == pytest.approx(sub.se)


def test_by_two_columns_and_categorical(dclus1):
    t = dclus1.mean("sch.wide", by=["stype", "awards"])
    assert t.index.names == ["stype", "awards", "sch.wide"]
    shares = t["estimate"].groupby(level=["stype", "awards"]).sum()
    assert np.allclose(shares, 1.0)


def test_srs_design_equals_the_textbook_formula(api):
    # Independent route (no published dsrs output found): for dsrs <- svydesign(id=~1,
    # weights=~pw, fpc=~fpc, data=apisrs) the mean's variance is Cochran's (1977, eq. 2.12)
    # (1 - n/N) s^2 / n and the total's N^2 times that.
    df = api["apisrs"]
    d = Design(df, weights="pw", fpc="fpc")
    y = df["api00"].to_numpy()
    n, N = len(y), df["fpc"].iloc[0]
    se = np.sqrt((1 - n / N) * y.var(ddof=1) / n)
    m = d.mean("api00")
    assert m.estimate == pytest.approx(y.mean())
    assert m.se == pytest.approx(se, rel=1e-12)
    assert d.total("api00").se == pytest.approx(N * se, rel=1e-12)
    assert m.deff == pytest.approx(1.0)   # SRS without replacement: design effect 1


def test_fpc_as_population_or_fraction_and_implied_weights():
    # R survey, tests/fpc.Rout.save (example(fpc); the 8-row data(fpc) printed there):
    # without fpc 5.4481 (0.7413); with fpc=~Nh, fpc=~I(nh/Nh), or no weights: 5.4481 (0.616)
    fpc = pd.DataFrame({"stratid": [1] * 5 + [2] * 3, "psuid": [1, 2, 3, 4, 5, 1, 2, 3],
                        "weight": [3] * 5 + [4] * 3, "nh": [5] * 5 + [3] * 3, "Nh": [15] * 5 + [12] * 3,
                        "x": [2.8, 4.1, 6.8, 6.8, 9.2, 3.7, 6.6, 4.2]})
    fpc["frac"] = fpc["nh"] / fpc["Nh"]
    wo = Design(fpc, ids="psuid", strata="stratid", weights="weight").mean("x")
    assert printed(wo.estimate, "5.4481") and printed(wo.se, "0.7413")
    for kw in ({"weights": "weight", "fpc": "Nh"}, {"weights": "weight", "fpc": "frac"},
               {"fpc": "Nh"}, {"fpc": "frac"}):
        e = Design(fpc, ids="psuid", strata="stratid", **kw).mean("x")
        assert printed(e.estimate, "5.4481") and printed(e.se, "0.616"), kw


def test_subset_and_by_on_a_small_design():
    # R survey, tests/domain.Rout.save: dfpc (data(fpc), no fpc, nest=TRUE);
    # svymean(~x, subset(dfpc, x>4)) 6.195 (0.7555); svyby(~x, ~I(x>4)): FALSE 3.314286
    # (0.3117042), TRUE 6.195000 (0.7555129)
    fpc = pd.DataFrame({"stratid": [1] * 5 + [2] * 3, "psuid": [1, 2, 3, 4, 5, 1, 2, 3],
                        "weight": [3] * 5 + [4] * 3, "x": [2.8, 4.1, 6.8, 6.8, 9.2, 3.7, 6.6, 4.2]})
    fpc["big"] = fpc["x"] > 4
    d = Design(fpc, ids="psuid", strata="stratid", weights="weight")
    s = d.subset(fpc["big"]).mean("x")
    assert printed(s.estimate, "6.195") and printed(s.se, "0.7555")
    by = d.mean("x", by="big")
    assert printed(by.loc[False, "estimate"], "3.314286") and printed(by.loc[False, "se"], "0.3117042")
    assert printed(by.loc[True, "estimate"], "6.195000") and printed(by.loc[True, "se"], "0.7555129")


def test_design_effect():
    # R survey, tests/deff.Rout.save (Tsuchiya's kigyo data, printed there):
    # svymean(~uriage, des.srs, deff=TRUE) 113.700 (35.626) DEff 1.0101; svytotal 113700 (35626) 1.0101
    k = pd.DataFrame({"uriage": [15, 143, 21, 51, 337, 50, 274, 145, 15, 86], "w": 100.0})
    d = Design(k, weights="w")
    m, t = d.mean("uriage"), d.total("uriage")
    assert printed(m.estimate, "113.700") and printed(m.se, "35.626") and printed(m.deff, "1.0101")
    assert printed(t.estimate, "113700") and printed(t.se, "35626") and printed(t.deff, "1.0101")


def test_missing_values_give_nan_unless_na_rm(dclus2):
    # apiclus2 has 6 missing enroll: R's svytotal(~enroll, dclus2) is NA without na.rm
    t = dclus2.total("enroll")
    assert np.isnan(t.estimate) and np.isnan(t.se)
    t2 = dclus2.total("enroll", na_rm=True)
    assert t2.n == 120 and np.isfinite(t2.se)


def test_na_rm_equals_the_domain_of_non_missing(dclus2, api):
    ok = api["apiclus2"]["enroll"].notna()
    a = dclus2.mean("enroll", na_rm=True)
    b = dclus2.subset(ok).mean("enroll")
    assert a.estimate == pytest.approx(b.estimate) and a.se == pytest.approx(b.se)


def test_interval_is_normal_with_level(dclus1):
    e = dclus1.mean("api00", level=0.9)
    assert e.ci_high - e.estimate == pytest.approx(1.6448536269514722 * e.se)
    assert e.estimate - e.ci_low == pytest.approx(e.ci_high - e.estimate)


def test_empty_domain():
    df = pd.DataFrame({"y": [1.0, 2, 3], "w": 1.0, "g": ["a", "a", "b"]})
    d = Design(df, weights="w").subset(np.array([False, False, False]))
    m, t = d.mean("y"), d.total("y")
    assert np.isnan(m.estimate) and m.n == 0
    assert t.estimate == 0.0 and t.se == 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ids": "nope"}, "not in the data"),
        ({"fpc": "mixed"}, "all population sizes"),
        ({"fpc": "small"}, "more than 100%"),
        ({"weights": "neg"}, "non-negative"),
        ({"lonely_psu": "drop"}, "lonely_psu"),
    ],
)
def test_invalid_designs_are_refused(kwargs, message):
    df = pd.DataFrame({"psu": [1, 2, 3, 4], "y": [1.0, 2, 3, 4], "mixed": [0.5, 10, 10, 10],
                       "small": [2, 2, 2, 2], "neg": [1.0, -1, 1, 1]})
    with pytest.raises(ValueError, match=message):
        Design(df, **{"ids": "psu", **kwargs})


def test_invalid_estimates_are_refused(dclus1):
    with pytest.raises(ValueError, match="not in the data"):
        dclus1.mean("nope")
    with pytest.raises(ValueError, match="numeric"):
        dclus1.ratio("stype", "enroll")
    with pytest.raises(ValueError, match="0/1"):
        dclus1.proportion("api00")
    with pytest.raises(ValueError, match="rows"):
        dclus1.subset([True, False])


def test_two_stage_variance_equals_the_textbook_estimator():
    # Independent route: the unbiased two-stage estimator of a total's variance (Cochran
    # 1977, Sampling Techniques, eq. 11.24; Lohr, Sampling, 2nd ed., eq. 6.9):
    # N^2 (1 - n/N) s_t^2 / n + (N/n) sum_i M_i^2 (1 - m_i/M_i) s_i^2 / m_i
    rng = np.random.default_rng(7)
    N, n = 40, 5
    M = np.array([12, 8, 20, 6, 15])
    m = np.array([4, 3, 5, 2, 6])
    rows = [(i, j, M[i], rng.normal(50 + 5 * i, 8)) for i in range(n) for j in range(m[i])]
    df = pd.DataFrame(rows, columns=["psu", "ssu", "M", "y"]).assign(N=N)
    d = Design(df, ids=["psu", "ssu"], fpc=["N", "M"])
    g = df.groupby("psu")["y"]
    t_i = M * g.mean().to_numpy()                      # estimated PSU totals
    s_i2 = g.var(ddof=1).to_numpy()
    v = N**2 * (1 - n / N) * t_i.var(ddof=1) / n + (N / n) * np.sum(M**2 * (1 - m / M) * s_i2 / m)
    t = d.total("y")
    assert t.estimate == pytest.approx(N / n * t_i.sum())
    assert t.se == pytest.approx(np.sqrt(v), rel=1e-12)
    # with replacement at stage 1 (no fpc) only the first term remains, without (1 - n/N)
    wr = Design(df.assign(w=(N / n) * df["M"] / df.groupby("psu")["y"].transform("size")),
                ids=["psu", "ssu"], weights="w").total("y")
    assert wr.se == pytest.approx(np.sqrt(N**2 * t_i.var(ddof=1) / n), rel=1e-12)
