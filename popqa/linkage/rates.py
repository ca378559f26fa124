"""Duplicate rates per administrative unit or collaborator."""

from __future__ import annotations

import pandas as pd

__all__ = ["duplicate_rates"]

_BY = {
    "commune": "commune_code",
    "district": "district_code",
    "province": "province_code",
    "collaborator": "collaborator_id",
}


def duplicate_rates(
    clusters: pd.DataFrame,
    persons: pd.DataFrame,
    by: str = "commune_code",
    *,
    households: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Duplicate records per unit: records beyond the first of each cluster, per 1,000 records.

    A duplicate record counts in the unit (or with the collaborator) where it
    was entered, that is the unit of the record that is not its cluster's
    representative (the smallest person_id).

    Parameters
    ----------
    clusters : person_id, cluster_id (``DedupeResult.clusters``).
    persons : the register's persons (for the unit codes and household_id).
    by : commune_code, district_code, province_code or collaborator_id
        (also commune, district, province, collaborator).
    households : needed for ``collaborator_id`` (persons do not carry it).

    Returns
    -------
    DataFrame: <by>, persons, duplicate_records, duplicate_clusters, rate_per_1000.

    Examples
    --------
    >>> persons = pd.DataFrame({"person_id": ["a", "b", "c"], "commune_code": ["1", "1", "2"]})
    >>> clusters = pd.DataFrame({"person_id": ["a", "b", "c"], "cluster_id": ["a", "a", "c"]})
    >>> duplicate_rates(clusters, persons)[["commune_code", "duplicate_records", "rate_per_1000"]].values.tolist()
    [['1', 1, 500.0], ['2', 0, 0.0]]
    """
    col = _BY.get(by, by)
    p = persons.drop_duplicates("person_id").copy()
    p["person_id"] = p["person_id"].astype("string")
    if col not in p.columns:
        if col == "collaborator_id" and households is not None and "household_id" in p.columns:
            hh = households[["household_id", "collaborator_id"]].drop_duplicates("household_id")
            p = p.merge(hh.astype({"household_id": "string"}), on="household_id", how="left")
        else:
            from popqa.errors import InputError

            raise InputError(f"cannot group by {by!r}: persons have no {col} column (pass households for collaborators)")
    c = clusters[["person_id", "cluster_id"]].astype("string")
    df = p[["person_id", col]].merge(c, on="person_id", how="left")
    df["cluster_id"] = df["cluster_id"].fillna(df["person_id"])
    df["is_dup"] = df["person_id"] != df["cluster_id"]
    g = df.groupby(col, dropna=False, sort=True)
    out = pd.DataFrame(
        {
            "persons": g.size(),
            "duplicate_records": g["is_dup"].sum().astype("int64"),
            "duplicate_clusters": df[df["is_dup"]].groupby(col, dropna=False)["cluster_id"].nunique(),
        }
    ).fillna({"duplicate_clusters": 0})
    out["duplicate_clusters"] = out["duplicate_clusters"].astype("int64")
    out["rate_per_1000"] = (1000 * out["duplicate_records"] / out["persons"]).round(2)
    return out.reset_index().rename(columns={"index": col})
