"""Dual-system estimators against published capture-recapture examples.

Sources of the expected values (each test names its own):

* R package FSA (fishR-Core-Team/FSA, ``tests/testthat/testthat_mrClosed.R``,
  section "Validate Results"), which asserts the printed values of Krebs (1989)
  Box 2.1, Ricker (1975), Pine et al. (2013) Box 11.2 and Seber (2002) Tables
  3.7-3.8. FSA's Chapman SE is ``M1 n1 (M1-m1)(n1-m1) / (m1^2 (m1+1))`` with
  ``M1 = M+1`` etc. (``R/mrClosed.R``, ``summary.mrClosed``), the Seber-Wittes
  variance used here.
* R package recapr 0.4 (cran/recapr, ``tests/testthat/test_recapr.R``, test
  "funcs"): n1 = n2 = 100, m2 = 20.
* Chao's (1987) log-transformed interval: no printed example was found; its
  definition is taken from R package CARE1 1.1 (``R/estN.pair3.R``,
  ``R/Sub.pair.R``: ``C = exp(1.96 sqrt(log(1 + se^2/(N - M)^2)))``,
  ``[M + (N-M)/C, M + (N-M) C]``) and checked here digit by digit on the
  Krebs data, plus its defining properties.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from popqa.reconcile import DSEResult, bailey, chapman, dse_table, petersen
from popqa.reconcile.dse import NO_OVERLAP


def test_krebs_box_2_1_petersen_and_chapman():
    # FSA testthat_mrClosed.R: "mrClosed match the Petersen results from Box 2.1 in Krebs (1989)" -> N 2390;
    # "... the Chapman results from Box 2.1 Krebs (1989)" -> N 2383
    assert round(petersen(948, 421, 167).estimate) == 2390
    assert round(chapman(948, 421, 167).estimate) == 2383


def test_ricker_1975_chapman():
    # FSA testthat_mrClosed.R: "mrClosed match the Chapman results from Ricker (1975)" -> 337
    assert round(chapman(109, 177, 57).estimate) == 337


def test_pine_2013_box_11_2_chapman_normal_interval():
    # FSA testthat_mrClosed.R: "... Chapman results from Box 11.2 in Pine et al. (2013)": N 1578, CI 1330-1826
    r = chapman(421, 332, 88, ci="normal")
    assert (round(r.estimate), round(r.ci_low), round(r.ci_high)) == (1578, 1330, 1826)


def test_seber_2002_tables_3_7_3_8_chapman():
    # FSA testthat_mrClosed.R: "... Chapman results from Table 3.7 and 3.8 in Seber (2002)":
    # M=500 n=149 m=7 -> N 9393, SE 3022, UCI 15316; M=1000 n=243 m=21 -> N 11101, SE 2184
    r = chapman(500, 149, 7, ci="normal")
    assert (round(r.estimate), round(r.se), round(r.ci_high)) == (9393, 3022, 15316)
    r = chapman(1000, 243, 21, ci="normal")
    assert (round(r.estimate), round(r.se)) == (11101, 2184)


def test_recapr_funcs():
    # recapr tests/testthat/test_recapr.R, test "funcs" (n1 = n2 = 100, m2 = 20)
    c, p, b = chapman(100, 100, 20), petersen(100, 100, 20, variance="ricker"), bailey(100, 100, 20)
    assert c.estimate == pytest.approx(484.7619, abs=1e-4)
    assert c.se**2 == pytest.approx(6729.169, abs=1e-3)
    assert c.se == pytest.approx(82.03151, abs=1e-5)
    assert p.estimate == pytest.approx(500, abs=1e-9)
    assert p.se**2 == pytest.approx(10000, abs=1e-6)
    assert b.estimate == pytest.approx(480.9524, abs=1e-4)
    assert b.se**2 == pytest.approx(8328.18, abs=1e-2)
    assert b.se == pytest.approx(91.25886, abs=1e-5)
    # recapr test "ci": sum(ciChapman(...)$ciNorm) = 969.5238 (a symmetric normal interval sums to 2 N)
    cn = chapman(100, 100, 20, ci="normal")
    assert cn.ci_low + cn.ci_high == pytest.approx(969.5238, abs=1e-3)


def test_petersen_seber_variance():
    # Seber (1982) p. 60: v(N) = n1 n2 (n1 - m)(n2 - m) / m^3; 100*100*80*80/20^3 = 8000
    r = petersen(100, 100, 20)
    assert r.se**2 == pytest.approx(8000.0)
    assert r.ci_high - r.estimate == pytest.approx(1.959964 * math.sqrt(8000), rel=1e-6)


def test_chao_log_interval_krebs_data():
    # CARE1 R/Sub.pair.R formula written out on Krebs' counts (948, 421, 167)
    n1, n2, m = 948, 421, 167
    N = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    var = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    M = n1 + n2 - m
    C = math.exp(1.959964 * math.sqrt(math.log(1 + var / (N - M) ** 2)))
    r = chapman(n1, n2, m)
    assert r.ci_low == pytest.approx(M + (N - M) / C, rel=1e-6)
    assert r.ci_high == pytest.approx(M + (N - M) * C, rel=1e-6)
    # its defining properties: lower limit above the events seen, multiplicative symmetry of f0
    assert r.ci_low > r.observed
    assert (r.estimate - M) / (r.ci_low - M) == pytest.approx((r.ci_high - M) / (r.estimate - M))
    # and it is wider above than below (a skewed total)
    assert r.ci_high - r.estimate > r.estimate - r.ci_low


def test_completeness_definitions():
    r = chapman(80, 50, 40)
    assert r.completeness_1 == 40 / 50 and r.completeness_2 == 40 / 80
    assert r.observed == 90
    assert r.missed_both == pytest.approx(r.estimate - 90)
    # Chapman's missed-both is (n1 - m)(n2 - m) / (m + 1)
    assert r.missed_both == pytest.approx(40 * 10 / 41)


def test_m_zero_gives_no_estimate_and_says_why():
    for fn in (petersen, chapman, bailey):
        r = fn(12, 9, 0)
        assert isinstance(r, DSEResult)
        assert math.isnan(r.estimate) and math.isnan(r.se) and math.isnan(r.ci_low)
        assert r.reason == NO_OVERLAP
        assert r.completeness_1 == 0.0 and r.completeness_2 == 0.0


def test_m_equals_n1_and_n2():
    # every record of source 1 is in source 2: nothing is estimated to be missed by both
    r = chapman(30, 45, 30)
    assert r.estimate == 45 and r.se == 0 and r.ci_low == r.ci_high == 45 and r.missed_both == 0
    assert r.completeness_2 == 1.0 and r.completeness_1 == pytest.approx(30 / 45)
    r = chapman(7, 7, 7)
    assert (r.estimate, r.ci_low, r.ci_high, r.reason) == (7, 7, 7, None)
    assert petersen(7, 7, 7).se == 0


def test_tiny_counts():
    r = chapman(1, 1, 1)
    assert r.estimate == 1 and r.reason is None
    r = chapman(2, 1, 1)
    assert r.estimate == 2 and r.ci_low == 2
    r = chapman(3, 2, 1)  # (4*3)/2 - 1 = 5; var = 4*3*2*1/(4*3) = 2
    assert r.estimate == 5 and r.se == pytest.approx(math.sqrt(2))
    assert r.ci_low > r.observed == 4
    r = chapman(0, 3, 0)
    assert r.reason == NO_OVERLAP and r.completeness_1 == 0 and math.isnan(r.completeness_2)
    r = chapman(0, 0, 0)
    assert r.reason.startswith("both sources are empty")


@pytest.mark.parametrize("args, msg", [
    ((5, 3, 6), "cannot exceed n1"),
    ((3, 5, 4), "cannot exceed n1"),
    ((5, 3, 4), "cannot exceed n2"),
    ((-1, 3, 0), "must not be negative"),
    ((4, 3, 1.5), "whole number"),
    ((4, float("nan"), 1), "missing value"),
])
def test_invalid_counts(args, msg):
    with pytest.raises(ValueError, match=msg):
        chapman(*args)


def test_invalid_options():
    with pytest.raises(ValueError, match="ci must be"):
        chapman(5, 5, 2, ci="wald")
    with pytest.raises(ValueError, match="level"):
        chapman(5, 5, 2, level=1.0)
    with pytest.raises(ValueError, match="Chapman estimate only"):
        dse_table(5, 5, 2, method="petersen", ci="log")
    with pytest.raises(ValueError, match="variance"):
        petersen(5, 5, 2, variance="other")
    with pytest.raises(ValueError, match="single count"):
        chapman([5, 6], [5, 6], [2, 3])


def test_table_matches_scalars_and_is_vectorised():
    n1, n2, m = np.array([948, 100, 12, 7]), np.array([421, 100, 9, 7]), np.array([167, 20, 0, 7])
    t = dse_table(n1, n2, m)
    assert len(t) == 4
    for i in range(4):
        r = chapman(int(n1[i]), int(n2[i]), int(m[i]))
        np.testing.assert_allclose(t.loc[i, ["estimate", "se", "ci_low", "ci_high"]].to_numpy(float),
                                   [r.estimate, r.se, r.ci_low, r.ci_high], rtol=1e-12)
        assert t.loc[i, "reason"] == r.reason
    assert t.loc[0, "cv"] == pytest.approx(t.loc[0, "se"] / t.loc[0, "estimate"])


def test_normal_interval_truncated_at_events_seen():
    # 3 + 2 - 1 = 4 events seen; 5 - 1.96 sqrt(2) = 2.23 would be below them
    r = chapman(3, 2, 1, ci="normal")
    assert r.ci_low == 4 and r.ci_high == pytest.approx(5 + 1.959964 * math.sqrt(2), rel=1e-6)


def test_interval_level():
    r90, r95 = chapman(100, 100, 20, level=0.90), chapman(100, 100, 20)
    assert r90.ci_low > r95.ci_low and r90.ci_high < r95.ci_high
