"""Unit-level rules: modified z-score with MAD = 0, zero-event communes, sex ratios, heaping, balance."""

from __future__ import annotations

import numpy as np
import pandas as pd

from popqa.checks import ChecksConfig, run_checks
from popqa.checks.base import Context
from popqa.checks.rules.units import modified_zscore, population_balance
from tests.checks.frames import GEO, events, flagged, households, make, persons


def test_modified_zscore_falls_back_to_mean_absolute_deviation_when_mad_is_zero():
    x = np.array([[4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 4, 30]], dtype=float)  # MAD = 0
    z = modified_zscore(x)
    mean_ad = np.mean(np.abs(x - 4))
    assert z[0, -1] == __import__("pytest").approx(0.7979 * 26 / mean_ad)
    assert np.all(np.isfinite(z))
    assert abs(z[0, 0]) < 3.5 < z[0, -1]


def test_modified_zscore_of_a_constant_series_is_zero_not_nan():
    assert modified_zscore(np.zeros((2, 12))).tolist() == [[0.0] * 12] * 2


def test_modified_zscore_uses_mad_when_positive():
    x = np.array([[10, 12, 8, 11, 9, 10, 13, 7, 10, 11, 9, 60]], dtype=float)
    med = np.median(x)
    mad = np.median(np.abs(x - med))
    assert modified_zscore(x)[0, -1] == __import__("pytest").approx(0.6745 * (60 - med) / mad)


def _many_events(counts_per_month: list[int]) -> pd.DataFrame:
    rows = []
    months = pd.period_range("2025-11", "2026-10", freq="M")
    k = 0
    for m, n in zip(months, counts_per_month, strict=True):
        for _ in range(n):
            k += 1
            d = m.start_time + pd.Timedelta(days=k % 27)
            rows.append(dict(event_id=f"X{k}", event_type="contraception_change", person_id="P12", household_id="H1",
                             event_date=d, recorded_date=d + pd.Timedelta(days=1), collaborator_id="C1",
                             mother_id=None, other_commune_code=None, entry_channel="web", **GEO))
    return pd.DataFrame(rows)


def test_monthly_spike_is_flagged_even_when_mad_is_zero():
    ev = _many_events([4] * 11 + [40])
    f = run_checks(make(ev=ev))
    assert flagged(f, "Q003") == {"25456"}
    assert f.loc[f["rule_id"] == "Q003", "value"].str.startswith("2026-10: 40").all()
    assert not flagged(run_checks(make(ev=_many_events([4] * 12))), "Q003")


def test_commune_with_zero_events_is_a_coverage_finding_not_a_crash():
    ev = events().iloc[0:0]
    f = run_checks(make(ev=ev))
    assert flagged(f, "Q009") == {"25456"}
    assert not flagged(f, "Q003")


def _kids(n_boys: int, n_girls: int) -> pd.DataFrame:
    base = persons().iloc[[3]]
    rows = pd.concat([base] * (n_boys + n_girls), ignore_index=True)
    rows["person_id"] = [f"K{i}" for i in range(len(rows))]
    rows["sex"] = [1] * n_boys + [2] * n_girls
    rows["mother_id"] = None
    return pd.concat([persons(), rows], ignore_index=True)


def test_sex_ratio_at_birth_flagged_only_when_significantly_skewed():
    assert flagged(run_checks(make(pp=_kids(160, 40))), "Q001") == {"25456"}
    assert not flagged(run_checks(make(pp=_kids(21, 19))), "Q001")  # 110: inside the band
    assert not flagged(run_checks(make(pp=_kids(9, 3))), "Q001")  # 300 but only 12 births: noise


def test_elderly_age_heaping_counts_year_only_birth_dates():
    base = persons().iloc[[4]]
    n = 200
    old = pd.concat([base] * n, ignore_index=True)
    old["person_id"] = [f"O{i}" for i in range(n)]
    old["birth_date"] = [f"{2026 - (60 + 5 * (i % 8))}-01-01" for i in range(n)]  # all ages end in 0 or 5
    f = run_checks(make(pp=pd.concat([persons(), old], ignore_index=True)))
    assert flagged(f, "Q004") == {"25456"}
    old["birth_date"] = [f"{2026 - (60 + i % 40)}-01-01" for i in range(n)]
    assert not flagged(run_checks(make(pp=pd.concat([persons(), old], ignore_index=True))), "Q004")


def test_population_balance_holds_on_the_clean_register_and_moves_with_a_dead_but_present_person(clean):
    b = population_balance(Context(clean, ChecksConfig()))
    assert b.loc["25456", "residual"] == 0
    pp = persons()
    pp.loc[pp["person_id"] == "P22", "status"] = 1
    b = population_balance(Context(make(pp=pp), ChecksConfig()))
    assert b.loc["25456", "residual"] == 1
    f = run_checks(make(pp=pp), ChecksConfig(balance_min=0, balance_tolerance=0))
    assert flagged(f, "Q006") == {"25456"}
    assert (f.loc[f["rule_id"] == "Q006", "table"] == "units").all()


def test_unit_findings_carry_district_and_province():
    f = run_checks(make(pp=_kids(160, 40)))
    row = f[f["rule_id"] == "Q001"].iloc[0]
    assert (row["province_code"], row["district_code"], row["commune_code"]) == ("72", "703", "25456")
    _ = households()
