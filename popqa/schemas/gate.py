"""The structural gate: a register's tables have the contract's shape, or one clear error.

The readers (:mod:`popqa.io`) always produce this shape; the gate protects the
rest of the run from a :class:`~popqa.io.Register` built or changed by hand
(a library user's own DataFrames), which would otherwise fail with a traceback
deep inside a rule. It checks structure only, on the zero-row slice of each
table, so its cost does not grow with the number of records.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from popqa.contract import REQUIRED_TABLES, TABLES
from popqa.errors import InputError
from popqa.schemas.models import schema_for

__all__ = ["structural_failures", "structural_gate"]


def _describe(fc: pd.DataFrame, df: pd.DataFrame) -> list[tuple[str, str]]:
    """(column, problem) per failure of ``SchemaErrors.failure_cases``."""
    out = []
    for row in fc.itertuples(index=False):  # one row per failing column, never per record
        check = str(row.check)
        if check.startswith("column_in_dataframe"):
            col = str(row.failure_case)
            out.append((col, "missing column"))
        elif check.startswith("dtype("):
            col = str(row.column)
            expected = check[len("dtype("):].rstrip(")").strip("'\"")
            actual = str(df[col].dtype) if col in df.columns else str(row.failure_case)
            out.append((col, f"dtype {actual}, expected {expected}"))
        else:  # any other structural check pandera reports
            out.append((str(row.column), f"{check} failed"))
    return out


def structural_failures(register) -> pd.DataFrame:
    """Every structural failure of a register: one row per table and column.

    Returns
    -------
    pandas.DataFrame
        Columns ``table``, ``column``, ``problem`` (empty when the register has
        the contract's shape). Problems: unknown table, required table missing,
        missing column (contract-required columns and each table's key), a
        column whose dtype is not the readers' one.

    Examples
    --------
    >>> from popqa.io import Register
    >>> from popqa.contract import TABLES
    >>> hh = pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES["households"].names})
    >>> pp = pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES["persons"].names})
    >>> reg = Register.from_frames({"households": hh, "persons": pp})
    >>> len(structural_failures(reg))
    0
    >>> reg.tables["persons"]["birth_date"] = reg.persons["birth_date"].astype("string")
    >>> structural_failures(reg).values.tolist()
    [['persons', 'birth_date', 'dtype string, expected datetime64[ns]']]
    """
    tables = register.tables
    rows = [(name, "", "unknown table (not in the data contract)") for name in tables if name not in TABLES]
    rows += [(name, "", "required table missing") for name in REQUIRED_TABLES if name not in tables]
    for name, df in tables.items():
        if name not in TABLES:
            continue
        try:
            # structure is a property of the columns: validating the zero-row slice checks the
            # same names and dtypes in O(columns), whatever the table's size (and pandera never
            # gets to compute per-value failure cases of a wrong dtype on a million rows)
            schema_for(name).validate(df.iloc[:0], lazy=True)
        except pa.errors.SchemaErrors as exc:
            rows += [(name, col, problem) for col, problem in _describe(exc.failure_cases, df)]
    out = pd.DataFrame(rows, columns=["table", "column", "problem"])
    return out.drop_duplicates(ignore_index=True)


def structural_gate(register) -> None:
    """Raise :class:`~popqa.errors.InputError` unless ``register`` has the contract's structure.

    The message is one line naming the table and column(s) of every failure.

    Raises
    ------
    popqa.errors.InputError
        ``register ...: the tables do not have the data contract's structure:
        persons.birth_date: dtype string, expected datetime64[ns]; households.village: missing column``

    Examples
    --------
    >>> from popqa.io import Register
    >>> from popqa.contract import TABLES
    >>> hh = pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES["households"].names})
    >>> pp = pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES["persons"].names})
    >>> reg = Register.from_frames({"households": hh, "persons": pp})
    >>> structural_gate(reg)
    >>> reg.tables["households"] = reg.households.drop(columns=["village"])
    >>> structural_gate(reg)
    Traceback (most recent call last):
    ...
    popqa.errors.InputError: memory: the tables do not have the data contract's structure: households.village: missing column
    """
    bad = structural_failures(register)
    if not len(bad):
        return
    parts = [f"{t}.{c}: {p}" if c else f"{t}: {p}" for t, c, p in bad.itertuples(index=False)]
    source = getattr(register, "source", "") or "register"
    raise InputError("the tables do not have the data contract's structure: " + "; ".join(parts), file=source)
