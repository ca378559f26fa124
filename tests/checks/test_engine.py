"""The findings table, the catalogue, summaries, malformed input and the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from popqa.checks import catalogue, run_checks, summarise
from popqa.cli import main
from popqa.config import Config
from popqa.contract import DIMENSIONS, FINDINGS_COLUMNS, SEVERITIES
from popqa.errors import InputError
from tests.checks.frames import events, households, make, persons


def _broken():
    pp = persons()
    pp.loc[pp["person_id"] == "P21", "sex"] = 3
    pp.loc[pp["person_id"] == "P13", "birth_date"] = "không rõ"
    pp.loc[pp["person_id"] == "P11", "citizen_id"] = "099080123456"
    return make(pp=pp)


def test_catalogue_has_40_rules_with_unique_ids_and_both_messages():
    rules = catalogue()
    assert len(rules) >= 40
    assert len({r.rule_id for r in rules}) == len(rules)
    for r in rules:
        assert r.dimension in DIMENSIONS and r.severity in SEVERITIES
        assert r.message_vi.strip() and r.message_en.strip() and r.message_vi != r.message_en
    # Vietnamese messages carry diacritics (NFC)
    import unicodedata

    assert all(unicodedata.is_normalized("NFC", r.message_vi) for r in rules)
    assert sum(any(ord(ch) > 127 for ch in r.message_vi) for r in rules) == len(rules)


def test_every_dimension_is_covered():
    assert {r.dimension for r in catalogue()} == set(DIMENSIONS)


def test_findings_have_exactly_the_contract_columns_and_are_deterministic():
    a, b = run_checks(_broken()), run_checks(_broken())
    assert tuple(a.columns) == FINDINGS_COLUMNS
    pd.testing.assert_frame_equal(a, b)
    assert set(a["rule_id"]) >= {"V001", "V030", "I002"}
    # shuffled input rows, same findings
    pp = persons().sample(frac=1, random_state=3)
    pp.loc[pp["person_id"] == "P21", "sex"] = 3
    c = run_checks(make(pp=pp))
    pd.testing.assert_frame_equal(
        c[c["rule_id"] == "V001"].reset_index(drop=True), a[a["rule_id"] == "V001"].reset_index(drop=True)
    )


def test_config_from_the_full_config_object():
    ev = events()
    ev.loc[ev["event_id"] == "E3", "recorded_date"] = "2026-08-15"
    reg = make(ev=ev)
    assert "E002" in set(run_checks(reg, Config())["rule_id"])
    assert "E002" not in set(run_checks(reg, Config.from_dict({"checks": {"late_days": 60}}))["rule_id"])


def test_rules_needing_absent_tables_do_not_run():
    f = run_checks(make(with_events=False))
    assert len(f) == 0
    pp = persons()
    pp.loc[0, "sex"] = 7
    f = run_checks(make(pp=pp, with_events=False))
    assert set(f["rule_id"]) == {"V001"}


def test_empty_tables_give_no_findings_and_no_error():
    reg = make(hh=households().iloc[0:0], pp=persons().iloc[0:0], ev=events().iloc[0:0])
    f = run_checks(reg)
    assert tuple(f.columns) == FINDINGS_COLUMNS and len(f) == 0


def test_wrong_types_become_findings_not_tracebacks():
    pp = persons().astype(object)
    pp.loc[0, "sex"] = "nam"
    pp.loc[1, "status"] = "1.5"
    pp.loc[2, "updated_at"] = "yesterday"
    f = run_checks(make(pp=pp))
    v = f[f["rule_id"] == "V030"]
    assert set(zip(v["record_id"], v["column"], strict=True)) == {("P11", "sex"), ("P12", "status"),
                                                                  ("P13", "updated_at")}


def test_period_unknown_uses_latest_recorded_date():
    reg = make(period=None)
    f = run_checks(reg)
    assert len(f) == 0  # reference date = 2026-07-02, P14 (born 2026-03) is not in the future


def test_summaries_by_rule_and_unit():
    reg = _broken()
    f = run_checks(reg)
    by_rule = summarise(f, reg, by="rule")
    assert by_rule.loc[by_rule["rule_id"] == "V001", "findings"].item() == 1
    assert by_rule.loc[by_rule["rule_id"] == "V001", "records"].item() == 7
    by_commune = summarise(f, reg, by="commune")
    row = by_commune.iloc[0]
    assert row["commune_code"] == "25456" and row["records"] == 2 + 7 + 3
    assert row["per_1000"] == pytest.approx(row["findings"] / 12 * 1000, abs=0.01)
    for level in ("district", "province", "collaborator", "commune_2025"):
        out = summarise(f, reg, by=level)
        assert out["findings"].sum() == len(f)
    with pytest.raises(ValueError):
        summarise(f, reg, by="village")


def _write(folder: Path, hh=None, pp=None, ev=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (households() if hh is None else hh).to_csv(folder / "households.csv", index=False)
    (persons() if pp is None else pp).to_csv(folder / "persons.csv", index=False)
    (events() if ev is None else ev).to_csv(folder / "events.csv", index=False)
    return folder


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_cli_check_writes_findings_and_exits_0(tmp_path, capsys, suffix):
    pp = persons()
    pp.loc[0, "sex"] = 5
    data = _write(tmp_path / "reg", pp=pp)
    out = tmp_path / f"findings{suffix}"
    assert main(["check", "--data", str(data), "--out", str(out), "--period", "2026-10"]) == 0
    f = pd.read_csv(out, dtype=str) if suffix == ".csv" else pd.read_parquet(out)
    assert tuple(f.columns) == FINDINGS_COLUMNS
    assert f["rule_id"].tolist() == ["V001"]
    assert "findings: 1" in capsys.readouterr().out


def test_cli_missing_column_is_one_clear_error(tmp_path, capsys):
    data = _write(tmp_path / "reg", pp=persons().drop(columns=["sex"]))
    rc = main(["check", "--data", str(data), "--out", str(tmp_path / "f.csv")])
    err = capsys.readouterr().err
    assert rc == 2 and "sex" in err and "Traceback" not in err
    with pytest.raises(InputError):
        from popqa.io import read_register

        read_register(data)


def test_cli_empty_file_is_one_clear_error(tmp_path, capsys):
    data = _write(tmp_path / "reg")
    (data / "events.csv").write_text("")
    rc = main(["check", "--data", str(data), "--out", str(tmp_path / "f.parquet")])
    assert rc == 2 and "empty" in capsys.readouterr().err


def test_cli_unknown_codes_are_findings(tmp_path):
    pp = persons()
    pp["ethnicity_code"] = "ZZ"
    data = _write(tmp_path / "reg", pp=pp)
    out = tmp_path / "f.csv"
    assert main(["check", "--data", str(data), "--out", str(out), "--period", "2026-10"]) == 0
    assert (pd.read_csv(out, dtype=str)["rule_id"] == "V004").sum() == len(pp)


def test_cli_rules_formats(capsys):
    assert main(["rules"]) == 0
    assert "C001" in capsys.readouterr().out
    assert main(["rules", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("rule_id,") and len(lines) == len(catalogue()) + 1


def test_docs_rules_md_is_generated_from_the_catalogue():
    from popqa.checks.docs import rules_markdown

    committed = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    assert committed.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: run `popqa rules --format markdown > docs/rules.md`"
    )


def test_run_checks_does_not_change_the_register():
    reg = _broken()
    before = {n: t.copy() for n, t in reg.tables.items()}
    run_checks(reg)
    for n, t in reg.tables.items():
        pd.testing.assert_frame_equal(t, before[n])
