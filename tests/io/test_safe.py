"""Findings files opened in Excel: formula injection escaped, numbers left numbers, a BOM.

The escape is OWASP's "CSV Injection" advice (https://owasp.org/www-community/attacks/CSV_Injection):
cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading single quote.
"""

from __future__ import annotations

import codecs

import pandas as pd
import pytest

from popqa.io.safe import safe_cell, safe_frame
from tests.io.test_readers import PERSONS, _folder


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+cmd", "'+cmd"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-2.8", "-2.8"),  # a number written as text stays a number
        ("+84", "+84"),
        ("1e-3", "1e-3"),
        ("Ấp 3", "Ấp 3"),
        (-2.8, -2.8),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_safe_frame_only_touches_risky_text():
    df = pd.DataFrame(
        {"value": ["=1+1", "-2.8", None, "Lê"], "n": [-2.8, 1.0, 2.0, 3.0], "s": pd.array(["@x", "a", None, "-5"])}
    )
    out = safe_frame(df)
    assert out["value"].tolist()[:2] == ["'=1+1", "-2.8"] and out["value"].tolist()[3] == "Lê"
    assert pd.isna(out["value"].iloc[2])
    assert out["n"].tolist() == [-2.8, 1.0, 2.0, 3.0] and out["n"].dtype == "float64"
    assert out["s"].tolist()[:2] == ["'@x", "a"] and out["s"].iloc[3] == "-5"
    assert df["value"].iloc[0] == "=1+1"  # the input is not changed


def test_check_writes_a_bom_csv_with_escaped_cells(tmp_path, capsys):
    from popqa.cli import main

    bad = PERSONS.replace("khong ro", '"=HYPERLINK(""http://x"")"')  # a birth date V030 reports
    d = _folder(tmp_path, persons=bad)
    out = tmp_path / "findings.csv"
    assert main(["check", "--data", str(d), "--out", str(out)]) == 0
    raw = out.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    f = pd.read_csv(out, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    cells = f["value"].tolist()
    assert "'=HYPERLINK(\"http://x\")" in cells
    assert not any(c.startswith(("=", "+", "@")) for col in f.columns for c in f[col])
