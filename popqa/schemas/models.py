"""One pandera ``DataFrameModel`` per contract table, generated from :mod:`popqa.contract`.

The column lists and kinds are not retyped here: each model is built from the
contract's :class:`~popqa.contract.TableSpec`, with the closed code lists of
``CODE_LISTS`` and the domain checks of :mod:`popqa.schemas.checks`. Models are
not strict (extra columns are kept), coerce types, and are validated lazily so
every failure is collected (:func:`validate`).

Examples
--------
>>> import pandas as pd
>>> from popqa.contract import TABLES
>>> df = pd.DataFrame({c: pd.Series(dtype="object") for c in TABLES["households"].names})
>>> sorted(SCHEMAS) == sorted(TABLES)
True
>>> len(SCHEMAS["households"].validate(df))
0
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from popqa.contract import CODE_LISTS, TABLES, ColumnSpec, TableSpec
from popqa.schemas.checks import ensure_registered

__all__ = [
    "SCHEMAS",
    "schema_for",
    "HouseholdsSchema",
    "PersonsSchema",
    "EventsSchema",
    "CivilBirthsSchema",
    "CivilDeathsSchema",
    "ResidentsSchema",
    "InsuranceSchema",
    "SurveyPersonsSchema",
    "LabourForceSchema",
]

ensure_registered()

_DTYPES: dict[str, Any] = {
    "id": pd.StringDtype,
    "code": pd.StringDtype,
    "str": pd.StringDtype,
    "int": pd.Int64Dtype,
    "float": float,
    "bool": pd.BooleanDtype,
    "date": pa.DateTime,
    "datetime": pa.DateTime,
}

#: Fixed-width digit codes of the contract.
DIGIT_WIDTHS = {"province_code": 2, "district_code": 3, "commune_code": 5, "other_commune_code": 5}


def _field(table: TableSpec, col: ColumnSpec) -> Any:
    kwargs: dict[str, Any] = {"nullable": col.nullable, "coerce": True}
    if not col.required:
        kwargs["required"] = False
    if col.name in CODE_LISTS:
        kwargs["in_code_list"] = {"codes": tuple(CODE_LISTS[col.name])}
    elif col.name in DIGIT_WIDTHS:
        kwargs["digit_code"] = {"width": DIGIT_WIDTHS[col.name]}
    elif col.name == "citizen_id":
        kwargs["citizen_id_format"] = ()
    if table.key == col.name:
        kwargs["unique"] = True
    return pa.Field(**kwargs)


def _model(table: TableSpec) -> type[pa.DataFrameModel]:
    annotations = {c.name: Series[_DTYPES[c.kind]] for c in table.columns}  # type: ignore[valid-type,name-defined]
    namespace: dict[str, Any] = {"__annotations__": annotations, "__module__": __name__}
    namespace.update({c.name: _field(table, c) for c in table.columns})
    name = "".join(part.capitalize() for part in table.name.split("_")) + "Schema"

    class Config:
        strict = False  # extra columns are kept
        coerce = True
        description = table.description

    namespace["Config"] = Config
    namespace["__doc__"] = f"pandera model of the contract table ``{table.name}``: {table.description}"
    return type(name, (pa.DataFrameModel,), namespace)


#: table name -> DataFrameModel class
SCHEMAS: dict[str, type[pa.DataFrameModel]] = {name: _model(spec) for name, spec in TABLES.items()}

HouseholdsSchema = SCHEMAS["households"]
PersonsSchema = SCHEMAS["persons"]
EventsSchema = SCHEMAS["events"]
CivilBirthsSchema = SCHEMAS["civil_births"]
CivilDeathsSchema = SCHEMAS["civil_deaths"]
ResidentsSchema = SCHEMAS["residents"]
InsuranceSchema = SCHEMAS["insurance"]
SurveyPersonsSchema = SCHEMAS["survey_persons"]
LabourForceSchema = SCHEMAS["labour_force"]


def schema_for(table: str) -> type[pa.DataFrameModel]:
    """The model of a contract table.

    >>> schema_for("persons").__name__
    'PersonsSchema'
    """
    try:
        return SCHEMAS[table]
    except KeyError:
        raise KeyError(f"no schema for table {table!r}; known: {', '.join(SCHEMAS)}") from None
