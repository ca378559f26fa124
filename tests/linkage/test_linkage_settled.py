"""Source records settled by their citizen ID take the ID rule only (``settle_by_id``).

The shortcut must not change a link: a record is settled only when its ID names exactly one
register person, no other record of the source carries the ID, and name and exact date agree.
Every other record (an ID typo, someone else's ID, a shared ID, no ID) goes through every rule.
"""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.linkage import link
from popqa.linkage.features import person_features, source_features
from popqa.linkage.model import id_resolved

PERSONS = [
    # person_id, full_name, birth_date, commune, household, citizen_id
    ("A", "Võ Thị Lan", "1980-05-06", "25456", "H1", "072180000001"),
    ("A2", "Võ Thị Lan", "1980-05-06", "25459", "H2", None),  # A typed again elsewhere, without ID
    ("B", "Đặng Văn Tài", "1975-11-20", "25461", "H3", "072075000002"),
    ("C", "Lý Minh Khoa", "1992-02-14", "25465", "H4", "072092000003"),
    ("D", "Lý Minh Khôi", "1993-07-01", "25465", "H4", "072093000004"),
    ("E1", "Tô Văn Hải", "1960-03-03", "25468", "H5", "072060000005"),
    ("E2", "Tô Văn Hải", "1960-03-03", "25471", "H6", "072060000005"),  # one ID on two persons
]
INSURANCE = [
    # insurance_id, full_name, birth_date, commune, citizen_id
    ("R1", "Võ Thị Lan", "1980-05-06", "25456", "072180000001"),  # settled: A
    ("R2", "Võ Thị Lan", "1980-05-06", "25459", None),  # the same person again, without ID
    ("R3", "Đặng Văn Tài", "1975-11-20", "25461", "072075000099"),  # another valid ID: not settled
    ("R4", "Lý Minh Khôi", "1993-07-01", "25465", "072092000003"),  # C's ID, D's name: not settled
    ("R5", "Tô Văn Hải", "1960-03-03", "25468", "072060000005"),  # an ID on two persons: not settled
]


def _persons() -> pd.DataFrame:
    p = pd.DataFrame(PERSONS, columns=["person_id", "full_name", "birth_date", "commune_code", "household_id",
                                       "citizen_id"])
    p["birth_date"] = pd.to_datetime(p["birth_date"])
    p["sex"] = pd.array([2, 2, 1, 1, 1, 1, 1], dtype="Int64")
    p["birth_date_precision"] = "day"
    p["province_code"] = "72"
    p["district_code"] = p["commune_code"].str[:3]
    return p


def _insurance() -> pd.DataFrame:
    r = pd.DataFrame(INSURANCE, columns=["insurance_id", "full_name", "birth_date", "commune_code", "citizen_id"])
    r["birth_date"] = pd.to_datetime(r["birth_date"])
    r["sex"] = pd.array([2, 2, 1, 1, 1], dtype="Int64")
    return r


def test_only_an_unambiguous_agreeing_id_settles_a_record():
    persons, insurance = _persons(), _insurance()
    left = person_features(persons)
    right = source_features(insurance, "insurance", persons=persons, reference_year=2026)
    settled = dict(zip(right["unique_id"], id_resolved(left, right), strict=True))
    assert settled == {"R1": True, "R2": False, "R3": False, "R4": False, "R5": False}
    # the same ID twice in the source: neither record is settled
    twice = pd.concat([insurance, insurance.iloc[[0]].assign(insurance_id="R6")], ignore_index=True)
    right2 = source_features(twice, "insurance", persons=persons, reference_year=2026)
    assert not id_resolved(left, right2).any()


def test_frames_in_files_settle_the_same_records(tmp_path):
    """DuckDB reads a frame in a file itself (its rows by their position in the file), one in memory as Arrow."""
    from popqa.linkage.frames import FrameFile

    persons, insurance = _persons(), _insurance()
    left = person_features(persons)
    right = source_features(insurance, "insurance", persons=persons, reference_year=2026)
    # the settled record last, so that a position lost in the file would show
    right = right.iloc[::-1].reset_index(drop=True)
    want = id_resolved(left, right)
    assert want.tolist() == [False, False, False, False, True]
    lf, rf = FrameFile.write(left, tmp_path / "l.parquet"), FrameFile.write(right, tmp_path / "r.parquet")
    for a, b in ((lf, right), (left, rf), (lf, rf)):
        assert id_resolved(a, b).tolist() == want.tolist()


@pytest.mark.parametrize("settle", [True, False])
def test_links_are_the_same_with_and_without_settling(settle):
    lr = link(_persons(), _insurance(), "insurance", {"settle_by_id": settle})
    linked = dict(zip(lr.links["source_id"], lr.links["person_id"], strict=True))
    assert linked["R1"] == "A"
    assert linked["R2"] == "A2"  # A went to R1 (one to one), the duplicate without ID to R2
    # two valid IDs that differ never link (the distinct_ids rule), however well the rest agrees;
    # the name and date rules still found the pair, shown with its evidence
    assert pd.isna(linked["R3"])
    # an ID agreeing on one person and names on another: the ID wins, the other is still compared
    assert linked["R4"] == "C"
    cands = lr.pairs.groupby("source_id")["person_id"].apply(set)
    assert cands["R3"] == {"B"} and cands["R4"] == {"C", "D"} and cands["R5"] == {"E1", "E2"}
    # the settled record was compared with its ID's person only; the others with every candidate
    if settle:
        assert cands["R1"] == {"A"}
    else:
        assert cands["R1"] >= {"A", "A2"}
    assert cands["R2"] >= {"A", "A2"}


@pytest.mark.slow
def test_settling_changes_no_link_on_the_synthetic_province():
    from popqa.synth import generate_province

    reg = generate_province(scale=0.02, seed=11).register
    for kind in ("residents", "insurance", "civil_deaths"):
        a = link(reg.persons, reg[kind], kind, {"settle_by_id": True}).links
        b = link(reg.persons, reg[kind], kind, {"settle_by_id": False}).links
        pd.testing.assert_frame_equal(a, b)
