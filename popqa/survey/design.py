"""Survey designs and design-based estimators (means, totals, ratios, proportions).

The estimators follow R's ``survey`` package (Lumley): Horvitz-Thompson totals,
Taylor-linearised variances summed over the stages of a multistage stratified
design (with replacement at stage 1 unless an fpc is given), domains by zero
weights, calibration-aware variances, and jackknife replicate designs
(:mod:`popqa.survey.replicate`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from popqa.survey._variance import Stage, taylor_variance
from popqa.survey.calibration import CalibrationStep, calibration_step, is_categorical, levels_of

LONELY_PSU = ("adjust", "remove", "certainty", "fail")
_OUT = ["estimate", "se", "ci_low", "ci_high", "deff", "n"]


class LonelyPSUWarning(UserWarning):
    """A stratum has a single sampled PSU; its variance term is adjusted as R's ``"adjust"``."""


@dataclass(frozen=True)
class Estimate:
    """One design-based estimate.

    Attributes
    ----------
    estimate : the point estimate.
    se : its standard error.
    ci_low, ci_high : the confidence interval (normal quantile for means, totals
        and ratios as R's ``confint``; logit interval with the design's degrees of
        freedom for proportions as R's ``svyciprop``).
    deff : design effect (Kish), against simple random sampling without replacement
        of the same number of units, as R's ``deff=TRUE``.
    n : sampled rows that entered the estimate (non-zero weight, not missing).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    deff: float
    n: int


def _as_list(v: str | Sequence[str] | None) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [v]
    return list(v)


def _codes(frame: pd.DataFrame) -> np.ndarray:
    """Dense integer codes of the distinct rows of ``frame`` (no missing values)."""
    if frame.shape[1] == 1:
        return pd.factorize(frame.iloc[:, 0], sort=True)[0].astype(np.int64)
    return frame.groupby(list(frame.columns), sort=True, observed=True).ngroup().to_numpy(np.int64)


def _combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Codes of the pairs (a, b), ordered by a then b (both non-negative int codes)."""
    key = a.astype(np.int64) * (int(b.max()) + 1) + b   # < n * n: no overflow for int64 codes
    return np.unique(key, return_inverse=True)[1].ravel().astype(np.int64)


def _column(data: pd.DataFrame, col: str, what: str) -> pd.Series:
    if not isinstance(col, str) or col not in data.columns:
        raise ValueError(f"{what} column {col!r} is not in the data")
    return data[col]


class _Estimators:
    """Estimators shared by the linearised and the replicate designs."""

    _data: pd.DataFrame
    _w: np.ndarray
    _domain: np.ndarray

    # -- hooks -------------------------------------------------------------------------
    def _variance(self, Ma: sp.csr_matrix, Mb: sp.csr_matrix | None, theta: np.ndarray,
                  B: np.ndarray, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _degf(self, Dm: sp.csr_matrix, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # -- public estimators -------------------------------------------------------------
    @property
    def data(self) -> pd.DataFrame:
        """The design's data (index reset to 0..n-1)."""
        return self._data

    @property
    def weights(self) -> np.ndarray:
        """Analysis weights (after any calibration); zero outside the domain."""
        return self._w * self._domain

    def mean(self, col: str, *, by: str | Sequence[str] | None = None, na_rm: bool = False,
             level: float = 0.95) -> Estimate | pd.DataFrame:
        """Design-based mean of ``col`` (R's ``svymean``), or one per category / group.

        A categorical column gives the share of each level (R's factor handling).

        Examples
        --------
        >>> d = Design(pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 1, 2, 2]}), weights="w")
        >>> round(d.mean("y").estimate, 4)
        2.8333
        """
        return self._estimate("mean", col, None, by, na_rm, level)

    def total(self, col: str, *, by: str | Sequence[str] | None = None, na_rm: bool = False,
              level: float = 0.95) -> Estimate | pd.DataFrame:
        """Design-based (Horvitz-Thompson) total of ``col`` (R's ``svytotal``).

        Examples
        --------
        >>> d = Design(pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 1, 2, 2]}), weights="w")
        >>> d.total("y").estimate
        17.0
        """
        return self._estimate("total", col, None, by, na_rm, level)

    def ratio(self, numerator: str, denominator: str, *, by: str | Sequence[str] | None = None,
              na_rm: bool = False, level: float = 0.95) -> Estimate | pd.DataFrame:
        """Ratio of two estimated totals (R's ``svyratio``), numeric columns only.

        Examples
        --------
        >>> d = Design(pd.DataFrame({"y": [1.0, 2, 3, 4], "x": [2.0, 2, 2, 2], "w": 1.0}), weights="w")
        >>> d.ratio("y", "x").estimate
        1.25
        """
        return self._estimate("ratio", numerator, denominator, by, na_rm, level)

    def proportion(self, col: str, *, by: str | Sequence[str] | None = None, na_rm: bool = False,
                   level: float = 0.95, df: float | None = None) -> Estimate | pd.DataFrame:
        """Proportion with a logit interval (R's ``svyciprop(method="logit")``).

        ``col`` is a 0/1 or boolean column (the share of ones), or a categorical
        column (the share of each level). The interval is
        ``expit(logit(p) +- t * se / (p (1 - p)))`` with ``t`` the Student quantile
        on the design's degrees of freedom (PSUs minus strata among the rows with
        non-zero weight, R's ``degf``), or on ``df`` when given (``numpy.inf`` for
        the normal quantile). A proportion of exactly 0 or 1 has no logit interval
        (NaN bounds), as in R.

        Examples
        --------
        >>> d = Design(pd.DataFrame({"y": [1, 0, 0, 1, 1, 0, 1, 1], "w": 1.0}), weights="w")
        >>> e = d.proportion("y")
        >>> round(e.estimate, 3), e.ci_low < e.estimate < e.ci_high
        (0.625, True)
        """
        return self._estimate("proportion", col, None, by, na_rm, level, df=df)

    # -- the one estimation path -------------------------------------------------------
    def _estimate(self, kind: str, col: str, den: str | None, by: Any, na_rm: bool, level: float,
                  df: float | None = None) -> Estimate | pd.DataFrame:
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level!r}")
        data = self._data
        n = len(data)
        w = self._w * self._domain
        by_cols = _as_list(by)
        for bc in by_cols:
            _column(data, bc, "by")
        y = _column(data, col, "estimate")
        categorical = is_categorical(y)
        if kind == "ratio":
            x = _column(data, den, "denominator")  # type: ignore[arg-type]
            if categorical or is_categorical(x):
                raise ValueError("ratio needs numeric numerator and denominator columns")
            xv = pd.to_numeric(x, errors="raise").astype("float64").to_numpy()
        # groups
        g = np.zeros(n, dtype=np.int64)
        labels: pd.Index | None = None
        if by_cols:
            keys = data[by_cols]
            ok = keys.notna().all(axis=1).to_numpy()
            g = np.full(n, -1, dtype=np.int64)
            grouped = keys[ok].groupby(by_cols, sort=True, observed=True)
            g[ok] = grouped.ngroup().to_numpy(np.int64)
            labels = grouped.size().index
            G = len(labels)
        else:
            G = 1
        g[~self._domain] = -1
        # values
        if categorical:
            levs = levels_of(y)
            code = pd.Categorical(y, categories=levs).codes.astype(np.int64)
            na = code < 0
            L = len(levs)
        else:
            yv = pd.to_numeric(y, errors="raise").astype("float64").to_numpy()
            na = np.isnan(yv)
            L = 1
            if kind == "proportion":
                ok01 = np.isin(yv[~na], (0.0, 1.0))
                if not ok01.all():
                    raise ValueError(f"proportion of {col!r} needs a 0/1 or boolean column (or a categorical one)")
        if kind == "ratio":
            na = na | np.isnan(xv)
        if na_rm:
            g[na] = -1
        rows = np.flatnonzero(g >= 0)
        bad_groups = np.unique(g[rows[na[rows]]]) if not na_rm else np.array([], dtype=np.int64)
        K = G * L
        # the membership (Dm), numerator (Ma) and denominator (Mb) matrices, rows x K
        if categorical:
            r = np.repeat(rows, L)
            lv = np.tile(np.arange(L), len(rows))
            cols = g[r] * L + lv
            a = (code[r] == lv).astype("float64")
            b = np.ones(len(r))
        else:
            r, cols = rows, g[rows]
            a = np.nan_to_num(yv[rows], nan=0.0)
            b = np.nan_to_num(xv[rows], nan=0.0) if kind == "ratio" else np.ones(len(rows))
        shape = (n, K)
        Dm = sp.csr_matrix((np.ones(len(r)), (r, cols)), shape=shape)
        Ma = sp.csr_matrix((a, (r, cols)), shape=shape)
        Mb = None if kind == "total" else sp.csr_matrix((b, (r, cols)), shape=shape)
        psum = np.asarray(Dm.T @ w).ravel()
        nobs = np.asarray(Dm.T @ (w > 0).astype("float64")).ravel()
        A = np.asarray(Ma.T @ w).ravel()
        if kind == "total":
            theta = A
            B = np.ones(K)
        else:
            B = np.asarray(Mb.T @ w).ravel()  # type: ignore[union-attr]
            with np.errstate(divide="ignore", invalid="ignore"):
                theta = np.where(B != 0, A / np.where(B != 0, B, 1.0), np.nan)
        var = self._variance(Ma, Mb, theta, B, w)
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.sqrt(var)
            # design effect: against SRS without replacement of nobs units (R's deff=TRUE)
            th = np.nan_to_num(theta)[cols]
            u = a if kind == "total" else (a - th * b) / np.where(B != 0, B, 1.0)[cols]
            wr = w[r]
            su = np.bincount(cols, wr * u, minlength=K)
            su2 = np.bincount(cols, wr * u * u, minlength=K)
            s2 = (su2 - su * su / psum) / psum * nobs / (nobs - 1)
            vsrs = s2 * psum * psum * (psum - nobs) / (psum * nobs)
            deff = np.where((vsrs > 0) & (psum >= nobs), var / vsrs, np.nan)
        if kind == "proportion":
            dfs = np.full(K, np.inf) if df is not None and np.isinf(df) else (
                np.full(K, float(df)) if df is not None else self._degf(Dm, w))
            lo, hi = _logit_ci(theta, se, dfs, level)
        else:
            zq = stats.norm.ppf(0.5 + level / 2)
            lo, hi = theta - zq * se, theta + zq * se
        out = np.column_stack([theta, se, lo, hi, deff]).astype("float64")
        if kind == "total":   # a total over an empty domain is 0, known exactly (as R)
            out[nobs == 0] = [0.0, 0.0, 0.0, 0.0, np.nan]
        else:                 # a mean, ratio or share over an empty domain does not exist
            out[(nobs == 0) | (B == 0)] = np.nan
        if len(bad_groups):
            mask = np.isin(np.arange(K) // L, bad_groups)
            out[mask] = np.nan
        frame = pd.DataFrame(out, columns=_OUT[:5])
        frame["n"] = nobs.astype(np.int64)
        if not by_cols and not categorical:
            r0 = frame.iloc[0]
            return Estimate(float(r0["estimate"]), float(r0["se"]), float(r0["ci_low"]),
                            float(r0["ci_high"]), float(r0["deff"]), int(r0["n"]))
        if by_cols:
            assert labels is not None
            if categorical:
                lab = labels.to_frame(index=False)
                lab = lab.loc[lab.index.repeat(L)].reset_index(drop=True)
                lab[col] = np.tile(np.asarray(levs, dtype=object), G)
                frame.index = pd.MultiIndex.from_frame(lab)
            else:
                frame.index = labels
        else:
            frame.index = pd.Index(levs, name=col)
        return frame


def _logit_ci(p: np.ndarray, se: np.ndarray, df: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(np.isinf(df), stats.norm.ppf(0.5 + level / 2),
                     stats.t.ppf(0.5 + level / 2, np.where(df > 0, df, np.nan)))
        inside = (p > 0) & (p < 1)
        eta = np.log(p / (1 - p))
        half = q * se / (p * (1 - p))
        lo = np.where(inside, 1 / (1 + np.exp(-(eta - half))), np.nan)
        hi = np.where(inside, 1 / (1 + np.exp(-(eta + half))), np.nan)
    return lo, hi


class Design(_Estimators):
    """A (multistage, stratified) survey design, as R's ``svydesign``.

    Parameters
    ----------
    data : one row per sampled unit.
    ids : None (each row is its own PSU, R's ``id=~1``), a column, or a list of
        columns for a multistage design, outermost first. Clusters are taken within
        strata and within their parent cluster (R's ``nest=TRUE``).
    strata : None or the stage-1 stratum column.
    weights : None or the sampling-weight column. When None and ``fpc`` is given the
        weights are implied by it (population over sample size at each stage); when
        neither is given every weight is 1 (with a warning, as R).
    fpc : None, a column, or a list of columns (one per stage): the population size
        of the stratum (stage 1) or of the parent cluster (later stages), or the
        sampling fraction when every value is at most 1. Without an fpc stage 1 is
        treated as sampled with replacement; the stage-2 (and deeper) term enters
        only when every stage down to it has an fpc, as in R.
    lonely_psu : what a stratum with one sampled PSU contributes: ``"adjust"`` (the
        default: its PSU total deviates from the grand mean, zero, as R's
        ``survey.lonely.psu="adjust"``, with a :class:`LonelyPSUWarning`),
        ``"remove"``/``"certainty"`` (nothing) or ``"fail"`` (ValueError).

    Examples
    --------
    >>> df = pd.DataFrame({"s": ["a", "a", "b", "b"], "y": [1.0, 3, 5, 9], "w": [2.0, 2, 3, 3]})
    >>> d = Design(df, strata="s", weights="w")
    >>> e = d.mean("y")
    >>> round(e.estimate, 3), round(e.se, 3)
    (5.0, 1.265)
    """

    def __init__(self, data: pd.DataFrame, *, ids: str | Sequence[str] | None = None,
                 strata: str | None = None, weights: str | None = None,
                 fpc: str | Sequence[str] | None = None, lonely_psu: str = "adjust") -> None:
        if not isinstance(data, pd.DataFrame):
            raise ValueError("data must be a pandas DataFrame")
        if lonely_psu not in LONELY_PSU:
            raise ValueError(f"lonely_psu must be one of {LONELY_PSU}, got {lonely_psu!r}")
        data = data.reset_index(drop=True)
        n = len(data)
        if n == 0:
            raise ValueError("a survey design needs at least one row")
        id_cols = _as_list(ids)
        fpc_cols = _as_list(fpc)
        if len(fpc_cols) > max(1, len(id_cols)):
            raise ValueError(f"fpc has {len(fpc_cols)} columns but the design has {max(1, len(id_cols))} stage(s)")
        for c in id_cols:
            if _column(data, c, "ids").isna().any():
                raise ValueError(f"missing values in the ids column {c!r}")
        if strata is not None and _column(data, strata, "strata").isna().any():
            raise ValueError(f"missing values in the strata column {strata!r}")
        stratum = _codes(data[[strata]]) if strata is not None else np.zeros(n, dtype=np.int64)
        # cluster paths per stage: (stratum, id1, ..., ids)
        paths: list[np.ndarray] = []
        prev = stratum
        stage_ids: list[str | None] = list(id_cols) or [None]
        for sid in stage_ids:
            idc = _codes(data[[sid]]) if sid is not None else np.arange(n, dtype=np.int64)
            prev = _combine(prev, idc)
            paths.append(prev)
        n_stages = len(paths)
        stage_strata = [stratum] + paths[:-1]   # later stages: stratified by the parent cluster
        # sample sizes (clusters per stage stratum), per row
        sampsize = []
        for s in range(n_stages):
            C = int(paths[s].max()) + 1
            cl_str = np.zeros(C, dtype=np.int64)
            cl_str[paths[s]] = stage_strata[s]
            nh = np.bincount(cl_str, minlength=int(stage_strata[s].max()) + 1)
            sampsize.append(nh[stage_strata[s]].astype("float64"))
        # population sizes
        popsize: list[np.ndarray] = []
        if fpc_cols:
            raw = [pd.to_numeric(_column(data, c, "fpc"), errors="raise").astype("float64").to_numpy()
                   for c in fpc_cols]
            allv = np.concatenate(raw)
            if np.isnan(allv).any():
                raise ValueError("missing values in fpc")
            if (allv <= 0).any():
                raise ValueError("fpc values must be positive (population sizes or sampling fractions)")
            is_pop = bool((allv > 1).any())
            if is_pop and (allv < 1).any():
                raise ValueError("fpc must be all population sizes (>= 1) or all sampling fractions (<= 1)")
            for s, v in enumerate(raw):
                N = v if is_pop else sampsize[s] / v
                if (N < sampsize[s] - 1e-9).any():
                    i = int(np.flatnonzero(N < sampsize[s] - 1e-9)[0])
                    raise ValueError(f"fpc implies more than 100% sampling at stage {s + 1} (row {i}: "
                                     f"population {N[i]:g}, sample {sampsize[s][i]:g})")
                nunique = pd.Series(N).groupby(stage_strata[s]).nunique()
                if (nunique > 1).any():
                    warnings.warn(f"fpc varies within a stratum at stage {s + 1}", UserWarning, stacklevel=2)
                popsize.append(N)
        # weights
        if weights is not None:
            wv = pd.to_numeric(_column(data, weights, "weights"), errors="raise").astype("float64").to_numpy()
            if np.isnan(wv).any():
                raise ValueError(f"missing values in the weights column {weights!r}")
            if (wv < 0).any() or not np.isfinite(wv).all():
                raise ValueError("weights must be finite and non-negative")
        elif popsize:
            wv = np.prod([popsize[s] / sampsize[s] for s in range(len(popsize))], axis=0)
        else:
            warnings.warn("no weights or fpc given: assuming equal probability (weight 1)", UserWarning, stacklevel=2)
            wv = np.ones(n)
        self._data = data
        self._w = wv
        self._w0 = wv
        self._domain = np.ones(n, dtype=bool)
        self._cal: tuple[CalibrationStep, ...] = ()
        self._lonely_psu = lonely_psu
        self._stage_rows = (paths, stage_strata, sampsize, popsize)
        self._stages, lonely = self._build_stages(paths, stage_strata, sampsize, popsize, lonely_psu)
        self._psu = paths[0]
        self._stratum = stratum
        self._has_strata = strata is not None
        self._fpc1 = popsize[0] if popsize else None
        self._spec = {"ids": id_cols, "strata": strata, "weights": weights, "fpc": fpc_cols}
        if lonely:
            msg = (f"{len(lonely)} stratum/strata with a single sampled PSU ({', '.join(lonely[:5])}"
                   f"{', ...' if len(lonely) > 5 else ''})")
            if lonely_psu == "fail":
                raise ValueError(msg)
            warnings.warn(msg + f": variance handled as R's survey.lonely.psu='{lonely_psu}'",
                          LonelyPSUWarning, stacklevel=2)

    @staticmethod
    def _build_stages(paths, stage_strata, sampsize, popsize, lonely_psu):
        stages = []
        lonely: list[str] = []
        mult = np.ones(len(paths[0]))
        for s in range(len(paths)):
            if s > 0 and len(popsize) < s + 1:
                break                       # a later stage enters only with an fpc at it and above
            C = int(paths[s].max()) + 1
            H = int(stage_strata[s].max()) + 1
            cl_str = np.zeros(C, dtype=np.int64)
            cl_str[paths[s]] = stage_strata[s]
            first = np.unique(stage_strata[s], return_index=True)[1]
            nh = sampsize[s][first]
            if len(popsize) > s:
                Nh = popsize[s][first]
                f = np.where(np.isinf(Nh), 1.0, (Nh - nh) / Nh)
            else:
                f = np.ones(H)
            m = mult[first]
            is_lonely = (nh == 1) & (f > 1e-7)
            with np.errstate(divide="ignore", invalid="ignore"):
                coef = np.where(nh > 1, m * f * nh / (nh - 1), 0.0)
            if lonely_psu == "adjust":
                coef = np.where(is_lonely, m * f, coef)
            center = np.where(is_lonely, 0.0, 1.0 / nh)
            stages.append(Stage(paths[s], cl_str, C, H, coef, center))
            if s == 0:
                lonely += [f"stratum {i + 1}" for i in np.flatnonzero(is_lonely)]
            else:
                lonely += [f"stage {s + 1} within cluster {i + 1}" for i in np.flatnonzero(is_lonely)]
            if len(popsize) <= s:
                break
            mult = mult * sampsize[s] / popsize[s]
        return stages, lonely

    # -- structure ---------------------------------------------------------------------
    def _copy(self, **changes: Any) -> Design:
        new = object.__new__(Design)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        return new

    @property
    def n(self) -> int:
        """Number of sampled rows (including rows outside the domain)."""
        return len(self._data)

    @property
    def degf(self) -> int:
        """Design degrees of freedom: PSUs minus strata among rows with non-zero weight (R's ``degf``)."""
        inset = self.weights != 0
        return int(len(np.unique(self._psu[inset])) - len(np.unique(self._stratum[inset])))

    def subset(self, mask: Any) -> Design:
        """The domain where ``mask`` is true, estimated on the full design (zero weights outside).

        Never a re-designed subset: strata and PSUs without a domain member still count,
        as R's ``subset`` of a survey design.

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "g": ["a", "a", "b", "b"]})
        >>> Design(df.assign(w=1.0), weights="w").subset(df["g"] == "b").mean("y").estimate
        3.5
        """
        m = pd.Series(mask).fillna(False).to_numpy(dtype=bool) if not isinstance(mask, np.ndarray) else mask.astype(bool)
        if len(m) != self.n:
            raise ValueError(f"subset mask has {len(m)} values for a design of {self.n} rows")
        return self._copy(_domain=self._domain & m)

    def poststratify(self, col: str, population: Mapping[Any, float]) -> Design:
        """Post-stratify on the categories of ``col`` to the population counts (R's ``postStratify``).

        Every sampled category needs a population count and every category with a
        count must be sampled. Variances account for the post-stratification.

        Examples
        --------
        >>> df = pd.DataFrame({"s": ["a", "a", "b"], "y": [1.0, 3, 8]})
        >>> Design(df.assign(w=1.0), weights="w").poststratify("s", {"a": 10, "b": 30}).total("y").estimate
        260.0
        """
        s = _column(self._data, col, "post-stratum")
        if s.isna().any():
            raise ValueError(f"missing values in the post-stratum column {col!r}")
        keys = {str(k): k for k in population}
        sv = s.astype("string")
        seen = set(sv[self._domain].unique())
        missing = sorted(seen - set(keys))
        if missing:
            raise ValueError(f"no population count for the sampled categories {missing} of {col!r}")
        empty = sorted(k for k in keys if k not in seen)
        if empty:
            raise ValueError(f"categories {empty} of {col!r} have a population count but no sampled unit")
        X = np.column_stack([(sv == k).to_numpy(dtype="float64", na_value=0.0) for k in keys])
        totals = np.array([float(population[keys[k]]) for k in keys])
        d = self._w * self._domain
        from popqa.survey.calibration import g_weights
        g = g_weights(X, d, totals, method="linear")
        step = CalibrationStep(tuple(f"{col}{k}" for k in keys), X, totals, "linear", d, g)
        return self._copy(_w=d * g, _cal=self._cal + (step,))

    def calibrate(self, population: Mapping[str, float], *, method: str = "linear") -> Design:
        """Calibrate the weights to population totals (R's ``calibrate``).

        Parameters
        ----------
        population : totals keyed as R's model-matrix columns: ``"(Intercept)"`` for
            the population size, a numeric column's name for its total, and
            ``f"{c}{level}"`` for each level but the first (sorted) of a categorical
            column ``c`` (e.g. ``{"(Intercept)": 6194, "stypeH": 755, "stypeM": 1018}``).
        method : ``"linear"`` (GREG, R's default ``calfun="linear"``) or ``"raking"``.

        Variances use the residuals of the calibration regression, as R's.

        Examples
        --------
        >>> df = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [2.0, 4, 5, 9]})
        >>> d = Design(df.assign(w=10.0), weights="w").calibrate({"(Intercept)": 40, "x": 120})
        >>> round(d.total("x").estimate, 6), round(d.total("x").se, 6)
        (120.0, 0.0)
        """
        d = self._w * self._domain
        step = calibration_step(self._data, population, d, method=method)
        return self._copy(_w=d * step.g, _cal=self._cal + (step,))

    def jackknife(self, *, mse: bool = False):
        """A jackknife replicate design (R's ``as.svrepdesign``).

        JK1 (delete one PSU, the others weighted by n/(n-1), variance scale
        (n-1)/n times the stage-1 finite population factor) for an unstratified
        design; JKn (delete one PSU within its stratum, per-stratum scales
        (n_h-1)/n_h times the factor) for a stratified one. Calibrations and
        post-stratifications are redone on every replicate. ``mse=True`` centres
        the replicates on the full-sample estimate instead of their mean.

        Examples
        --------
        >>> df = pd.DataFrame({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2, 3, 4, 5, 7]})
        >>> r = Design(df.assign(w=1.0), ids="psu", weights="w").jackknife()
        >>> round(r.mean("y").estimate, 4)
        3.6667
        """
        from popqa.survey.replicate import ReplicateDesign
        return ReplicateDesign._from_design(self, mse=mse)

    # -- variance ----------------------------------------------------------------------
    def _variance(self, Ma, Mb, theta, B, w):
        th = np.nan_to_num(theta)
        Bs = np.where(B != 0, B, 1.0)
        if Mb is None:
            Z = Ma.multiply(w[:, None]).tocsr()
        else:
            Z = ((Ma - Mb @ sp.diags(th)) @ sp.diags(1.0 / Bs)).multiply(w[:, None]).tocsr()
        F = B_ = None
        if self._cal:
            Fs, Bs_ = [], []
            for step in self._cal:
                gsafe = np.where(step.g != 0, step.g, 1.0)
                Xg = step.X / gsafe[:, None]
                XtZ = np.asarray((Z.T @ Xg).T)                           # p x K
                for Fi, Bi in zip(Fs, Bs_, strict=True):
                    XtZ = XtZ - (Xg.T @ Fi) @ Bi
                M = step.X.T @ (step.X * step.d[:, None])
                Bj = np.linalg.pinv(M) @ XtZ
                Fs.append(step.X * (step.d * step.g)[:, None])
                Bs_.append(Bj)
            F = np.hstack(Fs)
            B_ = np.vstack(Bs_)
        return taylor_variance(Z, self._stages, F, B_)

    def _degf(self, Dm, w):
        inset = (w != 0).astype("float64")
        Din = Dm.multiply(inset[:, None]).tocsc()
        P = sp.csr_matrix((np.ones(self.n), (self._psu, np.arange(self.n))))
        S = sp.csr_matrix((np.ones(self.n), (self._stratum, np.arange(self.n))))
        npsu = np.asarray(((P @ Din) > 0).sum(axis=0)).ravel()
        nstr = np.asarray(((S @ Din) > 0).sum(axis=0)).ravel()
        return (npsu - nstr).astype("float64")
