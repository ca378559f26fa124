"""The indicators layer: one long table that every stage writes and every report reads.

An indicator is declared once in the registry (:func:`register`, id, names in
Vietnamese and English, unit of measure, the stage that computes it) and its
values travel as rows of the contract's ``INDICATOR_COLUMNS``
(:data:`popqa.contract.INDICATOR_COLUMNS`): indicator id, unit level and code,
period, group, value, standard error, interval, numerator, denominator,
target, status and source. :func:`indicator_rows` builds such rows from any
frame and checks them, so a stage never hand-assembles the shape.

Examples
--------
>>> import pandas as pd
>>> rows = indicator_rows("on_time_communes", level="province", unit_code="72", period="2026-10",
...                       numerator=3, denominator=4)
>>> rows[["indicator_id", "value", "status"]].values.tolist()
[['on_time_communes', 0.75, 'ok']]
"""

from __future__ import annotations

from popqa.indicators.core import (
    INDICATORS,
    IndicatorSpec,
    concat_indicators,
    empty_indicators,
    get,
    indicator_rows,
    register,
    validate_indicators,
)

__all__ = [
    "INDICATORS",
    "IndicatorSpec",
    "register",
    "get",
    "indicator_rows",
    "empty_indicators",
    "concat_indicators",
    "validate_indicators",
]
