"""The province labour-market report renders from an audit's indicators.parquet, in Vietnamese and English."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from popqa.labour import labour_stage
from popqa.period import Period
from popqa.stages import RunContext

from .test_stage import _persons, _Reg


def _lfs(n: int = 3000, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    psu = np.sort(rng.integers(0, 120, n))
    age = rng.integers(15, 80, n)
    status = np.where(rng.random(n) < 0.75, np.where(rng.random(n) < 0.03, "unemployed", "employed"), "outside")
    emp = status == "employed"
    return pd.DataFrame({
        "stratum": (psu % 12).astype(str), "psu": psu.astype(str), "weight": 80.0 + psu % 7,
        "province_code": "72", "district_code": (710 + psu % 3).astype(str),
        "sex": rng.integers(1, 3, n), "age": age, "urban": psu % 3 == 0, "labour_status": status,
        "sector": np.where(emp, rng.choice(["agriculture", "industry", "services"], n), None),
        "training": rng.choice(["none", "certificate or higher"], n, p=[0.7, 0.3]),
        "in_education": (age < 22) & (rng.random(n) < 0.6), "in_training": rng.random(n) < 0.02,
        "social_insurance": emp & (rng.random(n) < 0.4),
        "hours_worked": np.where(emp, rng.normal(44, 8, n), np.nan),
        "wants_more_hours": np.where(emp, rng.random(n) < 0.05, None),
        "available_more_hours": np.where(emp, rng.random(n) < 0.04, None),
        "insurance_scheme": rng.choice(["compulsory", "voluntary", "none"], n, p=[0.35, 0.03, 0.62]),
    })


@pytest.fixture(scope="module")
def audit_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("audit")
    pd.DataFrame({"indicator": ["career_guidance_share"], "year": [2025], "value": [83.0],
                  "source": ["Sở GD&ĐT, báo cáo 2025"]}).to_csv(d / "labour_indicators.csv", index=False)
    reg = _Reg(tables={"labour_force": _lfs(), "insurance": pd.DataFrame({"insurance_id": ["BH1"],
                                                                         "contributing": [True]})},
               persons=_persons())
    links = {"insurance": pd.DataFrame({"source_id": ["BH1"], "person_id": ["m1"]})}
    ctx = RunContext(data_dir=d, period=Period.parse("2026-10"), config=SimpleNamespace(province_code="72"),
                     artifacts={"register": reg, "links": links})
    rows = labour_stage(ctx)["indicators:labour"]
    rows.to_parquet(d / "indicators.parquet")
    return d


def _render(audit_dir, lang):
    import jupytext
    import papermill as pm

    from popqa.reporting.runner import notebook_to_html, template_path

    nb = jupytext.read(template_path("labour_report"), fmt="py:percent")
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "python3", "language": "python"}
    nb = pm.execute_notebook(nb, None, parameters={"period": "2026-10", "audit_dir": str(audit_dir), "lang": lang},
                             kernel_name="python3", progress_bar=False, log_output=False, report_mode=True)
    return notebook_to_html(nb, lang=lang)


def test_template_first_cell_holds_literal_parameters():
    import ast

    import jupytext

    from popqa.reporting.runner import template_path

    nb = jupytext.read(template_path("labour_report"), fmt="py:percent")
    code = [c for c in nb.cells if c.cell_type == "code"
            and any(ln.strip() and not ln.lstrip().startswith("#") for ln in c.source.splitlines())]
    first = code[0]                       # the first cell with code (a leading comment cell is only text)
    assert "parameters" in first.metadata.get("tags", [])
    for node in ast.parse(first.source).body:
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    assert {n.targets[0].id for n in ast.parse(first.source).body} == {"period", "audit_dir", "lang"}


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_labour_report_renders(audit_dir, lang):
    html = _render(audit_dir, lang)
    if lang == "vi":
        assert "Báo cáo thị trường lao động" in html and "Tỷ lệ thất nghiệp" in html
        assert "Thiết kế mẫu và phương pháp" in html and "Sở GD&amp;ĐT, báo cáo 2025" in html
    else:
        assert "Labour-market report" in html and "Unemployment rate" in html
        assert "Survey design and methods" in html and "Working-age persons" in html
        assert "No data" in html          # IT skills: the column is absent
    assert html.count('<img alt="') >= 3   # by sex, area and age group
    assert "Traceback" not in html
