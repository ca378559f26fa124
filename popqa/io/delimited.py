"""Delimited text (CSV, TSV, semicolon CSV) to a frame of text columns, with every row accounted for.

The bytes are decoded (:func:`popqa.io.encodings.decode_text`), line endings made
``\\n`` (Windows CRLF and old Mac CR-only files alike), control characters other than
tab and line breaks removed and counted, and the delimiter taken from the header.

Every data row of the file (header = spreadsheet row 1) ends in exactly one place:

* read: one record of the frame, with its spreadsheet row number in ``rows``;
* set aside: an empty line (``blank row``), or a malformed row when the caller asks
  for that (``bad_rows="set_aside"``); otherwise a malformed row is an
  :class:`~popqa.errors.InputError` naming the file and the row.

A quote that opens a value and never closes on its line (a stray ``"`` typed into
a name) makes a CSV parser swallow the following lines into that value. A quoted
value that spans several lines is therefore accepted only when its lines could not
each be a row of their own; otherwise each line is read as its own row, the stray
quote removed and reported (``repaired``).

The fast path is Arrow's CSV parser; the line-by-line path (Python's :mod:`csv`)
runs only for a file whose Arrow parse does not account for every line.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from popqa.errors import InputError
from popqa.io.encodings import decode_text

__all__ = ["DelimitedText", "read_delimited", "CONTROL_CHARS"]

#: Control characters removed from text (tab, line feed and carriage return are kept).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LISTED = 1000  # rows listed by number in a report; counts are always complete


@dataclass
class DelimitedText:
    """What :func:`read_delimited` found in one file."""

    frame: pd.DataFrame
    rows: np.ndarray
    encoding: str
    delimiter: str
    line_endings: str
    rows_found: int
    set_aside: list[dict[str, Any]] = field(default_factory=list)
    repaired: list[dict[str, Any]] = field(default_factory=list)
    control_chars_removed: int = 0
    control_char_rows: list[int] = field(default_factory=list)


def _line_endings(text: str) -> tuple[str, str]:
    if "\r" not in text:
        return text, "LF"
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    kinds = [k for k, n in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if n]
    return text.replace("\r\n", "\n").replace("\r", "\n"), "+".join(kinds)


def _fields(line: str, sep: str, strict: bool = True) -> list[str] | None:
    """Fields of one line alone; None when a quote stays open at its end.

    A quote closed in the middle of a value (``"Ấp 3"B``) is read as text, as the
    CSV parsers do.
    """
    try:
        return next(csv.reader([line], delimiter=sep, strict=strict), [])
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return None
        return next(csv.reader([line], delimiter=sep, strict=False), [])


def _repair(line: str, sep: str, ncols: int) -> tuple[list[str], int, str] | None:
    """Remove one stray quote so that the line reads as ``ncols`` fields.

    Returns (fields, column index, raw value with its quote) or None.
    """
    for k in (i for i, ch in enumerate(line) if ch == '"'):
        cand = line[:k] + line[k + 1 :]
        f = _fields(cand, sep)
        if f is not None and len(f) == ncols:
            col = max(len(_fields(cand[:k], sep, strict=False) or [""]) - 1, 0)
            raw = line.split(sep)
            pos = line[:k].count(sep)
            return f, col, raw[pos] if pos < len(raw) else f[col]
    return None


def read_delimited(
    data: bytes, *, source: str = "", tsv: bool = False, bad_rows: str = "error"
) -> DelimitedText:
    """Parse the bytes of a delimited text file, accounting for every row.

    Parameters
    ----------
    data : the file's bytes.
    source : file name for messages.
    tsv : the file is tab-separated whatever its header looks like.
    bad_rows : ``"error"`` (default) raises :class:`~popqa.errors.InputError` at the first
        malformed row (wrong number of fields, unterminated quote, a last row cut short);
        ``"set_aside"`` sets such rows aside with their reason.

    Examples
    --------
    >>> out = read_delimited(b"a,b\\r\\n1,2\\r\\n\\r\\n3,4\\r\\n")
    >>> out.frame["a"].tolist(), out.rows.tolist(), out.set_aside, out.line_endings
    (['1', '3'], [2, 4], [{'row': 3, 'reason': 'blank row'}], 'CRLF')
    >>> out = read_delimited('a,b\\n1,"Nguyễn\\n2,x\\n'.encode(), bad_rows="set_aside")
    >>> out.frame["b"].tolist(), out.repaired[0]["problem"]
    (['Nguyễn', 'x'], 'stray quote removed')
    """
    if bad_rows not in ("error", "set_aside"):
        raise ValueError(f"bad_rows must be 'error' or 'set_aside', got {bad_rows!r}")
    if not data or data.isspace():  # (no .strip(): that would copy the whole file)
        raise InputError("the file is empty (no header row)", file=source or None)
    text, encoding = decode_text(data, source=source)
    text, endings = _line_endings(text)
    utf8 = text.encode("utf-8")
    removed, removed_rows = 0, []
    # control characters: any byte below 32 other than tab and line feed, or DEL (cheap counts
    # first; the positions only when there are some)
    buf = np.frombuffer(utf8, dtype=np.uint8)
    if np.count_nonzero(buf < 32) != utf8.count(b"\n") + utf8.count(b"\t") or b"\x7f" in utf8:
        ctrl = ((buf < 32) & (buf != 9) & (buf != 10)) | (buf == 127)
        pos = np.flatnonzero(ctrl)
        nl = np.flatnonzero(buf == 10)
        line_no = np.searchsorted(nl, pos) + 1
        removed_rows = sorted({int(x) for x in line_no[: _LISTED * 10]})[:_LISTED]
        removed = int(len(pos))
        text = CONTROL_CHARS.sub("", text)
        utf8 = text.encode("utf-8")
    del buf
    first = text.find("\n")
    header = text if first < 0 else text[:first]
    if not header.strip():
        raise InputError("the first line is empty: the header row must come first", file=source or None, row=1)
    sep = "\t" if tsv else max((",", ";", "\t", "|"), key=header.count)
    names = next(csv.reader([header], delimiter=sep))

    ends_with_newline = text.endswith("\n")
    n_lines = utf8.count(b"\n") + (0 if ends_with_newline else 1)
    n_data = n_lines - 1
    if b"\n\n" in utf8:  # empty lines: where they are
        b = np.frombuffer(utf8, dtype=np.uint8)
        nl = np.flatnonzero(b == 10)
        starts = np.concatenate([[0], nl + 1])[:n_lines]
        stops = np.concatenate([nl, [len(b)]])[:n_lines]
        empty = (stops - starts)[1:] == 0
    else:
        empty = np.zeros(n_data, dtype=bool)

    invalid = [0]

    def _invalid(row: object) -> str:
        invalid[0] += 1
        return "skip"

    table = None
    if n_data:
        try:
            table = pacsv.read_csv(
                pa.BufferReader(utf8),
                parse_options=pacsv.ParseOptions(
                    delimiter=sep, newlines_in_values=True, invalid_row_handler=_invalid
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=True,
                    null_values=[""],
                    quoted_strings_can_be_null=True,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowKeyError):
            table = None
    n_full = int((~empty).sum())
    if table is not None and not invalid[0] and table.num_rows == n_full:
        frame = table.to_pandas(types_mapper=_arrow_strings)
        frame.columns = names
        rows = np.flatnonzero(~empty) + 2
        set_aside = [{"row": int(r), "reason": "blank row"} for r in np.flatnonzero(empty) + 2]
        return DelimitedText(frame, rows, encoding, sep, endings, n_data, set_aside, [], removed, removed_rows)
    if n_data == 0:
        frame = pd.DataFrame({n: pd.Series([], dtype=pd.StringDtype("pyarrow")) for n in names})
        frame.columns = names
        return DelimitedText(frame, np.zeros(0, dtype=np.int64), encoding, sep, endings, 0, [], [],
                             removed, removed_rows)
    return _line_by_line(text, names, sep, source, bad_rows, ends_with_newline, encoding, endings,
                         removed, removed_rows)


def _arrow_strings(t: pa.DataType) -> object:
    return pd.StringDtype("pyarrow") if pa.types.is_string(t) or pa.types.is_large_string(t) else None


def _line_by_line(
    text: str, names: list[str], sep: str, source: str, bad_rows: str, ends_with_newline: bool,
    encoding: str, endings: str, removed: int, removed_rows: list[int],
) -> DelimitedText:
    lines = text.split("\n")
    if ends_with_newline:
        lines.pop()
    data = lines[1:]
    ncols = len(names)
    records: list[list[str]] = []
    rows: list[int] = []
    set_aside: list[dict[str, Any]] = []
    repaired: list[dict[str, Any]] = []
    reader = csv.reader((ln + "\n" for ln in data), delimiter=sep, strict=False)
    done = 0  # data lines consumed
    row = 1  # spreadsheet row of the record being read

    def bad(r: int, reason: str) -> None:
        if bad_rows == "error":
            raise InputError(reason, file=source or None, row=r)
        set_aside.append({"row": r, "reason": reason})

    def single(line: str, rec: list[str], last: bool) -> None:
        nonlocal row
        row += 1
        if not line.strip(sep + " \t"):
            set_aside.append({"row": row, "reason": "blank row"})
            return
        open_quote = _fields(line, sep) is None
        if len(rec) == ncols and not open_quote:
            records.append(rec)
            rows.append(row)
            return
        if last and not ends_with_newline:
            what = "an unterminated quote" if open_quote else f"{len(rec)} of {ncols} fields"
            bad(row, f"the last row is cut short ({what}, no line end): the export looks truncated")
            return
        fix = _repair(line, sep, ncols) if '"' in line else None
        if fix is not None:
            records.append(fix[0])
            rows.append(row)
            repaired.append({"row": row, "column": names[fix[1]], "value": fix[2],
                             "problem": "stray quote removed"})
            return
        bad(row, "unterminated quote" if open_quote else f"the row has {len(rec)} fields, the header has {ncols}")

    for rec in reader:
        start, stop = done, reader.line_num
        done = stop
        span = data[start:stop]
        last = stop >= len(data)
        if len(span) > 1:
            # a quoted value over several lines: genuine, or a stray quote swallowing rows?
            cut = last and not ends_with_newline  # the file's final line is judged on its own
            alone: list[tuple[list[str], tuple[list[str], int, str] | None]] = []
            for ln in span[:-1] if cut else span:
                f = _fields(ln, sep)
                if f is not None and len(f) == ncols:
                    alone.append((f, None))
                    continue
                fix = _repair(ln, sep, ncols) if '"' in ln else None
                if fix is None:
                    break
                alone.append((fix[0], fix))
            if len(alone) == len(span) - cut:
                for f, fix in alone:
                    row += 1
                    records.append(f)
                    rows.append(row)
                    if fix is not None:
                        repaired.append({"row": row, "column": names[fix[1]], "value": fix[2],
                                         "problem": "stray quote removed"})
                if cut:
                    single(span[-1], _fields(span[-1], sep, strict=False) or [], True)
                continue
            row += 1
            if _fields("\n".join(span), sep) is None:
                bad(row, f"unterminated quote: a quoted value opens in this row and runs over "
                         f"{len(span)} lines to the end of the file")  # only the end leaves it open
                continue
            if len(rec) != ncols:
                bad(row, f"the row has {len(rec)} fields, the header has {ncols}")
                continue
            records.append(rec)
            rows.append(row)
            continue
        single(span[0] if span else "", rec, last)
    cols = list(zip(*records, strict=True)) if records else [()] * ncols
    frame = pd.DataFrame(
        {
            i: pd.Series(pd.array([v if v != "" else None for v in col], dtype=pd.StringDtype("pyarrow")))
            for i, col in enumerate(cols)
        }
    )
    if not records:
        frame = pd.DataFrame({i: pd.Series([], dtype=pd.StringDtype("pyarrow")) for i in range(ncols)})
    frame.columns = names
    return DelimitedText(frame, np.asarray(rows, dtype=np.int64), encoding, sep, endings, row - 1,
                         set_aside, repaired, removed, removed_rows)
