"""Age-sex accuracy indices, computed as R's DemoTools computes them, and one unit's quality table.

The four index functions port DemoTools' ``ageRatioScore``, ``sexRatioScore``,
``ageSexAccuracy`` and ``ageSexAccuracyDasGupta`` (``R/AGESEX.R``, after the
PAS spreadsheet AGESEX of the US Census Bureau): the same arguments in
snake_case, the same defaults (``age_max=None`` stands for DemoTools'
``max(Age)``), the same results. Counts are by five-year age group, ``age`` the
lower bounds; with ``oag=True`` (the default) the last group is the open one
and is left out.

:func:`age_quality_table` computes every index of this module and of
:mod:`popqa.demography.heaping` for one unit from its persons' ages and sexes,
with the interpretation band of each (``docs/age-quality.md``), as the rows the
demography stage turns into indicator rows.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pandas as pd

from popqa.demography import heaping

__all__ = [
    "age_ratio_score",
    "sex_ratio_score",
    "age_sex_accuracy",
    "age_sex_accuracy_das_gupta",
    "age_quality_table",
    "single_year_counts",
    "five_year_counts",
    "QUALITY_COLUMNS",
    "WHIPPLE_BANDS",
    "AGE_SEX_ACCURACY_BANDS",
]

_AGE_RATIO_METHODS = {"un": (0, 200), "zelnick": (1, 300), "ramachandran": (2, 400)}


def _arrays(*values, age, names: tuple[str, ...]) -> tuple[list[np.ndarray], np.ndarray]:
    a = np.asarray(age, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"age must be one-dimensional, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("age must not contain missing or infinite values")
    out = []
    for v, name in zip(values, names, strict=True):
        x = np.asarray(v, dtype=float)
        if x.shape != a.shape:
            raise ValueError(f"{name} and age must have the same length, got {x.size} and {a.size}")
        if not np.all(np.isfinite(x)):
            raise ValueError(f"{name} must not contain missing or infinite values")
        out.append(x)
    return out, a


def _cut(values: list[np.ndarray], a: np.ndarray, age_min: float, age_max: float | None,
         oag: bool) -> tuple[list[np.ndarray], np.ndarray, float]:
    """DemoTools' handling of the open group and of the age range, shared by the four indices."""
    if age_max is None:
        age_max = a.max()
    if oag:
        values, a = [v[:-1] for v in values], a[:-1]
        if a.size and age_max > a.max():
            age_max = a.max()
    keep = (a >= age_min) & (a <= age_max)
    return [v[keep] for v in values], a[keep], age_max


def _shift(x: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros_like(x)
    if k > 0:
        out[k:] = x[:-k]
    elif k < 0:
        out[:k] = x[-k:]
    else:
        out[:] = x
    return out


def age_ratio_score(value, age, *, age_min: float = 0, age_max: float | None = None, method: str = "UN",
                    oag: bool = True) -> float:
    """The age ratio score (DemoTools ``ageRatioScore``; PAS AGESEX).

    Each inner five-year group is compared with its neighbours:
    ``"UN"`` ``200 P_x / (P_(x-5) + P_(x+5))``, ``"Zelnick"``
    ``300 P_x / (P_(x-5) + P_x + P_(x+5))``, ``"Ramachandran"``
    ``400 P_x / (P_(x-5) + 2 P_x + P_(x+5))``; the score is the mean absolute
    deviation of these ratios from 100 (0 for a perfectly smooth linear
    distribution). The first and last kept groups only serve as neighbours.

    Examples
    --------
    >>> age_ratio_score([100, 90, 80, 70, 60, 50], [0, 5, 10, 15, 20, 25])
    0.0
    >>> round(age_ratio_score([100, 80, 90, 70, 60, 50], [0, 5, 10, 15, 20, 25]), 4)
    14.152
    """
    (v,), a = _arrays(value, age=age, names=("value",))
    key = method.lower()
    if key not in _AGE_RATIO_METHODS:
        raise ValueError(f"age_ratio_score: method must be 'UN', 'Zelnick' or 'Ramachandran', got {method!r}")
    (v,), a, _ = _cut([v], a, age_min, age_max, oag)
    if a.size < 3:
        raise ValueError("age_ratio_score: at least three age groups are needed")
    numi = (a > age_min) & (a < a.max())
    middle, mult = _AGE_RATIO_METHODS[key]
    ratio = mult * v[numi] / (v[_shift(numi, -1)] + v[_shift(numi, 1)] + middle * v[numi])
    return float(np.mean(np.abs(ratio - 100)))


def sex_ratio_score(males, females, age, *, age_min: float = 0, age_max: float | None = None,
                    oag: bool = True) -> float:
    """The sex ratio score (DemoTools ``sexRatioScore``; PAS AGESEX).

    The mean absolute change, between successive five-year groups, of the sex
    ratio ``100 M_x / F_x``; 0 when the sex ratio is the same at every age.

    Examples
    --------
    >>> round(sex_ratio_score([105, 100, 95, 90], [100, 100, 100, 100], [0, 5, 10, 15], oag=False), 10)
    5.0
    """
    (m, f), a = _arrays(males, females, age=age, names=("males", "females"))
    (m, f), a, _ = _cut([m, f], a, age_min, age_max, oag)
    if a.size < 2:
        raise ValueError("sex_ratio_score: at least two age groups are needed")
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.mean(np.abs(100 * np.diff(m / f))))


def age_sex_accuracy(males, females, age, *, age_min: float = 0, age_max: float | None = None, method: str = "UN",
                     adjust: bool = True, oag: bool = True) -> float:
    """The UN age-sex accuracy index, or joint score (DemoTools ``ageSexAccuracy``).

    ``3 * sex ratio score + age ratio score (males) + age ratio score (females)``
    (United Nations 1952). With ``adjust`` (DemoTools' default) and fewer than
    one million persons in all groups, ``3500 / sqrt(N) - 3.5`` is subtracted,
    PAS's allowance for the random fluctuation of small populations: 31.5
    points at N = 10,000. ``method`` chooses the age ratio of
    :func:`age_ratio_score`, or ``"Das Gupta"`` for
    :func:`age_sex_accuracy_das_gupta` (another scale, never adjusted).

    Examples
    --------
    >>> m = [100, 90, 80, 70, 60, 50]
    >>> age_sex_accuracy(m, m, [0, 5, 10, 15, 20, 25], adjust=False)
    0.0
    >>> round(age_sex_accuracy(m, m, [0, 5, 10, 15, 20, 25]), 2)  # 900 persons: 3500/30 - 3.5 subtracted
    -113.17
    """
    key = method.lower()
    if key in ("das gupta", "dasgupta"):
        return age_sex_accuracy_das_gupta(males, females, age, age_min=age_min, age_max=age_max, oag=oag)
    if key not in _AGE_RATIO_METHODS:
        raise ValueError(
            f"age_sex_accuracy: method must be 'UN', 'Zelnick', 'Ramachandran' or 'Das Gupta', got {method!r}"
        )
    sr = sex_ratio_score(males, females, age, age_min=age_min, age_max=age_max, oag=oag)
    ma = age_ratio_score(males, age, age_min=age_min, age_max=age_max, method=method, oag=oag)
    fa = age_ratio_score(females, age, age_min=age_min, age_max=age_max, method=method, oag=oag)
    index = 3 * sr + ma + fa
    total = float(np.sum(np.asarray(males, dtype=float)) + np.sum(np.asarray(females, dtype=float)))
    if adjust and total < 1e6:
        index = index - 3500 / math.sqrt(total) + 3.5
    return float(index)


def age_sex_accuracy_das_gupta(males, females, age, *, age_min: float = 0, age_max: float | None = None,
                               oag: bool = True) -> float:
    """Das Gupta's (1955) age-sex accuracy index (DemoTools ``ageSexAccuracyDasGupta``).

    The product of a sex ratio index (summed absolute changes of the sex ratio,
    less the change between the first and last pairs of groups, per change) and
    one age ratio index per sex (summed absolute deviations from 100 of
    ``200 P_x / (P_(x-5) + P_x)``, scaled by the range of those ratios). Not on
    the scale of :func:`age_sex_accuracy`.

    Examples
    --------
    >>> m = [2365, 2320, 1859, 1554, 1758, 1534, 1404, 1324, 1118, 872, 795, 745, 743, 574]
    >>> f = [2244, 2248, 1773, 1594, 1616, 1510, 1478, 1320, 1085, 858, 768, 726, 533, 282]
    >>> round(age_sex_accuracy_das_gupta(m, f, range(0, 70, 5)), 5)  # DemoTools: 5.68162
    5.68162
    """
    (m, f), a = _arrays(males, females, age=age, names=("males", "females"))
    (m, f), a, _ = _cut([m, f], a, age_min, age_max, oag)
    if a.size < 3:
        raise ValueError("age_sex_accuracy_das_gupta: at least three age groups are needed")
    absdiff = np.abs(100 * np.diff(m / f))
    n = absdiff.size
    d = absdiff.sum()
    mm, mf = m[1:] + m[:-1], f[1:] + f[:-1]
    ri, rt = 100 * mm[0] / mf[0], 100 * mm[n - 1] / mf[n - 1]
    i = (d - abs(ri - rt)) / n
    dm = np.abs(200 * m[1:] / mm - 100).sum()
    df = np.abs(200 * f[1:] / mf - 100).sum()
    rhm, rhf = 200 * m.max() / mm[0], 200 * f.max() / mf[0]
    rtm, rtf = 200 * m[-1] / mm[0], 200 * f[-1] / mf[0]
    im = dm / (rhm - 100 + rhm - rtm)
    if_ = df / (rhf - 100 + rhf - rtf)
    return float(i * im * if_)


# --------------------------------------------------------------------------- one unit's table

#: UN classification of Whipple's index (x 100), as (upper bound, label).
WHIPPLE_BANDS: tuple[tuple[float, str], ...] = (
    (105.0, "highly accurate"),
    (110.0, "fairly accurate"),
    (125.0, "approximate"),
    (175.0, "rough"),
    (math.inf, "very rough"),
)

#: UN (1952) classification of the age-sex accuracy index (joint score), as (upper bound, label).
AGE_SEX_ACCURACY_BANDS: tuple[tuple[float, str], ...] = (
    (20.0, "accurate"),
    (40.0, "inaccurate"),
    (math.inf, "highly inaccurate"),
)

#: Columns of :func:`age_quality_table`.
QUALITY_COLUMNS = ("index_id", "group", "value", "band", "band_source", "persons", "status", "note")


def _band(value: float, bands: tuple[tuple[float, str], ...]) -> str:
    if not np.isfinite(value):
        return ""
    for upper, label in bands:
        if value < upper:
            return label
    return bands[-1][1]


def _numbers(values) -> np.ndarray:
    """``values`` as floats, anything that is not a number missing (``pd.to_numeric(errors="coerce")``).
    An array of numbers is converted as it is: through Python objects it cost one object per person
    (0.27 GB at 3.38 M persons, docs/benchmarks.md, "thirteenth measurement").

    >>> _numbers(np.array([1, 2])).tolist(), _numbers([1, "x", None, 2.5]).tolist()
    ([1.0, 2.0], [1.0, nan, nan, 2.5])
    """
    arr = np.asarray(values)
    if arr.dtype.kind in "iuf":
        return arr.astype(float)
    return pd.to_numeric(pd.Series(np.asarray(values, dtype=object)), errors="coerce").to_numpy(float)


def single_year_counts(ages, *, open_age: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Counts of persons by single year of age ``0 .. open_age`` (the last one open), and those ages.

    Missing and negative ages are left out.

    Examples
    --------
    >>> v, a = single_year_counts([0, 1, 1, 3, 120], open_age=4)
    >>> v.tolist(), a.tolist()
    ([1.0, 2.0, 0.0, 1.0, 1.0], [0, 1, 2, 3, 4])
    """
    x = _numbers(ages)
    x = np.floor(x[np.isfinite(x) & (x >= 0)])
    counts = np.bincount(np.minimum(x, open_age).astype(int), minlength=open_age + 1).astype(float)
    return counts, np.arange(open_age + 1)


def five_year_counts(ages, *, open_age: int = 75) -> tuple[np.ndarray, np.ndarray]:
    """Counts by five-year group ``0-4 .. (open_age-5)-(open_age-1)`` and ``open_age+``, and the lower bounds.

    Examples
    --------
    >>> v, a = five_year_counts([0, 4, 5, 12, 80], open_age=10)
    >>> v.tolist(), a.tolist()
    ([2.0, 1.0, 2.0], [0, 5, 10])
    """
    if open_age % 5:
        raise ValueError(f"open_age must be a multiple of 5, got {open_age}")
    single, _ = single_year_counts(ages, open_age=open_age)
    closed = single[:-1].reshape(-1, 5).sum(axis=1)
    return np.append(closed, single[-1]), np.arange(0, open_age + 1, 5)


def age_quality_table(ages, sexes, *, male=1, female=2, open_age_5: int = 75, min_persons: int = 1000) -> pd.DataFrame:
    """Every age-quality index of one unit, with its interpretation band.

    Parameters
    ----------
    ages : array-like of each person's age in completed years (the age as
        stated: popqa uses reference year minus birth year).
    sexes : array-like of each person's sex, aligned with ``ages``.
    male, female : the codes of ``sexes`` (popqa: 1 and 2).
    open_age_5 : the open group of the five-year tables of the age-sex
        indices (75, as the PAS AGESEX sheet and DemoTools' example).
    min_persons : below this many persons in the ages an index reads its
        status is ``insufficient`` (the value is still given).

    Returns
    -------
    pandas.DataFrame with :data:`QUALITY_COLUMNS`: ``index_id`` (``whipple``,
    ``whipple_0``, ``whipple_5``, ``myers``, ``bachi``, ``spoorenberg``,
    ``age_ratio_score``, ``sex_ratio_score``, ``age_sex_accuracy`` (unadjusted;
    banded only from one million persons), ``age_sex_accuracy_adjusted``
    (DemoTools' default; ``insufficient`` below 50,000 persons),
    ``age_sex_accuracy_das_gupta``), ``group`` (``total``, ``male``,
    ``female``), the DemoTools ``value`` (Whipple on its 1 = none scale), the
    ``band`` label and its source, the ``persons`` the index reads, a
    ``status`` (ok / insufficient / not_measurable) and a ``note``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> ages = rng.integers(0, 90, 20_000)
    >>> sexes = rng.integers(1, 3, 20_000)
    >>> t = age_quality_table(ages, sexes)
    >>> t.set_index(["index_id", "group"]).loc[("whipple", "total"), "band"]
    'highly accurate'
    """
    a = _numbers(ages)
    s = np.asarray(sexes)
    if s.dtype.kind not in "iuf":  # codes of any type compared as objects; numbers as they are
        s = s.astype(object)
    if a.shape != s.shape:
        raise ValueError(f"ages and sexes must have the same length, got {a.size} and {s.size}")
    rows: list[dict] = []

    def add(index_id, group, fn, persons, bands=None, source="", note="", min_n=None):
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                value = float(fn()) if persons > 0 else float("nan")
            status = "ok" if persons >= (min_persons if min_n is None else min_n) else "insufficient"
        except (ValueError, ZeroDivisionError, FloatingPointError) as exc:
            value, status, note = float("nan"), "not_measurable", str(exc)
        if not np.isfinite(value):
            status = "not_measurable"
        band = _band(value, bands) if bands and status != "not_measurable" else ""
        rows.append(dict(index_id=index_id, group=group, value=value, band=band, band_source=source if band else "",
                         persons=int(persons), status=status, note=note))

    groups = {"total": np.ones(a.shape, bool), "male": s == male, "female": s == female}
    for group, sel in groups.items():
        v, age = single_year_counts(a[sel])

        def n(lo: int, hi: int, v=v, age=age) -> float:
            return float(v[(age >= lo) & (age <= hi)].sum())

        add("whipple", group, partial(heaping.whipple, v, age, age_min=25, age_max=60), n(23, 62),
            tuple((u / 100, lab) for u, lab in WHIPPLE_BANDS), "UN (Whipple x 100)",
            "ages 25-60 ending in 0 or 5 over ages 23-62, 1 = no heaping")
        add("whipple_0", group, partial(heaping.whipple, v, age, age_min=25, age_max=60, digit=0), n(23, 62),
            note="ages ending in 0 (Roger et al. 1981), 1 = no heaping, 10 = all")
        add("whipple_5", group, partial(heaping.whipple, v, age, age_min=25, age_max=60, digit=5), n(18, 57),
            note="ages ending in 5 (Roger et al. 1981), 1 = no heaping, 10 = all")
        add("myers", group, partial(heaping.myers, v, age), n(23, 82), note="ages 23-82, 0 = no digit preference, 90 = all on one digit")
        add("bachi", group, partial(heaping.bachi, v, age), n(23, 77), note="ages 23-77, 0 = no digit preference, 90 = all on one digit")
        add("spoorenberg", group, partial(heaping.spoorenberg, v, age), n(18, 66),
            note="ages 20-64, 0 = no digit preference, 16 = all on 0 and 5")

    m5, a5 = five_year_counts(a[groups["male"]], open_age=open_age_5)
    f5, _ = five_year_counts(a[groups["female"]], open_age=open_age_5)
    closed_m, closed_f = m5[:-1].sum(), f5[:-1].sum()
    add("age_ratio_score", "male", lambda: age_ratio_score(m5, a5), closed_m,
        note=f"UN age ratios of 5-year groups 5-9 .. {open_age_5 - 10}-{open_age_5 - 6}")
    add("age_ratio_score", "female", lambda: age_ratio_score(f5, a5), closed_f,
        note=f"UN age ratios of 5-year groups 5-9 .. {open_age_5 - 10}-{open_age_5 - 6}")
    add("sex_ratio_score", "total", lambda: sex_ratio_score(m5, f5, a5), closed_m + closed_f,
        note=f"5-year groups 0-4 .. {open_age_5 - 5}-{open_age_5 - 1}")
    n_as = closed_m + closed_f
    n_all = m5.sum() + f5.sum()  # DemoTools' adjustment counts the open group too
    allowance = 3500 / math.sqrt(n_all) - 3.5 if 0 < n_all < 1e6 else 0.0
    large = n_all >= 1e6
    add("age_sex_accuracy", "total", lambda: age_sex_accuracy(m5, f5, a5, adjust=False), n_as,
        AGE_SEX_ACCURACY_BANDS if large else None, "UN (1952) joint score",
        "3 x sex ratio score + age ratio scores, unadjusted (DemoTools adjust=FALSE); "
        + ("" if large else f"random fluctuation alone adds about {allowance:.1f} points at this size (PAS), "
           "so the UN bands do not apply"))
    add("age_sex_accuracy_adjusted", "total", lambda: age_sex_accuracy(m5, f5, a5, adjust=True), n_as,
        AGE_SEX_ACCURACY_BANDS, "UN (1952) joint score",
        f"DemoTools default adjust=TRUE: {allowance:.1f} points subtracted (3500/sqrt(N) - 3.5 below 1 million); "
        "noisy below 50,000 persons", min_n=max(min_persons, 50_000))
    add("age_sex_accuracy_das_gupta", "total", lambda: age_sex_accuracy_das_gupta(m5, f5, a5),
        closed_m + closed_f, note="Das Gupta (1955), not on the scale of the UN joint score")
    return pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
