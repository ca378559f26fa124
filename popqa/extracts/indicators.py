"""Indicators of the extracts stage: persons listed and persons flagged, by unit, kind and flag.

Only counts leave the extracts folder: the site shows these rows (by commune,
district and province), never a name. ``group`` is ``kind=<kind>`` for
:data:`EXTRACT_PERSONS` and ``kind=<kind>;flag=<flag>`` for
:data:`EXTRACT_FLAGGED` (flag ``any``: at least one flag).

Examples
--------
>>> from popqa.indicators import get
>>> get("extract_persons").unit, get("extract_flagged_persons").stage
('persons', 'extracts')
"""

from __future__ import annotations

import pandas as pd

from popqa.indicators.core import register

__all__ = ["EXTRACT_PERSONS", "EXTRACT_FLAGGED", "extract_indicator_rows"]

EXTRACT_PERSONS = register(
    "extract_persons", name_vi="Số người trong danh sách chia sẻ", name_en="Persons in a data-sharing extract",
    unit="persons", stage="extracts",
    description_en="Persons (one per duplicate cluster) listed in the extract named by the group's kind.")
EXTRACT_FLAGGED = register(
    "extract_flagged_persons", name_vi="Số người cần kiểm tra trong danh sách chia sẻ",
    name_en="Persons to verify in a data-sharing extract", unit="persons", stage="extracts",
    higher_is_better=False,
    description_en="Persons of the extract carrying the group's flag (a finding id, age_uncertain, "
                   "probable_duplicate, possible_duplicate, no_citizen_id; 'any' for at least one); the denominator is the "
                   "extract's persons in the unit.")


def extract_indicator_rows(table, *, period: str) -> pd.DataFrame:
    """Indicator rows of one :class:`~popqa.extracts.build.ExtractTable` by commune, district and province.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> rows = pd.DataFrame({"province_code": "72", "district_code": "703", "commune_code": ["25456", "25456"],
    ...                      "flags": ["age_uncertain", ""]})
    >>> t = SimpleNamespace(rows=rows, params=SimpleNamespace(kind="under6"))
    >>> r = extract_indicator_rows(t, period="2026-10")
    >>> r[r["level"] == "commune"][["indicator_id", "group", "value", "denominator"]].values.tolist()[:2]
    [['extract_persons', 'kind=under6', 2.0, nan], ['extract_flagged_persons', 'kind=under6;flag=age_uncertain', 1.0, 2.0]]
    """
    from popqa.indicators import concat_indicators, indicator_rows

    kind = table.params.kind
    r = table.rows
    parts = []
    for level, col in (("commune", "commune_code"), ("district", "district_code"), ("province", "province_code")):
        unit = r[col].astype("string").fillna("NA")
        flags = r["flags"].fillna("")
        n = unit.value_counts().sort_index()
        parts.append(indicator_rows("extract_persons", level=level, unit_code=n.index.to_numpy(), period=period,
                                    value=n.to_numpy(float), group=f"kind={kind}", source="register"))
        has = flags.ne("").to_numpy()
        ex = pd.DataFrame({"unit": unit[has], "flag": flags[has].str.split(";")}).explode("flag")
        ex = pd.concat([ex, pd.DataFrame({"unit": unit[has], "flag": "any"})], ignore_index=True)
        g = ex.groupby(["unit", "flag"]).size()
        if len(g):
            units = g.index.get_level_values(0)
            parts.append(indicator_rows(
                "extract_flagged_persons", level=level, unit_code=units.to_numpy(), period=period,
                value=g.to_numpy(float), numerator=g.to_numpy(float),
                denominator=n.reindex(units).to_numpy(float),
                group=[f"kind={kind};flag={f}" for f in g.index.get_level_values(1)], source="register"))
    return concat_indicators(parts)
