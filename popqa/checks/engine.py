"""Run the catalogue over a register and summarise the findings."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import numpy as np
import pandas as pd

from popqa.checks.base import COMPUTED_BY, RULES, Context, Rule
from popqa.checks.config import ChecksConfig
from popqa.contract import FINDINGS_COLUMNS, TABLES

__all__ = ["catalogue", "run_checks", "run_rules", "run_order", "release_plan", "summarise", "empty_findings",
           "rule_findings", "finish_findings", "SORT_COLUMNS", "SUMMARY_LEVELS"]

log = logging.getLogger(__name__)

SUMMARY_LEVELS = ("rule", "commune", "district", "province", "collaborator", "commune_2025")


def catalogue(*, computed_by: str | None = None) -> list[Rule]:
    """Every rule that can appear in findings, sorted by id.

    Parameters
    ----------
    computed_by : only the rules produced by "engine" (:func:`run_checks`),
        "linkage" (deduplication) or "coverage" (administrative sources); all by default.

    Examples
    --------
    >>> rules = catalogue()
    >>> len(rules) >= 40, rules[0].rule_id
    (True, 'C001')
    >>> [r.rule_id for r in catalogue(computed_by="linkage")]
    ['L001', 'L002']
    """
    import popqa.checks.rules  # noqa: F401  (registers the rules)

    if computed_by is not None and computed_by not in COMPUTED_BY:
        raise ValueError(f"computed_by must be one of {', '.join(COMPUTED_BY)}, not {computed_by!r}")
    return [RULES[k] for k in sorted(RULES) if computed_by is None or RULES[k].computed_by == computed_by]


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in FINDINGS_COLUMNS})


def _config(config) -> tuple[ChecksConfig, str | None]:
    if config is None:
        return ChecksConfig(), None
    if isinstance(config, ChecksConfig):
        return config, None
    if isinstance(config, dict):
        return ChecksConfig(**config), None
    checks = getattr(config, "checks", None)
    if isinstance(checks, ChecksConfig):
        return checks, getattr(config, "province_code", None)
    raise TypeError(f"config must be a ChecksConfig, a Config or None, not {type(config).__name__}")


def run_checks(register, config=None, *, rules: list[str] | None = None, timings: dict | None = None) -> pd.DataFrame:
    """Run every rule whose tables are present; the findings table.

    Parameters
    ----------
    register : popqa.io.Register
    config : ChecksConfig, popqa.config.Config, dict or None (defaults).
    rules : ids to run (all by default); an id that is not an engine rule of the
        catalogue is an error.
    timings : optional dict filled with seconds per rule id.

    Returns
    -------
    pandas.DataFrame
        Exactly :data:`popqa.contract.FINDINGS_COLUMNS`, string dtype, sorted by
        :data:`SORT_COLUMNS` (rule_id, table, record_id, column, value, then the unit
        codes; deterministic for the same input).

    Raises
    ------
    ValueError
        ``rules`` names ids the catalogue does not know, or rules that another
        stage computes (linkage, coverage).
    """
    if rules is not None:
        if isinstance(rules, str):
            rules = [rules]
        known = {r.rule_id: r for r in catalogue()}
        unknown = sorted({str(r) for r in rules} - set(known))
        if unknown:
            raise ValueError(f"unknown rule id(s): {', '.join(unknown)} (see `popqa rules`)")
        elsewhere = sorted(r for r in set(rules) if known[r].computed_by != "engine")
        if elsewhere:
            raise ValueError(
                f"rule(s) {', '.join(elsewhere)} are computed by "
                f"{', '.join(sorted({known[r].computed_by for r in elsewhere}))}, not by run_checks")
    cfg, province = _config(config)
    ctx = Context(register, cfg, province_code=province)
    chosen = [r for r in catalogue() if (rules is None or r.rule_id in rules) and r.applies_to(register)]
    parts = []
    for r, hits, seconds in run_rules(ctx, chosen):
        if timings is not None:
            timings[r.rule_id] = seconds
        if len(hits):
            parts.append(rule_findings(r, hits))
            log.info("%s: %d findings in %.2fs", r.rule_id, len(hits), seconds)
    return finish_findings(parts)


def release_plan(rules: list[Rule]) -> dict[int, list[str]]:
    """The caches of :attr:`Context.FAMILY_CACHES` to drop after each rule of ``rules`` (by position):
    after the last rule of their families; none for a cache whose families do not run.

    >>> r = {x.rule_id: x for x in catalogue()}
    >>> release_plan([r["H001"], r["I001"], r["E003"], r["V001"]])[1]
    ['cid']
    """
    last: dict[str, int] = {}
    for i, r in enumerate(rules):
        for name, families in Context.FAMILY_CACHES.items():
            if r.family in families:
                last[name] = i
    plan: dict[int, list[str]] = {}
    for name, i in last.items():
        plan.setdefault(i, []).append(name)
    return plan


def run_order(rules: list[Rule]) -> list[Rule]:
    """``rules`` by family, the families in the order of their first rule, except that a family which
    shares a cache of :attr:`Context.FAMILY_CACHES` with an earlier one runs right after it: the cache is
    then held by consecutive rules only. The findings do not depend on the order.

    >>> r = {x.rule_id: x for x in catalogue()}
    >>> [x.rule_id for x in run_order([r["E003"], r["H001"], r["M001"], r["E004"], r["V001"]])]
    ['E003', 'E004', 'M001', 'H001', 'V001']
    """
    pos: dict[str, int] = {}
    for r in rules:
        pos.setdefault(r.family, len(pos))
    group = dict(pos)
    for families in Context.FAMILY_CACHES.values():
        lead = min((pos[f] for f in families if f in pos), default=0)
        for f in families:
            if f in pos:
                group[f] = min(group[f], lead)
    order = sorted(range(len(rules)), key=lambda i: (group[rules[i].family], pos[rules[i].family], i))
    return [rules[i] for i in order]


def run_rules(ctx: Context, rules: list[Rule]) -> Iterator[tuple[Rule, pd.DataFrame, float]]:
    """Each rule's hits on ``ctx`` with its seconds, in :func:`run_order`; the context's family caches are
    dropped after the last rule that reads them (:func:`release_plan`)."""
    rules = run_order(rules)
    plan = release_plan(rules)
    for i, r in enumerate(rules):
        t0 = time.perf_counter()
        hits = r.run(ctx)
        seconds = time.perf_counter() - t0
        for name in plan.get(i, ()):
            ctx.release(name)
        yield r, hits, seconds


#: The order of the findings table: the rule, the record, then the unit codes (a record id that
#: occurs twice with other codes gives two findings, always in the same order).
SORT_COLUMNS = ["rule_id", "table", "record_id", "column", "value",
                "province_code", "district_code", "commune_code", "collaborator_id"]


def rule_findings(r: Rule, hits: pd.DataFrame) -> pd.DataFrame:
    """The hits of rule ``r`` as findings rows (the rule's metadata added)."""
    hits = hits.copy()
    table = hits.pop("_table") if "_table" in hits.columns else pd.Series(r.table, index=hits.index)
    if r.column is not None:
        hits["column"] = hits["column"].fillna(r.column)
    hits["rule_id"] = r.rule_id
    hits["dimension"] = r.dimension
    hits["severity"] = r.severity
    hits["table"] = table.astype("string")
    hits["message_vi"] = r.message_vi
    hits["message_en"] = r.message_en
    return hits[list(FINDINGS_COLUMNS)]


def finish_findings(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Findings parts as one table: text columns, sorted by :data:`SORT_COLUMNS`, exact repeats dropped.

    The result does not depend on the order of ``parts`` (the partitioned run relies on it).
    """
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_findings()
    out = pd.concat(parts, ignore_index=True)[list(FINDINGS_COLUMNS)].astype("string")
    out = out.sort_values(SORT_COLUMNS, kind="stable", na_position="last")
    out = out.drop_duplicates(ignore_index=True)
    return out.reset_index(drop=True)


def _unit_of_records(register) -> pd.DataFrame:
    """Every register record with its units and collaborator (denominators of rates)."""
    frames = []
    hh = register.tables.get("households")
    coll = None
    if hh is not None:
        coll = hh.drop_duplicates("household_id").set_index("household_id")["collaborator_id"]
    for name in ("households", "persons", "events"):
        df = register.tables.get(name)
        if df is None or not len(df):
            continue
        f = pd.DataFrame({c: df[c].astype("string") for c in ("province_code", "district_code", "commune_code")
                          if c in df.columns})
        if "collaborator_id" in df.columns:
            f["collaborator_id"] = df["collaborator_id"].astype("string")
        elif coll is not None and "household_id" in df.columns:
            f["collaborator_id"] = df["household_id"].map(coll).astype("string")
        frames.append(f)
    if not frames:
        return pd.DataFrame(columns=["province_code", "district_code", "commune_code", "collaborator_id"])
    return pd.concat(frames, ignore_index=True)


def _level_column(df: pd.DataFrame, by: str) -> pd.Series:
    if by == "commune_2025":
        from popqa.geo import to_2025

        return to_2025(df["commune_code"].astype("string")).astype("string")
    if by == "collaborator":
        return df["collaborator_id"].astype("string")
    return df[f"{by}_code"].astype("string")


def summarise(findings: pd.DataFrame, register=None, by: str = "commune") -> pd.DataFrame:
    """Counts of findings and rates per 1,000 records, by rule or by unit.

    Parameters
    ----------
    findings : the output of :func:`run_checks` (or linkage findings, same columns).
    register : the register the findings come from; gives the denominators
        (households + persons + events per unit). Without it rates are missing.
    by : "rule", "commune", "district", "province", "collaborator" or "commune_2025".

    Returns
    -------
    pandas.DataFrame
        ``by="rule"``: rule_id, dimension, severity, table, findings, records, per_1000.
        Otherwise: the unit column, records, findings, error, warning, info,
        per_1000 and errors_per_1000 (unit-level findings on "units" count
        toward their commune too).
    """
    if by not in SUMMARY_LEVELS:
        raise ValueError(f"by must be one of {', '.join(SUMMARY_LEVELS)}")
    f = findings
    if by == "rule":
        g = f.groupby(["rule_id", "dimension", "severity", "table"], dropna=False).size().rename("findings")
        g = g.reset_index()
        sizes = {n: len(t) for n, t in register.tables.items()} if register is not None else {}
        if register is not None and "households" in register.tables:
            sizes["units"] = register.households["commune_code"].nunique()
        g["records"] = g["table"].map(sizes).astype("Int64")
        g["per_1000"] = (g["findings"] / g["records"].astype("float64") * 1000).round(2)
        return g.sort_values("rule_id", kind="stable").reset_index(drop=True)
    col = {"collaborator": "collaborator_id", "commune_2025": "commune_code_2025"}.get(by, f"{by}_code")
    fk = _level_column(f, by) if len(f) else pd.Series(dtype="string")
    counts = pd.crosstab(fk, f["severity"]) if len(f) else pd.DataFrame()
    counts = counts.reindex(columns=["error", "warning", "info"], fill_value=0)
    counts["findings"] = counts.sum(axis=1)
    if register is not None:
        recs = _unit_of_records(register)
        rk = _level_column(recs, by)
        records = rk.value_counts()
        idx = records.index.union(counts.index)
    else:
        records = pd.Series(dtype="float64")
        idx = counts.index
    out = counts.reindex(idx, fill_value=0)
    out.insert(0, "records", records.reindex(idx).fillna(0).astype("int64"))
    denom = out["records"].where(out["records"] > 0).astype("float64")
    out["per_1000"] = (out["findings"] / denom * 1000).round(2)
    out["errors_per_1000"] = (out["error"] / denom * 1000).round(2)
    out.index.name = col
    out = out.reset_index()
    out = out[["" != x for x in out[col].fillna("").astype(str)]] if len(out) else out
    cols = [col, "records", "findings", "error", "warning", "info", "per_1000", "errors_per_1000"]
    return out[cols].sort_values(col, kind="stable").reset_index(drop=True)


_ = (np, TABLES)
