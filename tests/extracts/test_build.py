"""Duplicate collapsing and flags on hand-made registers."""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.errors import InputError
from popqa.extracts import EXTRACT_COLUMNS, build_extract
from tests.extracts.frames import no_findings, person, register


def clusters(*groups: tuple[str, ...]) -> pd.DataFrame:
    rows = [(pid, min(g)) for g in groups for pid in g]
    return pd.DataFrame(rows, columns=["person_id", "cluster_id"])


def findings(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"table": "persons", "record_id": r, "rule_id": rid, "severity": sev}
                         for r, rid, sev in rows])


def test_a_cluster_is_one_row_keeping_the_most_complete_record():
    rows = [person("A", "2022-01-01", birth_date_precision="year", citizen_id=None, education_level=None),
            person("B", "2022-03-04"),
            person("C", "2022-03-04", full_name="Lê Thị Cúc", sex=2)]
    t = build_extract(register(rows), "under6", clusters=clusters(("A", "B")), findings=no_findings())
    r = t.rows.set_index("person_id")
    assert list(t.rows.columns) == list(EXTRACT_COLUMNS)
    assert sorted(r.index) == ["B", "C"]            # A folded into B, the more complete record
    assert r.loc["B", "duplicate_person_ids"] == "A"
    assert r.loc["B", "flags"] == "probable_duplicate"
    assert r.loc["B", "birth_date"] == "2022-03-04" and r.loc["C", "flags"] == ""
    assert t.excluded["duplicate_records_folded"] == 1


def test_the_kept_record_is_present_and_lists_the_gone_ones():
    rows = [person("A", "2022-03-04", status=2), person("B", "2022-03-04", citizen_id=None),
            person("C", "2022-03-04", status=3)]
    t = build_extract(register(rows), "under6", clusters=clusters(("A", "B", "C")), findings=no_findings())
    assert t.rows[["person_id", "duplicate_person_ids"]].values.tolist() == [["B", "A;C"]]


def test_a_cluster_whose_records_are_all_gone_is_not_listed():
    rows = [person("A", "2022-03-04", status=2), person("B", "2022-03-04", status=3)]
    t = build_extract(register(rows), "under6", clusters=clusters(("A", "B")), findings=no_findings())
    assert len(t.rows) == 0


def test_one_eligible_record_of_a_cluster_is_enough_and_is_the_one_shown():
    # the duplicate's birth date is one year off: the person is listed once, with the eligible record
    rows = [person("A", "2020-03-04"), person("B", "2021-03-04", citizen_id=None)]
    t = build_extract(register(rows), "under6", clusters=clusters(("A", "B")), findings=no_findings())
    assert t.rows[["person_id", "duplicate_person_ids", "birth_date"]].values.tolist() == [
        ["B", "A", "2021-03-04"]]


def test_a_repeated_person_id_is_one_row():
    rows = [person("A", "2022-03-04", citizen_id=None), person("A", "2022-03-04")]
    t = build_extract(register(rows), "under6", findings=no_findings())
    assert t.rows[["person_id", "duplicate_person_ids", "citizen_id", "flags"]].values.tolist() == [
        ["A", "", "072080123456", "probable_duplicate"]]


def test_flags_are_the_error_and_warning_findings_of_every_record_of_the_person():
    rows = [person("A", "2022-03-04"), person("B", "2022-03-04"), person("C", "2022-03-04")]
    f = findings(("A", "V012", "error"), ("B", "L001", "warning"), ("B", "V012", "error"),
                 ("C", "P999", "info"), ("A", "H001", "warning"))
    f.loc[len(f)] = {"table": "households", "record_id": "C", "rule_id": "H777", "severity": "error"}
    t = build_extract(register(rows), "under6", clusters=clusters(("A", "B")), findings=f)
    r = t.rows.set_index("person_id")["flags"].to_dict()
    assert r == {"A": "H001;L001;V012;probable_duplicate", "C": ""}


def test_no_citizen_id_flag_from_14():
    rows = [person("adult", "1990-01-01", citizen_id=None), person("fourteen_today", "2012-10-31", citizen_id=" "),
            person("thirteen", "2012-11-01", citizen_id=None), person("has_id", "1990-01-01")]
    for kind, expect in (("voters", {"adult": "no_citizen_id", "has_id": ""}),):
        t = build_extract(register(rows), kind, findings=no_findings())
        assert dict(zip(t.rows["person_id"], t.rows["flags"], strict=True)) == expect
    t = build_extract(register(rows), "military_registration", findings=no_findings(), as_of="2026-10-31")
    assert len(t.rows) == 0
    under = build_extract(register([person("child", "2022-01-01", citizen_id=None)]), "under6",
                          findings=no_findings())
    assert under.rows["flags"].tolist() == [""]
    # a 14-year-old without an id: flagged (the catalogue's rule applies from 14)
    mil = build_extract(register(rows), "school_entry", school_year=2018, findings=no_findings())
    assert dict(zip(mil.rows["person_id"], mil.rows["flags"], strict=True)) == {
        "fourteen_today": "no_citizen_id", "thirteen": ""}


def test_flags_combine_in_a_fixed_order():
    rows = [person("A", "2020-01-01", birth_date_precision="year", citizen_id=None),
            person("B", "2020-10-01", birth_date_precision="month", citizen_id=None)]
    t = build_extract(register(rows), "under6", clusters=clusters(("A", "B")), as_of="2026-10-15",
                      findings=findings(("A", "V020", "warning")))
    assert t.rows["flags"].tolist() == ["V020;age_uncertain;probable_duplicate"]
    assert t.rows["person_id"].tolist() == ["B"]  # month precision beats year precision


def test_unit_names_village_and_collaborator():
    t = build_extract(register([person("A", "2022-03-04", household_id="H2")]), "under6", findings=no_findings())
    r = t.rows.iloc[0]
    assert (r["commune_code"], r["commune_name"], r["district_code"], r["province_code"]) == (
        "25456", "Phường 1", "703", "72")
    assert r["commune_code_2025"] == "25459" and r["commune_name_2025"] == "Phường Tân Ninh"
    assert (r["province_code_2025"], r["province_name_2025"]) == ("80", "Tỉnh Tây Ninh")
    assert (r["village"], r["collaborator_id"]) == ("Ấp 2", "C2")
    unknown = build_extract(register([person("B", "2022-03-04", commune_code="99999", district_code=None)]),
                            "under6", findings=no_findings()).rows.iloc[0]
    assert unknown["commune_code"] == "99999" and unknown[["district_name", "commune_name", "commune_code_2025",
                                                            "province_name_2025"]].isna().all()
    assert r["age"] == 4 and r["sex"] == 1


def test_summary_counts_by_commune_and_flag():
    rows = [person("A", "2020-01-01", birth_date_precision="year"), person("B", "2022-03-04"),
            person("C", "2022-03-04", commune_code="25459")]
    t = build_extract(register(rows), "under6", findings=no_findings())
    s = t.summary()
    assert s["persons"] == 3 and s["flags"] == {"age_uncertain": 1, "any": 1}
    assert s["communes"]["25456"] == {"persons": 2, "flags": {"age_uncertain": 1, "any": 1}}
    assert s["communes"]["25459"] == {"persons": 1, "flags": {}}
    assert s["reference_date"] == "2026-10-31" and s["kind"] == "under6"


def review_pairs(*pairs: tuple[str, str]) -> pd.DataFrame:
    """L002 findings as the linkage writes them: record_id and the other record of the pair in value."""
    return pd.DataFrame([{"table": "persons", "record_id": r, "value": v, "rule_id": "L002", "severity": "info"}
                         for r, v in pairs])


def test_possible_duplicate_marks_both_persons_of_a_pair_sent_to_review():
    # A and B: a pair below the merge threshold (two rows, both flagged); C and D are one cluster, and
    # a review pair inside a cluster adds nothing; E pairs with a dead record F: still flagged
    rows = [person("A", "2022-03-04"), person("B", "2022-03-04", full_name="Nguyen Van An"),
            person("C", "2022-03-04"), person("D", "2022-03-04"), person("E", "2021-05-06"),
            person("F", "2021-05-06", status=2), person("G", "2021-05-06")]
    f = pd.concat([review_pairs(("B", "A"), ("D", "C"), ("F", "E"), ("G", "X-not-in-register")),
                   findings(("A", "V012", "error"))], ignore_index=True)
    t = build_extract(register(rows), "under6", clusters=clusters(("A",), ("B",), ("C", "D"), ("E",), ("F",),
                                                                  ("G",)), findings=f)
    r = t.rows.set_index("person_id")["flags"].to_dict()
    assert r == {"A": "V012;possible_duplicate", "B": "possible_duplicate", "C": "probable_duplicate",
                 "E": "possible_duplicate", "G": ""}
    assert "L002" not in ";".join(r.values())   # an info finding is never a flag by itself


def test_possible_duplicate_is_ordered_among_the_named_flags():
    rows = [person("A", "2020-01-01", birth_date_precision="year", citizen_id=None), person("B", "2021-10-01"),
            person("C", "2020-01-01", birth_date_precision="year")]
    t = build_extract(register(rows), "under6", clusters=clusters(("A", "B"), ("C",)), as_of="2026-10-15",
                      findings=review_pairs(("C", "A")))
    r = t.rows.set_index("person_id")["flags"].to_dict()
    assert r == {"B": "probable_duplicate;possible_duplicate", "C": "age_uncertain;possible_duplicate"}


def scored(*pairs: tuple[str, str, float], review: str | None = None) -> pd.DataFrame:
    """The deduplication's scored pairs (person_id_l < person_id_r) with their probabilities."""
    return pd.DataFrame([{"person_id_l": min(a, b), "person_id_r": max(a, b), "match_probability": p,
                          "review": review} for a, b, p in pairs])


def test_collapse_at_lists_apart_records_linked_below_it():
    # one cluster A-B-C by two links: A-B near certain, B-C at 0.8 (a namesake folded in, say); D-E one
    # cluster at 0.75. At 0.99: A+B one row, C and its cluster mates flagged, D and E two rows, both flagged
    rows = [person("A", "2022-03-04"), person("B", "2022-03-04", citizen_id=None),
            person("C", "2022-03-04", household_id="H2"), person("D", "2021-05-06"), person("E", "2021-05-06")]
    cl = clusters(("A", "B", "C"), ("D", "E"))
    pairs = scored(("A", "B", 0.9995), ("B", "C", 0.8), ("D", "E", 0.75))
    default = build_extract(register(rows), "under6", clusters=cl, findings=no_findings(), pairs=pairs)
    assert default.rows["person_id"].tolist() == ["A", "D"]      # without collapse_at: the clusters as they are
    t = build_extract(register(rows), "under6", clusters=cl, findings=no_findings(), pairs=pairs, collapse_at=0.99)
    r = t.rows.set_index("person_id")
    assert sorted(r.index) == ["A", "C", "D", "E"]
    assert r.loc["A", "duplicate_person_ids"] == "B" and r.loc["C", "duplicate_person_ids"] == ""
    assert r["flags"].to_dict() == {"A": "probable_duplicate;possible_duplicate", "C": "possible_duplicate",
                                    "D": "possible_duplicate", "E": "possible_duplicate"}
    assert t.params.collapse_at == 0.99 and t.summary()["collapse_at"] == 0.99
    # at 0.9999 nothing is one row: every record listed, every row flagged
    t = build_extract(register(rows), "under6", clusters=cl, findings=no_findings(), pairs=pairs,
                      collapse_at=0.9999)
    assert sorted(t.rows["person_id"]) == ["A", "B", "C", "D", "E"]
    assert t.rows["flags"].str.contains("possible_duplicate").all()


def test_collapse_at_never_joins_clusters_and_keeps_reviewers_matches():
    # a pair across two clusters (refused by the clusters' constraints) stays apart; a reviewer's match
    # below collapse_at stays joined
    rows = [person("A", "2022-03-04"), person("B", "2022-03-04"), person("C", "2022-03-04"),
            person("D", "2022-03-04")]
    cl = clusters(("A", "B"), ("C",), ("D",))
    pairs = pd.concat([scored(("A", "B", 0.72), review="match"), scored(("B", "C", 0.9999))], ignore_index=True)
    t = build_extract(register(rows), "under6", clusters=cl, findings=no_findings(), pairs=pairs, collapse_at=0.99)
    assert sorted(t.rows["person_id"]) == ["A", "C", "D"]
    assert t.rows.set_index("person_id")["flags"].to_dict() == {"A": "probable_duplicate", "C": "", "D": ""}


def test_collapse_at_is_checked():
    rows = [person("A", "2022-03-04")]
    with pytest.raises(InputError, match="probability"):
        build_extract(register(rows), "under6", clusters=clusters(("A",)), pairs=scored(), collapse_at=1.5)
    with pytest.raises(InputError, match="scored pairs"):
        build_extract(register(rows), "under6", clusters=clusters(("A",)), collapse_at=0.99)


def test_refine_clusters_recounts_cluster_size_and_splits_only_within_clusters():
    from popqa.extracts.build import refine_clusters

    cl = pd.DataFrame({"person_id": ["A", "B", "C", "D", "E"], "cluster_id": ["A", "A", "A", "D", "D"],
                       "cluster_size": pd.array([3, 3, 3, 2, 2], dtype="Int64")})
    pairs = scored(("A", "B", 0.9999), ("A", "C", 0.75), ("D", "E", 0.995), ("C", "D", 0.9999))
    new, split = refine_clusters(cl, pairs, 0.99)
    assert new["cluster_id"].tolist() == ["A", "A", "C", "D", "D"]      # C-D (two clusters) never joins them
    assert new["cluster_size"].tolist() == [2, 2, 1, 2, 2] and new["cluster_size"].dtype == cl["cluster_size"].dtype
    assert split.values.tolist() == [["A", "C"]]
    same, none = refine_clusters(cl, pairs, 0.7)                      # at or below every link: unchanged
    assert same["cluster_id"].tolist() == cl["cluster_id"].tolist() and none.empty


def test_one_basis_makes_every_kind_as_each_kind_made_alone():
    # the stage works out each record's person, flags and review pairs once (extract_basis) and makes every
    # kind from it, in turn: no kind may change what the next one sees
    from popqa.extracts import KINDS
    from popqa.extracts.build import extract_basis

    rows = [person("A", "2025-03-04"), person("B", "2025-03-04", citizen_id=None, birth_date_precision="month"),
            person("C", "2020-10-01", birth_date_precision="year"), person("D", "2009-04-05"),
            person("E", "2005-01-02", education_level=5), person("F", "1990-05-06", citizen_id=None),
            person("G", "1990-05-06", household_id="H2", status=3), person("H", "1960-07-08", sex=2),
            person("I", "2008-12-01"), person("", "1980-01-01")]
    cl = clusters(("A", "B"), ("C",), ("D",), ("E",), ("F", "G"), ("H",), ("I",))
    pairs = scored(("A", "B", 0.9995), ("F", "G", 0.8), ("H", "I", 0.6))
    f = pd.concat([findings(("B", "V012", "warning"), ("F", "D003", "error"), ("H", "Q001", "info")),
                   pd.DataFrame([{"table": "persons", "record_id": "H", "rule_id": "L002", "severity": "info",
                                  "value": "I"}])], ignore_index=True)
    reg = register(rows)
    for collapse_at in (None, 0.99):
        made_of = {"clusters": cl, "findings": f, "pairs": pairs, "collapse_at": collapse_at}
        basis = extract_basis(reg, **made_of)
        for kind in (*KINDS, *reversed(KINDS)):
            shared = build_extract(reg, kind, as_of="2026-10-31", basis=basis)
            alone = build_extract(reg, kind, as_of="2026-10-31", **made_of)
            pd.testing.assert_frame_equal(shared.rows, alone.rows)
            assert shared.excluded == alone.excluded and shared.params == alone.params
    voters = build_extract(reg, "voters", basis=basis).rows.set_index("person_id")["flags"].to_dict()
    assert voters == {"E": "", "F": "D003;possible_duplicate;no_citizen_id", "H": "possible_duplicate"}


def test_a_basis_is_given_alone_and_for_its_own_register():
    from popqa.extracts.build import extract_basis

    reg = register([person("A", "2022-03-04")])
    basis = extract_basis(reg, clusters=clusters(("A",)))
    with pytest.raises(InputError, match="either a basis"):
        build_extract(reg, "under6", basis=basis, findings=no_findings())
    with pytest.raises(InputError, match="another register"):
        build_extract(register([person("A", "2022-03-04"), person("B", "2022-03-04")]), "under6", basis=basis)
