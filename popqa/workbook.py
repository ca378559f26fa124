"""Record-level analyst workbooks (XLSX): findings for the commune staff who correct them.

These carry names, IDs and offending values, so they live in the results'
``analyst/`` folder, never on the supervisor site. Every text cell is made
formula-safe.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from popqa.store import _disk_error

__all__ = ["write_workbook", "safe_cell"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(v: Any) -> Any:
    """Neutralise spreadsheet formula injection: text starting with = + - @ gets a quote.

    Examples
    --------
    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("Nguyễn Văn A"), safe_cell(3)
    ('\\'=HYPERLINK("http://x")', 'Nguyễn Văn A', 3)
    """
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def write_workbook(path: str | Path, findings: pd.DataFrame, *, lang: str = "vi") -> Path:
    """Write one district's record-level findings as an XLSX for commune staff.

    Text cells are neutralised against formula injection (:func:`safe_cell`)
    and xlsxwriter is told never to turn strings into formulas or links.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    msg = "message_vi" if lang == "vi" else "message_en"
    cols = ["commune_code", "collaborator_id", "table", "record_id", "rule_id", "dimension", "severity",
            "column", "value", msg]
    df = findings[[c for c in cols if c in findings.columns]].copy()
    df = df.sort_values([c for c in ["commune_code", "collaborator_id", "table", "record_id", "rule_id"]
                         if c in df.columns], kind="stable")
    for c in df.columns:
        df[c] = df[c].astype("object").where(df[c].notna(), None).map(safe_cell)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)
    try:
        with pd.ExcelWriter(tmp, engine="xlsxwriter", engine_kwargs={
            "options": {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        }) as xw:
            df.to_excel(xw, sheet_name="findings", index=False)
            ws = xw.sheets["findings"]
            ws.autofilter(0, 0, max(len(df), 1), len(df.columns) - 1)
            ws.freeze_panes(1, 0)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _disk_error(exc, path) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
