"""Each unit's rows for the publish stage (``popqa.summaries.unit_parts``): grouped once, taken when a unit
asks for them, and exactly the rows a filter on the unit's code gives, in the table's order."""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.summaries import UnitRows, unit_of, unit_parts


@pytest.fixture(scope="module")
def audited():
    from popqa.synth import generate_province

    reg = generate_province(scale=0.003, seed=5).register
    findings = pd.DataFrame({"district_code": reg.persons["district_code"].iloc[::7].to_numpy(),
                             "commune_code": reg.persons["commune_code"].iloc[::7].to_numpy(),
                             "record_id": reg.persons["person_id"].iloc[::7].to_numpy()})
    records = reg.persons[["district_code", "commune_code", "person_id"]].rename(columns={"person_id": "record_id"})
    return reg, findings, records


@pytest.mark.parametrize("level", ["district", "commune_2025"])
def test_each_units_rows_are_the_filtered_rows(audited, level):
    reg, findings, records = audited
    parts = unit_parts(reg, findings, records, level)
    frames = {"persons": reg.persons, "events": reg.events, "households": reg.households,
              "findings": findings, "records": records}
    assert len(parts) > 1
    for name, df in frames.items():
        units = unit_of(df, level).astype("string")
        assert sum(p.rows(name) for p in parts.values()) == int(units.notna().sum())
        for code, part in parts.items():
            want = df[(units == code).fillna(False).to_numpy()]
            if not len(want):
                assert name not in part and part.rows(name) == 0
                continue
            pd.testing.assert_frame_equal(part[name], want)


def test_rows_are_taken_when_asked_and_not_kept(audited):
    reg, findings, records = audited
    part = next(iter(unit_parts(reg, findings, records, "district").values()))
    assert isinstance(part, UnitRows) and "persons" in part and len(part) == len(list(part))
    first, again = part["persons"], part.get("persons")
    pd.testing.assert_frame_equal(first, again)
    assert first is not again  # a fresh take each time: nothing held for the unit between asks
    assert part.get("nothing", "default") == "default"
