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


def _by_pandas(frame: pd.DataFrame) -> pd.Series:
    """The adjustment written with pandas' counts, as popqa computed it before the twenty-first measurement."""
    import numpy as np

    cols = ["surname", "middle", "given", "sex"]
    share = {c: frame[c].map(frame[c].value_counts(normalize=True)).to_numpy(dtype="float64", na_value=np.nan)
             for c in cols[:3]}
    u_sex = float((frame["sex"].value_counts(normalize=True) ** 2).sum())
    whole = frame[cols].notna().all(axis=1).to_numpy()
    joint = np.full(len(frame), np.nan)
    named = frame.loc[whole, cols]
    joint[whole] = named.groupby(cols, sort=False)[cols[0]].transform("size").to_numpy(dtype="float64") / len(named)
    with np.errstate(divide="ignore", invalid="ignore"):
        adj = np.log2(share["surname"] * share["middle"] * share["given"] * u_sex / joint)
    return pd.Series(np.round(np.where(np.isfinite(adj), adj, 0.0), 6), index=frame["unique_id"].to_numpy())


def test_the_counts_by_codes_equal_pandas_counts_with_missing_parts_and_odd_sexes():
    import numpy as np

    rng = np.random.default_rng(7)
    n = 5_000
    pick = lambda values, p_missing: pd.Series(  # noqa: E731
        np.where(rng.random(n) < p_missing, None, rng.choice(values, n)), dtype="string[pyarrow]")
    frame = pd.DataFrame({
        "unique_id": pd.Series([f"P{i}" for i in range(n)], dtype="string[pyarrow]"),
        "surname": pick(["nguyen", "tran", "le", "pham", "quach", ""], 0.02),
        "middle": pick(["thi", "van", "ngoc", "huu"], 0.10),
        "given": pick([f"g{i}" for i in range(300)], 0.01),
        "sex": pd.Series(np.where(rng.random(n) < 0.03, None, rng.choice([1, 2, 2, 9], n)), dtype="Int64"),
    })
    ours, theirs = name_adjustments(frame), _by_pandas(frame)
    assert (ours.to_numpy() == theirs.to_numpy()).all()
    assert (ours != 0).sum() > 0.8 * n and (ours == 0).sum() > 0.1 * n  # missing parts give 0


def test_the_pairs_take_their_left_records_adjustment():
    import numpy as np

    from popqa.linkage.model import evidence_labels
    from popqa.linkage.namefreq import PARTS, whole_name_adjustment

    f = person_features(_register())
    per = name_adjustments(f)
    labels = evidence_labels("dedupe")
    agree = {f"gamma_{n}": [k for k, v in labels[n].items() if v == lab][0] for n, lab in PARTS}
    raw = pd.DataFrame({"unique_id_l": pd.Series(["T00", "R1", "Y1", "nobody", "T05"], dtype="string[pyarrow]"),
                        "unique_id_r": pd.Series(["T01", "R2", "Y2", "T00", "T06"], dtype="string[pyarrow]"),
                        "match_weight": [1.0, 2.0, 3.0, 4.0, 5.0], "match_probability": 0.5, **agree})
    raw.loc[2, "gamma_given"] = -1  # Phạm Văn Nam / Lam: the given names differ
    out = whole_name_adjustment(raw, f)
    expected = [1.0 + per["T00"], 2.0 + per["R1"], 3.0, 4.0, 5.0 + per["T05"]]  # no record "nobody": no change
    assert np.allclose(out["match_weight"], expected, atol=1e-6)
    assert out.loc[2, "match_probability"] == 0.5  # a pair that differs keeps the model's probability
    assert abs(out.loc[3, "match_probability"] - 1 / (1 + 2 ** -4.0)) < 1e-9  # agreeing: from its weight
    assert raw["match_weight"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]  # the input is not written into
