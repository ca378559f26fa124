"""Survey estimates written as indicator rows (popqa.indicators' long shape)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.contract import INDICATOR_COLUMNS
from popqa.indicators import core, register
from popqa.survey import Design, Estimate, estimates_to_indicator_rows


@pytest.fixture(autouse=True)
def _test_indicator(monkeypatch):
    """A test-only indicator, registered in a copy of the registry (never seen by other tests)."""
    monkeypatch.setattr(core, "INDICATORS", dict(core.INDICATORS))
    register("survey_test_mean_api", name_vi="Điểm API trung bình", name_en="Mean API score",
             unit="index", stage="survey", source="survey", higher_is_better=True,
             description_en="Design-based mean of api00 (test indicator).")


def test_estimate_to_one_row(dclus1):
    e = dclus1.mean("api00")
    r = estimates_to_indicator_rows(e, "survey_test_mean_api", level="province", unit_code="72",
                                    period="2026-10", target=600)
    assert tuple(r.columns) == INDICATOR_COLUMNS and len(r) == 1
    row = r.iloc[0]
    assert row["value"] == pytest.approx(e.estimate) and row["se"] == pytest.approx(e.se)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((e.ci_low, e.ci_high))
    assert row["status"] == "ok" and bool(row["met"]) and row["group"] == ""


def test_by_frame_to_rows_with_statuses(dclus1, api):
    by = dclus1.mean("api00", by=["stype", "awards"])
    rows = estimates_to_indicator_rows(by, "survey_test_mean_api", level="province", unit_code="72",
                                       period="2026-10", min_n=20)
    assert list(rows["group"]) == [f"stype={s};awards={a}" for s, a in by.index]
    small = by["n"].to_numpy() < 20
    assert (rows.loc[small, "status"] == "insufficient").all()
    assert rows.loc[small, "value"].isna().all()
    assert (rows.loc[~small, "status"] == "ok").all()


def test_empty_domain_is_not_measurable():
    df = pd.DataFrame({"y": [1.0, 2, 3], "w": 1.0, "g": ["a", "a", "b"]})
    d = Design(df, weights="w").subset(np.array([True, True, False]))
    by = d.mean("y", by="g")
    rows = estimates_to_indicator_rows(by, "survey_test_mean_api", level="commune",
                                       unit_code=["00001", "00002"], period="2026-10")
    assert rows["status"].tolist() == ["ok", "not_measurable"]


def test_refuses_other_inputs():
    with pytest.raises(ValueError, match="Estimate or a DataFrame"):
        estimates_to_indicator_rows([1, 2], "survey_test_mean_api", level="province",
                                    unit_code="72", period="2026-10")
    with pytest.raises(ValueError, match="lacks the columns"):
        estimates_to_indicator_rows(pd.DataFrame({"estimate": [1.0]}), "survey_test_mean_api",
                                    level="province", unit_code="72", period="2026-10")
    assert isinstance(Estimate(1.0, 0.1, 0.8, 1.2, 1.0, 5), Estimate)
