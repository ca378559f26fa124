"""docs/indicators.md is generated from the registry; `popqa indicators` lists every indicator."""

from pathlib import Path

from popqa.indicators.core import all_indicators
from popqa.indicators.docs import registry_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_docs_indicators_md_is_generated_from_the_registry():
    assert (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8") == registry_markdown(), (
        "regenerate with: make docs")


def test_cli_lists_every_indicator(capsys):
    from popqa.cli import main

    assert main(["indicators", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    for i in all_indicators():
        assert f"\n{i}," in out
