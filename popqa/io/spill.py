"""Frames moved out of memory to Parquet files for a while, and brought back exactly as they were.

The audit holds the register in memory from the ``read`` stage to the last. The link stage needs
little of it (the columns the persons' linkage features read, then the ids, a few columns of the
persons, one source at a time), while its models add DuckDB's working memory on top of everything the
process holds. :class:`Spill` writes the tables that stage does not need to the audit's scratch folder,
lets the process free them, and reads them back when the stage ends: the same values, dtypes, column
order and index, and the same sharing of Python string objects as the readers give (one object per
distinct value of a column, :func:`popqa.io.readers.plain_strings`), so nothing after the stage can
tell, and the memory the tables take is the same as before.

A column named in ``put(..., keep=...)`` is not written: the frame's own array stays in memory and is
put back as it was, so that what else holds its values (the link stage's clusters hold every person id)
and the frame brought back share the same Python strings instead of two copies of them.

Only frames with a default index (``RangeIndex`` from 0, step 1: every table of a
:class:`~popqa.io.register.Register`) and columns of the register's dtypes (plain or Arrow-backed
strings, ``Int64``, ``boolean``, ``float64``, ``bool``, ``datetime64``) are spilled; :meth:`Spill.put`
refuses anything else, so a frame is never brought back different.

Examples
--------
>>> import tempfile
>>> df = pd.DataFrame({"person_id": pd.array(["P1", None, "P1"], dtype="string"),
...                    "sex": pd.array([1, None, 2], dtype="Int64")})
>>> with tempfile.TemporaryDirectory() as d:
...     spill = Spill(d)
...     spill.put("persons", df)
...     back = spill.get("persons")
...     spill.remove()
>>> back.equals(df), back["person_id"].dtype, back["person_id"][0] is back["person_id"][2]
(True, string[python], True)
>>> with tempfile.TemporaryDirectory() as d:
...     spill = Spill(d)
...     spill.put("persons", df, keep=["person_id"])
...     back = spill.get("persons")
>>> back.equals(df), back["person_id"].array is df["person_id"].array
(True, True)

The persons' features read a few columns back with their text as Arrow strings:

>>> with tempfile.TemporaryDirectory() as d:
...     spill = Spill(d)
...     spill.put("persons", df)
...     cols = spill.arrow_columns("persons", ["sex", "person_id"])
>>> list(cols.columns), cols["person_id"].dtype, cols["person_id"].tolist()
(['person_id', 'sex'], string[pyarrow], ['P1', <NA>, 'P1'])
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from popqa.io.readers import plain_strings

__all__ = ["Spill", "spillable"]

#: Rows converted to Arrow at a time: the write's own memory is a slice of the frame, not a copy of it.
ROWS_PER_WRITE = 1 << 19


def _kind(dtype: object) -> str | None:
    """How a column of ``dtype`` is written and brought back; None: not spillable."""
    if isinstance(dtype, pd.StringDtype):
        return "string"
    if isinstance(dtype, (pd.Int64Dtype, pd.BooleanDtype, pd.Float64Dtype, pd.Int32Dtype)):
        return "masked"
    if isinstance(dtype, np.dtype) and (dtype.kind in "biuf" or dtype.kind == "M"):
        return "numpy"
    return None


def spillable(df: pd.DataFrame) -> bool:
    """Whether :class:`Spill` brings ``df`` back exactly: a default index, unique text column names,
    and at least one column, each of the register's dtypes.

    >>> spillable(pd.DataFrame({"a": [1.5]})), spillable(pd.DataFrame({"a": [1.5]}, index=[3]))
    (True, False)
    >>> spillable(pd.DataFrame({"a": pd.Categorical(["x"])}))
    False
    """
    idx = df.index
    if not (isinstance(idx, pd.RangeIndex) and idx.start == 0 and idx.step == 1) or idx.name is not None:
        return False
    if not len(df.columns) or not all(isinstance(c, str) for c in df.columns) or df.columns.has_duplicates:
        return False
    return all(_kind(t) is not None for t in df.dtypes)


class Spill:
    """Frames written to Parquet files in ``folder`` and read back on demand (see the module).

    A frame is written slice by slice (:data:`ROWS_PER_WRITE` rows), text as Arrow strings; the caller
    drops its own references after :meth:`put` to free the memory.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._dtypes: dict[str, pd.Series] = {}
        self._kept: dict[str, dict[str, Any]] = {}
        self._rows: dict[str, int] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._dtypes

    def names(self) -> list[str]:
        """The frames spilled, in the order they were put."""
        return list(self._dtypes)

    def _file(self, name: str) -> Path:
        return self.folder / f"{name}.parquet"

    def put(self, name: str, df: pd.DataFrame, keep: tuple[str, ...] | list[str] = ()) -> None:
        """Write ``df`` under ``name`` (a frame :func:`spillable` accepts, else ``ValueError``); the columns
        in ``keep`` are not written but held as they are (their arrays, not copies)."""
        if not spillable(df):
            raise ValueError(f"{name!r} cannot be spilled exactly (index, column names or dtypes)")
        missing = [c for c in keep if c not in df.columns]
        if missing:
            raise ValueError(f"{name!r} has no column {', '.join(map(repr, missing))} to keep")
        self.folder.mkdir(parents=True, exist_ok=True)
        written = [c for c in df.columns if c not in keep]
        fields = []
        for c in written:
            t = df.dtypes[c]
            kind = _kind(t)
            arrow = (pa.string() if kind == "string"
                     else pa.from_numpy_dtype(t.numpy_dtype if kind == "masked" else t))
            fields.append(pa.field(c, arrow))
        schema = pa.schema(fields)
        # a frame is known (and read back) only once its file is whole: a failed write leaves no name
        if written:
            with pq.ParquetWriter(self._file(name), schema, compression="none") as writer:
                for start in range(0, max(len(df), 1), ROWS_PER_WRITE):
                    part = df.iloc[start:start + ROWS_PER_WRITE]  # the schema's (written) columns converted
                    writer.write_table(pa.Table.from_pandas(part, schema=schema, preserve_index=False))
        self._kept[name] = {c: df[c].array for c in keep}
        self._rows[name] = len(df)
        self._dtypes[name] = df.dtypes.copy()

    def get(self, name: str) -> pd.DataFrame:
        """The frame put under ``name``, as it was.

        The file is read a column at a time: the Arrow data of one column, not of the whole table, is
        held beside the frame being rebuilt.
        """
        return self._read(name, list(self._dtypes[name].index), arrow_text=False)

    def rows(self, name: str) -> int:
        """Rows of the frame put under ``name``."""
        return self._rows[name]

    def column_names(self, name: str) -> list[str]:
        """Columns of the frame put under ``name``, in its order."""
        return list(self._dtypes[name].index)

    def columns(self, name: str, columns: list[str], *, rows: np.ndarray | None = None,
                arrow_text: bool = False) -> pd.DataFrame:
        """``columns`` of the frame put under ``name``, in that order, as :meth:`get` gives them (the same
        values, dtypes and string sharing), the other columns not read; ``rows`` (a boolean mask) takes
        those rows of each column as it is read, with their positions as the index. ``arrow_text``: the text
        read from the file as Arrow-backed strings (``string[pyarrow]``, as :meth:`arrow_columns`), for a
        caller that only compares, counts or looks the values up."""
        return self._read(name, list(columns), arrow_text=arrow_text, rows=rows)

    def hold(self, name: str, columns: list[str] | tuple[str, ...]) -> None:
        """Hold ``columns`` of the frame put under ``name`` in memory from now on, as kept columns are (read
        back from its file as :meth:`get` gives them): :meth:`get` and :meth:`columns` take them from
        memory, the others from the file."""
        held, asked = self._kept[name], set(columns)
        wanted = [c for c in self._dtypes[name].index if c in asked and c not in held]
        if wanted:
            back = self._read(name, wanted, arrow_text=False)
            for c in wanted:
                held[c] = back[c].array

    def arrow_columns(self, name: str, columns: tuple[str, ...] | list[str], *,
                      rows: np.ndarray | None = None) -> pd.DataFrame:
        """The columns ``columns`` (those it has, in its order) of the frame put under ``name``, its text as
        Arrow-backed strings (``string[pyarrow]``) read from the file as they are: no Python string is
        made for a value. Kept columns are the arrays held; the other columns have their dtypes.

        ``rows`` (a boolean mask) takes those rows of each column as it is read, with their positions as
        the index, as ``frame.loc[rows, columns]`` gives them; the whole columns are never held together.

        The link stage builds the persons' linkage features (Arrow text themselves) from these once the
        register is out of memory, instead of with the whole register in memory.
        """
        wanted = set(columns)
        return self._read(name, [c for c in self._dtypes[name].index if c in wanted], arrow_text=True, rows=rows)

    def _read(self, name: str, columns: list[str], *, arrow_text: bool, rows: np.ndarray | None = None) -> pd.DataFrame:
        """``columns`` of the frame put under ``name``, a column at a time; its text as plain strings
        sharing one object per value (as the readers give them) or, ``arrow_text``, as Arrow text;
        ``rows`` of them only (a boolean mask), when given and not all."""
        dtypes, kept = self._dtypes[name], self._kept[name]
        file = pq.ParquetFile(self._file(name)) if any(c not in kept for c in columns) else None
        index: pd.Index = pd.RangeIndex(self._rows[name])
        mask = None
        if rows is not None:
            rows = np.asarray(rows, dtype=bool)
            if len(rows) != self._rows[name]:
                raise ValueError(f"rows has {len(rows)} entries for {self._rows[name]} rows of {name}")
            if not rows.all():
                mask, index = pa.array(rows), pd.Index(np.flatnonzero(rows))
        cols: dict[str, object] = {}
        for c in columns:
            if c in kept:
                cols[c] = kept[c] if mask is None else kept[c][rows]
                continue
            assert file is not None
            arr, t = file.read(columns=[c]).column(0), dtypes[c]
            if mask is not None:
                arr = arr.filter(mask)
            kind = _kind(t)
            if kind == "string" and arrow_text:
                cols[c] = pd.arrays.ArrowStringArray(arr)  # the Arrow data itself
            elif kind == "string":
                a = plain_strings(arr)
                cols[c] = a if t == a.dtype else pd.array(a, dtype=t)
            elif kind == "masked":
                cols[c] = pd.array(arr.to_pandas(types_mapper={arr.type: t}.get), dtype=t)
            else:
                cols[c] = np.asarray(arr.to_pandas().to_numpy(), dtype=t)
            del arr
        if file is not None:
            file.close()
        return pd.DataFrame(cols, index=index, copy=False)

    def discard(self, name: str) -> None:
        """Forget the frame put under ``name`` and delete its file (a frame brought back for good)."""
        self._file(name).unlink(missing_ok=True)
        for held in (self._dtypes, self._kept, self._rows):
            held.pop(name, None)

    def remove(self) -> None:
        """Delete the files (the frames already brought back are the caller's)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self._dtypes.clear()
        self._kept.clear()
        self._rows.clear()
