"""The indicator registry as a table and as ``docs/indicators.md`` (generated; a test keeps it current)."""

from __future__ import annotations

import pandas as pd

from popqa.contract import INDICATOR_COLUMNS
from popqa.indicators.core import all_indicators

__all__ = ["registry_frame", "registry_markdown"]


def registry_frame() -> pd.DataFrame:
    """One row per registered indicator, sorted by stage then id.

    >>> "on_time_communes" in set(registry_frame()["indicator_id"])
    True
    """
    rows = [{"indicator_id": s.indicator_id, "stage": s.stage, "unit": s.unit, "source": s.source,
             "higher_is_better": s.higher_is_better, "name_vi": s.name_vi, "name_en": s.name_en,
             "description_en": s.description_en} for s in all_indicators().values()]
    return pd.DataFrame(rows).sort_values(["stage", "indicator_id"], kind="stable").reset_index(drop=True)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def registry_markdown() -> str:
    """``docs/indicators.md``: the long table's columns and every indicator, by stage."""
    df = registry_frame()
    out = [
        "# Indicators",
        "",
        "Generated from the indicator registry by `popqa indicators --format markdown` (do not edit by hand;",
        "`tests/indicators/test_docs.py` checks that this file is current). Every stage of the audit writes",
        "its values as rows of one long table, `RESULTS/<period>/indicators.parquet`, with the columns",
        "`" + "`, `".join(INDICATOR_COLUMNS) + "` (see data-contract.md); every report reads them",
        "from there. A share is stored as 0-1. Where to add a new indicator: `docs/architecture.md`.",
        "",
    ]
    direction = {True: "higher", False: "lower", None: ""}
    for stage, g in df.groupby("stage", sort=False):
        out += [f"## Stage `{stage}`", "", "| id | unit | better | name (vi) | name (en) | definition |",
                "|---|---|---|---|---|---|"]
        for r in g.itertuples():
            out.append(f"| `{r.indicator_id}` | {r.unit} | {direction[r.higher_is_better]} | {_cell(r.name_vi)} | "
                       f"{_cell(r.name_en)} | {_cell(r.description_en)} |")
        out.append("")
    return "\n".join(out)
