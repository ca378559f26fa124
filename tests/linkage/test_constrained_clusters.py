"""Clusters never join two different citizen IDs or a pair a merge rule blocked, through other pairs.

Connected components are transitive (A-B and B-C accepted make A and C one person); a register
clerk who follows such a cluster deletes a person. Constrained ("cannot-link") clustering joins
the most probable pairs first and refuses a join that would break a constraint.
"""

from __future__ import annotations

import pandas as pd

from popqa.linkage.clusters import connected_components, constrained_components


def _pairs(rows):
    return pd.DataFrame(rows, columns=["person_id_l", "person_id_r", "match_probability", "rule", "review"])


def test_two_ids_are_never_one_person_through_a_record_without_id():
    pairs = _pairs([("A", "B", 0.99, None, None), ("B", "C", 0.98, None, None)])
    ids = pd.Series(["A", "B", "C"])
    cid = pd.Series(["072190001234", None, "072190009999"], index=["A", "B", "C"])
    assert connected_components(ids, pairs, 0.9)["cluster_id"].tolist() == ["A", "A", "A"]  # the old way
    cl, refused = constrained_components(ids, pairs, 0.9, citizen_ids=cid)
    assert cl["cluster_id"].tolist() == ["A", "A", "C"]  # B joins A, its most probable partner
    assert list(refused) == [1]
    # the same ID on both sides is no conflict
    same = cid.replace({"072190009999": "072190001234"})
    cl, refused = constrained_components(ids, pairs, 0.9, citizen_ids=same)
    assert cl["cluster_id"].tolist() == ["A", "A", "A"] and not len(refused)


def test_a_blocked_pair_stays_apart_and_a_reviewed_match_is_joined():
    pairs = _pairs([("A", "B", 0.95, None, None), ("B", "C", 0.97, None, None), ("A", "C", 0.0, "twins", None)])
    cl, refused = constrained_components(pd.Series(["A", "B", "C"]), pairs, 0.9)
    assert cl.set_index("person_id")["cluster_id"].to_dict() == {"A": "A", "B": "B", "C": "B"}
    assert list(refused) == [0]
    # a reviewer saw A and C and said match: the rule no longer holds and the reviewed pair joins first
    pairs.loc[2, ["match_probability", "review"]] = [1.0, "match"]
    cl, refused = constrained_components(pd.Series(["A", "B", "C"]), pairs, 0.9)
    assert set(cl["cluster_id"]) == {"A"} and not len(refused)


def test_sizes_and_singletons_match_connected_components_without_constraints():
    pairs = _pairs([("a", "b", 0.99, None, None), ("c", "d", 0.2, None, None), ("d", "e", 0.93, None, None)])
    ids = pd.Series(list("abcdef"))
    cl, refused = constrained_components(ids, pairs, 0.9)
    pd.testing.assert_frame_equal(cl, connected_components(ids, pairs, 0.9))
    assert not len(refused)


def test_a_year_only_record_does_not_make_two_persons_born_that_year_one():
    """Nguyễn Tấn Hùng of 1962-02-16 (no ID) and Nguyễn Tấn Hùng of 1962-07-10 (with his own
    year-only duplicate "1962") in one commune: the year-only record matches both, the two dated
    records are two people (the 1.2 M-person extracts benchmark's case, docs/extracts.md)."""
    pairs = _pairs([("A", "B", 0.99, None, None), ("B", "C", 0.95, None, None)])
    ids = pd.Series(["A", "B", "C"])
    dates = pd.Series(["1962-07-10", None, "1962-02-16"], index=["A", "B", "C"])
    cl, refused = constrained_components(ids, pairs, 0.9, exact_dates=dates)
    assert cl["cluster_id"].tolist() == ["A", "A", "C"] and list(refused) == [1]
    # a slip explains the difference (day and month swapped): no conflict
    cl, refused = constrained_components(ids, pairs, 0.9, exact_dates=dates.replace({"1962-02-16": "1962-10-07"}))
    assert cl["cluster_id"].tolist() == ["A", "A", "A"] and not len(refused)
    # the model accepted the two dated records as a pair itself: they stay joined
    both = _pairs([("A", "B", 0.99, None, None), ("B", "C", 0.95, None, None), ("A", "C", 0.91, None, None)])
    cl, refused = constrained_components(ids, both, 0.9, exact_dates=dates)
    assert cl["cluster_id"].tolist() == ["A", "A", "A"] and not len(refused)


def test_dedupe_asks_the_ids_and_dates_of_the_paired_records_only_and_clusters_the_same(monkeypatch):
    """``dedupe`` gives the clustering the citizen IDs and exact dates of the records in pairs only (at 3.4 M
    persons the dates as text and the IDs' checks for every person cost seconds and 0.2 GB): the same
    clusters and the same refused pairs as with every person's."""
    import importlib

    from popqa import textkeys
    from popqa.synth import generate_province

    dd = importlib.import_module("popqa.linkage.dedupe")  # the module (popqa.linkage.dedupe is the function)
    persons = generate_province(scale=0.005, seed=11).register.persons
    first = persons.loc[textkeys.first_of_each(persons["person_id"].astype("string"))]
    every_cid = dd._citizen_ids(first[["person_id", "citizen_id"]])
    every_dob = dd._exact_dates(first[["person_id", "birth_date", "birth_date_precision"]])
    real, seen = dd.constrained_components, {}

    def both(ids, pairs, threshold, citizen_ids=None, exact_dates=None):
        seen["asked"] = (len(citizen_ids), len(exact_dates))
        seen["ids"] = set(citizen_ids.index) | set(exact_dates.index)
        seen["in_pairs"] = set(pairs["person_id_l"]) | set(pairs["person_id_r"])
        seen["every"] = real(ids, pairs, threshold, citizen_ids=every_cid, exact_dates=every_dob)
        seen["paired"] = real(ids, pairs, threshold, citizen_ids=citizen_ids, exact_dates=exact_dates)
        return seen["paired"]

    monkeypatch.setattr(dd, "constrained_components", both)
    res = dd.dedupe(persons)
    (cl_every, ref_every), (cl_paired, ref_paired) = seen["every"], seen["paired"]
    pd.testing.assert_frame_equal(cl_paired, cl_every)
    assert list(ref_paired) == list(ref_every)
    assert 0 < seen["asked"][0] < len(every_cid) / 4 and seen["asked"][1] == seen["asked"][0]
    assert seen["ids"] == seen["in_pairs"]  # every record of a pair, on either side, and no other
    assert (res.clusters["cluster_size"] > 1).any()
    assert len(ref_every) or (res.pairs["rule"].notna()).any()  # constraints were there to honour
