"""Read one contract table from CSV, XLSX or Parquet into a typed pandas frame.

Text is decoded (UTF-8 with or without BOM, UTF-16, Windows-1258, TCVN3, VNI) and
normalised to Unicode NFC; codes keep their leading zeros; numbers and dates
that do not parse become missing and are recorded as *parse issues* (kept,
reported by the checks, never a crash). A missing required column, an
unreadable file, an unknown encoding or a malformed row raises
:class:`popqa.errors.InputError` naming the file (and row/column where it applies).

Every data row of a file is either read or set aside with its reason, and the
per-file *read report* (:func:`read_table_report`) says which, with the bytes'
SHA-256, the encoding, the delimiter, each date column's day/month order and the
counts of values cleaned. See ``docs/readers.md``.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from popqa.contract import TABLES, TableSpec
from popqa.errors import InputError
from popqa.io.dates import parse_date_column
from popqa.io.delimited import CONTROL_CHARS, read_delimited

__all__ = [
    "read_table",
    "read_table_report",
    "coerce_table",
    "find_table_file",
    "ReadOptions",
    "SUFFIXES",
    "CODE_WIDTHS",
    "MISSING_TOKENS",
]

SUFFIXES = (".parquet", ".csv", ".xlsx", ".xls", ".tsv", ".txt")

#: Fixed widths of codes whose leading zeros spreadsheets tend to drop.
CODE_WIDTHS = {
    "province_code": 2,
    "district_code": 3,
    "commune_code": 5,
    "other_commune_code": 5,
    "ethnicity_code": 2,
    "citizen_id": 12,
}
#: Shortest value whose leading zeros are restored, where a shorter value is not a code that
#: lost its zeros but a wrong one (a 12-digit citizen ID starts with a 3-digit province code
#: 001-096, so Excel drops one or two zeros, never more).
_PAD_FROM = {"citizen_id": 10}

#: Cell texts that mean "no value" (SQL dumps, R, Excel's #N/A), matched exactly.
MISSING_TOKENS = ("NULL", "null", "NA", "N/A", "#N/A")
_LISTED = 1000


@dataclass(frozen=True)
class ReadOptions:
    """How the readers treat what a file does not say.

    Parameters
    ----------
    dayfirst : order of a date column in which no value tells day from month.
    date_tolerance : share of a date column's decided values that may contradict its
        order (typing errors) before the column is contradictory.
    missing_tokens : cell texts read as missing.
    bad_rows : ``"error"`` stops at a malformed row (an :class:`InputError` naming file and
        row); ``"set_aside"`` sets it aside, reports it and reads the rest.

    Examples
    --------
    >>> ReadOptions(missing_tokens=(*MISSING_TOKENS, "-")).missing_tokens[-1]
    '-'
    >>> ReadOptions(bad_rows="skip")
    Traceback (most recent call last):
    ...
    ValueError: bad_rows must be 'error' or 'set_aside', got 'skip'
    """

    dayfirst: bool = True
    date_tolerance: float = 0.01
    missing_tokens: tuple[str, ...] = MISSING_TOKENS
    bad_rows: str = "error"

    def __post_init__(self) -> None:
        if self.bad_rows not in ("error", "set_aside"):
            raise ValueError(f"bad_rows must be 'error' or 'set_aside', got {self.bad_rows!r}")
        if not 0 <= self.date_tolerance < 0.5:
            raise ValueError(f"date_tolerance must be in [0, 0.5), got {self.date_tolerance!r}")
        object.__setattr__(self, "missing_tokens", tuple(self.missing_tokens))

_TRUE = {"true", "1", "yes", "y", "t", "có", "co", "x"}
_FALSE = {"false", "0", "no", "n", "f", "không", "khong", ""}


def find_table_file(folder: Path, table: str) -> Path | None:
    """The file holding ``table`` in a register folder, or None.

    Raises
    ------
    popqa.errors.InputError
        Two files for one table (``persons.csv`` beside a stale ``persons.parquet``):
        which one is this month's export is for the user to say, not for popqa to guess.
    """
    found = [folder / f"{table}{suffix}" for suffix in SUFFIXES if (folder / f"{table}{suffix}").exists()]
    if len(found) > 1:
        raise InputError(
            f"two files for table {table!r}: {' and '.join(p.name for p in found)}; "
            "keep only the one to read",
            file=str(folder),
        )
    return found[0] if found else None


def _nfc(s: pd.Series) -> pd.Series:
    """NFC, trimmed, inner whitespace collapsed; vectorised with Arrow compute."""
    arr = pa.array(s.astype(_STR).array)
    if not pc.all(pc.string_is_ascii(arr)).as_py():  # codes, IDs and dates are ASCII: NFC leaves them as they are
        arr = pc.utf8_normalize(arr, "NFC")
    arr = pc.utf8_trim_whitespace(arr)
    arr = pc.replace_substring_regex(arr, r"\s{2,}|[\t\r\n]", " ")
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=s.index, dtype=_STR)


def _arrow_strings(t: pa.DataType) -> object:
    return pd.StringDtype("pyarrow") if pa.types.is_string(t) or pa.types.is_large_string(t) else None


def _read_bytes(path: Path) -> tuple[bytes, str]:
    """The file's bytes and their SHA-256, hashed chunk by chunk as they are read."""
    h = hashlib.sha256()
    chunks = []
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 23):
            h.update(chunk)
            chunks.append(chunk)
    return b"".join(chunks), h.hexdigest()


@dataclass
class _Raw:
    frame: pd.DataFrame
    rows: np.ndarray
    report: dict[str, Any]
    set_aside: list[dict[str, Any]] = field(default_factory=list)
    repaired: list[dict[str, Any]] = field(default_factory=list)

    def take_frame(self) -> pd.DataFrame:
        """The frame, no longer held here: :func:`_coerce` then holds the file's columns alone and each
        leaves memory once converted."""
        frame, self.frame = self.frame, pd.DataFrame()
        return frame


def _raw_frame(path: Path, options: ReadOptions) -> _Raw:
    suffix = path.suffix.lower()
    try:
        data, sha = _read_bytes(path)
    except OSError as exc:
        raise InputError(f"cannot read file ({type(exc).__name__}: {exc})", file=str(path)) from exc
    report: dict[str, Any] = {"file": path.name, "path": str(path), "format": suffix.lstrip("."),
                              "bytes": len(data), "sha256": sha, "encoding": None, "delimiter": None,
                              "line_endings": None}
    try:
        if suffix == ".parquet":
            df = pq.read_table(pa.BufferReader(data)).to_pandas(types_mapper=_arrow_strings)
            return _Raw(df, np.arange(len(df), dtype=np.int64) + 2, report)
        if suffix in (".xlsx", ".xls"):
            df = pd.read_excel(io.BytesIO(data), dtype=object)
            return _Raw(df, np.arange(len(df), dtype=np.int64) + 2, report)
    except Exception as exc:  # unreadable file: say which and why
        raise InputError(f"cannot read file ({type(exc).__name__}: {exc})", file=str(path)) from exc
    out = read_delimited(data, source=str(path), tsv=suffix == ".tsv", bad_rows=options.bad_rows)
    report.update(encoding=out.encoding, delimiter=out.delimiter, line_endings=out.line_endings)
    report["control_characters_removed"] = out.control_chars_removed
    if out.control_chars_removed:
        report["control_character_rows"] = out.control_char_rows
    report["rows_found"] = out.rows_found
    return _Raw(out.frame, out.rows, report, out.set_aside, out.repaired)


def _has_control_bytes(arr: pa.Array) -> bool:
    """Cheap test on the array's UTF-8 bytes: could a value hold a control character?"""
    data = arr.buffers()[2] if arr.type == pa.string() else None
    if data is None:
        return arr.type != pa.string()
    b = np.frombuffer(data, dtype=np.uint8)
    low = b < 32
    if low.any():
        low &= (b != 9) & (b != 10) & (b != 13)
    return bool(low.any() or (b == 127).any())


def _tidy(raw: _Raw, options: ReadOptions) -> _Raw:
    """Missing-value tokens to missing, control characters out, blank rows set aside."""
    df = raw.frame
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise InputError("column appears twice in the header", file=raw.report["path"], column=str(dup))
    tokens = pa.array(list(options.missing_tokens), pa.string())
    token_counts: dict[str, int] = {}
    ctrl_counts: dict[str, int] = {}
    check_ctrl = raw.report["format"] in ("parquet", "xlsx", "xls")
    for c in list(df.columns):
        s = df[c]
        if isinstance(s.dtype, pd.StringDtype):
            arr = pa.array(s.array)
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            hit = pc.fill_null(pc.is_in(arr, value_set=tokens), False)
            n = pc.sum(hit).as_py() or 0
            if n:
                token_counts[str(c)] = int(n)
                arr = pc.if_else(hit, pa.scalar(None, pa.string()), arr)
            if check_ctrl and _has_control_bytes(arr):
                bad = pc.fill_null(pc.match_substring_regex(arr, CONTROL_CHARS.pattern), False)
                k = pc.sum(bad).as_py() or 0
                if k:
                    ctrl_counts[str(c)] = int(k)
                    arr = pc.replace_substring_regex(arr, CONTROL_CHARS.pattern, "")
            if n or (check_ctrl and ctrl_counts.get(str(c))):
                df[c] = pd.Series(pd.arrays.ArrowStringArray(arr), index=s.index)
        elif s.dtype == object:
            hit = s.isin(options.missing_tokens)
            if hit.any():
                token_counts[str(c)] = int(hit.sum())
                s = s.mask(hit)
            txt = s.astype("string")  # numbers as text: they never hold control characters
            bad = txt.str.contains(CONTROL_CHARS.pattern, regex=True).fillna(False).astype(bool)
            if bad.any():
                ctrl_counts[str(c)] = int(bad.sum())
                s = s.where(~bad, txt.str.replace(CONTROL_CHARS.pattern, "", regex=True).astype(object))
            df[c] = s
    # a blank row: every cell empty or white space (Excel's trailing ",,,,," rows, empty sheet rows)
    blank = np.ones(len(df), dtype=bool)
    for c in df.columns:
        if not blank.any():
            break
        s = df[c]
        empty = s.isna().to_numpy(dtype=bool)
        if (blank & ~empty).any() and (isinstance(s.dtype, pd.StringDtype) or s.dtype == object):
            arr = pa.array(s.astype(_STR).array)
            arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
            space = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(arr)), 0)
            empty |= pc.fill_null(space, False).to_numpy(zero_copy_only=False)
        blank &= empty
    set_aside = list(raw.set_aside)
    rows = raw.rows
    if len(df.columns) and blank.any():
        set_aside += [{"row": int(r), "reason": "blank row"} for r in rows[blank]]
        df = df.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    raw.report["missing_tokens"] = token_counts
    if check_ctrl:
        raw.report["control_characters_removed"] = ctrl_counts
    raw.frame, raw.rows, raw.set_aside = df, rows, set_aside
    return raw


_STR = pd.StringDtype("pyarrow")
_PLAIN = pd.StringDtype("python")


def _to_text(s: pd.Series) -> pd.Series:
    """Any column to Arrow-backed text; whole floats lose their '.0' (Excel's codes)."""
    if isinstance(s.dtype, pd.StringDtype):
        return s.astype(_STR)
    if pd.api.types.is_float_dtype(s):
        out = pd.Series(pd.NA, index=s.index, dtype=_STR)
        ok = s.notna()
        vals = s[ok]
        whole = np.isfinite(vals) & (vals == np.floor(vals))
        out[ok & ~whole.reindex(s.index, fill_value=False)] = vals[~whole].astype(str)
        out[whole[whole].index] = vals[whole].astype("int64").astype(str)
        return out
    if pd.api.types.is_integer_dtype(s) or pd.api.types.is_bool_dtype(s):
        return s.astype("string").astype(_STR)
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%Y-%m-%d").astype(_STR)
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        return s.astype(_STR)

    def one(v: object) -> object:
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, pd.Timestamp):
            return v.strftime("%Y-%m-%d")
        return str(v)

    return s.map(one).astype(_STR)


def _plain(t: pd.Series) -> pd.Series:
    """Arrow-backed text to plain pandas strings, repeated values sharing one Python object.

    Codes, dates as text and names repeat a lot in a register; sharing the objects keeps a
    province's persons table hundreds of megabytes smaller than one object per cell.

    Arrow-backed text would hold the register in less (3.38 M persons: 2,372 MB after reading against
    3,153 MB), but the stages turn its columns into Python objects again (``to_numpy(dtype=object)``,
    ``astype("string")``, ``map``), each cell a new object where these share one per distinct value:
    measured, the merged province's audit peaked at 8,895 MB against 7,871 MB (docs/benchmarks.md,
    2026-12-03).
    """
    return pd.Series(plain_strings(pa.array(t.array)), index=t.index)


def plain_strings(arr: pa.Array | pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    """Arrow text as a plain pandas string array whose repeated values share one Python object.

    >>> a = plain_strings(pa.array(["72", None, "72"]))
    >>> a.dtype, list(a), a[0] is a[2]
    (string[python], ['72', <NA>, '72'], True)
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    # each distinct value made a Python string once (Arrow's dictionary encoding), then taken by index
    # (Arrow's to_pandas(deduplicate_objects=True) gives the same objects, 13 s slower at 1.2 M persons)
    enc = pc.dictionary_encode(arr)
    values = np.empty(len(enc.dictionary) + 1, dtype=object)
    values[:-1] = enc.dictionary.to_pylist()
    values[-1] = None
    obj = values[pc.fill_null(enc.indices, len(enc.dictionary)).to_numpy()]
    return pd.array(obj, dtype=_PLAIN)


def _pad_code(t: pd.Series, width: int, shortest: int = 1) -> tuple[pd.Series, int]:
    """Restore leading zeros of all-digit codes of ``shortest`` to ``width - 1`` digits.

    Returns the codes and how many were padded.
    """
    arr = pa.array(t.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = pc.utf8_length(arr)
    short = pc.and_kleene(
        pc.match_substring_regex(arr, r"^\d+$"),
        pc.and_kleene(pc.less(n, width), pc.greater_equal(n, shortest)),
    )
    short = pc.fill_null(short, False)
    k = pc.sum(short).as_py() or 0
    if k:
        arr = pc.if_else(short, pc.utf8_lpad(arr, width, "0"), arr)
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=t.index, dtype=_STR), int(k)


def _whole_floats(t: pd.Series) -> tuple[pd.Series, int]:
    """Codes written as floats in a text file (``25654.0``) lose the ``.0``, as in XLSX."""
    arr = pa.array(t.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pc.any(pc.fill_null(pc.match_substring(arr, "."), False)).as_py():
        return t, 0
    hit = pc.fill_null(pc.match_substring_regex(arr, r"^\d+\.0+$"), False)
    k = pc.sum(hit).as_py() or 0
    if not k:
        return t, 0
    arr = pc.replace_substring_regex(arr, r"^(\d+)\.0+$", r"\1")
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=t.index, dtype=_STR), int(k)


_NUMBER = r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$"


def _parse_numbers(txt: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text to float64 with Arrow compute; returns (numbers, mask of values that did not parse)."""
    arr = pc.utf8_trim_whitespace(pa.array(txt.array))
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    ok = pc.fill_null(pc.match_substring_regex(arr, _NUMBER), False)
    clean = pc.replace_substring(pc.if_else(ok, arr, pa.scalar(None, pa.string())), ",", ".")
    num = pc.cast(clean, pa.float64()).to_numpy(zero_copy_only=False)
    bad = pc.and_(pc.invert(ok), pc.is_valid(arr)).to_numpy(zero_copy_only=False)
    return pd.Series(num, index=txt.index), pd.Series(bad, index=txt.index)


def coerce_table(
    raw: pd.DataFrame,
    spec: TableSpec,
    *,
    source: str = "",
    rows: np.ndarray | None = None,
    options: ReadOptions | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coerce a raw frame to the contract's types.

    Returns the typed frame (extra columns kept as text, optional contract
    columns that are absent added as missing) and a frame of parse issues:
    ``table, row, record_id, column, value, problem`` (row is 1-based with the
    header as row 1, as a spreadsheet shows it; ``rows`` gives each raw record's
    spreadsheet row when some rows were set aside, else record *i* is row *i + 2*).

    Examples
    --------
    >>> raw = pd.DataFrame({"household_id": ["H1"], "province_code": ["72"],
    ...     "district_code": ["710"], "commune_code": ["25456"], "village": ["Ấp 1"],
    ...     "address": [""], "collaborator_id": ["C1"], "created_date": ["31/12/2020"]})
    >>> df, issues = coerce_table(raw, TABLES["households"])
    >>> str(df.loc[0, "created_date"].date()), len(issues)
    ('2020-12-31', 0)
    """
    df, issues, _ = _coerce(raw, spec, source=source, rows=rows, options=options or ReadOptions())
    return df, issues


def _coerce(
    raw: pd.DataFrame, spec: TableSpec, *, source: str, rows: np.ndarray | None, options: ReadOptions
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    df = raw.copy()
    del raw  # a caller that hands its frame over (_Raw.take_frame) frees each file column once converted
    df.columns = [unicodedata.normalize("NFC", str(c)).strip().lower().replace(" ", "_") for c in df.columns]
    # pandas renames a repeated header "x" to "x.1"
    mangled = [c for c in df.columns if re.fullmatch(r".+\.\d+", c) and c.rsplit(".", 1)[0] in df.columns]
    if df.columns.duplicated().any() or mangled:
        dup = mangled[0].rsplit(".", 1)[0] if mangled else df.columns[df.columns.duplicated()][0]
        raise InputError("column appears twice in the header", file=source or spec.name, column=dup)
    missing = [c.name for c in spec.required_columns if c.name not in df.columns]
    if missing:
        raise InputError(
            f"missing required column(s) {', '.join(missing)} of table {spec.name!r} "
            f"(found: {', '.join(map(str, df.columns)) or 'none'})",
            file=source or spec.name,
            column=missing[0],
        )
    df = df.reset_index(drop=True)
    rownum = np.arange(len(df), dtype=np.int64) + 2 if rows is None else np.asarray(rows, dtype=np.int64)
    if len(rownum) != len(df):
        raise ValueError(f"rows has {len(rownum)} entries for {len(df)} records")
    stats: dict[str, Any] = {"float_codes_normalised": {}, "leading_zeros_restored": {}, "date_orders": {},
                             "values_not_parsed": {}}
    issues: list[pd.DataFrame] = []
    key = spec.key
    for col in spec.columns:
        if col.name not in df.columns:
            empty = np.nan if col.kind == "float" else pd.NaT if col.kind in ("date", "datetime") else pd.NA
            df[col.name] = pd.Series(empty, index=df.index, dtype=_empty_dtype(col.kind))
            continue
        s = df[col.name]
        problem: np.ndarray | str
        if col.kind in ("id", "code", "str"):
            t = _to_text(s)
            t = _nfc(t)
            t = t.mask(t == "")
            if col.kind in ("id", "code"):
                t, k = _whole_floats(t)
                if k:
                    stats["float_codes_normalised"][col.name] = k
            if col.kind == "code" and col.name in CODE_WIDTHS:
                t, k = _pad_code(t, CODE_WIDTHS[col.name], _PAD_FROM.get(col.name, 1))
                if k:
                    stats["leading_zeros_restored"][col.name] = k
            # plain (Python-backed) strings in the table: pandas 2.x isin on Arrow-backed strings
            # is a Python loop over the values, ruinous for lookups against a million ids
            df[col.name] = _plain(t)
            continue
        if col.kind in ("int", "float"):
            if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
                num = pd.to_numeric(s, errors="coerce")
                bad = pd.Series(False, index=s.index)
            else:
                num, bad = _parse_numbers(_to_text(s))
            if col.kind == "int":
                nonint = num.notna() & (num != np.floor(num.fillna(0)))
                bad = bad | nonint
                num = num.mask(nonint)
                df[col.name] = num.round().astype("Int64")
            else:
                df[col.name] = num.astype("float64")
            problem = f"not a valid {col.kind}"
        elif col.kind in ("date", "datetime"):
            parsed = parse_date_column(
                s, with_time=col.kind == "datetime", dayfirst=options.dayfirst, tolerance=options.date_tolerance
            )
            stats["date_orders"][col.name] = parsed.decision
            bad = parsed.problems.notna()
            problem = parsed.problems.to_numpy()
            df[col.name] = parsed.values.to_numpy()
        elif col.kind == "bool":
            if pd.api.types.is_bool_dtype(s):
                df[col.name] = s.astype("boolean")
                continue
            txt = _to_text(s).str.strip().str.lower()
            val = pd.Series(pd.NA, index=s.index, dtype="boolean")
            val[txt.isin(_TRUE).fillna(False).astype(bool)] = True
            val[txt.isin(_FALSE - {""}).fillna(False).astype(bool)] = False
            bad = txt.notna() & (txt != "") & ~txt.isin(_TRUE | _FALSE).fillna(False).astype(bool)
            df[col.name] = val
            problem = "not a valid bool"
        else:  # pragma: no cover - contract kinds are closed
            raise ValueError(col.kind)
        bad_np = np.asarray(bad.fillna(False) if hasattr(bad, "fillna") else bad, dtype=bool)
        if bad_np.any():
            idx = np.flatnonzero(bad_np)
            stats["values_not_parsed"][col.name] = int(len(idx))
            issues.append(
                pd.DataFrame(
                    {
                        "table": spec.name,
                        "row": rownum[idx],
                        "record_id": (
                            df[key].iloc[idx].astype("string").to_numpy() if key and key in df else None
                        ),
                        "column": col.name,
                        "value": _to_text(s.iloc[idx]).to_numpy(),
                        "problem": problem[idx] if isinstance(problem, np.ndarray) else problem,
                    }
                )
            )
    extra = [c for c in df.columns if c not in spec.names]
    for c in extra:
        if df[c].dtype == object:
            df[c] = _to_text(df[c])
    # the columns in the contract's order, each column's own array (``df[names]`` copied the whole table,
    # the read stage's peak at 3.38 M persons: docs/benchmarks.md); the index is already 0, 1, ...
    df = pd.DataFrame({c: df[c] for c in spec.names + extra}, index=df.index, copy=False)
    issues_df = (
        pd.concat(issues, ignore_index=True)
        if issues
        else pd.DataFrame(columns=["table", "row", "record_id", "column", "value", "problem"])
    )
    return df, issues_df, stats


def _empty_dtype(kind: str) -> str:
    return {
        "id": "string",
        "code": "string",
        "str": "string",
        "int": "Int64",
        "float": "float64",
        "bool": "boolean",
        "date": "datetime64[ns]",
        "datetime": "datetime64[ns]",
    }[kind]


def read_table(
    path: str | Path, table: str | None = None, *, options: ReadOptions | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and type one contract table.

    Parameters
    ----------
    path : path of a ``.csv``, ``.tsv``, ``.txt``, ``.xlsx`` or ``.parquet`` file.
    table : contract table name; defaults to the file's stem.
    options : :class:`ReadOptions` (date order default, missing-value tokens, bad rows).

    Returns
    -------
    (frame, parse_issues)

    Raises
    ------
    popqa.errors.InputError
        Unreadable file, unknown encoding, empty file, missing required column or a
        malformed row (unless ``options.bad_rows == "set_aside"``).
    """
    df, issues, _ = read_table_report(path, table, options=options)
    return df, issues


def read_table_report(
    path: str | Path, table: str | None = None, *, options: ReadOptions | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Read and type one contract table, with its read report.

    The report is a JSON-ready dict: ``file, path, table, format, bytes, sha256``
    (of the bytes read), ``encoding, delimiter, line_endings`` (text files),
    ``rows_found, rows_read, rows_set_aside, set_aside`` (``{"row", "reason"}``, the
    first 1,000), ``set_aside_by_reason``, ``repaired`` (stray quotes removed),
    ``date_orders`` (per date column: order, basis, counts), ``values_coerced``
    (missing tokens, float-written codes, leading zeros restored, control characters
    removed, per column) and ``values_not_parsed`` (per column). Always
    ``rows_found == rows_read + rows_set_aside``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "households.csv"
    >>> _ = p.write_bytes(b"household_id,province_code,district_code,commune_code,village,"
    ...     b"address,collaborator_id,created_date\\nH1,72.0,710,25654,A,NULL,C1,12/31/2020\\n,,,,,,,\\n")
    >>> df, issues, rep = read_table_report(p)
    >>> df.loc[0, "province_code"], pd.isna(df.loc[0, "address"]), str(df.loc[0, "created_date"].date())
    ('72', True, '2020-12-31')
    >>> rep["rows_found"], rep["rows_read"], rep["set_aside"], rep["date_orders"]["created_date"]["order"]
    (2, 1, [{'row': 3, 'reason': 'blank row'}], 'month-first')
    """
    options = options or ReadOptions()
    path = Path(path)
    name = table or path.stem
    if name not in TABLES:
        raise InputError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}", file=str(path))
    if not path.exists():
        raise InputError("file not found", file=str(path))
    raw = _tidy(_raw_frame(path, options), options)
    df, issues, stats = _coerce(raw.take_frame(), TABLES[name], source=str(path), rows=raw.rows, options=options)
    spec = TABLES[name]
    extra_issues = []
    if raw.repaired:
        rep = pd.DataFrame(raw.repaired)
        by_row = pd.Series(df[spec.key].to_numpy(), index=raw.rows) if spec.key else None
        extra_issues.append(pd.DataFrame({
            "table": name, "row": rep["row"].to_numpy(),
            "record_id": by_row.reindex(rep["row"]).to_numpy() if by_row is not None else None,
            "column": rep["column"].to_numpy(), "value": rep["value"].to_numpy(),
            "problem": rep["problem"].to_numpy(),
        }))
    bad_rows = [r for r in raw.set_aside if r["reason"] != "blank row"]
    if bad_rows:
        extra_issues.append(pd.DataFrame({
            "table": name, "row": [r["row"] for r in bad_rows], "record_id": None, "column": None,
            "value": None, "problem": [f"row set aside: {r['reason']}" for r in bad_rows],
        }))
    if extra_issues:
        issues = pd.concat([i.astype(object) for i in [issues, *extra_issues] if len(i)], ignore_index=True)
        issues["row"] = issues["row"].astype("int64")
        issues = issues.sort_values(["row", "column"], kind="stable", na_position="first").reset_index(drop=True)
    report = dict(raw.report)
    report["table"] = name
    rows_found = report.pop("rows_found", len(raw.rows) + len(raw.set_aside))
    set_aside = sorted(raw.set_aside, key=lambda r: r["row"])
    by_reason: dict[str, int] = {}
    for r in set_aside:
        by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + 1
    values_coerced = {
        "missing_tokens": report.pop("missing_tokens", {}),
        "float_codes_normalised": stats["float_codes_normalised"],
        "leading_zeros_restored": stats["leading_zeros_restored"],
        "control_characters_removed": report.pop("control_characters_removed", 0),
        "stray_quotes_removed": len(raw.repaired),
    }
    report.update(
        rows_found=int(rows_found),
        rows_read=int(len(df)),
        rows_set_aside=len(set_aside),
        set_aside=set_aside[:_LISTED],
        set_aside_by_reason=by_reason,
        repaired=raw.repaired[:_LISTED],
        date_orders=stats["date_orders"],
        values_coerced=values_coerced,
        values_not_parsed=stats["values_not_parsed"],
    )
    if report["rows_found"] != report["rows_read"] + report["rows_set_aside"]:  # pragma: no cover
        raise AssertionError(f"{path}: rows do not add up: {report}")
    return df, issues, report
