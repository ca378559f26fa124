import pandas as pd
import pytest

from popqa.linkage import link


@pytest.fixture(scope="module")
def births():
    return pd.DataFrame(
        {
            "registration_id": ["B1", "B2"],
            "child_name": ["BUI VAN KHANH", "Ngô Thị Hạnh"],
            "sex": [1, 2],
            "birth_date": pd.to_datetime(["2020-07-09", "2021-01-05"]),
            "mother_name": ["Võ Thị Mai", "Lý Thị Sen"],
            "mother_birth_year": [1995, 1990],
            "commune_code": ["25468", "25468"],
            "registration_date": pd.to_datetime(["2020-07-20", "2021-01-20"]),
        }
    )


def test_birth_links_to_child_with_mother_evidence(persons, births):
    res = link(persons, births, "civil_births")
    links = res.links.set_index("source_id")
    assert links.loc["B1", "person_id"] == "P14"
    assert pd.isna(links.loc["B2", "person_id"])  # not in the register
    best = res.pairs[res.pairs["source_id"] == "B1"].iloc[0]
    assert best["ev_mother"] == "same"
    assert list(res.links.columns) == ["source_id", "person_id", "match_probability"]


def test_the_links_ids_are_arrow_text(persons, births):
    """The links are held for the rest of the audit: their ids stay in Arrow's buffers, not one Python
    string per record (LINK_ID_DTYPE), linked or not, with or without candidates."""
    from popqa.linkage.link import LINK_ID_DTYPE

    for frame in (births, births.assign(child_name="Nobody Here", birth_date=pd.Timestamp("1901-01-01"))):
        lk = link(persons, frame, "civil_births").links
        assert lk["source_id"].dtype == LINK_ID_DTYPE and lk["person_id"].dtype == LINK_ID_DTYPE
        assert sorted(lk["source_id"]) == ["B1", "B2"]


def test_survey_with_age_only_links_through_birth_year(persons):
    survey = pd.DataFrame({"person_no": ["S1"], "commune_code": ["25465"], "household_no": ["9"],
                           "full_name": ["Đặng Quốc Bảo"], "sex": [1], "age": [40]})
    res = link(persons, survey, "survey", reference_year=2025)
    assert res.links["person_id"].tolist() in (["P11"], ["P12"])
    assert res.kind == "survey_persons"


def test_unknown_kind_is_an_input_error(persons, births):
    from popqa.errors import InputError

    with pytest.raises(InputError, match="kind"):
        link(persons, births, "police")


def _sequential_greedy(pairs: pd.DataFrame) -> list[tuple[str, str]]:
    """The assignment one_to_one promises, one pair at a time: by decreasing match weight, ties by
    source_id then person_id, a pair taken when neither of its records is taken yet."""
    used_s, used_p, out = set(), set(), []
    for row in pairs.sort_values(["match_weight", "source_id", "person_id"],
                                 ascending=[False, True, True]).itertuples():
        if row.source_id not in used_s and row.person_id not in used_p:
            used_s.add(row.source_id)
            used_p.add(row.person_id)
            out.append((row.source_id, row.person_id))
    return sorted(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_to_one_is_the_sequential_greedy_assignment(seed):
    import numpy as np

    from popqa import textkeys
    from popqa.linkage.link import _one_to_one, one_to_one

    rng = np.random.default_rng(seed)
    n = 3000  # many records compete for the same persons, many weights tie
    pairs = pd.DataFrame({"source_id": [f"s{v:04d}" for v in rng.integers(0, 900, n)],
                          "person_id": [f"p{v:04d}" for v in rng.integers(0, 700, n)],
                          "match_weight": rng.integers(0, 25, n).astype(float)}).drop_duplicates(
                              ["source_id", "person_id"])
    pairs["match_probability"] = 1 / (1 + 2.0 ** -pairs["match_weight"])
    pairs = pairs.astype({"source_id": pd.StringDtype("pyarrow"), "person_id": "string"})
    want = _sequential_greedy(pairs)
    got = one_to_one(pairs)
    assert sorted(zip(got["source_id"], got["person_id"], strict=True)) == want
    assert got["source_id"].tolist() == sorted(got["source_id"])  # by source record
    # on codes of a larger set of pairs (as link gives it those of every scored pair): the same
    more = pd.concat([pairs, pd.DataFrame({"source_id": ["a0", "zz"], "person_id": ["p9999", "a"]})],
                     ignore_index=True)
    src, per = textkeys.sorted_codes(more["source_id"]), textkeys.sorted_codes(more["person_id"])
    sub = _one_to_one(pairs, src[: len(pairs)], per[: len(pairs)])
    pd.testing.assert_frame_equal(sub, got)
