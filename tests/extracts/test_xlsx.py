"""The vectorised XLSX writer: readable by openpyxl (through pandas), text inert, slices exact."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from popqa.extracts.xlsx import Sheet, column_letter, row_xml, rows_blob, workbook_bytes


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
