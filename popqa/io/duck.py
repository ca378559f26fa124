"""In-memory DuckDB connections for popqa's own queries."""

from __future__ import annotations

import contextlib
from typing import Any

__all__ = ["connect"]


def connect() -> Any:
    """An in-memory DuckDB connection that draws no progress bar.

    DuckDB draws one on standard output for a query of more than two seconds: in a scheduled
    run's log (and in the benchmark's child, whose last output line is its summary) it is
    noise. Inside Jupyter DuckDB refuses to change the setting without ipywidgets; the
    connection is then returned as it is.

    >>> connect().execute("SELECT current_setting('enable_progress_bar')").fetchone()
    (False,)
    """
    import duckdb

    con = duckdb.connect(":memory:")
    with contextlib.suppress(duckdb.Error):
        con.execute("SET enable_progress_bar = false")
    return con
