"""Lazy validation of contract tables and the conversion of pandera failures to findings rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from popqa.contract import FINDINGS_COLUMNS, TABLES
from popqa.schemas.models import schema_for

__all__ = ["validate", "validate_register", "failure_cases_to_findings", "SCHEMA_RULES"]

#: Findings ids of schema failures: rule_id -> (dimension, severity, message_vi, message_en)
SCHEMA_RULES: dict[str, tuple[str, str, str, str]] = {
    "S001": (
        "validity",
        "error",
        "Giá trị không đúng kiểu dữ liệu của cột.",
        "The value does not have the column's data type.",
    ),
    "S002": (
        "validity",
        "error",
        "Giá trị không thuộc danh mục hoặc sai định dạng quy định.",
        "The value is outside its code list or has the wrong format.",
    ),
    "S003": (
        "completeness",
        "error",
        "Thiếu cột bắt buộc của bảng.",
        "A required column of the table is missing.",
    ),
    "S004": (
        "completeness",
        "error",
        "Cột bắt buộc có giá trị để trống.",
        "A column that may not be empty is empty.",
    ),
    "S005": (
        "uniqueness",
        "error",
        "Mã định danh bị trùng lặp.",
        "The identifier occurs more than once.",
    ),
}


def _rule_of(check: str) -> str:
    c = str(check)
    if c.startswith(("coerce_dtype", "dtype")):
        return "S001"
    if c.startswith("column_in_dataframe"):
        return "S003"
    if c.startswith("not_nullable"):
        return "S004"
    if c.startswith(("field_uniqueness", "unique")):
        return "S005"
    return "S002"


def validate(df: pd.DataFrame, table: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate ``df`` against the model of ``table``, lazily.

    Returns
    -------
    (validated frame, failure_cases)
        ``failure_cases`` is pandera's frame (empty when all passed). Nothing raises
        for bad values; the frame is returned as coerced as it could be.

    Examples
    --------
    >>> import pandas as pd
    >>> from popqa.contract import TABLES
    >>> df = pd.DataFrame({c: [None] for c in TABLES["households"].names})
    >>> df["household_id"] = ["H1"]; df["commune_code"] = ["2545"]
    >>> out, fc = validate(df, "households")
    >>> fc[["column", "failure_case"]].values.tolist()
    [['commune_code', '2545']]
    """
    model = schema_for(table)
    try:
        return model.validate(df, lazy=True), _empty_failures()
    except pa.errors.SchemaErrors as exc:
        return exc.data if exc.data is not None else df, exc.failure_cases.reset_index(drop=True)


def _empty_failures() -> pd.DataFrame:
    return pd.DataFrame(columns=["schema_context", "column", "check", "check_number", "failure_case", "index"])


def failure_cases_to_findings(failure_cases: pd.DataFrame, df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Turn ``SchemaErrors.failure_cases`` into rows of the findings table.

    The record id is read from the table's key column at the failing row; unit
    codes come from the same row when the table has them.

    Examples
    --------
    >>> import pandas as pd
    >>> from popqa.contract import TABLES
    >>> df = pd.DataFrame({c: [None] for c in TABLES["households"].names})
    >>> df["household_id"] = ["H1"]; df["commune_code"] = ["2545"]
    >>> _, fc = validate(df, "households")
    >>> failure_cases_to_findings(fc, df, "households")[["rule_id", "record_id", "value"]].values.tolist()
    [['S002', 'H1', '2545']]
    """
    if failure_cases is None or len(failure_cases) == 0:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in FINDINGS_COLUMNS})
    fc = failure_cases.reset_index(drop=True)
    rules = fc["check"].map(_rule_of)
    idx = pd.to_numeric(fc["index"], errors="coerce")
    valid = idx.notna() & idx.isin(pd.Series(np.arange(len(df)))) if len(df) else idx.notna() & False
    pos = idx.where(valid, -1).astype("int64").to_numpy()
    key = TABLES[table].key if table in TABLES else None
    out = pd.DataFrame({"rule_id": rules})
    out["dimension"] = rules.map(lambda r: SCHEMA_RULES[r][0])
    out["severity"] = rules.map(lambda r: SCHEMA_RULES[r][1])
    out["table"] = table
    df0 = df.reset_index(drop=True)

    def take(col: str) -> pd.Series:
        if col not in df0.columns or not len(df0):
            return pd.Series(pd.NA, index=out.index, dtype="string")
        vals = df0[col].astype("string").to_numpy()[np.clip(pos, 0, None)]
        return pd.Series(vals, index=out.index, dtype="string").mask(pos < 0)

    out["record_id"] = take(key) if key else pd.Series(pd.NA, index=out.index, dtype="string")
    out["record_id"] = out["record_id"].fillna(pd.Series((pos + 2).astype(str), index=out.index).mask(pos < 0))
    out["column"] = fc["column"].astype("string")
    out["value"] = fc["failure_case"].map(lambda v: None if v is None or v is pd.NA else str(v)).astype("string")
    for col in ("province_code", "district_code", "commune_code", "collaborator_id"):
        out[col] = take(col)
    out["message_vi"] = rules.map(lambda r: SCHEMA_RULES[r][2])
    out["message_en"] = rules.map(lambda r: SCHEMA_RULES[r][3])
    return out[list(FINDINGS_COLUMNS)].astype("string")


def validate_register(register) -> pd.DataFrame:
    """Validate every table of a :class:`~popqa.io.Register`; the failures as findings rows."""
    parts = []
    for name, df in register.tables.items():
        if name not in TABLES:
            continue
        _, fc = validate(df, name)
        parts.append(failure_cases_to_findings(fc, df, name))
    if not parts:
        return failure_cases_to_findings(None, pd.DataFrame(), "")
    return pd.concat(parts, ignore_index=True)
