"""Age-quality indicator rows: the same values as the DemoTools ports, per unit, with honest statuses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.demography import whipple
from popqa.demography.quality import age_quality_rows, band
from popqa.io import Register


def _register(n: int, heaped: bool, seed: int = 3) -> Register:
    rng = np.random.default_rng(seed)
    ages = rng.integers(0, 90, n)
    if heaped:  # a third of adults rounded to the nearest multiple of 5
        adult = (ages >= 20) & (rng.random(n) < 1 / 3)
        ages = np.where(adult, 5 * np.round(ages / 5), ages).astype(int)
    years = 2026 - ages
    communes = np.where(np.arange(n) < n - 50, "25654", "25657")  # one big commune, one tiny
    pp = pd.DataFrame({"person_id": [f"P{i}" for i in range(n)], "sex": pd.array(rng.integers(1, 3, n), "Int64"),
                       "birth_date": pd.to_datetime([f"{y}-06-30" for y in years]),
                       "status": pd.array(np.ones(n, int), "Int64"), "district_code": "710",
                       "commune_code": communes, "province_code": "72", "household_id": "H1"})
    from popqa.contract import TABLES

    hh = pd.DataFrame({c: ["x"] for c in TABLES["households"].names})
    hh = hh.assign(household_id="H1", province_code="72", district_code="710", commune_code="25654",
                   created_date="2010-01-01")
    for c in TABLES["persons"].names:
        if c not in pp:
            pp[c] = None
    return Register.from_frames({"households": hh, "persons": pp}, period="2026-10")


def test_rows_equal_the_demotools_port_and_flag_small_units():
    reg = _register(20_000, heaped=True)
    rows = age_quality_rows(reg, period="2026-10", province_code="72")
    prov = rows[(rows.level == "province") & (rows.indicator_id == "age_whipple") & (rows.group == "sex=total")]
    ages = 2026 - reg.persons["birth_date"].dt.year
    counts = np.bincount(ages, minlength=101)[:101]
    assert prov.value.iloc[0] == pytest.approx(whipple(counts, np.arange(101), age_min=25, age_max=60))
    assert band("whipple", prov.value.iloc[0]) in ("approximate", "rough", "very rough")
    tiny = rows[(rows.level == "commune") & (rows.unit_code == "25657")]
    assert len(tiny) and (tiny.status != "ok").all() and tiny.value.isna().all()


def test_no_heaping_reads_highly_accurate():
    rows = age_quality_rows(_register(20_000, heaped=False), period="2026-10", province_code="72")
    w = rows[(rows.level == "province") & (rows.indicator_id == "age_whipple") & (rows.group == "sex=total")]
    assert band("whipple", w.value.iloc[0]) == "highly accurate"
