"""The structural gate: pandera schemas from the contract, structure only, one clear error."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from popqa.contract import TABLES
from popqa.errors import InputError
from popqa.io import Register
from popqa.schemas import READER_DTYPES, SCHEMAS, schema_for, structural_failures, structural_gate
from tests.checks.frames import make


def test_one_schema_per_contract_table_with_the_contract_columns():
    assert set(SCHEMAS) == set(TABLES)
    for name, schema in SCHEMAS.items():
        assert isinstance(schema, pa.DataFrameSchema)
        assert list(schema.columns) == TABLES[name].names
        # structure only: no value checks, no coercion, missing values allowed (they are findings)
        assert all(not c.checks and c.nullable and not c.coerce for c in schema.columns.values())
        key = TABLES[name].key
        assert key is None or schema.columns[key].required


def test_what_the_readers_produce_passes_the_gate():
    reg = make()
    structural_gate(reg)
    assert len(structural_failures(reg)) == 0
    for name, df in reg.tables.items():
        for col in TABLES[name].columns:
            assert str(df[col.name].dtype).startswith(READER_DTYPES[col.kind].split("[")[0])


def test_bad_values_are_not_the_gates_business():
    # an unknown code, a duplicate key, an unparsable date: findings of the catalogue, not gate errors
    from tests.checks.frames import persons

    pp = persons()
    pp.loc[0, "sex"] = 7
    pp.loc[1, "person_id"] = pp.loc[0, "person_id"]
    pp.loc[2, "birth_date"] = "31/02/1980"
    structural_gate(make(pp=pp))


def test_both_string_storages_and_any_datetime_unit_pass():
    reg = make()
    reg.tables["persons"]["full_name"] = reg.persons["full_name"].astype("string[pyarrow]")
    reg.tables["persons"]["birth_date"] = reg.persons["birth_date"].astype("datetime64[us]")
    structural_gate(reg)


def test_every_failure_is_named_on_one_line():
    reg = make()
    reg.tables["persons"]["birth_date"] = reg.persons["birth_date"].astype("string")
    reg.tables["persons"]["sex"] = reg.persons["sex"].astype("float64")
    reg.tables["households"] = reg.households.drop(columns=["village"])
    reg.tables["events"] = reg.events.drop(columns=["event_id"])
    with pytest.raises(InputError) as exc:
        structural_gate(reg)
    msg = str(exc.value)
    assert "\n" not in msg
    for part in ("persons.birth_date: dtype string, expected datetime64[ns]",
                 "persons.sex: dtype float64, expected Int64",
                 "households.village: missing column",
                 "events.event_id: missing column"):
        assert part in msg
    f = structural_failures(reg)
    assert set(zip(f["table"], f["column"], strict=True)) == {
        ("persons", "birth_date"), ("persons", "sex"), ("households", "village"), ("events", "event_id")}


def test_object_text_is_refused():
    reg = make()
    reg.tables["households"]["commune_code"] = reg.households["commune_code"].astype(object)
    with pytest.raises(InputError, match=r"households\.commune_code: dtype object, expected string"):
        structural_gate(reg)


def test_unknown_and_missing_tables():
    reg = make()
    reg.tables["shoes"] = pd.DataFrame({"x": [1]})
    del reg.tables["persons"]
    with pytest.raises(InputError) as exc:
        structural_gate(reg)
    assert "shoes: unknown table" in str(exc.value) and "persons: required table missing" in str(exc.value)


def test_without_the_gate_a_bad_frame_fails_deep_inside_a_rule():
    """What the gate is for: a hand-built register with text dates breaks the check engine."""
    from popqa.checks import run_checks

    reg = make()
    reg.tables["events"]["event_date"] = reg.events["event_date"].dt.strftime("%Y-%m-%d").astype("string")
    with pytest.raises(Exception) as deep:  # noqa: PT011 - whatever pandas raises inside a rule
        run_checks(reg)
    assert not isinstance(deep.value, InputError)
    with pytest.raises(InputError, match=r"events\.event_date"):
        structural_gate(reg)


@pytest.mark.slow
def test_gate_cost_does_not_grow_with_the_records():
    """1.2 million persons (the full province): the gate takes well under a second."""
    reg = make()
    structural_gate(reg)  # warm (pandera's first use)
    n = 1_200_000
    big = Register(tables={
        "households": reg.households.iloc[np.arange(n // 3) % 2].reset_index(drop=True),
        "persons": reg.persons.iloc[np.arange(n) % len(reg.persons)].reset_index(drop=True),
        "events": reg.events.iloc[np.arange(n // 4) % 3].reset_index(drop=True),
    })
    t = time.perf_counter()
    structural_gate(big)
    assert time.perf_counter() - t < 1.0
    big.tables["persons"]["sex"] = big.persons["sex"].astype("float64")
    t = time.perf_counter()
    with pytest.raises(InputError):
        structural_gate(big)
    assert time.perf_counter() - t < 1.0


def test_schema_for_unknown_table():
    with pytest.raises(KeyError, match="no schema for table"):
        schema_for("shoes")
