import pytest

from popqa.synth import generate_province


@pytest.fixture(scope="session")
def prov():
    """The whole province at scale 0.01 (about 12,000 persons)."""
    return generate_province(scale=0.01, seed=20261)


@pytest.fixture(scope="session")
def small():
    """One district at a small scale, for cheap repeated generation."""
    return generate_province(scale=0.01, seed=7, districts=["710"])
