"""The staged audit over the store, on the hand-made register of tests/checks/frames.py."""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from popqa.errors import InputError, OutputError
from popqa.pipeline import audit
from popqa.stages import STAGES, Stage
from popqa.store import ResultsStore
from tests.checks import frames

PERIOD = "2026-10"


def write_register(folder: Path, hh=None, pp=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (frames.households() if hh is None else hh).to_csv(folder / "households.csv", index=False)
    (frames.persons() if pp is None else pp).to_csv(folder / "persons.csv", index=False)
    frames.events().to_csv(folder / "events.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    data = write_register(root / "data")
    res = audit(data, PERIOD, root / "results", workbooks=True)
    return root, data, res


def test_audit_commits_a_manifest_with_stages_inputs_and_id(audited):
    root, data, res = audited
    store = ResultsStore(root / "results")
    man = store.manifest(PERIOD)
    assert man["audit_id"] == res["audit_id"] and man["status"] == "ok"
    names = [s["name"] for s in man["stages"]]
    assert names[0] == "read" and names[1:] == [s.name for s in STAGES]
    assert all(s["status"] == "ok" and s["seconds"] >= 0 for s in man["stages"])
    # CPU seconds and the peak memory so far, per stage: the peak never goes down, the link stage costs CPU
    assert all(s["cpu_seconds"] >= 0 and s["peak_rss_mb"] > 0 for s in man["stages"])
    peaks = [s["peak_rss_mb"] for s in man["stages"]]
    assert peaks == sorted(peaks)
    assert next(s for s in man["stages"] if s["name"] == "link")["cpu_seconds"] > 0
    assert next(s for s in man["stages"] if s["name"] == "findings")["rows"]["records"] > 0
    hashes = {i["file"]: i["sha256"] for i in man["inputs"]}
    for f in ("households.csv", "persons.csv", "events.csv"):
        assert hashes[f] == hashlib.sha256((data / f).read_bytes()).hexdigest()
    d = store.period_dir(PERIOD)
    ind = pd.read_parquet(d / "indicators.parquet")
    assert {"on_time_communes", "mobile_entry", "late_share"} <= set(ind["indicator_id"])
    assert (d / "districts" / "703" / "kpis.json").exists() and (d / "analyst" / "workbooks" / "703.xlsx").exists()
    kpis = json.loads((d / "districts" / "703" / "kpis.json").read_text(encoding="utf-8"))
    assert {t["indicator"] for t in kpis["targets"]} == {"on_time_communes", "mobile_entry"}


def test_same_inputs_same_id_changed_input_new_id(audited, tmp_path):
    root, data, res = audited
    copy = shutil.copytree(data, tmp_path / "data")
    again = audit(copy, PERIOD, tmp_path / "results", workbooks=False)
    assert again["audit_id"] == res["audit_id"]
    pp = frames.persons()
    pp.loc[0, "full_name"] = "Nguyễn Văn Ân"
    pp.to_csv(copy / "persons.csv", index=False)
    changed = audit(copy, PERIOD, tmp_path / "results", workbooks=False)
    assert changed["audit_id"] != res["audit_id"]
    assert ResultsStore(tmp_path / "results").audit_id(PERIOD) == changed["audit_id"]


def test_a_memory_budget_from_the_command_line_reaches_the_configuration_and_keeps_the_audit_id(audited, tmp_path, capsys):
    from popqa.cli import main

    root, data, res = audited
    assert main(["audit", "--data", str(data), "--period", PERIOD, "--out", str(tmp_path / "results"),
                 "--no-workbooks", "--no-progress", "--memory-budget", "3300MB"]) == 0
    man = ResultsStore(tmp_path / "results").manifest(PERIOD)
    assert man["parameters"]["linkage"]["memory_budget"] == "3300MB"
    assert man["audit_id"] == res["audit_id"]  # how the work is spread, not what is computed
    default = ResultsStore(root / "results").manifest(PERIOD)
    assert default["parameters"]["linkage"]["memory_budget"] is None


def test_malformed_district_codes_are_findings_never_paths(tmp_path):
    hh = frames.households()
    hh.loc[1, "district_code"] = "../../../../pwned"
    pp = frames.persons()
    pp.loc[pp["household_id"] == "H2", "district_code"] = "9" * 370
    data = write_register(tmp_path / "data", hh=hh, pp=pp)
    out = tmp_path / "deep" / "results"
    res = audit(data, PERIOD, out)
    assert res["districts"] == ["703"]
    every = {p.resolve() for p in tmp_path.rglob("*")}
    assert all(str(p).startswith(str(tmp_path.resolve())) for p in every)
    assert not any("pwned" in p.name or "999999" in p.name for p in every)
    findings = pd.read_parquet(out / PERIOD / "analyst" / "findings.parquet")
    bad = findings[findings["record_id"].isin(["H2"]) & (findings["table"] == "households")]
    assert len(bad), "the household with a malformed district code carries a finding"
    assert (out / PERIOD / "analyst" / "workbooks" / "unassigned.xlsx").exists()
    prov = json.loads((out / PERIOD / "province.json").read_text(encoding="utf-8"))
    assert prov["rejected_district_codes"] == 1


def test_empty_register_is_an_input_error_and_commits_nothing(tmp_path):
    data = write_register(tmp_path / "data", pp=frames.persons().iloc[:0])
    with pytest.raises(InputError, match="no persons"):
        audit(data, PERIOD, tmp_path / "results")
    assert ResultsStore(tmp_path / "results").periods() == []


def _failing(ctx):
    raise RuntimeError("boom")


def _extra_indicator(ctx):
    from popqa.indicators import indicator_rows

    return {"indicators:extra": indicator_rows("late_share", level="commune", unit_code="25456",
                                               period=str(ctx.period), value=0.5)}


def test_a_new_stage_plugs_in_and_a_non_essential_failure_is_recorded(tmp_path):
    data = write_register(tmp_path / "data")
    i = [s.name for s in STAGES].index("findings")
    stages = [*STAGES[:i], Stage("extra", _extra_indicator, essential=False),
              Stage("broken", _failing, essential=False), *STAGES[i:]]
    res = audit(data, PERIOD, tmp_path / "results", stages=stages, workbooks=False)
    man = ResultsStore(tmp_path / "results").manifest(PERIOD)
    status = {s["name"]: s for s in man["stages"]}
    assert status["broken"]["status"] == "failed" and "boom" in status["broken"]["error"]
    assert man["status"] == "partial" and res["audit_id"]
    ind = pd.read_parquet(tmp_path / "results" / PERIOD / "indicators.parquet")
    assert ((ind["level"] == "commune") & (ind["unit_code"] == "25456")).any()


def test_an_essential_failure_commits_nothing_and_keeps_the_previous_audit(audited, tmp_path):
    root, data, res = audited
    results = tmp_path / "results"
    first = audit(data, PERIOD, results, workbooks=False)
    i = [s.name for s in STAGES].index("publish")
    stages = [*STAGES[:i], Stage("broken", _failing), *STAGES[i:]]
    pp = frames.persons()
    pp.loc[0, "full_name"] = "Nguyễn Văn Ân"
    copy = write_register(tmp_path / "data2", pp=pp)
    with pytest.raises(RuntimeError, match="boom"):
        audit(copy, PERIOD, results, stages=stages)
    store = ResultsStore(results)
    assert store.audit_id(PERIOD) == first["audit_id"]
    assert not list((results / ".popqa" / "staging").iterdir())


def _count_writes(monkeypatch, data, out) -> int:
    import popqa.store as store_mod

    calls = {"n": 0}
    real = store_mod._tmp_sibling

    def counting(path):
        calls["n"] += 1
        return real(path)

    monkeypatch.setattr(store_mod, "_tmp_sibling", counting)
    audit(data, PERIOD, out)
    monkeypatch.undo()
    return calls["n"]


def _fail_at(monkeypatch, k):
    import popqa.store as store_mod

    calls = {"n": 0}
    real = store_mod._tmp_sibling

    def failing(path):
        calls["n"] += 1
        if calls["n"] == k:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path)

    monkeypatch.setattr(store_mod, "_tmp_sibling", failing)


def _check_whole(results: Path, audit_id: str) -> None:
    store = ResultsStore(results)
    assert store.audit_id(PERIOD) == audit_id
    d = store.period_dir(PERIOD)
    for f in ("scorecard.parquet", "indicators.parquet", "province.json", "districts/703/kpis.json"):
        assert (d / f).exists()
    assert not list((results / ".popqa" / "staging").iterdir())
    assert not list(results.rglob("*.tmp"))


def _injected(monkeypatch, audited, tmp_path, ks):
    root, data, res = audited
    results = tmp_path / "results"
    shutil.copytree(root / "results", results, symlinks=True)
    pp = frames.persons()
    pp.loc[0, "full_name"] = "Nguyễn Văn Ân"
    changed = write_register(tmp_path / "changed", pp=pp)
    n = _count_writes(monkeypatch, changed, tmp_path / "count")
    assert n > 15
    for k in ks(n):
        _fail_at(monkeypatch, k)
        with pytest.raises(OutputError, match="no space left"):
            audit(changed, PERIOD, results)
        monkeypatch.undo()
        _check_whole(results, res["audit_id"])
    new = audit(changed, PERIOD, results)
    _check_whole(results, new["audit_id"])


def test_a_failed_write_keeps_the_previous_audit_whole(monkeypatch, audited, tmp_path):
    # the first write, one in the middle and the manifest (the last): the default run
    _injected(monkeypatch, audited, tmp_path, lambda n: [1, n // 2, n])


@pytest.mark.slow
def test_a_failed_write_at_each_write_keeps_the_previous_audit_whole(monkeypatch, audited, tmp_path):
    _injected(monkeypatch, audited, tmp_path, lambda n: range(1, n + 1))


def test_a_privacy_reduced_export_is_audited_and_the_manifest_says_what_could_not_run(tmp_path):
    pp = frames.persons().assign(full_name=None, birth_date=None, citizen_id=None)
    data = write_register(tmp_path / "data", pp=pp)
    audit(data, PERIOD, tmp_path / "results", workbooks=False)
    man = ResultsStore(tmp_path / "results").manifest(PERIOD)
    link = next(s for s in man["stages"] if s["name"] == "link")
    assert link["status"] == "ok" and any("cannot run" in n for n in link.get("notes", []))


def test_read_options_come_from_the_configuration(tmp_path):
    from popqa.config import Config

    data = write_register(tmp_path / "data")
    with open(data / "persons.csv", "a", encoding="utf-8") as fh:
        fh.write('P99,H1,"Nguyễn Văn Cụt\n')  # a last row cut off inside a quote
    with pytest.raises(InputError, match="row"):
        audit(data, PERIOD, tmp_path / "r1", workbooks=False)
    cfg = Config.from_dict({"read": {"bad_rows": "set_aside"}})
    audit(data, PERIOD, tmp_path / "r2", cfg, workbooks=False)
    rep = {r["file"]: r for r in ResultsStore(tmp_path / "r2").manifest(PERIOD)["read_report"]}
    assert rep["persons.csv"]["rows_set_aside"] == 1
    assert rep["persons.csv"]["rows_found"] == rep["persons.csv"]["rows_read"] + 1
