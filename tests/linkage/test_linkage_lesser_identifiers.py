"""Education and marital status as lesser identifiers of the register against itself
(docs/linkage.md, "Model"): set for adults only, compared in deduplication only."""

from __future__ import annotations

import pandas as pd

from popqa.linkage.features import person_features, source_features
from popqa.linkage.model import COMPARISONS, comparisons_for, evidence_labels


def _persons() -> pd.DataFrame:
    return pd.DataFrame({
        "person_id": ["A", "B", "C", "D", "E", "F"],
        "full_name": ["Lê Văn An"] * 6,
        "birth_date": pd.to_datetime(["1970-05-01", "2002-05-01", "2008-05-01", "1960-01-01", "1990-02-02",
                                      "2026-01-01"]),
        "birth_date_precision": ["day"] * 6,
        "education_level": [5, 6, 2, 9, 3, 0],
        "marital_status": [2, 1, 1, 3, 0, 1],
        "updated_at": pd.to_datetime(["2026-10-31"] * 6),
    })


def _vals(s: pd.Series) -> list:
    return [None if pd.isna(v) else int(v) for v in s]


def test_education_is_kept_from_25_and_marital_status_from_18_valid_codes_only():
    f = person_features(_persons())
    # A is 56: both; B is 24: marital only (a student's level says its age); C is 18 in 2026;
    # D's education 9 and E's marital 0 are not codes of the contract; F is a baby
    assert _vals(f["education"]) == [5, None, None, None, 3, None]
    assert _vals(f["marital"]) == [2, 1, 1, 3, None, None]


def test_reference_year_falls_back_to_the_youngest_birth_without_updated_at():
    f = person_features(_persons().drop(columns=["updated_at"]))
    assert _vals(f["education"]) == [5, None, None, None, 3, None]


def test_sources_and_registers_without_the_columns_leave_them_missing():
    f = person_features(_persons().drop(columns=["education_level", "marital_status"]))
    assert f["education"].isna().all() and f["marital"].isna().all()
    src = pd.DataFrame({"insurance_id": ["I1"], "full_name": ["Lê Văn An"],
                        "birth_date": pd.to_datetime(["1970-05-01"]), "education_level": [5]})
    s = source_features(src, "insurance")
    assert s["education"].isna().all() and s["marital"].isna().all()


def test_only_the_deduplication_compares_them():
    assert comparisons_for("dedupe")[-2:] == ["education", "marital"]
    for kind in ("civil_births", "civil_deaths", "residents", "insurance", "survey_persons"):
        assert not {"education", "marital"} & set(comparisons_for(kind))
    assert evidence_labels("dedupe")["education"] == {-1: "missing", 2: "same", 1: "one level apart", 0: "different"}
    # a difference is evidence against, agreement for, as documented priors (EM re-estimates m)
    for name in ("education", "marital"):
        levels = COMPARISONS[name][1]
        assert levels[0].m > levels[0].u and levels[-1].m < levels[-1].u
