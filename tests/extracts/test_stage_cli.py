"""The audit stage (configured extracts, indicator rows) and the ``popqa extract`` command."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from popqa.errors import ConfigError, InputError, OutputError, PopqaError
from popqa.extracts.config import ExtractsConfig
from popqa.extracts.stage import extracts_stage
from popqa.indicators import validate_indicators
from popqa.period import Period
from popqa.stages import RunContext
from popqa.store import ResultsStore
from tests.extracts.frames import person, register


def _reg():
    return register([person("A", "2022-03-04"), person("B", "2022-03-04", citizen_id=None),
                     person("C", "1990-05-06", citizen_id=None), person("D", "2020-01-01", birth_date_precision="year")])


def _ctx(tmp_path, extracts, store_root=None):
    cfg = SimpleNamespace(extracts=extracts, language="en")
    store = SimpleNamespace(root=store_root or tmp_path / "results")
    ctx = RunContext(data_dir=tmp_path, period=Period.parse("2026-10"), config=cfg, options={"store": store})
    ctx.artifacts.update({
        "register": _reg(),
        "dedupe": SimpleNamespace(clusters=pd.DataFrame({"person_id": ["A", "B", "C", "D"],
                                                         "cluster_id": ["A", "A", "C", "D"]})),
        "findings:checks": pd.DataFrame({"table": ["persons"], "severity": ["warning"], "record_id": ["C"],
                                         "rule_id": ["V012"]}),
        "inputs": [{"file": "persons.parquet", "sha256": "ab" * 32}],
    })
    return ctx


def test_stage_without_extracts_configured_does_nothing(tmp_path):
    assert extracts_stage(_ctx(tmp_path, None)) == {}
    assert extracts_stage(_ctx(tmp_path, ExtractsConfig())) == {}


def test_stage_writes_the_configured_extracts_outside_the_store_and_returns_counts(tmp_path):
    cfg = ExtractsConfig(kinds=("under6", "voters"), out=str(tmp_path / "extracts"))
    out = extracts_stage(_ctx(tmp_path, cfg))
    rows = validate_indicators(out["indicators:extracts"])
    folder = tmp_path / "extracts" / "2026-10"
    assert (folder / "under6.csv").is_file() and (folder / "voters.csv").is_file()
    log = [json.loads(x) for x in (folder / "sharing-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["kind"] for e in log] == ["under6", "voters"]
    assert log[0]["source"]["inputs"][0]["file"] == "persons.parquet"
    com = rows[(rows["level"] == "commune") & (rows["unit_code"] == "25456")].set_index(["indicator_id", "group"])
    assert com.loc[("extract_persons", "kind=under6"), "value"] == 2       # A+B folded, D
    assert com.loc[("extract_flagged_persons", "kind=under6;flag=probable_duplicate"), "value"] == 1
    assert com.loc[("extract_flagged_persons", "kind=under6;flag=age_uncertain"), "value"] == 1
    assert com.loc[("extract_flagged_persons", "kind=voters;flag=V012"), "value"] == 1
    assert com.loc[("extract_flagged_persons", "kind=voters;flag=no_citizen_id"), "denominator"] == 1
    assert set(rows["level"]) == {"commune", "district", "province"}


def test_stage_refuses_an_extracts_folder_inside_the_results_store(tmp_path):
    cfg = ExtractsConfig(kinds=("under6",), out=str(tmp_path / "results" / "extracts"))
    with pytest.raises(OutputError, match="personal data"):
        extracts_stage(_ctx(tmp_path, cfg, store_root=tmp_path / "results"))


def test_config_needs_an_out_folder_with_kinds():
    from popqa.config import Config

    with pytest.raises(ValueError, match="extracts.out is required"):
        ExtractsConfig(kinds=("voters",))
    with pytest.raises(ValueError):
        ExtractsConfig(kinds=("pensioners",), out="x")
    assert isinstance(ConfigError("x"), ValueError)
    assert Config  # the lead adds ``extracts: ExtractsConfig`` to Config


def _parser():
    from popqa.extracts.cli import register as reg_cli

    p = argparse.ArgumentParser()
    reg_cli(p.add_subparsers(dest="command"))
    return p


def _committed_audit(root: Path, period: str, inputs, clusters: pd.DataFrame, findings: pd.DataFrame,
                     pairs: pd.DataFrame | None = None, audit_id: str = "a1b2c3d4e5f60718") -> None:
    store = ResultsStore(root)
    with store.begin(period, audit_id=audit_id) as st:
        st.write_parquet("analyst/clusters.parquet", clusters)
        st.write_parquet("analyst/findings.parquet", findings)
        if pairs is not None:
            st.write_parquet("analyst/duplicate_pairs.parquet", pairs)
        st.commit({"status": "ok", "inputs": inputs})


def _audited_register(tmp_path: Path, **audit) -> tuple[Path, list[dict]]:
    """The test register written as Parquet and a committed audit of it (clusters A+B, C, D; V013 on B)."""
    data = tmp_path / "register"
    _reg().to_parquet(data)
    from popqa.io import read_register

    inputs = [{"file": r["file"], "sha256": r["sha256"]} for r in read_register(data).read_report if r.get("sha256")]
    _committed_audit(tmp_path / "results", "2026-10", inputs, *_AUDIT, **audit)
    return data, inputs


_AUDIT = (pd.DataFrame({"person_id": ["A", "B", "C", "D"], "cluster_id": ["A", "A", "C", "D"]}),
          pd.DataFrame({"table": ["persons"], "severity": ["error"], "record_id": ["B"], "rule_id": ["V013"]}))


def test_cli_reuses_the_audit_clusters_and_findings(tmp_path, capsys):
    data, _ = _audited_register(tmp_path)
    args = _parser().parse_args(["extract", "--data", str(data), "--period", "2026-10", "--kind", "under6,voters",
                                 "--out", str(tmp_path / "ex"), "--results", str(tmp_path / "results"),
                                 "--lang", "en"])
    assert args.handler(args) == 0
    df = pd.read_csv(tmp_path / "ex" / "under6.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert df.set_index("person_id").loc["A", "flags"] == "V013;probable_duplicate"
    assert "under6: 2 persons, 2 to verify" in capsys.readouterr().out
    log = (tmp_path / "ex" / "sharing-log.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(log[0])["source"]["audit_id"] == "a1b2c3d4e5f60718"


def test_cli_collapse_at_reads_the_audit_pairs_and_logs_the_setting(tmp_path):
    data, inputs = _audited_register(tmp_path)
    argv = ["extract", "--data", str(data), "--period", "2026-10", "--kind", "under6", "--out", str(tmp_path / "ex"),
            "--results", str(tmp_path / "results"), "--collapse-at", "0.99"]
    args = _parser().parse_args(argv)
    with pytest.raises(InputError, match="scored pairs"):  # an audit without its pairs file
        args.handler(args)
    _committed_audit(tmp_path / "results", "2026-10", inputs, *_AUDIT, audit_id="a1b2c3d4e5f60719",
                     pairs=pd.DataFrame({"person_id_l": ["A"], "person_id_r": ["B"], "match_probability": [0.8]}))
    assert args.handler(args) == 0
    df = pd.read_csv(tmp_path / "ex" / "under6.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    flags = df.set_index("person_id")["flags"].to_dict()
    assert flags["A"] == "possible_duplicate" and flags["B"] == "V013;possible_duplicate"  # A-B at 0.8: two rows
    log = json.loads((tmp_path / "ex" / "sharing-log.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert log["parameters"]["collapse_at"] == 0.99


def test_cli_refuses_an_audit_of_other_files(tmp_path):
    data = tmp_path / "register"
    _reg().to_parquet(data)
    _committed_audit(tmp_path / "results", "2026-10", [{"file": "persons.parquet", "sha256": "0" * 64}],
                     pd.DataFrame({"person_id": [], "cluster_id": []}), pd.DataFrame({"rule_id": []}))
    args = _parser().parse_args(["extract", "--data", str(data), "--period", "2026-10", "--kind", "under6",
                                 "--out", str(tmp_path / "ex"), "--results", str(tmp_path / "results")])
    with pytest.raises(InputError, match="another version of persons.parquet"):
        args.handler(args)


@pytest.mark.parametrize(("extra", "message"), [
    (["--kind", "pensioners"], "unknown kind"),
    (["--kind", "voters", "--election-date", "2027-13-45"], "not a date"),
    (["--kind", "school_entry", "--school-year", "20x6"], "not a year"),
])
def test_cli_bad_input_is_one_popqa_error_before_any_work(tmp_path, extra, message):
    args = _parser().parse_args(["extract", "--data", str(tmp_path / "nowhere"), "--period", "2026-10",
                                 "--out", str(tmp_path / "ex"), *extra])
    with pytest.raises(PopqaError, match=message):
        args.handler(args)
    assert not (tmp_path / "ex").exists()
