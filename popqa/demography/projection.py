"""The cohort-component projection: one five-year step (:func:`project_step`) and a run to a horizon (:func:`project`).

The step is the one of Preston, Heuveline and Guillot (2001), *Demography*,
section 6.3 and Box 6.2, by five-year age groups with an open last group:

* survivors: ``P[x+5](t+5) = (P[x](t) + N[x]/2) * 5L[x+5] / 5L[x]``; the
  open group gathers the last two groups, ``(P[A-5] + N[A-5]/2 + P[A] + N[A]/2) * T[A] / T[A-5]``;
* net migrants ``N`` over the five years: half added at the start (they
  survive and age with the residents), half at the end;
* births by mother's age: ``5 * asfr[x] * (W[x](t) + W[x](t+5)) / 2`` with
  ``W(t)`` the women at the start plus half their migrants and ``W(t+5)``
  the projected women (which include the other half);
* births survive to 0-4 with ``5L0 / (5 l0)``, girls ``B / (1 + srb)``, boys
  the rest; 0-4 then receive half their migrants.

:func:`project` repeats the step to the horizon and gives annual figures by
geometric interpolation between the five-year points.

Examples
--------
>>> import numpy as np
>>> pop = np.array([100.0, 100.0, 100.0])
>>> L = np.array([5.0, 5.0, 10.0])  # radix 1: no deaths before the open group, T = 10 in it
>>> s = project_step(pop, L, np.zeros(3), radix=1)
>>> np.round(s.population_f, 1).tolist()  # no births: groups move up; the open group survives 10 / 15
[0.0, 100.0, 133.3]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ProjectionStep", "Projection", "project_step", "project"]


@dataclass(frozen=True)
class ProjectionStep:
    """One five-year step.

    Attributes
    ----------
    population_f, population_m : the populations at ``t + 5`` by age group
        (``population_m`` None for a female-only projection).
    births_by_age : births (both sexes) over the five years by mother's age
        group, aligned with the age groups.
    births : their total; ``births_f`` the girls among them.
    """

    population_f: np.ndarray
    population_m: np.ndarray | None
    births_by_age: np.ndarray
    births: float
    births_f: float


def _as(name: str, v: Any, k: int, *, open_inf: bool = False) -> np.ndarray:
    a = np.asarray(v, dtype=float)
    if a.shape != (k,):
        raise ValueError(f"{name} must have one value per age group ({k}), got shape {a.shape}")
    fin = np.isfinite(a)
    if open_inf:
        fin[-1] = fin[-1] or a[-1] == np.inf
    if not np.all(fin):
        raise ValueError(f"{name} has a missing or infinite value")
    return a


def _survive(pop: np.ndarray, L: np.ndarray, mig: np.ndarray) -> np.ndarray:
    start = pop + mig / 2
    out = np.zeros_like(pop)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(L[:-2] > 0, L[1:-1] / np.where(L[:-2] > 0, L[:-2], 1), 0.0)
        if np.isinf(L[-1]):  # no deaths in the open group
            open_ratio = 1.0
        else:
            open_ratio = L[-1] / (L[-2] + L[-1]) if (L[-2] + L[-1]) > 0 else 0.0
    out[1:-1] = start[:-2] * ratio
    out[-1] = (start[-2] + start[-1]) * open_ratio
    return out + mig / 2


def project_step(
    population_f: Any,
    lx_f: Any,
    asfr: Any,
    *,
    srb: float = 1.05,
    net_migrants_f: Any = None,
    population_m: Any = None,
    lx_m: Any = None,
    net_migrants_m: Any = None,
    radix: float = 100_000,
) -> ProjectionStep:
    """Project a population five years ahead (Preston et al. 2001, Box 6.2).

    Parameters
    ----------
    population_f : women by five-year age group 0-4, 5-9, ..., the last open.
    lx_f : the life table's ``5Lx`` of each closed group and ``T`` of the
        open group (last), for a radix of ``radix``; ``T = inf`` means no
        deaths in the open group.
    asfr : age-specific fertility rates (births per woman and year), aligned
        with the age groups, zero outside the childbearing ages.
    srb : boys per girl at birth.
    net_migrants_f : net migrants over the five years by age group at the
        start (None: none).
    population_m, lx_m, net_migrants_m : the same for men; a female-only
        projection when ``population_m`` is None.
    radix : ``l0`` of the life tables.

    Raises
    ------
    ValueError
        Arrays of different lengths, fewer than three groups, negative
        populations or rates, a missing male life table.
    """
    Pf = np.asarray(population_f, dtype=float)
    k = Pf.shape[0] if Pf.ndim == 1 else -1
    if k < 3:
        raise ValueError(f"population_f needs at least three age groups, got shape {Pf.shape}")
    Pf = _as("population_f", Pf, k)
    Lf = _as("lx_f", lx_f, k, open_inf=True)
    f = _as("asfr", asfr, k)
    Nf = np.zeros(k) if net_migrants_f is None else _as("net_migrants_f", net_migrants_f, k)
    if np.any(Pf < 0) or np.any(f < 0) or np.any(Lf < 0):
        raise ValueError("populations, rates and person-years must not be negative")
    if srb <= 0 or radix <= 0:
        raise ValueError(f"srb and radix must be positive, got {srb}, {radix}")
    Pf1 = _survive(Pf, Lf, Nf)
    women = ((Pf + Nf / 2) + Pf1) / 2
    births_by_age = 5 * f * women
    B = float(births_by_age.sum())
    Bf = B / (1 + srb)
    Pf1[0] = Bf * Lf[0] / (5 * radix) + Nf[0] / 2
    Pm1 = None
    if population_m is not None:
        if lx_m is None:
            raise ValueError("a projection by sex needs lx_m")
        Pm = _as("population_m", population_m, k)
        Lm = _as("lx_m", lx_m, k, open_inf=True)
        Nm = np.zeros(k) if net_migrants_m is None else _as("net_migrants_m", net_migrants_m, k)
        if np.any(Pm < 0) or np.any(Lm < 0):
            raise ValueError("populations and person-years must not be negative")
        Pm1 = _survive(Pm, Lm, Nm)
        Pm1[0] = (B - Bf) * Lm[0] / (5 * radix) + Nm[0] / 2
    return ProjectionStep(population_f=Pf1, population_m=Pm1, births_by_age=births_by_age, births=B, births_f=Bf)


@dataclass(frozen=True)
class Projection:
    """A run of :func:`project`.

    Attributes
    ----------
    points : the five-year points: ``time`` (decimal year), ``step`` (0 =
        base), ``sex`` (1, 2), ``age`` (lower bound), ``population``.
    annual : ``year`` (calendar year of each anniversary of the base date up
        to the horizon, and the base), ``time``, ``sex``, ``population``
        (totals by sex, geometric interpolation between points).
    births : ``step``, ``time`` (start of the step), ``births`` over the five years.
    """

    points: pd.DataFrame
    annual: pd.DataFrame
    births: pd.DataFrame

    def total(self, year: int) -> float:
        """Both sexes at the anniversary of the base in ``year``."""
        a = self.annual
        return float(a.loc[a["year"] == year, "population"].sum())


def project(
    population_f: Any,
    lx_f: Any,
    asfr: Any,
    *,
    base_time: float,
    horizon: int,
    population_m: Any = None,
    lx_m: Any = None,
    srb: float = 1.05,
    net_migrants_f: Any = None,
    net_migrants_m: Any = None,
    fertility_factor: Callable[[int], float] | Sequence[float] | None = None,
    radix: float = 100_000,
) -> Projection:
    """Repeat :func:`project_step` from ``base_time`` until the horizon's anniversary is passed.

    Parameters
    ----------
    base_time : the base date as a decimal year (e.g. 2026.83 for 31 October 2026).
    horizon : the last calendar year of the annual figures.
    fertility_factor : multiplies ``asfr`` in step ``k`` (0-based): a
        function of ``k`` or a sequence; None keeps it constant.
    Other parameters as :func:`project_step` (migrants per five years).

    Examples
    --------
    >>> import numpy as np
    >>> p = project(np.full(3, 100.0), np.array([5.0, 5.0, 10.0]), np.zeros(3),
    ...             base_time=2026.0, horizon=2030, radix=1)
    >>> round(p.total(2026), 1), round(float(p.points.loc[p.points["step"] == 1, "population"].sum()), 1)
    (300.0, 233.3)
    >>> round(p.total(2030), 1)  # geometric between 300 (2026) and 233.3 (2031)
    245.4
    """
    if horizon < int(np.floor(base_time)):
        raise ValueError(f"horizon {horizon} is before the base {base_time}")
    base_year = int(np.floor(base_time))
    n_steps = max(int(np.ceil((horizon - base_year) / 5 - 1e-9)), 1)
    Pf = np.asarray(population_f, dtype=float)
    Pm = None if population_m is None else np.asarray(population_m, dtype=float)
    k = len(Pf)
    ages = 5 * np.arange(k)
    rows, brows = [], []

    def record(step: int, t: float, pf: np.ndarray, pm: np.ndarray | None) -> None:
        rows.append(pd.DataFrame({"time": t, "step": step, "sex": 2, "age": ages, "population": pf}))
        if pm is not None:
            rows.append(pd.DataFrame({"time": t, "step": step, "sex": 1, "age": ages, "population": pm}))

    record(0, base_time, Pf, Pm)
    f0 = np.asarray(asfr, dtype=float)
    for s in range(n_steps):
        if fertility_factor is None:
            fac = 1.0
        elif callable(fertility_factor):
            fac = float(fertility_factor(s))
        else:
            fac = float(fertility_factor[s])
        st = project_step(Pf, lx_f, f0 * fac, srb=srb, net_migrants_f=net_migrants_f, population_m=Pm,
                          lx_m=lx_m, net_migrants_m=net_migrants_m, radix=radix)
        brows.append({"step": s, "time": base_time + 5 * s, "births": st.births})
        Pf, Pm = st.population_f, st.population_m
        record(s + 1, base_time + 5 * (s + 1), Pf, Pm)
    points = pd.concat(rows, ignore_index=True)
    tot = points.groupby(["step", "time", "sex"], as_index=False)["population"].sum()
    years = np.arange(base_year, horizon + 1)
    times = base_time + (years - base_year)
    ann = []
    for sex, g in tot.groupby("sex"):
        t = g["time"].to_numpy()
        p = g["population"].to_numpy()
        i = np.clip(np.searchsorted(t, times, side="right") - 1, 0, len(t) - 2)
        frac = (times - t[i]) / 5
        with np.errstate(invalid="ignore", divide="ignore"):
            geo = p[i] * np.where(p[i] > 0, (p[i + 1] / np.where(p[i] > 0, p[i], 1)) ** frac, 0.0)
        lin = p[i] + (p[i + 1] - p[i]) * frac
        val = np.where((p[i] > 0) & (p[i + 1] > 0), geo, lin)
        ann.append(pd.DataFrame({"year": years, "time": times, "sex": sex, "population": val}))
    annual = pd.concat(ann, ignore_index=True)
    return Projection(points=points, annual=annual, births=pd.DataFrame(brows))
