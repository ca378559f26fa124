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

__all__ = ["Register", "read_register", "ISSUE_COLUMNS"]

ISSUE_COLUMNS = ["table", "row", "record_id", "column", "value", "problem"]


@dataclass
class Register:
    """The contract tables of one register export.

    Attributes
    ----------
    tables : dict of table name to typed frame (households and persons always).
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
        return self.tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    @property
    def households(self) -> pd.DataFrame:
        return self.tables["households"]

    @property
    def persons(self) -> pd.DataFrame:
        return self.tables["persons"]

    @property
    def events(self) -> pd.DataFrame | None:
        return self.tables.get("events")

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
            [(n, len(t), t.shape[1]) for n, t in self.tables.items()], columns=["table", "rows", "columns"]
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
            for name, df in self.tables.items():
                df.to_parquet(tmp / f"{name}.parquet", index=False)
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
