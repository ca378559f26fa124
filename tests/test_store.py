"""The results store: atomic commit, leftovers of interrupted audits, the lock, safe unit codes."""

from __future__ import annotations

import errno
import os
import tempfile

import pandas as pd
import pytest

import popqa.store as store_mod
from popqa.errors import OutputError
from popqa.store import (
    ResultsStore,
    UnitCodeError,
    ensure_output_dir,
    is_safe_code,
    report_path,
    safe_code,
)

PERIOD = "2026-10"
FILES = ["scorecard.parquet", "districts/710/kpis.json", "districts/711/kpis.json", "province.json"]


def _write_audit(store: ResultsStore, audit_id: str, value: int) -> None:
    """An audit of a few files, each holding ``value``; the manifest is written by the commit."""
    with store.begin(PERIOD, audit_id=audit_id) as st:
        for rel in FILES:
            if rel.endswith(".parquet"):
                st.write_parquet(rel, pd.DataFrame({"value": [value]}))
            else:
                st.write_json(rel, {"value": value})
        st.commit({"status": "ok", "value": value})


def _visible(store: ResultsStore) -> set:
    """What a reader of RESULTS/<period> sees: the values of every file (must be one audit's)."""
    d = store.period_dir(PERIOD)
    seen = {store.manifest(PERIOD)["value"]}
    for rel in FILES:
        p = d / rel
        seen.add(int(pd.read_parquet(p)["value"][0]) if rel.endswith(".parquet")
                 else store_mod.read_json(p)["value"])
    return seen


def test_commit_makes_one_complete_audit_visible(tmp_path):
    store = ResultsStore(tmp_path)
    _write_audit(store, "aaaa0000aaaa0000", 1)
    assert store.periods() == [PERIOD] and store.audit_id(PERIOD) == "aaaa0000aaaa0000"
    assert _visible(store) == {1}
    _write_audit(store, "bbbb1111bbbb1111", 2)
    assert _visible(store) == {2} and store.manifest(PERIOD)["period"] == PERIOD
    # only what the period shows and the audit before it are kept
    kept = list((tmp_path / ".popqa" / "audits" / PERIOD).iterdir())
    assert len(kept) == 2
    _write_audit(store, "cccc2222cccc2222", 3)
    assert len(list((tmp_path / ".popqa" / "audits" / PERIOD).iterdir())) == 2


def _count_writes(tmp_path) -> int:
    calls = {"n": 0}
    real = store_mod._tmp_sibling

    def counting(path):
        calls["n"] += 1
        return real(path)

    store_mod._tmp_sibling = counting
    try:
        _write_audit(ResultsStore(tmp_path / "count"), "dddd3333dddd3333", 0)
    finally:
        store_mod._tmp_sibling = real
    return calls["n"]


def test_a_failure_at_any_write_leaves_the_previous_audit_whole(tmp_path, monkeypatch):
    n = _count_writes(tmp_path)
    assert n == len(FILES) + 1  # every file and the manifest
    store = ResultsStore(tmp_path / "res")
    _write_audit(store, "aaaa0000aaaa0000", 1)
    for k in range(1, n + 2):  # each write, then the final rename of the period's link
        calls = {"n": 0}
        real_tmp, real_replace = store_mod._tmp_sibling, os.replace

        def failing_tmp(path, k=k, calls=calls, real_tmp=real_tmp):
            calls["n"] += 1
            if calls["n"] == k:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_tmp(path)

        def failing_link(src, dst, k=k, real_replace=real_replace):
            if k == n + 1 and str(dst).endswith(PERIOD):
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_replace(src, dst)

        monkeypatch.setattr(store_mod, "_tmp_sibling", failing_tmp)
        monkeypatch.setattr(store_mod.os, "replace", failing_link)
        with pytest.raises(OutputError, match="no space left"):
            _write_audit(store, "bbbb1111bbbb1111", 2)
        monkeypatch.undo()
        assert _visible(store) == {1}, f"failure at write {k} showed a mix"
        assert not list((tmp_path / "res" / ".popqa" / "staging").iterdir())
        assert not list((tmp_path / "res").rglob("*.tmp"))
    _write_audit(store, "bbbb1111bbbb1111", 2)
    assert _visible(store) == {2}


def test_leftovers_of_a_killed_audit_are_removed_by_the_next(tmp_path):
    store = ResultsStore(tmp_path)
    _write_audit(store, "aaaa0000aaaa0000", 1)
    st = store.begin(PERIOD, audit_id="bbbb1111bbbb1111")
    st.write_json("province.json", {"value": 2})
    st._lock.release()  # the process died: its lock is gone, its staging folder stays
    (tmp_path / PERIOD / "districts" / ".kpis.json.x1y2.tmp").write_text("half")  # an old-layout stray
    assert _visible(store) == {1}
    _write_audit(store, "cccc2222cccc2222", 3)
    assert _visible(store) == {3}
    assert not list((tmp_path / ".popqa" / "staging").iterdir())
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_second_audit_of_the_same_root_is_refused_while_one_runs(tmp_path):
    store = ResultsStore(tmp_path)
    with store.begin(PERIOD, audit_id="aaaa0000aaaa0000"):
        with pytest.raises(OutputError, match="another popqa audit"):
            ResultsStore(tmp_path).begin(PERIOD, audit_id="bbbb1111bbbb1111")
    # released on abort: a new audit can begin
    ResultsStore(tmp_path).begin(PERIOD, audit_id="bbbb1111bbbb1111").abort()


def test_a_period_folder_of_an_older_popqa_is_replaced_in_one_step(tmp_path):
    old = tmp_path / PERIOD
    (old / "districts" / "710").mkdir(parents=True)
    (old / "manifest.json").write_text('{"value": 0}')
    store = ResultsStore(tmp_path)
    _write_audit(store, "aaaa0000aaaa0000", 1)
    assert (tmp_path / PERIOD).is_symlink() and _visible(store) == {1}
    assert any(p.name.startswith("legacy-") for p in (tmp_path / ".popqa" / "audits" / PERIOD).iterdir())


@pytest.mark.parametrize("code", ["../../../../pwned", "7" * 370, "710.0", "71", "٧١٠", "", None, "71/"])
def test_codes_of_the_wrong_shape_never_name_a_file(tmp_path, code):
    assert not is_safe_code(code, "district")
    with pytest.raises(UnitCodeError):
        safe_code(code, "district")
    with pytest.raises(UnitCodeError):
        report_path(tmp_path, code, "vi")
    store = ResultsStore(tmp_path)
    with store.begin(PERIOD, audit_id="aaaa0000aaaa0000") as st, pytest.raises(UnitCodeError):
        st.district_file(code, "kpis.json")
    with store.begin(PERIOD, audit_id="aaaa0000aaaa0000") as st, pytest.raises(UnitCodeError):
        st.write_json("../outside.json", {})
    assert not (tmp_path.parent / "outside.json").exists()


def test_output_folder_errors_are_one_clear_message(tmp_path, monkeypatch):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        ensure_output_dir(f)
    with pytest.raises(OutputError, match="parent .* is a file"):
        ensure_output_dir(f / "sub")

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(OutputError, match="permission denied"):
        ensure_output_dir(tmp_path / "ro")


def test_a_full_disk_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "a.json"
    store_mod.write_json(target, {"v": 1})

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    import pyarrow.parquet as pq

    monkeypatch.setattr(pq, "write_table", full)  # where store.parquet_frame writes
    with pytest.raises(OutputError, match="no space left"):
        store_mod.write_parquet(tmp_path / "b.parquet", pd.DataFrame({"x": [1]}))
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]
    assert store_mod.read_json(target) == {"v": 1}
