"""Demography indicators: declared once in the registry, and turned into validated indicator rows.

:func:`table_rows` turns a tidy table of :func:`popqa.demography.rates.rates_table`
(or any frame with its columns) into rows of the contract's indicator shape;
:func:`pooled_rows` adds, for each commune whose own estimate is
``insufficient``, its district's estimate as a row with ``pooled=district``
in the group. Every value keeps the registry's unit (rates per 1,000,
ratios per 100, years, children per woman).

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"indicator_id": ["crude_birth_rate"], "unit_code": ["710"], "group": [""],
...                   "value": [14.6], "se": [0.5], "ci_low": [13.7], "ci_high": [15.6],
...                   "numerator": [885.0], "denominator": [60541.7], "status": ["ok"]})
>>> table_rows(t, level="district", period="2026-10")[["indicator_id", "value", "status"]].values.tolist()
[['crude_birth_rate', 14.6, 'ok']]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from popqa.contract import INDICATOR_COLUMNS
from popqa.indicators import concat_indicators, empty_indicators, get, register

__all__ = ["DEMOGRAPHY_INDICATORS", "TABLE_COLUMNS", "table_rows", "pooled_rows"]

_STAGE = "demography"

#: Columns of the tidy tables the demography functions return.
TABLE_COLUMNS = ("indicator_id", "unit_code", "group", "value", "se", "ci_low", "ci_high", "numerator",
                 "denominator", "status")

_DECL = (
    ("crude_birth_rate", "Tỷ suất sinh thô", "Crude birth rate", "per_1000", None,
     "Live births in the window per 1,000 person-years lived in the unit; exact Poisson interval."),
    ("crude_death_rate", "Tỷ suất chết thô", "Crude death rate", "per_1000", None,
     "Deaths in the window per 1,000 person-years; exact Poisson interval."),
    ("general_fertility_rate", "Tỷ suất sinh chung", "General fertility rate", "per_1000", None,
     "Live births per 1,000 person-years of women aged 15-49; exact Poisson interval."),
    ("age_specific_fertility_rate", "Tỷ suất sinh đặc trưng theo tuổi", "Age-specific fertility rate",
     "per_1000", None,
     "Births to mothers of the age group (group age=15-19 ..) per 1,000 person-years of its women; births of "
     "unknown mother age spread like the known; exact Poisson interval."),
    ("total_fertility_rate", "Tổng tỷ suất sinh (TFR)", "Total fertility rate", "children_per_woman", None,
     "Five times the sum of the age-specific rates 15-49 per woman; Fay-Feuer gamma interval."),
    ("mean_age_childbearing", "Tuổi trung bình của mẹ khi sinh", "Mean age at childbearing", "years", None,
     "Mean of the group mid-points weighted by the age-specific rates; delta-method interval."),
    ("sex_ratio_at_birth", "Tỷ số giới tính khi sinh", "Sex ratio at birth", "per_100", None,
     "Boys born per 100 girls born; Clopper-Pearson interval of the share of boys."),
    ("infant_mortality_rate", "Tỷ suất chết trẻ em dưới 1 tuổi", "Infant mortality rate", "per_1000", False,
     "Deaths under age 1 in the window per 1,000 live births in the window (period ratio); exact Poisson interval."),
    ("under5_mortality_rate", "Tỷ suất chết trẻ em dưới 5 tuổi", "Under-five mortality rate", "per_1000", False,
     "Deaths under age 5 in the window per 1,000 live births in the window (period ratio); exact Poisson interval."),
    ("median_age", "Tuổi trung vị", "Median age", "years", None,
     "Median age of the persons present at the period end (interpolated in the year of age); order-statistic interval."),
    ("dependency_ratio_total", "Tỷ số phụ thuộc chung", "Total dependency ratio", "per_100", None,
     "Persons aged 0-14 and 65+ per 100 aged 15-64, present at the period end; Clopper-Pearson interval."),
    ("dependency_ratio_young", "Tỷ số phụ thuộc trẻ em", "Young-age dependency ratio", "per_100", None,
     "Persons aged 0-14 per 100 aged 15-64; Clopper-Pearson interval."),
    ("dependency_ratio_old", "Tỷ số phụ thuộc người già", "Old-age dependency ratio", "per_100", None,
     "Persons aged 65+ per 100 aged 15-64; Clopper-Pearson interval."),
    ("population_share", "Tháp dân số (tỷ trọng theo giới và nhóm tuổi)", "Age-sex pyramid (share)", "share", None,
     "Share of the unit's persons of known sex and age in the group sex=..;age=.. (five-year groups, 80+ open)."),
    ("life_expectancy", "Tuổi thọ trung bình khi sinh", "Life expectancy at birth", "years", True,
     "e0 of the abridged period life table (group sex=1/2, or both); Chiang's variance."),
    ("projected_population", "Dân số dự báo", "Projected population", "persons", None,
     "Cohort-component projection of the register population (group scenario=..;sex=..;year=..)."),
)

#: The specs, by id.
DEMOGRAPHY_INDICATORS = {
    iid: register(iid, name_vi=vi, name_en=en, unit=unit, stage=_STAGE, higher_is_better=hib, description_en=desc)
    for iid, vi, en, unit, hib, desc in _DECL
}


def table_rows(table: pd.DataFrame, *, period: str, level: str | None = None, source: str = "register") -> pd.DataFrame:
    """Indicator rows of a tidy demography table, validated once as a whole.

    ``table`` has :data:`TABLE_COLUMNS`, optionally ``target_year`` and, when
    ``level`` is None, a ``level`` column. As :func:`popqa.indicators.indicator_rows`
    does, a row whose status is not ``ok`` keeps its counts but no value
    or interval; an unbounded upper limit is stored as missing. (One frame
    for the whole stage: building rows indicator by indicator took most of the
    stage's time.)
    """
    if table is None or not len(table):
        return empty_indicators()
    missing = [c for c in TABLE_COLUMNS if c not in table]
    if missing:
        raise ValueError(f"demography table lacks columns {missing}")
    if level is None and "level" not in table:
        raise ValueError("give level= or a level column")
    for iid in table["indicator_id"].unique():
        get(str(iid))
    n = len(table)
    df = pd.DataFrame({
        "indicator_id": table["indicator_id"].astype(str).to_numpy(),
        "level": np.full(n, level, dtype=object) if level is not None else table["level"].to_numpy(object),
        "unit_code": table["unit_code"].astype(str).to_numpy(),
        "period": str(period),
        "group": table["group"].astype(str).to_numpy(),
        **{c: pd.to_numeric(table[c], errors="raise").to_numpy(float)
           for c in ("value", "se", "ci_low", "ci_high", "numerator", "denominator")},
        "target_year": (pd.array(table["target_year"], dtype="Int64") if "target_year" in table
                        else pd.array([pd.NA] * n, dtype="Int64")),
        "target": np.nan,
        "met": pd.array([pd.NA] * n, dtype="boolean"),
        "status": table["status"].astype(str).to_numpy(),
        "source": source,
    })
    df.loc[~np.isfinite(df["ci_high"]), "ci_high"] = np.nan
    not_ok = df["status"] != "ok"
    df.loc[not_ok, ["value", "se", "ci_low", "ci_high"]] = np.nan
    return concat_indicators([df[list(INDICATOR_COLUMNS)]])


def pooled_rows(commune_table: pd.DataFrame, district_table: pd.DataFrame, commune_district: pd.Series, *,
                to: str = "district") -> pd.DataFrame:
    """District estimates for the communes whose own estimate is insufficient (a tidy table).

    Each row is the district's row of the same indicator and group, under the
    commune's code, with ``pooled=<to>`` appended to the group (``to`` names
    the level pooled to: ``district`` for legacy communes, ``province`` for
    2025 communes, which have no district above them).
    """
    low = commune_table[commune_table["status"] == "insufficient"]
    if not len(low):
        return commune_table.iloc[:0]
    key = low[["indicator_id", "group", "unit_code"]].copy()
    key["district"] = key["unit_code"].map(commune_district)
    d = district_table.rename(columns={"unit_code": "district"})
    out = key.merge(d, on=["indicator_id", "group", "district"], how="inner").drop(columns="district")
    out["group"] = np.where(out["group"] == "", f"pooled={to}", out["group"] + f";pooled={to}")
    return out[list(TABLE_COLUMNS)]
