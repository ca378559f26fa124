"""The persons' columns a pool or a cluster receives (``link_persons``) are all that the deduplication
and the linkage read once the features are computed: the same pairs, clusters, findings and links as
with the whole table. A step that starts reading another column fails here until the column is listed."""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.linkage import dedupe, link
from popqa.linkage.distributed import LINK_PERSON_COLUMNS, link_persons


def test_fewer_columns_than_the_table(register):
    narrow = link_persons(register.persons)
    assert set(narrow.columns) < set(register.persons.columns)
    assert set(narrow.columns) <= set(LINK_PERSON_COLUMNS)
    assert len(narrow) == len(register.persons)


def test_deduplication_is_the_same_on_the_narrow_persons(register, features):
    cfg = {"u_max_pairs": 1e5}
    whole = dedupe(register.persons, cfg, features=features)
    narrow = dedupe(link_persons(register.persons), cfg, features=features)
    assert len(whole.pairs) and (whole.clusters["cluster_size"] > 1).any()
    pd.testing.assert_frame_equal(whole.pairs, narrow.pairs)
    pd.testing.assert_frame_equal(whole.clusters, narrow.clusters)
    pd.testing.assert_frame_equal(whole.findings, narrow.findings)
    assert whole.note == narrow.note


@pytest.mark.parametrize("source", ["residents", "civil_births"])
def test_linkage_is_the_same_on_the_narrow_persons(register, features, source):
    if source not in register:
        pytest.skip(f"no {source} in this synthetic register")
    cfg = {"u_max_pairs": 1e5}
    whole = link(register.persons, register[source], source, cfg, features=features)
    narrow = link(link_persons(register.persons), register[source], source, cfg, features=features)
    assert whole.links["person_id"].notna().any()
    pd.testing.assert_frame_equal(whole.links, narrow.links)
    pd.testing.assert_frame_equal(whole.pairs, narrow.pairs)


@pytest.mark.parametrize("source", ["residents", "insurance"])
def test_linkage_from_the_frames_and_the_places_is_the_same(register, features, source):
    """The link stage builds each source's frame from the persons' places alone (``person_places``: each
    commune's district), lets the source's table go, then links the frames (``link_frames``): the same
    links and pairs as ``link`` on the whole persons table."""
    from popqa.linkage.link import _reference_year, link_frames, person_places, source_frame

    if source not in register:
        pytest.skip(f"no {source} in this synthetic register")
    cfg = {"u_max_pairs": 1e5}
    whole = link(register.persons, register[source], source, cfg, features=features)
    places = person_places(register.persons)
    assert len(places) == register.persons["commune_code"].nunique() < len(register.persons)
    right = source_frame(register[source], source, persons=places, reference_year=_reference_year(register.persons))
    framed = link_frames(features, right, source, cfg)
    assert whole.links["person_id"].notna().any()
    pd.testing.assert_frame_equal(whole.links, framed.links)
    pd.testing.assert_frame_equal(whole.pairs, framed.pairs)


def test_link_frames_without_persons_links_nothing(register, features):
    from popqa.linkage.link import link_frames, person_places, source_frame

    right = source_frame(register["residents"], "residents", persons=person_places(register.persons),
                         reference_year=2026)
    for left in (None, features.iloc[:0]):
        out = link_frames(left, right, "residents", {"u_max_pairs": 1e5})
        assert len(out.pairs) == 0 and len(out.links) == len(right)
        assert out.links["person_id"].isna().all()
    assert person_places(register.persons[["person_id"]]).shape == (0, 0)
