"""Taylor-linearised variances of multistage stratified designs (R ``survey``'s ``svyrecvar``).

An estimate's influence values form a sparse matrix ``Z`` (rows x estimates). The
variance sums, over the stages of the design, each stratum's scaled sum of squares
of its clusters' totals about their mean. Calibration enters as a low-rank correction
``Z - F @ B`` (the residuals of the calibration regression), so a calibrated design
never materialises a dense rows x estimates matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: Cap on the cells of a dense clusters x estimates block (memory bound of the calibrated path).
_BLOCK_CELLS = 20_000_000


@dataclass(frozen=True)
class Stage:
    """One sampling stage, ready for the variance sum.

    ``cluster`` codes each row's cluster at this stage (its full path from the
    stratum down); ``cluster_stratum`` is each cluster's stage stratum; ``coef``
    the per-stratum multiplier (finite population factor times n/(n-1), times the
    sampling fractions of the earlier stages); ``center`` 1/n for ordinary strata,
    0 for a lonely PSU adjusted as R's ``survey.lonely.psu="adjust"``.
    """

    cluster: np.ndarray
    cluster_stratum: np.ndarray
    n_clusters: int
    n_strata: int
    coef: np.ndarray
    center: np.ndarray

    def incidence(self) -> sp.csr_matrix:
        """Clusters x rows indicator matrix."""
        n = len(self.cluster)
        return sp.csr_matrix((np.ones(n), (self.cluster, np.arange(n))), shape=(self.n_clusters, n))

    def strata_incidence(self) -> sp.csr_matrix:
        """Strata x clusters indicator matrix."""
        c = self.n_clusters
        return sp.csr_matrix((np.ones(c), (self.cluster_stratum, np.arange(c))), shape=(self.n_strata, c))


def _stage_var_sparse(stage: Stage, Z: sp.csr_matrix) -> np.ndarray:
    T = (stage.incidence() @ Z).tocsr()                     # cluster totals, clusters x K
    cvec = stage.coef[stage.cluster_stratum]
    first = np.asarray(T.multiply(T).T @ cvec).ravel()      # sum_h coef_h sum_c t^2
    S = (stage.strata_incidence() @ T).tocsr()              # stratum sums, strata x K
    second = np.asarray(S.multiply(S).T @ (stage.coef * stage.center)).ravel()
    return first - second


def _stage_var_dense(stage: Stage, Z: sp.csr_matrix, F: np.ndarray, B: np.ndarray) -> np.ndarray:
    P = stage.incidence()
    H = stage.strata_incidence()
    PF = np.asarray(P @ F)                                   # clusters x q
    K = Z.shape[1]
    step = max(1, _BLOCK_CELLS // max(stage.n_clusters, 1))
    cvec = stage.coef[stage.cluster_stratum]
    w2 = stage.coef * stage.center
    out = np.empty(K)
    Zc = Z.tocsc()
    for lo in range(0, K, step):                             # blocks of estimates bound memory
        hi = min(K, lo + step)
        T = np.asarray((P @ Zc[:, lo:hi]).todense()) - PF @ B[:, lo:hi]
        S = H @ T
        out[lo:hi] = cvec @ (T * T) - w2 @ (S * S)
    return out


def taylor_variance(
    Z: sp.csr_matrix,
    stages: list[Stage],
    F: np.ndarray | None = None,
    B: np.ndarray | None = None,
) -> np.ndarray:
    """Variance of each column of ``Z - F @ B`` under the design's stages.

    Parameters
    ----------
    Z : sparse rows x K influence values (weighted, already divided by the denominator).
    stages : the design's stages whose term enters (stage 1 always; later stages only
        when every earlier stage has a finite population correction, as in R).
    F, B : optional low-rank calibration correction (rows x q and q x K).
    """
    K = Z.shape[1]
    v = np.zeros(K)
    for stage in stages:
        if F is None or B is None or F.shape[1] == 0:
            v += _stage_var_sparse(stage, Z)
        else:
            v += _stage_var_dense(stage, Z, F, B)
    return np.maximum(v, 0.0)
