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
