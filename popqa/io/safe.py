"""Cells a spreadsheet will not run: escaping text against formula injection.

A CSV or XLSX cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
line break before one) is taken by Excel and LibreOffice as a formula, so a value
from the data such as ``=HYPERLINK("http://x", "click")`` becomes a live link when
a commune officer opens the findings file. The OWASP "CSV Injection" guidance is
to prefix such cells with a single quote, which the spreadsheet shows as text.

A value that *is* a number (``-2.8``, ``"-2.8"``, ``+84``, ``1e-3``) is not a
formula and is left as it is: prefixing it would turn a number into text.

Examples
--------
>>> safe_cell("=1+1"), safe_cell("-2.8"), safe_cell(-2.8), safe_cell("Nguyễn Văn A")
("'=1+1", '-2.8', -2.8, 'Nguyễn Văn A')
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["safe_cell", "safe_frame", "formula_cells", "FORMULA_START"]

#: Leading characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

#: A number as a spreadsheet reads one: ASCII digits only (``\d`` would take "-٣", other scripts' digits,
#: which Excel does not read as a number, so the cell would stay a formula).
_NUMBER = re.compile(r"^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?$")


def safe_cell(v: Any) -> Any:
    """``v`` with a quote prefix when it is text a spreadsheet would run as a formula.

    Numbers, and text that is a number (``"-2.8"``), are returned unchanged.

    Examples
    --------
    >>> safe_cell('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell("@SUM(A1)"), safe_cell("-2.8"), safe_cell("+84 912"), safe_cell(None)
    ("'@SUM(A1)", '-2.8', "'+84 912", None)
    """
    if isinstance(v, str) and v.startswith(FORMULA_START) and not _NUMBER.match(v):
        return "'" + v
    return v


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells are escaped with :func:`safe_cell` (vectorised).

    Numeric columns are untouched; in text columns only the cells that start with a
    formula character and are not numbers get the quote prefix.

    Examples
    --------
    >>> df = pd.DataFrame({"value": ["=cmd|' /C calc'!A0", "-2.8", "Ấp 3"], "n": [-1, 2, 3]})
    >>> safe_frame(df)["value"].tolist()
    ["'=cmd|' /C calc'!A0", '-2.8', 'Ấp 3']
    """
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if not (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
            continue
        txt = s.astype(pd.StringDtype("pyarrow"))
        risky = formula_cells(pa.array(txt.array))
        if len(risky):
            s = s.astype(object).copy()
            s.iloc[risky] = ("'" + txt.iloc[risky]).astype(object).to_numpy()
            out[c] = s
    return out


def formula_cells(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The positions of the cells of ``text`` (Arrow text) that :func:`safe_cell` quotes.

    The first character is looked at by Arrow for every cell; the number pattern is tried on those few
    cells alone, as :func:`safe_cell` tries it. A Python call per cell took 4.8 s of the 1.25 M-person
    audit's publish stage (docs/benchmarks.md, twenty-first measurement).

    >>> formula_cells(pa.array(["=1+1", "-2.8", "Ấp 3", None, "-٣", "+84 912"])).tolist()
    [0, 4, 5]
    """
    if not len(text):  # (chunks are kept as they are: a column's text may pass 2 GB, one chunk's limit)
        return np.zeros(0, dtype=np.int64)
    first = pc.utf8_slice_codeunits(text, 0, 1)
    starts = pc.fill_null(pc.is_in(first, value_set=pa.array(FORMULA_START, type=first.type)), False)
    cand = np.flatnonzero(starts.to_numpy(zero_copy_only=False))
    if not len(cand):
        return cand
    values = text.take(pa.array(cand)).to_pylist()
    return cand[np.array([not _NUMBER.match(v) for v in values], dtype=bool)]
