"""A small, vectorised XLSX writer for long lists (extracts per commune, analyst workbooks).

xlsxwriter and openpyxl write cell by cell from Python, about a million cells in
several seconds; an extract of the voters of a province has some ten million.
This module builds each row's SpreadsheetML once for the whole table with Arrow
string kernels (escape, concatenate), then cuts a commune's rows out of the
contiguous buffer and zips them: the cost per cell is a few bytes of C work.

Every text cell is an *inline string* (``t="inlineStr"``): a spreadsheet never
evaluates it as a formula; values are also escaped with
:func:`popqa.io.safe.safe_frame` by the caller, so a copy-paste into another
sheet stays inert. Characters XML 1.0 forbids (control characters) are removed.

Examples
--------
>>> import io, pandas as pd
>>> df = pd.DataFrame({"name": ["Lê Thị <Ba> & co", "=1+1"], "age": pd.array([3, None], dtype="Int64")})
>>> rows = row_xml(df)
>>> data = workbook_bytes([Sheet("list", ["Tên", "Tuổi"], rows_blob(rows, 0, 2), ncols=2, nrows=2)])
>>> pd.read_excel(io.BytesIO(data), sheet_name="list").values.tolist()
[['Lê Thị <Ba> & co', 3.0], ['=1+1', nan]]
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Sheet", "row_xml", "rows_blob", "text_rows", "workbook_bytes", "column_letter", "to_arrow"]

_BAD_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
def _L(text: str) -> pa.Scalar:
    return pa.scalar(text, type=pa.large_string())


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def column_letter(i: int) -> str:
    """Spreadsheet letter of the 0-based column ``i``.

    >>> column_letter(0), column_letter(25), column_letter(26)
    ('A', 'Z', 'AA')
    """
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def to_arrow(s: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """One Arrow array for a column (zero-copy for Arrow-backed pandas text; numbers keep their type)."""
    if isinstance(s, pa.ChunkedArray):
        return s.combine_chunks()
    if isinstance(s, pa.Array):
        return s
    numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
    if numeric:
        return pa.array(s, from_pandas=True)
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        arr = pa.array(s)
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return pa.array(s.astype("string"), type=pa.large_string())


_BAD_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20))


def _text_values(arr: pa.Array) -> pa.Array:
    """Text escaped for XML (``& < >``; forbidden control characters removed), nulls kept."""
    arr = arr.cast(pa.large_string())
    # the replacements run only on a column whose bytes hold a character to replace (rare in names)
    data = arr.buffers()[2]
    raw = data.to_pybytes() if data is not None else b""
    if len(raw.translate(None, _BAD_BYTES)) != len(raw):
        arr = pc.replace_substring_regex(arr, _BAD_XML, "")
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if a.encode() in raw:
            arr = pc.replace_substring(arr, a, b)
    return arr


def _number_values(arr: pa.Array) -> pa.Array:
    if pa.types.is_floating(arr.type):
        arr = pc.if_else(pc.is_finite(arr), arr, pa.scalar(None, type=arr.type))
    return pc.cast(arr, pa.large_string())


_TEXT_CELL = ("<c t=\"inlineStr\"><is><t>", "</t></is></c>")
_NUMBER_CELL = ("<c><v>", "</v></c>")


def row_xml(df: pd.DataFrame | pa.Table) -> pa.ChunkedArray:
    """One ``<row>`` element per row of ``df`` (numeric columns as numbers, the others as text), in order.

    ``df`` is a pandas frame or an Arrow table (its string columns are taken as they are). The values are
    escaped with Arrow kernels; DuckDB concatenates each row's cells (one pass, on every core: Arrow's
    element-wise join of a dozen columns was the slowest step of a large extract).
    """
    from popqa.io.duck import connect

    columns = list(df.columns) if isinstance(df, pd.DataFrame) else df.column_names
    if not columns:
        raise ValueError("a sheet needs at least one column")
    if not len(df):
        return pa.chunked_array([], type=pa.large_string())
    values, parts = {}, []
    for i, c in enumerate(columns):
        arr = to_arrow(df[c] if isinstance(df, pd.DataFrame) else df.column(c))
        numeric = pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type)
        values[f"c{i}"] = _number_values(arr) if numeric else _text_values(arr)
        pre, post = _NUMBER_CELL if numeric else _TEXT_CELL
        parts.append(f"CASE WHEN c{i} IS NULL THEN '<c/>' ELSE '{pre}' || c{i} || '{post}' END")
    con = connect()  # no progress bar: a long sheet drew one on the audit's standard output
    try:
        con.register("cells", pa.table(values))
        res = con.sql(f"SELECT concat('<row>', {', '.join(parts)}, '</row>') AS x FROM cells").to_arrow_table()
    finally:
        con.close()
    return res.column(0)


_BAD_XML_RE = re.compile(_BAD_XML)


def text_rows(rows: Sequence[Sequence[Any]], *, bold: bool = False) -> bytes:
    """The ``<row>`` XML of a few rows of text cells built in Python (a summary sheet), cells as
    :func:`row_xml` makes them: inline strings, XML-escaped, forbidden characters removed; ``None`` is
    an empty cell, ``[]`` an empty row. ``bold`` gives the cells the header's style (a second table's
    header further down a sheet). The caller escapes formulas (:func:`popqa.io.safe.safe_cell`).

    >>> text_rows([["a<b", None]])
    b'<row><c t="inlineStr"><is><t>a&lt;b</t></is></c><c/></row>'
    >>> text_rows([["Rule"]], bold=True)
    b'<row><c t="inlineStr" s="1"><is><t>Rule</t></is></c></row>'
    """
    style = ' s="1"' if bold else ""
    out = []
    for row in rows:
        cells = "".join("<c/>" if v is None else
                        f'<c t="inlineStr"{style}><is><t>{escape(_BAD_XML_RE.sub("", str(v)))}</t></is></c>'
                        for v in row)
        out.append(f"<row>{cells}</row>")
    return "".join(out).encode("utf-8")


def rows_blob(rows: pa.Array | pa.ChunkedArray, start: int, stop: int) -> bytes:
    """The UTF-8 bytes of ``rows[start:stop]`` joined (slices of the contiguous buffers, no per-row work)."""
    if stop <= start:
        return b""
    chunks = rows.chunks if isinstance(rows, pa.ChunkedArray) else [rows]
    out, pos = [], 0
    for arr in chunks:
        n = len(arr)
        lo, hi = max(start - pos, 0), min(stop - pos, n)
        pos += n
        if lo >= hi:
            continue
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            arr = arr.cast(pa.large_string())
        width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
        offs = np.frombuffer(arr.buffers()[1], dtype=width)[arr.offset:arr.offset + n + 1]
        out.append(arr.buffers()[2].slice(int(offs[lo]), int(offs[hi] - offs[lo])).to_pybytes())
        if pos >= stop:
            break
    return b"".join(out)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name, header labels, the rows' XML, and its size.

    ``widths`` are column widths in characters; ``filter`` adds an autofilter on the header;
    ``choices`` gives columns (0-based) a drop-down list of allowed values on every data row
    (``{column: [value, ...]}``, a spreadsheet's list validation).
    """

    name: str
    header: Sequence[str]
    body: bytes
    ncols: int
    nrows: int
    widths: Sequence[float] | None = None
    freeze: bool = True
    filter: bool = True
    choices: Mapping[int, Sequence[str]] = field(default_factory=dict)


def _header_row(labels: Sequence[str]) -> str:
    cells = "".join(f'<c t="inlineStr" s="1"><is><t>{escape(str(x))}</t></is></c>' for x in labels)
    return f"<row>{cells}</row>"


def _sheet_xml(sh: Sheet) -> bytes:
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS} {_RNS}>']
    if sh.freeze:
        parts.append('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                     'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>')
    if sh.widths:
        cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w:g}" customWidth="1"/>'
                       for i, w in enumerate(sh.widths))
        parts.append(f"<cols>{cols}</cols>")
    parts.append("<sheetData>" + _header_row(sh.header))
    head = "".join(parts).encode("utf-8")
    tail = "</sheetData>"
    if sh.filter:
        tail += f'<autoFilter ref="A1:{column_letter(sh.ncols - 1)}{sh.nrows + 1}"/>'
    if sh.choices:
        last = max(sh.nrows, 1) + 1
        rules = []
        for col, values in sorted(sh.choices.items()):
            listed = ",".join(str(v).replace('"', '""') for v in values)
            if "," in "".join(str(v) for v in values) or len(listed) > 255:
                raise ValueError(f"a drop-down list holds at most 255 characters and no comma: {listed!r}")
            letter = column_letter(col)
            rules.append(f'<dataValidation type="list" allowBlank="1" showErrorMessage="1" '
                         f'sqref="{letter}2:{letter}{last}"><formula1>"{escape(listed)}"</formula1></dataValidation>')
        tail += f'<dataValidations count="{len(rules)}">{"".join(rules)}</dataValidations>'
    tail += "</worksheet>"
    return head + sh.body + tail.encode("utf-8")


_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def workbook_bytes(sheets: Sequence[Sheet], *, compresslevel: int = 1) -> bytes:
    """The XLSX file (bytes) holding ``sheets`` in order; the caller writes it atomically."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    names = [s.name[:31] for s in sheets]
    if len(set(names)) != len(names) or any(set(n) & set("[]:*?/\\") for n in names):
        raise ValueError(f"sheet names must be unique and plain: {names}")
    n = len(sheets)
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/styles.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
          + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for i in range(n)) + "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>')
    defined = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"'{escape(names[i])}'!$A$1:${column_letter(s.ncols - 1)}${s.nrows + 1}</definedName>"
        for i, s in enumerate(sheets) if s.filter)
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          f"<workbook {_NS} {_RNS}><sheets>"
          + "".join(f'<sheet name="{escape(nm, {chr(34): "&quot;"})}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                    for i, nm in enumerate(names))
          + "</sheets>" + (f"<definedNames>{defined}</definedNames>" if defined else "") + "</workbook>")
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               + "".join(f'<Relationship Id="rId{i + 1}" '
                         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                         f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(n))
               + f'<Relationship Id="rId{n + 1}" '
               'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
               'Target="styles.xml"/></Relationships>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        z.writestr("xl/styles.xml", _STYLES)
        for i, s in enumerate(sheets):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", _sheet_xml(s))
    return buf.getvalue()
