"""Linkage frames read by DuckDB from a file (``FrameFile``) give the models the same records in the same
order as the frames in memory: the same scored pairs and weights, deduplication and linkage, with records
settled by citizen ID and without (issue 16: the link stage's features out of memory)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.linkage.config import LinkageConfig
from popqa.linkage.dedupe import dedupe
from popqa.linkage.frames import FrameFile, read_columns
from popqa.linkage.link import link_frames
from popqa.linkage.model import OPEN_KEY, _register, run_splink, settle_by_id
from tests.linkage.linkage_helpers import source_features

CFG = LinkageConfig(u_max_pairs=1e5)


def _sorted(pairs: pd.DataFrame) -> pd.DataFrame:
    return pairs.sort_values(["unique_id_l", "unique_id_r"], ignore_index=True)


def test_a_frame_comes_back_from_its_file_as_it_was(tmp_path, features):
    f = FrameFile.write(features, tmp_path / "f.parquet")
    assert len(f) == len(features) and list(f.columns) == list(features.columns)
    pd.testing.assert_frame_equal(f.read(), features)
    pd.testing.assert_frame_equal(read_columns(f, ["sex", "no_such", "unique_id"]), features[["sex", "unique_id"]])
    assert not list(tmp_path.glob("*.part"))


def test_a_failed_write_leaves_no_file(tmp_path, features, monkeypatch):
    """A write that fails half-way (a full disk) leaves neither the file nor its part, and says why."""
    import popqa.linkage.frames as frames

    real = frames.pq.ParquetWriter.write_table
    calls = []

    def failing(self, table, *a, **k):
        calls.append(len(table))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, table, *a, **k)

    monkeypatch.setattr(frames, "ROWS_PER_WRITE", max(1, len(features) // 3))
    monkeypatch.setattr(frames.pq.ParquetWriter, "write_table", failing)
    with pytest.raises(OSError, match="No space left"):
        FrameFile.write(features, tmp_path / "f.parquet")
    assert len(calls) == 2 and not list(tmp_path.iterdir())


def test_deduplication_scores_the_same_pairs_from_a_file(tmp_path, register, features):
    in_memory = run_splink(features, None, "dedupe", CFG)
    from_file = run_splink(FrameFile.write(features, tmp_path / "f.parquet"), None, "dedupe", CFG)
    assert len(in_memory) > 10
    pd.testing.assert_frame_equal(_sorted(in_memory), _sorted(from_file))
    cfg = CFG.model_copy(update={"whole_name_frequency": True})
    a = dedupe(register.persons, cfg, features=features)
    b = dedupe(register.persons, cfg, features=FrameFile.write(features, tmp_path / "g.parquet"))
    pd.testing.assert_frame_equal(a.pairs, b.pairs)
    pd.testing.assert_frame_equal(a.clusters, b.clusters)


@pytest.mark.parametrize("source", ["residents", "insurance", "civil_births"])
def test_linkage_scores_the_same_pairs_from_files(tmp_path, register, features, source):
    right = source_features(register, source)
    files = FrameFile.write(features, tmp_path / "l.parquet"), FrameFile.write(right, tmp_path / "r.parquet")
    settled = settle_by_id(features, right, CFG)[2]
    if source == "residents":
        assert settled.any() and not settled.all()  # both kinds of record in the comparison
    pd.testing.assert_frame_equal(_sorted(run_splink(features, right, source, CFG)),
                                  _sorted(run_splink(*files, source, CFG)))
    a, b = link_frames(features, right, source, CFG), link_frames(*files, source, CFG)
    assert a.links["person_id"].notna().any()
    pd.testing.assert_frame_equal(a.links, b.links)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)


def test_the_open_key_of_a_file_is_the_one_of_the_frame(tmp_path, register, features):
    """The view over a file adds the key settled records are left out of the other rules by: the same values,
    types and place as in memory, a source's keys joined to its records by position."""
    import duckdb
    from splink import DuckDBAPI

    right = source_features(register, "residents")
    left_m, right_m, settled = settle_by_id(features, right, CFG)
    files = FrameFile.write(features, tmp_path / "l.parquet"), FrameFile.write(right, tmp_path / "r.parquet")
    assert settled.any()
    got = {}
    for label, frames in (("memory", (left_m, right_m)), ("file", files)):
        con = duckdb.connect()
        _register(DuckDBAPI(connection=con), *frames, settled, con)
        name = {"memory": "b_source", "file": "b_source_file"}[label]
        got[label] = con.sql(f"SELECT * FROM {name}").df()
        left_name = {"memory": "a_register", "file": "a_register_file"}[label]
        got[label + "_left"] = con.sql(f"DESCRIBE {left_name}").df()[["column_name", "column_type"]]
        con.close()
    pd.testing.assert_frame_equal(got["memory"], got["file"])
    pd.testing.assert_frame_equal(got["memory_left"], got["file_left"])
    keys = got["file"][OPEN_KEY]
    assert keys.isna().to_numpy().tolist() == settled.tolist()
    assert np.all(keys.dropna() == 1)
