"""Rates from the register: exact intervals, exposure, events, per-unit tables, pooling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from popqa.contract import TABLES
from popqa.demography import (
    DemographyConfig,
    binomial_ci,
    exposure,
    poisson_ci,
    vital_events,
    weighted_poisson_ci,
)
from popqa.demography.indicators import pooled_rows
from popqa.demography.rates import rates_table
from popqa.io import Register


# Reference values of R's exact tests. R's documentation (stats::poisson.test, "Exact Poisson tests":
# "Confidence intervals are computed similarly to those of binom.test"; stats::binom.test, "Exact Binomial
# Test": "Confidence intervals are obtained by a procedure first given in Clopper and Pearson (1934)";
# https://search.r-project.org/R/refmans/stats/html/poisson.test.html and .../binom.test.html) names the
# intervals; the printed digits are those R prints for the help pages' own examples:
#   poisson.test(137, 24.19893)          (the SMR example)    -> 95 percent CI 4.753125 6.692709
#   binom.test(c(682, 243), p = 3/4)     (Conover 1971, p. 97) -> 95 percent CI 0.7076683 0.7654066
# The other values (poisson.test(10), poisson.test(0), binom.test(5, 10), binom.test(0, 20),
# binom.test(20, 20)) were first typed from memory; each is checked below against an independent
# computation (root-finding on the Poisson/binomial tail, and the closed forms -log(0.025) and
# 1 - 0.025^(1/n) at zero), so none rests on memory.
def _garwood_by_root(k: int, level: float = 0.95) -> tuple[float, float]:
    """Garwood's interval from its definition: P(X >= k | lo) = P(X <= k | hi) = (1 - level) / 2."""
    from scipy.optimize import brentq

    a = (1 - level) / 2
    lo = 0.0 if k == 0 else brentq(lambda m: stats.poisson.sf(k - 1, m) - a, 1e-12, 10 * k + 10, xtol=1e-14)
    hi = brentq(lambda m: stats.poisson.cdf(k, m) - a, 1e-12, 10 * k + 50, xtol=1e-14)
    return lo, hi


def _clopper_pearson_by_root(x: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Clopper-Pearson from its definition: P(X >= x | lo) = P(X <= x | hi) = (1 - level) / 2."""
    from scipy.optimize import brentq

    a = (1 - level) / 2
    lo = 0.0 if x == 0 else brentq(lambda p: stats.binom.sf(x - 1, n, p) - a, 1e-15, 1 - 1e-15, xtol=1e-15)
    hi = 1.0 if x == n else brentq(lambda p: stats.binom.cdf(x, n, p) - a, 1e-15, 1 - 1e-15, xtol=1e-15)
    return lo, hi


def test_poisson_ci_matches_r_poisson_test_documented_example():
    # poisson.test(137, 24.19893): the interval of the rate is the count's interval over T
    lo, hi = poisson_ci(137)
    assert float(lo) / 24.19893 == pytest.approx(4.753125, abs=5e-7)
    assert float(hi) / 24.19893 == pytest.approx(6.692709, abs=5e-7)


def test_poisson_ci_matches_r_poisson_test():
    # poisson.test(10)$conf.int = 4.795389 18.390356; poisson.test(0)$conf.int = 0 3.688879
    lo, hi = poisson_ci([10, 0])
    np.testing.assert_allclose(lo, [4.795389, 0.0], atol=1e-6)
    np.testing.assert_allclose(hi, [18.390356, 3.688879], atol=1e-6)
    # the same digits, computed independently of popqa's chi-square quantiles
    assert _garwood_by_root(10) == pytest.approx((4.795389, 18.390356), abs=1e-6)
    assert -np.log(0.025) == pytest.approx(3.688879, abs=1e-6)  # zero events: P(X = 0 | hi) = 0.025
    assert _garwood_by_root(0) == pytest.approx((0.0, 3.688879), abs=1e-6)
    assert [v / 24.19893 for v in _garwood_by_root(137)] == pytest.approx([4.753125, 6.692709], abs=5e-7)


@pytest.mark.parametrize("k", [1, 4, 25, 300])
def test_poisson_ci_is_exact(k):
    lo, hi = poisson_ci(k)
    assert stats.poisson.sf(k - 1, lo) == pytest.approx(0.025, abs=1e-9)  # P(X >= k | lo)
    assert stats.poisson.cdf(k, hi) == pytest.approx(0.025, abs=1e-9)  # P(X <= k | hi)


def test_clopper_pearson_matches_r_binom_test_documented_example():
    # binom.test(c(682, 243), p = 3/4): 682 successes in 925 trials
    lo, hi = binomial_ci(682, 925)
    assert float(lo) == pytest.approx(0.7076683, abs=5e-8)
    assert float(hi) == pytest.approx(0.7654066, abs=5e-8)
    assert _clopper_pearson_by_root(682, 925) == pytest.approx((0.7076683, 0.7654066), abs=5e-8)


def test_clopper_pearson_matches_r_binom_test():
    # binom.test(5, 10)$conf.int = 0.1870860 0.8129140; binom.test(0, 20) -> 0 0.1684335;
    # binom.test(20, 20) -> 0.8315665 1
    lo, hi = binomial_ci([5, 0, 20], [10, 20, 20])
    np.testing.assert_allclose(lo, [0.1870860, 0.0, 0.8315665], atol=1e-6)
    np.testing.assert_allclose(hi, [0.8129140, 0.1684335, 1.0], atol=1e-6)
    # independently: the tail definition, and the closed forms at 0 and n (1 - 0.025^(1/20))
    assert _clopper_pearson_by_root(5, 10) == pytest.approx((0.1870860, 0.8129140), abs=1e-7)
    assert 1 - 0.025 ** (1 / 20) == pytest.approx(0.1684335, abs=1e-7)
    assert 0.025 ** (1 / 20) == pytest.approx(0.8315665, abs=1e-7)
    lo, hi = binomial_ci(0, 0)
    assert np.isnan(lo) and np.isnan(hi)


def test_fay_feuer_with_one_component_is_garwood():
    est, lo, hi = weighted_poisson_ci([[7]], [[0.5]])
    glo, ghi = poisson_ci(7)
    assert est[0] == 3.5 and lo[0] == pytest.approx(0.5 * glo) and hi[0] == pytest.approx(0.5 * ghi)


def test_fay_feuer_covers_at_least_nominally_for_a_tfr_of_small_counts():
    rng = np.random.default_rng(7)
    women = np.array([300.0, 280, 260, 250, 240, 230, 220])
    asfr = np.array([0.02, 0.10, 0.11, 0.07, 0.04, 0.01, 0.002])
    w = 5 / women
    true = 5 * asfr.sum()
    d = rng.poisson(asfr * women, size=(4000, 7))
    _, lo, hi = weighted_poisson_ci(d, np.broadcast_to(w, d.shape))
    cover = np.mean((lo <= true) & (true <= hi))
    assert cover >= 0.95


# --------------------------------------------------------------------------- a small register by hand
def _register(persons: list[dict], events: list[dict]) -> Register:
    def frame(rows, table):
        cols = TABLES[table].names
        df = pd.DataFrame(rows).reindex(columns=cols)
        for c in TABLES[table].columns:
            if c.kind in ("id", "code", "str"):
                df[c.name] = df[c.name].astype("string")
            elif c.kind == "int":
                df[c.name] = pd.array(df[c.name], dtype="Int64")
            elif c.kind in ("date", "datetime"):
                df[c.name] = pd.to_datetime(df[c.name])
        return df
    hh = pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES["households"].names})
    return Register.from_frames({"households": hh, "persons": frame(persons, "persons"),
                                 "events": frame(events, "events")})


GEO = {"province_code": "72", "district_code": "710", "commune_code": "25654"}


def _person(pid, sex, birth, status=1, **kw):
    return {"person_id": pid, "sex": sex, "birth_date": birth, "status": status, **GEO, **kw}


def _event(eid, kind, pid, date, **kw):
    return {"event_id": eid, "event_type": kind, "person_id": pid, "event_date": date, **GEO, **kw}


@pytest.fixture()
def tiny() -> Register:
    persons = [
        _person("A", 2, "1996-05-01"),                 # woman, turns 30 on 2026-05-01
        _person("B", 1, "1990-01-01", status=2),       # died 2026-05-01 (mid-window)
        _person("C", 1, "2026-05-01", mother_id="A"),  # born 2026-05-01
        _person("D", 2, "1960-01-01", status=3),       # moved out before the window: no exposure
        _person("E", 1, "1980-01-01"),                 # moved in 2026-05-01
    ]
    events = [
        _event("e1", "death", "B", "2026-05-01"),
        _event("e2", "birth", "C", "2026-05-01", mother_id="A"),
        _event("e3", "move_in", "E", "2026-05-01"),
        _event("e4", "move_out", "D", "2024-01-01"),
    ]
    return _register(persons, events)


def test_exposure_counts_each_person_in_the_window_and_splits_at_birthdays(tiny):
    py = exposure(tiny, period="2026-10")  # window 2025-11-01 .. 2026-10-31 (365 days)
    by = py.groupby(["sex", "age"])["years"].sum()
    first, second = (pd.Timestamp("2026-05-01") - pd.Timestamp("2025-11-01")).days, (
        pd.Timestamp("2026-11-01") - pd.Timestamp("2026-05-01")).days
    assert by[(2, 29)] == pytest.approx(first / 365.25)   # A before her birthday
    assert by[(2, 30)] == pytest.approx(second / 365.25)  # and after
    assert by[(1, 35)] + by[(1, 36)] == pytest.approx(first / 365.25)  # B until the death,
    assert by[(1, 36)] == pytest.approx(120 / 365.25)                  # 36 from 1 January
    assert by[(1, 0)] == pytest.approx(second / 365.25)   # C from the birth
    assert by[(1, 46)] == pytest.approx(second / 365.25)  # E from the move in
    assert (2, 66) not in by.index                        # D left before the window
    assert py["years"].sum() == pytest.approx((365 + first + 2 * second) / 365.25)


def test_vital_events_carry_the_ages_rates_need(tiny):
    ev = vital_events(tiny, period="2026-10").set_index("event_type")
    assert ev.loc["birth", "mother_age"] == 30 and ev.loc["birth", "sex"] == 1
    assert ev.loc["death", "age"] == 36
    assert "move_out" not in ev.index  # before the window


def test_events_find_their_persons_first_row_and_mothers_by_id():
    """Each event takes its person's first row when an id repeats (as the rules' look-ups do), an event of
    an unknown person has no sex or age, and a birth without a mother on the event takes the child's."""
    persons = [
        _person("A", 2, "1996-05-01"),
        _person("A", 1, "1950-01-01"),                 # a second row of A: not the one looked up
        _person("C", 1, "2026-05-01", mother_id="A"),  # born 2026-05-01, the mother on the child only
        _person("F", 2, "2026-06-01", mother_id="Z"),  # a mother the register does not hold
        _person("B", 1, "1990-01-01", status=2),
    ]
    events = [
        _event("e1", "birth", "C", "2026-05-01"),
        _event("e2", "birth", "F", "2026-06-01"),
        _event("e3", "death", "B", "2026-05-01"),
        _event("e4", "death", "B", "2026-07-01"),      # a later death of B: the first one ends the stay
        _event("e5", "move_in", "nobody", "2026-03-01"),
        _event("e6", "move_in", "A", "2026-02-01"),
    ]
    reg = _register(persons, events)
    ev = vital_events(reg, period="2026-10").set_index(["event_type", "age", "sex"]).sort_index()
    births = ev.loc["birth"]
    assert sorted(births["mother_age"].tolist()) == [-1, 30]  # A's first row; Z unknown
    assert sorted(births.index.get_level_values("sex").tolist()) == [1, 2]
    assert ev.loc[("move_in", -1, 0)].shape[0] == 1  # the unknown person: no age, no sex
    assert ev.loc[("move_in", 29, 2)].shape[0] == 1  # A's first row: a woman of 29
    py = exposure(reg, period="2026-10").groupby("sex")["years"].sum()
    b_years = (pd.Timestamp("2026-05-01") - pd.Timestamp("2025-11-01")).days / 365.25
    a_years = (pd.Timestamp("2026-11-01") - pd.Timestamp("2026-02-01")).days / 365.25  # from her move in
    c_years = (pd.Timestamp("2026-11-01") - pd.Timestamp("2026-05-01")).days / 365.25
    assert py[1] == pytest.approx(b_years + c_years + a_years)  # A's second row (a man) has his own stay
    assert py[2] == pytest.approx(a_years + (pd.Timestamp("2026-11-01") - pd.Timestamp("2026-06-01")).days / 365.25)


def _ages(reg: Register, period: str = "2026-10") -> pd.DataFrame:
    from popqa.demography.stage import demography_inputs
    return demography_inputs(reg, period=period).persons


def test_rates_table_crude_rates_and_small_unit_status(tiny):
    py = exposure(tiny, period="2026-10")
    ev = vital_events(tiny, period="2026-10")
    t = rates_table(_ages(tiny), py, ev, level="commune", config=DemographyConfig()).set_index("indicator_id")
    P = py["years"].sum()
    cbr = t.loc["crude_birth_rate"]
    assert cbr["numerator"] == 1 and cbr["denominator"] == pytest.approx(P)
    assert cbr["value"] == pytest.approx(1000 / P)
    assert cbr["status"] == "insufficient"  # 1 birth < min_events
    lo, hi = poisson_ci(1)
    assert cbr["ci_low"] == pytest.approx(1000 * lo / P) and cbr["ci_high"] == pytest.approx(1000 * hi / P)
    ok = rates_table(_ages(tiny), py, ev, level="commune", config=DemographyConfig(min_events=1))
    ok = ok.set_index("indicator_id")
    assert ok.loc["crude_birth_rate", "status"] == "ok"
    # one birth to a woman of 30: ASFR 30-34 = 1 / her person-years at 30-34; TFR = 5 * that
    a = ok[ok["group"] == "age=30-34"].loc["age_specific_fertility_rate"]
    assert a["value"] == pytest.approx(1000 / a["denominator"])
    assert ok.loc["total_fertility_rate", "value"] == pytest.approx(5 * a["value"] / 1000)
    assert ok.loc["mean_age_childbearing", "value"] == pytest.approx(32.5)


def test_structure_median_and_dependency():
    # 100 persons aged 0..99, one each: median 50 (interpolated), 15 young, 35 old, 50 working
    persons = pd.DataFrame({**{k: [v] * 100 for k, v in GEO.items()}, "sex": [1, 2] * 50, "age": np.arange(100)})
    py = pd.DataFrame({**{k: [v] for k, v in GEO.items()}, "sex": [1], "age": [30], "years": [100.0]})
    ev = vital_events(_register([], []), period="2026-10")
    t = rates_table(persons, py, ev, level="province", config=DemographyConfig()).set_index("indicator_id")
    assert t.loc["median_age", "value"] == pytest.approx(50.0)
    assert t.loc["median_age", "ci_low"] < 50 < t.loc["median_age", "ci_high"]
    assert t.loc["dependency_ratio_total", "value"] == pytest.approx(100.0)
    assert t.loc["dependency_ratio_young", "value"] == pytest.approx(30.0)
    assert t.loc["dependency_ratio_old", "value"] == pytest.approx(70.0)
    share = t.loc["population_share"]
    assert share["value"].sum() == pytest.approx(1.0) and len(share) == 34


def test_pooled_rows_give_small_communes_their_districts_estimate():
    cols = dict(se=np.nan, ci_low=1.0, ci_high=3.0, numerator=5.0, denominator=100.0)
    com = pd.DataFrame([{"indicator_id": "crude_birth_rate", "unit_code": "c1", "group": "", "value": np.nan,
                         "status": "insufficient", **cols},
                        {"indicator_id": "crude_birth_rate", "unit_code": "c2", "group": "", "value": 2.0,
                         "status": "ok", **cols}])
    dis = pd.DataFrame([{"indicator_id": "crude_birth_rate", "unit_code": "d1", "group": "", "value": 2.5,
                         "status": "ok", **cols}])
    out = pooled_rows(com, dis, pd.Series({"c1": "d1", "c2": "d1"}))
    assert out[["unit_code", "group", "value"]].values.tolist() == [["c1", "pooled=district", 2.5]]


def test_unknown_level_is_an_error(tiny):
    with pytest.raises(ValueError, match="level"):
        rates_table(_ages(tiny), exposure(tiny, period="2026-10"), vital_events(tiny, period="2026-10"),
                    level="village", config=DemographyConfig())


def _exposure_by_segment_rows(register, *, period, window_months=12):
    """The exposure as it was summed before issue 16's last pass: the same stays and segments, one row per
    segment with its three unit codes, every segment concatenated, then summed by unit, sex and age (the
    reference the compact sum must equal to the bit)."""
    from popqa.demography.rates import _GEO, _segments, _stays

    st = _stays(register, period, window_months)
    geo = {c: register.persons[c].to_numpy(dtype=object)[st.keep] for c in _GEO}
    parts = [pd.DataFrame({**{c: geo[c][m] for c in _GEO}, "sex": st.sex[m], "age": age, "years": yrs})
             for m, age, yrs in _segments(st, window_months)]
    seg = pd.concat(parts, ignore_index=True)
    return seg.groupby([*_GEO, "sex", "age"], dropna=False, sort=True, observed=True)["years"].sum().reset_index()


@pytest.mark.parametrize("window", [12, 24])
def test_exposure_is_the_sum_of_its_segments_to_the_bit(window):
    """The compact computation (a unit key per segment) gives the table the segment rows gave: the same rows,
    order, dtypes and sums, with persons whose codes, sex or birth date are missing (a synthetic province
    with its injected faults, and codes blanked here)."""
    from popqa.synth import generate_province

    reg = generate_province(scale=0.01, seed=5).register
    pp = reg.persons.copy()
    rng = np.random.default_rng(1)
    for col in ("province_code", "district_code", "commune_code", "sex"):
        pp.loc[rng.random(len(pp)) < 0.01, col] = pd.NA
    reg = Register.from_frames({**reg.tables, "persons": pp})
    got = exposure(reg, period="2026-10", window_months=window)
    want = _exposure_by_segment_rows(reg, period="2026-10", window_months=window)
    assert got[list(want.columns)].isna().any().any()  # missing codes are groups of their own
    pd.testing.assert_frame_equal(got, want, check_exact=True)
