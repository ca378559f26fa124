"""The evidence of an exact given name, and of a one-digit slip that puts two births a generation apart.

Fellegi-Sunter with term frequencies (Winkler 1989; Splink 5.0.0, the version pinned in
pyproject.toml: its documentation, "term frequency adjustments", and the comparison-level option
``disable_tf_exact_match_detection`` in splink/internals/comparison_level.py). No published
figure is used: the expected values are computed here from the documented priors. In short: for a value v, the Bayes factor of an exact agreement is m / u(v), with u(v) the
frequency of v. Splink writes it as the level's m / u times the adjustment u / u(v), where u must be
the u of *that* level. By default Splink takes the u of the first level whose SQL is a bare
``given_l = given_r``; in popqa's given-name comparison that is "same letters, other tone marks"
(u 0.004 in the documented priors), not "exact" (u 0.015, whose SQL also checks the tone marks),
so every exact given name lost log2(0.015 / 0.004) = 1.9 bits before the fix (3.6-5.2 bits with
the estimated u values, docs/linkage.md). The frame below is small, so the model keeps its
documented priors (no training) and the expected figure follows from them alone.
"""

from __future__ import annotations

import math

import pandas as pd

from popqa.linkage import dedupe
from popqa.linkage.config import LinkageConfig
from popqa.linkage.features import person_features
from popqa.linkage.model import COMPARISONS, _prior, run_splink


def _frame(n_other: int = 28) -> pd.DataFrame:
    # two records with one given name ("Khiêm") and one date; surnames and middle names differ, so
    # the given name is the only comparison with a term-frequency adjustment at its exact level
    rows = [("A", "Quách Bửu Khiêm", "1979-10-30", "H1"), ("B", "Đinh Thế Khiêm", "1979-10-30", "H2")]
    givens = ["An", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hải", "Hiếu", "Hoàng", "Huy", "Khang", "Khoa",
              "Lâm", "Long", "Lực", "Mạnh", "Nam", "Nghĩa", "Phát", "Phong", "Phúc", "Quang", "Sơn", "Tài",
              "Thắng", "Thiện", "Toàn", "Trí", "Tuấn", "Vinh"]
    for i in range(n_other):
        rows.append((f"X{i}", f"Lê Văn {givens[i]}", f"19{50 + i}-0{1 + i % 9}-1{i % 9}", f"HX{i}"))
    return pd.DataFrame(rows, columns=["person_id", "full_name", "birth_date", "household_id"]).assign(
        birth_date=lambda d: pd.to_datetime(d["birth_date"]), sex=1, commune_code="25465")


def test_an_exact_given_name_is_adjusted_from_its_own_level():
    persons = _frame()
    f = person_features(persons)
    n = len(f)
    raw = run_splink(f, None, "dedupe", LinkageConfig(min_probability=0.0))
    row = raw[((raw["unique_id_l"] == "A") & (raw["unique_id_r"] == "B"))
              | ((raw["unique_id_l"] == "B") & (raw["unique_id_r"] == "A"))]
    assert len(row) == 1
    row = row.iloc[0]
    exact = next(lv for lv in COMPARISONS["given"][1] if lv.label == "exact")
    other = next(lv for lv in COMPARISONS["given"][1] if lv.label == "same letters, other tone marks")
    assert exact.tf == "given" and exact.u != other.u
    # the pair's weight = prior + every comparison's level weight + the given name's adjustment
    # (surname and middle name differ: no adjustment there)
    prior = _prior(n, None)
    levels = sum(row[c] for c in raw.columns if c.startswith("mw_"))
    adjustment = row["match_weight"] - math.log2(prior / (1 - prior)) - levels
    expected = math.log2(exact.u / (2 / n))   # "Khiêm" is 2 of the n given names
    wrong_base = math.log2(other.u / (2 / n))
    assert abs(adjustment - expected) < 0.01, (adjustment, expected, wrong_base)
    # so the exact given name's whole evidence is log2(m / frequency), whatever the level's u
    assert abs(row["mw_given"] + adjustment - math.log2(exact.m / (2 / n))) < 0.01


def test_a_one_digit_slip_a_generation_apart_is_not_a_slip():
    """1948 and 1998 differ by one digit, but by 50 years: the year gap decides (merge rule ``year_gap``)."""
    persons = pd.DataFrame({
        "person_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
        "full_name": ["Nguyễn Minh Long", "Nguyễn Long", "Phan Thị Loan", "Phan Thị Loan", "Võ Văn Tâm", "Võ Văn Tâm"],
        "sex": [1, 1, 2, 2, 1, 1],
        "birth_date": pd.to_datetime(["1948-01-01", "1998-01-01", "2018-09-24", "2013-09-24", "1983-05-14",
                                      "1985-05-14"]),
        "birth_date_precision": ["year", "year", "day", "day", "day", "day"],
        "household_id": ["H1", "H2", "H3", "H4", "H5", "H6"],
        "commune_code": ["25465", "25465", "25468", "25468", "25471", "25471"],
        "district_code": ["705"] * 6,
        "relation_to_head": [1, 7, 3, 7, 1, 7],
    })
    res = dedupe(persons, config=LinkageConfig(min_probability=0.0))
    p = res.pairs.set_index(["person_id_l", "person_id_r"])
    assert len(p) == 3
    for a, b in (("P1", "P2"), ("P3", "P4")):
        r = p.loc[(a, b)]
        assert r["ev_birth_date"] == "5 or more years apart"
        assert r["rule"] == "year_gap" and r["match_probability"] == 0
    # a slip of one digit within four years stays a slip
    r = p.loc[("P5", "P6")]
    assert r["ev_birth_date"] == "one digit differs" and pd.isna(r["rule"])
