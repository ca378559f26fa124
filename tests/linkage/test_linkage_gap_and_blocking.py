"""The year_gap merge rule and the two blocking rules added from the false-negative analysis
(docs/linkage.md, "Accuracy and speed"): hand-built cases, each the kind of pair it is for."""

from __future__ import annotations

import pandas as pd

from popqa.linkage.dedupe import apply_merge_rules
from popqa.linkage.features import person_features
from popqa.linkage.model import blocked, blocking_rules_for


def test_year_gap_blocks_a_merge_unless_the_ids_agree():
    p = pd.DataFrame({
        "match_probability": [0.9, 0.9, 0.9],
        "ev_citizen_id": ["missing", "same", "missing"],
        "ev_place": ["same household"] * 3,
        "ev_birth_date": ["5 or more years apart", "5 or more years apart", "different, within 4 years"],
        "ev_given": ["exact"] * 3,
    })
    out = apply_merge_rules(p)
    assert out["rule"].tolist()[0] == "year_gap" and out["match_probability"].tolist() == [0.0, 0.9, 0.9]
    assert out["rule"].isna().tolist()[1:] == [True, True]


def _rules_hit(rows: list[tuple]) -> list[str]:
    persons = pd.DataFrame(rows, columns=["person_id", "full_name", "sex", "birth_date", "birth_date_precision",
                                          "commune_code", "household_id", "relation_to_head"])
    persons["birth_date"] = pd.to_datetime(persons["birth_date"])
    b = blocked(person_features(persons), None, pd.DataFrame({"id_l": ["a"], "id_r": ["b"]}), "dedupe")
    rules = blocking_rules_for("dedupe")
    return [rules[int(c[5:])] for c in b.columns if c.startswith("rule_") and b.loc[0, c]]


def test_household_and_year_compare_a_double_entry_with_a_slipped_name_and_a_year_only_date():
    hit = _rules_hit([
        ("a", "Đặng Thị Hương", 2, "2017-07-13", "day", "25582", "H1", 3),
        ("b", "Đặng Thị Hươgn", 2, "2017-01-01", "year", "25582", "H1", 3),
    ])
    assert hit == ["l.household_id = r.household_id AND l.birth_year = r.birth_year"]


def test_surname_middle_day_month_and_commune_compare_a_mover_with_a_typo_and_a_year_off():
    hit = _rules_hit([
        ("a", "Nguyễn Thị Trâm", 2, "1993-02-06", "day", "25666", "H1", 3),
        ("b", "Nguyễn Thị Tarm", 2, "1992-02-06", "day", "25666", "H2", 7),
    ])
    assert hit == ["l.surname = r.surname AND l.middle = r.middle AND l.md_any = r.md_any "
                   "AND l.commune_code = r.commune_code"]
