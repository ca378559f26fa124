"""Jackknife replicate designs (R ``survey``'s ``as.svrepdesign`` types JK1 and JKn).

The replicate weights are held as one dense rows x replicates matrix (one replicate
per PSU), so memory grows as rows times PSUs: meant for designs of up to a few
thousand PSUs. Estimates over all replicates are matrix products, never a Python
loop over replicates or domains.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from popqa.survey.calibration import g_weights_batch
from popqa.survey.design import Design, _Estimators


class ReplicateDesign(_Estimators):
    """A replicate-weights design built by :meth:`Design.jackknife`.

    Same estimators as :class:`~popqa.survey.design.Design` (``mean``, ``total``,
    ``ratio``, ``proportion``, with ``by=`` and ``subset``); the variance is
    ``scale * sum_r rscale_r (theta_r - centre)^2`` with the centre the mean of the
    replicates (or the full-sample estimate when ``mse=True``), as R's ``svrVar``.

    Attributes
    ----------
    type : ``"JK1"`` or ``"JKn"``.
    scale, rscales : the variance multipliers.
    mse : centring on the full-sample estimate.
    """

    type: str
    _W: np.ndarray
    scale: float
    rscales: np.ndarray
    mse: bool

    @classmethod
    def _from_design(cls, design: Design, *, mse: bool) -> ReplicateDesign:
        psu, stratum = design._psu, design._stratum
        w0 = design._w0
        first = np.unique(psu, return_index=True)[1]
        rpsu, rstr = psu[first], stratum[first]
        n_h = np.bincount(rstr)
        fpc = design._fpc1
        if not design._has_strata:
            n = len(rpsu)
            if n < 2:
                raise ValueError("a jackknife needs at least two PSUs")
            if fpc is not None:
                Ns = np.unique(fpc)
                if len(Ns) > 1:
                    raise ValueError("more than one stage-1 population size in an unstratified design")
                f = 1.0 if np.isinf(Ns[0]) else (Ns[0] - n) / Ns[0]
            else:
                f = 1.0
            factor = np.where(psu[:, None] == rpsu[None, :], 0.0, n / (n - 1))
            kind, scale, rscales = "JK1", f * (n - 1) / n, np.ones(n)
        else:
            if fpc is not None:
                Nh = fpc[first][np.unique(rstr, return_index=True)[1]]
                f_h = np.where(np.isinf(Nh), 1.0, (Nh - n_h) / Nh)
            else:
                f_h = np.ones(len(n_h))
            H = len(n_h)
            keep = (f_h[rstr] > 0) & (n_h[rstr] > 1)
            same_str = stratum[:, None] == rstr[None, keep]
            same_psu = psu[:, None] == rpsu[None, keep]
            nh = n_h[rstr[keep]].astype("float64")
            factor = np.where(same_str, np.where(same_psu, 0.0, nh / (nh - 1)), 1.0)
            rscales = f_h[rstr[keep]] * (nh - 1) / nh
            lonely = np.flatnonzero((n_h == 1) & (f_h > 0))
            if len(lonely) and design._lonely_psu == "adjust":
                if H < 2:
                    raise ValueError("a jackknife needs at least two strata to adjust a lonely PSU")
                extra = np.where(stratum[:, None] == lonely[None, :], 0.0, H / (H - 1))
                factor = np.hstack([factor, extra])
                rscales = np.concatenate([rscales, np.full(len(lonely), (H - 1) / H)])
            if factor.shape[1] == 0:
                raise ValueError("all strata were sampled exhaustively: there is no sampling variance")
            kind, scale = "JKn", 1.0
        W = w0[:, None] * factor
        for step in design._cal:
            D = W * (step.d != 0)[:, None]
            W = D * g_weights_batch(step.X, D, step.totals, method=step.method)
        new = object.__new__(cls)
        new._data = design._data
        new._w = design._w
        new._domain = design._domain
        new._W = W
        new.type = kind
        new.scale = float(scale)
        new.rscales = np.asarray(rscales, dtype="float64")
        new.mse = bool(mse)
        return new

    @property
    def n(self) -> int:
        """Number of sampled rows."""
        return len(self._data)

    @property
    def replicate_weights(self) -> np.ndarray:
        """Rows x replicates analysis weights (zero outside the domain)."""
        return self._W * self._domain[:, None]

    @property
    def degf(self) -> int:
        """Degrees of freedom: replicates minus one (R's rank of the replicate weights minus one)."""
        return int((self.rscales > 0).sum() - 1)

    def subset(self, mask: Any) -> ReplicateDesign:
        """The domain where ``mask`` is true (zero weights outside, full and replicate)."""
        m = pd.Series(mask).fillna(False).to_numpy(dtype=bool) if not isinstance(mask, np.ndarray) else mask.astype(bool)
        if len(m) != self.n:
            raise ValueError(f"subset mask has {len(m)} values for a design of {self.n} rows")
        new = object.__new__(ReplicateDesign)
        new.__dict__.update(self.__dict__)
        new._domain = self._domain & m
        return new

    def _variance(self, Ma, Mb, theta, B, w):
        Wd = self._W * self._domain[:, None]
        A = np.asarray(Ma.T @ Wd)                         # K x R
        if Mb is None:
            th = A
        else:
            Br = np.asarray(Mb.T @ Wd)
            with np.errstate(divide="ignore", invalid="ignore"):
                th = np.where(Br != 0, A / np.where(Br != 0, Br, 1.0), np.nan)
        use = self.rscales > 0
        with np.errstate(invalid="ignore"):
            centre = theta[:, None] if self.mse else np.nanmean(th[:, use], axis=1, keepdims=True)
            dev = (th - centre) ** 2 * self.rscales[None, :]
        return self.scale * np.nansum(dev, axis=1)

    def _degf(self, Dm, w):
        return np.full(Dm.shape[1], float(self.degf))
