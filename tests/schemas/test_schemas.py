"""pandera models generated from the contract: lazy, non-strict, coercing; failures become findings."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from popqa.contract import FINDINGS_COLUMNS, TABLES
from popqa.schemas import (
    SCHEMAS,
    failure_cases_to_findings,
    schema_for,
    validate,
    validate_register,
)


def _households(**over) -> pd.DataFrame:
    df = pd.DataFrame({
        "household_id": ["H1", "H2"], "province_code": ["72", "72"], "district_code": ["703", "703"],
        "commune_code": ["25456", "25456"], "village": ["Ấp 1", "Ấp 2"], "address": ["", ""],
        "collaborator_id": ["C1", "C2"], "created_date": ["2020-01-01", "2021-01-01"],
    })
    for k, v in over.items():
        df[k] = v
    return df


def test_one_model_per_contract_table_with_the_contract_columns():
    assert set(SCHEMAS) == set(TABLES)
    for name, model in SCHEMAS.items():
        assert issubclass(model, pa.DataFrameModel)
        cols = model.to_schema().columns
        assert list(cols) == TABLES[name].names


def test_extra_columns_are_kept_and_types_coerced():
    out, fc = validate(_households(note=["x", "y"]), "households")
    assert len(fc) == 0
    assert "note" in out.columns
    assert str(out["created_date"].dtype).startswith("datetime64")


def test_validation_is_lazy_all_failures_collected():
    df = _households(commune_code=["2545", "25456"], district_code=["703", "7030"])
    df.loc[1, "household_id"] = "H1"
    _, fc = validate(df, "households")
    checks = set(zip(fc["column"], fc["failure_case"].astype(str), strict=True))
    assert ("commune_code", "2545") in checks and ("district_code", "7030") in checks
    assert ("household_id", "H1") in checks


def test_code_lists_and_citizen_id_format_are_domain_checks():
    pp = pd.DataFrame({c: [None] for c in TABLES["persons"].names})
    pp["person_id"] = ["P1"]
    pp["sex"] = [3]
    pp["citizen_id"] = ["12345"]
    _, fc = validate(pp, "persons")
    assert {"sex", "citizen_id"} <= set(fc["column"])
    assert "in_code_list" in " ".join(fc["check"].astype(str))


def test_failure_cases_to_findings_rows():
    df = _households(commune_code=["2545", "25456"])
    _, fc = validate(df, "households")
    f = failure_cases_to_findings(fc, df, "households")
    assert tuple(f.columns) == FINDINGS_COLUMNS
    assert f[["rule_id", "table", "record_id", "column", "value", "collaborator_id"]].values.tolist() == [
        ["S002", "households", "H1", "commune_code", "2545", "C1"]
    ]
    assert f["message_vi"].str.len().min() > 0


def test_missing_column_is_a_finding_not_an_exception():
    _, fc = validate(_households().drop(columns=["village"]), "households")
    f = failure_cases_to_findings(fc, _households(), "households")
    assert "S003" in set(f["rule_id"])


def test_validate_register():
    from popqa.io import Register

    pp = pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES["persons"].names})
    reg = Register.from_frames({"households": _households(commune_code=["2545X", "25456"]), "persons": pp})
    f = validate_register(reg)
    assert f["rule_id"].tolist() == ["S002"]
    assert schema_for("persons").__name__ == "PersonsSchema"
