"""Labour-market indicators of Decision 176/QĐ-TTg from labour-force survey microdata.

Each indicator is a ratio of two weighted totals on the LFS design (strata
``stratum``, PSUs ``psu``, weights ``weight``): the share of a numerator
group within a denominator group (ICLS-19 definitions, ages in completed years
at the survey date). Estimates, standard errors and intervals come from
:class:`popqa.survey.Design` (Taylor linearisation, R's ``survey``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from popqa.labour.config import LabourConfig, Target

__all__ = ["indicators", "table_indicators", "working_age", "age_group", "INDICATOR_ORDER", "OUTPUT_COLUMNS",
           "AGE_BANDS", "TARGET_STATUSES", "RELIABILITY"]

#: Survey indicators in report order.
INDICATOR_ORDER = (
    "unemployment_rate", "unemployment_rate_urban", "trained_share", "agriculture_share", "neet_rate",
    "youth_unemployment_urban", "youth_underemployment_rural", "social_insurance_share",
    "voluntary_insurance_share", "it_skills_share",
)
#: Columns of :func:`indicators` after ``indicator_id`` and the ``by`` columns.
OUTPUT_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "deff", "numerator", "denominator", "n", "n_psu",
                  "n_missing", "reliability", "target_2025", "target_2030", "status_2025", "status_2030")
#: Lower bounds of the age groups of ``by="age_group"`` (the last is open).
AGE_BANDS = (15, 25, 35, 45, 55, 65)
#: Status against a target.
TARGET_STATUSES = ("met", "not met", "cannot tell", "no data")
#: Whether an estimate can be read: ``ok``; ``insufficient`` (too few sampled persons or PSUs);
#: ``no sample`` (no sampled person in the domain); ``no data`` (a column the definition needs is absent).
RELIABILITY = ("ok", "insufficient", "no sample", "no data")

_DESIGN_COLS = ("stratum", "psu", "weight")


def _bool(df: pd.DataFrame, col: str) -> pd.Series:
    """A column as a nullable boolean (``pd.NA`` where missing or not a truth value)."""
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean")
    if pd.api.types.is_numeric_dtype(s):
        v = pd.to_numeric(s, errors="coerce")
        return v.where(v.isin([0, 1])).astype("Float64").astype("boolean")
    m = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    codes, uniq = pd.factorize(s)      # normalise the few distinct values, not every row
    vals = pd.array([m.get(str(u).strip().lower(), pd.NA) for u in uniq] + [pd.NA], dtype="boolean")
    return pd.Series(vals[codes], index=s.index)


def _num(df: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(df[col], errors="coerce").astype("Float64")


def _code(df: pd.DataFrame, col: str) -> pd.Series:
    """Text codes stripped and lower-cased (``pd.NA`` where missing), normalising distinct values once."""
    codes, uniq = pd.factorize(df[col])
    vals = pd.array([str(u).strip().lower() for u in uniq] + [pd.NA], dtype="string")
    return pd.Series(vals[codes], index=df.index)


def age_group(age: Any, bands: Sequence[int] = AGE_BANDS) -> pd.Series:
    """Age-group labels ``"15-24"``, ..., ``"65+"`` of completed ages (missing below the first band).

    Examples
    --------
    >>> age_group(pd.Series([14, 15, 24, 25, 70, None])).tolist()
    [<NA>, '15-24', '15-24', '25-34', '65+', <NA>]
    """
    a = pd.to_numeric(pd.Series(age), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    labels = [f"{lo}-{hi - 1}" for lo, hi in zip(bands[:-1], bands[1:], strict=True)] + [f"{bands[-1]}+"]
    idx = np.searchsorted(np.asarray(bands, dtype=float), a, side="right") - 1
    out = np.where((idx >= 0) & np.isfinite(a), np.asarray(labels, dtype=object)[np.clip(idx, 0, None)], None)
    return pd.Series(out, index=getattr(age, "index", None), dtype="string")


def working_age(age: Any, sex: Any, year: int, config: LabourConfig | None = None) -> pd.Series:
    """Whether each person is of working age: ``min_age`` <= age < statutory retirement age of ``year``.

    Ages are completed years, so a person whose completed age equals the integer
    part of a fractional retirement age (61 when it is 61 years 3 months) counts
    as of working age. Where the sex is unknown the answer is known only when
    both sexes' limits agree (else ``pd.NA``).

    Examples
    --------
    >>> working_age(pd.Series([14, 30, 61, 61, 58, 62]), pd.Series([1, 1, 1, 2, None, None]), 2025).tolist()
    [False, True, True, False, <NA>, False]
    """
    cfg = config or LabourConfig()
    a = pd.to_numeric(pd.Series(age), errors="coerce").astype("Float64")
    s = pd.to_numeric(pd.Series(sex), errors="coerce")
    wa = {k: (a >= cfg.min_age) & (a < cfg.retirement_age(year, k)) for k in (1, 2)}
    either = wa[1].where(wa[1] == wa[2], pd.NA)
    out = either.where(~s.isin([1, 2]), wa[1].where(s == 1, wa[2]))
    return out.astype("boolean")


@dataclass(frozen=True)
class _Def:
    needs: tuple[str, ...]
    den: Callable[[dict[str, pd.Series]], pd.Series]
    num: Callable[[dict[str, pd.Series]], pd.Series]


def _definitions() -> dict[str, _Def]:
    def lf(v):
        return v["lf"] & v["adult"]

    def youth_lf(v):
        return v["lf"] & v["youth"]

    return {
        "unemployment_rate": _Def((), lf, lambda v: v["unemployed"]),
        "unemployment_rate_urban": _Def(("urban",), lambda v: lf(v) & v["urban"], lambda v: v["unemployed"]),
        "trained_share": _Def(("training",), lf, lambda v: v["certificate"]),
        "agriculture_share": _Def(("sector",), lambda v: v["employed"] & v["adult"], lambda v: v["agriculture"]),
        "neet_rate": _Def(("in_education", "in_training"), lambda v: v["youth"],
                          lambda v: ~v["employed"] & ~v["in_education"] & ~v["in_training"]),
        "youth_unemployment_urban": _Def(("urban",), lambda v: youth_lf(v) & v["urban"],
                                         lambda v: v["unemployed"]),
        "youth_underemployment_rural": _Def(
            ("urban", "hours_worked", "wants_more_hours", "available_more_hours"),
            lambda v: v["employed"] & v["youth"] & ~v["urban"],
            lambda v: v["short_hours"] & v["wants_more_hours"] & v["available_more_hours"]),
        "social_insurance_share": _Def(("sex", "insured"), lambda v: v["lf"] & v["working_age"],
                                       lambda v: v["insured"]),
        "voluntary_insurance_share": _Def(("insurance_scheme",), lf, lambda v: v["voluntary"]),
        "it_skills_share": _Def(("it_skills",), lf, lambda v: v["it_skills"]),
    }


def _present(df: pd.DataFrame, col: str) -> bool:
    return col in df.columns and bool(df[col].notna().any())


def _variables(lfs: pd.DataFrame, year: int, cfg: LabourConfig) -> tuple[dict[str, pd.Series], set[str]]:
    """Three-valued (Kleene) person flags the definitions combine, and the inputs present."""
    n = len(lfs)
    na = pd.Series(pd.array([pd.NA] * n, dtype="boolean"), index=lfs.index)
    have = {c for c in lfs.columns if _present(lfs, c)}
    age = _num(lfs, "age") if "age" in have else pd.Series(pd.array([pd.NA] * n, dtype="Float64"), index=lfs.index)
    ls = _code(lfs, "labour_status") if "labour_status" in have else pd.Series(pd.NA, index=lfs.index, dtype="string")
    ls = ls.where(ls.isin(["employed", "unemployed", "outside"]))
    lo, hi = cfg.youth_ages
    v: dict[str, pd.Series] = {
        "adult": (age >= cfg.min_age).astype("boolean"),
        "youth": ((age >= lo) & (age <= hi)).astype("boolean"),
        "employed": (ls == "employed").astype("boolean"),
        "unemployed": (ls == "unemployed").astype("boolean"),
        "lf": ls.isin(["employed", "unemployed"]).astype("boolean").where(ls.notna(), pd.NA),
    }
    v["employed"] = v["employed"].where(ls.notna(), pd.NA)
    v["unemployed"] = v["unemployed"].where(ls.notna(), pd.NA)
    for c in ("urban", "in_education", "in_training", "wants_more_hours", "available_more_hours", "it_skills"):
        v[c] = _bool(lfs, c) if c in have else na
    if "training" in have:
        tr = _code(lfs, "training")
        v["certificate"] = (tr == "certificate or higher").astype("boolean").where(
            tr.isin(["none", "short course", "certificate or higher"]), pd.NA)
    if "sector" in have:
        se = _code(lfs, "sector")
        v["agriculture"] = (se == "agriculture").astype("boolean").where(
            se.isin(["agriculture", "industry", "services"]), pd.NA)
    if "hours_worked" in have:
        h = _num(lfs, "hours_worked")
        v["short_hours"] = (h < cfg.underemployment_hours).astype("boolean").where(h.notna() & (h >= 0), pd.NA)
    scheme = None
    if "insurance_scheme" in have:
        scheme = _code(lfs, "insurance_scheme")
        scheme = scheme.where(scheme.isin(["compulsory", "voluntary", "none"]))
        v["voluntary"] = (scheme == "voluntary").astype("boolean").where(scheme.notna(), pd.NA)
    if "social_insurance" in have:
        v["insured"] = _bool(lfs, "social_insurance")
        have.add("insured")
    elif scheme is not None:
        v["insured"] = scheme.isin(["compulsory", "voluntary"]).astype("boolean").where(scheme.notna(), pd.NA)
        have.add("insured")
    if "sex" in have:
        v["working_age"] = working_age(age, lfs["sex"], year, cfg).set_axis(lfs.index)
    return v, have


def _target_status(est: np.ndarray, lo: np.ndarray, hi: np.ndarray, ok: np.ndarray, target: Target | None,
                   year: int) -> tuple[float, np.ndarray]:
    t = target.value(year) if target is not None else None
    out = np.full(len(est), "no data", dtype=object)
    if t is None:
        return np.nan, out
    has = np.isfinite(est)
    if target.direction == "below":  # type: ignore[union-attr]
        met, notmet = hi < t, lo >= t
    else:
        met, notmet = lo >= t, hi < t
    out[has] = "cannot tell"
    out[has & ok & met] = "met"
    out[has & ok & notmet] = "not met"
    return float(t), out


def _group_keys(work: pd.DataFrame, by: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Rows with every ``by`` key, and their group codes (the order :class:`Design` uses)."""
    keys = work[by]
    ok = keys.notna().all(axis=1).to_numpy()
    g = np.full(len(work), -1, dtype=np.int64)
    g[ok] = keys[ok].groupby(by, sort=True, observed=True).ngroup().to_numpy(np.int64)
    return keys, g


def indicators(lfs: pd.DataFrame, *, year: int | None = None, by: str | Sequence[str] | None = None,
               config: LabourConfig | None = None) -> pd.DataFrame:
    """The labour-market indicators of Decision 176/QĐ-TTg from LFS microdata, with targets and status.

    Parameters
    ----------
    lfs : the contract's ``labour_force`` table: one row per sampled person 15+ with ``stratum``, ``psu``,
        ``weight`` and the survey items. Optional columns the definitions need (``hours_worked``,
        ``wants_more_hours``, ``available_more_hours``, ``in_training``, ``insurance_scheme``, ``it_skills``)
        may be absent: the indicators that need them are reported with ``reliability`` ``"no data"`` and no
        estimate, never as zero.
    year : the survey year (the statutory retirement age that bounds the working age); None: this year.
    by : a column or columns of ``lfs`` giving domains (``"sex"``, ``"urban"``, ...); ``"age_group"`` is
        derived from ``age`` (:data:`AGE_BANDS`) when it is not a column.
    config : :class:`~popqa.labour.LabourConfig` (targets, ages, thresholds); None: defaults.

    Returns
    -------
    DataFrame
        One row per indicator (per indicator and group with ``by``): ``indicator_id``, the ``by`` columns,
        then :data:`OUTPUT_COLUMNS`. ``estimate`` is numerator / denominator (weighted totals of the sampled
        persons in each, item-missing cases left out of both; ``n_missing`` counts them); ``se`` and the
        interval are design-based (logit interval on the design degrees of freedom, or normal, per
        ``config.interval``); ``n`` and ``n_psu`` count sampled persons and PSUs in the denominator.
        ``status_2025`` / ``status_2030``: ``met`` when the whole interval is on the target's good side,
        ``not met`` when it is wholly on the other side, ``cannot tell`` when it straddles the target or
        the estimate is insufficient, ``no data`` without an estimate.

    Examples
    --------
    >>> lfs = pd.DataFrame({
    ...     "stratum": ["a"] * 4 + ["b"] * 4, "psu": ["1", "1", "2", "2", "3", "3", "4", "4"],
    ...     "weight": [10.0] * 8, "sex": [1, 2] * 4, "age": [20, 30, 40, 50, 22, 33, 44, 70],
    ...     "urban": [True, False] * 4,
    ...     "labour_status": ["employed", "unemployed", "employed", "employed",
    ...                       "employed", "employed", "outside", "employed"],
    ...     "sector": ["industry", None, "agriculture", "services", "services", "agriculture", None, "agriculture"],
    ...     "training": ["none"] * 8, "in_education": [False] * 8, "social_insurance": [True, False] * 4})
    >>> r = indicators(lfs, year=2025, config=LabourConfig(min_n=1)).set_index("indicator_id")
    >>> [float(x) for x in r.loc["unemployment_rate", ["numerator", "denominator"]]]
    [10.0, 70.0]
    >>> r.loc["it_skills_share", ["reliability", "status_2025"]].tolist()
    ['no data', 'no data']
    """
    from popqa.survey import Design

    cfg = config or LabourConfig()
    if not isinstance(lfs, pd.DataFrame):
        raise ValueError("lfs must be a pandas DataFrame (the labour_force table)")
    missing = [c for c in (*_DESIGN_COLS, "age", "labour_status") if c not in lfs.columns]
    if missing:
        raise ValueError(f"the labour_force table lacks the column(s) {missing} the indicators need")
    if not len(lfs):
        raise ValueError("the labour_force table has no rows")
    year = int(year) if year is not None else _dt.date.today().year
    by_cols = [by] if isinstance(by, str) else list(by or [])
    lfs = lfs.reset_index(drop=True)
    derived: dict[str, pd.Series] = {}
    for b in by_cols:
        if b not in lfs.columns:
            if b == "age_group":
                derived[b] = age_group(lfs["age"])
            else:
                raise ValueError(f"by column {b!r} is not in the labour_force table")
    v, have = _variables(lfs, year, cfg)
    defs = _definitions()
    work = pd.DataFrame({c: lfs[c] for c in _DESIGN_COLS})
    if cfg.use_fpc and "fpc" in lfs.columns and lfs["fpc"].notna().all():
        work["fpc"] = lfs["fpc"]
    for b in by_cols:
        work[b] = derived[b] if b in derived else lfs[b]
    cols: dict[str, np.ndarray] = {}
    doms: dict[str, np.ndarray] = {}
    unknown: dict[str, np.ndarray] = {}
    for iid in INDICATOR_ORDER:
        d = defs[iid]
        if not all(c in have for c in d.needs):
            continue
        den = d.den(v)
        num = d.num(v)
        inside = den.fillna(False).to_numpy(dtype=bool)
        cols[iid] = np.where(num.isna().to_numpy(), np.nan, num.fillna(False).to_numpy(dtype="float64"))
        doms[iid] = inside
        unknown[iid] = den.isna().to_numpy() | (inside & num.isna().to_numpy())
    for iid, c in cols.items():
        work[f"_y_{iid}"] = c
    design = Design(work, ids="psu", strata="stratum", weights="weight",
                    fpc="fpc" if "fpc" in work.columns else None)
    w = design.weights
    psu_code = work.groupby(["stratum", "psu"], sort=False, observed=True).ngroup().to_numpy(np.int64)
    n_psu_all = int(psu_code.max()) + 1
    if by_cols:
        keys, g = _group_keys(work, by_cols)
        labels = keys[g >= 0].groupby(by_cols, sort=True, observed=True).size().index
        G = len(labels)
    else:
        g = np.zeros(len(work), dtype=np.int64)
        labels, G = None, 1
    parts = []
    for iid in INDICATOR_ORDER:
        target = cfg.targets.get(iid)
        row: dict[str, Any] = {"indicator_id": np.full(G, iid, dtype=object)}
        if iid not in cols:
            est = se = lo = hi = deff = numr = denr = np.full(G, np.nan)
            n = npsu = np.zeros(G, dtype=np.int64)
            nmiss = np.zeros(G, dtype=np.int64)
            rel = np.full(G, "no data", dtype=object)
        else:
            dom = doms[iid]
            sub = design.subset(dom)
            col = f"_y_{iid}"
            if cfg.interval == "logit":
                got = sub.proportion(col, by=by_cols or None, na_rm=True, level=cfg.level)
            else:
                got = sub.mean(col, by=by_cols or None, na_rm=True, level=cfg.level)
            res = got.reindex(labels) if isinstance(got, pd.DataFrame) else pd.DataFrame([got.__dict__])
            est = res["estimate"].to_numpy(float)
            se = res["se"].to_numpy(float)
            lo = res["ci_low"].to_numpy(float)
            hi = res["ci_high"].to_numpy(float)
            deff = res["deff"].to_numpy(float)
            # a logit interval does not exist at 0 or 1: fall back to the normal one, clipped to 0-1
            from scipy import stats

            z = stats.norm.ppf(0.5 + cfg.level / 2)
            fb = np.isfinite(est) & ~(np.isfinite(lo) & np.isfinite(hi))
            lo = np.where(fb, np.clip(est - z * se, 0, 1), lo)
            hi = np.where(fb, np.clip(est + z * se, 0, 1), hi)
            y = cols[iid]
            kept = dom & np.isfinite(y) & (g >= 0)
            gk = g[kept]
            numr = np.bincount(gk, weights=w[kept] * y[kept], minlength=G)
            denr = np.bincount(gk, weights=w[kept], minlength=G)
            n = np.bincount(gk, minlength=G)
            pairs = np.unique(gk * n_psu_all + psu_code[kept])
            npsu = np.bincount(pairs // n_psu_all, minlength=G)
            um = unknown[iid] & (g >= 0)
            nmiss = np.bincount(g[um], minlength=G)
            rel = np.where(n == 0, "no sample",
                           np.where((n < cfg.min_n) | (npsu < cfg.min_psus), "insufficient", "ok")).astype(object)
            empty = n == 0
            est, se, lo, hi, deff = (np.where(empty, np.nan, a) for a in (est, se, lo, hi, deff))
            numr = np.where(empty, 0.0, numr)
        ok = rel == "ok"
        t25, s25 = _target_status(est, lo, hi, ok, target, 2025)
        t30, s30 = _target_status(est, lo, hi, ok, target, 2030)
        row.update(estimate=est, se=se, ci_low=lo, ci_high=hi, deff=deff, numerator=numr, denominator=denr,
                   n=n, n_psu=npsu, n_missing=nmiss, reliability=rel, target_2025=t25, target_2030=t30,
                   status_2025=s25, status_2030=s30)
        frame = pd.DataFrame(row)
        if by_cols:
            assert labels is not None
            lab = labels.to_frame(index=False) if isinstance(labels, pd.MultiIndex) else pd.DataFrame(
                {by_cols[0]: labels})
            for b in reversed(by_cols):
                frame.insert(1, b, lab[b].to_numpy())
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    for name in ("n", "n_psu", "n_missing"):
        out[name] = out[name].astype("int64")
    return out


def table_indicators(table: pd.DataFrame | None, *, year: int | None = None,
                     config: LabourConfig | None = None) -> pd.DataFrame:
    """Indicators the LFS cannot give, from the province's own table, against their targets.

    Parameters
    ----------
    table : columns ``indicator`` (an id of :data:`popqa.labour.indicators.TABLE_INDICATORS`), ``year``,
        ``value`` (a percentage, as published: 5.8 is 5.8%; or a share 0-1 when an optional ``unit``
        column says ``share``) and ``source``; None or empty: every such indicator is reported with
        ``reliability`` ``"no data"``.
    year : the year to report (None: the latest year of each indicator).

    Returns
    -------
    DataFrame
        ``indicator_id``, ``year``, ``estimate``, ``source``, ``reliability``, the targets and statuses
        (a published value has no interval: ``met`` / ``not met`` compare the value itself).

    Examples
    --------
    >>> t = pd.DataFrame({"indicator": ["labour_productivity_growth"], "year": [2024], "value": [5.8],
    ...                   "source": ["Provincial Statistics Office, yearbook 2024"]})
    >>> r = table_indicators(t).set_index("indicator_id")
    >>> round(float(r.loc["labour_productivity_growth", "estimate"]), 4), r.loc["labour_productivity_growth", "status_2025"]
    (0.058, 'not met')
    >>> r.loc["career_guidance_share", "reliability"]
    'no data'
    """
    from popqa.labour.indicators import TABLE_INDICATORS

    cfg = config or LabourConfig()
    ids = list(TABLE_INDICATORS)
    base = pd.DataFrame({"indicator_id": ids})
    if table is not None and len(table):
        need = {"indicator", "year", "value", "source"} - set(table.columns)
        if need:
            raise ValueError(f"the province labour indicators table lacks the column(s) {sorted(need)}")
        t = table.assign(indicator=table["indicator"].astype("string").str.strip(),
                         year=pd.to_numeric(table["year"], errors="coerce"),
                         value=pd.to_numeric(table["value"], errors="coerce"))
        unknown = sorted(set(t["indicator"].dropna()) - set(ids))
        if unknown:
            raise ValueError(f"unknown indicator(s) {unknown} in the province labour table; known: {ids}")
        t = t[t["value"].notna() & t["year"].notna()]
        if year is not None:
            t = t[t["year"] == int(year)]
        t = t.sort_values(["indicator", "year"]).drop_duplicates("indicator", keep="last")
        share = (t["unit"].astype("string").str.strip().str.lower() == "share").fillna(False).to_numpy() \
            if "unit" in t.columns else np.zeros(len(t), dtype=bool)
        t = t.assign(value=np.where(share, t["value"], t["value"] / 100.0))
        base = base.merge(t.rename(columns={"indicator": "indicator_id", "value": "estimate"})
                          [["indicator_id", "year", "estimate", "source"]], on="indicator_id", how="left")
    else:
        base = base.assign(year=np.nan, estimate=np.nan, source=None)
    est = base["estimate"].to_numpy(float)
    ok = np.isfinite(est)
    base["reliability"] = np.where(ok, "ok", "no data")
    for y in (2025, 2030):
        tv, st = zip(*(_target_status(est[i:i + 1], est[i:i + 1], est[i:i + 1], ok[i:i + 1],
                                      cfg.targets.get(iid), y) for i, iid in enumerate(ids)), strict=True)
        base[f"target_{y}"] = [float(x) for x in tv]
        base[f"status_{y}"] = [s[0] for s in st]
    base["year"] = pd.to_numeric(base["year"]).astype("Int64")
    return base
