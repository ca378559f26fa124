"""The persons' columns the linkage features read (``PERSON_FEATURE_COLUMNS``): the link stage hands
over only these columns (``feature_rows``) instead of a copy of the whole table, so the list must hold
every column the features depend on, and each of them must matter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa import textkeys
from popqa.linkage.features import PERSON_FEATURE_COLUMNS, feature_rows, person_features


@pytest.fixture(scope="module")
def register():
    from popqa.synth import generate_province

    return generate_province(scale=0.005, seed=11).register


@pytest.fixture(scope="module")
def persons(register) -> pd.DataFrame:
    return register.persons


@pytest.fixture(scope="module")
def features(persons) -> pd.DataFrame:
    return person_features(persons)


def _changed(persons: pd.DataFrame, column: str) -> pd.DataFrame:
    out = persons.copy()
    if column == "updated_at":  # the register's year: the persons' ages, hence education and marital status
        out[column] = out[column] - pd.DateOffset(years=30)
    else:  # the column's values given to other persons
        out[column] = out[column].sample(frac=1, random_state=3).to_numpy()
    return out


@pytest.mark.parametrize("column", PERSON_FEATURE_COLUMNS)
def test_each_listed_column_changes_the_features(persons, features, column):
    assert column in persons.columns
    changed = person_features(_changed(persons, column))
    assert not changed.equals(features), f"{column} is listed but the features do not read it"


def test_the_other_columns_do_not(persons, features):
    others = [c for c in persons.columns if c not in PERSON_FEATURE_COLUMNS]
    assert others  # the synthetic register has columns the features do not read
    changed = persons.copy()
    for c in others:
        changed[c] = changed[c].sample(frac=1, random_state=5).to_numpy()
    pd.testing.assert_frame_equal(person_features(changed), features)


def test_feature_rows_are_the_first_record_of_each_id(persons):
    # a person recorded twice under one id: the features of its first record, as from the whole rows
    twice = pd.concat([persons, persons.iloc[[4, 9]]], ignore_index=True)
    first = textkeys.first_of_each(twice["person_id"])
    assert not first.all()
    rows = feature_rows(twice, first)
    assert set(rows.columns) <= set(PERSON_FEATURE_COLUMNS) and len(rows) == first.sum() < len(twice)
    pd.testing.assert_frame_equal(person_features(rows), person_features(twice[first]))


def test_every_row_taken_copies_nothing(persons):
    assert feature_rows(persons, np.ones(len(persons), bool)) is persons


def test_features_from_the_spilled_register_are_the_same(persons, tmp_path):
    """Once the register is out of memory the link stage reads these columns back as Arrow text: the same
    features as from the register's own columns, with a person recorded twice or not, its ids kept in
    memory (as the link stage does) or not."""
    from popqa.io.spill import Spill

    twice = pd.concat([persons, persons.iloc[[4, 9]]], ignore_index=True)
    for i, (frame, keep) in enumerate([(persons, []), (persons, ["person_id"]), (twice, ["person_id"])]):
        spill = Spill(tmp_path / f"spill{i}")
        spill.put("persons", frame, keep=keep)
        rows = spill.arrow_columns("persons", PERSON_FEATURE_COLUMNS)
        assert rows["full_name"].dtype == pd.StringDtype("pyarrow") and list(rows.columns) == [
            c for c in frame.columns if c in PERSON_FEATURE_COLUMNS]
        first = textkeys.first_of_each(frame["person_id"])
        want = person_features(feature_rows(frame, first))
        pd.testing.assert_frame_equal(person_features(feature_rows(rows, first)), want)
        # each id's first record taken as the columns are read (the link stage): the same rows and index
        taken = spill.arrow_columns("persons", PERSON_FEATURE_COLUMNS, rows=first)
        pd.testing.assert_frame_equal(taken, feature_rows(rows, first), check_like=True)
        pd.testing.assert_frame_equal(person_features(taken), want)
        spill.remove()
    with pytest.raises(ValueError, match="rows has 3 entries"):
        spill = Spill(tmp_path / "short")
        spill.put("persons", persons)
        spill.arrow_columns("persons", PERSON_FEATURE_COLUMNS, rows=np.ones(3, bool))


@pytest.fixture(scope="module")
def sources(register) -> dict[str, pd.DataFrame]:
    from popqa.linkage.features import SOURCE_KINDS

    return {k: register[k] for k in SOURCE_KINDS if k in register}


def test_a_sources_frame_reads_only_its_listed_columns_and_the_same_from_the_spill(sources, persons, tmp_path):
    """``source_feature_columns``: once the register is out of memory the link stage reads only these
    columns of a source back, as Arrow text (``Spill.arrow_columns``); its frame is the one built from
    the whole table with Python text."""
    from popqa.io.spill import Spill
    from popqa.linkage.features import person_places, source_feature_columns
    from popqa.linkage.link import source_frame

    assert {"civil_births", "civil_deaths", "residents", "insurance", "survey_persons"} <= set(sources)
    places = person_places(persons)
    for kind, table in sources.items():
        listed = source_feature_columns(kind)
        others = [c for c in table.columns if c not in listed]
        assert others, kind  # each source has columns its frame does not read
        want = source_frame(table, kind, persons=places, reference_year=2026)
        shuffled = table.copy()
        for c in others:
            shuffled[c] = shuffled[c].sample(frac=1, random_state=5).to_numpy()
        pd.testing.assert_frame_equal(source_frame(shuffled, kind, persons=places, reference_year=2026), want)
        spill = Spill(tmp_path / kind)
        spill.put(kind, table)
        back = spill.arrow_columns(kind, listed)
        assert set(back.columns) == set(listed) & set(table.columns)
        assert all(back[c].dtype == pd.StringDtype("pyarrow") for c in back.columns
                   if isinstance(table[c].dtype, pd.StringDtype))
        pd.testing.assert_frame_equal(source_frame(back, kind, persons=places, reference_year=2026), want)
        spill.remove()
