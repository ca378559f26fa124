"""Which rule(s) must find each fault class of the synthetic province, and the accuracy measures.

Used by ``benchmarks/bench_checks.py`` and the tests; see ``docs/checks.md``.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FAULT_RULES", "recall_by_class", "false_positive_share"]

#: fault_class -> rule ids that must flag the fault's record
FAULT_RULES: dict[str, tuple[str, ...]] = {
    "missing_required": ("C002",),
    "invalid_sex": ("V001",),
    "invalid_relation": ("V002",),
    "invalid_marital_status": ("V003",),
    "invalid_ethnicity": ("V004",),
    "invalid_education": ("V005",),
    "invalid_residence_status": ("V006",),
    "invalid_status": ("V007",),
    "invalid_event_type": ("V009",),
    "commune_not_in_district": ("V021",),
    "unknown_commune": ("V022",),
    "unparseable_date": ("V030",),
    "future_birth_date": ("V031",),
    "age_over_110": ("V035",),
    # an 11-digit ID gets its "missing" leading zero back from the reader, so its
    # prefix, not its length, is what breaks
    "cid_bad_length": ("I001", "I002"),
    "cid_bad_province": ("I002",),
    "cid_sex_century_mismatch": ("I003",),
    "cid_birth_year_mismatch": ("I004",),
    "no_head": ("H001",),
    "two_heads": ("H002",),
    # a child-in-law recorded as spouse: two spouses, or (head widowed) a spouse of an unmarried head
    "two_spouses": ("H003", "H012"),
    "head_under_15": ("H004",),
    "head_under_18": ("H005",),
    "spouse_under_age": ("H006",),
    "child_older_than_head": ("H007",),
    "parent_younger_than_head": ("H008",),
    "empty_household": ("H009",),
    "orphan_person": ("H011",),
    "mother_age_out_of_range": ("M001",),
    "recorded_before_event": ("E001",),
    "late_record": ("E002",),
    "event_unknown_person": ("E003",),
    "double_death": ("E004",),
    "dead_still_present": ("E005",),
    "birth_child_missing": ("E006",),
    "move_out_status_not_changed": ("E007",),
    "event_outside_period": ("E008",),
    "duplicate_person_id": ("U001",),
    "duplicate_household_id": ("U002",),
    "duplicate_citizen_id": ("U004",),
    "monthly_count_outlier": ("Q003",),
    "age_heaping": ("Q004",),
    "sex_ratio_at_birth": ("Q001",),
}


def recall_by_class(findings: pd.DataFrame, faults: pd.DataFrame) -> pd.DataFrame:
    """Per fault class: injected, found (by one of its rules, same table and record), recall.

    Examples
    --------
    >>> f = pd.DataFrame({"rule_id": ["V001"], "table": ["persons"], "record_id": ["P1"]})
    >>> t = pd.DataFrame({"fault_class": ["invalid_sex"] * 2, "table": ["persons"] * 2, "record_id": ["P1", "P2"]})
    >>> recall_by_class(f, t)[["fault_class", "injected", "found", "recall"]].values.tolist()
    [['invalid_sex', 2, 1, 0.5]]
    """
    rows = []
    keys = set(zip(findings["rule_id"], findings["table"], findings["record_id"], strict=True))
    for cls, grp in faults.groupby("fault_class", sort=True):
        rules = FAULT_RULES.get(str(cls), ())
        found = sum(
            any((r, t, str(rid)) in keys for r in rules) for t, rid in zip(grp["table"], grp["record_id"], strict=True)
        )
        n = len(grp)
        rows.append((cls, ", ".join(rules), n, found, round(found / n, 4) if n else float("nan")))
    return pd.DataFrame(rows, columns=["fault_class", "rules", "injected", "found", "recall"])


def false_positive_share(findings: pd.DataFrame, register, truth: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Share of fault-free records with an error-severity finding, per table and overall.

    Fault-free: households, persons and events whose id is in no ``faults`` row of
    that table; persons of the ``duplicates`` truth (injected copies and their
    originals, which linkage must flag) are left out as well.
    """
    faults = truth["faults"]
    dups = truth.get("duplicates")
    keys = {"households": "household_id", "persons": "person_id", "events": "event_id"}
    err = findings[findings["severity"] == "error"]
    rows = []
    for table, key in keys.items():
        df = register.tables.get(table)
        if df is None:
            continue
        ids = pd.Index(df[key].dropna().astype(str).unique())
        bad = set(faults.loc[faults["table"] == table, "record_id"].astype(str))
        if table == "persons" and dups is not None and len(dups):
            bad |= set(dups["person_id"].astype(str)) | set(dups["original_person_id"].astype(str))
        clean = ids[~ids.isin(list(bad))]
        flagged = set(err.loc[err["table"] == table, "record_id"].astype(str))
        n_fp = int(clean.isin(list(flagged)).sum())
        rows.append((table, len(clean), n_fp))
    out = pd.DataFrame(rows, columns=["table", "fault_free", "with_error"])
    total = pd.DataFrame([("all", out["fault_free"].sum(), out["with_error"].sum())], columns=out.columns)
    out = pd.concat([out, total], ignore_index=True)
    out["share"] = (out["with_error"] / out["fault_free"].where(out["fault_free"] > 0)).round(5)
    return out
