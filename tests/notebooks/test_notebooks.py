"""The analysts' exploration notebooks run top to bottom and are committed without outputs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jupytext
import papermill as pm
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _execute(name: str, tmp_path: Path, **params) -> dict:
    nb = jupytext.read(NOTEBOOKS / name)
    out = tmp_path / name.replace(".py", ".ipynb")
    pm.execute_notebook(nb, str(out), parameters=params, kernel_name="python3", progress_bar=False,
                        execution_timeout=600)
    return json.loads(out.read_text(encoding="utf-8"))


def _text(nb: dict) -> str:
    parts = []
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            parts.append("".join(o.get("text", "")))
            parts.append("".join(o.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def _sections(nb: dict) -> dict[str, str]:
    """Output text of the code cells under each markdown heading (## ...)."""
    out: dict[str, str] = {}
    heading = ""
    for cell in nb["cells"]:
        src = "".join(cell.get("source", ""))
        if cell["cell_type"] == "markdown":
            m = [ln[3:].strip() for ln in src.splitlines() if ln.startswith("## ")]
            heading = m[0] if m else heading
            continue
        out.setdefault(heading, "")
        out[heading] += _text({"cells": [cell]})
    return out


def test_notebooks_are_percent_scripts_without_outputs_and_have_parameters():
    names = sorted(p.name for p in NOTEBOOKS.glob("*.py"))
    assert names == ["audit_results.py", "compare_source.py", "explore_findings.py", "investigate_duplicates.py"]
    assert not list(NOTEBOOKS.glob("*.ipynb"))  # nothing executed is committed
    for n in names:
        nb = jupytext.read(NOTEBOOKS / n)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert "parameters" in code[0].metadata.get("tags", []), n


def test_explore_findings_shows_every_section(tmp_path):
    nb = _execute("explore_findings.py", tmp_path)
    text = _text(nb)
    m = re.search(r"([\d,]+) findings in district 710", text)
    assert m and int(m.group(1).replace(",", "")) > 0
    sec = _sections(nb)
    assert "rule_id" in sec["Rules that fire most"] and "message_en" in sec["Rules that fire most"]
    # the collaborator section the introduction promises: a table of collaborators with findings
    collab = sec["By collaborator"]
    m = re.search(r"([\d,]+) collaborators with findings in district 710", collab)
    assert m and int(m.group(1).replace(",", "")) > 0
    assert "collaborator_id" in collab and "main_rule" in collab and "per_1000" in collab
    # the last section displays the records (it showed nothing before)
    last = sec["The records behind the most frequent rule"]
    m = re.search(r"rule (\w+): ([\d,]+) records", last)
    assert m and int(m.group(2).replace(",", "")) > 0
    assert "record_id" in last and "collaborator_id" in last


@pytest.mark.slow
def test_audit_results_reproduces_the_supervisors_numbers(tmp_path):
    nb = _execute("audit_results.py", tmp_path)
    text = _text(nb)
    assert "province score matches the site: True" in text
    assert "DQR roll-up reproduced: True" in text
    assert "scorecard reproduced from the findings: True" in text
    m = re.search(r"collaborator: (\d+) of (\d+) graded units below 98 ", text)
    assert m and int(m.group(1)) <= int(m.group(2))
    sec = _sections(nb)
    assert "on_time_communes" in sec["Program targets (indicator rows)"]
    assert "share_failing" in sec["How many units fail, beside the average"]


@pytest.mark.slow
def test_investigate_duplicates_runs(tmp_path):
    text = _text(_execute("investigate_duplicates.py", tmp_path))
    assert "candidate pairs" in text and "injected" in text


@pytest.mark.slow
def test_compare_source_runs(tmp_path):
    text = _text(_execute("compare_source.py", tmp_path))
    assert "source 'civil_births' present: True" in text
    assert "records found in the register" in text
