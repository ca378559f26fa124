"""Fixtures of the linkage tests: one Splink run per module."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.linkage.linkage_helpers import make_persons


@pytest.fixture(scope="module")
def persons() -> pd.DataFrame:
    return make_persons()


@pytest.fixture(scope="module")
def households() -> pd.DataFrame:
    ids = sorted(set(make_persons()["household_id"]))
    return pd.DataFrame({"household_id": ids, "collaborator_id": [f"C{i % 3}" for i in range(len(ids))]})


@pytest.fixture(scope="module")
def result(persons, households):
    from popqa.linkage import dedupe

    return dedupe(persons, households=households)


@pytest.fixture(scope="module")
def register():
    """The synthetic province at scale 0.005 (seed 11): 6,232 persons and every source, for the tests of
    the models' inputs (frames in files, the persons' columns, the narrowed register)."""
    from popqa.synth import generate_province

    return generate_province(scale=0.005, seed=11).register


@pytest.fixture(scope="module")
def features(register):
    from popqa.linkage.features import person_features

    return person_features(register.persons)
