"""The coverage shares per unit count the records per commune and group first, then add the counts up
to each level: the same table as joining the units to every record and counting there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.reconcile.config import ReconcileConfig
from popqa.reconcile.coverage import LEVELS, _level_counts, _share_table, _shares, unit_map


def _record_by_record(units, commune, hit, group, cfg, min_records):
    """The shares as the records joined to their units one by one, each record a count of its own (one
    record, its hit), not counted per commune and group first; added up to the levels and given their
    share, interval and status as the module does."""
    df = pd.DataFrame({"commune_code": commune.astype("string").to_numpy(), "sum": hit.to_numpy(bool).astype(int),
                       "size": 1, "group": group.astype("string").to_numpy()})
    return _shares(_level_counts(df.join(units, on="commune_code", how="inner")), cfg.level, min_records)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("dtype", ["string", "string[pyarrow]", object])
def test_counted_per_commune_is_record_by_record(seed, dtype):
    """Counted on the codes of the communes and groups, as the records come: read by the readers (Python
    strings), read back from the spill as Arrow text, or objects."""
    units = unit_map("72", merged=("80",))
    rng = np.random.default_rng(seed)
    n = 20_000
    codes = np.concatenate([units.index.to_numpy(dtype=object)[:40], ["99999", None]])  # one unknown, missing
    weight = 1.0 / np.arange(1, len(codes) + 1) ** 2  # some communes with many records, some with few
    commune = pd.Series(rng.choice(codes, n, p=weight / weight.sum()), dtype=dtype)
    hit = pd.Series(rng.random(n) < 0.8)
    group = pd.Series(rng.choice(np.array(["permanent", "temporary", None], dtype=object), n), dtype=dtype)
    cfg = ReconcileConfig()
    got = _share_table(units, commune, hit, group, cfg, 30)
    want = _record_by_record(units, commune, hit, group, cfg, 30)
    assert len(got) and set(got["level"]) == set(LEVELS) and (got["status"] == "insufficient").any()
    pd.testing.assert_frame_equal(got, want)
