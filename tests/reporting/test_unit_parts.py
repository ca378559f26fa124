"""Each unit's rows for the publish stage (``popqa.summaries.unit_parts``): grouped once, taken when a unit
asks for them, and exactly the rows a filter on the unit's code gives, in the table's order."""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.summaries import UNIT_PERSON_COLUMNS, UnitRows, unit_of, unit_parts


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
    # the persons' columns a unit's results read (the others may be on disk, popqa.pipeline.LEFT_ON_DISK)
    frames = {"persons": reg.persons[list(UNIT_PERSON_COLUMNS)], "events": reg.events, "households": reg.households,
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


@pytest.mark.parametrize("rows", [1, 7, 1000])
def test_positions_by_code_are_a_groupbys_indices_whatever_the_slices(rows):
    """The codes are numbered a slice at a time: the same positions as pandas' groupby, every slice size."""
    import numpy as np

    from popqa.summaries import _positions_by_code

    rng = np.random.default_rng(3)
    codes = pd.Series(rng.choice(["710", "711", "712", None, "7130"], size=250), dtype="string")
    got = _positions_by_code(codes, rows=rows)
    want = pd.Series(np.arange(len(codes))).groupby(codes, sort=False).indices
    assert [c for c, _ in got] == list(pd.unique(codes.dropna()))  # order of first appearance
    assert {c: p.tolist() for c, p in got} == {str(c): p.tolist() for c, p in want.items()}
    assert sum(len(p) for _, p in got) == int(codes.notna().sum())


def test_symptoms_household_lookup_is_the_registers(audited):
    """problem_weights looks the flagged persons' households up once for all units (symptom_households):
    the same ranking as the look-up in the whole register, for a unit's findings and for all of them."""
    from popqa.summaries import problem_weights, symptom_households

    reg = audited[0]
    persons = reg.persons
    hh = persons.drop_duplicates("person_id").set_index("person_id")["household_id"]
    flagged = persons["person_id"].iloc[::5].tolist()
    causes = hh.loc[flagged[::2]].tolist()
    f = pd.DataFrame({
        "rule_id": ["V026"] * len(flagged) + ["V021"] * len(causes),
        "dimension": "consistency", "severity": ["warning"] * len(flagged) + ["error"] * len(causes),
        "table": ["persons"] * len(flagged) + ["households"] * len(causes),
        "record_id": flagged + causes,
        "collaborator_id": [f"c{i % 4}" for i in range(len(flagged) + len(causes))]})
    lookup = symptom_households(f, persons)
    assert lookup.to_dict() == hh.loc[sorted(set(flagged))].to_dict()
    for part in (f, f.iloc[::3]):
        for by in (None, "collaborator_id"):
            a = problem_weights(part, reg, by=by)
            b = problem_weights(part, reg, by=by, household_of=lookup)
            pd.testing.assert_frame_equal(a, b)
            assert (a["via"] == "V026").any()  # symptoms counted under their cause
