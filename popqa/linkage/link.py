"""Linkage of the register's persons with one administrative or survey source."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from popqa import textkeys
from popqa.linkage.dedupe import resolve_config
from popqa.linkage.features import person_places
from popqa.linkage.frames import FrameFile, read_columns

__all__ = ["LinkResult", "link", "link_frames", "one_to_one", "person_places", "source_frame"]

log = logging.getLogger(__name__)

#: The dtype of the links' ids: Arrow text, the ids' characters in Arrow's buffers rather than one
#: Python string per record held for the rest of the audit (0.5 GB at 3.38 M persons for the police
#: and insurance records' links; docs/benchmarks.md, "thirteenth measurement").
LINK_ID_DTYPE = pd.StringDtype("pyarrow")


@dataclass
class LinkResult:
    """What :func:`link` returns.

    Attributes
    ----------
    pairs : source_id, person_id, match_probability, match_weight and the evidence
        (``ev_<comparison>``, ``w_<comparison>``) of every scored candidate pair.
    links : one row per source record: source_id, person_id of the person it links to
        (missing when none), match_probability of that link, or of the best candidate when
        none was accepted (so near misses show). With ``one_to_one`` (the default) a person
        takes at most one record of the source and a record at most one person: pairs at or
        above the link threshold are assigned best first (greedy on the match probability,
        ties by ids), so a source record whose best person went to a better-matching record
        links to its next candidate or to none. The ids are Arrow text (:data:`LINK_ID_DTYPE`).
    kind : the source's table name.
    """

    pairs: pd.DataFrame
    links: pd.DataFrame
    kind: str
    threshold: float = 0.9


def one_to_one(pairs: pd.DataFrame) -> pd.DataFrame:
    """Greedy one-to-one assignment: best pair first, each source_id and person_id used once.

    Done in rounds: every pair that is the best of its source record and of its person
    is taken, both are removed, and the rest is assessed again (the best remaining pair is
    always taken, so each round makes progress; the result equals the sequential greedy
    assignment by decreasing match weight, or probability when there is no weight, ties
    broken by source_id then person_id).

    Examples
    --------
    >>> p = pd.DataFrame({"source_id": ["s1", "s2", "s2"], "person_id": ["a", "a", "b"],
    ...                   "match_probability": [0.99, 0.95, 0.93]})
    >>> one_to_one(p)[["source_id", "person_id"]].values.tolist()
    [['s1', 'a'], ['s2', 'b']]
    """
    # sorted and assigned on integer codes (ids sorted as text: the codes keep their order);
    # string comparisons were most of the time at 300,000 records
    return _one_to_one(pairs, textkeys.sorted_codes(pairs["source_id"]), textkeys.sorted_codes(pairs["person_id"]))


def _one_to_one(pairs: pd.DataFrame, src: np.ndarray, per: np.ndarray) -> pd.DataFrame:
    """:func:`one_to_one` on codes of the pairs' source and person ids that keep the ids' text order
    (any such codes: those of a larger set of pairs serve as well as the pairs' own)."""
    if not len(pairs):
        return pairs.iloc[0:0]
    key = "match_weight" if "match_weight" in pairs.columns else "match_probability"
    return pairs.iloc[_one_to_one_rows(pairs[key].to_numpy(dtype="float64"), src, per)].reset_index(drop=True)


def _one_to_one_rows(score: np.ndarray, src: np.ndarray, per: np.ndarray) -> np.ndarray:
    """The rows :func:`_one_to_one` takes (positions in the pairs), in its order: by source record."""
    if not len(score):
        return np.zeros(0, dtype=np.int64)
    # the match weight orders pairs whose probabilities both round to 1
    rank = np.lexsort((per, src, -score))
    src, per = src[rank], per[rank]
    order = np.arange(len(rank))
    taken = np.zeros(len(rank), dtype=bool)
    while len(order):
        s, p = src[order], per[order]
        first_s = np.zeros(len(order), dtype=bool)
        first_s[np.unique(s, return_index=True)[1]] = True
        first_p = np.zeros(len(order), dtype=bool)
        first_p[np.unique(p, return_index=True)[1]] = True
        mutual = first_s & first_p  # the best pair of its source record and of its person
        taken[order[mutual]] = True
        used_s = np.zeros(src.max() + 1, dtype=bool)
        used_s[s[mutual]] = True
        used_p = np.zeros(per.max() + 1, dtype=bool)
        used_p[p[mutual]] = True
        order = order[~used_s[s] & ~used_p[p]]
    by_source = np.argsort(src[taken], kind="stable")  # codes in the ids' text order
    return rank[taken][by_source]


def _reference_year(persons: pd.DataFrame) -> int | None:
    if "updated_at" in persons.columns:
        ts = pd.to_datetime(persons["updated_at"], errors="coerce").max()
        if pd.notna(ts):
            return int(ts.year)
    return None


def source_frame(source: pd.DataFrame, kind: str, *, persons: pd.DataFrame,
                 reference_year: int | None) -> pd.DataFrame:
    """The linkage frame :func:`link` scores for a source: its features
    (:func:`popqa.linkage.features.source_features`), one row per record id (the first), ids missing left out."""
    from popqa.linkage.features import source_features

    right = source_features(source, kind, persons=persons, reference_year=reference_year)
    keep = textkeys.first_of_each(right["unique_id"])
    return right[keep].reset_index(drop=True)


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
    from popqa.linkage.features import canonical_kind, person_features

    cfg = resolve_config(config)
    kind = canonical_kind(kind)
    ref = reference_year if reference_year is not None else _reference_year(persons)
    right = source_frame(source, kind, persons=persons, reference_year=ref)
    keep = textkeys.first_of_each(persons["person_id"])
    left = None
    if len(right) and keep.any():
        # the persons' rows are copied only when their features must be built here: a copy of the
        # register's persons held while the model trains is 0.5 GB more at 3.4 M persons
        left = features if features is not None else person_features(persons[keep])
    return link_frames(left, right, kind, cfg)


def link_frames(left: pd.DataFrame | FrameFile | None, right: pd.DataFrame | FrameFile, kind: str,
                config: Any = None) -> LinkResult:
    """:func:`link` from the two linkage frames: ``left`` the persons' features
    (:func:`popqa.linkage.features.person_features`; None or empty: no person to link to), ``right`` the
    source's (:func:`source_frame`); either may be a :class:`~popqa.linkage.frames.FrameFile`. The link
    stage calls it with each source's frame built from a table read back for it, so that the table itself
    is not held while the model runs."""
    from popqa.linkage.dedupe import _tidy_pairs
    from popqa.linkage.features import canonical_kind

    cfg = resolve_config(config)
    kind = canonical_kind(kind)
    if left is not None and len(left) and len(right):
        from popqa.linkage.model import run_splink

        raw = run_splink(left, right, kind, cfg)
        pairs = _tidy_pairs(raw, kind, order=False)  # a new frame; left: the register
        del raw  # a large source's scored pairs: each copy held at once adds to the audit's peak
        del pairs["review"]  # dropped and renamed in place, not copied
        pairs.columns = [{"person_id_l": "person_id", "person_id_r": "source_id"}.get(c, c) for c in pairs.columns]
    else:
        from popqa.linkage.dedupe import _empty_pairs

        pairs = _empty_pairs(kind).drop(columns=["review"]).rename(
            columns={"person_id_l": "person_id", "person_id_r": "source_id"}
        )
    first = ["source_id", "person_id", "match_probability", "match_weight"]
    order = [pairs.columns.get_loc(c) for c in first + [c for c in pairs.columns if c not in first]]
    # the source's ids and the pairs' source ids coded together, in the ids' text order: the pairs are
    # sorted, assigned and put in the source's order on these integers, with one hash table of the ids
    # (a code of each and a look-up of one in the other hashed 3 M police ids three times at 3.38 M persons)
    source_ids = read_columns(right, ["unique_id"])["unique_id"].astype(LINK_ID_DTYPE)
    sid, src = textkeys.shared_sorted_codes(source_ids, pairs["source_id"])
    per = textkeys.sorted_codes(pairs["person_id"])
    # by source record, best first, ties by person
    rank = np.lexsort((per, -pairs["match_probability"].to_numpy(dtype="float64"), src))
    pairs = pairs.iloc[rank, order]  # one copy: rows sorted and columns ordered together
    pairs.index = pd.RangeIndex(len(pairs))
    src, per = src[rank], per[rank]
    top = np.ones(len(src), dtype=bool)  # the first (best) pair of each source record
    top[1:] = src[1:] != src[:-1]
    # the assignment needs the ids and the scores only (not every comparison's evidence)
    ok = np.flatnonzero(pairs["match_probability"].to_numpy() >= cfg.link_threshold)
    if cfg.one_to_one:
        key = pairs["match_weight" if "match_weight" in pairs.columns else "match_probability"]
        rows = ok[_one_to_one_rows(key.to_numpy(dtype="float64")[ok], src[ok], per[ok])]
    else:  # the best accepted pair of each source record (the pairs are sorted by record, best first)
        src_ok = src[ok]
        keep = np.ones(len(ok), dtype=bool)
        keep[1:] = src_ok[1:] != src_ok[:-1]
        rows = ok[keep]
    n_codes = int(max(sid.max(initial=-1), src.max(initial=-1))) + 1
    linked = np.zeros(n_codes, dtype=bool)
    linked[src[rows]] = True
    unlinked = np.flatnonzero(top & ~linked[src])  # the best pair of each record left without a link
    # the three columns of the rows kept (not first every column's evidence of 3 M police records' pairs)
    ids_and_scores = [pairs.columns.get_loc(c) for c in ("source_id", "person_id", "match_probability")]
    chosen = pairs.iloc[rows, ids_and_scores]
    best = pairs.iloc[unlinked, ids_and_scores]
    best = best.assign(person_id=pd.Series(pd.NA, index=best.index, dtype=LINK_ID_DTYPE))
    done = pd.concat([chosen.astype({"person_id": LINK_ID_DTYPE}), best], ignore_index=True)  # one row per record
    # each source record's row of ``done`` found by its code (a merge on the text ids hashed them in
    # pandas: 3.9x the time for 2.7x the police records of a merged province)
    row_of = np.full(n_codes + 1, -1, dtype=np.int64)  # the last slot: a missing id (code -1)
    row_of[np.concatenate([src[rows], src[unlinked]])] = np.arange(len(done))
    by_id = np.argsort(sid, kind="stable")
    source_ids = source_ids.iloc[by_id]
    at = row_of[sid[by_id]]
    links = pd.DataFrame({"source_id": source_ids.reset_index(drop=True),
                          "person_id": textkeys.take(done["person_id"], at),
                          "match_probability": textkeys.take(done["match_probability"].astype("float64"), at)})
    log.info("link %s: %d records, %d linked", kind, len(links), int(links["person_id"].notna().sum()))
    return LinkResult(pairs, links, kind, cfg.link_threshold)
