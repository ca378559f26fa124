"""Analyst workbooks: sheets per collaborator, order, headers in the report language, routing."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from popqa.contract import FINDINGS_COLUMNS, TABLES
from popqa.io import Register
from popqa.workbook import VALUE_NOTES, route_findings, workbook_sheets, write_workbook

# district 703 (Tây Ninh city): commune 25459 (Phường 3) and 25465 (Phường Hiệp Ninh); district 705: 25516
HOUSEHOLDS = [  # household_id, district, commune, village, collaborator
    ("h1", "703", "25459", "Khu phố 1", "A"),
    ("h2", "703", "25459", "Khu phố 2", "A"),
    ("h3", "703", "25465", "Khu phố 5", "B"),
    ("h4", "705", "25516", "Ấp Chánh", "C"),
]
PERSONS = [  # person_id, household_id, status
    ("p1", "h1", 1), ("p2", "h1", 2), ("p3", "h2", 1), ("p4", "h3", 1), ("p5", "h3", 3), ("p6", "h4", 1),
]


def _register() -> Register:
    def frame(table, rows):
        cols = TABLES[table].names
        return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows])

    hh = frame("households", [{"household_id": h, "province_code": "72", "district_code": d, "commune_code": c,
                               "village": v, "collaborator_id": k} for h, d, c, v, k in HOUSEHOLDS])
    geo = {h: (d, c) for h, d, c, _, _ in HOUSEHOLDS}
    pp = frame("persons", [{"person_id": p, "household_id": h, "status": s, "province_code": "72",
                            "district_code": geo[h][0], "commune_code": geo[h][1], "sex": 1}
                           for p, h, s in PERSONS])
    ev = frame("events", [{"event_id": "e1", "event_type": "birth", "person_id": "p3", "household_id": "h2",
                           "province_code": "72", "district_code": "703", "commune_code": "25459",
                           "collaborator_id": "A"}])
    return Register.from_frames({"households": hh, "persons": pp, "events": ev})


def _f(rule, dim, sev, table, rid, *, value=None, coll="A", commune="25459", district="703", column=None):
    return {"rule_id": rule, "dimension": dim, "severity": sev, "table": table, "record_id": rid,
            "column": column, "value": value, "province_code": "72", "district_code": district,
            "commune_code": commune, "collaborator_id": coll, "message_vi": f"vi {rule}", "message_en": f"en {rule}"}


def _findings() -> pd.DataFrame:
    rows = [
        _f("V001", "validity", "warning", "persons", "p1", column="sex", value="9"),
        _f("E002", "timeliness", "warning", "events", "e1", column="recorded_date", value="45"),
        _f("E002", "timeliness", "warning", "events", "e9", column="recorded_date", value="50"),
        _f("C002", "completeness", "error", "persons", "p3", column="full_name"),
        _f("V026", "consistency", "info", "persons", "p2", value="25459 / 25465"),
        _f("I001", "validity", "error", "persons", "p1", column="citizen_id", value="=1+1"),
        _f("I001", "validity", "error", "persons", "p2", column="citizen_id", value="12"),
        _f("V001", "validity", "error", "persons", "p4", coll="B", commune="25465", column="sex", value="7"),
        # probable duplicates: the linkage leaves collaborator_id empty
        _f("L001", "uniqueness", "warning", "persons", "p4", coll=None, commune="25465", value="p3"),
        _f("L001", "uniqueness", "warning", "persons", "p6", coll=None, commune="25516", district="705",
           value="p1"),
    ]
    return pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS)).astype("string")


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def test_one_sheet_per_collaborator_with_a_summary_and_notes(tmp_path):
    p = write_workbook(tmp_path / "703.xlsx", _findings(), lang="vi", register=_register(), district="703")
    wb = openpyxl.load_workbook(p)
    # collaborator A has the most weight, then B; C (district 705) is not in this workbook
    assert wb.sheetnames == ["Tổng hợp", "A", "B", "Ghi chú"]
    assert wb.active.title == "Tổng hợp"
    summary = _rows(wb["Tổng hợp"])
    assert summary[0][:6] == ("Cộng tác viên", "Trang tính", "Mã xã", "Xã/phường", "Trọng số trong điểm",
                              "Số phát hiện")
    by = {r[0]: r for r in summary[1:]}
    # A: records p1, p2, p3 (errors: 1 each), e1, e9 (warnings: 0.5 each; p2's V026 info weighs 0),
    # and the two probable duplicates of A's records, p4 (of p3) and p6 (of p1, district 705): 0.5 each
    assert by["A"][4] == pytest.approx(3 + 4 * 0.5)
    assert by["A"][3] == "Phường 3"
    assert by["B"][4] == pytest.approx(1.0)  # p4: an error and an L001 warning, counted once at its worst
    assert (by["A"][6], by["A"][7], by["A"][8]) == (3, 5, 1)  # errors, warnings (V001, 2 x E002, 2 x L001), info


def test_sheet_rows_are_sorted_by_severity_then_weight_in_the_score(tmp_path):
    summary, sheets = workbook_sheets(route_findings(_findings(), _register()), lang="en")
    a = sheets["A"]
    assert list(a.columns) == ["Severity", "Rule", "Dimension", "Problem", "What to do", "Commune code", "Commune",
                               "Village", "Household", "Table", "Record", "Field", "Value", "Person status",
                               "Collaborator of the other record", "Correction"]
    assert a["Severity"].tolist() == ["error"] * 3 + ["warning"] * 5 + ["info"]
    # errors: I001 flags two records (weight 2) before C002 (weight 1)
    assert a["Rule"].tolist()[:3] == ["I001", "I001", "C002"]
    # warnings: E002 (2 records) and L001 (2 rows for A: p4's duplicate p3 and p6's duplicate p1) before V001
    assert a["Rule"].tolist()[3:8] == ["E002", "E002", "L001", "L001", "V001"]
    assert a["Rule"].tolist()[8] == "V026"
    assert set(a["Dimension"]) >= {"Validity", "Timeliness", "Uniqueness"}
    assert a.loc[a["Record"] == "p3", "Household"].item() == "h2"
    assert a.loc[a["Record"] == "p3", "Village"].item() == "Khu phố 2"
    assert a.loc[(a["Record"] == "p2") & (a["Rule"] == "I001"), "Person status"].item() == "died"
    assert a.loc[a["Record"] == "e1", "Household"].item() == "h2"
    assert a["What to do"].notna().all() and a["Correction"].isna().all()
    assert summary["Collaborator"].tolist() == ["A", "B", "C"]


def test_probable_duplicates_go_to_the_collaborators_of_both_records():
    routed = route_findings(_findings(), _register())
    dup = routed[routed.rule_id == "L001"]
    # p4 (B) duplicates p3 (A); p6 (C, district 705) duplicates p1 (A, district 703)
    assert sorted(zip(dup.record_id, dup.route_collaborator, dup.route_district_code, strict=True)) == [
        ("p4", "A", "703"), ("p4", "B", "703"), ("p6", "A", "703"), ("p6", "C", "705")]
    assert set(dup.loc[dup.record_id == "p4", "related_collaborator"]) == {"A"}
    # without a register the duplicate stays unassigned rather than lost
    bare = route_findings(_findings())
    assert bare.loc[bare.rule_id == "L001", "route_collaborator"].isna().all()
    assert len(bare) == len(_findings())


def test_district_selects_rows_routed_to_its_collaborators(tmp_path):
    routed = route_findings(_findings(), _register())  # routed once, several workbooks
    p705 = write_workbook(tmp_path / "705.xlsx", routed, lang="en", district="705")
    wb = openpyxl.load_workbook(p705)
    assert wb.sheetnames == ["Summary", "C", "Notes"]
    rows = _rows(wb["C"])
    assert [r[1] for r in rows[1:]] == ["L001"] and rows[1][14] == "A"
    assert rows[1][7] == "Ấp Chánh"


def test_headers_in_english_and_cells_formula_safe(tmp_path):
    p = write_workbook(tmp_path / "x.xlsx", _findings(), lang="en", register=_register())
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == ["Summary", "A", "B", "C", "Notes"]
    ws = wb["A"]
    assert ws["A1"].value == "Severity" and ws["D1"].value == "Problem"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    values = [r[12] for r in _rows(ws)]
    assert "'=1+1" in values and "45" in values  # a number stays a number's text, a formula is quoted
    # the correction column offers a drop-down
    dv = ws.data_validations.dataValidation
    assert dv and dv[0].formula1 == '"fixed,not an error,pending"'
    with pytest.raises(ValueError, match="lang"):
        write_workbook(tmp_path / "y.xlsx", _findings(), lang="fr")


def test_notes_document_the_value_column_of_each_rule_present(tmp_path):
    from popqa.checks import catalogue

    ids = {r.rule_id for r in catalogue()}
    assert set(VALUE_NOTES) <= ids  # every documented rule exists
    p = write_workbook(tmp_path / "x.xlsx", _findings(), lang="en", register=_register())
    rows = _rows(openpyxl.load_workbook(p)["Notes"])
    start = [i for i, r in enumerate(rows) if r[2] == "The Value column holds"][0]
    assert rows[start][:2] == ("Rule", "Problem")
    notes = {r[0]: r[2] for r in rows[start + 1:] if r[0]}
    assert set(notes) == {"C002", "E002", "I001", "L001", "V001", "V026"}
    assert notes["E002"] == "days from the event to its recording (days)"
    assert notes["V001"] == "the value recorded in the field at fault"


def test_sheet_names_are_valid_and_unique(tmp_path):
    f = _findings()
    f.loc[f.collaborator_id == "B", "collaborator_id"] = "x/y:" + "z" * 40
    f.loc[f.collaborator_id == "A", "collaborator_id"] = "Summary"
    p = write_workbook(tmp_path / "x.xlsx", f, lang="en")
    names = openpyxl.load_workbook(p).sheetnames
    assert len(names) == len({n.lower() for n in names})
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert names[0] == "Summary" and "Summary~2" in names and "No collaborator" in names
