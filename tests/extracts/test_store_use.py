"""The store's artifact reader and atomic file writer, as the extracts and the analyst workbooks use them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from popqa.errors import InputError
from popqa.store import ResultsStore, UnitCodeError, atomic_write_file
from tests.extracts.frames import person, register


def _commit(root: Path, files: dict[str, pd.DataFrame]) -> ResultsStore:
    store = ResultsStore(root)
    with store.begin("2026-10", audit_id="a1b2c3d4e5f60718") as st:
        for rel, df in files.items():
            st.write_parquet(rel, df)
        st.commit({"status": "ok", "inputs": []})
    return store


def test_read_artifact_reads_the_committed_audit(tmp_path):
    clusters = pd.DataFrame({"person_id": ["A", "B"], "cluster_id": ["A", "A"]})
    store = _commit(tmp_path / "results", {"analyst/clusters.parquet": clusters})
    got = store.read_artifact("2026-10", "analyst/clusters.parquet")
    assert got["cluster_id"].tolist() == ["A", "A"]
    with pytest.raises(FileNotFoundError):
        store.read_artifact("2026-10", "analyst/findings.parquet")
    with pytest.raises(FileNotFoundError):
        store.read_artifact("2026-09", "analyst/clusters.parquet")
    with pytest.raises(UnitCodeError):
        store.read_artifact("2026-10", "../escape.parquet")


def test_extract_names_the_missing_audit_file(tmp_path):
    _commit(tmp_path / "results", {"analyst/clusters.parquet": pd.DataFrame({"person_id": ["A"], "cluster_id": ["A"]})})
    from popqa.extracts import extract

    reg = register([person("A", "2025-01-01")])
    with pytest.raises(InputError, match="findings.parquet"):
        extract(reg, kind="under6", out=tmp_path / "ex", results=tmp_path / "results")
    assert not (tmp_path / "ex" / "under6.csv").exists()


def test_atomic_write_file_keeps_the_old_file_when_the_writer_fails(tmp_path):
    target = tmp_path / "w.xlsx"
    target.write_bytes(b"old")

    def half(tmp: str) -> None:
        Path(tmp).write_bytes(b"half")
        raise RuntimeError("writer failed")

    with pytest.raises(RuntimeError):
        atomic_write_file(target, half)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["w.xlsx"]


def test_analyst_workbook_is_written_atomically(tmp_path, monkeypatch):
    import popqa.store
    from popqa.workbook import write_workbook

    reg = register([person("A", "1990-01-01")])
    f = pd.DataFrame({"rule_id": ["V013"], "dimension": "validity", "table": "persons", "column": "sex",
                      "record_id": "A", "severity": "error", "value": "=9", "message_vi": "x", "message_en": "x",
                      "province_code": "72", "district_code": "703", "commune_code": "25456",
                      "collaborator_id": "C1"})
    target = tmp_path / "703.xlsx"
    write_workbook(target, f, register=reg, lang="en")
    good = target.read_bytes()

    def boom(fd):  # the bytes are written, the disk fills before they reach it
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(popqa.store.os, "fsync", boom)
    from popqa.errors import OutputError

    with pytest.raises(OutputError, match="no space left"):
        write_workbook(target, f, register=reg, lang="en")
    assert target.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["703.xlsx"]
