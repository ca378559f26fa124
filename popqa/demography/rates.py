"""Rates and structure from the register: exposure, events, and intervals honest for small units.

What is counted
---------------
* **Window**: the ``window_months`` months ending on the period's last day
  (:func:`popqa.definitions.reference_date`); 12 by default, so rates are
  annual.
* **Person-years** (:func:`exposure`): each person record contributes the
  time it spent in the window, from the latest of the window's start, its
  birth and its move in, to the earliest of the window's end, its death and
  its move out (the first such event in the window). A record that is no
  longer present (:func:`popqa.definitions.is_present`) and has no exit event
  in the window left before it and contributes nothing. Time is split at
  birthdays, so person-years are exact by single year of age (ages from
  :func:`popqa.definitions.age_at`).
* **Events** (:func:`vital_events`): births, deaths and moves dated in the
  window, attributed to the event's commune; a death's age is the person's
  age at the death, a birth's mother age is the mother's age at the birth
  (mother from the event's ``mother_id``, else the child's).

Intervals (95%)
---------------
* Rates of counts over person-years or births (CBR, CDR, GFR, ASFR, IMR,
  U5MR): the exact Poisson interval (Garwood 1936) via the chi-square
  quantiles, :func:`poisson_ci`.
* The TFR is a weighted sum of Poisson counts: the gamma interval of Fay and
  Feuer (1997), :func:`weighted_poisson_ci`, which keeps at least nominal
  coverage for small counts (it is what directly standardised rates use).
* Shares and ratios of two counts (sex ratio at birth, dependency ratios,
  pyramid shares): Clopper-Pearson (1934) on the share, :func:`binomial_ci`,
  mapped to the ratio.
* Mean age at childbearing: delta method with Poisson counts (normal).
* Median age: distribution-free order-statistic interval.

Register counts are a complete enumeration, not a sample: these intervals
treat the year's events as a draw from the rates that produced them (the
usual reading for vital statistics), so a small commune gets a wide interval
rather than a spuriously exact rate.

Examples
--------
>>> lo, hi = poisson_ci([0, 10])
>>> [round(float(x), 4) for x in lo], [round(float(x), 4) for x in hi]
([0.0, 4.7954], [3.6889, 18.3904])
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from popqa import textkeys
from popqa.definitions import age_at, is_present, reference_date

__all__ = [
    "FERTILE_AGES",
    "MAX_AGE",
    "LEVEL_COLUMNS",
    "poisson_ci",
    "binomial_ci",
    "weighted_poisson_ci",
    "window_bounds",
    "exposure",
    "vital_events",
    "rates_table",
]

#: Lower bounds of the five-year age groups of fertility (15-19 .. 45-49).
FERTILE_AGES = (15, 20, 25, 30, 35, 40, 45)
#: Single ages above this are counted in it (exposure and events).
MAX_AGE = 110
#: Unit level -> the column holding its code.
#: Unit level -> its code column. ``commune_2025`` (the 2025 commune of each legacy commune, through
#: the crosswalk's default target) is added by :func:`popqa.demography.stage.demography_inputs`.
LEVEL_COLUMNS = {"province": "province_code", "district": "district_code", "commune": "commune_code",
                 "commune_2025": "commune_code_2025"}
_Z = stats.norm.ppf(0.975)
#: The legacy unit codes of a person, an event or a row of person-years.
GEO_COLUMNS = ("province_code", "district_code", "commune_code")
_GEO = GEO_COLUMNS


# --------------------------------------------------------------------------- intervals
def poisson_ci(count: Any, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) interval of a Poisson mean given an observed ``count``.

    Returns
    -------
    (lower, upper) : arrays; divide by the exposure to get a rate's interval.

    Examples
    --------
    >>> lo, hi = poisson_ci(3)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.6187, 8.7673)
    """
    k = np.asarray(count, dtype=float)
    a = (1 - level) / 2
    lo = np.where(k > 0, stats.chi2.ppf(a, 2 * np.maximum(k, 1e-300)) / 2, 0.0)
    hi = stats.chi2.ppf(1 - a, 2 * k + 2) / 2
    return lo, hi


def binomial_ci(k: Any, n: Any, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Clopper-Pearson interval of a proportion ``k / n`` (NaN where ``n`` is 0).

    Examples
    --------
    >>> lo, hi = binomial_ci(5, 10)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.1871, 0.8129)
    """
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    a = (1 - level) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(k > 0, stats.beta.ppf(a, np.maximum(k, 1e-300), n - k + 1), 0.0)
        hi = np.where(k < n, stats.beta.ppf(1 - a, k + 1, np.maximum(n - k, 1e-300)), 1.0)
    bad = n <= 0
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def weighted_poisson_ci(counts: Any, weights: Any, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fay-Feuer gamma interval of ``sum(weights * counts)`` for independent Poisson counts.

    ``counts`` and ``weights`` are 2-D (units x components) or 1-D (one unit).
    Returns (estimate, lower, upper), one value per unit. Fay and Feuer (1997), *Statistics in
    Medicine* 16:791-801, eq. 3-4; the upper bound adds the largest weight
    as if one more event had occurred, which makes the interval exact when
    there is one component.

    Examples
    --------
    >>> est, lo, hi = weighted_poisson_ci([3], [1.0])
    >>> round(float(est[0]), 1), round(float(lo[0]), 4), round(float(hi[0]), 4)
    (3.0, 0.6187, 8.7673)
    """
    d = np.atleast_2d(np.asarray(counts, dtype=float))
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    w = np.where(np.isfinite(w), w, 0.0)
    y = (w * d).sum(axis=1)
    v = (w * w * d).sum(axis=1)
    wm = w.max(axis=1)
    a = (1 - level) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(y > 0, v / (2 * y) * stats.chi2.ppf(a, 2 * y * y / np.where(v > 0, v, 1)), 0.0)
        vu, yu = v + wm * wm, y + wm
        hi = np.where(wm > 0, vu / (2 * yu) * stats.chi2.ppf(1 - a, 2 * yu * yu / np.where(vu > 0, vu, 1)), np.nan)
    return y, lo, hi


# --------------------------------------------------------------------------- exposure and events
def window_bounds(period: Any, window_months: int = 12) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First day of the window and the day after its last (the period's last day).

    Examples
    --------
    >>> [str(d.date()) for d in window_bounds("2026-10")]
    ['2025-11-01', '2026-11-01']
    """
    end = reference_date(period) + pd.Timedelta(days=1)
    start = (pd.Period(str(period), freq="M") - (window_months - 1)).start_time.normalize()
    return start, end


def _birthday(birth: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Date of the birthday at which ``years`` are completed (29 February -> 1 March in common years)."""
    b = birth.astype("datetime64[D]")
    ym = b.astype("datetime64[M]")
    day = (b - ym.astype("datetime64[D]")).astype(np.int64)
    month0 = ym.astype(np.int64) + 12 * years.astype(np.int64)
    return month0.astype("datetime64[M]").astype("datetime64[D]") + day


def _first_event(events: pd.DataFrame, kind: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    e = events.loc[events["event_type"].eq(kind).fillna(False).to_numpy(bool), ["person_id", "event_date"]]
    e = e[(e["event_date"] >= start) & (e["event_date"] < end)]
    return e.groupby("person_id", sort=False)["event_date"].min()


def _events_of(register: Any) -> pd.DataFrame:
    if "events" in register:
        return register.events
    return pd.DataFrame({"event_type": pd.Series(dtype="string"), "person_id": pd.Series(dtype="string"),
                         "event_date": pd.Series(dtype="datetime64[ns]"), "mother_id": pd.Series(dtype="string"),
                         **{c: pd.Series(dtype="string") for c in _GEO}})


class _Stays(NamedTuple):
    """Each person's stay in the window (the persons with one and a known birth date, ``keep``): entry and
    exit days, birth date, completed age at entry and sex code (1, 2, 0 when unknown)."""

    keep: np.ndarray
    entry: np.ndarray
    exit: np.ndarray
    birth: np.ndarray
    a0: np.ndarray
    sex: np.ndarray


def _stays(register: Any, period: Any, window_months: int) -> _Stays:
    """The persons' stays in the window of ``window_months`` that ends with ``period``: from the window's
    start, their birth or their move-in, to the window's end, their death or their move-out (a person no
    longer present with none of those has no stay)."""
    start, end = window_bounds(period, window_months)
    p = register.columns("persons", ["person_id", "birth_date", "status", "sex"])  # the columns used
    ev = _events_of(register)
    pid = p["person_id"]
    # each person's first event of a kind: the persons' ids are looked up once among the ids with an event
    # (three ``Series.map`` hashed and probed every person's id three times)
    first = pd.concat({kind: _first_event(ev, kind, start, end) for kind in ("death", "move_out", "move_in")},
                      axis=1)  # one row per id with an event, a column per kind
    pos = textkeys.positions(pid, pd.Series(first.index))
    death, out_, in_ = (textkeys.take(first[kind], pos) for kind in ("death", "move_out", "move_in"))
    s64, e64 = np.datetime64(start.date(), "D"), np.datetime64(end.date(), "D")
    birth = p["birth_date"].to_numpy("datetime64[D]")
    entry = np.maximum(s64, np.where(np.isnat(birth), s64, birth))
    inn = in_.to_numpy("datetime64[D]")
    entry = np.where(~np.isnat(inn) & (inn > entry), inn, entry)
    exit_ = np.full(len(p), e64)
    for d in (death.to_numpy("datetime64[D]"), out_.to_numpy("datetime64[D]")):
        exit_ = np.where(~np.isnat(d) & (d < exit_), d, exit_)
    gone = ~is_present(p).to_numpy() & (exit_ == e64)
    exit_ = np.where(gone, entry, exit_)
    keep = (exit_ > entry) & ~np.isnat(birth)
    entry, exit_, birth = entry[keep], exit_[keep], birth[keep]
    a0 = age_at(pd.Series(birth.astype("datetime64[ns]")), pd.Series(entry.astype("datetime64[ns]"))).to_numpy()
    a0 = np.maximum(a0, 0).astype(np.int64)
    sex = p["sex"].to_numpy(dtype="float64", na_value=np.nan)[keep]
    sex = np.where(np.isin(sex, (1, 2)), sex, 0).astype(np.int64)
    return _Stays(keep, entry, exit_, birth, a0, sex)


def _segments(st: _Stays, window_months: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The stays cut at each birthday: for each age reached in the window, the stays with days at that age
    (a mask), the age (the last one open) and their years at it."""
    n_birthdays = int(np.ceil(window_months / 12)) + 1
    for k in range(n_birthdays + 1):
        lo = np.maximum(st.entry, _birthday(st.birth, st.a0 + k)) if k else st.entry
        hi = np.minimum(st.exit, _birthday(st.birth, st.a0 + k + 1))
        days = (hi - lo).astype(np.int64)
        m = days > 0
        if m.any():
            yield m, np.minimum(st.a0[m] + k, MAX_AGE), days[m] / 365.25


def exposure(register: Any, *, period: Any, window_months: int = 12) -> pd.DataFrame:
    """Person-years in the window by unit, sex and single year of age.

    Returns
    -------
    DataFrame with ``province_code, district_code, commune_code, sex`` (1, 2,
    or 0 when unknown), ``age`` (0 .. :data:`MAX_AGE`, the last open) and
    ``years``.

    Examples
    --------
    >>> from popqa.io import read_register
    >>> reg = read_register("data_samples/tayninh-godau/register")
    >>> py = exposure(reg, period="2026-10")
    >>> 3500 < float(py["years"].sum()) < 3800
    True
    """
    st = _stays(register, period, window_months)
    # each person's unit as one integer (the units in the order of their codes), so that a segment is a
    # key and its years: segments with three text columns each, then their concatenation, were 0.4 GB
    # at 1.25 M persons (1.1 GB at 3.38 M, the audit's peak; docs/benchmarks.md)
    p = register.columns("persons", list(_GEO))
    geo = pd.DataFrame({c: p[c].to_numpy(dtype=object)[st.keep] for c in _GEO})
    unit = geo.groupby(list(_GEO), dropna=False, sort=True, observed=True).ngroup().to_numpy(np.int64)
    first = np.unique(unit, return_index=True)[1]  # each unit's first person (the units are 0, 1, ...)
    ages = MAX_AGE + 1
    keys, years = [], []
    for m, age, yrs in _segments(st, window_months):
        keys.append((unit[m] * 3 + st.sex[m]) * ages + age)
        years.append(yrs)
    if not keys:
        return pd.DataFrame({**{c: pd.Series(dtype=object) for c in _GEO}, "sex": pd.Series(dtype="int64"),
                             "age": pd.Series(dtype="int64"), "years": pd.Series(dtype="float64")})
    # the segments' years summed by unit, sex and age in the segments' order (as a grouping on the three
    # codes, sex and age sums them), then one row per group with its unit's codes, grouped as before so
    # that the table is the same to the bit (tests/demography/test_rates.py)
    sums = pd.Series(np.concatenate(years)).groupby(np.concatenate(keys), sort=True).sum()
    del keys, years
    key = sums.index.to_numpy(np.int64)
    at = first[key // (3 * ages)]
    seg = pd.DataFrame({**{c: geo[c].to_numpy()[at] for c in _GEO}, "sex": (key // ages) % 3, "age": key % ages,
                        "years": sums.to_numpy()})
    return seg.groupby([*_GEO, "sex", "age"], dropna=False, sort=True, observed=True)["years"].sum().reset_index()


def vital_events(register: Any, *, period: Any, window_months: int = 12) -> pd.DataFrame:
    """Births, deaths and moves in the window with the ages that rates need.

    Returns
    -------
    DataFrame with ``event_type`` (birth, death, move_in, move_out), the
    event's ``province_code, district_code, commune_code``, ``sex`` (of the
    person: the child for a birth; 0 when unknown), ``age`` (at the event;
    -1 when unknown; capped at :data:`MAX_AGE`) and ``mother_age`` (births:
    the mother's age at the birth, -1 when unknown).

    Examples
    --------
    >>> from popqa.io import read_register
    >>> reg = read_register("data_samples/tayninh-godau/register")
    >>> sorted(vital_events(reg, period="2026-10")["event_type"].unique())
    ['birth', 'death', 'move_in', 'move_out']
    """
    start, end = window_bounds(period, window_months)
    # the columns looked up (the mothers' ids read from disk after the link stage: no other stage reads them)
    p = register.columns("persons", ["person_id", "sex", "birth_date", "mother_id"])
    ev = _events_of(register)
    kinds = ("birth", "death", "move_in", "move_out")
    m = ev["event_type"].isin(kinds).fillna(False).to_numpy(bool)
    e = ev.loc[m]
    e = e[(e["event_date"] >= start) & (e["event_date"] < end)]
    # each event's person, and then its mother, by position: the first row of a repeated id, as the
    # persons' first rows were looked up before (one hash of the events' ids, not one of the persons' a column)
    pos = textkeys.positions(e["person_id"], p["person_id"])
    sex = textkeys.take(p["sex"], pos).to_numpy(dtype="float64", na_value=np.nan)
    sex = np.where(np.isin(sex, (1, 2)), sex, 0).astype(np.int64)
    bd = textkeys.take(p["birth_date"], pos)
    age = age_at(bd, e["event_date"].reset_index(drop=True)).to_numpy()
    is_birth = (e["event_type"] == "birth").to_numpy(bool)
    age = np.where(is_birth, 0, age)
    mother = e["mother_id"] if "mother_id" in e else pd.Series(pd.NA, index=e.index, dtype="string")
    mother = mother.fillna(textkeys.take(p["mother_id"], pos, index=e.index))
    mbd = textkeys.take(p["birth_date"], textkeys.positions(mother, p["person_id"]))
    mage = age_at(mbd.reset_index(drop=True), e["event_date"].reset_index(drop=True)).to_numpy()
    mage = np.where(is_birth & np.isfinite(mage), mage, -1)
    age = np.where(np.isfinite(age) & (age >= 0), np.minimum(age, MAX_AGE), -1)
    return pd.DataFrame({
        "event_type": e["event_type"].astype(object).to_numpy(),
        **{c: e[c].to_numpy(dtype=object) for c in _GEO},
        "sex": sex, "age": age.astype(np.int64), "mother_age": mage.astype(np.int64),
    })


# --------------------------------------------------------------------------- per-unit tables
def _by_unit(df: pd.DataFrame, col: str, keys: list[str], value: str | None = None) -> pd.DataFrame:
    """Pivot: unit code x keys (a count or a sum of ``value``)."""
    if value is None:
        s = df.groupby([col, *keys], observed=True).size()
    else:
        s = df.groupby([col, *keys], observed=True)[value].sum()
    return s.unstack(keys, fill_value=0) if keys else s.to_frame("n")


def _status(ok: np.ndarray, measurable: np.ndarray) -> np.ndarray:
    return np.where(~measurable, "not_measurable", np.where(ok, "ok", "insufficient"))


def _frame(indicator_id: str, units: np.ndarray, *, value: Any, lo: Any, hi: Any, num: Any, den: Any,
           status: Any, group: Any = "", se: Any = np.nan) -> pd.DataFrame:
    n = len(units)
    return pd.DataFrame({"indicator_id": indicator_id, "unit_code": units, "group": group,
                         "value": np.broadcast_to(np.asarray(value, float), n),
                         "se": np.broadcast_to(np.asarray(se, float), n),
                         "ci_low": np.broadcast_to(np.asarray(lo, float), n),
                         "ci_high": np.broadcast_to(np.asarray(hi, float), n),
                         "numerator": np.broadcast_to(np.asarray(num, float), n),
                         "denominator": np.broadcast_to(np.asarray(den, float), n),
                         "status": np.broadcast_to(np.asarray(status, object), n)})


def _rate(indicator_id: str, units: np.ndarray, num: np.ndarray, den: np.ndarray, ok: np.ndarray,
          scale: float = 1000.0, group: Any = "") -> pd.DataFrame:
    lo, hi = poisson_ci(num)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(den > 0, den, np.nan)
        return _frame(indicator_id, units, value=scale * num / d, lo=scale * lo / d, hi=scale * hi / d,
                      se=scale * np.sqrt(num) / d, num=num, den=den, status=_status(ok, den > 0), group=group)


def _quantile_age(counts: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Age (interpolated within the single year) at which ``rank`` persons are younger, per unit row."""
    cum = np.cumsum(counts, axis=1)
    r = np.clip(rank, 0, cum[:, -1])[:, None]
    idx = np.minimum((cum < r).sum(axis=1), counts.shape[1] - 1)
    rows = np.arange(len(counts))
    before = np.where(idx > 0, cum[rows, np.maximum(idx - 1, 0)], 0)
    n = counts[rows, idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(n > 0, (r[:, 0] - before) / n, 0.5)
    return idx + frac


def rates_table(persons_ages: pd.DataFrame, py: pd.DataFrame, events: pd.DataFrame, *, level: str,
                config: Any) -> pd.DataFrame:
    """The rates and structure measures of every unit of one level (a tidy frame, not yet indicator rows).

    Parameters
    ----------
    persons_ages : present persons at the reference date: the unit code
        columns, ``sex`` (0/1/2) and ``age`` (completed years, -1 unknown).
    py : :func:`exposure`.
    events : :func:`vital_events`.
    level : province, district or commune.
    config : :class:`popqa.demography.DemographyConfig`.

    Returns
    -------
    DataFrame with ``indicator_id, unit_code, group, value, se, ci_low,
    ci_high, numerator, denominator, status`` (values per the registry's unit).
    """
    if level not in LEVEL_COLUMNS:
        raise ValueError(f"level must be one of {tuple(LEVEL_COLUMNS)}, got {level!r}")
    col = LEVEL_COLUMNS[level]
    units = np.array(sorted(set(py[col].dropna()) | set(persons_ages[col].dropna())), dtype=object)
    idx = pd.Index(units, name=col)
    ev = events[events[col].isin(units)]

    def count(mask: np.ndarray) -> np.ndarray:
        return ev.loc[mask].groupby(col).size().reindex(idx, fill_value=0).to_numpy(float)

    et = ev["event_type"].to_numpy()
    births, deaths = et == "birth", et == "death"
    B = count(births)
    D = count(deaths)
    P = py.groupby(col)["years"].sum().reindex(idx, fill_value=0).to_numpy(float)
    out = [
        _rate("crude_birth_rate", units, B, P, B >= config.min_events),
        _rate("crude_death_rate", units, D, P, D >= config.min_events),
    ]
    # fertility
    women = py[(py["sex"] == 2) & (py["age"] >= 15) & (py["age"] <= 49)]
    W = women.groupby(col)["years"].sum().reindex(idx, fill_value=0).to_numpy(float)
    out.append(_rate("general_fertility_rate", units, B, W, B >= config.min_events))
    wg = women.assign(g=(women["age"] // 5) * 5).groupby([col, "g"])["years"].sum().unstack("g", fill_value=0)
    wg = wg.reindex(index=idx, columns=list(FERTILE_AGES), fill_value=0).to_numpy(float)
    mb = ev.loc[births]
    known = mb["mother_age"].to_numpy() >= 0
    g = np.clip((mb["mother_age"].to_numpy() // 5) * 5, 15, 45)
    bg = (mb.loc[known].assign(g=g[known]).groupby([col, "g"]).size().unstack("g", fill_value=0)
          .reindex(index=idx, columns=list(FERTILE_AGES), fill_value=0).to_numpy(float))
    Bk = bg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        prorate = np.where(Bk > 0, B / Bk, 1.0)  # births of unknown mother age spread like the known
        wgn = np.where(wg > 0, wg, np.nan)
        asfr = bg * prorate[:, None] / wgn
    ok_f = B >= config.min_events
    for j, a in enumerate(FERTILE_AGES):
        lo, hi = poisson_ci(bg[:, j])
        with np.errstate(invalid="ignore"):
            f = _frame("age_specific_fertility_rate", units, value=1000 * asfr[:, j],
                       lo=1000 * lo * prorate / wgn[:, j], hi=1000 * hi * prorate / wgn[:, j],
                       se=1000 * np.sqrt(bg[:, j]) * prorate / wgn[:, j],
                       num=bg[:, j] * prorate, den=wg[:, j], status=_status(ok_f, wg[:, j] > 0), group=f"age={a}-{a + 4}")
        out.append(f)
    # TFR: 5 * sum over groups of births_g * prorate / W_g (a weighted sum of Poisson counts)
    weights = 5 * prorate[:, None] / wgn
    weights = np.where(np.isfinite(weights), weights, 0.0)
    tfr, lo, hi = weighted_poisson_ci(bg, weights)
    meas = (wg > 0).all(axis=1)
    se_tfr = np.sqrt((weights * weights * bg).sum(axis=1))
    out.append(_frame("total_fertility_rate", units, value=tfr, lo=lo, hi=hi, se=se_tfr, num=B, den=W,
                      status=_status(ok_f, meas)))
    # mean age at childbearing: sum(mid * asfr) / sum(asfr), delta method on the counts
    mid = np.asarray(FERTILE_AGES, float) + 2.5
    with np.errstate(invalid="ignore", divide="ignore"):
        wf = np.where(wg > 0, 1 / np.where(wg > 0, wg, 1), 0.0)
        S = (wf * bg).sum(axis=1)
        mac = (mid * wf * bg).sum(axis=1) / np.where(S > 0, S, np.nan)
        grad = wf * (mid[None, :] - mac[:, None]) / np.where(S > 0, S, np.nan)[:, None]
        se_mac = np.sqrt((grad * grad * bg).sum(axis=1))
    out.append(_frame("mean_age_childbearing", units, value=mac, lo=mac - _Z * se_mac, hi=mac + _Z * se_mac,
                      se=se_mac, num=np.nan, den=np.nan, status=_status(ok_f, S > 0)))
    # sex ratio at birth: boys per 100 girls, Clopper-Pearson on the share of boys
    bsex = ev.loc[births]
    M = bsex.loc[bsex["sex"] == 1].groupby(col).size().reindex(idx, fill_value=0).to_numpy(float)
    F = bsex.loc[bsex["sex"] == 2].groupby(col).size().reindex(idx, fill_value=0).to_numpy(float)
    plo, phi = binomial_ci(M, M + F)
    with np.errstate(invalid="ignore", divide="ignore"):
        odds = lambda q: 100 * q / (1 - q)  # noqa: E731
        out.append(_frame("sex_ratio_at_birth", units, value=100 * M / np.where(F > 0, F, np.nan), lo=odds(plo),
                          hi=np.where(phi >= 1, np.inf, odds(np.minimum(phi, 1 - 1e-12))), num=M, den=F,
                          status=_status(M + F >= config.min_events, F > 0)))
    # infant and under-five mortality per 1,000 live births (period ratios)
    dage = ev["age"].to_numpy()
    ok_i = B >= config.min_births_infant
    out.append(_rate("infant_mortality_rate", units, count(deaths & (dage >= 0) & (dage < 1)), B, ok_i))
    out.append(_rate("under5_mortality_rate", units, count(deaths & (dage >= 0) & (dage < 5)), B, ok_i))
    out.extend(_structure(persons_ages, col, idx, config))
    return pd.concat(out, ignore_index=True)


def _structure(pa: pd.DataFrame, col: str, idx: pd.Index, config: Any) -> list[pd.DataFrame]:
    units = idx.to_numpy()
    # the unit, age and sex arrays of the persons counted, not copies of the whole frame (three of them,
    # 0.8 GB at 3.38 M persons, docs/benchmarks.md, "thirteenth measurement")
    codes, age, sex = pa[col].to_numpy(), pa["age"].to_numpy(), pa["sex"].to_numpy()
    known = age >= 0
    by_age = (pd.DataFrame({col: codes[known], "age": age[known]}).groupby([col, "age"]).size()
              .unstack("age", fill_value=0)
              .reindex(index=idx, columns=range(MAX_AGE + 1), fill_value=0).to_numpy(float))
    N = by_age.sum(axis=1)
    ok = N >= config.min_persons_structure
    st = _status(ok, N > 0)
    med = _quantile_age(by_age, N / 2)
    half = _Z * np.sqrt(N) / 2
    mlo = _quantile_age(by_age, np.floor(N / 2 - half))
    mhi = _quantile_age(by_age, np.ceil(N / 2 + half))
    out = [_frame("median_age", units, value=med, lo=np.minimum(mlo, med), hi=np.maximum(mhi, med),
                  num=np.nan, den=N, status=st)]
    young = by_age[:, :15].sum(axis=1)
    old = by_age[:, 65:].sum(axis=1)
    work = by_age[:, 15:65].sum(axis=1)
    for iid, dep in (("dependency_ratio_total", young + old), ("dependency_ratio_young", young),
                     ("dependency_ratio_old", old)):
        lo, hi = binomial_ci(dep, dep + work)
        with np.errstate(invalid="ignore", divide="ignore"):
            odds = lambda q: 100 * q / (1 - q)  # noqa: E731
            out.append(_frame(iid, units, value=100 * dep / np.where(work > 0, work, np.nan), lo=odds(lo),
                              hi=np.where(hi >= 1, np.inf, odds(np.minimum(hi, 1 - 1e-12))), num=dep, den=work,
                              status=_status(ok, work > 0)))
    # pyramid: share of the unit's persons of known sex in each sex x five-year group (80+ open)
    ks = known & np.isin(sex, (1, 2))
    grp = np.minimum(age[ks] // 5, 16)
    cells = (pd.DataFrame({col: codes[ks], "cell": (sex[ks] - 1) * 17 + grp}).groupby([col, "cell"]).size()
             .unstack("cell", fill_value=0).reindex(index=idx, columns=range(34), fill_value=0).to_numpy(float))
    tot = cells.sum(axis=1)
    labels = [f"{a}-{a + 4}" for a in range(0, 80, 5)] + ["80+"]
    k = cells.ravel()
    n = np.repeat(tot, 34)
    lo, hi = binomial_ci(k, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = k / np.where(n > 0, n, np.nan)
    groups = np.tile([f"sex={s};age={lab}" for s in (1, 2) for lab in labels], len(units))
    out.append(_frame("population_share", np.repeat(units, 34), value=share, lo=lo, hi=hi, num=k, den=n,
                      status=np.repeat(_status(tot >= config.min_persons_structure, tot > 0), 34), group=groups))
    return out
