"""Read one contract table from CSV, XLSX or Parquet into a typed pandas frame.

Text is decoded (UTF-8, UTF-8 with BOM, Windows-1258, TCVN3, VNI) and
normalised to Unicode NFC; codes keep their leading zeros; numbers and dates
that do not parse become missing and are recorded as *parse issues* (kept,
reported by the checks, never a crash). A missing required column, an
unreadable file or an unknown encoding raises :class:`popqa.errors.InputError`
naming the file (and row/column where it applies).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from popqa.contract import TABLES, TableSpec
from popqa.errors import InputError
from popqa.io.encodings import decode_bytes

__all__ = ["read_table", "coerce_table", "find_table_file", "SUFFIXES", "CODE_WIDTHS"]

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

_TRUE = {"true", "1", "yes", "y", "t", "có", "co", "x"}
_FALSE = {"false", "0", "no", "n", "f", "không", "khong", ""}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_DMY_DATE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")


def find_table_file(folder: Path, table: str) -> Path | None:
    """The file holding ``table`` in a register folder, or None."""
    for suffix in SUFFIXES:
        p = folder / f"{table}{suffix}"
        if p.exists():
            return p
    return None


def _nfc(s: pd.Series) -> pd.Series:
    """NFC, trimmed, inner whitespace collapsed; vectorised with Arrow compute."""
    arr = pa.array(s.astype(_STR).array)
    arr = pc.utf8_normalize(arr, "NFC")
    arr = pc.utf8_trim_whitespace(arr)
    arr = pc.replace_substring_regex(arr, r"\s{2,}|[\t\r\n]", " ")
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=s.index, dtype=_STR)


def _arrow_strings(t: pa.DataType) -> object:
    return pd.StringDtype("pyarrow") if pa.types.is_string(t) or pa.types.is_large_string(t) else None


def _raw_frame(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pq.read_table(path).to_pandas(types_mapper=_arrow_strings)
        if suffix in (".xlsx", ".xls"):
            return pd.read_excel(path, dtype=object)
        data = path.read_bytes()
    except InputError:
        raise
    except Exception as exc:  # unreadable file: say which and why
        raise InputError(f"cannot read file ({type(exc).__name__}: {exc})", file=str(path)) from exc
    if not data.strip():
        raise InputError("the file is empty (no header row)", file=str(path))
    text = decode_bytes(data, source=str(path))
    header = text.split("\n", 1)[0]
    sep = "\t" if suffix == ".tsv" else max((",", ";", "\t", "|"), key=header.count)
    utf8 = text.encode("utf-8")
    names = next(csv.reader([header.strip("\r")], delimiter=sep))
    try:
        table = pacsv.read_csv(
            pa.BufferReader(utf8),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
        return table.to_pandas(types_mapper=_arrow_strings)
    except (pa.ArrowInvalid, pa.ArrowKeyError):
        pass  # let pandas name the offending line
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""], sep=sep)
    except (pd.errors.ParserError, ValueError) as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"malformed CSV ({exc})", file=str(path), row=int(m.group(1)) if m else None
        ) from exc


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
    """
    obj = pa.array(t.array).to_pandas(deduplicate_objects=True)
    return pd.Series(pd.array(np.asarray(obj, dtype=object), dtype=_PLAIN), index=t.index)


def _pad_code(t: pd.Series, width: int) -> pd.Series:
    """Restore leading zeros of all-digit codes shorter than their width (Excel drops them)."""
    arr = pa.array(t.array)
    short = pc.and_kleene(
        pc.match_substring_regex(arr, r"^\d+$"), pc.less(pc.utf8_length(arr), width)
    )
    arr = pc.if_else(pc.fill_null(short, False), pc.utf8_lpad(arr, width, "0"), arr)
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=t.index, dtype=_STR)


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


def _parse_dates(s: pd.Series, with_time: bool) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        out = pd.to_datetime(s, errors="coerce")
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out if with_time else out.dt.normalize()
    text = _to_text(s).str.strip()
    iso = text.str.match(_ISO_DATE).fillna(False).astype(bool)
    dmy = text.str.match(_DMY_DATE).fillna(False).astype(bool)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if iso.any():
        vals = text[iso]
        fmt = "ISO8601"
        out.loc[iso] = pd.to_datetime(vals, errors="coerce", format=fmt)
    if dmy.any():
        # Vietnamese documents write day/month/year.
        vals = text[dmy].str.replace(r"[.-]", "/", regex=True)
        out.loc[dmy] = pd.to_datetime(vals, errors="coerce", format="%d/%m/%Y", exact=False)
    if not with_time:
        out = out.dt.normalize()
    return out


def coerce_table(
    raw: pd.DataFrame, spec: TableSpec, *, source: str = ""
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coerce a raw frame to the contract's types.

    Returns the typed frame (extra columns kept as text, optional contract
    columns that are absent added as missing) and a frame of parse issues:
    ``table, row, record_id, column, value, problem`` (row is 1-based with the
    header as row 1, as a spreadsheet shows it).

    Examples
    --------
    >>> raw = pd.DataFrame({"household_id": ["H1"], "province_code": ["72"],
    ...     "district_code": ["710"], "commune_code": ["25456"], "village": ["Ấp 1"],
    ...     "address": [""], "collaborator_id": ["C1"], "created_date": ["31/12/2020"]})
    >>> df, issues = coerce_table(raw, TABLES["households"])
    >>> str(df.loc[0, "created_date"].date()), len(issues)
    ('2020-12-31', 0)
    """
    df = raw.copy()
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
    issues: list[pd.DataFrame] = []
    key = spec.key
    for col in spec.columns:
        if col.name not in df.columns:
            df[col.name] = pd.Series(pd.NA, index=df.index, dtype=_empty_dtype(col.kind))
            continue
        s = df[col.name]
        if col.kind in ("id", "code", "str"):
            t = _to_text(s)
            t = _nfc(t)
            t = t.mask(t == "")
            if col.kind == "code" and col.name in CODE_WIDTHS:
                t = _pad_code(t, CODE_WIDTHS[col.name])
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
        elif col.kind in ("date", "datetime"):
            parsed = _parse_dates(s, with_time=col.kind == "datetime")
            txt = _to_text(s)
            bad = txt.notna() & (txt.str.strip() != "") & parsed.isna()
            df[col.name] = parsed
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
        else:  # pragma: no cover - contract kinds are closed
            raise ValueError(col.kind)
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())
            issues.append(
                pd.DataFrame(
                    {
                        "table": spec.name,
                        "row": idx + 2,
                        "record_id": (
                            df[key].iloc[idx].astype("string").to_numpy() if key and key in df else None
                        ),
                        "column": col.name,
                        "value": _to_text(s.iloc[idx]).to_numpy(),
                        "problem": f"not a valid {col.kind}",
                    }
                )
            )
    extra = [c for c in df.columns if c not in spec.names]
    for c in extra:
        if df[c].dtype == object:
            df[c] = _to_text(df[c])
    df = df[spec.names + extra].reset_index(drop=True)
    issues_df = (
        pd.concat(issues, ignore_index=True)
        if issues
        else pd.DataFrame(columns=["table", "row", "record_id", "column", "value", "problem"])
    )
    return df, issues_df


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


def read_table(path: str | Path, table: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and type one contract table.

    Parameters
    ----------
    path : path of a ``.csv``, ``.tsv``, ``.xlsx`` or ``.parquet`` file.
    table : contract table name; defaults to the file's stem.

    Returns
    -------
    (frame, parse_issues)

    Raises
    ------
    popqa.errors.InputError
        Unreadable file, unknown encoding, empty file or missing required column.
    """
    path = Path(path)
    name = table or path.stem
    if name not in TABLES:
        raise InputError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}", file=str(path))
    if not path.exists():
        raise InputError("file not found", file=str(path))
    raw = _raw_frame(path)
    return coerce_table(raw, TABLES[name], source=str(path))
