from pathlib import Path

import pandas as pd

from popqa.io import read_register
from popqa.synth import generate_province

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "tayninh-godau"


def test_committed_sample_is_what_the_documented_command_gives(tmp_path):
    prov = generate_province(scale=0.03, seed=20261, period="2026-10", districts=["710"])
    committed = read_register(SAMPLE / "register")
    assert set(committed.tables) == set(prov.register.tables)
    for name, df in prov.register.tables.items():
        pd.testing.assert_frame_equal(committed.tables[name], df, check_dtype=False, obj=name)
    for name, df in prov.truth.items():
        pd.testing.assert_frame_equal(pd.read_parquet(SAMPLE / "truth" / f"{name}.parquet"), df, check_dtype=False, obj=name)
    size = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert size < 5_000_000
    assert (committed.persons["district_code"] == "710").mean() > 0.99
