"""The coverage shares per unit count the records per commune and group first, then add the counts up
to each level: the same table as joining the units to every record and counting there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.reconcile.config import ReconcileConfig
from popqa.reconcile.coverage import _UNIT_COLS, LEVELS, _share_table, _shares, unit_map


def _record_by_record(units, commune, hit, group, cfg, min_records):
    """The shares as the records joined to their units, one by one (the code before the counting); the
    share, interval and status of each count as the module derives them."""
    df = pd.DataFrame({"commune_code": commune.astype("string").to_numpy(), "hit": hit.to_numpy(bool),
                       "group": group.astype("string").to_numpy()})
    df = df.join(units, on="commune_code", how="inner")
    frames = []
    for lvl in LEVELS:
        col = _UNIT_COLS[lvl]
        for grp_all in (True, False):
            d = df[df[col].notna()]
            keys = [col] if grp_all else [col, "group"]
            g = d.groupby(keys, observed=True)["hit"].agg(["sum", "size"]).reset_index()
            if grp_all:
                g["group"] = ""
            g = g[g["group"].notna()]
            frames.append(pd.DataFrame({"level": lvl, "unit_code": g[col].astype("string"),
                                        "group": g["group"].astype("string"), "numerator": g["sum"].astype(float),
                                        "denominator": g["size"].astype(float)}))
    return _shares(pd.concat(frames, ignore_index=True), cfg.level, min_records)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counted_per_commune_is_record_by_record(seed):
    units = unit_map("72", merged=("80",))
    rng = np.random.default_rng(seed)
    n = 20_000
    codes = np.concatenate([units.index.to_numpy(dtype=object)[:40], ["99999", None]])  # one unknown, missing
    weight = 1.0 / np.arange(1, len(codes) + 1) ** 2  # some communes with many records, some with few
    commune = pd.Series(rng.choice(codes, n, p=weight / weight.sum()), dtype="string")
    hit = pd.Series(rng.random(n) < 0.8)
    group = pd.Series(rng.choice(np.array(["permanent", "temporary", None], dtype=object), n), dtype="string")
    cfg = ReconcileConfig()
    got = _share_table(units, commune, hit, group, cfg, 30)
    want = _record_by_record(units, commune, hit, group, cfg, 30)
    assert len(got) and set(got["level"]) == set(LEVELS) and (got["status"] == "insufficient").any()
    pd.testing.assert_frame_equal(got, want)
