"""Connected components of accepted pairs: one cluster id per real person."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["connected_components"]


def connected_components(ids: pd.Series, pairs: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Cluster records linked by pairs at or above ``threshold``.

    Parameters
    ----------
    ids : every record id (each gets a cluster, singletons included).
    pairs : person_id_l, person_id_r, match_probability.
    threshold : match probability at or above which a pair joins two records.

    Returns
    -------
    DataFrame person_id, cluster_id, cluster_size, sorted by person_id; the
    cluster id is the smallest person_id of the cluster, so it is stable from
    run to run and readable.

    Examples
    --------
    >>> pairs = pd.DataFrame({"person_id_l": ["b", "c"], "person_id_r": ["c", "d"],
    ...                       "match_probability": [0.99, 0.2]})
    >>> connected_components(pd.Series(["a", "b", "c", "d"]), pairs, 0.9)["cluster_id"].tolist()
    ['a', 'b', 'b', 'd']
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as cc

    uniq = pd.Index(pd.unique(ids.astype("string").dropna())).sort_values()
    n = len(uniq)
    if n == 0:
        return pd.DataFrame(
            {"person_id": pd.Series(dtype="string"), "cluster_id": pd.Series(dtype="string"),
             "cluster_size": pd.Series(dtype="int64")}
        )
    acc = pairs[pairs["match_probability"] >= threshold]
    li = uniq.get_indexer(acc["person_id_l"].astype("string"))
    ri = uniq.get_indexer(acc["person_id_r"].astype("string"))
    ok = (li >= 0) & (ri >= 0)
    graph = coo_matrix((np.ones(ok.sum(), dtype=np.int8), (li[ok], ri[ok])), shape=(n, n))
    _, labels = cc(graph, directed=False)
    # smallest member (uniq is sorted, so the first position seen) names the cluster
    first = pd.Series(np.arange(n)).groupby(labels).transform("min").to_numpy()
    out = pd.DataFrame({"person_id": uniq.astype("string"), "cluster_id": uniq[first].astype("string")})
    out["cluster_size"] = out.groupby("cluster_id")["person_id"].transform("size").astype("int64")
    return out.reset_index(drop=True)
