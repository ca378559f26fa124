"""Linkage of the register's persons with one administrative or survey source."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd

from popqa.linkage.dedupe import resolve_config

__all__ = ["LinkResult", "link"]

log = logging.getLogger(__name__)


@dataclass
class LinkResult:
    """What :func:`link` returns.

    Attributes
    ----------
    pairs : source_id, person_id, match_probability, match_weight and the evidence
        (``ev_<comparison>``, ``w_<comparison>``) of every scored candidate pair.
    links : one row per source record: source_id, person_id of the best candidate at or
        above the link threshold (missing when none), match_probability of the best
        candidate (also when it was not accepted, so near misses show).
    kind : the source's table name.
    """

    pairs: pd.DataFrame
    links: pd.DataFrame
    kind: str
    threshold: float = 0.9


def _reference_year(persons: pd.DataFrame) -> int | None:
    if "updated_at" in persons.columns:
        ts = pd.to_datetime(persons["updated_at"], errors="coerce").max()
        if pd.notna(ts):
            return int(ts.year)
    return None


def link(
    persons: pd.DataFrame,
    source: pd.DataFrame,
    kind: str,
    config: Any = None,
    *,
    reference_year: int | None = None,
    features: pd.DataFrame | None = None,
) -> LinkResult:
    """Link each record of ``source`` to the register person it describes.

    Parameters
    ----------
    persons : the register's ``persons`` table.
    source : a source table of the data contract.
    kind : civil_births, civil_deaths, residents, insurance, survey_persons (or survey).
    config : a LinkageConfig, a full popqa Config or None.
    reference_year : the year a survey's ``age`` refers to; defaults to the year of the
        register's latest ``updated_at``.
    features : :func:`popqa.linkage.features.person_features` of ``persons``, when already
        computed (it is the costly part for a small source).

    Returns
    -------
    LinkResult
    """
    from popqa.linkage.dedupe import _tidy_pairs
    from popqa.linkage.features import canonical_kind, person_features, source_features

    cfg = resolve_config(config)
    kind = canonical_kind(kind)
    ref = reference_year if reference_year is not None else _reference_year(persons)
    right = source_features(source, kind, persons=persons, reference_year=ref)
    right = right[right["unique_id"].notna() & ~right["unique_id"].duplicated()].reset_index(drop=True)
    pids = persons["person_id"].astype("string")
    left_p = persons[pids.notna() & ~pids.duplicated()]
    if len(right) and len(left_p):
        from popqa.linkage.model import run_splink

        left = features if features is not None else person_features(left_p)
        raw = run_splink(left, right, kind, cfg)
        pairs = _tidy_pairs(raw, kind, order=False).drop(columns=["review"])  # left: the register
        pairs = pairs.rename(columns={"person_id_l": "person_id", "person_id_r": "source_id"})
    else:
        from popqa.linkage.dedupe import _empty_pairs

        pairs = _empty_pairs(kind).drop(columns=["review"]).rename(
            columns={"person_id_l": "person_id", "person_id_r": "source_id"}
        )
    first = ["source_id", "person_id", "match_probability", "match_weight"]
    pairs = pairs[first + [c for c in pairs.columns if c not in first]]
    pairs = pairs.sort_values(["source_id", "match_probability", "person_id"], ascending=[True, False, True],
                              ignore_index=True)
    best = pairs.drop_duplicates("source_id")[["source_id", "person_id", "match_probability"]]
    links = pd.DataFrame({"source_id": right["unique_id"].astype("string")}).merge(best, on="source_id", how="left")
    links.loc[~(links["match_probability"] >= cfg.link_threshold).fillna(False), "person_id"] = pd.NA
    links = links.astype({"source_id": "string", "person_id": "string", "match_probability": "float64"})
    links = links.sort_values("source_id", ignore_index=True)
    log.info("link %s: %d records, %d linked", kind, len(links), int(links["person_id"].notna().sum()))
    return LinkResult(pairs.reset_index(drop=True), links, kind, cfg.link_threshold)
