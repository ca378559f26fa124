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
    assert hit == ["l.household_id = r.household_id AND l.birth_year = r.birth_year",
                   "l.household_id = r.household_id AND l.surname = r.surname AND l.middle = r.middle"]


def test_surname_middle_day_month_and_commune_compare_a_mover_with_a_typo_and_a_year_off():
    hit = _rules_hit([
        ("a", "Nguyễn Thị Trâm", 2, "1993-02-06", "day", "25666", "H1", 3),
        ("b", "Nguyễn Thị Tarm", 2, "1992-02-06", "day", "25666", "H2", 7),
    ])
    assert hit == ["l.surname = r.surname AND l.middle = r.middle AND l.md_any = r.md_any "
                   "AND l.commune_code = r.commune_code"]


def test_split_mover_rules_compare_the_pairs_of_the_filtered_rules():
    """Full name + year with one date not to the day, and surname + given + sex + day-month with
    years at most one apart, are written as two rules of join keys each (docs/linkage.md): their
    union must be exactly the pairs of the one rule with a filter, on a register made by another
    generator (years of every parity, year-only and day dates, NULL precision)."""
    import duckdb

    from tests.linkage.independent_register import make_register

    f = person_features(make_register(n_households=1_500, seed=3)["persons"])
    no_id = " AND (l.citizen_id IS NULL OR r.citizen_id IS NULL)"
    filtered = [
        "l.name_fold = r.name_fold AND l.birth_year = r.birth_year "
        "AND (l.dob_precision <> 'day' OR r.dob_precision <> 'day')" + no_id,
        "l.surname = r.surname AND l.given = r.given AND l.sex = r.sex AND l.md_any = r.md_any "
        "AND abs(l.birth_year - r.birth_year) <= 1" + no_id,
        "l.name_fold = r.name_fold AND l.commune_code = r.commune_code AND abs(l.birth_year - r.birth_year) <= 1",
    ]
    rules = blocking_rules_for("dedupe")
    split = [[r for r in rules if "CASE WHEN" in r], [r for r in rules if "// 2" in r and "commune" not in r],
             [r for r in rules if "// 2" in r and "commune" in r]]
    con = duckdb.connect()
    con.register("f", f)

    def pairs(conds: list[str]) -> set:
        sql = " UNION ".join(f"SELECT l.unique_id, r.unique_id FROM f l JOIN f r ON ({c}) "
                             "AND l.unique_id < r.unique_id" for c in conds)
        return set(con.execute(sql).fetchall())

    for one, two in zip(filtered, split, strict=True):
        assert len(two) == 2
        expected = pairs([one])
        assert expected and pairs(two) == expected


def test_full_name_commune_and_near_year_compare_a_mover_whose_year_slipped():
    """Moved within the commune, lost the ID, one year off with the day shifted (31 -> 28): no
    date, household or ID key meets (a pair from the 1.2 M-person province's blocking misses)."""
    hit = _rules_hit([
        ("a", "Nguyễn Gia Tuấn", 1, "1945-07-31", "day", "25486", "H1", 1),
        ("b", "Nguyễn Gia Tuấn", 1, "1944-07-28", "day", "25486", "H2", 7),
    ])
    assert hit == ["l.name_fold = r.name_fold AND l.commune_code = r.commune_code "
                   "AND l.birth_year // 2 = r.birth_year // 2"]
    # the same pair two years apart, or in another commune, is not compared by them
    assert not [h for h in _rules_hit([
        ("a", "Nguyễn Gia Tuấn", 1, "1945-07-31", "day", "25486", "H1", 1),
        ("b", "Nguyễn Gia Tuấn", 1, "1943-07-28", "day", "25486", "H2", 7),
    ]) if "commune_code" in h and "name_fold" in h]
    assert _rules_hit([
        ("a", "Nguyễn Gia Tuấn", 1, "1945-07-31", "day", "25486", "H1", 1),
        ("b", "Nguyễn Gia Tuấn", 1, "1944-07-28", "day", "25999", "H2", 7),
    ]) == []


def test_household_surname_and_middle_compare_a_double_entry_with_a_slipped_name_and_date():
    hit = _rules_hit([
        ("a", "Lê Thanh Yến", 2, "2018-04-29", "day", "25639", "H1", 3),
        ("b", "Lê Thanh Yne", 2, "2017-04-28", "day", "25639", "H1", 3),
    ])
    assert hit == ["l.household_id = r.household_id AND l.surname = r.surname AND l.middle = r.middle"]


def test_the_register_only_rules_are_not_used_for_sources():
    no_id = " AND (l.citizen_id IS NULL OR r.citizen_id IS NULL)"
    dedupe_rules = [r.replace(no_id, "") for r in blocking_rules_for("dedupe")]
    for kind in ("residents", "insurance", "civil_births", "survey_persons"):
        src = blocking_rules_for(kind)
        assert not [r for r in src if "l.name_fold = r.name_fold AND l.commune_code" in r]
        assert set(r.replace(no_id, "") for r in src) - set(dedupe_rules) <= {"l.mother_fold = r.mother_fold AND l.birth_year = r.birth_year",
                                               "l.surname = r.surname AND l.given = r.given "
                                               "AND l.commune_code = r.commune_code"}


def test_register_rules_without_a_place_compare_only_pairs_one_of_which_has_no_id():
    """Two records with valid IDs are the ID rule's pair (same ID) or kept apart by distinct_ids
    (different IDs), so a rule without household, place or ID key leaves them out."""
    row = ("Nguyễn Văn Hải", 1, "1990-05-24", "day")
    persons = pd.DataFrame([("a", *row, "25001", "H1", 1, "072090000001"),
                            ("b", *row, "25999", "H9", 7, "072090000002"),
                            ("c", *row, "25777", "H7", 7, None)],
                           columns=["person_id", "full_name", "sex", "birth_date", "birth_date_precision",
                                    "commune_code", "household_id", "relation_to_head", "citizen_id"])
    persons["birth_date"] = pd.to_datetime(persons["birth_date"])
    pairs = pd.DataFrame({"id_l": ["a", "a", "b"], "id_r": ["b", "c", "c"]})
    b = blocked(person_features(persons), None, pairs, "dedupe")
    assert b["compared"].tolist() == [False, True, True]
    rules = blocking_rules_for("dedupe")
    assert all("citizen_id IS NULL" in r for r in rules if not any(
        k in r for k in ("household_id", "commune_code", "district_code", "l.citizen_id = r.citizen_id")))


def test_source_rules_without_a_place_compare_only_pairs_one_of_which_has_no_id():
    """The same for a source: a police residence record with another valid ID than the register's
    namesake is never linked to it (``distinct_ids``), so the province-wide rules leave the pair out;
    the source record without ID is still compared (docs/linkage.md, "Blocking")."""
    row = ("Nguyễn Văn Hải", 1, "1990-05-24", "day")
    cols = ["person_id", "full_name", "sex", "birth_date", "birth_date_precision", "commune_code",
            "household_id", "relation_to_head", "citizen_id"]
    reg = pd.DataFrame([("a", *row, "25001", "H1", 1, "072090000001")], columns=cols)
    src = pd.DataFrame([("s1", *row, "25999", "H9", 1, "072090000002"),
                        ("s2", *row, "25777", "H7", 1, None)], columns=cols)
    for df in (reg, src):
        df["birth_date"] = pd.to_datetime(df["birth_date"])
    pairs = pd.DataFrame({"id_l": ["a", "a"], "id_r": ["s1", "s2"]})
    b = blocked(person_features(reg), person_features(src), pairs, "residents")
    assert b["compared"].tolist() == [False, True]
    for kind in ("residents", "insurance", "civil_deaths"):
        rules = blocking_rules_for(kind)
        assert all("citizen_id IS NULL" in r for r in rules if not any(
            k in r for k in ("household_id", "commune_code", "district_code", "l.citizen_id = r.citizen_id")))
