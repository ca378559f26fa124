"""The reconciliation stage: coverage indicator rows and coverage findings from linked sources and the survey.

:func:`reconcile_stage` is what the audit calls after linkage; it writes
nothing, it returns the two tables the run stores.

Findings (dimension ``coverage``, table ``units``, one row per flagged unit;
declared in the rule catalogue, :mod:`popqa.checks.rules.reconcile`):

======  ========  =====================================================================
X010    warning   register completeness of births: the whole interval is below target
X011    warning   register completeness of deaths: the whole interval is below target
X012    warning   register count (column: persons, births_12m, deaths_12m) outside the
                  population-change survey's interval
======  ========  =====================================================================

Only units whose estimate is reliable (X010, X011) or that the survey design
supports (X012) are flagged; an unreliable unit is not a data-quality problem,
it is too small to say (its indicator rows are ``insufficient``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from popqa.contract import FINDINGS_COLUMNS
from popqa.errors import InputError
from popqa.reconcile.config import ReconcileConfig
from popqa.reconcile.coverage import (
    EVENT_SOURCES,
    REMOVAL_REASONS,
    event_coverage,
    insurance_coverage,
    resident_coverage,
    wilson,
)
from popqa.reconcile.survey import survey_comparison

__all__ = ["reconcile_stage", "audit_stage", "event_indicator_rows", "survey_indicator_rows", "survey_findings",
           "COVERAGE_FINDING_RULES", "SURVEY_FINDING_RULE"]

#: event -> the rule flagging a unit whose register completeness is below target (catalogue: popqa.checks.rules)
COVERAGE_FINDING_RULES = {"birth": "X010", "death": "X011"}
#: the rule flagging a unit whose register count lies outside the survey's interval
SURVEY_FINDING_RULE = "X012"
#: survey measure -> its indicator
SURVEY_INDICATORS = {"persons": "survey_persons_total", "births": "survey_births_12m",
                     "deaths": "survey_deaths_12m"}


def _unit_findings(rule_id: str, level: pd.Series, unit_code: pd.Series, value: list[str], units: pd.DataFrame,
                   column: Any = pd.NA) -> pd.DataFrame:
    """Findings of the units table, with the unit's legacy codes (a 2025 commune carries its province only)."""
    from popqa.checks import get_rule

    r = get_rule(rule_id)
    level, unit_code = level.reset_index(drop=True), unit_code.reset_index(drop=True)
    districts = units.drop_duplicates("district_code").set_index("district_code")["province_code"]
    c25 = units.drop_duplicates("commune_code_2025").set_index("commune_code_2025")["province_code"]
    com, dis, c2 = level == "commune", level == "district", level == "commune_2025"
    commune = unit_code.where(com)
    district = unit_code.map(units["district_code"]).where(com, unit_code.where(dis))
    province = np.where(com, unit_code.map(units["province_code"]),
                        np.where(dis, unit_code.map(districts),
                                 np.where(c2, unit_code.map(c25), unit_code)))
    f = pd.DataFrame({
        "rule_id": r.rule_id, "dimension": r.dimension, "severity": r.severity, "table": r.table,
        "record_id": unit_code.to_numpy(), "column": column, "value": value, "province_code": province,
        "district_code": district.to_numpy(), "commune_code": commune.to_numpy(), "collaborator_id": pd.NA,
        "message_vi": r.message_vi, "message_en": r.message_en,
    })
    return f[list(FINDINGS_COLUMNS)].astype("string")


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


def _empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in FINDINGS_COLUMNS})


def _findings(table: pd.DataFrame, units: pd.DataFrame, cfg: ReconcileConfig) -> pd.DataFrame:
    t = table[table["level"].isin(["commune", "district", "province"]) & (table["group"] == "")
              & (table["status"] == "ok")].copy()
    _, hi = wilson(t["m"], t["n2"], cfg.level)
    t = t[hi < cfg.completeness_target]
    parts = [_unit_findings(COVERAGE_FINDING_RULES[ev], g["level"], g["unit_code"],
                            [f"{v:.3f}" for v in g["completeness_1"]], units)
             for ev, g in t.groupby("event", sort=True)]
    return pd.concat(parts, ignore_index=True) if parts else _empty_findings()


def survey_indicator_rows(table: pd.DataFrame, *, period: str) -> pd.DataFrame:
    """Indicator rows of a :class:`~popqa.reconcile.survey.SurveyComparison` table.

    The survey's estimate, standard error and interval, with the register's
    count of the same unit and group as ``numerator``; ``insufficient`` rows
    (too few clusters, CV too high) and ``not_measurable`` ones carry no value.
    """
    from popqa.indicators import concat_indicators, indicator_rows

    out = []
    for (lvl, measure), g in table.groupby(["level", "measure"], sort=False):
        out.append(indicator_rows(SURVEY_INDICATORS[measure], level=str(lvl), unit_code=g["unit_code"].to_numpy(),
                                  period=period, group=g["group"].to_numpy(), value=g["estimate"].to_numpy(),
                                  se=g["se"].to_numpy(), ci_low=g["ci_low"].to_numpy(),
                                  ci_high=g["ci_high"].to_numpy(), numerator=g["register"].to_numpy(),
                                  status=g["status"].to_numpy(), source="register+survey"))
    return concat_indicators(out)


def survey_findings(table: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """X012 findings: supported units (whole unit, no sex or age group) whose register count is outside."""
    from popqa.reconcile.survey import MEASURES

    t = table[(table["group"] == "") & table["outside"]]
    if not len(t):
        return _empty_findings()
    value = [f"{r:.0f} ({lo:.0f}-{hi:.0f})" for r, lo, hi in zip(t["register"], t["ci_low"], t["ci_high"],
                                                                  strict=True)]
    return _unit_findings(SURVEY_FINDING_RULE, t["level"], t["unit_code"], value, units,
                          column=t["measure"].map(MEASURES).to_numpy())


def reconcile_stage(register, links: dict[str, pd.DataFrame], *, period: Any, config: ReconcileConfig | None = None,
                    clusters: pd.DataFrame | None = None,
                    notes: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coverage indicator rows and coverage findings of one audited period.

    ``notes``: when given, a survey file the comparison cannot use is noted there (the other rows are
    still returned); without it the :class:`~popqa.errors.InputError` is raised.

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
        With a ``survey_persons`` table, the survey comparison
        (:func:`popqa.reconcile.survey.survey_comparison`) adds its rows and
        X012 findings.
    """
    from popqa.indicators import concat_indicators

    cfg = config or ReconcileConfig()
    period = str(period)
    ec = event_coverage(register, links, period=period, config=cfg, clusters=clusters)
    from popqa.reconcile.coverage import _province_of, register_units

    prov = _province_of(register, cfg)
    units = register_units(register, cfg)
    parts = [event_indicator_rows(ec.table, ec.removed, period=period, level=cfg.level, province_code=prov)]
    for ind, t in resident_coverage(register, links, config=cfg).items():
        parts.append(_share_rows(ind, t, period))
    parts.append(_share_rows("insurance_absent_from_register", insurance_coverage(register, links, config=cfg),
                             period))
    findings = [_findings(ec.table, units, cfg)]
    try:
        sv = survey_comparison(register, period=period, config=cfg, events=ec.records)
    except InputError as exc:
        # a bad survey file costs the survey comparison only, never the dual-system rows beside it
        if notes is None:
            raise
        notes.append(f"survey comparison not made: {exc}")
        sv = None
    if sv is not None:
        parts.append(survey_indicator_rows(sv.table, period=period))
        findings.append(survey_findings(sv.table, units))
    rows = concat_indicators(p for p in parts if p is not None)
    return rows, pd.concat(findings, ignore_index=True)[list(FINDINGS_COLUMNS)].astype("string")


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
    notes: list[str] = []
    rows, findings = reconcile_stage(ctx["register"], ctx.get("links", {}), period=str(ctx.period), config=cfg,
                                     clusters=clusters, notes=notes)
    return {"indicators:reconcile": rows, "findings:reconcile": findings, "notes": notes}
