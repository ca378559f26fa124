"""Deduplication of the register's persons: pairs, clusters and uniqueness findings."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from popqa import textkeys
from popqa.contract import FINDINGS_COLUMNS
from popqa.linkage.clusters import constrained_components
from popqa.linkage.config import LinkageConfig

__all__ = [
    "DedupeResult", "dedupe", "resolve_config", "RULES", "MERGE_RULES", "apply_merge_rules", "apply_calibration",
]

log = logging.getLogger(__name__)

#: The linkage stage's uniqueness rules; declared in the rule catalogue (popqa.checks.rules.linkage).
RULES: tuple[str, ...] = ("L001", "L002")

#: Rules that block a merge whatever the model says: rule -> (what it means, vi, en).
#: A pair they hit keeps its model probability in ``model_probability``; its
#: ``match_probability`` is set to 0 and ``rule`` names the rule. A clerical decision
#: overrides a rule (the reviewer saw both records).
MERGE_RULES: dict[str, str] = {
    "distinct_ids": "both records carry a valid citizen ID and the IDs differ",
    "twins": "one household, one exact birth date, two different common given names (and not the "
             "same ID): twins",
    "year_gap": "birth years 5 or more apart (and not the same ID): a parent and a child, or two "
                "namesakes a generation apart",
    "sibling_gap": "one household, both birth dates known to the day and 1 to 4 years apart with no slip "
                   "that explains the difference (not day and month swapped, not one year off, not one "
                   "digit), and not the same ID: two children of the household",
    "cluster_conflict": "accepted, but joining it would put two different valid citizen IDs, or two "
                        "records a rule keeps apart, in one person (through other pairs)",
}

def _citizen_ids(persons: pd.DataFrame) -> pd.Series | None:
    """person_id -> valid citizen ID (12 digits) or missing, as the comparison sees it."""
    if "citizen_id" not in persons.columns:
        return None
    from popqa.linkage.features import _valid_cid

    return pd.Series(_valid_cid(persons["citizen_id"]).to_numpy(), index=persons["person_id"].astype("string"))


def _exact_dates(persons: pd.DataFrame) -> pd.Series | None:
    """person_id -> birth date as ``YYYY-MM-DD`` when known to the day, else missing."""
    if "birth_date" not in persons.columns:
        return None
    d = pd.to_datetime(persons["birth_date"], errors="coerce")
    prec = (persons["birth_date_precision"].astype("string").str.strip().str.lower()
            if "birth_date_precision" in persons.columns else pd.Series("day", index=persons.index, dtype="string"))
    text = pd.Series(d.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(str), index=persons.index)
    keep = (d.notna() & prec.isin(["day"]).fillna(False)).to_numpy()
    return pd.Series(text.where(keep).to_numpy(), index=persons["person_id"].astype("string"))


#: Columns that identify a person; with all of them empty in every record there is nothing to compare.
IDENTIFYING = ("full_name", "birth_date", "citizen_id")


def _blank(s: pd.Series) -> pd.Series:
    """Missing, or text that is only spaces."""
    empty = s.isna()
    if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
        empty = empty | (s.astype("string").str.strip() == "").fillna(True)
    return empty


def _empty_columns(persons: pd.DataFrame) -> list[str]:
    """Identifying columns absent or empty in every record (a privacy-reduced export)."""
    out = []
    for c in IDENTIFYING:
        if c not in persons.columns:
            out.append(c)
            continue
        s = persons[c]
        # nearly always a filled value among the first rows: the whole column only when there is none
        if bool(_blank(s.head(1000)).all()) and bool(_blank(s).all()):
            out.append(c)
    return out


def resolve_config(config: Any) -> LinkageConfig:
    """A :class:`LinkageConfig` from None, a LinkageConfig, a full popqa Config or a dict."""
    if config is None:
        return LinkageConfig()
    if isinstance(config, LinkageConfig):
        return config
    if hasattr(config, "linkage"):
        return config.linkage
    if isinstance(config, dict):
        return LinkageConfig.model_validate(config.get("linkage", config))
    raise TypeError(f"config must be a LinkageConfig, a popqa Config or None, not {type(config).__name__}")


@dataclass
class DedupeResult:
    """What :func:`dedupe` returns.

    Attributes
    ----------
    pairs : person_id_l < person_id_r, match_probability, match_weight, one
        ``ev_<comparison>`` label and one ``w_<comparison>`` weight per comparison
        (the evidence), ``review`` (the clerical decision when one overrode the model),
        ``model_probability`` (the model's probability before rules and reviews) and
        ``rule`` (the :data:`MERGE_RULES` entry that blocked the merge, else missing).
    clusters : person_id, cluster_id (smallest person_id of the cluster), cluster_size,
        for every input person.
    findings : uniqueness findings in the contract's findings form (rules L001, L002).
    threshold, review_low : the probabilities that were used.
    note : empty, or what the persons lacked: the identifying columns empty in every
        record (``full_name``, ``birth_date``, ``citizen_id``) and, when all three are,
        that deduplication could not run (then no pair is returned).
    calibration : the :class:`~popqa.linkage.calibration.Calibration` applied to the
        probabilities (fitted on this run's reviews, or the one passed in), else None.
    calibration_note : why no calibration was fitted from the reviews (too few), else empty.
    """

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    findings: pd.DataFrame
    threshold: float = 0.7
    review_low: float = 0.3
    note: str = ""
    calibration: Any = None
    calibration_note: str = ""

    def uncertain_pairs(self) -> pd.DataFrame:
        """Pairs between ``review_low`` and ``threshold`` not yet decided by a reviewer."""
        p = self.pairs
        m = (p["match_probability"] >= self.review_low) & (p["match_probability"] < self.threshold)
        return p[m & p["review"].isna()].reset_index(drop=True)

    def overridden_pairs(self) -> pd.DataFrame:
        """Pairs the model would have merged or sent to review but a merge rule blocked
        (twins-like pairs, distinct citizen IDs), not yet decided by a reviewer."""
        p = self.pairs
        m = p["rule"].notna() & (p["model_probability"] >= self.review_low) & p["review"].isna()
        return p[m].reset_index(drop=True)

    def write_review(self, path: Any, persons: pd.DataFrame) -> Any:
        """Write the clerical-review workbook of the uncertain pairs (see :mod:`popqa.linkage.review`)."""
        from popqa.linkage.review import write_review

        return write_review(self.uncertain_pairs(), persons, path, overridden=self.overridden_pairs())


def _empty_pairs(kind: str = "dedupe") -> pd.DataFrame:
    from popqa.linkage.model import comparisons_for

    cols: dict[str, pd.Series] = {
        "person_id_l": pd.Series(dtype="string"),
        "person_id_r": pd.Series(dtype="string"),
        "match_probability": pd.Series(dtype="float64"),
        "match_weight": pd.Series(dtype="float64"),
    }
    for c in comparisons_for(kind):
        cols[f"ev_{c}"] = pd.Series(dtype="string")
    for c in comparisons_for(kind):
        cols[f"w_{c}"] = pd.Series(dtype="float64")
    cols["review"] = pd.Series(dtype="string")
    cols["model_probability"] = pd.Series(dtype="float64")
    cols["rule"] = pd.Series(dtype="string")
    return pd.DataFrame(cols)


def _tidy_pairs(raw: pd.DataFrame, kind: str, *, order: bool = True) -> pd.DataFrame:
    from popqa.linkage.model import comparisons_for, gamma_to_labels

    out = gamma_to_labels(raw, kind)  # a new frame sharing the unchanged columns' data with ``raw``
    names = {"unique_id_l": "person_id_l", "unique_id_r": "person_id_r",
             **{f"mw_{c}": f"w_{c}" for c in comparisons_for(kind)}}
    out.columns = [names.get(c, c) for c in out.columns]  # renamed without copying the data
    swap = out["person_id_l"] > out["person_id_r"]
    if order and swap.any():  # new columns (``out`` shares the ids' data with ``raw``)
        lo, hi = out["person_id_l"], out["person_id_r"]
        out["person_id_l"], out["person_id_r"] = lo.where(~swap, hi), hi.where(~swap, lo)
    out["review"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["model_probability"] = out["match_probability"]
    out = apply_merge_rules(out, kind)
    return out[list(_empty_pairs(kind).columns)]


def apply_merge_rules(pairs: pd.DataFrame, kind: str = "dedupe") -> pd.DataFrame:
    """Name the :data:`MERGE_RULES` a scored pair breaks and set its match_probability to 0.

    Works on the evidence labels (``ev_*``), so it is one vectorised test per rule.

    Examples
    --------
    >>> p = pd.DataFrame({"match_probability": [0.99, 0.98], "ev_citizen_id": ["missing", "different"],
    ...                   "ev_place": ["same household", "elsewhere"], "ev_birth_date": ["exact", "exact"],
    ...                   "ev_given": ["different", "exact"]})
    >>> apply_merge_rules(p)[["match_probability", "rule"]].values.tolist()
    [[0.0, 'twins'], [0.0, 'distinct_ids']]
    """
    out = pairs.copy(deep=False)  # columns are replaced, never written into: ``pairs`` stays as it was
    rule = pd.Series(pd.NA, index=out.index, dtype="string")
    cid = out["ev_citizen_id"].astype("string") if "ev_citizen_id" in out else pd.Series("missing", index=out.index)
    if kind == "dedupe" and {"ev_place", "ev_birth_date", "ev_given"} <= set(out.columns):
        other_name = out["ev_given"] == "different"
        if {"given_known_l", "given_known_r"} <= set(out.columns):
            # two real given names that differ, however close (Hân and Hà): a typo rarely makes one
            both_known = out["given_known_l"].fillna(False).astype(bool) & out["given_known_r"].fillna(False).astype(bool)
            other_name = other_name | ((out["ev_given"] != "exact") & both_known)
        twins = ((out["ev_place"] == "same household") & (out["ev_birth_date"] == "exact")
                 & other_name & (cid != "same")).fillna(False).astype(bool)
        rule = rule.mask(twins, "twins")
        gap = ((out["ev_birth_date"] == "5 or more years apart") & (cid != "same")).fillna(False).astype(bool)
        rule = rule.mask(gap, "year_gap")
        if "dates_to_the_day" in out.columns:
            # "different, within 4 years" is the level left when no slip of a date explains the
            # difference: inside one household, with both dates to the day, two children of one name
            sib = ((out["ev_place"] == "same household") & (out["ev_birth_date"] == "different, within 4 years")
                   & out["dates_to_the_day"].fillna(False).astype(bool) & (cid != "same")).fillna(False).astype(bool)
            rule = rule.mask(sib, "sibling_gap")
    rule = rule.mask((cid == "different").fillna(False).astype(bool), "distinct_ids")
    if "rule" in out.columns:
        rule = out["rule"].astype("string").fillna(rule)
    out["rule"] = rule
    prob = out["match_probability"].to_numpy(dtype="float64", copy=True)
    prob[rule.notna().to_numpy()] = 0.0
    out["match_probability"] = prob
    return out


def _apply_reviews(pairs: pd.DataFrame, reviews: pd.DataFrame | None) -> pd.DataFrame:
    if reviews is None or len(reviews) == 0:
        return pairs
    from popqa.linkage.review import normalise_reviews

    rv = normalise_reviews(reviews)
    merged = pairs.merge(rv, on=["person_id_l", "person_id_r"], how="outer", suffixes=("", "_new"), indicator=True)
    decided = merged["decision"].notna()
    merged.loc[decided, "review"] = merged.loc[decided, "decision"]
    merged.loc[merged["review"] == "match", "match_probability"] = 1.0
    merged.loc[merged["review"] == "non-match", "match_probability"] = 0.0
    merged = merged.drop(columns=["decision", "_merge"])
    return merged[list(pairs.columns)]


def _findings(
    clusters: pd.DataFrame,
    pairs: pd.DataFrame,
    persons: pd.DataFrame,
    households: pd.DataFrame | None,
    cfg: LinkageConfig,
    ids: pd.Series | None = None,
    first: np.ndarray | None = None,
) -> pd.DataFrame:
    """The duplicate findings (L001, L002) with their records' places and collaborator. ``ids`` (the persons'
    ids as text) and ``first`` (each id's first row) as :func:`dedupe` has them, else worked out here."""
    dup = clusters[(clusters["cluster_size"] > 1) & (clusters["person_id"] != clusters["cluster_id"])]
    l001 = pd.DataFrame({"rule_id": "L001", "record_id": dup["person_id"], "value": dup["cluster_id"]})
    unc = pairs[
        (pairs["match_probability"] >= cfg.review_low)
        & (pairs["match_probability"] < cfg.threshold)
        & pairs["review"].isna()
    ]
    # the pairs' ids are Arrow-backed text, the clusters' Python-backed: one kind before they are stacked
    l002 = pd.DataFrame({"rule_id": "L002", "record_id": unc["person_id_r"].astype(l001["record_id"].dtype),
                         "value": unc["person_id_l"].astype(l001["value"].dtype)})
    f = pd.concat([l001, l002], ignore_index=True)
    f["record_id"] = f["record_id"].astype("string")
    f["value"] = f["value"].astype("string")
    from popqa.checks import get_rule

    decl = {r: get_rule(r) for r in RULES}
    for attr in ("dimension", "table", "column", "severity", "message_vi", "message_en"):
        f[attr] = f["rule_id"].map({r: getattr(d, attr) for r, d in decl.items()})
    geo_cols = [c for c in ("person_id", "household_id", "province_code", "district_code", "commune_code")
                if c in persons.columns]
    # the places of the findings' records only (each id's first record), not a copy of every person's
    ids = persons["person_id"].astype("string") if ids is None else ids
    first = textkeys.first_of_each(ids) if first is None else first
    rows = first & textkeys.isin(ids, f["record_id"])
    geo = persons.loc[rows, geo_cols].copy()
    geo["person_id"] = geo["person_id"].astype("string")
    if households is not None and {"household_id", "collaborator_id"} <= set(households.columns) and (
        "household_id" in geo.columns
    ):
        hid = households["household_id"].astype("string")
        wanted = textkeys.isin(hid, geo["household_id"].astype("string"))
        hh = households.loc[wanted, ["household_id", "collaborator_id"]].drop_duplicates("household_id")
        geo = geo.merge(hh.astype({"household_id": "string"}), on="household_id", how="left")
    elif "collaborator_id" in persons.columns:
        geo["collaborator_id"] = persons.loc[rows, "collaborator_id"].to_numpy()
    f = f.merge(geo.rename(columns={"person_id": "record_id"}), on="record_id", how="left")
    for c in FINDINGS_COLUMNS:
        if c not in f.columns:
            f[c] = pd.NA
        f[c] = f[c].astype("string")
    return f[list(FINDINGS_COLUMNS)].sort_values(["rule_id", "record_id", "value"], ignore_index=True)


def dedupe(
    persons: pd.DataFrame,
    config: Any = None,
    *,
    reviews: pd.DataFrame | None = None,
    households: pd.DataFrame | None = None,
    features: pd.DataFrame | None = None,
    calibration: Any = None,
) -> DedupeResult:
    """Find the persons recorded more than once in the register.

    Parameters
    ----------
    persons : the register's ``persons`` table (data contract).
    config : a :class:`~popqa.linkage.config.LinkageConfig`, a full ``popqa.config.Config`` or None.
    reviews : clerical decisions (person_id_l, person_id_r, decision "match" / "non-match"),
        e.g. from :func:`popqa.linkage.read_reviews`; they override the model for those pairs.
    households : the ``households`` table, to put each finding's collaborator_id.
    features : :func:`popqa.linkage.features.person_features` of these persons, when already
        computed (an audit computes it once for dedupe and every linked source).
    calibration : a :class:`~popqa.linkage.calibration.Calibration` (or the path of one saved
        by an earlier run) that recalibrates the probabilities from the match weights. When
        ``reviews`` hold enough decided pairs (``calibration_min_reviews``), a new calibration
        is fitted on them instead and returned in ``.calibration`` (save it for the next run);
        with fewer, ``calibration`` is used, or none, and ``.calibration_note`` says why.

    Returns
    -------
    DedupeResult
        ``.pairs``, ``.clusters`` (every input person) and ``.findings``.

    Examples
    --------
    >>> dedupe(pd.DataFrame({"person_id": ["P1"], "full_name": ["Lê Văn Tám"]})).clusters["cluster_id"].tolist()
    ['P1']
    >>> dedupe(pd.DataFrame({"person_id": ["P1", "P2"], "full_name": [None, None]})).note
    'dedupe cannot run: full_name, birth_date and citizen_id are empty in every record'
    """
    cfg = resolve_config(config)
    if "person_id" not in persons.columns:
        from popqa.errors import InputError

        raise InputError("persons need a person_id column", column="person_id")
    ids = persons["person_id"].astype("string")
    # the first record of each id; its rows are taken only for the columns a step needs, when it needs
    # them: a copy of the persons held while the model trains is 0.5 GB more at 3.4 M persons
    keep = textkeys.first_of_each(ids)
    n_unique = int(keep.sum())

    def unique(cols: tuple[str, ...], rows: np.ndarray = keep) -> pd.DataFrame:
        return persons.loc[rows, [c for c in cols if c in persons.columns]]

    empty = _empty_columns(unique(IDENTIFYING)) if n_unique >= 2 else []
    note = ""
    if len(empty) == len(IDENTIFYING):
        note = "dedupe cannot run: full_name, birth_date and citizen_id are empty in every record"
        log.warning(note)
    elif empty:
        note = f"{' and '.join(empty)} empty in every record: dedupe compares the other columns"
        log.warning(note)
    if n_unique >= 2 and len(empty) < len(IDENTIFYING):
        from popqa.linkage.features import person_features
        from popqa.linkage.model import run_splink

        feats = features if features is not None else person_features(persons[keep])
        raw = run_splink(feats, None, "dedupe", cfg)
        if cfg.whole_name_frequency:
            from popqa.linkage.namefreq import whole_name_adjustment

            raw = whole_name_adjustment(raw, feats)
        pairs = _tidy_pairs(raw, "dedupe")
        del raw
    else:
        pairs = _empty_pairs()
    cal, cal_note = _calibration(pairs, reviews, calibration, cfg)
    if cal is not None:
        pairs = apply_calibration(pairs, cal)
    pairs = _apply_reviews(pairs, reviews)
    pairs = pairs.sort_values(["person_id_l", "person_id_r"], ignore_index=True)
    # the clustering asks the IDs and exact dates of the records in pairs only: those records' rows, not
    # every person's (every person's date as text and ID checked: about 4 s of dedupe's 12 s after its
    # scoring at 1.25 M persons, docs/benchmarks.md)
    paired = keep & textkeys.isin(ids, pd.concat([pairs["person_id_l"], pairs["person_id_r"]]).astype("string"))
    clusters, refused = constrained_components(
        ids, pairs, cfg.threshold,
        citizen_ids=_citizen_ids(unique(("person_id", "citizen_id"), paired)),
        exact_dates=_exact_dates(unique(("person_id", "birth_date", "birth_date_precision"), paired)))
    if len(refused):
        # accepted pairs whose join would put two IDs or a blocked pair in one person: reviewed, not merged
        pairs.loc[refused, "rule"] = "cluster_conflict"
        pairs.loc[refused, "match_probability"] = 0.0
    findings = _findings(clusters, pairs, persons, households, cfg, ids=ids, first=keep)
    log.info("dedupe: %d persons, %d pairs, %d clusters", len(persons), len(pairs), clusters["cluster_id"].nunique())
    return DedupeResult(pairs, clusters, findings, cfg.threshold, cfg.review_low, note, cal, cal_note)


def _calibration(pairs: pd.DataFrame, reviews: pd.DataFrame | None, given: Any,
                 cfg: LinkageConfig) -> tuple[Any, str]:
    """The calibration to apply: fitted on these reviews when there are enough, else ``given``."""
    from popqa.linkage.calibration import (
        Calibration,
        NotEnoughReviews,
        fit_calibration,
        load_calibration,
    )

    note = ""
    if reviews is not None and len(reviews) and len(pairs):
        try:
            cal = fit_calibration(pairs, reviews, method=cfg.calibration_method, min_reviews=cfg.calibration_min_reviews,
                                  min_each=cfg.calibration_min_each, threshold=cfg.threshold)
            log.info("calibrated on %d reviewed pairs: a duplicate now needs match weight %.2f (was %.2f)",
                     cal.n_reviews, cal.weight_threshold, cal.model_weight_threshold)
            return cal, note
        except NotEnoughReviews as exc:
            note = str(exc)
            log.info("%s", note)
    if given is None:
        return None, note
    return (given if isinstance(given, Calibration) else load_calibration(given)), note


def apply_calibration(pairs: pd.DataFrame, calibration: Any) -> pd.DataFrame:
    """Recompute match_probability from the match weight with ``calibration``; model_probability
    keeps the model's value, pairs a merge rule blocked stay at 0."""
    out = pairs.copy()
    if not len(out):
        return out
    p = calibration.probability(out["match_weight"].to_numpy(dtype="float64"))
    blocked = out["rule"].notna().to_numpy() if "rule" in out.columns else np.zeros(len(out), bool)
    out["match_probability"] = np.where(blocked, 0.0, np.round(p, 10))
    return out
