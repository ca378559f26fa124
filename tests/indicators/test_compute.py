"""The register indicators of the audit's indicators stage, on small hand-made events."""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.checks.config import ChecksConfig
from popqa.indicators.compute import program_target_rows, timeliness_rows
from popqa.scorecard import ScorecardConfig

COMMUNES = [("25654", "710"), ("25657", "710"), ("25681", "711"), ("25999", "711")]


def _events() -> pd.DataFrame:
    return pd.DataFrame({
        "district_code": ["710"] * 4 + ["711"] * 2,
        "commune_code": ["25654", "25654", "25657", "25657", "25681", "25681"],
        "event_type": ["birth", "death", "birth", "death", "birth", "birth"],
        "event_date": pd.to_datetime(["2026-01-01"] * 6),
        "recorded_date": pd.to_datetime(["2026-01-02", "2026-01-03", "2026-01-02", "2026-06-01",
                                         "2026-01-02", "2026-01-02"]),
        "entry_channel": ["mobile", "mobile", "paper", None, "web", "mobile"],
    })


def _rows(ev, **kw):
    return program_target_rows(ev, period="2026-10", province_code="72", checks_config=kw.get("checks", ChecksConfig()),
                               scorecard_config=ScorecardConfig(), communes=kw.get("communes", COMMUNES))


def test_program_targets_as_indicator_rows():
    t = _rows(_events())
    prov = t[t.level == "province"].set_index("indicator_id")
    # 25654 and 25681 on time; 25657 half late; 25999 has no events, so it is not on time
    assert prov.loc["on_time_communes", "value"] == pytest.approx(2 / 4)
    assert prov.loc["on_time_communes", ["numerator", "denominator"]].tolist() == [2.0, 4.0]
    assert prov.loc["on_time_communes", "target"] == 1.0 and prov.loc["on_time_communes", "target_year"] == 2030
    assert prov.loc["mobile_entry", "value"] == pytest.approx(3 / 5)
    assert not prov.loc["mobile_entry", "met"]
    d710 = t[(t.unit_code == "710") & (t.indicator_id == "mobile_entry")].iloc[0]
    assert d710.level == "district" and d710.value == pytest.approx(2 / 3)
    d711 = t[(t.unit_code == "711") & (t.indicator_id == "on_time_communes")].iloc[0]
    assert d711.value == pytest.approx(1 / 2)
    assert ScorecardConfig().target("on_time_communes", 2025) == (2025, 0.9)


def test_no_entry_channel_is_not_measurable_never_zero():
    t = _rows(_events().drop(columns="entry_channel"))
    mob = t[t.indicator_id == "mobile_entry"]
    assert mob["value"].isna().all() and (mob["status"] == "not_measurable").all()


def test_on_time_follows_legal_deadlines_like_rule_e002():
    # a death recorded after 20 days: in time at 30 days, late under the 15-day legal deadline
    ev = pd.DataFrame({"district_code": ["710"], "commune_code": ["25654"], "event_type": ["death"],
                       "event_date": pd.to_datetime(["2026-01-01"]),
                       "recorded_date": pd.to_datetime(["2026-01-21"]), "entry_channel": ["paper"]})
    comm = [("25654", "710")]
    plain = _rows(ev, communes=comm)
    legal = _rows(ev, communes=comm, checks=ChecksConfig(use_legal_deadlines=True))
    pick = lambda t: t[(t.level == "province") & (t.indicator_id == "on_time_communes")].value.iloc[0]  # noqa: E731
    assert pick(plain) == 1.0 and pick(legal) == 0.0
    late = timeliness_rows(ev, period="2026-10", province_code="72",
                           checks_config=ChecksConfig(use_legal_deadlines=True))
    assert late[(late.level == "province") & (late.indicator_id == "late_share")].value.iloc[0] == 1.0
