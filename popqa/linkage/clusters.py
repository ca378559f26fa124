"""Connected components of accepted pairs: one cluster id per real person."""

from __future__ import annotations

import numpy as np
import pandas as pd

from popqa import textkeys

__all__ = ["connected_components", "constrained_components", "dates_conflict"]


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

    uniq = _sorted_unique(ids)
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


def dates_conflict(a: str, b: str) -> bool:
    """Two birth dates, both known to the day (``YYYY-MM-DD``), that no slip of one date explains.

    The slips are those the model's birth-date levels know: day and month swapped, one year off
    (365 days, give or take 2), the same year and month, one character typed wrongly or two
    neighbouring ones swapped.

    Examples
    --------
    >>> dates_conflict("1962-02-16", "1962-07-10"), dates_conflict("1962-02-06", "1962-06-02")
    (True, False)
    >>> dates_conflict("1990-05-24", "1991-05-24"), dates_conflict("1990-05-24", "1990-05-02")
    (False, False)
    >>> dates_conflict("1990-05-24", "1909-05-24"), dates_conflict("1990-05-24", "1993-08-24")
    (False, True)
    """
    if a == b:
        return False
    if a[:7] == b[:7] or a == f"{b[:4]}-{b[8:10]}-{b[5:7]}":
        return False
    diff = [i for i in range(len(a)) if i >= len(b) or a[i] != b[i]]
    if len(a) == len(b) and (len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])):
        return False
    try:
        days = abs((pd.Timestamp(a) - pd.Timestamp(b)).days)
    except (ValueError, TypeError):
        return False
    return abs(days - 365) > 2


def constrained_components(ids: pd.Series, pairs: pd.DataFrame, threshold: float,
                           citizen_ids: pd.Series | None = None,
                           exact_dates: pd.Series | None = None) -> tuple[pd.DataFrame, pd.Index]:
    """Cluster records linked by pairs at or above ``threshold``, never joining what must stay apart.

    Connected components are transitive: A-B and B-C accepted put A and C in one
    person even when a merge rule blocked A-C (twins, two different citizen IDs).
    Here accepted pairs join clusters one at a time, most probable first, and a
    join is refused when the two clusters would then hold two different valid
    citizen IDs (``citizen_ids``: person_id -> a valid ID or missing) or a pair a
    merge rule blocked (``pairs["rule"]`` set), or two records both dated to the day
    (``exact_dates``: person_id -> ``YYYY-MM-DD`` or missing) whose dates no slip explains
    (:func:`dates_conflict`) unless that pair itself was accepted: a record dated to the year
    only can match two persons born that year, and must not make them one. A reviewer's match
    (``pairs["review"] == "match"``) is joined first and never refused. Refused
    pairs are returned by their row labels in ``pairs`` so the caller can send
    them to review.

    Returns
    -------
    (clusters, refused)
        clusters as :func:`connected_components` (same columns, cluster id the
        smallest member); refused: the index labels of the accepted pairs not joined.

    Examples
    --------
    >>> pairs = pd.DataFrame({"person_id_l": ["a", "b", "a"], "person_id_r": ["b", "c", "c"],
    ...                       "match_probability": [0.99, 0.98, 0.0], "rule": [None, None, "distinct_ids"]})
    >>> cl, refused = constrained_components(pd.Series(["a", "b", "c"]), pairs, 0.9)
    >>> cl["cluster_id"].tolist(), list(refused)
    (['a', 'a', 'c'], [1])
    """
    uniq = _sorted_unique(ids)
    if not len(uniq):
        return connected_components(ids, pairs, threshold), pd.Index([])
    acc = pairs[pairs["match_probability"] >= threshold]
    acc = acc.assign(_l=acc["person_id_l"].astype("string"), _r=acc["person_id_r"].astype("string"))
    # each end's position among the ids, found once (Arrow's hash table of the 3.38 M ids of a merged province
    # built once, not for each end and again for the clusters' members below)
    ends = pd.concat([acc["_l"], acc["_r"]], ignore_index=True)
    at = textkeys.positions(ends, uniq)
    n = len(acc)
    acc = acc[(at[:n] >= 0) & (at[n:] >= 0)]
    position = dict(zip(ends.to_numpy(dtype=object)[at >= 0], at[at >= 0].tolist(), strict=True))
    # a reviewer's "match" is joined first and unconditionally: the reviewer saw both records
    reviewed = (acc["review"] == "match").fillna(False).astype(bool) if "review" in acc.columns else False
    acc = acc.assign(_forced=reviewed).sort_values(["_forced", "match_probability", "_l", "_r"],
                                                   ascending=[False, False, True, True], kind="stable")
    cannot: dict[str, set[str]] = {}
    if "rule" in pairs.columns:
        ruled = pairs[pairs["rule"].notna()]
        if "review" in ruled.columns:
            ruled = ruled[~(ruled["review"] == "match").fillna(False).astype(bool)]
        for a, b in zip(ruled["person_id_l"].astype("string"), ruled["person_id_r"].astype("string"), strict=True):
            cannot.setdefault(a, set()).add(b)
            cannot.setdefault(b, set()).add(a)
    # the records of accepted pairs are the only ones asked: their values looked up by Arrow (a pandas
    # hash table of the register's ids grew 10x for 2.7x the ids, docs/benchmarks.md)
    asked = pd.Series(pd.concat([acc["_l"], acc["_r"]]).unique(), dtype="string")
    cid: dict[str, str] = {}
    if citizen_ids is not None:
        cid = _known(asked, citizen_ids)
    dob: dict[str, str] = {}
    accepted: set[tuple[str, str]] = set()
    if exact_dates is not None:
        dob = _known(asked, exact_dates)
        accepted = {(a, b) for a, b in zip(acc["_l"], acc["_r"], strict=True) if a in dob and b in dob}
        accepted |= {(b, a) for a, b in accepted}

    def date_conflict(ma: list[str], mb: list[str]) -> bool:
        return any(x in dob and y in dob and (x, y) not in accepted and dates_conflict(dob[x], dob[y])
                   for x in ma for y in mb)

    parent: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    idset: dict[str, set[str]] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    refused = []
    for label, a, b, forced in zip(acc.index, acc["_l"], acc["_r"], acc["_forced"], strict=True):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ma, mb = members.get(ra, [ra]), members.get(rb, [rb])
        ia = idset.get(ra, {cid[ra]} if ra in cid else set())
        ib = idset.get(rb, {cid[rb]} if rb in cid else set())
        if not forced and ((ia and ib and ia != ib) or any(cannot.get(m, set()).intersection(mb) for m in ma)
                           or (dob and date_conflict(ma, mb))):
            refused.append(label)
            continue
        if len(ma) < len(mb):
            ra, rb, ma, mb = rb, ra, mb, ma
        parent[rb] = ra
        members[ra] = ma + mb
        idset[ra] = ia | ib
        members.pop(rb, None)
        idset.pop(rb, None)
    # every record that joined nothing is its own cluster; a joined cluster is the member list of its
    # root, named by its smallest member (the order of uniq)
    cluster = uniq.to_numpy(dtype=object, copy=True)
    size = np.ones(len(uniq), dtype=np.int64)
    if members:
        mem = [m for ms in members.values() for m in ms]
        idx = np.fromiter((position[m] for m in mem), dtype=np.int64, count=len(mem))
        cluster[idx] = [name for ms in members.values() for name in [min(ms)] * len(ms)]
        size[idx] = [n for ms in members.values() for n in [len(ms)] * len(ms)]
    out = pd.DataFrame({"person_id": uniq.astype("string"), "cluster_id": pd.array(cluster, dtype="string"),
                        "cluster_size": size})
    return out, pd.Index(refused)


def text_order(values: np.ndarray) -> np.ndarray:
    """The positions of ``values`` (text, no missing) in text order: their argsort, by Arrow.

    pandas sorts text as Python objects (1.2 s for the ids of 1.2 M persons, 11 s in a large
    source's links); Arrow sorts in C++ by UTF-8 bytes, which is the order of the code points,
    so the order is the same.

    Examples
    --------
    >>> text_order(np.array(["b", "Ă", "a"], dtype=object)).tolist()
    [2, 0, 1]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.sort_indices(pa.array(np.asarray(values, dtype=object), type=pa.string())).to_numpy()


def _known(asked: pd.Series, values: pd.Series) -> dict[str, str]:
    """``{id: value}`` for the ``asked`` ids whose value (``values``, indexed by id) is not missing."""
    got = textkeys.take(values, textkeys.positions(asked, pd.Series(values.index)))
    ok = got.notna().to_numpy()
    return dict(zip(asked[ok].astype(str), got[ok].astype(str), strict=True))


def _sorted_unique(ids: pd.Series) -> pd.Index:
    """The distinct non-missing ids in text order."""
    # the register's own string objects, each id's first (the clusters hold them for the whole audit;
    # textkeys.factorize made new ones: 0.4 GB more at the link stage's peak at 3.38 M persons), found by
    # Arrow's hash table (pandas' unique of the 3.38 M ids of a merged province: 2.8 s against 0.4 s at 1.25 M)
    ids = ids.astype("string")
    u = ids.to_numpy(dtype=object)[textkeys.first_of_each(ids)]
    return pd.Index(u[text_order(u)], dtype="string")
