"""One pandera ``DataFrameSchema`` per contract table, generated from :mod:`popqa.contract`.

The models check **structure only**: that the contract's required columns are
there (the table's key always), and that each contract column present has the
type the readers give it (text as a pandas string dtype, whole numbers
``Int64``, decimals ``float64``, dates ``datetime64``, flags ``boolean``). They
do not coerce and run no per-value check: every value-level problem (code lists,
unparsable values, duplicate keys, empty required fields) is a rule of the
catalogue (:mod:`popqa.checks`), reported as a finding on the record. Extra
columns are allowed (``strict=False``).

They are ``DataFrameSchema`` objects rather than ``DataFrameModel`` classes on
purpose: turning a model's annotations into a schema makes pandera import its
typing modules, and with dask installed (``distributed``) that import alone
costs about 3 s per process, ten times the validation itself.

Examples
--------
>>> from popqa.contract import TABLES
>>> sorted(SCHEMAS) == sorted(TABLES)
True
>>> import pandas as pd
>>> df = pd.DataFrame({c.name: pd.Series(dtype=READER_DTYPES[c.kind]) for c in TABLES["households"].columns})
>>> len(SCHEMAS["households"].validate(df))
0
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandera.pandas as pa
from pandera import dtypes
from pandera.engines import pandas_engine

from popqa.contract import TABLES, ColumnSpec, TableSpec

__all__ = [
    "SCHEMAS",
    "READER_DTYPES",
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

#: The dtype the readers (:func:`popqa.io.coerce_table`) give each contract kind.
READER_DTYPES: dict[str, str] = {
    "id": "string",
    "code": "string",
    "str": "string",
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
}



@pandas_engine.Engine.register_dtype
@dtypes.immutable
class Text(pandas_engine.STRING):
    """Text as the readers give it: a pandas string dtype of either storage (python or pyarrow).

    pandera's own ``String`` tests every value of a column (``isinstance(x, str)``,
    14 s on 1.2 million persons); the readers' columns are typed, so the dtype
    alone decides here. Object columns are refused: they are not what the readers produce.
    """

    def check(self, pandera_dtype: Any, data_container: Any = None) -> Any:
        try:
            resolved = pandas_engine.Engine.dtype(pandera_dtype)
        except TypeError:
            return False
        ok = isinstance(resolved, pandas_engine.STRING)
        if data_container is None or not ok:
            return ok
        return np.ones(len(data_container), dtype=bool)

    def __str__(self) -> str:
        return "string"


# pandera types of the columns; DateTime accepts any unit (ns, us, ms).
_DTYPES: dict[str, Any] = {
    "id": Text,
    "code": Text,
    "str": Text,
    "int": "Int64",
    "float": "float64",
    "bool": "boolean",
    "date": pa.DateTime,
    "datetime": pa.DateTime,
}


def _column(table: TableSpec, col: ColumnSpec) -> pa.Column:
    required = col.required or col.name == table.key
    return pa.Column(_DTYPES[col.kind], nullable=True, coerce=False, required=required, name=col.name)


def _schema(table: TableSpec) -> pa.DataFrameSchema:
    name = "".join(part.capitalize() for part in table.name.split("_")) + "Schema"
    return pa.DataFrameSchema(
        {c.name: _column(table, c) for c in table.columns},
        strict=False,  # extra columns are kept
        coerce=False,  # the readers type the columns; the gate only checks they did
        name=name,
        description=f"Structure of the contract table ``{table.name}``: {table.description}",
    )


#: table name -> DataFrameSchema
SCHEMAS: dict[str, pa.DataFrameSchema] = {name: _schema(spec) for name, spec in TABLES.items()}

HouseholdsSchema = SCHEMAS["households"]
PersonsSchema = SCHEMAS["persons"]
EventsSchema = SCHEMAS["events"]
CivilBirthsSchema = SCHEMAS["civil_births"]
CivilDeathsSchema = SCHEMAS["civil_deaths"]
ResidentsSchema = SCHEMAS["residents"]
InsuranceSchema = SCHEMAS["insurance"]
SurveyPersonsSchema = SCHEMAS["survey_persons"]
LabourForceSchema = SCHEMAS["labour_force"]


def schema_for(table: str) -> pa.DataFrameSchema:
    """The structural schema of a contract table.

    >>> schema_for("persons").name
    'PersonsSchema'
    """
    try:
        return SCHEMAS[table]
    except KeyError:
        raise KeyError(f"no schema for table {table!r}; known: {', '.join(SCHEMAS)}") from None
