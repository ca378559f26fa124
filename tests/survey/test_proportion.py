"""Proportions with R's ``svyciprop(method="logit")`` interval.

No saved R output of ``svyciprop`` was found in the package's tests or vignettes, so
the interval is checked by an independent route: R's logit method fits
``svyglm(y ~ 1, family=quasibinomial)`` and takes a Wald interval on the log-odds
with ``df = degf(design)`` (R/svyciprop in cran/survey). For an intercept-only model
the sandwich standard error of the log-odds is exactly ``se(p) / (p (1 - p))``, so the
interval is computed here in closed form from the published-checked ``svymean``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from popqa.survey import Design


def _logit_ci(p, se, df, level=0.95):
    q = stats.t.ppf(0.5 + level / 2, df)
    eta = np.log(p / (1 - p))
    h = q * se / (p * (1 - p))
    return 1 / (1 + np.exp(-(eta - h))), 1 / (1 + np.exp(-(eta + h)))


def test_logit_interval_with_design_degrees_of_freedom(dclus1, api):
    df = api["apiclus1"].assign(ell0=(api["apiclus1"]["ell"] == 0).astype(int))
    d = Design(df, ids="dnum", weights="pw", fpc="fpc")
    p = d.proportion("ell0")
    m = d.mean("ell0")
    assert d.degf == 14                        # 15 PSUs, 1 stratum
    assert p.estimate == pytest.approx(m.estimate) and p.se == pytest.approx(m.se)
    lo, hi = _logit_ci(m.estimate, m.se, 14)
    assert (p.ci_low, p.ci_high) == pytest.approx((lo, hi), rel=1e-12)
    # the logit interval is asymmetric: the shorter tail towards 0 (cran/survey
    # tests/testthat/test-svyciprop.R)
    assert p.estimate - p.ci_low < p.ci_high - p.estimate


def test_normal_quantile_on_request_and_categorical(dclus1):
    p = dclus1.proportion("sch.wide", df=np.inf)
    yes = p.loc["Yes"]
    z = stats.norm.ppf(0.975)
    eta = np.log(yes.estimate / (1 - yes.estimate))
    assert yes.ci_high == pytest.approx(1 / (1 + np.exp(-(eta + z * yes.se / (yes.estimate * (1 - yes.estimate))))))
    assert p["estimate"].sum() == pytest.approx(1.0)


def test_domain_degrees_of_freedom_count_domain_psus(dstrat, api):
    # degf of a domain: PSUs minus strata among rows with non-zero weight (R's degf.survey.design2)
    df = api["apistrat"].assign(yes=(api["apistrat"]["sch.wide"] == "Yes").astype(int))
    d = Design(df, strata="stype", weights="pw", fpc="fpc")
    by = d.proportion("yes", by="stype")
    for g, sub in df.groupby("stype"):
        m = d.subset(df["stype"] == g).mean("yes")
        lo, hi = _logit_ci(m.estimate, m.se, len(sub) - 1)
        assert (by.loc[g, "ci_low"], by.loc[g, "ci_high"]) == pytest.approx((lo, hi), rel=1e-10)


def test_proportion_of_zero_has_no_logit_interval():
    d = Design(pd.DataFrame({"y": [0, 0, 0, 0], "w": 1.0}), weights="w")
    p = d.proportion("y")
    assert p.estimate == 0 and np.isnan(p.ci_low) and np.isnan(p.ci_high)
