"""Calibration: R's model-matrix keys, linear (GREG) and raking g-weights.

Population totals are keyed as R's ``model.matrix`` names its columns:
``"(Intercept)"`` for the population size, a numeric column's own name, and for a
categorical column ``c`` each level other than the first (sorted) as ``f"{c}{level}"``
(treatment coding, e.g. ``"stypeH"``). Without an intercept, the first categorical
column takes all its levels, as R's ``~ 0 + c`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

INTERCEPT = "(Intercept)"
METHODS = ("linear", "raking")


def is_categorical(s: pd.Series) -> bool:
    """True for text, object and pandas categorical columns (R's factors); bool is numeric."""
    return isinstance(s.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)
    )


def levels_of(s: pd.Series) -> list:
    """Levels of a categorical column: its categories, or the sorted distinct values."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(s.cat.categories)
    return sorted(pd.unique(s.dropna()), key=lambda v: str(v))


@dataclass(frozen=True)
class CalibrationStep:
    """One calibration, kept so that variances and replicate designs can redo it.

    ``X`` rows x p model matrix; ``totals`` the population totals (p); ``d`` the
    weights before the step; ``g`` the g-weights (new weights ``d * g``).
    """

    names: tuple[str, ...]
    X: np.ndarray
    totals: np.ndarray
    method: str
    d: np.ndarray
    g: np.ndarray


def model_matrix(data: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Columns of R's model matrix named by ``keys`` (see the module docstring).

    Raises
    ------
    ValueError
        A key naming no column or level, a categorical column coded other than by
        R's treatment coding, or missing values in a calibration variable.
    """
    n = len(data)
    has_intercept = INTERCEPT in keys
    cols: dict[str, np.ndarray] = {}
    used_cat: dict[str, list[str]] = {}
    for key in keys:
        if key == INTERCEPT:
            cols[key] = np.ones(n)
            continue
        if key in data.columns and not is_categorical(data[key]):
            v = pd.to_numeric(data[key], errors="raise").astype("float64").to_numpy()
            if np.isnan(v).any():
                raise ValueError(f"calibration variable {key!r} has missing values")
            cols[key] = v
            continue
        cands = [c for c in data.columns if isinstance(c, str) and key.startswith(c) and is_categorical(data[c])]
        match = None
        for c in sorted(cands, key=len, reverse=True):
            lev = {str(x): x for x in levels_of(data[c])}
            if key[len(c):] in lev:
                match = (c, key[len(c):])
                break
        if match is None:
            raise ValueError(
                f"calibration key {key!r} names no numeric column and no level of a categorical column "
                f"(R's model-matrix names: '(Intercept)', a numeric column, or column+level such as 'stypeH')")
        c, lev_s = match
        s = data[c]
        if s.isna().any():
            raise ValueError(f"calibration variable {c!r} has missing values")
        cols[key] = (s.astype("string") == lev_s).to_numpy(dtype="float64", na_value=0.0)
        used_cat.setdefault(c, []).append(lev_s)
    first_full = None if has_intercept else (next(iter(used_cat)) if used_cat else None)
    for c, given in used_cat.items():
        levs = [str(x) for x in levels_of(data[c])]
        expected = levs if c == first_full else levs[1:]
        if sorted(given) != sorted(expected):
            raise ValueError(
                f"calibration on {c!r} needs the keys {[c + x for x in expected]} (R's treatment coding: "
                f"{'all levels without an intercept' if c == first_full else 'every level but the first, ' + repr(levs[0])}), "
                f"got {[c + x for x in given]}")
    return np.column_stack([cols[k] for k in keys]) if keys else np.empty((n, 0))


def _solve(M: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(M, r, rcond=None)[0]


def g_weights(X: np.ndarray, d: np.ndarray, totals: np.ndarray, *, method: str = "linear",
              max_iter: int = 100, tol: float = 1e-10) -> np.ndarray:
    """g-weights so that ``X.T @ (d * g) == totals``.

    ``linear``: ``g = 1 + X @ lam`` (GREG, one exact step). ``raking``:
    ``g = exp(X @ lam)`` by Newton's method (the raking ratio / multiplicative
    calibration of Deville and Särndal 1992, R's ``calfun="raking"``).

    Examples
    --------
    >>> X = np.array([[1.0, 0], [1, 1], [1, 1]]); d = np.array([2.0, 2, 2])
    >>> g = g_weights(X, d, np.array([9.0, 5]))
    >>> (X.T @ (d * g)).round(6).tolist()
    [9.0, 5.0]
    """
    if method not in METHODS:
        raise ValueError(f"calibration method must be one of {METHODS}, got {method!r}")
    if method == "linear":
        M = X.T @ (X * d[:, None])
        lam = _solve(M, totals - X.T @ d)
        return 1.0 + X @ lam
    lam = np.zeros(X.shape[1])
    scale = np.maximum(np.abs(totals), 1.0)
    for _ in range(max_iter):
        g = np.exp(np.clip(X @ lam, -700, 700))
        r = totals - X.T @ (d * g)
        if np.max(np.abs(r) / scale) < tol:
            return g
        lam = lam + _solve(X.T @ (X * (d * g)[:, None]), r)
    raise ValueError(f"raking did not converge in {max_iter} iterations (are the totals attainable?)")


def g_weights_batch(X: np.ndarray, D: np.ndarray, totals: np.ndarray, *, method: str = "linear",
                    max_iter: int = 100, tol: float = 1e-10) -> np.ndarray:
    """:func:`g_weights` for every column of ``D`` (rows x replicates) at once."""
    p = X.shape[1]
    if method == "linear":
        M = np.einsum("ip,ir,iq->rpq", X, D, X)
        rhs = (totals[:, None] - X.T @ D).T                  # R x p
        lam = _batch_solve(M, rhs)
        return 1.0 + X @ lam.T
    lam = np.zeros((D.shape[1], p))
    scale = np.maximum(np.abs(totals), 1.0)
    for _ in range(max_iter):
        G = np.exp(np.clip(X @ lam.T, -700, 700))
        DG = D * G
        r = (totals[:, None] - X.T @ DG).T
        if np.max(np.abs(r) / scale) < tol:
            return G
        lam = lam + _batch_solve(np.einsum("ip,ir,iq->rpq", X, DG, X), r)
    raise ValueError(f"raking of the replicates did not converge in {max_iter} iterations")


def _batch_solve(M: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    pinv = np.linalg.pinv(M)                                 # R x p x p, tolerant of rank deficiency
    return np.einsum("rpq,rq->rp", pinv, rhs)


def calibration_step(data: pd.DataFrame, population: Mapping[str, float], d: np.ndarray, *,
                     method: str = "linear") -> CalibrationStep:
    """Build and solve one calibration of weights ``d`` to ``population``."""
    if not population:
        raise ValueError("calibration needs at least one population total")
    keys = [str(k) for k in population]
    totals = np.array([float(population[k]) for k in population])
    if not np.isfinite(totals).all():
        raise ValueError("population totals must be finite numbers")
    X = model_matrix(data, keys)
    g = g_weights(X, d, totals, method=method)
    return CalibrationStep(tuple(keys), X, totals, method, d, g)
