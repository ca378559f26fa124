"""The vectorised XLSX writer: readable by openpyxl (through pandas), text inert, slices exact."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pyarrow as pa

from popqa.io.xlsx import Sheet, column_letter, row_xml, rows_blob, workbook_bytes


def test_slices_of_one_buffer_make_separate_sheets_with_the_right_rows():
    df = pd.DataFrame({"id": [f"P{i}" for i in range(10)], "n": pd.array(range(10), dtype="Int64")})
    rows = row_xml(df)
    data = workbook_bytes([Sheet("a", ["id", "n"], rows_blob(rows, 0, 3), ncols=2, nrows=3),
                           Sheet("b", ["id", "n"], rows_blob(rows, 3, 10), ncols=2, nrows=7)])
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert sheets["a"]["id"].tolist() == ["P0", "P1", "P2"]
    assert sheets["b"]["n"].tolist() == list(range(3, 10))


def test_text_is_escaped_control_characters_dropped_and_formulas_stay_text():
    df = pd.DataFrame({"t": ["a<b>&c", "x\x01y\x1fz", "=SUM(A1:A2)", "Ấp 3"]})
    data = workbook_bytes([Sheet("s", ["t"], rows_blob(row_xml(df), 0, 4), ncols=1, nrows=4)])
    back = pd.read_excel(io.BytesIO(data), sheet_name="s")["t"].tolist()
    assert back == ["a<b>&c", "xyz", "=SUM(A1:A2)", "Ấp 3"]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and 't="inlineStr"' in xml


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]


def test_rows_keep_their_order_and_slices_cross_chunk_boundaries():
    # more rows than one DuckDB vector; a float column with a non-finite value is an empty cell
    n = 5000
    df = pd.DataFrame({"id": [f"P{i}" for i in range(n)], "x": [float(i) if i != 7 else float("inf") for i in range(n)]})
    rows = row_xml(df)
    got = rows_blob(rows, 0, n).decode()
    assert got.count("<row>") == n
    assert [r.split("<t>")[1].split("</t>")[0] for r in got.split("</row>")[:-1]] == df["id"].tolist()
    assert "<c><v>6.0</v></c></row><row>" in got or "<c><v>6</v></c></row><row>" in got
    assert '<t>P7</t></is></c><c/></row>' in got
    # the same bytes from a chunked array, for slices inside one chunk and across several
    chunked = pa.chunked_array([pa.array(["<row>a</row>", "<row>b</row>"]), pa.array(["<row>c</row>"]),
                                pa.array(["<row>d</row>", "<row>e</row>"])])
    flat = b"".join(s.encode() for s in chunked.to_pylist())
    for lo, hi in ((0, 5), (1, 4), (2, 3), (3, 5), (4, 5), (1, 1)):
        assert rows_blob(chunked, lo, hi) == flat[12 * lo:12 * hi]
    large = pa.array(chunked.to_pylist(), type=pa.large_string())
    assert rows_blob(large, 1, 4) == flat[12:48]


def test_drop_down_choices_and_a_bold_second_header_are_read_back_by_openpyxl():
    import openpyxl

    from popqa.io.xlsx import text_rows

    df = pd.DataFrame({"id": ["a", "b", "c"], "fix": [None, None, None]})
    body = rows_blob(row_xml(df), 0, 3) + text_rows([[]]) + text_rows([["Rule", "Meaning"]], bold=True)
    data = workbook_bytes([Sheet("s", ["id", "fix"], body, ncols=2, nrows=5,
                                 choices={1: ["fixed", 'say "no"', "pending"]})])
    ws = openpyxl.load_workbook(io.BytesIO(data))["s"]
    dv = ws.data_validations.dataValidation
    assert len(dv) == 1 and str(dv[0].sqref) == "B2:B6"
    assert dv[0].formula1 == '"fixed,say ""no"",pending"'
    rows = list(ws.iter_rows(values_only=True))
    assert rows[:4] == [("id", "fix"), ("a", None), ("b", None), ("c", None)]
    assert rows[-1] == ("Rule", "Meaning") and ws.cell(row=len(rows), column=1).font.b
    assert not ws.cell(row=2, column=1).font.b


def test_a_choice_with_a_comma_is_refused():
    import pytest

    with pytest.raises(ValueError, match="comma"):
        workbook_bytes([Sheet("s", ["x"], b"", ncols=1, nrows=0, choices={0: ["a,b"]})])
