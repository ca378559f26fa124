"""Frames spilled to Parquet come back exactly as they were (popqa.io.spill), and the audit's link
stage, which spills the register while its models run, leaves it as it found it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import popqa.io.spill as spill_mod
from popqa.io import read_register
from popqa.io.spill import Spill, spillable
from popqa.pipeline import LEFT_ON_DISK

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "tayninh-godau" / "register"


def _every_dtype(n: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    codes = np.array(["72", "80", "721", None, "Tây Ninh", ""], dtype=object)
    return pd.DataFrame({
        "code": pd.array(codes[rng.integers(0, len(codes), n)], dtype="string"),
        "arrow": pd.array(codes[rng.integers(0, len(codes), n)], dtype="string[pyarrow]"),
        "count": pd.array([None if i % 3 == 0 else i * 10**12 for i in range(n)], dtype="Int64"),
        "flag": pd.array([None if i % 4 == 0 else bool(i % 2) for i in range(n)], dtype="boolean"),
        "weight": np.where(np.arange(n) % 5 == 0, np.nan, rng.random(n)),
        "plain_bool": np.arange(n) % 2 == 0,
        "plain_int": np.arange(n, dtype="int64") - 3,
        "when": pd.to_datetime(["2026-10-31 23:59:59.123456789" if i % 2 else None for i in range(n)]),
    })


@pytest.mark.parametrize("rows_per_write", [2, 1 << 19])
def test_every_register_dtype_comes_back_the_same(tmp_path, monkeypatch, rows_per_write):
    monkeypatch.setattr(spill_mod, "ROWS_PER_WRITE", rows_per_write)  # several slices, or one
    df = _every_dtype()
    spill = Spill(tmp_path / "s")
    spill.put("t", df)
    back = spill.get("t")
    pd.testing.assert_frame_equal(back, df, check_exact=True)
    assert list(back.columns) == list(df.columns) and back.index.equals(pd.RangeIndex(len(df)))
    # repeated text shares one Python object per value, as the readers give it (plain strings only)
    vals = back["code"].array._ndarray
    seen: dict[str, int] = {}
    for v in vals:
        if isinstance(v, str):
            assert seen.setdefault(v, id(v)) == id(v)
    spill.remove()
    assert not (tmp_path / "s").exists() and "t" not in spill


def test_an_empty_table_keeps_its_columns_and_dtypes(tmp_path):
    df = _every_dtype().iloc[:0].reset_index(drop=True)
    spill = Spill(tmp_path)
    spill.put("empty", df)
    pd.testing.assert_frame_equal(spill.get("empty"), df)


def test_what_would_not_come_back_the_same_is_refused(tmp_path):
    spill = Spill(tmp_path)
    for bad in (pd.DataFrame({"a": [1, 2]}, index=[5, 6]),           # an index of its own
                pd.DataFrame({"a": pd.Categorical(["x", "y"])}),      # a dtype the register has not
                pd.DataFrame({"a": [object(), None]}),                # Python objects
                pd.DataFrame({1: [1.0]}),                             # a column name that is not text
                pd.DataFrame(index=range(3))):                        # rows without columns
        assert not spillable(bad)
        with pytest.raises(ValueError, match="cannot be spilled"):
            spill.put("bad", bad)
    assert spill.names() == [] and not list(tmp_path.iterdir())


def test_the_sample_registers_tables_come_back_the_same(tmp_path):
    reg = read_register(SAMPLE)
    spill = Spill(tmp_path)
    for name, df in reg.tables.items():
        assert spillable(df), name
        spill.put(name, df)
    assert spill.names() == list(reg.tables)
    for name, df in reg.tables.items():
        pd.testing.assert_frame_equal(spill.get(name), df, check_exact=True, obj=name)


@pytest.mark.parametrize("keep", [["code"], ["code", "when"], list(_every_dtype().columns)])
def test_kept_columns_come_back_as_the_same_arrays(tmp_path, keep):
    """A kept column is not written: the frame brought back holds the very array that was put, its
    strings the same objects (what the link stage's clusters hold of the person ids), in its place."""
    df = _every_dtype()
    spill = Spill(tmp_path / "s")
    spill.put("t", df, keep=keep)
    back = spill.get("t")
    pd.testing.assert_frame_equal(back, df, check_exact=True)
    assert all(back[c].array is df[c].array for c in keep if not isinstance(df[c].dtype, np.dtype))
    assert (tmp_path / "s" / "t.parquet").exists() == (len(keep) < len(df.columns))
    with pytest.raises(ValueError, match="no column 'nope' to keep"):
        spill.put("u", df, keep=["nope"])
    assert spill.names() == ["t"]


def test_the_link_stage_brings_the_person_ids_back_as_the_clusters_strings(tmp_path):
    """With the register out of memory while the models run, the person ids brought back are the very
    strings the deduplication's clusters hold: one copy of them for the rest of the audit, not two."""
    from popqa.config import Config
    from popqa.linkage import LinkageConfig
    from popqa.period import Period
    from popqa.pipeline import stage_link
    from popqa.stages import RunContext
    from popqa.store import ResultsStore

    reg = read_register(SAMPLE)
    with ResultsStore(tmp_path / "results").begin("2026-10", audit_id="0123abcd") as staging:
        ctx = RunContext(SAMPLE, Period(2026, 10), Config(linkage=LinkageConfig(spill_register=True)),
                         staging=staging, artifacts={"register": reg})
        out = stage_link(ctx)
        ids = reg.columns("persons", ["person_id"])["person_id"]  # while the persons' file is there
    own = {id(v) for v in ids.array._ndarray if isinstance(v, str)}
    held = [v for v in out["dedupe"].clusters["person_id"].array._ndarray if isinstance(v, str)]
    assert held and all(id(v) in own for v in held)


@pytest.mark.parametrize(("setting", "budget", "persons", "staged", "spills"), [
    (None, None, 1_250_000, True, False),   # the register stays in memory below 2 M persons, for time
    (None, None, 2_000_001, True, True),
    (None, "3300MB", 500_001, True, True),  # a budget puts memory first: above 500,000
    (None, "3300MB", 500_000, True, False),
    (True, None, 10, True, True),           # the setting decides when it is set
    (False, "3300MB", 3_000_000, True, False),
    (True, None, 3_000_000, False, False),  # never without a staging folder
])
def test_when_the_link_stage_spills_the_register(setting, budget, persons, staged, spills):
    from popqa.config import Config
    from popqa.linkage import LinkageConfig
    from popqa.period import Period
    from popqa.pipeline import _spills
    from popqa.stages import RunContext

    cfg = Config(linkage=LinkageConfig(spill_register=setting, memory_budget=budget))
    ctx = RunContext(SAMPLE, Period(2026, 10), cfg, staging=object() if staged else None)
    assert _spills(ctx, persons) is spills


# --- the link stage -------------------------------------------------------------------------------
def _stage(tmp_path, *, spill: bool, fail: bool = False, monkeypatch=None, workers: int = 1, hook=None):
    from popqa.config import Config
    from popqa.linkage import LinkageConfig
    from popqa.period import Period
    from popqa.pipeline import stage_link
    from popqa.stages import RunContext
    from popqa.store import ResultsStore

    reg = read_register(SAMPLE)
    if hook is not None:  # e.g. to see what the register holds at some step
        hook(reg)
    before = {n: df.copy() for n, df in reg.tables.items()}
    cfg = Config(linkage=LinkageConfig(workers=workers, spill_register=spill))
    seen: dict[str, object] = {}
    if monkeypatch is not None:  # what the register holds while the models run
        import popqa.linkage as linkage

        real = linkage.dedupe

        def watching(persons, *a, **k):
            seen["tables"] = {n: df is not None for n, df in reg.tables.items()}
            seen["persons_columns"] = list(persons.columns)
            seen["features"] = type(k.get("features")).__name__
            if fail:
                raise RuntimeError("the model failed")
            return real(persons, *a, **k)

        monkeypatch.setattr(linkage, "dedupe", watching)
    with ResultsStore(tmp_path / "results").begin("2026-10", audit_id="0123abcd") as staging:
        ctx = RunContext(SAMPLE, Period(2026, 10), cfg, staging=staging, artifacts={"register": reg})
        try:
            out = stage_link(ctx)
        except (RuntimeError, OSError) as exc:
            out = exc
        scratch = staging.path / ".scratch"
        # the features' files are gone whatever happened; the register's too, but for the administrative
        # sources' tables after a stage that ended well with the register out of memory: they stay on disk
        assert not (scratch / "linkage").exists()
        on_disk = [n for n in reg.tables if reg.on_disk(n)]
        if spill and isinstance(out, dict):
            assert on_disk == [n for n in before if n in LEFT_ON_DISK] and on_disk
            assert sorted(p.stem for p in (scratch / "register").glob("*.parquet")) == sorted(on_disk)
        else:
            assert not on_disk and not (scratch / "register").exists()
        assert list(reg.tables) == list(before)
        for n, df in before.items():  # the register as the stage found it (those on disk read back)
            pd.testing.assert_frame_equal(reg[n], df, check_exact=True, obj=n)
        written = {p.relative_to(staging.path).as_posix(): pd.read_parquet(p) for p in staging.path.rglob("*.parquet")
                   if p.relative_to(staging.path).parts[0] != ".scratch"}
    return out, written, seen


@pytest.fixture(scope="module")
def in_memory(tmp_path_factory):
    """The link stage of the sample with the register in memory, run once for the tests that compare with it
    (one xdist group: ``make test`` runs with ``--dist loadgroup``)."""
    return _stage(tmp_path_factory.mktemp("in-memory"), spill=False)


@pytest.mark.xdist_group("spill_link")
def test_the_link_stage_with_the_register_out_of_memory_is_the_link_stage_with_it(tmp_path, monkeypatch, in_memory):
    from popqa.contract import FINDINGS_COLUMNS
    from popqa.linkage.distributed import LINK_PERSON_COLUMNS

    kept, kept_files, _ = in_memory
    out, files, seen = _stage(tmp_path / "b", spill=True, monkeypatch=monkeypatch)
    # while the models ran, no table of the register was in it, and they read the linkage columns only
    assert seen["tables"] and not any(seen["tables"].values())
    assert set(seen["persons_columns"]) <= set(LINK_PERSON_COLUMNS)
    assert seen["features"] == "FrameFile"  # the persons' features were read from their file
    assert files.keys() == kept_files.keys() and "analyst/duplicate_pairs.parquet" in files
    for name in files:
        pd.testing.assert_frame_equal(files[name], kept_files[name], obj=name)
    assert out["links"].keys() == kept["links"].keys() and len(out["links"]) == 4
    for source in out["links"]:
        pd.testing.assert_frame_equal(out["links"][source], kept["links"][source], obj=source)
    for key in ("findings:coverage", "findings:dedupe"):
        pd.testing.assert_frame_equal(out[key][list(FINDINGS_COLUMNS)], kept[key][list(FINDINGS_COLUMNS)], obj=key)


@pytest.mark.xdist_group("spill_link")
def test_the_models_in_a_local_pool_read_their_sources_back_too(tmp_path, in_memory):
    """The pool (and a Dask cluster) get every source read back at once, and the persons' linkage columns."""
    kept, kept_files, _ = in_memory
    out, files, _ = _stage(tmp_path / "b", spill=True, workers=2)
    assert files.keys() == kept_files.keys()
    for name in files:
        pd.testing.assert_frame_equal(files[name], kept_files[name], obj=name)
    for source in kept["links"]:
        pd.testing.assert_frame_equal(out["links"][source], kept["links"][source], obj=source)


def test_a_model_that_fails_leaves_the_register_in_memory_and_no_file(tmp_path, monkeypatch):
    out, _, seen = _stage(tmp_path, spill=True, fail=True, monkeypatch=monkeypatch)
    assert isinstance(out, RuntimeError) and not any(seen["tables"].values())


def test_a_failed_write_brings_back_the_tables_written_before_it(tmp_path, monkeypatch):
    real = Spill.put
    calls = []

    def full_disk(self, name, df, keep=()):
        calls.append(name)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(self, name, df, keep=keep)

    monkeypatch.setattr(Spill, "put", full_disk)
    out, _, _ = _stage(tmp_path, spill=True)  # the register as it was, no file left (checked in _stage)
    assert isinstance(out, OSError) and "No space" in str(out) and len(calls) == 3


@pytest.mark.parametrize("fail", [False, True])
def test_the_persons_features_are_built_with_the_register_out_of_memory(tmp_path, monkeypatch, fail):
    """The features read their columns back from the register's file as Arrow text, with no table of the
    register in memory; a failure there brings the register back and leaves no file (checked in _stage)."""
    import popqa.linkage.features as features

    real, seen, registers = features.person_features, {}, []

    def watching(rows, **k):
        seen["dtype"] = rows["full_name"].dtype
        seen["columns"] = list(rows.columns)
        seen["tables"] = {n: df is not None for n, df in registers[0].tables.items()}
        if fail:
            raise RuntimeError("the features failed")
        return real(rows, **k)

    monkeypatch.setattr(features, "person_features", watching)
    out, _, _ = _stage(tmp_path, spill=True, hook=registers.append)
    assert seen["tables"] and not any(seen["tables"].values())
    assert seen["dtype"] == pd.StringDtype("pyarrow")
    assert set(seen["columns"]) <= set(features.PERSON_FEATURE_COLUMNS)
    assert isinstance(out, RuntimeError) if fail else isinstance(out, dict)


# --- the whole audit -------------------------------------------------------------------------------
def _json_without(value, drop=("linker_uid",)):
    """A model's JSON without Splink's random id, its floats to 12 digits (EM's sums may differ in the last)."""
    if isinstance(value, dict):
        return {k: _json_without(v, drop) for k, v in value.items() if k not in drop}
    if isinstance(value, list):
        return [_json_without(v, drop) for v in value]
    return float(f"{value:.12g}") if isinstance(value, float) else value


def test_the_audit_with_the_sources_left_on_disk_is_the_audit_in_memory(tmp_path, monkeypatch):
    """With the register out of memory during the link stage, the administrative sources stay on disk to
    the audit's end: the later stages read only the columns they use (never a whole table), and every
    file of the audit is the one the audit in memory writes; no scratch file is committed."""
    import json
    import zipfile

    from popqa.config import Config
    from popqa.extracts import KINDS
    from popqa.extracts.config import ExtractsConfig
    from popqa.io.register import TableOnDisk
    from popqa.linkage import LinkageConfig
    from popqa.pipeline import audit

    whole_reads: list[str] = []
    column_reads: set[str] = set()
    real = TableOnDisk.frame

    def watching(self, columns=None, rows=None, **kw):
        (whole_reads.append(self.name) if columns is None else column_reads.add(self.name))
        return real(self, columns, rows, **kw)

    monkeypatch.setattr(TableOnDisk, "frame", watching)
    results = {}
    for spill in (False, True):
        # every extract kind too: the extracts stage reads the persons' columns it judges every record by,
        # and the others for the records it keeps (one folder, part of the audit id, moved aside after)
        cfg = Config(linkage=LinkageConfig(workers=1, spill_register=spill),
                     extracts=ExtractsConfig(kinds=KINDS, out=str(tmp_path / "extracts")))
        results[spill] = audit(SAMPLE, "2026-10", tmp_path / str(spill), cfg).results_dir
        (tmp_path / "extracts").rename(tmp_path / f"extracts-{spill}")
    # every table left on disk was read by the later stages, in part: never a whole table
    assert whole_reads == [] and column_reads == set(LEFT_ON_DISK) and "persons" in column_reads
    ea, eb = (tmp_path / f"extracts-{s}" / "2026-10" for s in (False, True))
    made = sorted(p.relative_to(ea).as_posix() for p in ea.rglob("*") if p.is_file())
    assert made == sorted(p.relative_to(eb).as_posix() for p in eb.rglob("*") if p.is_file())
    assert {k for k in KINDS if any(m.startswith(k) and m.endswith(".csv") for m in made)} == set(KINDS), made
    for m in made:
        if m.endswith(".csv"):
            assert (ea / m).read_bytes() == (eb / m).read_bytes(), m
    a, b = (Path(results[s]) for s in (False, True))
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert not any(f.startswith(".scratch") for f in files) and "analyst/workbooks/710.xlsx" in files
    ma, mb = (json.loads((d / "manifest.json").read_text()) for d in (a, b))
    assert ma["tables"] == mb["tables"] and list(ma["tables"]) == list(mb["tables"])
    assert mb["tables"]["residents"] > 0 and ma["audit_id"] == mb["audit_id"]
    for f in files:
        x, y = a / f, b / f
        if f.endswith(".parquet"):
            pd.testing.assert_frame_equal(pd.read_parquet(x), pd.read_parquet(y), obj=f)
        elif f.startswith("linkage/models/"):
            assert _json_without(json.loads(x.read_text())) == _json_without(json.loads(y.read_text())), f
        elif f.endswith(".json") and f != "manifest.json":
            assert x.read_text() == y.read_text(), f
        elif f.endswith(".xlsx"):  # the members, not the zip's dates
            za, zb = zipfile.ZipFile(x), zipfile.ZipFile(y)
            assert za.namelist() == zb.namelist()
            for m in za.namelist():
                if m != "docProps/core.xml":
                    assert za.read(m) == zb.read(m), (f, m)


def test_a_table_on_disk_gives_its_columns_and_rows_as_the_table_in_memory(tmp_path):
    """``Register.columns`` on a table left on disk: the held columns are the arrays in memory, the others
    read from the file; ``rows`` takes a mask's rows; ``register[name]`` reads the whole table back and
    the register holds nothing of it; a column the table lacks is a ``KeyError``."""
    from popqa.io.register import TableOnDisk

    reg = read_register(SAMPLE)
    before = reg.persons.copy()
    spill = Spill(tmp_path)
    spill.put("persons", reg.persons, keep=["person_id"])
    spill.hold("persons", ["sex", "commune_code"])
    reg.tables["persons"] = TableOnDisk(spill, "persons")
    assert reg.on_disk("persons") and reg.rows()["persons"] == len(before)
    cols = ["commune_code", "full_name", "person_id", "sex"]
    got = reg.columns("persons", cols)
    pd.testing.assert_frame_equal(got, before[cols], check_exact=True)
    assert got["sex"].array is reg.columns("persons", ["sex"])["sex"].array  # held, not read again
    assert got["full_name"].array is not reg.columns("persons", ["full_name"])["full_name"].array  # read each time
    mask = (before["sex"] == 2).fillna(False).to_numpy()
    pd.testing.assert_frame_equal(reg.columns("persons", cols, rows=mask), before.loc[mask, cols], check_exact=True)
    pd.testing.assert_frame_equal(reg.persons, before, check_exact=True)
    # the text read from the file as Arrow's, the same values; the columns held as they are
    arrow = reg.columns("persons", cols, rows=mask, arrow_text=True)
    assert arrow["full_name"].dtype == pd.StringDtype("pyarrow") != before["full_name"].dtype
    assert arrow["commune_code"].dtype == before["commune_code"].dtype  # held in memory
    pd.testing.assert_frame_equal(arrow.astype({"full_name": before["full_name"].dtype}), before.loc[mask, cols],
                                  check_exact=True)
    assert reg.persons is not reg.persons and isinstance(reg.tables["persons"], TableOnDisk)
    with pytest.raises(KeyError, match="no column 'nickname'"):
        reg.columns("persons", ["person_id", "nickname"])
    summary = reg.summary().set_index("table")
    assert summary.loc["persons", "columns"] == before.shape[1]
