"""Shared fixtures: the California API designs of R's ``survey`` examples (``example(api)``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from popqa.survey import Design

DATA = Path(__file__).parent / "data"


def printed(value: float, shown: str, *, units: float = 0.5) -> bool:
    """True when ``value`` prints as R printed ``shown`` (same digits after the point).

    R shows svystat results with 5 significant digits; the test passes when the
    value rounds to the printed figure (``units=0.5`` of the last printed digit).
    """
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(value - float(shown)) <= units * 10 ** (-decimals) * (1 + 1e-9)


@pytest.fixture(scope="session")
def api():
    return {name: pd.read_csv(DATA / f"{name}.csv") for name in ("apistrat", "apiclus1", "apiclus2", "apisrs", "apipop")}


@pytest.fixture(scope="session")
def dstrat(api):
    return Design(api["apistrat"], strata="stype", weights="pw", fpc="fpc")


@pytest.fixture(scope="session")
def dclus1(api):
    return Design(api["apiclus1"], ids="dnum", weights="pw", fpc="fpc")


@pytest.fixture(scope="session")
def dclus2(api):
    return Design(api["apiclus2"], ids=["dnum", "snum"], fpc=["fpc1", "fpc2"])


@pytest.fixture(scope="session")
def dclus2wr(api):
    return Design(api["apiclus2"], ids=["dnum", "snum"], weights="pw")


@pytest.fixture(scope="session")
def pop_types(api):
    """``pop.types <- xtabs(~stype, data=apipop)``: E 4421, H 755, M 1018."""
    return api["apipop"]["stype"].value_counts().to_dict()


@pytest.fixture(autouse=True)
def _quiet_lonely():
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        yield
