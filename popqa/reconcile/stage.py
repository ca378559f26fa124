"""The reconciliation stage: coverage indicator rows and coverage findings from linked sources.

:func:`reconcile_stage` is what the audit calls after linkage; it writes
nothing, it returns the two tables the run stores.

Findings (dimension ``coverage``, table ``units``, one row per flagged unit):

======  ========  =====================================================================
X010    warning   register completeness of births: the whole interval is below target
X011    warning   register completeness of deaths: the whole interval is below target
======  ========  =====================================================================

Only units whose estimate is reliable are flagged; an unreliable unit is not a
data-quality problem, it is too small to say (its indicator rows are
``insufficient``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from popqa.contract import FINDINGS_COLUMNS
from popqa.reconcile.config import ReconcileConfig
from popqa.reconcile.coverage import (
    EVENT_SOURCES,
    REMOVAL_REASONS,
    event_coverage,
    insurance_coverage,
    resident_coverage,
    unit_map,
    wilson,
)

__all__ = ["reconcile_stage", "audit_stage", "event_indicator_rows", "COVERAGE_FINDING_RULES"]

#: event -> (rule id, severity, Vietnamese message, English message)
COVERAGE_FINDING_RULES = {
    "birth": ("X010", "warning",
              "Sổ dân cư thiếu nhiều khai sinh: mức độ đầy đủ so với hộ tịch thấp hơn mục tiêu (cả khoảng tin cậy)",
              "The register misses births: its completeness against civil registration is below target "
              "(whole interval)"),
    "death": ("X011", "warning",
              "Sổ dân cư thiếu nhiều khai tử: mức độ đầy đủ so với hộ tịch thấp hơn mục tiêu (cả khoảng tin cậy)",
              "The register misses deaths: its completeness against civil registration is below target "
              "(whole interval)"),
}


def event_indicator_rows(table: pd.DataFrame, removed: pd.DataFrame, *, period: str, level: float = 0.95,
                         province_code: str | None = None) -> pd.DataFrame:
    """Indicator rows of an :class:`~popqa.reconcile.coverage.EventCoverage` table (and its removals)."""
    from popqa.indicators import concat_indicators, indicator_rows

    out = []
    for lvl, t in table.groupby("level", sort=False):
        # the contract's group convention: key=value pairs joined by ";"
        grp = ("event=" + t["event"] + np.where(t["group"] == "", "", ";pooled=small_communes")).to_numpy()
        status = t["status"].to_numpy()
        for ind, k, n, val in (("reg_event_completeness", t["m"], t["n2"], t["completeness_1"]),
                               ("civil_event_completeness", t["m"], t["n1"], t["completeness_2"])):
            lo, hi = wilson(k, n, level)
            st = np.where(n.to_numpy() > 0, status, "not_measurable")
            se = np.sqrt(val * (1 - val) / n.where(n > 0))
            out.append(indicator_rows(ind, level=str(lvl), unit_code=t["unit_code"].to_numpy(), period=period,
                                      group=grp, value=val.to_numpy(), se=se.to_numpy(), ci_low=lo, ci_high=hi,
                                      numerator=k.to_numpy(), denominator=n.to_numpy(), status=st))
        out.append(indicator_rows("dse_event_total", level=str(lvl), unit_code=t["unit_code"].to_numpy(),
                                  period=period, group=grp, value=t["estimate"].to_numpy(), se=t["se"].to_numpy(),
                                  ci_low=t["ci_low"].to_numpy(), ci_high=t["ci_high"].to_numpy(),
                                  numerator=t["observed"].to_numpy(), status=status))
        obs = t["observed"].to_numpy(float)
        out.append(indicator_rows("dse_events_missed", level=str(lvl), unit_code=t["unit_code"].to_numpy(),
                                  period=period, group=grp, value=t["missed_both"].to_numpy(), se=t["se"].to_numpy(),
                                  ci_low=t["ci_low"].to_numpy() - obs, ci_high=t["ci_high"].to_numpy() - obs,
                                  status=status))
    if province_code:
        events = sorted(set(table["event"])) or sorted(EVENT_SOURCES)
        idx = pd.MultiIndex.from_product([events, ["register", "civil"], list(REMOVAL_REASONS)],
                                         names=["event", "source", "reason"])
        counts = removed.set_index(["event", "source", "reason"])["records"].reindex(idx, fill_value=0) \
            if len(removed) else pd.Series(0, index=idx)
        grp = [f"event={e};source={s};reason={r}" for e, s, r in idx]
        out.append(indicator_rows("reconcile_records_removed", level="province", unit_code=province_code,
                                  period=period, group=grp, value=counts.to_numpy(float), status="ok"))
    return concat_indicators(out)


#: the key of a share table's group, by indicator (contract convention: key=value)
_GROUP_KEYS = {"residents_in_register": "residence", "register_in_residents": "residence",
               "insurance_absent_from_register": "scheme"}


def _share_rows(indicator_id: str, t: pd.DataFrame | None, period: str) -> pd.DataFrame | None:
    from popqa.indicators import concat_indicators, indicator_rows

    if t is None or not len(t):
        return None
    key = _GROUP_KEYS.get(indicator_id, "group")
    t = t.assign(group=np.where(t["group"] == "", "", key + "=" + t["group"].astype(str)))
    return concat_indicators(
        indicator_rows(indicator_id, level=str(lvl), unit_code=g["unit_code"].to_numpy(), period=period,
                       group=g["group"].to_numpy(), value=g["value"].to_numpy(), se=g["se"].to_numpy(),
                       ci_low=g["ci_low"].to_numpy(), ci_high=g["ci_high"].to_numpy(),
                       numerator=g["numerator"].to_numpy(), denominator=g["denominator"].to_numpy(),
                       status=g["status"].to_numpy())
        for lvl, g in t.groupby("level", sort=False))


def _findings(table: pd.DataFrame, units: pd.DataFrame, cfg: ReconcileConfig) -> pd.DataFrame:
    t = table[table["level"].isin(["commune", "district", "province"]) & (table["group"] == "")
              & (table["status"] == "ok")].copy()
    _, hi = wilson(t["m"], t["n2"], cfg.level)
    t = t[hi < cfg.completeness_target]
    if not len(t):
        return pd.DataFrame({c: pd.Series(dtype="string") for c in FINDINGS_COLUMNS})
    districts = units.drop_duplicates("district_code").set_index("district_code")["province_code"]
    com = t["level"] == "commune"
    dis = t["level"] == "district"
    commune = t["unit_code"].where(com)
    district = t["unit_code"].map(units["district_code"]).where(com, t["unit_code"].where(dis))
    province = np.where(com, t["unit_code"].map(units["province_code"]),
                        np.where(dis, t["unit_code"].map(districts), t["unit_code"]))
    rules = t["event"].map({e: r for e, r in COVERAGE_FINDING_RULES.items()})
    f = pd.DataFrame({
        "rule_id": [r[0] for r in rules], "dimension": "coverage", "severity": [r[1] for r in rules],
        "table": "units", "record_id": t["unit_code"].to_numpy(), "column": pd.NA,
        "value": [f"{v:.3f}" for v in t["completeness_1"]], "province_code": province,
        "district_code": district.to_numpy(), "commune_code": commune.to_numpy(), "collaborator_id": pd.NA,
        "message_vi": [r[2] for r in rules], "message_en": [r[3] for r in rules],
    })
    return f[list(FINDINGS_COLUMNS)].astype("string").reset_index(drop=True)


def reconcile_stage(register, links: dict[str, pd.DataFrame], *, period: Any, config: ReconcileConfig | None = None,
                    clusters: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coverage indicator rows and coverage findings of one audited period.

    Parameters
    ----------
    register : the :class:`popqa.io.Register` of the period.
    links : source table -> ``LinkResult.links`` as the audit builds them
        (civil_births, civil_deaths, residents, insurance; any may be absent).
    period : ``YYYY-MM``.
    config : :class:`ReconcileConfig` (None: defaults).
    clusters : optional dedupe clusters (person_id, cluster_id) so one
        person's duplicate records count once.

    Returns
    -------
    (indicator_rows, findings)
        Rows in :data:`popqa.contract.INDICATOR_COLUMNS`; findings in
        :data:`popqa.contract.FINDINGS_COLUMNS` (dimension ``coverage``).
    """
    from popqa.indicators import concat_indicators

    cfg = config or ReconcileConfig()
    period = str(period)
    ec = event_coverage(register, links, period=period, config=cfg, clusters=clusters)
    from popqa.reconcile.coverage import _province_of

    prov = _province_of(register, cfg)
    units = unit_map(prov)
    parts = [event_indicator_rows(ec.table, ec.removed, period=period, level=cfg.level, province_code=prov)]
    for ind, t in resident_coverage(register, links, config=cfg).items():
        parts.append(_share_rows(ind, t, period))
    parts.append(_share_rows("insurance_absent_from_register", insurance_coverage(register, links, config=cfg),
                             period))
    rows = concat_indicators(p for p in parts if p is not None)
    return rows, _findings(ec.table, units, cfg)


def audit_stage(ctx: Any) -> dict[str, Any]:
    """The audit's ``reconcile`` stage: after linkage, coverage rows and findings into the run context.

    Returns ``{"indicators:reconcile": rows, "findings:reconcile": findings}``; the
    audit's ``indicators`` and ``findings`` stages gather them.
    """
    cfg = getattr(ctx.config, "reconcile", None) or ReconcileConfig()
    if cfg.province_code is None and getattr(ctx.config, "province_code", None):
        cfg = cfg.model_copy(update={"province_code": ctx.config.province_code})
    dd = ctx.get("dedupe")
    clusters = dd.clusters[["person_id", "cluster_id"]] if dd is not None else None
    rows, findings = reconcile_stage(ctx["register"], ctx.get("links", {}), period=str(ctx.period), config=cfg,
                                     clusters=clusters)
    return {"indicators:reconcile": rows, "findings:reconcile": findings}
