"""Dual-system (capture-recapture) estimators of a total from two overlapping sources.

Two sources list events of one closed population: source 1 lists ``n1``,
source 2 lists ``n2``, and ``m`` events are found in both. Under the
assumptions of the method (closed population, independent sources, every
event equally likely to be listed by a source, perfect matching) the total
number of events ``N`` is estimated by

* :func:`petersen`: Lincoln-Petersen / Chandra Sekar-Deming, ``n1 n2 / m``,
  with Seber's (1982, p. 60) variance ``n1 n2 (n1 - m)(n2 - m) / m^3``
  (``variance="ricker"``: Ricker's (1975, eq. 3.6) ``n1^2 n2 (n2 - m) / m^3``,
  the one R packages FSA and recapr use);
* :func:`chapman`: Chapman's (1951) ``(n1 + 1)(n2 + 1) / (m + 1) - 1``, nearly
  unbiased, with the Seber (1970) / Wittes (1972) variance
  ``(n1 + 1)(n2 + 1)(n1 - m)(n2 - m) / ((m + 1)^2 (m + 2))`` and either Chao's
  (1987) log-transformed interval (default) or the normal one (truncated
  below at the events seen);
* :func:`bailey`: Bailey's (1951) binomial-model ``n1 (n2 + 1) / (m + 1)``
  with variance ``n1^2 (n2 + 1)(n2 - m) / ((m + 1)^2 (m + 2))``.

Every estimator returns a :class:`DSEResult`; :func:`dse_table` computes the
same for whole arrays of units at once (one row per unit). ``m = 0`` gives no
estimate (the overlap says nothing about what both sources missed) and the
result says so in ``reason``.

Chao's interval keeps the lower limit above the number of distinct events
seen, ``M = n1 + n2 - m``: with ``f0 = N - M`` (the estimated events missed
by both) and ``C = exp(z sqrt(log(1 + var / f0^2)))`` it is
``[M + f0 / C, M + f0 C]`` (Chao 1987; as in R package CARE1, ``estN.pair``).

Examples
--------
>>> r = chapman(421, 332, 88, ci="normal")   # Pine et al. (2013), Box 11.2
>>> round(r.estimate), round(r.ci_low), round(r.ci_high)
(1578, 1330, 1826)
>>> chapman(10, 12, 0).reason
'no event is found in both sources (m = 0): the overlap says nothing about the events both missed'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

__all__ = ["DSEResult", "petersen", "chapman", "bailey", "dse_table", "METHODS", "NO_OVERLAP"]

METHODS = ("petersen", "chapman", "bailey")

#: ``reason`` of a result without estimate because no event is in both sources.
NO_OVERLAP = "no event is found in both sources (m = 0): the overlap says nothing about the events both missed"
_EMPTY = "both sources are empty (n1 = n2 = 0)"


@dataclass(frozen=True)
class DSEResult:
    """A dual-system estimate of a total.

    Attributes
    ----------
    method : petersen, chapman or bailey.
    n1, n2, m : records of source 1, of source 2, and found in both.
    estimate : estimated total (NaN when there is no estimate, see ``reason``).
    se : its standard error.
    ci_low, ci_high : interval at ``level``.
    completeness_1 : ``m / n2``, the share of source 2 found in source 1
        (under independence, the completeness of source 1).
    completeness_2 : ``m / n1``, the share of source 1 found in source 2.
    missed_both : ``estimate - (n1 + n2 - m)``, the events neither source lists.
    ci : "log" or "normal".
    level : confidence level.
    reason : why there is no estimate, else None.
    """

    method: str
    n1: int
    n2: int
    m: int
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    completeness_1: float
    completeness_2: float
    missed_both: float
    ci: str = "normal"
    level: float = 0.95
    reason: str | None = None

    @property
    def observed(self) -> int:
        """Distinct events seen by at least one source, ``n1 + n2 - m``."""
        return self.n1 + self.n2 - self.m

    @property
    def cv(self) -> float:
        """Coefficient of variation ``se / estimate`` (NaN without estimate)."""
        return self.se / self.estimate if self.estimate and np.isfinite(self.estimate) else float("nan")


def _counts(n1: Any, n2: Any, m: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arrs = []
    for name, v in (("n1", n1), ("n2", n2), ("m", m)):
        a = np.asarray(v, dtype="float64")
        if np.isnan(a).any():
            raise ValueError(f"{name} must be a count, got a missing value")
        if (a < 0).any():
            raise ValueError(f"{name} must not be negative, got {a[a < 0].flat[0]:g}")
        if (a != np.round(a)).any():
            raise ValueError(f"{name} must be a whole number, got {a[a != np.round(a)].flat[0]:g}")
        arrs.append(a)
    a1, a2, am = np.broadcast_arrays(*arrs)
    for name, big in (("n1", a1), ("n2", a2)):
        bad = am > big
        if bad.any():
            i = np.flatnonzero(bad.ravel())[0]
            raise ValueError(f"m ({am.flat[i]:g}) cannot exceed {name} ({big.flat[i]:g}): "
                             "an event found in both sources is in each of them")
    return a1.astype("float64"), a2.astype("float64"), am.astype("float64")


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    return float(norm.ppf(0.5 + level / 2))


def dse_table(n1: Any, n2: Any, m: Any, *, method: str = "chapman", ci: str = "log", level: float = 0.95,
              variance: str = "seber") -> pd.DataFrame:
    """Dual-system estimates for arrays of units (vectorised).

    Parameters
    ----------
    n1, n2, m : counts (scalars or equal-length arrays).
    method : petersen, chapman or bailey.
    ci : "log" (Chao 1987; Chapman only) or "normal".
    level : confidence level.
    variance : Petersen only: "seber" or "ricker".

    Returns
    -------
    pandas.DataFrame
        n1, n2, m, observed, estimate, se, ci_low, ci_high, cv, completeness_1,
        completeness_2, missed_both, reason (None where there is an estimate).

    Raises
    ------
    ValueError
        Negative, fractional or missing counts, ``m`` above ``n1`` or ``n2``, an
        unknown method, interval or variance.

    Examples
    --------
    >>> t = dse_table([100, 5], [100, 4], [20, 0])
    >>> t[["estimate", "reason"]].round(2).values.tolist()[0]
    [484.76, None]
    >>> t["estimate"].isna().tolist()
    [False, True]
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if ci not in ("log", "normal"):
        raise ValueError(f"ci must be 'log' or 'normal', got {ci!r}")
    if ci == "log" and method != "chapman":
        raise ValueError("the log-transformed interval (ci='log') is defined here for the Chapman estimate only")
    if variance not in ("seber", "ricker"):
        raise ValueError(f"variance must be 'seber' or 'ricker', got {variance!r}")
    z = _z(level)
    a1, a2, am = (np.atleast_1d(x) for x in _counts(n1, n2, m))
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "petersen":
            est = a1 * a2 / am
            if variance == "seber":
                var = a1 * a2 * (a1 - am) * (a2 - am) / am**3
            else:
                var = a1**2 * a2 * (a2 - am) / am**3
        elif method == "chapman":
            est = (a1 + 1) * (a2 + 1) / (am + 1) - 1
            var = (a1 + 1) * (a2 + 1) * (a1 - am) * (a2 - am) / ((am + 1) ** 2 * (am + 2))
        else:
            est = a1 * (a2 + 1) / (am + 1)
            var = a1**2 * (a2 + 1) * (a2 - am) / ((am + 1) ** 2 * (am + 2))
        se = np.sqrt(var)
        observed = a1 + a2 - am
        if ci == "normal":  # truncated at the events seen: the total is never below them
            lo, hi = np.maximum(est - z * se, observed), est + z * se
        else:
            f0 = est - observed  # = (n1 - m)(n2 - m) / (m + 1) >= 0 for Chapman
            c = np.exp(z * np.sqrt(np.log1p(var / f0**2)))
            lo = np.where(f0 > 0, observed + f0 / c, est)
            hi = np.where(f0 > 0, observed + f0 * c, est)
        comp1 = np.where(a2 > 0, am / np.where(a2 > 0, a2, 1), np.nan)
        comp2 = np.where(a1 > 0, am / np.where(a1 > 0, a1, 1), np.nan)
    none = am == 0
    empty = (a1 == 0) & (a2 == 0)
    reason = np.where(empty, _EMPTY, np.where(none, NO_OVERLAP, None))  # type: ignore[call-overload]
    for arr in (est, se, lo, hi):
        arr[none] = np.nan
    out = pd.DataFrame({
        "n1": a1.astype("int64"), "n2": a2.astype("int64"), "m": am.astype("int64"),
        "observed": observed.astype("int64"), "estimate": est, "se": se, "ci_low": lo, "ci_high": hi,
    })
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cv"] = np.where(est > 0, se / est, np.nan)
    out["completeness_1"] = comp1
    out["completeness_2"] = comp2
    out["missed_both"] = est - observed
    out["reason"] = pd.Series(reason, dtype="object").where(pd.notna(reason), None)
    return out


def _one(method: str, n1: Any, n2: Any, m: Any, ci: str, level: float, variance: str = "seber") -> DSEResult:
    for name, v in (("n1", n1), ("n2", n2), ("m", m)):
        if np.ndim(v) != 0:
            raise ValueError(f"{name} must be a single count (use dse_table for arrays)")
    r = dse_table(n1, n2, m, method=method, ci=ci, level=level, variance=variance).iloc[0]
    return DSEResult(
        method=method, n1=int(r["n1"]), n2=int(r["n2"]), m=int(r["m"]), estimate=float(r["estimate"]),
        se=float(r["se"]), ci_low=float(r["ci_low"]), ci_high=float(r["ci_high"]),
        completeness_1=float(r["completeness_1"]), completeness_2=float(r["completeness_2"]),
        missed_both=float(r["missed_both"]), ci=ci, level=level, reason=r["reason"],
    )


def petersen(n1: int, n2: int, m: int, *, level: float = 0.95, variance: str = "seber") -> DSEResult:
    """Lincoln-Petersen estimate ``n1 n2 / m`` with a normal interval.

    Parameters
    ----------
    n1, n2, m : records of source 1, of source 2, found in both.
    level : confidence level.
    variance : "seber" (``n1 n2 (n1-m)(n2-m)/m^3``, Seber 1982 p. 60) or
        "ricker" (``n1^2 n2 (n2-m)/m^3``, Ricker 1975 eq. 3.6).

    Examples
    --------
    >>> r = petersen(100, 100, 20)
    >>> r.estimate, r.se, petersen(100, 100, 20, variance="ricker").se
    (500.0, 89.44271909999159, 100.0)
    """
    return _one("petersen", n1, n2, m, "normal", level, variance)


def chapman(n1: int, n2: int, m: int, *, ci: str = "log", level: float = 0.95) -> DSEResult:
    """Chapman's estimate ``(n1+1)(n2+1)/(m+1) - 1`` with the Seber-Wittes variance.

    Parameters
    ----------
    n1, n2, m : records of source 1, of source 2, found in both.
    ci : "log" (Chao 1987, lower limit above the events seen) or "normal".
    level : confidence level.

    Examples
    --------
    >>> r = chapman(100, 100, 20)
    >>> round(r.estimate, 4), round(r.se, 5), r.ci_low > r.observed
    (484.7619, 82.03151, True)
    """
    return _one("chapman", n1, n2, m, ci, level)


def bailey(n1: int, n2: int, m: int, *, level: float = 0.95) -> DSEResult:
    """Bailey's binomial-model estimate ``n1 (n2+1)/(m+1)`` with a normal interval.

    Examples
    --------
    >>> r = bailey(100, 100, 20)
    >>> round(r.estimate, 4), round(r.se, 5)
    (480.9524, 91.25886)
    """
    return _one("bailey", n1, n2, m, "normal", level)
