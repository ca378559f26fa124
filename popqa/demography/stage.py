"""The demography audit stage: rates, life tables and projections of a register as indicator rows.

:func:`demography_indicators` is the whole stage: it counts person-years and
events once at province level (:func:`popqa.demography.rates.exposure`,
:func:`~popqa.demography.rates.vital_events`), then derives every unit's
rates (province, districts, communes, with district pooling for small
communes), life expectancy (province and districts, by sex) and the
cohort-component projection to ``config.horizon`` (province and districts,
by sex, for each scenario). Rates are also given for the 2025 communes (each
legacy commune's default 2025 target), pooled to the province where small.

Examples
--------
>>> from popqa.io import read_register
>>> reg = read_register("data_samples/tayninh-godau/register")
>>> rows = demography_indicators(reg, period="2026-10")
>>> sorted(rows["level"].unique())
['commune', 'commune_2025', 'district', 'province']
>>> rows.loc[rows["indicator_id"].eq("crude_death_rate") & rows["level"].eq("district"), "status"].tolist()
['insufficient']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from popqa.definitions import age_at, is_present, reference_date
from popqa.demography.config import DemographyConfig
from popqa.demography.indicators import TABLE_COLUMNS, pooled_rows, table_rows
from popqa.demography.lifetable import LifeTable, abridged_ages, life_table
from popqa.demography.projection import Projection, project
from popqa.demography.rates import (
    FERTILE_AGES,
    GEO_COLUMNS,
    LEVEL_COLUMNS,
    exposure,
    rates_table,
    vital_events,
)

__all__ = ["demography_indicators", "DemographyInputs", "demography_inputs", "unit_life_tables",
           "unit_projections", "DemographyResults", "demography_results", "demography_stage",
           "life_table_frame", "projection_frame", "ARTIFACTS"]

#: Files the demography stage writes into the audit (besides its indicator rows), relative to the
#: audit folder; aggregates only (no record, name or ID). Documented in ``docs/demography.md``.
ARTIFACTS = {"life_tables": "demography/life_tables.parquet", "projection": "demography/projection.parquet",
             "assumptions": "demography/assumptions.json"}

_SEXES = ((1, "m", "sex=1"), (2, "f", "sex=2"), (0, "b", ""))


@dataclass(frozen=True)
class DemographyInputs:
    """What the stage counts once: person-years, events and the present persons' ages."""

    period: str
    exposure: pd.DataFrame
    events: pd.DataFrame
    persons: pd.DataFrame


def _add_2025(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``commune_code_2025``: the default 2025 commune of its legacy ``commune_code`` (None if unknown)."""
    from popqa.geo import to_2025

    cat = pd.Categorical(frame["commune_code"].astype(object))
    cats = pd.Series(cat.categories.astype(str), dtype="string")
    new = np.append(to_2025(cats).astype(object).to_numpy(), None)  # type: ignore[call-overload]  # code -1 -> None
    new = np.where(pd.isna(new), None, new)
    return frame.assign(commune_code_2025=new[cat.codes])


def demography_inputs(register: Any, *, period: Any, config: DemographyConfig | None = None,
                      province_code: str | None = None) -> DemographyInputs:
    """Person-years, window events and present persons (unit codes, sex, age at the period end).

    With the audited ``province_code``, persons and events of a legacy province merged into the
    same 2025 province count under it (:func:`popqa.geo.province_unit`): the province's rates,
    life table and projection are those of the whole province, not one per legacy province.
    """
    cfg = config or DemographyConfig()
    # the person-years and events first, then the present persons' codes, sex and age, each column taken
    # from the register at once: the present persons' five columns copied, then their codes copied twice,
    # were held through the person-years' own work (0.25 GB of the stage's 1 GB at 3.38 M persons)
    exp = _add_2025(exposure(register, period=period, window_months=cfg.window_months))
    ev = _add_2025(vital_events(register, period=period, window_months=cfg.window_months))
    persons = register.columns("persons", ["status", *GEO_COLUMNS, "sex", "birth_date"])  # the columns used
    present = is_present(persons).to_numpy()
    pa = pd.DataFrame({c: persons[c].to_numpy(dtype=object)[present] for c in GEO_COLUMNS},
                      index=persons.index[present])
    pa["commune_code_2025"] = _add_2025(pa[["commune_code"]])["commune_code_2025"].to_numpy()
    if province_code:
        from popqa.geo import province_unit

        for frame in (pa, exp, ev):
            if "province_code" in frame.columns and len(frame):
                frame["province_code"] = province_unit(frame["province_code"], province_code).astype(object).where(
                    frame["province_code"].notna(), None)
    sex = persons["sex"].to_numpy(dtype="float64", na_value=np.nan)[present]
    pa["sex"] = np.where(np.isin(sex, (1, 2)), sex, 0).astype(np.int64)
    age = age_at(persons["birth_date"], reference_date(period)).to_numpy()[present]
    pa["age"] = np.where(np.isfinite(age) & (age >= 0), np.minimum(age, 110), -1).astype(np.int64)
    return DemographyInputs(
        period=str(period),
        exposure=exp,
        events=ev,
        persons=pa,
    )


def _abridged(values: pd.Series, open_age: int) -> np.ndarray:
    """Sum a single-age series into the groups 0, 1-4, 5-9, ..., open_age+."""
    ages = abridged_ages(open_age)
    a = values.index.to_numpy()
    idx = np.searchsorted(ages, a, side="right") - 1
    return np.bincount(idx, weights=values.to_numpy(float), minlength=len(ages))[: len(ages)]


def _by_unit(frame: pd.DataFrame, col: str) -> dict[str, pd.DataFrame]:
    """The rows of ``frame`` by unit code (as text), one grouping for all units.

    >>> sorted(_by_unit(pd.DataFrame({"c": ["1", "2", "1", None]}), "c"))
    ['1', '2']
    """
    if col not in frame.columns or not len(frame):
        return {}
    return {str(k): g for k, g in frame.groupby(col, sort=False, observed=True, dropna=True)}


def _ages_by_unit(pa: pd.DataFrame, col: str) -> tuple[dict[str, int], dict[tuple[str, int], pd.Series]]:
    """The present persons of each unit of ``col`` (as text): their number, and the number of each age
    among those of known age and sex (1, 2), by sex: counted in one grouping, without each unit's rows.

    >>> pa = pd.DataFrame({"c": ["1", "1", "1", "2", None], "sex": [1, 1, 0, 2, 1], "age": [3, 3, 7, -1, 5]})
    >>> n, ages = _ages_by_unit(pa, "c")
    >>> n, {k: v.to_dict() for k, v in ages.items()}
    ({'1': 3, '2': 1}, {('1', 1): {3: 2}})
    """
    if col not in pa.columns or not len(pa):
        return {}, {}
    n = {str(k): int(v) for k, v in pa.groupby(col, sort=False, observed=True, dropna=True).size().items()}
    sex, age = pa["sex"].to_numpy(), pa["age"].to_numpy()
    known = (age >= 0) & np.isin(sex, (1, 2))
    unit = pa[col].to_numpy(dtype=object)[known]
    size = pd.Series(age[known]).groupby([unit, sex[known], age[known]], sort=True, dropna=True).size()
    ages = {}
    for (u, sx), g in size.groupby(level=[0, 1], sort=False):
        ages[(str(u), int(sx))] = pd.Series(g.to_numpy(), index=pd.Index(g.index.get_level_values(2), name="age"))
    return n, ages


def unit_life_tables(inputs: DemographyInputs, *, level: str, config: DemographyConfig | None = None
                     ) -> dict[tuple[str, int], LifeTable | None]:
    """Life table of each unit of ``level`` and sex (1, 2, 0 = both); None where deaths or people are too few."""
    cfg = config or DemographyConfig()
    col = LEVEL_COLUMNS[level]
    py, ev = inputs.exposure, inputs.events
    d = ev[(ev["event_type"] == "death") & (ev["age"] >= 0)]
    out: dict[tuple[str, int], LifeTable | None] = {}
    ages = abridged_ages(cfg.life_table_open_age)
    k_all = py.groupby([col, "sex", "age"])["years"].sum()
    d_all = d.groupby([col, "sex", "age"]).size()
    for unit in sorted(py[col].dropna().unique()):
        for sex, code, _ in _SEXES:
            K = k_all.loc[unit] if unit in k_all.index.get_level_values(0) else pd.Series(dtype=float)
            D = d_all.loc[unit] if unit in d_all.index.get_level_values(0) else pd.Series(dtype=float)
            if sex:
                K = K.loc[sex] if sex in K.index.get_level_values(0) else pd.Series(dtype=float)
                D = D.loc[sex] if sex in D.index.get_level_values(0) else pd.Series(dtype=float)
            else:
                K = K.groupby(level="age").sum() if len(K) else K
                D = D.groupby(level="age").sum() if len(D) else D
            Kx = _abridged(K, cfg.life_table_open_age) if len(K) else np.zeros(len(ages))
            Dx = _abridged(D.astype(float), cfg.life_table_open_age) if len(D) else np.zeros(len(ages))
            enough = (Kx.sum() >= cfg.min_population_life_table and Dx.sum() >= cfg.min_deaths_life_table
                      and (Kx > 0).all() and Dx[-1] > 0)
            out[(str(unit), sex)] = life_table(Dx, Kx, ages=ages, sex=code) if enough else None
    return out


def _life_rows(lts: dict[tuple[str, int], LifeTable | None]) -> pd.DataFrame:
    rows = []
    for (unit, sex), lt in lts.items():
        grp = {1: "sex=1", 2: "sex=2", 0: ""}[sex]
        if lt is None:
            rows.append((unit, grp, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, "insufficient"))
        else:
            t = lt.table
            rows.append((unit, grp, lt.e0, lt.e0_se, lt.e0_ci[0], lt.e0_ci[1], t["deaths"].sum(),
                         t["exposure"].sum(), "ok"))
    df = pd.DataFrame(rows, columns=["unit_code", "group", "value", "se", "ci_low", "ci_high", "numerator",
                                     "denominator", "status"])
    df.insert(0, "indicator_id", "life_expectancy")
    return df[list(TABLE_COLUMNS)]


def _five_year(values: pd.Series, k: int) -> np.ndarray:
    idx = np.minimum(values.index.to_numpy() // 5, k - 1)
    return np.bincount(idx, weights=values.to_numpy(float), minlength=k)


def unit_projections(inputs: DemographyInputs, *, level: str, config: DemographyConfig | None = None,
                     coverage: pd.Series | None = None, details: dict[str, dict[str, Any]] | None = None,
                     ) -> dict[tuple[str, str], Projection | None]:
    """Projection of each unit of ``level`` and scenario; None where no life table can be had.

    Base: present persons by sex and five-year group (unknown age or sex
    spread like the known), divided by the unit's ``coverage`` when given.
    Fertility: the unit's age-specific rates, the province's where the unit
    has fewer than ``min_events`` births. Mortality: the unit's life table by
    sex, the province's where the unit's is insufficient. Migration: the
    window's moves in minus moves out by sex and age group, per year, times
    five per step.

    ``details``, when given, receives each unit's inputs by unit code (what the
    report states as the projection's assumptions): where its fertility and
    mortality came from, its TFR, base population and yearly net migrants by sex.
    """
    cfg = config or DemographyConfig()
    col = LEVEL_COLUMNS[level]
    open_age = cfg.life_table_open_age
    k = open_age // 5 + 1
    years = cfg.window_months / 12
    lts = unit_life_tables(inputs, level=level, config=cfg)
    prov_lts = lts if level == "province" else unit_life_tables(inputs, level="province", config=cfg)
    prov = next(iter({u for u, _ in prov_lts}), None)
    pa, py, ev = inputs.persons, inputs.exposure, inputs.events
    births = ev[ev["event_type"] == "birth"]
    moves = ev[ev["event_type"].isin(("move_in", "move_out")) & (ev["age"] >= 0) & ev["sex"].isin((1, 2))]
    ref = reference_date(inputs.period)
    base_time = ref.year + (ref.dayofyear - 0.5) / (366 if ref.is_leap_year else 365)

    def asfr_of(b: pd.DataFrame, women: pd.DataFrame) -> tuple[np.ndarray, float]:
        known = b[b["mother_age"] >= 0]
        g = np.clip(known["mother_age"].to_numpy() // 5 * 5, 15, 45)
        bg = pd.Series(g).value_counts().reindex(FERTILE_AGES, fill_value=0).to_numpy(float)
        bg = bg * (len(b) / max(len(known), 1))
        w = women.assign(g=women["age"] // 5 * 5).groupby("g")["years"].sum().reindex(FERTILE_AGES, fill_value=0)
        f = np.zeros(k)
        with np.errstate(invalid="ignore", divide="ignore"):
            f[3:10] = np.where(w.to_numpy() > 0, bg / np.where(w.to_numpy() > 0, w.to_numpy(), 1), 0.0)
        srb = float((b["sex"] == 1).sum() / max((b["sex"] == 2).sum(), 1))
        return f, srb

    women_all = py[(py["sex"] == 2) & py["age"].between(15, 49)]
    f_prov, srb_prov = asfr_of(births, women_all)
    if len(births) < cfg.min_events:
        srb_prov = 1.05
    srb = cfg.srb or srb_prov
    out: dict[tuple[str, str], Projection | None] = {}
    # each unit's rows taken from one grouping per frame, not by a comparison over the whole frame
    # per unit (that grew with units x persons: 96 2025 communes of 3.4 M persons)
    births_of, women_of, moves_of = (_by_unit(f, col) for f in (births, women_all, moves))
    persons_of, ages_of = _ages_by_unit(pa, col)  # counts: each unit's rows of the persons were 0.5 GB at 3.38 M
    no_ages = pd.Series([], index=pd.Index([], dtype=np.int64, name="age"), dtype=np.int64)
    for unit in sorted(py[col].dropna().unique()):
        unit = str(unit)
        lt_f = lts.get((unit, 2)) or (prov_lts.get((prov, 2)) if prov else None)
        lt_m = lts.get((unit, 1)) or (prov_lts.get((prov, 1)) if prov else None)
        if lt_f is None or lt_m is None or len(lt_f.table) != len(abridged_ages(open_age)):
            for s in cfg.scenarios:
                out[(unit, s)] = None
            if details is not None:
                details[unit] = {"projected": False}
            continue
        b_u = births_of.get(unit, births.iloc[:0])
        own_f = len(b_u) >= cfg.min_events
        if own_f:
            f, _ = asfr_of(b_u, women_of.get(unit, women_all.iloc[:0]))
        else:
            f = f_prov
        ages_u = {sx: ages_of.get((unit, sx), no_ages) for sx in (1, 2)}
        spread = persons_of.get(unit, 0) / max(int(ages_u[1].sum() + ages_u[2].sum()), 1)
        cov = float(coverage.get(unit, 1.0)) if coverage is not None else 1.0
        if not (0 < cov <= 1.5):
            raise ValueError(f"coverage of {unit} must be in (0, 1.5], got {cov}")
        base = {sx: _five_year(ages_u[sx], k) * spread / cov for sx in (1, 2)}
        m_u = moves_of.get(unit, moves.iloc[:0])
        sign = np.where(m_u["event_type"] == "move_in", 1.0, -1.0)
        mig = {}
        for sx in (1, 2):
            sel = (m_u["sex"] == sx).to_numpy()
            ser = pd.Series(sign[sel], index=m_u["age"].to_numpy()[sel]).groupby(level=0).sum()
            mig[sx] = _five_year(ser, k) * 5 / years if len(ser) else np.zeros(k)
        if details is not None:
            details[unit] = {
                "projected": True, "fertility": "own" if own_f else "province", "births": int(len(b_u)),
                "tfr": round(float(5 * f.sum()), 4), "srb": round(float(srb), 4),
                "mortality_f": "own" if lts.get((unit, 2)) is not None else "province",
                "mortality_m": "own" if lts.get((unit, 1)) is not None else "province",
                "e0_f": round(float(lt_f.e0), 2), "e0_m": round(float(lt_m.e0), 2),
                "coverage": cov, "base_f": round(float(base[2].sum()), 1), "base_m": round(float(base[1].sum()), 1),
                "net_migrants_per_year_f": round(float(mig[2].sum() / 5), 1),
                "net_migrants_per_year_m": round(float(mig[1].sum() / 5), 1),
            }
        for s in cfg.scenarios:
            d = cfg.fertility_decline_per_5y

            def factor(step: int, _s: str = s, _d: float = d) -> float:
                return (1 - _d) ** (step + 0.5) if _s == "declining_fertility" else 1.0

            no_mig = s == "no_migration"
            out[(unit, s)] = project(
                base[2], lt_f.Lx5(), f, base_time=base_time, horizon=cfg.horizon, population_m=base[1],
                lx_m=lt_m.Lx5(), srb=srb, net_migrants_f=None if no_mig else mig[2],
                net_migrants_m=None if no_mig else mig[1], fertility_factor=factor,
            )
    return out


def _projection_rows(projs: dict[tuple[str, str], Projection | None], horizon: int) -> pd.DataFrame:
    rows = []
    for (unit, scen), pr in projs.items():
        if pr is None:
            rows.append({"unit_code": unit, "group": f"scenario={scen};year={horizon}", "value": np.nan,
                         "status": "insufficient", "target_year": horizon})
            continue
        a = pr.annual
        a = a[a["time"] > a["time"].min()]
        for year, g in a.groupby("year"):
            rows.append({"unit_code": unit, "group": f"scenario={scen};year={year}", "value": g["population"].sum(),
                         "status": "ok", "target_year": int(year)})
            for sex, gs in g.groupby("sex"):
                rows.append({"unit_code": unit, "group": f"scenario={scen};sex={sex};year={year}",
                             "value": gs["population"].sum(), "status": "ok", "target_year": int(year)})
    df = pd.DataFrame(rows)
    if not len(df):
        return df
    df["indicator_id"] = "projected_population"
    for c in ("se", "ci_low", "ci_high", "numerator", "denominator"):
        df[c] = np.nan
    return df[[*TABLE_COLUMNS, "target_year"]]


def life_table_frame(lts: dict[tuple[str, int], LifeTable | None], *, level: str) -> pd.DataFrame:
    """The life tables of one level as one frame: ``level, unit_code, sex`` (0 both, 1, 2) and the table's columns.

    Units whose life table is insufficient have no rows (their ``life_expectancy`` row says so).
    """
    parts = [lt.table.assign(level=level, unit_code=unit, sex=sex) for (unit, sex), lt in lts.items() if lt is not None]
    cols = ["level", "unit_code", "sex", "age", "n", "deaths", "exposure", "mx", "ax", "qx", "lx", "dx", "Lx", "Tx",
            "ex"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="string" if c in ("level", "unit_code") else "float64") for c in cols})
    out = pd.concat(parts, ignore_index=True)
    return out[[c for c in cols if c in out.columns]]


def projection_frame(projs: dict[tuple[str, str], Projection | None], *, level: str) -> pd.DataFrame:
    """Annual projected population, base year included: ``level, unit_code, scenario, year, time, sex, population``."""
    parts = [pr.annual.assign(level=level, unit_code=unit, scenario=scen) for (unit, scen), pr in projs.items()
             if pr is not None]
    cols = ["level", "unit_code", "scenario", "year", "time", "sex", "population"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="string" if c in ("level", "unit_code", "scenario") else "float64")
                             for c in cols})
    out = pd.concat(parts, ignore_index=True)
    return out[cols]


@dataclass(frozen=True)
class DemographyResults:
    """What the demography stage writes: indicator rows, the life tables, the annual projection, its assumptions."""

    indicators: pd.DataFrame
    life_tables: pd.DataFrame
    projection: pd.DataFrame
    assumptions: dict[str, Any]


def demography_indicators(register: Any, *, period: Any, config: DemographyConfig | None = None,
                          coverage: pd.Series | None = None, province_code: str | None = None) -> pd.DataFrame:
    """Indicator rows of the demography stage for a register and period.

    Parameters
    ----------
    register : a :class:`popqa.io.Register` (persons; events when there are any).
    period : ``YYYY-MM``; the window ends on its last day.
    config : :class:`DemographyConfig` (defaults when None).
    coverage : optional register coverage by province or district code (e.g.
        0.97 from the reconciliation stage); the projection's base population
        is divided by it.
    province_code : the audited province (:func:`demography_inputs`); None: each record's own.

    Returns
    -------
    DataFrame in the contract's indicator shape (validated): rates and
    structure for the province, districts and communes (communes below the
    thresholds ``insufficient``, with the district's estimate beside them as
    ``pooled=district``), life expectancy for the province and districts, and
    the projected population to the horizon (province and districts).
    """
    return demography_results(register, period=period, config=config, coverage=coverage,
                              province_code=province_code).indicators


def demography_results(register: Any, *, period: Any, config: DemographyConfig | None = None,
                       coverage: pd.Series | None = None, province_code: str | None = None) -> DemographyResults:
    """The demography stage's indicator rows (:func:`demography_indicators`) with its other results.

    Besides the rows: the life tables of the province and districts
    (:func:`life_table_frame`), the annual projection of each scenario with
    its base year (:func:`projection_frame`), and the assumptions the
    projection used (configuration, and for each unit where its fertility and
    mortality came from, its TFR, base population and net migrants).
    """
    cfg = config or DemographyConfig()
    per = str(pd.Period(str(period), freq="M"))
    inputs = demography_inputs(register, period=per, config=cfg, province_code=province_code)
    parts = []
    tables = {}
    for level in ("province", "district", "commune", "commune_2025"):
        tables[level] = rates_table(inputs.persons, inputs.exposure, inputs.events, level=level, config=cfg)
        parts.append(tables[level].assign(level=level))
    if cfg.pool_to_district:
        def above(low: str, high: str) -> pd.Series:  # each unit's most frequent unit above it
            pc = inputs.persons[[low, high]].dropna()
            cd = pc.groupby([low, high]).size().reset_index().sort_values(0, kind="stable")
            return cd.drop_duplicates(low, keep="last").set_index(low)[high]

        parts.append(pooled_rows(tables["commune"], tables["district"], above("commune_code", "district_code"))
                     .assign(level="commune"))
        parts.append(pooled_rows(tables["commune_2025"], tables["province"],
                                 above("commune_code_2025", "province_code"), to="province")
                     .assign(level="commune_2025"))
    life_frames, proj_frames, units = [], [], {}
    for level in ("province", "district"):
        lts = unit_life_tables(inputs, level=level, config=cfg)
        parts.append(_life_rows(lts).assign(level=level))
        life_frames.append(life_table_frame(lts, level=level))
        details: dict[str, dict[str, Any]] = {}
        projs = unit_projections(inputs, level=level, config=cfg, coverage=coverage, details=details)
        parts.append(_projection_rows(projs, cfg.horizon).assign(level=level))
        proj_frames.append(projection_frame(projs, level=level))
        units[level] = details
    table = pd.concat([p for p in parts if len(p)], ignore_index=True)
    if "target_year" in table:
        table["target_year"] = table["target_year"].astype("Int64")
    ref = reference_date(per)
    assumptions = {
        "period": per, "base_date": ref.date().isoformat(), "horizon": cfg.horizon,
        "window_months": cfg.window_months, "scenarios": list(cfg.scenarios),
        "fertility_decline_per_5y": cfg.fertility_decline_per_5y, "srb_configured": cfg.srb,
        "life_table_open_age": cfg.life_table_open_age, "min_events": cfg.min_events,
        "min_population_life_table": cfg.min_population_life_table,
        "min_deaths_life_table": cfg.min_deaths_life_table, "coverage_applied": coverage is not None,
        "units": units,
    }
    return DemographyResults(indicators=table_rows(table, period=per),
                             life_tables=pd.concat(life_frames, ignore_index=True),
                             projection=pd.concat(proj_frames, ignore_index=True), assumptions=assumptions)


def demography_stage(ctx: Any) -> dict[str, Any]:
    """The audit stage: indicator rows (rates, life expectancy, projection, age-reporting quality) and
    the files of :data:`ARTIFACTS` (life tables, annual projection, assumptions) in the audit folder."""
    from popqa.demography.quality import age_quality_rows

    reg, period = ctx["register"], str(ctx.period)
    res = demography_results(reg, period=period, config=ctx.config.demography,
                             province_code=ctx.config.province_code)
    quality = age_quality_rows(reg, period=period, province_code=ctx.config.province_code)
    ctx.write_parquet(ARTIFACTS["life_tables"], res.life_tables)
    ctx.write_parquet(ARTIFACTS["projection"], res.projection)
    ctx.write_json(ARTIFACTS["assumptions"], res.assumptions)
    return {"indicators:demography": res.indicators, "indicators:age_quality": quality}
