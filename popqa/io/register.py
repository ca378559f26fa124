"""The :class:`Register`: the contract tables of one period, typed, as the rest of popqa takes them."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from popqa.contract import REQUIRED_TABLES, TABLES
from popqa.errors import InputError
from popqa.io.readers import ReadOptions, _coerce, find_table_file, read_table_report

__all__ = ["Register", "TableOnDisk", "read_register", "ISSUE_COLUMNS"]

ISSUE_COLUMNS = ["table", "row", "record_id", "column", "value", "problem"]


class TableOnDisk:
    """A table of a :class:`Register` held in a :class:`popqa.io.spill.Spill`'s file instead of memory.

    ``register[name]`` (and ``get``) read it back whole each time, exactly as it was (the spill's
    guarantee), and hold nothing: the caller's copy leaves memory with the caller's last reference;
    :meth:`Register.columns` reads only the columns asked for. Its rows and columns are known without
    reading it (the manifest's row counts, :meth:`Register.summary`).

    Some columns may be held in memory (the spill's kept columns): :meth:`Register.columns` takes those
    from memory and reads the others. The audit's link stage leaves the administrative sources' tables and
    the persons' less used columns on disk when it brings the register back (above
    :func:`popqa.pipeline.spill_threshold` persons; :data:`popqa.pipeline.LEFT_ON_DISK`): the later
    stages read only the columns they use (docs/scale.md, docs/readers.md).
    """

    def __init__(self, spill: Any, name: str) -> None:
        self.spill, self.name = spill, name
        self.columns = pd.Index(spill.column_names(name))

    def __len__(self) -> int:
        return self.spill.rows(self.name)

    def frame(self, columns: list[str] | tuple[str, ...] | None = None, rows: Any = None, *,
              arrow_text: bool = False) -> pd.DataFrame:
        """The table, or ``columns`` of it in that order (``KeyError`` for a column it does not have);
        ``rows`` (a boolean mask) those rows only, their positions as the index; ``arrow_text``: the text
        read from the file as Arrow-backed strings (:meth:`Register.columns`)."""
        if columns is None and rows is None and not arrow_text:
            return self.spill.get(self.name)
        columns = list(self.columns) if columns is None else list(columns)
        missing = [c for c in columns if c not in self.columns]
        if missing:
            raise KeyError(f"{self.name} has no column {', '.join(map(repr, missing))}")
        return self.spill.columns(self.name, columns, rows=rows, arrow_text=arrow_text)

    def __repr__(self) -> str:
        return f"TableOnDisk({self.name!r}, rows={len(self):,}, folder={str(self.spill.folder)!r})"


@dataclass
class Register:
    """The contract tables of one register export.

    Attributes
    ----------
    tables : dict of table name to typed frame (households and persons always), or to a
        :class:`TableOnDisk` for a table held in a file: read tables through ``register[name]``,
        :meth:`get` and :meth:`columns`, which read such a table back, not through ``tables``.
    parse_issues : values that did not parse (table, row, record_id, column, value,
        problem); the checks report them as validity findings.
    source : where the tables were read from.
    period : ``YYYY-MM`` of the export, when known.
    read_report : one JSON-ready dict per file read (see
        :func:`popqa.io.readers.read_table_report`): file, table, bytes, sha256,
        encoding, delimiter, date orders, rows found / read / set aside (with reasons
        and spreadsheet rows), values coerced. Frames built in memory get one entry
        per table with ``file`` None.

    Examples
    --------
    >>> import pandas as pd
    >>> from popqa.contract import TABLES
    >>> hh = pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES["households"].names})
    >>> pp = pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES["persons"].names})
    >>> reg = Register.from_frames({"households": hh, "persons": pp})
    >>> "events" in reg, len(reg.persons)
    (False, 0)
    """

    tables: dict[str, pd.DataFrame]
    parse_issues: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ISSUE_COLUMNS))
    source: str = ""
    period: str | None = None
    read_report: list[dict[str, Any]] = field(default_factory=list)

    # --- access -----------------------------------------------------------
    def __contains__(self, name: object) -> bool:
        return name in self.tables

    def __getitem__(self, name: str) -> pd.DataFrame:
        t = self.tables[name]
        return t.frame() if isinstance(t, TableOnDisk) else t

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def get(self, name: str) -> pd.DataFrame | None:
        """The table ``name``, None when the register has none (read whole from its file when on disk)."""
        return self[name] if name in self.tables else None

    def columns(self, name: str, columns: list[str] | tuple[str, ...], *, rows: Any = None,
                arrow_text: bool = False) -> pd.DataFrame | None:
        """``columns`` of the table ``name`` (in that order), None when the register has no such table;
        ``rows`` (a boolean mask) those rows only, as ``frame.loc[rows, columns]`` gives them.

        ``arrow_text``: a text column read from a table on disk comes as Arrow-backed strings
        (``string[pyarrow]``, the file's data itself) instead of a Python string per value, for a caller that
        only compares, counts or looks the values up (:mod:`popqa.textkeys` takes either): the police
        residence records' ids and communes read back took 1.7 s at 3.38 M persons (docs/benchmarks.md,
        "thirty-first measurement"). Columns held in memory are given as they are, whatever it says.

        In memory, the table's own arrays (no copy); on disk (:class:`TableOnDisk`), those columns only
        are read from its file (or taken from the columns it holds in memory), with the same values and
        dtypes. The audit's later stages take what they use of the register this way: after the link
        stage the administrative sources stay on disk, and the persons' columns no later stage reads
        often (docs/scale.md).

        >>> import pandas as pd
        >>> from popqa.contract import TABLES
        >>> frames = {t: pd.DataFrame({c: pd.Series(["1"], dtype="string") for c in TABLES[t].names})
        ...           for t in ("households", "persons")}
        >>> reg = Register.from_frames(frames)
        >>> list(reg.columns("persons", ["sex", "person_id"]).columns), reg.columns("insurance", ["sex"])
        (['sex', 'person_id'], None)
        """
        t = self.tables.get(name)
        if t is None:
            return None
        if isinstance(t, TableOnDisk):
            return t.frame(columns, rows, arrow_text=arrow_text)
        if rows is not None:
            return t.loc[rows, list(columns)]
        return pd.DataFrame({c: t[c] for c in columns}, index=t.index, copy=False)

    def on_disk(self, name: str) -> bool:
        """Whether the table ``name`` is held in a file rather than in memory (:class:`TableOnDisk`)."""
        return isinstance(self.tables.get(name), TableOnDisk)

    def rows(self) -> dict[str, int]:
        """Rows per table, in the register's order (no table on disk is read for it)."""
        return {n: len(t) for n, t in self.tables.items()}

    @property
    def households(self) -> pd.DataFrame:
        return self["households"]

    @property
    def persons(self) -> pd.DataFrame:
        return self["persons"]

    @property
    def events(self) -> pd.DataFrame | None:
        return self.get("events")

    def __repr__(self) -> str:
        """One line: period, source, rows per table and values that did not parse.

        >>> import pandas as pd
        >>> from popqa.contract import TABLES
        >>> frames = {t: pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES[t].names})
        ...           for t in ("households", "persons")}
        >>> Register.from_frames(frames, period="2026-10")
        Register(period='2026-10', source='memory', households=0, persons=0, parse_issues=0)
        """
        tables = ", ".join(f"{n}={len(t):,}" for n, t in self.tables.items())
        source = self.source if len(self.source) <= 40 else "..." + self.source[-37:]
        return (f"Register(period={self.period!r}, source={source!r}, {tables}, "
                f"parse_issues={len(self.parse_issues):,})")

    def summary(self) -> pd.DataFrame:
        """Rows and columns per table."""
        return pd.DataFrame(
            [(n, len(t), len(t.columns)) for n, t in self.tables.items()], columns=["table", "rows", "columns"]
        )

    # --- construction -----------------------------------------------------
    @classmethod
    def from_frames(
        cls, frames: dict[str, pd.DataFrame], *, source: str = "memory", period: str | None = None
    ) -> Register:
        """Build from in-memory frames, coercing each to the contract."""
        unknown = [n for n in frames if n not in TABLES]
        if unknown:
            raise InputError(f"unknown table(s) {', '.join(unknown)}", file=source)
        missing = [n for n in REQUIRED_TABLES if n not in frames]
        if missing:
            raise InputError(f"required table(s) missing: {', '.join(missing)}", file=source)
        tables, issues, report = {}, [], []
        options = ReadOptions()
        for name, raw in frames.items():
            df, iss, stats = _coerce(raw, TABLES[name], source=f"{source}:{name}", rows=None, options=options)
            tables[name] = df
            issues.append(iss)
            report.append({"file": None, "table": name, "format": "memory", "rows_found": len(raw),
                           "rows_read": len(df), "rows_set_aside": 0, "set_aside": [],
                           "date_orders": stats["date_orders"],
                           "values_coerced": {"float_codes_normalised": stats["float_codes_normalised"],
                                              "leading_zeros_restored": stats["leading_zeros_restored"]},
                           "values_not_parsed": stats["values_not_parsed"]})
        return cls(tables=tables, parse_issues=_concat_issues(issues), source=source, period=period,
                   read_report=report)

    # --- canonical parquet form -------------------------------------------
    def to_parquet(self, folder: str | Path) -> Path:
        """Write the canonical Parquet form: one file per table plus ``register.json``.

        The folder is written atomically (into a temporary sibling, then renamed),
        so a reader never sees half a register.
        """
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            for name in self.tables:
                self[name].to_parquet(tmp / f"{name}.parquet", index=False)
            if len(self.parse_issues):
                self.parse_issues.astype("string").to_parquet(tmp / "_parse_issues.parquet", index=False)
            meta = {"source": self.source, "period": self.period, "tables": {n: len(t) for n, t in self.tables.items()},
                    "read_report": self.read_report}
            (tmp / "register.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
            if folder.exists():
                old = folder.with_name(folder.name + ".old")
                if old.exists():
                    shutil.rmtree(old)
                os.replace(folder, old)
                os.replace(tmp, folder)
                shutil.rmtree(old)
            else:
                os.replace(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return folder


    def to_period_store(self, root: str | Path) -> Path:
        """Write the canonical Parquet form into ``root/<period>/`` (one folder per period).

        Examples
        --------
        >>> import pandas as pd, tempfile
        >>> from popqa.contract import TABLES
        >>> frames = {t: pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES[t].names})
        ...           for t in ("households", "persons")}
        >>> reg = Register.from_frames(frames, period="2026-10")
        >>> root = tempfile.mkdtemp()
        >>> reg.to_period_store(root).name
        '2026-10'
        >>> read_register(Path(root) / "2026-10").period
        '2026-10'
        """
        if not self.period:
            raise InputError("the register has no period; set Register.period (YYYY-MM) first", file=self.source)
        return self.to_parquet(Path(root) / self.period)


def _concat_issues(issues: list[pd.DataFrame]) -> pd.DataFrame:
    issues = [i for i in issues if len(i)]
    if not issues:
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    return pd.concat(issues, ignore_index=True)


def read_register(
    folder: str | Path,
    *,
    tables: list[str] | None = None,
    period: str | None = None,
    options: ReadOptions | None = None,
) -> Register:
    """Read a register folder: one file per contract table (CSV, XLSX or Parquet).

    ``households`` and ``persons`` are required; any other contract table that
    is present is read too. Files that are not contract tables are ignored.
    :attr:`Register.read_report` holds one report per file read.

    Parameters
    ----------
    folder : the register folder.
    tables : read only these tables (default: every contract table present).
    period : ``YYYY-MM`` of the export (default: ``register.json``'s, if any), checked
        with :class:`popqa.period.Period`.
    options : :class:`~popqa.io.readers.ReadOptions` (date order default, missing-value
        tokens, what to do with malformed rows).

    Raises
    ------
    popqa.errors.InputError
        The folder or a required table is missing, two files hold one table, a file
        cannot be read, or a row is malformed (unless ``options.bad_rows == "set_aside"``).
    popqa.period.PeriodError
        ``period`` is not ``YYYY-MM`` (checked before any file is read).

    Examples
    --------
    >>> reg = read_register("data_samples/tayninh-godau/register", tables=["households", "persons"])
    >>> [(r["file"], r["rows_found"], r["rows_read"], r["rows_set_aside"]) for r in reg.read_report]
    [('households.csv', 871, 871, 0), ('persons.csv', 3689, 3689, 0)]
    """
    if period is not None:
        from popqa.period import Period

        period = str(Period.parse(period))
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("register folder not found", file=str(folder))
    meta_file = folder / "register.json"
    if period is None and meta_file.exists():
        period = json.loads(meta_file.read_text(encoding="utf-8")).get("period")
    names = tables or list(TABLES)
    found: dict[str, pd.DataFrame] = {}
    issues = []
    report = []
    for name in names:
        path = find_table_file(folder, name)
        if path is None:
            if name in REQUIRED_TABLES:
                raise InputError(
                    f"required table {name!r} not found (looked for {name}.parquet/.csv/.xlsx)", file=str(folder)
                )
            continue
        df, iss, rep = read_table_report(path, name, options=options)
        found[name] = df
        issues.append(iss)
        report.append(rep)
    stored = folder / "_parse_issues.parquet"
    if stored.exists():
        issues.append(pd.read_parquet(stored))
    return Register(tables=found, parse_issues=_concat_issues(issues), source=str(folder), period=period,
                    read_report=report)
