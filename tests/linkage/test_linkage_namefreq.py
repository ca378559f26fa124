"""Whole-name frequency (popqa.linkage.namefreq): a common full name is weighed by how many records
bear it, not by the product of its parts' frequencies.

Hand-built register: "Nguyễn Thị Thảo" is borne by 24 women, but her parts are each shared with
other names ("Nguyễn" by men too, "Thị" by other women, "Thảo" by men called "Văn Thảo" here), so
the parts multiply to a rarer name than the register holds. The expected adjustment is computed by
hand from the counts, as Splink computes term frequencies (a value's share among the records that
have one).
"""

from __future__ import annotations

import math

import pandas as pd

from popqa.linkage import dedupe
from popqa.linkage.config import LinkageConfig
from popqa.linkage.features import person_features
from popqa.linkage.namefreq import name_adjustments


def _register() -> pd.DataFrame:
    rows = []
    # 24 women "Nguyễn Thị Thảo", born on different days; two share 1990-04-12 in two communes,
    # one of them without ID: namesakes
    for i in range(24):
        rows.append((f"T{i:02d}", "Nguyễn Thị Thảo", 2, f"19{60 + i}-0{1 + i % 9}-1{i % 9}", f"H{i}", f"254{60 + i}"))
    rows[0] = ("T00", "Nguyễn Thị Thảo", 2, "1990-04-12", "H0", "25460")
    rows[1] = ("T01", "Nguyễn Thị Thảo", 2, "1990-04-12", "H1", "25461")
    # 24 men "Nguyễn Văn Minh", 24 women "Lê Thị Lan", 24 men "Trần Văn Thảo"
    for i in range(24):
        rows.append((f"M{i:02d}", "Nguyễn Văn Minh", 1, f"19{50 + i}-0{1 + i % 9}-2{i % 9}", f"HM{i}", "25470"))
        rows.append((f"L{i:02d}", "Lê Thị Lan", 2, f"19{55 + i}-1{i % 3}-0{1 + i % 9}", f"HL{i}", "25471"))
        rows.append((f"V{i:02d}", "Trần Văn Thảo", 1, f"19{45 + i}-0{1 + i % 9}-0{1 + i % 9}", f"HV{i}", "25472"))
    # a rare full name, twice with one date in two communes, one record without ID: one person re-entered
    rows.append(("R1", "Quách Bửu Khiêm", 1, "1979-10-30", "HR1", "25465"))
    rows.append(("R2", "Quách Bửu Khiêm", 1, "1979-10-30", "HR2", "25468"))
    # two men with one date and two given names one letter apart: not the same whole name
    rows.append(("Y1", "Phạm Văn Nam", 1, "1985-05-05", "HY1", "25466"))
    rows.append(("Y2", "Phạm Văn Lam", 1, "1985-05-05", "HY2", "25466"))
    df = pd.DataFrame(rows, columns=["person_id", "full_name", "sex", "birth_date", "household_id", "commune_code"])
    df["birth_date"] = pd.to_datetime(df["birth_date"])
    df["district_code"] = "705"
    df["relation_to_head"] = 1
    return df


def test_the_adjustment_is_the_whole_names_share_against_its_parts():
    f = person_features(_register())
    adj = name_adjustments(f)
    n = len(f)  # 100 records, every part present
    assert n == 100
    surname, middle, given = 48 / n, 48 / n, 48 / n  # Nguyễn 48, Thị 48, Thảo 48
    u_sex = (52 / n) ** 2 + (48 / n) ** 2  # 52 men, 48 women
    expected = math.log2(surname * middle * given * u_sex / (24 / n))
    assert abs(adj["T00"] - expected) < 1e-4
    assert expected < -1.5  # the parts make "Nguyễn Thị Thảo" look nearly 3x rarer than she is
    # a rare name whose parts are rare together: the parts, multiplied, would count it three times
    # ((2/n)^3 for a name 2 records of n bear); the whole name counts it once
    assert abs(adj["R1"] - math.log2((2 / n) ** 3 * u_sex / (2 / n))) < 1e-4


def test_common_namesakes_with_one_date_lose_weight_rare_names_stay_matches():
    persons = _register()
    with_whole = dedupe(persons, config=LinkageConfig(min_probability=0.0)).pairs.set_index(["person_id_l", "person_id_r"])
    parts_only = dedupe(persons, config=LinkageConfig(min_probability=0.0, whole_name_frequency=False)).pairs.set_index(
        ["person_id_l", "person_id_r"])
    common, rare = ("T00", "T01"), ("R1", "R2")
    assert with_whole.loc[common, "match_weight"] < parts_only.loc[common, "match_weight"] - 1.5
    assert with_whole.loc[common, "match_probability"] < parts_only.loc[common, "match_probability"]
    # (in a register of 100 records one exact date is still rare enough to make them a probable match;
    # at register size it is not: docs/linkage.md, "Whole-name frequency")
    # the rare name loses the bits its parts counted twice, and stays a match
    assert with_whole.loc[rare, "match_probability"] >= 0.7
    # pairs that differ in a part of the name keep the model's weight
    name = persons.set_index("person_id")["full_name"]
    ids_l, ids_r = with_whole.index.get_level_values(0), with_whole.index.get_level_values(1)
    differ = name.loc[ids_l].to_numpy() != name.loc[ids_r].to_numpy()
    assert differ.sum() > 0 and (~differ).sum() > 2
    delta = (with_whole["match_weight"] - parts_only["match_weight"].reindex(with_whole.index)).abs()
    assert delta[differ].max() < 1e-9
    assert delta[~differ].min() > 1
