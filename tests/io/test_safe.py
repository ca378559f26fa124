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
        ("-٣", "'-٣"),  # other scripts' digits: not a number to a spreadsheet
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


def _nasty_texts(n: int = 4_000) -> list:
    """Cells of every kind a register's text holds: formulas, signed numbers (ASCII and other scripts'
    digits), numbers with a trailing line break, leading tabs and line breaks, Vietnamese text, empty
    strings, missing values."""
    import random

    rng = random.Random(11)
    heads = ["=", "+", "-", "@", "\t", "\r", "\n", "", "", "Ấ", " ", "'"]
    bodies = ["1+1", "2.8", "84 912", "1e-3", ",5", "٣", "٣.٥", "SUM(A1)", "2.8\n", "", "Lê Văn", "5e", "e5",
              "12,", "HYPERLINK(\"x\")", "0x1F", "١٢"]
    out: list = []
    for _ in range(n):
        r = rng.random()
        out.append(None if r < 0.03 else rng.choice(heads) + rng.choice(bodies))
    return out


def test_safe_frame_quotes_exactly_the_cells_safe_cell_quotes():
    import numpy as np

    values = _nasty_texts()
    mixed = values[:]
    mixed[::97] = [-2.5] * len(mixed[::97])  # numbers in a text column stay numbers
    df = pd.DataFrame({"text": pd.Series(values, dtype="string"), "obj": pd.Series(mixed, dtype=object),
                       "arrow": pd.Series(values, dtype="string[pyarrow]")})
    out = safe_frame(df)
    for col in df.columns:
        expected = [safe_cell(v) for v in df[col].astype(object).where(df[col].notna(), None)]
        got = [None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else v
               for v in out[col].astype(object)]
        assert got == expected, col
    quoted = sum(isinstance(v, str) and v.startswith("'") and not w.startswith("'")
                 for v, w in zip(out["text"].astype(object), df["text"].fillna("x"), strict=True))
    assert 0.3 * len(values) < quoted < 0.7 * len(values)  # many cells of each kind


def test_the_extracts_arrow_escape_is_safe_frames():
    from popqa.extracts.write import safe_arrow

    df = pd.DataFrame({"text": pd.Series(_nasty_texts(), dtype="string")})
    ours = safe_arrow(df).column("text").to_pylist()
    theirs = [None if v is pd.NA else v for v in safe_frame(df)["text"].astype(object)]
    assert ours == theirs
