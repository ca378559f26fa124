"""The abridged period life table, with Chiang's variance of life expectancy.

Conventions (Preston, Heuveline and Guillot 2001, ch. 3; Chiang 1984)
--------------------------------------------------------------------
* Age groups 0, 1-4, 5-9, ..., and an open group (85+ by default).
* ``nMx = nDx / nKx``: deaths over person-years lived in the window.
* ``nax``: ``1a0`` and ``4a1`` by the Coale-Demeny rules as Preston's Table
  3.3 prints them (males ``1a0 = 0.045 + 2.684 1m0``, ``4a1 = 1.651 - 2.816 1m0``;
  females ``0.053 + 2.800 1m0`` and ``1.522 - 1.518 1m0``; for ``1m0 >= 0.107``
  the constants 0.330 / 1.352 and 0.350 / 1.361); both sexes together blend
  the male and female values with weights 1.05 : 1 (DemoTools' ``lt_rule_1a0``
  with ``Sex = "b"``); ``n/2`` for the other closed groups; the open group
  ``1 / M``.
* ``nqx = n nMx / (1 + (n - nax) nMx)``, capped at 1; the open group's ``q`` is 1.
* ``l0 = 100,000``; ``nLx = n l(x+n) + nax ndx``; open ``L = l / M``.
* Variance of ``e0`` (Chiang 1984, with the open group term of Silcocks,
  Jenner and Reza 2001 as Eayres and Williams 2004 give it):
  ``var(qx) = qx^2 (1 - qx) / Dx`` and
  ``var(e0) = sum (lx / l0)^2 [(1 - ax/n) n + e(x+n)]^2 var(qx) + (lw / l0)^2 var(Mw) / Mw^4``
  with ``var(Mw) = Dw / Kw^2``; the interval is ``e0 +- 1.96 se``.

Examples
--------
>>> import numpy as np
>>> ages = np.array([0, 1] + list(range(5, 90, 5)))
>>> kx = np.full(len(ages), 1000.0)
>>> lt = life_table(kx * 0.01, kx, ages=ages, sex="f")
>>> round(lt.e0, 2)  # constant hazard 0.01: about 1 / 0.01
100.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["LifeTable", "life_table", "a0_coale_demeny", "abridged_ages"]

_Z = 1.959963984540054


def abridged_ages(open_age: int = 85) -> np.ndarray:
    """Lower bounds 0, 1, 5, 10, ..., ``open_age``.

    >>> abridged_ages(20).tolist()
    [0, 1, 5, 10, 15, 20]
    """
    return np.array([0, 1, *range(5, open_age + 1, 5)])


def a0_coale_demeny(m0: Any, *, sex: str) -> tuple[np.ndarray, np.ndarray]:
    """``1a0`` and ``4a1`` from ``1m0`` (Coale-Demeny, Preston et al. 2001 Table 3.3).

    ``sex`` is ``"m"``, ``"f"`` or ``"b"`` (both: 1.05 : 1 blend of the two).

    Examples
    --------
    >>> a0, a1 = a0_coale_demeny(0.01, sex="m")
    >>> round(float(a0), 5), round(float(a1), 5)
    (0.07184, 1.62284)
    """
    m0 = np.asarray(m0, dtype=float)
    high = m0 >= 0.107
    if sex == "m":
        return np.where(high, 0.330, 0.045 + 2.684 * m0), np.where(high, 1.352, 1.651 - 2.816 * m0)
    if sex == "f":
        return np.where(high, 0.350, 0.053 + 2.800 * m0), np.where(high, 1.361, 1.522 - 1.518 * m0)
    if sex == "b":
        am, bm = a0_coale_demeny(m0, sex="m")
        af, bf = a0_coale_demeny(m0, sex="f")
        w = 1.05 / 2.05
        return w * am + (1 - w) * af, w * bm + (1 - w) * bf
    raise ValueError(f"sex must be 'm', 'f' or 'b', got {sex!r}")


@dataclass(frozen=True)
class LifeTable:
    """An abridged life table.

    Attributes
    ----------
    table : one row per age group: ``age, n`` (NaN for the open group),
        ``deaths, exposure, mx, ax, qx, lx, dx, Lx, Tx, ex``.
    e0, e0_se, e0_ci : life expectancy at birth, Chiang's standard error and
        the 95% interval.
    """

    table: pd.DataFrame
    e0: float
    e0_se: float
    e0_ci: tuple[float, float]

    def Lx5(self) -> np.ndarray:
        """Person-years ``5Lx`` by five-year group 0-4, 5-9, ... with ``T`` of the open group last.

        The input a projection step takes (``lx_f`` / ``lx_m`` of :func:`project_step`).
        """
        t = self.table
        L = t["Lx"].to_numpy()
        first = L[0] + L[1]
        rest = L[2:-1]
        return np.concatenate([[first], rest, [t["Tx"].to_numpy()[-1]]])


def life_table(deaths: Any, exposure: Any, *, ages: Any, sex: str = "b", radix: float = 100_000.0) -> LifeTable:
    """Abridged life table from deaths and person-years by age group (see the module's conventions).

    Parameters
    ----------
    deaths, exposure : counts and person-years aligned with ``ages``.
    ages : lower bounds 0, 1, 5, 10, ..., the last the open group.
    sex : ``"m"``, ``"f"`` or ``"b"`` (chooses the ``a0`` rule).
    radix : ``l0``.

    Raises
    ------
    ValueError
        Mismatched lengths, ages not 0, 1, 5, 10, ... or an age group
        without person-years.
    """
    D = np.asarray(deaths, dtype=float)
    K = np.asarray(exposure, dtype=float)
    x = np.asarray(ages, dtype=float)
    if not (len(D) == len(K) == len(x)):
        raise ValueError(f"deaths, exposure and ages differ in length ({len(D)}, {len(K)}, {len(x)})")
    if len(x) < 3 or x[0] != 0 or x[1] != 1 or np.any(np.diff(x[1:])[1:] != 5) or x[2] != 5:
        raise ValueError("ages must be 0, 1, 5, 10, ..., the last the open group")
    if np.any(K <= 0):
        raise ValueError("every age group needs person-years (exposure > 0)")
    if np.any(D < 0):
        raise ValueError("deaths must not be negative")
    k = len(x)
    n = np.append(np.diff(x), np.nan)
    M = D / K
    a = n / 2
    a0, a1 = a0_coale_demeny(M[0], sex=sex)
    a[0], a[1] = float(a0), float(a1)
    Mw = M[-1]
    a[-1] = 1 / Mw if Mw > 0 else np.inf
    q = np.empty(k)
    q[:-1] = np.minimum(n[:-1] * M[:-1] / (1 + (n[:-1] - a[:-1]) * M[:-1]), 1.0)
    q[-1] = 1.0
    lx = radix * np.concatenate([[1.0], np.cumprod(1 - q[:-1])])
    dx = lx * q
    L = np.empty(k)
    L[:-1] = n[:-1] * lx[1:] + a[:-1] * dx[:-1]
    L[-1] = lx[-1] / Mw if Mw > 0 else np.inf
    T = np.cumsum(L[::-1])[::-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        ex = np.where(lx > 0, T / lx, np.nan)
    # Chiang's variance
    with np.errstate(invalid="ignore", divide="ignore"):
        var_q = np.where(D[:-1] > 0, q[:-1] ** 2 * (1 - q[:-1]) / np.where(D[:-1] > 0, D[:-1], 1), 0.0)
        e_next = np.nan_to_num(ex[1:], nan=0.0)
        term = (lx[:-1] / radix) ** 2 * ((1 - a[:-1] / n[:-1]) * n[:-1] + e_next) ** 2 * var_q
        var_open = (lx[-1] / radix) ** 2 * (D[-1] / K[-1] ** 2) / Mw**4 if Mw > 0 else np.inf
    var_e0 = float(term.sum() + var_open)
    se = float(np.sqrt(var_e0))
    e0 = float(ex[0])
    table = pd.DataFrame({"age": x.astype(int), "n": n, "deaths": D, "exposure": K, "mx": M, "ax": a, "qx": q,
                          "lx": lx, "dx": dx, "Lx": L, "Tx": T, "ex": ex})
    return LifeTable(table=table, e0=e0, e0_se=se, e0_ci=(e0 - _Z * se, e0 + _Z * se))
