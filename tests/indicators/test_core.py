"""The indicator registry and the long indicator shape."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.contract import INDICATOR_COLUMNS
from popqa.indicators import concat_indicators, indicator_rows, register, validate_indicators
from popqa.indicators.core import all_indicators


def test_rows_have_the_contract_shape_and_types():
    r = indicator_rows("late_share", level="district", unit_code=["710", "711"], period="2026-10",
                       numerator=[1, 0], denominator=[4, 0])
    assert tuple(r.columns) == INDICATOR_COLUMNS
    assert r["value"].tolist()[0] == 0.25 and np.isnan(r["value"].tolist()[1])
    assert r["status"].tolist() == ["ok", "not_measurable"]
    assert str(r["target_year"].dtype) == "Int64" and str(r["met"].dtype) == "boolean"


def test_direction_of_targets():
    lower = indicator_rows("late_share", level="province", unit_code="72", period="2026-10", value=0.2, target=0.1)
    higher = indicator_rows("mobile_entry", level="province", unit_code="72", period="2026-10", value=0.2,
                            target=0.1)
    assert not lower["met"].iloc[0] and higher["met"].iloc[0]


@pytest.mark.parametrize("kwargs, message", [
    ({"level": "village"}, "level"),
    ({"period": "2026-13"}, "period"),
    ({"status": "maybe"}, "status"),
    ({"value": 0.5, "ci_low": 0.6, "ci_high": 0.9}, "interval"),
])
def test_invalid_rows_are_refused(kwargs, message):
    args = {"level": "province", "unit_code": "72", "period": "2026-10", "value": 0.5}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        indicator_rows("late_share", **args)


def test_unknown_indicator_and_duplicates_are_refused():
    with pytest.raises(KeyError, match="unknown indicator"):
        indicator_rows("no_such_thing", level="province", unit_code="72", period="2026-10", value=1.0)
    r = indicator_rows("late_share", level="province", unit_code="72", period="2026-10", value=0.1)
    with pytest.raises(ValueError, match="appears twice"):
        concat_indicators([r, r])
    with pytest.raises(ValueError, match="columns"):
        validate_indicators(r.drop(columns="source"))


def test_registry_refuses_a_second_different_declaration():
    spec = all_indicators()["late_share"]
    assert register(spec.indicator_id, name_vi=spec.name_vi, name_en=spec.name_en, unit=spec.unit,
                    stage=spec.stage, source=spec.source, higher_is_better=spec.higher_is_better,
                    description_en=spec.description_en) == spec
    with pytest.raises(ValueError, match="declared twice"):
        register("late_share", name_vi="x", name_en="y", unit="share", stage="other")


def test_every_registered_indicator_has_names_in_both_languages():
    specs = all_indicators()
    assert {"on_time_communes", "mobile_entry", "late_share", "duplicate_per_1000"} <= set(specs)
    for s in specs.values():
        assert s.name_vi and s.name_en and s.description_en, s.indicator_id


def test_empty_concat_has_the_shape():
    e = concat_indicators([None, pd.DataFrame()])
    assert tuple(e.columns) == INDICATOR_COLUMNS and len(e) == 0


@pytest.mark.parametrize("group", ["birth:pooled", "E|1", "sex=1|age=2", "Sex=1", "sex=1;", "=1"])
def test_groups_follow_the_key_value_convention(group):
    with pytest.raises(ValueError, match="key=value"):
        indicator_rows("late_share", level="province", unit_code="72", period="2026-10", value=0.1, group=group)
    assert len(indicator_rows("late_share", level="province", unit_code="72", period="2026-10", value=0.1,
                              group="sex=1;age=15-24"))
