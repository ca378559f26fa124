"""Linkage frames held in a Parquet file instead of memory, read by the models' DuckDB.

The link stage's five models share the persons' linkage features (about 1 GB of Arrow text at 3.4 M
persons) and each source's model has its own (0.8 GB for the police residence records of a merged
province). Registered with Splink as pandas frames they sit outside DuckDB's ``memory_limit``, beside
the copy Splink materialises inside it (the records with their term frequencies), so the link stage's
peak grew with the register on top of the limit. A :class:`FrameFile` is such a frame written once to
the audit's scratch folder: :func:`popqa.linkage.model.run_splink` gives Splink a view over the file,
so the records enter memory only inside DuckDB's limit, and the steps that need a few columns in pandas
(the records settled by citizen ID, the whole-name adjustment, the source's ids) read only those.

The file is read in its row order, and the view is scanned as a pandas frame is, so the models see the
same records in the same order: the pairs and weights are those of the frame in memory
(``tests/linkage/test_frames.py``).

Examples
--------
>>> import tempfile
>>> df = pd.DataFrame({"unique_id": pd.array(["a", "b"], dtype="string[pyarrow]"),
...                    "birth_year": pd.array([1990, None], dtype="Int64")})
>>> with tempfile.TemporaryDirectory() as d:
...     f = FrameFile.write(df, Path(d) / "persons.parquet")
...     back = f.read()
...     ids = f.read(["unique_id"])
>>> len(f), back.equals(df), list(ids.columns), back["unique_id"].dtype
(2, True, ['unique_id'], string[pyarrow])
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["FrameFile", "read_columns"]

#: Rows converted to Arrow at a time when a frame is written (the write's own memory is a slice).
ROWS_PER_WRITE = 1 << 19


@dataclass(frozen=True)
class FrameFile:
    """A linkage frame written to ``path`` (Parquet), with its row count and its columns' pandas dtypes."""

    path: Path
    rows: int
    dtypes: tuple[tuple[str, Any], ...]

    @classmethod
    def write(cls, df: pd.DataFrame, path: str | Path) -> FrameFile:
        """Write ``df`` (a default index, text column names) to ``path``; the file is whole or absent, and a
        failed write leaves nothing behind (not even its ``.part`` file)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        schema = pa.Schema.from_pandas(df.iloc[:0], preserve_index=False).remove_metadata()
        part_file = path.with_name(path.name + ".part")
        try:
            with pq.ParquetWriter(part_file, schema, compression="none") as writer:
                for start in range(0, max(len(df), 1), ROWS_PER_WRITE):
                    table = pa.Table.from_pandas(df.iloc[start:start + ROWS_PER_WRITE], schema=schema,
                                                 preserve_index=False)
                    writer.write_table(table)
            part_file.replace(path)
        except BaseException:  # a full disk, an interruption: no half-written file left behind
            part_file.unlink(missing_ok=True)
            raise
        return cls(path, len(df), tuple((str(c), t) for c, t in df.dtypes.items()))

    def __len__(self) -> int:
        return self.rows

    @property
    def columns(self) -> pd.Index:
        return pd.Index([c for c, _ in self.dtypes])

    def read(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The frame, or ``columns`` of it, with the dtypes it was written with."""
        want = dict(self.dtypes) if columns is None else {c: dict(self.dtypes)[c] for c in columns}
        table = pq.read_table(self.path, columns=list(want))
        cols: dict[str, Any] = {}
        for c, t in want.items():
            arr = table.column(c)
            if isinstance(t, pd.StringDtype) and t.storage == "pyarrow":
                cols[c] = pd.arrays.ArrowStringArray(arr)  # Arrow's buffers, no Python string made
            else:
                cols[c] = arr.to_pandas().astype(t, copy=False)
        return pd.DataFrame(cols, index=pd.RangeIndex(table.num_rows))

    def sql(self, extra: str = "", *, row_number: bool = False) -> str:
        """A SELECT of every column of the file (and ``extra`` select items after them); with ``row_number``,
        also DuckDB's ``file_row_number``, each record's position in the file (0, 1, ...)."""
        where = str(self.path).replace("'", "''")
        return f"SELECT *{extra} FROM read_parquet('{where}'{', file_row_number = true' if row_number else ''})"

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def read_columns(frame: pd.DataFrame | FrameFile, columns: list[str]) -> pd.DataFrame:
    """``columns`` of a linkage frame in memory or in a file (those it has)."""
    have = [c for c in columns if c in frame.columns]
    return frame.read(have) if isinstance(frame, FrameFile) else frame[have]
