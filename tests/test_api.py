"""The public Python API: top-level names, Register's repr, rule ids, periods, the README example."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import popqa
from popqa.period import PeriodError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data_samples" / "tayninh-godau" / "register"


def _readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_audit_report_run_and_the_scorecard_are_top_level():
    from popqa import pipeline, scorecard

    for name in ("audit", "report", "run"):
        assert name in popqa.__all__ and getattr(popqa, name) is getattr(pipeline, name)
    for name in ("compute_scorecard", "record_units", "dqr_rollup", "units_failing", "grade", "add_trend",
                 "ScorecardConfig"):
        assert name in popqa.__all__ and getattr(popqa, name) is getattr(scorecard, name)
    assert set(popqa.__all__) <= set(dir(popqa))
    with pytest.raises(AttributeError):
        popqa.not_a_name  # noqa: B018


def test_readme_example_uses_only_exported_names():
    code = _readme_example()
    compile(code, "README.md", "exec")
    used = set(re.findall(r"popqa\.([A-Za-z_]+)", code))
    assert {"read_register", "run_checks", "audit", "report", "run", "units_failing", "dqr_rollup"} <= used
    assert used <= set(popqa.__all__)


def test_register_repr_is_one_short_line():
    reg = popqa.read_register(SAMPLE, period="2026-10")
    text = repr(reg)
    assert "\n" not in text and len(text) < 250
    assert text.startswith("Register(period='2026-10'")
    assert f"persons={len(reg.persons):,}" in text and f"households={len(reg.households):,}" in text


def test_unknown_rule_ids_are_an_error_naming_them():
    reg = popqa.read_register(SAMPLE, tables=["households", "persons"], period="2026-10")
    with pytest.raises(ValueError, match=r"unknown rule id\(s\): X999, ZZZ"):
        popqa.run_checks(reg, rules=["V001", "X999", "ZZZ"])
    with pytest.raises(ValueError, match="L001 are computed by linkage"):
        popqa.run_checks(reg, rules=["L001"])
    f = popqa.run_checks(reg, rules=["C002"])
    assert set(f["rule_id"]) <= {"C002"}
    assert popqa.run_checks(reg, rules=[]).empty  # nothing asked, nothing run


@pytest.mark.parametrize("bad", ["10/2026", "2026-13", "2026-1", "2026/10"])
def test_read_register_checks_the_period_before_reading(bad, tmp_path):
    with pytest.raises(PeriodError, match="period"):
        popqa.read_register(SAMPLE, period=bad)
    with pytest.raises(PeriodError):  # the period is checked first, even for a missing folder
        popqa.read_register(tmp_path / "missing", period=bad)
    assert popqa.read_register(SAMPLE, tables=["households", "persons"], period=popqa.Period(2026, 10)).period == \
        "2026-10"


@pytest.mark.slow
def test_readme_example_runs(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    shutil.copytree(SAMPLE, tmp_path / "data" / "2026-10")
    monkeypatch.chdir(tmp_path)
    calls = []  # rendering the site is tested in tests/reporting; here only that the example calls it
    monkeypatch.setattr(popqa, "report", lambda *a, **k: calls.append((a, k)), raising=False)
    ns: dict = {}
    exec(compile(_readme_example(), "README.md", "exec"), ns)  # noqa: S102
    head = popqa.units_failing(ns["sc"])
    assert {"district", "commune", "collaborator"} <= set(head["level"])
    assert calls == [(("results", "site"), {})]
    assert isinstance(ns["late"], pd.DataFrame) and set(ns["late"]["rule_id"]) <= {"E002"}
