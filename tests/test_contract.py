"""The contract in code matches shared/data-contract.md's tables and the committed docs."""

import re
from pathlib import Path

import pytest

from popqa.contract import FINDINGS_COLUMNS, PAIRS_COLUMNS, TABLES, to_markdown

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data-contract.md"


def test_docs_data_contract_is_generated_from_code():
    assert (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8") == to_markdown(), (
        "regenerate with: .venv/bin/popqa contract > docs/data-contract.md"
    )


def _table_columns(section: str) -> list[str]:
    """First-column names of the Markdown table in ``section`` (below its |---| line)."""
    rows = section.split("|---", 1)[1].splitlines()[1:]
    cols = []
    for line in rows:
        m = re.match(r"\| ([a-z_, ]+?) (?:\(.*?\))?\s*\|", line)
        if m:
            cols += [c.strip() for c in m.group(1).split(",")]
    return cols


def _shared_register_columns(table: str) -> list[str]:
    text = SHARED.read_text(encoding="utf-8")
    section = re.split(rf"### {table}\b.*\n", text, maxsplit=1)[1].split("###", 1)[0]
    return _table_columns(section)


@pytest.mark.skipif(not SHARED.exists(), reason="shared/ not beside the checkout")
@pytest.mark.parametrize("table", ["households", "persons", "events"])
def test_register_tables_cover_the_shared_contract(table):
    assert set(_shared_register_columns(table)) <= set(TABLES[table].names)


@pytest.mark.skipif(not SHARED.exists(), reason="shared/ not beside the checkout")
def test_findings_columns_match_shared_contract():
    text = SHARED.read_text(encoding="utf-8")
    section = text.split("### findings", 1)[1].split("###", 1)[0]
    assert tuple(_table_columns(section)) == FINDINGS_COLUMNS
    assert PAIRS_COLUMNS == ("person_id_l", "person_id_r", "match_probability")


def test_admin_and_survey_columns():
    assert {"registration_id", "child_name", "mother_name", "mother_birth_year"} <= set(TABLES["civil_births"].names)
    assert {"citizen_id", "residence_type"} <= set(TABLES["residents"].names)
    assert {"scheme", "contributing"} <= set(TABLES["insurance"].names)
    for t in ("survey_persons", "labour_force"):
        assert {"stratum", "psu", "weight", "fpc"} <= set(TABLES[t].names)
