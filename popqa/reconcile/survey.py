"""The register against the population-change survey, with design-based intervals.

The survey (``survey_persons``: one row per person present in a sampled
household, with the household's births and deaths of the last twelve months
on every member's row, and the design columns stratum, psu, weight and
optionally fpc) estimates, per unit:

* ``persons``: the population present at the reference date, in total, by sex
  and by sex and five-year age group (``0-4`` .. ``75-79``, ``80+``);
* ``births`` and ``deaths``: the events of the twelve months ending at the
  reference date (each member of a household of ``k`` listed persons carries
  ``births_12m / k``, so a household's events count once with the household's
  mean weight).

Each estimate is a Horvitz-Thompson total of :class:`popqa.survey.Design`
(``ids=psu``, ``strata=stratum``, ``weights=weight``, ``fpc`` when given) over
the unit's domain, with its Taylor-linearised standard error and normal 95%
interval (R's ``svytotal`` / ``confint``). Beside it the register's count of the
same thing: present persons (:func:`popqa.definitions.is_present`, one per
person id) by sex and age at the reference date, and the register events kept
by the dual-system estimate (:func:`popqa.reconcile.coverage.event_records`:
out-of-area, undated, out-of-period and duplicate events removed).

Units: the province, its legacy districts and its 2025 communes. A unit's
estimate is *supported* when its level is one the survey is designed for
(``survey_levels``: province and district by default) and the unit is a union
of whole design strata as far as the sample shows (so the design fixes its
sample size), the survey sampled at least ``survey_min_psus``
clusters (PSUs) in it, saw at least ``survey_min_events`` of what it counts
(persons of the group, or births / deaths of its households) and the
coefficient of variation is at most ``survey_max_cv``; otherwise its status is ``insufficient`` (the survey is too
small there; no number is printed) and a unit with no sampled household is
``not_measurable``. A supported unit whose register count lies outside the
interval is *outside* (rule X012).

Examples
--------
>>> age_groups(pd.Series([0, 4, 5, 79, 80, 101, None])).tolist()
['0-4', '0-4', '5-9', '75-79', '80+', '80+', <NA>]
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from popqa import textkeys
from popqa.definitions import age_at, is_present, reference_date
from popqa.errors import InputError
from popqa.reconcile.config import ReconcileConfig

__all__ = [
    "MEASURES",
    "SURVEY_LEVELS",
    "AGE_LABELS",
    "SurveyComparison",
    "age_groups",
    "survey_design",
    "survey_comparison",
]

#: measure -> the survey column it is estimated from (the finding's column)
MEASURES = {"persons": "persons", "births": "births_12m", "deaths": "deaths_12m"}
#: Unit levels compared (the 2025 province is larger than the legacy province the survey samples).
SURVEY_LEVELS = ("province", "district", "commune_2025")
#: Five-year age groups, 80+ open (as the register's pyramid, ``population_share``).
AGE_LABELS = tuple([f"{a}-{a + 4}" for a in range(0, 80, 5)] + ["80+"])

_UNIT_COLS = {"province": "province_code", "district": "district_code", "commune_2025": "commune_code_2025"}
_TABLE = "survey_persons"


def _age_group_codes(age: pd.Series) -> np.ndarray:
    """Each completed age's position in :data:`AGE_LABELS`, -1 where the age is unknown or negative."""
    a = pd.to_numeric(age, errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(a) & (a >= 0)
    return np.where(ok, np.minimum(np.where(ok, a, 0) // 5, len(AGE_LABELS) - 1), -1).astype(int)


#: The age groups' labels by :func:`_age_group_codes` (its -1, an unknown age, takes the last: None).
_AGE_GROUP_LABELS = np.array([*AGE_LABELS, None], dtype=object)


def age_groups(age: pd.Series) -> pd.Series:
    """Five-year age group labels of completed ages (missing where the age is unknown or negative)."""
    return pd.Series(_AGE_GROUP_LABELS[_age_group_codes(age)], index=age.index, dtype="string")


@dataclass(frozen=True)
class SurveyComparison:
    """What :func:`survey_comparison` returns.

    Attributes
    ----------
    table : one row per level, unit, measure and group: level, unit_code,
        measure, group ("", "sex=1", "sex=2;age=0-4", ...), estimate, se,
        ci_low, ci_high, cv, n (sampled persons in the domain), psus (sampled
        clusters in the unit), seen (the persons, or the households' events, the
        sample saw: unweighted), planned (the unit is a union of whole strata),
        register (the register's count), status
        ("ok", "insufficient", "not_measurable"), reason (why not ok), outside
        (supported and the register count outside the interval), direction
        ("below" / "above" the interval, else missing).
    notes : what the design said (single-PSU strata and how they were treated).
    """

    table: pd.DataFrame
    notes: tuple[str, ...] = field(default=())


def _require(df: pd.DataFrame, col: str) -> pd.Series:
    if col not in df.columns:
        raise InputError("missing column the survey comparison needs", file=_TABLE, column=col)
    s = df[col]
    bad = s.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError("missing value in a survey design column", file=_TABLE, row=i + 2, column=col)
    return s


def survey_design(survey: pd.DataFrame):
    """The :class:`popqa.survey.Design` of a ``survey_persons`` table (ids psu, strata stratum, weight, fpc).

    ``fpc`` is used when the column is present with a value on every row (a
    column of missing values is no fpc). A design column with a missing value
    is an :class:`~popqa.errors.InputError` naming the row (data rows from 2,
    as a spreadsheet shows them) and the column.

    Returns ``(design, notes)``: the notes name the strata with a single sampled
    PSU (their variance is R's ``survey.lonely.psu = "adjust"``).
    """
    from popqa.survey import Design, LonelyPSUWarning

    data = survey.reset_index(drop=True)
    for c in ("stratum", "psu", "weight"):
        _require(data, c)
    fpc = None
    if "fpc" in data.columns and data["fpc"].notna().any():
        _require(data, "fpc")
        fpc = "fpc"
    # a PSU code may repeat across strata (nested); key the clusters by both
    data = data.assign(_psu=data["stratum"].astype("string") + "|" + data["psu"].astype("string"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LonelyPSUWarning)
        try:
            d = Design(data, ids="_psu", strata="stratum", weights="weight", fpc=fpc)
        except ValueError as exc:
            raise InputError(f"the survey design cannot be used: {exc}", file=_TABLE) from None
    notes = tuple(str(w.message) for w in caught if issubclass(w.category, LonelyPSUWarning))
    return d, notes


def _events_per_person(data: pd.DataFrame, col: str) -> pd.Series:
    """``col`` (a household count on every member's row) shared equally among the household's listed members."""
    v = pd.to_numeric(data[col], errors="coerce")
    key = data["stratum"].astype("string") + "|" + data["psu"].astype("string") + "|" + \
        data["household_no"].astype("string")
    first = v.groupby(key).transform("first")
    bad = ((v != first) & ~(v.isna() & first.isna())).to_numpy()  # differs from the household's first row
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{col} differs between members of household {data['household_no'].iloc[i]}; it is the "
                         "household's count and must be the same on every member's row", file=_TABLE, row=i + 2,
                         column=col)
    size = key.map(key.value_counts())
    return v / size


#: The sex groups' labels by :func:`_sex_codes` (0: no group).
_SEX_LABELS = np.array([None, "sex=1", "sex=2"], dtype=object)


def _sex_codes(sex: pd.Series) -> np.ndarray:
    """1 and 2 for the contract's codes, 0 for any other value."""
    v = pd.to_numeric(sex, errors="coerce").astype("float64").to_numpy()
    return np.where(v == 1, 1, np.where(v == 2, 2, 0))


def _sex_group(sex: pd.Series) -> pd.Series:
    """``sex=1`` / ``sex=2`` (contract codes), missing for any other value."""
    return pd.Series(_SEX_LABELS[_sex_codes(sex)], index=sex.index, dtype="string")


def _survey_frame(survey: pd.DataFrame, units: pd.DataFrame, ref: pd.Timestamp) -> pd.DataFrame:
    data = survey.reset_index(drop=True)
    for c in ("commune_code", "household_no", "sex"):
        if c not in data.columns:
            raise InputError("missing column the survey comparison needs", file=_TABLE, column=c)
    age = pd.Series(np.nan, index=data.index)
    if "birth_date" in data.columns:
        age = age_at(pd.to_datetime(data["birth_date"], errors="coerce"), ref)
    if "age" in data.columns:
        age = age.fillna(pd.to_numeric(data["age"], errors="coerce"))
    sexg = _sex_group(data["sex"])
    out = pd.DataFrame({
        "stratum": data["stratum"], "psu": data["psu"], "household_no": data["household_no"],
        "weight": data["weight"], "persons": 1.0, "sexg": sexg.astype("string"),
        "cellg": (sexg + ";age=" + age_groups(age)).astype("string"),
    })
    if "fpc" in data.columns:
        out["fpc"] = data["fpc"]
    for m in ("births", "deaths"):
        col = MEASURES[m]
        out[m] = _events_per_person(data, col) if col in data.columns else np.nan
    com = data["commune_code"].astype("string")
    for lvl, c in _UNIT_COLS.items():
        out[f"u_{lvl}"] = com.map(units[c]).astype("string")
    return out


def _register_counts(register, units: pd.DataFrame, ref: pd.Timestamp, events: pd.DataFrame | None,
                     period: Any, cfg: ReconcileConfig) -> dict[str, pd.DataFrame]:
    """Per measure: commune_code, group, count (groups "", sex=, sex=;age=)."""
    p = register.columns("persons", ["person_id", "status", "sex", "birth_date", "commune_code"])  # those used
    p = p.loc[is_present(p).to_numpy(), ["person_id", "sex", "birth_date", "commune_code"]]
    # each id's first row by Arrow's codes (pandas' duplicated of 3.38 M ids: 2.1 s against 0.2 s at 1.25 M,
    # docs/benchmarks.md, "thirtieth measurement")
    p = p[~textkeys.duplicated(p["person_id"])]
    # persons counted by commune, sex code and age group code first, the groups' labels made on those few
    # rows: a label per person ("sex=2;age=20-24") made a Python string for each (0.3 GB at 1.25 M)
    cells = (pd.DataFrame({"commune_code": p["commune_code"].astype("string").to_numpy(),
                           "sex": _sex_codes(p["sex"]),
                           "age": _age_group_codes(age_at(pd.to_datetime(p["birth_date"], errors="coerce"), ref))})
             .groupby(["commune_code", "sex", "age"]).size().rename("count").reset_index())
    sex_label = _SEX_LABELS[cells["sex"].to_numpy()]
    age_label = _AGE_GROUP_LABELS[cells["age"].to_numpy()]
    cell_label = np.array([None if s is None or g is None else f"{s};age={g}" for s, g in zip(sex_label, age_label,
                                                                                          strict=True)], dtype=object)
    parts = []
    for label in (np.full(len(cells), "", dtype=object), sex_label, cell_label):
        c = pd.DataFrame({"commune_code": cells["commune_code"].to_numpy(), "group": label,
                          "count": cells["count"].to_numpy()}).dropna(subset=["group"])
        parts.append(c.groupby(["commune_code", "group"])["count"].sum().reset_index())
    out = {"persons": pd.concat(parts, ignore_index=True)}
    if events is None:
        from popqa.reconcile.coverage import event_records

        events = pd.concat([event_records(register, {}, event=e, period=period, config=cfg).assign(event=e)
                            for e in ("birth", "death")], ignore_index=True)
    kept = events[(events["source"] == "register") & events["removed"].isna()]
    for m, e in (("births", "birth"), ("deaths", "death")):
        k = kept[kept["event"] == e]
        out[m] = (k.groupby(k["unit_commune"].astype("string")).size().rename("count")
                  .rename_axis("commune_code").reset_index().assign(group=""))
    return out


def survey_comparison(register, *, period: Any, config: ReconcileConfig | None = None,
                      events: pd.DataFrame | None = None, levels: tuple[str, ...] = SURVEY_LEVELS
                      ) -> SurveyComparison | None:
    """Survey totals with design-based intervals beside the register's counts, per unit.

    Parameters
    ----------
    register : a :class:`popqa.io.Register` with a ``survey_persons`` table.
    period : ``YYYY-MM``; ages at its last day, events of the twelve months ending then.
    config : thresholds (``survey_min_psus``, ``survey_max_cv``, ``level``, ``province_code``).
    events : the per-record frame of the dual-system estimate
        (:attr:`popqa.reconcile.coverage.EventCoverage.records`, with an ``event``
        column) so the register's events are those it kept; None computes it.
    levels : which of :data:`SURVEY_LEVELS`.

    Returns
    -------
    SurveyComparison, or None when the register has no survey.
    """
    from popqa.reconcile.coverage import register_units

    survey = register.get(_TABLE)
    if survey is None:
        return None
    cfg = config or ReconcileConfig()
    ref = reference_date(period)
    units = register_units(register, cfg)
    if not len(survey):
        raise InputError("the survey table has no row", file=_TABLE)
    data = _survey_frame(survey, units, ref)
    design, notes = survey_design(data)
    reg = _register_counts(register, units, ref, events, period, cfg)
    z_level = cfg.level
    frames = []
    for lvl in levels:
        ucol = f"u_{lvl}"
        all_units = pd.Index(sorted(units[_UNIT_COLS[lvl]].dropna().unique()), dtype="string")
        psus = (data[[ucol, "stratum", "psu"]].dropna(subset=[ucol]).drop_duplicates().groupby(ucol).size()
                .reindex(all_units, fill_value=0))
        planned = _planned_units(data, ucol).reindex(all_units, fill_value=False)
        if lvl not in cfg.survey_levels:
            planned[:] = False
        for measure in MEASURES:
            specs = [None, "sexg", "cellg"] if measure == "persons" else [None]
            rc = reg[measure]
            rc = rc.assign(unit=rc["commune_code"].map(units[_UNIT_COLS[lvl]]).astype("string")) \
                .groupby(["unit", "group"])["count"].sum()
            for gcol in specs:
                by = [ucol] if gcol is None else [ucol, gcol]
                if data[measure].isna().all() or data[ucol].isna().all():
                    est = pd.DataFrame(columns=["estimate", "se", "ci_low", "ci_high", "n"])
                else:
                    est = design.total(measure, by=by, level=z_level)
                if gcol is None:
                    groups = [""]
                elif gcol == "sexg":
                    groups = ["sex=1", "sex=2"]
                else:
                    groups = [f"sex={s};age={a}" for s in (1, 2) for a in AGE_LABELS]
                idx = pd.MultiIndex.from_product([all_units, groups], names=["unit_code", "group"])
                if gcol is None:
                    est.index = pd.MultiIndex.from_arrays([est.index.astype("string"), [""] * len(est)])
                else:
                    est.index = pd.MultiIndex.from_arrays([est.index.get_level_values(0).astype("string"),
                                                           est.index.get_level_values(1).astype("string")])
                e = est.reindex(idx)
                # unweighted: the persons, or the events of the sampled households, the sample saw
                seen = data.dropna(subset=by).groupby(by)[measure].sum(min_count=1).round(6)
                seen.index = pd.MultiIndex.from_arrays(
                    [seen.index.astype("string"), [""] * len(seen)] if gcol is None else
                    [seen.index.get_level_values(0).astype("string"), seen.index.get_level_values(1).astype("string")])
                # a group the sample holds no one of, in a sampled unit, is an empty domain: its total is 0,
                # known exactly (as R); in an unsampled unit, or without the survey column, it is unknown
                empty = ~idx.isin(est.index) & (psus.reindex(idx.get_level_values(0)).to_numpy() > 0)
                if not data[measure].isna().all():
                    e.loc[empty, ["estimate", "se", "ci_low", "ci_high", "n"]] = 0.0
                t = pd.DataFrame({
                    "level": lvl, "unit_code": idx.get_level_values(0), "measure": measure,
                    "group": idx.get_level_values(1), "estimate": e["estimate"].to_numpy(float),
                    "se": e["se"].to_numpy(float), "ci_low": e["ci_low"].to_numpy(float),
                    "ci_high": e["ci_high"].to_numpy(float),
                    "n": pd.to_numeric(e["n"], errors="coerce").fillna(0).to_numpy(dtype="int64"),
                    "psus": psus.reindex(idx.get_level_values(0)).to_numpy(dtype="int64"),
                    "seen": seen.reindex(idx).to_numpy(float),
                    "planned": planned.reindex(idx.get_level_values(0)).to_numpy(dtype=bool),
                    "register": rc.reindex(idx).fillna(0).to_numpy(float),
                })
                frames.append(t)
    table = pd.concat(frames, ignore_index=True)
    absent = {m for m, c in MEASURES.items() if m != "persons" and (c not in survey.columns or data[m].isna().all())}
    return SurveyComparison(table=_judge(table, absent, cfg), notes=notes)


def _planned_units(data: pd.DataFrame, ucol: str) -> pd.Series:
    """Units that are a union of whole strata: every sampled row of each stratum touching the unit is in it.

    Only then does the design fix the unit's sample size. A unit cutting across
    strata (a 2025 commune inside a district's stratum) gets a number of PSUs
    left to chance, and keeping only the units where enough PSUs fell selects
    the samples that over-represent them: the estimate is biased up
    (docs/reconciliation.md, measured).
    """
    u = data[ucol].astype("string").fillna("\x00outside")
    per_stratum = u.groupby(data["stratum"].astype("string")).nunique()
    whole = data["stratum"].astype("string").map(per_stratum == 1)
    ok = whole.groupby(data[ucol].astype("string")).all()
    return ok.astype(bool)


def _judge(t: pd.DataFrame, absent: set[str], cfg: ReconcileConfig) -> pd.DataFrame:
    t = t.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        t["cv"] = np.where(t["estimate"] > 0, t["se"] / t["estimate"], np.nan)
    no_sample = t["psus"] == 0
    no_value = t["estimate"].isna()
    few = t["psus"] < cfg.survey_min_psus
    rare = ~(t["seen"].fillna(0) >= cfg.survey_min_events)
    noisy = ~(t["cv"] <= cfg.survey_max_cv)     # also when nothing was seen (estimate 0: no CV)
    cut = ~t["planned"].astype(bool)
    t["status"] = np.where(no_sample | no_value, "not_measurable",
                           np.where(cut | few | rare | noisy, "insufficient", "ok"))
    missing_col = t["measure"].isin(absent)
    reason = np.select(
        [missing_col & no_value, no_sample, no_value, cut, few, t["estimate"] <= 0, rare, noisy],
        ["the survey has no " + t["measure"].map(MEASURES) + " values",
         "the survey sampled no household in this unit",
         "missing values in the survey column",
         np.where(t["level"].isin(cfg.survey_levels),
                  "the survey's strata cut across this unit: its sample size is left to chance",
                  "the survey is not designed to estimate this level of unit"),
         "the survey sampled fewer than " + str(cfg.survey_min_psus) + " clusters in this unit",
         "the survey saw none in this unit",
         "the survey saw fewer than " + str(cfg.survey_min_events) + " in this unit",
         f"coefficient of variation above {cfg.survey_max_cv:.0%}"], default="")
    t["reason"] = pd.Series(reason, index=t.index).where(t["status"] != "ok")
    ok = t["status"] == "ok"
    below = ok & (t["register"] < t["ci_low"])
    above = ok & (t["register"] > t["ci_high"])
    t["outside"] = below | above
    direction = pd.Series(np.where(below, "below", np.where(above, "above", "")), index=t.index, dtype="string")
    t["direction"] = direction.where(direction != "")
    return t
