"""The labour audit stage: LFS indicators, the province table and the insurance gap as indicator rows.

:func:`labour_stage` takes the audit's :class:`~popqa.stages.RunContext` and
returns ``{"indicators:labour": rows}`` (or ``{}`` without a ``labour_force``
table): the survey indicators at province level (all, and by sex, area and age
group), at district level where the LFS gives ``district_code`` (rows whose
sample is too small are ``insufficient``), the LFS design description
(``lfs_sample_*``), the province-table indicators and, when the audit linked
the insurance source, the count of working-age register persons absent from
insurance by commune, district and province.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from popqa import textkeys
from popqa.labour.config import LabourConfig
from popqa.labour.estimate import indicators, table_indicators

__all__ = ["labour_stage", "indicator_rows_of", "insurance_gap", "read_province_table", "PROVINCE_TABLE_NAME"]

#: File name (without extension) of the optional province indicators table in the register folder.
PROVINCE_TABLE_NAME = "labour_indicators"

_STATUS = {"ok": "ok", "insufficient": "insufficient", "no sample": "not_measurable", "no data": "not_measurable"}


def _target_year(period: str) -> int:
    return 2025 if int(str(period)[:4]) <= 2025 else 2030


def indicator_rows_of(table: pd.DataFrame, *, level: str, unit_code: Any, period: str,
                      by: str | list[str] | None = None, source: str = "lfs") -> pd.DataFrame:
    """Indicator rows (the contract's long shape) from a frame of :func:`~popqa.labour.indicators`.

    ``group`` is ``""`` or ``"col=value"`` (``|``-joined for several ``by`` columns); with
    ``by="district_code"`` (or ``unit_code`` as a column name of ``table``) each group is a unit instead.
    The target is the next program year (2025 up to 2025, then 2030); ``met`` follows the interval:
    True when met, False when not met, missing when the interval cannot tell.

    Examples
    --------
    >>> import pandas as pd
    >>> from popqa.labour.estimate import OUTPUT_COLUMNS
    >>> t = pd.DataFrame([dict(indicator_id="unemployment_rate", estimate=0.02, se=0.004, ci_low=0.013,
    ...     ci_high=0.03, deff=1.2, numerator=2e4, denominator=1e6, n=4000, n_psu=200, n_missing=0,
    ...     reliability="ok", target_2025=0.03, target_2030=0.03, status_2025="cannot tell",
    ...     status_2030="cannot tell")])
    >>> r = indicator_rows_of(t, level="province", unit_code="72", period="2025-12")
    >>> r[["value", "target", "met", "status"]].values.tolist()
    [[0.02, 0.03, <NA>, 'ok']]
    """
    from popqa.indicators import concat_indicators, indicator_rows

    by_cols = [by] if isinstance(by, str) else list(by or [])
    ty = _target_year(period)
    unit_col = isinstance(unit_code, str) and unit_code in table.columns
    group_cols = [b for b in by_cols if not (unit_col and b == unit_code)]
    if group_cols:
        group = table[group_cols].astype("string").fillna("NA")
        group = pd.Series([";".join(f"{c}={v}" for c, v in zip(group_cols, r, strict=True))
                           for r in group.itertuples(index=False)], index=table.index)
    else:
        group = pd.Series("", index=table.index)
    parts = []
    for iid, g in table.groupby("indicator_id", sort=False):
        status = g["reliability"].map(_STATUS).fillna("not_measurable")
        units = g[unit_code].astype("string").fillna("NA").to_numpy() if unit_col else unit_code
        rows = indicator_rows(
            str(iid), level=level, unit_code=units, period=period, value=g["estimate"].to_numpy(float),
            se=g["se"].to_numpy(float) if "se" in g else None,
            ci_low=g["ci_low"].to_numpy(float) if "ci_low" in g else None,
            ci_high=g["ci_high"].to_numpy(float) if "ci_high" in g else None,
            numerator=g["numerator"].to_numpy(float) if "numerator" in g else None,
            denominator=g["denominator"].to_numpy(float) if "denominator" in g else None,
            group=group.loc[g.index].to_numpy(), target=g[f"target_{ty}"].to_numpy(float),
            target_year=np.where(np.isfinite(g[f"target_{ty}"].to_numpy(float)), ty, pd.NA),
            status=status.to_numpy(), source=source if "source" not in g else None,
        )
        if "source" in g:
            rows["source"] = g["source"].fillna("province_table").astype("string").to_numpy()
        st = g[f"status_{ty}"].to_numpy()
        met = pd.array(np.where(st == "met", True, False), dtype="boolean")
        met[~np.isin(st, ["met", "not met"]) | (status.to_numpy() != "ok")] = pd.NA
        rows["met"] = met
        parts.append(rows)
    return concat_indicators(parts)


def read_province_table(data_dir: str | Path) -> pd.DataFrame | None:
    """The optional province labour indicators table (indicator, year, value, source) in ``data_dir``.

    Looks for ``labour_indicators.parquet``, ``.csv`` or ``.xlsx``; None when there is none.
    """
    d = Path(data_dir)
    for ext, reader in ((".parquet", pd.read_parquet), (".csv", lambda p: pd.read_csv(p, encoding="utf-8-sig")),
                        (".xlsx", pd.read_excel)):
        p = d / f"{PROVINCE_TABLE_NAME}{ext}"
        if p.is_file():
            return reader(p)
    return None


def insurance_gap(register: Any, links: pd.DataFrame | None, *, period: Any,
                  config: LabourConfig | None = None, contributing_only: bool = True) -> pd.DataFrame | None:
    """Working-age register persons absent from social insurance, by commune.

    Parameters
    ----------
    register : the audit's :class:`popqa.io.Register` (persons; insurance).
    links : the audit's insurance links (``source_id`` = insurance_id, ``person_id``; None when not linked).
    period : the audited period; ages are exact (in months) at its last day, the working age runs from
        ``config.min_age`` to the statutory retirement age of its year for the person's sex.
    contributing_only : count a person as insured only through a linked record that is contributing
        (else any linked insurance record).

    Returns
    -------
    DataFrame or None
        ``province_code``, ``district_code``, ``commune_code``, ``persons`` (present, working age, known
        sex and birth date) and ``absent`` (of those, not linked to insurance); None without an insurance
        table or link.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> persons = pd.DataFrame({"person_id": ["a", "b", "c", "d"], "status": [1, 1, 1, 2], "sex": [1, 2, 1, 1],
    ...     "birth_date": pd.to_datetime(["1990-01-01", "1969-01-01", "2015-01-01", "1990-01-01"]),
    ...     "province_code": "72", "district_code": "710", "commune_code": "25654"})
    >>> ins = pd.DataFrame({"insurance_id": ["BH1"], "contributing": [True]})
    >>> reg = SimpleNamespace(columns=lambda n, c: {"insurance": ins, "persons": persons}[n][c])
    >>> lk = pd.DataFrame({"source_id": ["BH1"], "person_id": ["a"]})
    >>> insurance_gap(reg, lk, period="2025-12")[["persons", "absent"]].values.tolist()
    [[1, 0]]
    """
    from popqa.definitions import is_present, reference_date

    cfg = config or LabourConfig()
    # the two columns used, read alone when the table is on disk (popqa.io.register.TableOnDisk)
    ins = register.columns("insurance", ["insurance_id", "contributing"])
    if ins is None or links is None:
        return None
    # masks over the whole register, then the kept persons' four columns: a copy of the present persons'
    # every column, then of the working-age ones, was 1 GB at 3.38 M persons (docs/benchmarks.md)
    p = register.columns("persons", ["person_id", "status", "sex", "birth_date", "province_code", "district_code",
                                     "commune_code"])  # the columns used (held in memory after the link stage)
    ref = reference_date(period)
    b = pd.to_datetime(p["birth_date"])
    months = ((ref.year - b.dt.year) * 12 + (ref.month - b.dt.month) - (ref.day < b.dt.day).astype(int)).to_numpy(
        dtype="float64", na_value=np.nan)
    sex = pd.to_numeric(p["sex"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    limit = np.select([sex == 1, sex == 2], [cfg.retirement_age(ref.year, 1) * 12, cfg.retirement_age(ref.year, 2) * 12],
                      np.nan)
    with np.errstate(invalid="ignore"):
        wa = (months >= cfg.min_age * 12) & (months < np.round(limit))
    rows = np.flatnonzero(wa & is_present(p).to_numpy())
    lk = links[links["person_id"].notna()]
    if contributing_only and "contributing" in ins.columns:
        ok_ids = ins.loc[ins["contributing"].fillna(False).astype(bool).to_numpy(), "insurance_id"]
        lk = lk[textkeys.isin(lk["source_id"], ok_ids)]
    insured = textkeys.isin(p["person_id"].take(rows), lk["person_id"])
    keys = ["province_code", "district_code", "commune_code"]
    # counted by the codes as they are, then by their text (a few thousand groups): the same sums and
    # order as grouping every person's codes as text
    df = pd.DataFrame({k: p[k].to_numpy(dtype=object)[rows] for k in keys}).assign(
        persons=1, absent=(~insured).astype(int))
    df = df.groupby(keys, sort=False, dropna=False, as_index=False)[["persons", "absent"]].sum()
    df[keys] = df[keys].astype("string").fillna("NA")
    return df.groupby(keys, sort=True, as_index=False)[["persons", "absent"]].sum()


def _gap_rows(gap: pd.DataFrame, period: str) -> pd.DataFrame:
    from popqa.indicators import concat_indicators, indicator_rows

    iid = "working_age_absent_from_insurance"
    parts = []
    for level, col in (("commune", "commune_code"), ("district", "district_code"), ("province", "province_code")):
        g = gap.groupby(col, sort=True, as_index=False)[["persons", "absent"]].sum()
        g = g[g[col] != "NA"]
        if len(g):
            parts.append(indicator_rows(iid, level=level, unit_code=g[col].to_numpy(), period=period,
                                        value=g["absent"].to_numpy(float), numerator=g["absent"].to_numpy(float),
                                        denominator=g["persons"].to_numpy(float), source="register+insurance"))
    return concat_indicators(parts)


def _design_rows(lfs: pd.DataFrame, unit: str, period: str) -> pd.DataFrame:
    from popqa.indicators import concat_indicators, indicator_rows

    psu = lfs["stratum"].astype("string") + "\x1f" + lfs["psu"].astype("string")
    per_stratum = psu.groupby(lfs["stratum"].astype("string")).nunique()
    pop = float(pd.to_numeric(lfs["weight"], errors="coerce").sum())
    return concat_indicators([
        indicator_rows("lfs_sample_persons", level="province", unit_code=unit, period=period, value=float(len(lfs)),
                       numerator=float(len(lfs)), denominator=pop),
        indicator_rows("lfs_sample_psus", level="province", unit_code=unit, period=period,
                       value=float(psu.nunique())),
        indicator_rows("lfs_sample_strata", level="province", unit_code=unit, period=period,
                       value=float(len(per_stratum)), numerator=float((per_stratum == 1).sum())),
    ])


def labour_stage(ctx: Any) -> dict[str, Any]:
    """The audit stage: ``{"indicators:labour": rows}``, or ``{}`` without a ``labour_force`` table.

    Reads ``ctx["register"]``, ``ctx.period``, ``ctx.config`` (``province_code``; ``labour``, a
    :class:`LabourConfig`, when the run's config has one), ``ctx.get("links", {}).get("insurance")``
    and the optional province table in ``ctx.data_dir`` (:func:`read_province_table`).
    """
    import warnings

    from popqa.indicators import concat_indicators
    from popqa.survey import LonelyPSUWarning

    reg = ctx["register"]
    lfs = reg.get("labour_force")
    if lfs is None or not len(lfs):
        return {}
    cfg = getattr(ctx.config, "labour", None) or LabourConfig()
    period = str(ctx.period)
    year = int(period[:4])
    prov = getattr(ctx.config, "province_code", None)
    if not prov:
        codes = lfs["province_code"].dropna().astype("string")
        prov = str(codes.mode().iloc[0]) if len(codes) else "NA"
    parts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LonelyPSUWarning)   # the design rows report lonely strata
        parts.append(indicator_rows_of(indicators(lfs, year=year, config=cfg), level="province", unit_code=prov,
                                       period=period))
        for by in ("sex", "urban", "age_group"):
            if by == "age_group" or by in lfs.columns:
                t = indicators(lfs, year=year, by=by, config=cfg)
                parts.append(indicator_rows_of(t, level="province", unit_code=prov, period=period, by=by))
        if cfg.district_level and "district_code" in lfs.columns and lfs["district_code"].notna().any():
            t = indicators(lfs, year=year, by="district_code", config=cfg)
            parts.append(indicator_rows_of(t, level="district", unit_code="district_code", period=period,
                                           by="district_code"))
    parts.append(_design_rows(lfs, prov, period))
    data_dir = getattr(ctx, "data_dir", None)
    table = read_province_table(data_dir) if data_dir is not None else None
    tt = table_indicators(table, config=cfg)
    tt = tt.assign(se=np.nan, ci_low=np.nan, ci_high=np.nan, numerator=np.nan, denominator=np.nan)
    parts.append(indicator_rows_of(tt, level="province", unit_code=prov, period=period))
    gap = insurance_gap(reg, ctx.get("links", {}).get("insurance"), period=period, config=cfg)
    if gap is not None and len(gap):
        if prov:  # a legacy province merged into the audited 2025 province counts under it
            from popqa.geo import province_unit

            gap = gap.assign(province_code=province_unit(gap["province_code"], prov))
        parts.append(_gap_rows(gap, period))
    return {"indicators:labour": concat_indicators(parts)}
