"""A source's records and linked records per commune (``popqa.summaries.commune_coverage``), counted on
Arrow's codes of the communes: the same frame as pandas' grouping of their text, whether the communes come
as Python text (a table in memory), Arrow text (a table on disk, read with ``arrow_text``) or objects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.summaries import commune_coverage


def _grouped(commune: pd.Series, linked: np.ndarray) -> pd.DataFrame:
    t = pd.DataFrame({"commune_code": commune.astype("string"), "linked": linked})
    return t.groupby("commune_code").agg(records=("linked", "size"), linked=("linked", "sum")).reset_index()


@pytest.mark.parametrize("dtype", ["string[python]", "string[pyarrow]", "object"])
@pytest.mark.parametrize("n", [0, 1, 7, 5000])
def test_the_counts_are_pandas_grouping_of_the_text(dtype, n):
    rng = np.random.default_rng(n)
    # codes that sort differently as text and as numbers, a prefix of another, accents, missing communes
    values = rng.choice(np.array(["25456", "25459", "2546", "9", "10", "Ab", "a", "ả", None], dtype=object), n)
    commune = pd.Series(values, dtype=dtype)
    linked = rng.random(n) < 0.6
    got = commune_coverage(commune, linked)
    pd.testing.assert_frame_equal(got, _grouped(commune, linked))
    assert got["records"].sum() == commune.notna().sum()
    assert got["linked"].sum() == linked[commune.notna().to_numpy()].sum()


def test_a_commune_with_no_linked_record_counts_zero():
    got = commune_coverage(pd.Series(["x", "y", "y"], dtype="string[pyarrow]"), np.array([False, True, False]))
    assert got.to_dict("list") == {"commune_code": ["x", "y"], "records": [1, 2], "linked": [0, 1]}
