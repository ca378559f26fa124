import pandas as pd
import pytest

from popqa.contract import FINDINGS_COLUMNS
from popqa.linkage import dedupe, duplicate_rates
from tests.linkage.linkage_helpers import make_persons, pair


def cluster_of(res, pid):
    c = res.clusters
    return c.loc[c["person_id"] == pid, "cluster_id"].item()


def test_every_person_gets_one_cluster_named_by_its_smallest_id(result, persons):
    c = result.clusters
    assert sorted(c["person_id"]) == sorted(persons["person_id"])
    assert (c.groupby("cluster_id")["person_id"].min() == c.groupby("cluster_id").size().index).all()


def test_no_diacritics_and_nfd_duplicates_are_found(result):
    assert pair(result, "P01", "P02")["match_probability"] >= 0.9
    assert cluster_of(result, "P02") == "P01"
    assert pair(result, "P03", "P04")["match_probability"] >= 0.9
    assert pair(result, "P03", "P04")["ev_surname"] == "exact"


def test_pairs_are_ordered_and_carry_evidence(result):
    p = result.pairs
    assert (p["person_id_l"] < p["person_id_r"]).all()
    assert p["match_probability"].between(0, 1).all()
    assert {"ev_citizen_id", "ev_birth_date", "w_citizen_id", "w_birth_date"} <= set(p.columns)


def test_citizen_id_equal_is_strong_for_different_strong_against_missing_neutral(result):
    same = pair(result, "P11", "P12")
    other = pair(result, "P07", "P08")
    missing = pair(result, "P01", "P02")
    assert same["ev_citizen_id"] == "same" and same["w_citizen_id"] > 10
    assert other["ev_citizen_id"] == "different" and other["w_citizen_id"] < -5
    assert missing["ev_citizen_id"] == "missing" and missing["w_citizen_id"] == 0


def test_year_only_birth_date_is_weak_evidence(result):
    elder = pair(result, "P09", "P10")
    exact = pair(result, "P01", "P02")
    assert elder["ev_birth_date"] == "same year, one side year-only"
    assert 0 < elder["w_birth_date"] < exact["w_birth_date"]


def test_swapped_day_month_and_dropped_middle_name_still_match(result):
    p = pair(result, "P05", "P06")
    assert p["ev_birth_date"] == "day and month swapped" and p["w_birth_date"] > 0
    assert p["ev_middle"] == "one side has none"
    assert p["match_probability"] >= 0.9


def test_findings_have_contract_columns_units_and_collaborator(result):
    f = result.findings
    assert tuple(f.columns) == FINDINGS_COLUMNS
    l001 = f[f["rule_id"] == "L001"]
    assert {"P02", "P04", "P06", "P12"} <= set(l001["record_id"])
    assert (f["dimension"] == "uniqueness").all()
    assert l001["commune_code"].notna().all() and l001["collaborator_id"].notna().all()
    assert l001["message_vi"].str.len().gt(10).all() and l001["message_en"].str.len().gt(10).all()
    # no names in findings
    assert not f["value"].str.contains("Nguy|Trần|Lê", regex=True).any()


def test_each_findings_places_are_its_records_first_row_and_household():
    """The findings' places and collaborator are those of each record's first row and its household's
    first row (the places are taken for the findings' records only), on a synthetic province whose persons
    and households carry repeated ids."""
    from popqa.synth import generate_province

    reg = generate_province(scale=0.005, seed=11).register
    persons, households = reg.persons, reg.households
    # a repeated person and household id with other places: the first row counts, as before
    persons = pd.concat([persons, persons.iloc[:50].assign(commune_code="99999", district_code="999")],
                        ignore_index=True)
    households = pd.concat([households, households.iloc[:50].assign(collaborator_id="CTV-OTHER")],
                           ignore_index=True)
    f = dedupe(persons, households=households).findings
    assert len(f) > 20
    first = persons.assign(person_id=persons["person_id"].astype("string")).drop_duplicates("person_id")
    first = first.set_index("person_id")
    coll = households.assign(household_id=households["household_id"].astype("string")).drop_duplicates(
        "household_id").set_index("household_id")["collaborator_id"]
    for c in ("district_code", "commune_code", "province_code"):
        want = first.loc[f["record_id"], c].astype("string").to_numpy()
        assert (pd.Series(want, dtype="string").fillna("-") == f[c].fillna("-").to_numpy()).all(), c
    want = coll.reindex(first.loc[f["record_id"], "household_id"].astype("string")).astype("string").to_numpy()
    assert (pd.Series(want, dtype="string").fillna("-") == f["collaborator_id"].fillna("-").to_numpy()).all()
    assert "CTV-OTHER" not in set(f["collaborator_id"].dropna()) and "99999" not in set(f["commune_code"].dropna())


def test_same_input_same_pairs_and_clusters(result, persons, households):
    again = dedupe(persons.sample(frac=1, random_state=3), households=households)
    pd.testing.assert_frame_equal(again.pairs, result.pairs)
    pd.testing.assert_frame_equal(again.clusters, result.clusters)


def test_empty_input():
    res = dedupe(make_persons().iloc[:0])
    assert len(res.pairs) == 0 and len(res.clusters) == 0 and len(res.findings) == 0
    assert tuple(res.findings.columns) == FINDINGS_COLUMNS


def test_single_record_is_its_own_cluster():
    res = dedupe(make_persons().iloc[:1])
    assert res.clusters[["person_id", "cluster_id"]].values.tolist() == [["P01", "P01"]]
    assert len(res.pairs) == 0


def test_reviews_override_the_model(result, persons):
    reviews = pd.DataFrame(
        {"person_id_l": ["P02", "P13"], "person_id_r": ["P01", "P16"], "decision": ["non-match", "match"]}
    )
    res = dedupe(persons, reviews=reviews)
    assert cluster_of(res, "P02") == "P02"  # split by the reviewer
    assert cluster_of(res, "P16") == "P13"  # joined by the reviewer
    assert pair(res, "P01", "P02")["review"] == "non-match"


def test_bad_review_decision_is_an_input_error(persons):
    from popqa.errors import InputError

    with pytest.raises(InputError, match="decision"):
        dedupe(persons, reviews=pd.DataFrame({"person_id_l": ["P1"], "person_id_r": ["P2"], "decision": ["maybe"]}))


def test_duplicate_rates_per_commune_and_collaborator(result, persons, households):
    rates = duplicate_rates(result.clusters, persons, by="commune_code")
    assert rates["persons"].sum() == len(persons)
    assert rates["duplicate_records"].sum() == (result.clusters["person_id"] != result.clusters["cluster_id"]).sum()
    row = rates.set_index("commune_code").loc["25465"]
    assert row["duplicate_records"] == 1 and row["rate_per_1000"] == 500.0
    by_collab = duplicate_rates(result.clusters, persons, by="collaborator", households=households)
    assert by_collab["persons"].sum() == len(persons)
