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

__all__ = ["safe_cell", "safe_frame", "FORMULA_START"]

#: Leading characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_RISKY = r"^[=+\-@\t\r\n]"
_NUMBER_PATTERN = _NUMBER.pattern


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
        txt = s.astype("string")
        risky = txt.str.match(_RISKY).fillna(False) & ~txt.str.match(_NUMBER_PATTERN).fillna(False)
        risky_np = risky.to_numpy(dtype=bool)
        if risky_np.any():
            s = s.astype(object).copy()
            s.iloc[np.flatnonzero(risky_np)] = ("'" + txt[risky_np]).astype(object).to_numpy()
            out[c] = s
    return out
