"""Age-heaping indices, computed as R's DemoTools computes them.

Each function ports one ``check_heaping_*`` function of DemoTools (Riffe et al.,
https://github.com/timriffe/DemoTools, ``R/check_heaping.R``): the same
arguments in snake_case (``Value`` -> ``value``, ``ageMin`` -> ``age_min``,
``Agei`` -> ``agei``, ``OAG`` -> ``oag``), the same defaults, the same
conventions and the same results (the tests reproduce DemoTools' documented
examples to the digits it prints). The data come first; every option is
keyword-only.

``value`` holds counts (persons, or deaths for :func:`kannisto` and
:func:`jdanov`) by single year of age and ``age`` the lower bound of each age;
both are array-likes of equal length. The ages an index reads must be
consecutive single years, otherwise a :class:`ValueError` says which.

================  ==========================  =====================================
function          DemoTools                   no heaping gives
================  ==========================  =====================================
:func:`whipple`     ``check_heaping_whipple``     1 (range 0-5 for digits 0 and 5)
:func:`myers`       ``check_heaping_myers``       0 (range 0-90)
:func:`bachi`       ``check_heaping_bachi``       0 (range 0-90)
:func:`noumbissi`   ``check_heaping_noumbissi``   1 for the digit (range 0-5)
:func:`spoorenberg` ``check_heaping_spoorenberg`` 0 (range 0-16)
:func:`coale_li`    ``check_heaping_coale_li``    1 (range 0-5)
:func:`kannisto`    ``check_heaping_kannisto``    about 1 (an old-age ratio)
:func:`jdanov`      ``check_heaping_jdanov``      100 (range 0-500)
================  ==========================  =====================================

See ``docs/age-quality.md`` for the formulas, interpretation bands and where
popqa's reports depart from DemoTools' defaults.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "whipple",
    "whipple_terms",
    "myers",
    "bachi",
    "noumbissi",
    "spoorenberg",
    "coale_li",
    "kannisto",
    "jdanov",
]


# --------------------------------------------------------------------------- helpers


def _arrays(value, age, *, name: str = "value") -> tuple[np.ndarray, np.ndarray]:
    """``value`` (last axis = ages) and ``age`` as float arrays, checked for shape and finiteness."""
    v = np.asarray(value, dtype=float)
    a = np.asarray(age, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"age must be one-dimensional, got shape {a.shape}")
    if v.ndim == 0 or v.shape[-1] != a.shape[0]:
        raise ValueError(f"{name} and age must have the same length, got {v.shape[-1] if v.ndim else 0} and {len(a)}")
    if not np.all(np.isfinite(a)):
        raise ValueError("age must not contain missing or infinite values")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must not contain missing or infinite values")
    return v, a


def _require_single(a: np.ndarray, mask: np.ndarray, what: str) -> None:
    """DemoTools' ``is_single()`` on the ages an index reads: consecutive single years."""
    sel = a[mask]
    if sel.size == 0:
        raise ValueError(f"{what}: no ages in the range the index needs")
    if not np.all(np.diff(sel) == 1):
        raise ValueError(f"{what}: ages {sel.min():g}-{sel.max():g} must be consecutive single years")


def _shift(x: np.ndarray, k: int) -> np.ndarray:
    """DemoTools' ``shift.vector(x, k)`` for a logical vector (fill ``False``).

    ``k > 0`` moves elements to later positions, ``k < 0`` to earlier ones.
    """
    out = np.zeros_like(x)
    if k > 0:
        out[k:] = x[:-k]
    elif k < 0:
        out[:k] = x[-k:]
    else:
        out[:] = x
    return out


def _ma(x: np.ndarray, n: int) -> np.ndarray:
    """DemoTools' centred moving average ``ma(x, n)`` (``NaN`` padding; the even-``n`` fix of its issue #127)."""
    x = np.asarray(x, dtype=float)
    m = len(x)
    out = np.full(m, np.nan)
    if n % 2 == 1:
        h = n // 2
        if m >= n:
            out[h : m - h] = np.convolve(x, np.ones(n) / n, mode="valid")
        return out
    # even n: a one-sided filter of weights 1/(2n), then the sum of two shifted copies
    temp = np.full(m, np.nan)
    if m >= n:
        temp[n - 1 :] = np.convolve(x, np.ones(n) / (2 * n), mode="valid")

    def sh(v: np.ndarray, k: int) -> np.ndarray:
        o = np.full(m, np.nan)
        if k > 0:
            o[k:] = v[:-k]
        elif k < 0:
            o[:k] = v[-k:]
        else:
            o[:] = v
        return o

    return sh(temp, -n // 2 + 1) + sh(temp, -n // 2)


def _digits(digit: int | Sequence[int]) -> tuple[int, ...]:
    d = (int(digit),) if np.isscalar(digit) else tuple(int(x) for x in digit)  # type: ignore[arg-type, union-attr]
    if not d or any(x < 0 or x > 9 for x in d):
        raise ValueError(f"digit must be one digit 0-9 or several, got {digit!r}")
    return d


# --------------------------------------------------------------------------- Whipple


def whipple_terms(value, age, *, age_min: float = 25, age_max: float = 65,
                  digit: int | Sequence[int] = (0, 5)) -> tuple[np.ndarray, np.ndarray, float]:
    """Numerator, denominator and factor of :func:`whipple`: ``whipple = factor * num / den``.

    The numerator sums the ages between ``age_min`` and ``age_max`` (inclusive)
    that end in ``digit``; the denominator runs from 2 years below the lowest
    such age (7 years for a single digit) to 2 years above the highest; the
    factor is 5 for digits 0 and 5 and 10 for one digit. ``value`` may be a
    matrix with one row per unit (ages on the last axis); the sums then have one
    entry per row.

    Examples
    --------
    >>> num, den, f = whipple_terms([10] * 100, range(100), age_min=25, age_max=60)
    >>> float(num), float(den), f
    (80.0, 400.0, 5.0)
    """
    v, a = _arrays(value, age)
    d = _digits(digit)
    if len(d) != 1 and set(d) != {0, 5}:
        raise ValueError(f"whipple: digit must be a single digit or the pair (0, 5), got {digit!r}")
    num = (a >= age_min) & (a <= age_max) & np.isin(a % 10, d)
    if not num.any():
        raise ValueError(f"whipple: no ages {age_min}-{age_max} end in {d}")
    lo, hi = a[num].min(), a[num].max()
    den = (a >= lo - (2 if len(d) == 2 else 7)) & (a <= hi + 2)
    _require_single(a, den, "whipple")
    factor = 5.0 if len(d) == 2 else 10.0
    return v[..., num].sum(axis=-1), v[..., den].sum(axis=-1), factor


def whipple(value, age, *, age_min: float = 25, age_max: float = 65, digit: int | Sequence[int] = (0, 5)):
    """Whipple's index of age heaping (DemoTools ``check_heaping_whipple``).

    ``W = 5 * sum(P_x, x in age_min..age_max ending in 0 or 5) / sum(P_x, x from
    2 below the lowest to 2 above the highest such age)``; with the defaults the
    numerator holds ages 25, 30, ..., 65 and the denominator ages 23-67. A single
    digit gives the digit-specific index of Roger et al. (1981, p. 148): factor
    10 and a denominator from 7 below to 2 above. 1 means no heaping, 5 (or 10)
    that every age ends in the digit(s); the UN bands multiply it by 100.

    Parameters
    ----------
    value : array-like of counts by single age, or a matrix (one row per unit,
        ages on the last axis) to compute many units at once.
    age : array-like, the age of each count.
    age_min, age_max : inclusive bounds of the numerator ages (DemoTools
        defaults 25 and 65; PAS SINGAGE and the UN formula use 25 and 60).
    digit : terminal digit(s): ``(0, 5)`` or one digit.

    Returns
    -------
    float (or an array of one per row of a matrix ``value``).

    Examples
    --------
    >>> ages = range(100)
    >>> whipple([10] * 100, ages)
    1.0
    >>> heaped = [50 if a % 5 == 0 else 10 for a in ages]
    >>> round(whipple(heaped, ages, age_min=25, age_max=60), 4)
    2.7778
    """
    num, den, factor = whipple_terms(value, age, age_min=age_min, age_max=age_max, digit=digit)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = factor * num / den
    return float(w) if np.ndim(w) == 0 else w


# --------------------------------------------------------------------------- Myers, Bachi


def myers(value, age, *, age_min: float = 23, age_max: float = 82, method: str = "orig") -> float:
    """Myers' blended index (DemoTools ``check_heaping_myers``).

    The range ``age_min..age_max`` is cut at the top to whole decades (23-82 is
    six decades). Counts are summed by terminal digit twice, once without the
    last decade and once without the first (``method="pasex"``: the first sum
    keeps every decade, as the PAS SINGAGE sheet does), weighted 1..10 and
    9..0 starting from the digit of ``age_min``, and turned into shares; the
    index is half the sum of the absolute deviations of the shares from 10 %.
    0 means no digit preference, 90 that every age ends in one digit.

    Examples
    --------
    >>> myers([10] * 100, range(100))
    0.0
    >>> round(myers([100 if a % 10 == 0 else 0 for a in range(100)], range(100)), 6)
    90.0
    """
    v, a = _arrays(value, age)
    if method not in ("orig", "pasex"):
        raise ValueError(f"myers: method must be 'orig' or 'pasex', got {method!r}")
    if age_max > a.max():
        raise ValueError(f"myers: age_max {age_max:g} is above the highest age {a.max():g}")
    diff = age_max - age_min
    span = diff - (diff + 1) % 10
    ind = (a >= age_min) & (a <= age_min + span)
    _require_single(a, ind, "myers")
    if ind.sum() % 10 or ind.sum() < 10:
        raise ValueError(f"myers: ages {age_min:g}-{age_max:g} do not hold a whole decade of single ages")
    va = v[ind].reshape(-1, 10).T  # rows: digits from that of age_min; columns: decades
    tab1 = va.sum(axis=1) if method == "pasex" else va[:, :-1].sum(axis=1)
    tab2 = va[:, 1:].sum(axis=1)
    w = np.arange(1, 11)
    tab = tab1 * w + tab2 * (10 - w)
    fractions = tab / tab.sum()
    return float(np.abs(fractions - 0.1).sum() * 50)


def bachi(value, age, *, age_min: float = 23, age_max: float | None = None, method: str = "orig",
          oag: bool = True) -> float:
    """Bachi's index (DemoTools ``check_heaping_bachi``): Whipple's method applied to each digit.

    For each terminal digit a share is taken over whole decades starting at the
    ages of ``age_min .. age_min + 4`` with the same remainder mod 5 (two
    staggered ranges, averaged); ``method="orig"`` averages the two shares,
    ``"pasex"`` divides the averaged numerators by the averaged denominators.
    The index is half the sum of the absolute deviations of the ten shares from
    10 %: 0 without heaping, 90 with every age on one digit. ``age_max`` (None:
    DemoTools' documented default 77) is lowered to the highest age that keeps
    whole decades when the data stop earlier; with ``oag`` the last count (the
    open age group) is dropped first.

    Examples
    --------
    >>> bachi([10] * 100, range(100), oag=False)
    0.0
    >>> round(bachi([100 if a % 10 == 0 else 0 for a in range(100)], range(100), method="pasex"), 6)
    90.0
    """
    v, a = _arrays(value, age)
    if method not in ("orig", "pasex"):
        raise ValueError(f"bachi: method must be 'orig' or 'pasex', got {method!r}")
    if oag:
        v, a = v[:-1], a[:-1]
    if age_max is None:
        age_max = 77
    top = a.max()
    if age_max > top:
        age_max = age_min + 4 + 10 * np.floor((top - age_min - 4) / 10)
    diff = age_max - age_min
    span = diff - diff % 10 - 1
    if span < 9:
        raise ValueError(f"bachi: ages {age_min:g}-{age_max:g} do not hold a whole decade")
    lower1 = age_min + np.arange(5)
    upper1 = lower1 + span
    lower2, upper2 = lower1 + 1, upper1 + 1
    if np.any(upper2 > age_max):
        upper1, upper2 = upper1 - 10, upper2 - 10
    _require_single(a, (a >= lower1.min()) & (a <= upper2.max()), "bachi")
    last = a % 10
    num1, den1, num2, den2 = (np.empty(10) for _ in range(4))
    for dig in range(10):
        k = int(np.flatnonzero(lower1 % 5 == dig % 5)[0])
        r1 = (a >= lower1[k]) & (a <= upper1[k])
        r2 = (a >= lower2[k]) & (a <= upper2[k])
        num1[dig], den1[dig] = v[r1 & (last == dig)].sum(), v[r1].sum()
        num2[dig], den2[dig] = v[r2 & (last == dig)].sum(), v[r2].sum()
    if method == "orig":
        fractions = (num1 / den1 + num2 / den2) / 2
    else:
        fractions = ((num1 + num2) / 2) / ((den1 + den2) / 2)
    return float(100 * np.abs(fractions - 0.1).sum() / 2)


# --------------------------------------------------------------------------- Noumbissi, Spoorenberg


def noumbissi(value, age, *, age_min: float | None = None, age_max: float | None = None, digit: int = 0) -> float:
    """Noumbissi's digit-specific modified Whipple index (DemoTools ``check_heaping_noumbissi``).

    ``W_d = 5 * sum(P_x, x ending in d) / sum(5P_(x-2))``: each age ending in
    ``digit`` between ``age_min`` and ``age_max`` is compared with the five-year
    group centred on it. DemoTools' defaults: ``age_min = 20 + digit`` and
    ``age_max = age_min + 30`` (four ages per digit). 1 means no preference for
    the digit, below 1 avoidance, 5 that every age ends in it.

    Examples
    --------
    >>> noumbissi([10] * 100, range(100), digit=5)
    1.0
    """
    v, a = _arrays(value, age)
    if np.ndim(digit) != 0 or not 0 <= int(digit) <= 9:
        raise ValueError(f"noumbissi: digit must be one digit 0-9, got {digit!r}")
    digit = int(digit)
    if age_min is None:
        age_min = 20 + digit
    if age_max is None:
        age_max = age_min + 30
    _require_single(a, (a >= age_min - 2) & (a <= age_max + 2), "noumbissi")
    numi = (a >= age_min) & (a <= age_max) & (a % 10 == digit)
    denomi = _shift(numi, -2) | _shift(numi, -1) | numi | _shift(numi, 1) | _shift(numi, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(5 * v[numi].sum() / v[denomi].sum())


def spoorenberg(value, age, *, age_min: float = 20, age_max: float = 64) -> float:
    """Spoorenberg's total modified Whipple index (DemoTools ``check_heaping_spoorenberg``).

    ``W_tot = sum over digits d of |1 - W_d|`` with the :func:`noumbissi` index
    of every digit over the same range (an undefined ``W_d`` counts as 0).
    0 means no digit preference; 16 is the maximum (every age ending in 0 or 5).

    Examples
    --------
    >>> spoorenberg([10] * 100, range(100))
    0.0
    """
    v, a = _arrays(value, age)
    _require_single(a, (a >= age_min - 2) & (a <= age_max + 2), "spoorenberg")
    wi = np.array([noumbissi(v, a, age_min=age_min, age_max=age_max, digit=d) for d in range(10)])
    wi[np.isnan(wi)] = 0.0
    return float(np.abs(1 - wi).sum())


# --------------------------------------------------------------------------- Coale-Li, Kannisto, Jdanov


def coale_li(value, age, *, age_min: float = 60, age_max: float | None = None, terms: int = 5,
             digit: int | Sequence[int] = 0) -> float:
    """Coale and Li's (1991) index (DemoTools ``check_heaping_coale_li``).

    Each count is divided by a two-stage centred moving average of ``terms``
    terms (a moving average of the moving average); the ratios of ages
    ``age_min..age_max`` (None: the highest age) are averaged by terminal digit
    and the index is the mean of those averages for ``digit``. 1 means no
    heaping on the digit. Designed for old ages (Coale and Li used 65-100).

    Examples
    --------
    >>> coale_li([10] * 100, range(100), age_min=60, age_max=89)
    1.0
    """
    v, a = _arrays(value, age)
    if age_max is None:
        age_max = a.max()
    terms = int(terms)
    if terms < 1:
        raise ValueError(f"coale_li: terms must be a positive integer, got {terms}")
    ind = (a >= age_min) & (a <= age_max)
    _require_single(a, ind, "coale_li")
    if ind.sum() < 10:
        raise ValueError(f"coale_li: ages {age_min:g}-{age_max:g} hold fewer than 10 single ages")
    reference = _ma(_ma(v, terms), terms)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = v / reference
    r, d = ratio[ind], a[ind] % 10
    avg = {}
    for k in np.unique(d):
        x = r[d == k]
        x = x[~np.isnan(x)]
        avg[int(k)] = float(x.mean()) if x.size else float("nan")
    return float(np.mean([avg.get(k, np.nan) for k in _digits(digit)]))


def kannisto(value, age, *, agei: float = 90, pow: str | float = "exp") -> float:  # noqa: A002 (DemoTools' name)
    """Kannisto's old-age heaping index (DemoTools ``check_heaping_kannisto``).

    The count at age ``agei`` over a mean of the five counts ``agei-2 .. agei+2``:
    the geometric mean (``pow="exp"``) or the power mean
    ``mean(P^(1/pow))^pow`` (``pow=1`` is the arithmetic mean). As in
    DemoTools, a zero among the five counts switches to ``pow=1000``.

    Examples
    --------
    >>> round(kannisto([10] * 100, range(100), agei=90), 12)
    1.0
    >>> kannisto([10] * 100, range(100), agei=90, pow=1)
    1.0
    """
    v, a = _arrays(value, age)
    if np.ndim(agei) != 0:
        raise ValueError("kannisto: agei must be a single age")
    _require_single(a, (a >= agei - 2) & (a <= agei + 2), "kannisto")
    denomi = (a >= agei - 2) & (a <= agei + 2)
    if denomi.sum() != 5 or not np.any(a == agei):
        raise ValueError(f"kannisto: ages {agei - 2:g}-{agei + 2:g} must all be present")
    d = v[denomi]
    if np.any(d == 0):
        pow = 1000  # noqa: A001
    if isinstance(pow, str):
        if pow != "exp":
            raise ValueError(f"kannisto: pow must be 'exp' or a number, got {pow!r}")
        with np.errstate(divide="ignore"):
            denom = float(np.exp(np.mean(np.log(d))))
    else:
        denom = float(np.mean(d ** (1 / pow)) ** pow)
    return float(v[a == agei][0] / denom)


def jdanov(value, age, *, agei: Sequence[float] = (95, 100, 105)) -> float:
    """Jdanov's old-age heaping index (DemoTools ``check_heaping_jdanov``).

    ``500 * sum(D_x, x in agei) / sum of the five-year groups centred on each
    x in agei`` (Jdanov, Scholz and Shkolnikov 2008, for deaths at 95, 100 and
    105). 100 means no heaping, 500 that all deaths fall on those ages.

    Examples
    --------
    >>> jdanov([10] * 111, range(111))
    100.0
    """
    v, a = _arrays(value, age)
    ages = np.atleast_1d(np.asarray(agei, dtype=float))
    _require_single(a, (a >= ages.min() - 2) & (a <= ages.max() + 2), "jdanov")
    numi = np.isin(a, ages)
    denom = sum(v[_shift(numi, k)].sum() for k in (-2, -1, 0, 1, 2))
    return float(500 * v[numi].sum() / denom)
