"""The analysts' exploration notebooks run top to bottom and are committed without outputs."""

from __future__ import annotations

import json
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


def test_notebooks_are_percent_scripts_without_outputs_and_have_parameters():
    names = sorted(p.name for p in NOTEBOOKS.glob("*.py"))
    assert names == ["compare_source.py", "explore_findings.py", "investigate_duplicates.py"]
    assert not list(NOTEBOOKS.glob("*.ipynb"))  # nothing executed is committed
    for n in names:
        nb = jupytext.read(NOTEBOOKS / n)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert "parameters" in code[0].metadata.get("tags", []), n


def test_explore_findings_runs(tmp_path):
    nb = _execute("explore_findings.py", tmp_path)
    text = _text(nb)
    assert "findings in district 710" in text
    assert "rule_id" in text


@pytest.mark.slow
def test_investigate_duplicates_runs(tmp_path):
    text = _text(_execute("investigate_duplicates.py", tmp_path))
    assert "candidate pairs" in text and "injected" in text


@pytest.mark.slow
def test_compare_source_runs(tmp_path):
    text = _text(_execute("compare_source.py", tmp_path))
    assert "source 'civil_births' present: True" in text
    assert "records found in the register" in text
