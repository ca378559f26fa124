"""The per-unit result files count each unit's surplus duplicate records as the indicators do."""

from __future__ import annotations

import pandas as pd


def test_each_districts_duplicates_by_commune_add_up_to_its_duplicate_indicator(audited):
    """The district files look the duplicate ids up in one hash table built for every unit; the
    indicators look them up over the whole register: the two counts agree, district by district."""
    res = audited["results"] / audited["period"]
    ind = pd.read_parquet(res / "indicators.parquet")
    dup = ind[(ind["indicator_id"] == "duplicate_per_1000") & (ind["level"] == "district")].set_index("unit_code")
    assert len(dup) == 2 and dup["numerator"].sum() > 0  # the synthetic province plants duplicates
    for code, row in dup.iterrows():
        by_commune = pd.read_parquet(res / "districts" / code / "duplicates.parquet")
        assert by_commune["duplicates"].sum() == row["numerator"], code
        assert by_commune["persons"].sum() == row["denominator"], code
