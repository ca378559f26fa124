"""The extracts audit stage: the configured extracts, written outside the results store.

:func:`extracts_stage` runs when the configuration has an ``extracts:`` section
with kinds (:class:`~popqa.extracts.config.ExtractsConfig`). It reuses what the
audit computed: the register, the linkage's duplicate clusters
(``ctx.get("dedupe").clusters``) and every ``findings:*`` artifact present
(the checks', the deduplication's, the coverage comparison's). Extracts go to
``<extracts.out>/<period>/``, never into the results store; the stage returns
only counts: ``{"indicators:extracts": rows}`` (by commune, district and
province, kind and flag) for the site.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from popqa.extracts.build import build_extract, extract_basis
from popqa.extracts.config import ExtractsConfig
from popqa.extracts.indicators import extract_indicator_rows
from popqa.extracts.write import check_extract_dir, write_extract

__all__ = ["extracts_stage"]


def _findings(ctx: Any) -> pd.DataFrame | None:
    parts = [f for f in ctx.collect("findings").values() if f is not None and len(f)]
    if not parts:
        return ctx.get("findings")
    return pd.concat([f[["table", "severity", "record_id", "rule_id"]] for f in parts], ignore_index=True)


def extracts_stage(ctx: Any) -> dict[str, Any]:
    """Make the configured extracts of the audited period; ``{"indicators:extracts": rows}`` or ``{}``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> extracts_stage(SimpleNamespace(config=SimpleNamespace(extracts=None)))
    {}
    """
    from popqa.indicators import concat_indicators

    cfg: ExtractsConfig | None = getattr(ctx.config, "extracts", None)
    if cfg is None or not cfg.enabled or cfg.out is None:  # enabled: kinds set, and with them out (validated)
        return {}
    period = str(ctx.period)
    store = getattr(ctx, "options", {}).get("store")
    forbidden = tuple(p for p in (getattr(store, "root", None),) if p is not None)
    out = check_extract_dir(Path(cfg.out) / period, data_dir=getattr(ctx, "data_dir", None), forbidden=forbidden)
    dd = ctx.get("dedupe")
    clusters = dd.clusters if dd is not None else None
    pairs = getattr(dd, "pairs", None)
    findings = _findings(ctx)
    lang = str(cfg.lang or getattr(ctx.config, "language", None) or "vi")
    provenance = {"data": str(Path(ctx.data_dir).resolve()) if getattr(ctx, "data_dir", None) else None,
                  "inputs": [{"file": i.get("file"), "sha256": i.get("sha256")} for i in (ctx.get("inputs") or [])],
                  "made_by": "popqa audit (extracts stage)"}
    parts = []
    # each record's person, flags and review pairs once for every kind (extract_basis)
    basis = extract_basis(ctx["register"], clusters=clusters, findings=findings, pairs=pairs,
                          collapse_at=cfg.collapse_at)
    del findings
    for kind in cfg.kinds:
        table = build_extract(ctx["register"], kind, period=period, as_of=cfg.as_of, school_year=cfg.school_year,
                              election_date=cfg.election_date, basis=basis)
        write_extract(table, out, lang=lang, provenance=provenance)
        parts.append(extract_indicator_rows(table, period=period))
    return {"indicators:extracts": concat_indicators(parts)}
