"""The files of an extract: CSV, XLSX per commune, summary.json, the sharing log; where they may go."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from popqa.errors import OutputError
from popqa.extracts import extract
from tests.extracts.frames import no_findings, person, register


def _reg():
    return register([
        person("A", "2022-03-04", full_name="=HYPERLINK(\"http://x\",\"bấm\")"),
        person("B", "2020-01-01", birth_date_precision="year", citizen_id=None),
        person("C", "2023-05-06", commune_code="25459", household_id="H2"),
        person("D", "2023-05-06", commune_code=None, household_id="H2"),
        person("E", "1990-01-01"),
    ])


def _run(tmp_path, kind="under6", lang="vi", **kw):
    return extract(_reg(), kind=kind, out=tmp_path / "out", lang=lang, findings=no_findings(),
                   clusters=pd.DataFrame({"person_id": [], "cluster_id": []}), **kw)


def test_csv_has_a_bom_every_person_and_formula_safe_text(tmp_path):
    r = _run(tmp_path)
    raw = (tmp_path / "out" / "under6.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(tmp_path / "out" / "under6.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert sorted(df["person_id"]) == ["A", "B", "C", "D"]
    name = df.set_index("person_id").loc["A", "full_name"]
    assert name.startswith("'=HYPERLINK")       # shown as text, never run as a formula
    assert len(r.rows) == 4


def test_one_workbook_per_commune_with_counts_then_the_list(tmp_path):
    _run(tmp_path, lang="en")
    folder = tmp_path / "out" / "under6"
    assert sorted(p.name for p in folder.glob("*.xlsx")) == ["25456.xlsx", "25459.xlsx", "unassigned.xlsx"]
    sheets = pd.read_excel(folder / "25456.xlsx", sheet_name=None, dtype=str)
    assert list(sheets) == ["Summary", "List"]
    lst = sheets["List"]
    assert list(lst.columns[:4]) == ["Person id", "Duplicate record ids", "Household id", "Full name"]
    assert sorted(lst["Person id"]) == ["A", "B"]
    assert lst.set_index("Person id").loc["A", "Full name"].startswith("'=HYPERLINK")
    summ = sheets["Summary"].set_index("Item")
    assert summ.loc["Persons", "Value"] == "2"
    assert summ.loc["Flag: age_uncertain", "Value"] == "1"
    assert "year or month only" in summ.loc["Flag: age_uncertain", "Explanation"]
    assert summ.loc["Reference date", "Value"] == "2026-10-31"


def test_headers_in_vietnamese(tmp_path):
    _run(tmp_path, lang="vi")
    sheets = pd.read_excel(tmp_path / "out" / "under6" / "25459.xlsx", sheet_name=None, dtype=str)
    assert list(sheets) == ["Tổng hợp", "Danh sách"]
    assert "Họ và tên" in sheets["Danh sách"].columns


def test_summary_json_keeps_each_kind_and_only_counts(tmp_path):
    _run(tmp_path, kind="under6")
    _run(tmp_path, kind="voters")
    s = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert sorted(s["kinds"]) == ["under6", "voters"]
    assert s["kinds"]["under6"]["persons"] == 4 and s["kinds"]["voters"]["persons"] == 1
    assert s["kinds"]["under6"]["communes"]["25456"]["flags"] == {"age_uncertain": 1, "any": 1}
    text = (tmp_path / "out" / "summary.json").read_text(encoding="utf-8")
    assert "HYPERLINK" not in text and "Nguyễn" not in text


def test_sharing_log_appends_one_line_per_extract_with_file_hashes(tmp_path):
    _run(tmp_path, kind="under6")
    _run(tmp_path, kind="under6", as_of="2026-10-15")
    lines = (tmp_path / "out" / "sharing-log.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(x) for x in lines)
    assert first["kind"] == "under6" and first["reference_date"] == "2026-10-31"
    assert second["reference_date"] == "2026-10-15" and second["parameters"]["reference_date"] == "2026-10-15"
    for f in second["files"]:   # the latest line describes the files on disk
        data = (tmp_path / "out" / f["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"]
    assert first["rows"] == 4 and "time" in first


def test_workbooks_of_communes_no_longer_listed_are_removed(tmp_path):
    _run(tmp_path)
    assert (tmp_path / "out" / "under6" / "25459.xlsx").exists()
    _run(tmp_path, as_of="2023-01-01")     # C and D not born yet
    assert not (tmp_path / "out" / "under6" / "25459.xlsx").exists()


def test_refuses_a_site_a_results_store_and_the_register_folder(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "manifest.json").write_text(json.dumps({"stage": "report"}), encoding="utf-8")
    with pytest.raises(OutputError, match="personal data"):
        extract(_reg(), kind="under6", out=site / "extracts", findings=no_findings(),
                clusters=pd.DataFrame({"person_id": [], "cluster_id": []}))
    results = tmp_path / "results"
    (results / ".popqa").mkdir(parents=True)
    with pytest.raises(OutputError, match="personal data"):
        extract(_reg(), kind="under6", out=results / "x", findings=no_findings(),
                clusters=pd.DataFrame({"person_id": [], "cluster_id": []}))
    data = tmp_path / "register"
    _reg().to_parquet(data)
    with pytest.raises(OutputError, match="register folder"):
        extract(data, kind="under6", out=data, findings=no_findings(),
                clusters=pd.DataFrame({"person_id": [], "cluster_id": []}))
    assert not (site / "extracts").exists() and not (results / "x").exists()


def test_arrow_escaping_is_the_same_as_popqa_io_safe():
    from popqa.extracts.write import safe_arrow
    from popqa.io.safe import safe_frame

    values = ["=1+1", "+84 912", "+84", "-2.8", "-", "@SUM(A1)", "\t=x", "\nx", "1e-3", ".5", "-,5",
              "Nguyễn", "", None, "=", "'=already", " =x"]
    df = pd.DataFrame({"v": pd.array(values, dtype="string")})
    assert safe_arrow(df).column("v").to_pylist() == [None if pd.isna(v) else v for v in safe_frame(df)["v"]]


@pytest.mark.parametrize(("lang", "item", "words"), [("en", "Flag: possible_duplicate", "clerical review"),
                                                     ("vi", "Cờ: possible_duplicate", "rà soát thủ công")])
def test_possible_duplicate_is_explained_and_counted_in_the_workbook(tmp_path, lang, item, words):
    # A and C: a pair the linkage sent to clerical review (rule L002); C's name starts like a formula
    reg = register([person("A", "2022-03-04"), person("C", "2022-03-04", full_name="+84 Nguyễn Văn An")])
    f = pd.DataFrame({"table": ["persons"], "severity": ["info"], "record_id": ["C"], "value": ["A"],
                      "rule_id": ["L002"]})
    r = extract(reg, kind="under6", out=tmp_path / "out", lang=lang, findings=f,
                clusters=pd.DataFrame({"person_id": ["A", "C"], "cluster_id": ["A", "C"]}))
    sheets = pd.read_excel(tmp_path / "out" / "under6" / "25456.xlsx", sheet_name=None, dtype=str)
    summ = next(iter(sheets.values())).set_index(sheets[next(iter(sheets))].columns[0])
    assert summ.loc[item].iloc[0] == "2"
    assert words in summ.loc[item].iloc[1]
    lst = list(sheets.values())[1]
    assert lst.iloc[:, 3].tolist() == ["Nguyễn Văn An", "'+84 Nguyễn Văn An"]   # formula-safe
    assert r.log_entry["flags"] == {"any": 2, "possible_duplicate": 2}
    line = json.loads((tmp_path / "out" / "sharing-log.jsonl").read_text(encoding="utf-8").splitlines()[-1])
    assert line["flags"]["possible_duplicate"] == 2


def test_csv_keeps_the_extract_order_and_workbooks_group_by_commune(tmp_path):
    # invalid commune codes sort apart in the CSV (by code) and together in unassigned.xlsx
    reg = register([person("A", "2022-03-04", commune_code="ABC"), person("B", "2022-03-04", commune_code="25459"),
                    person("C", "2022-03-04", commune_code="#12"), person("D", "2022-03-04")])
    r = extract(reg, kind="under6", out=tmp_path / "out", findings=no_findings(), lang="en",
                clusters=pd.DataFrame({"person_id": [], "cluster_id": []}))
    df = pd.read_csv(tmp_path / "out" / "under6.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert df["person_id"].tolist() == r.rows["person_id"].tolist() == ["C", "D", "B", "A"]
    un = pd.read_excel(tmp_path / "out" / "under6" / "unassigned.xlsx", sheet_name="List", dtype=str)
    assert un["Person id"].tolist() == ["C", "A"]
    assert [f["rows"] for f in r.files] == [4, 1, 1, 2]
    for f in r.files:
        assert hashlib.sha256((tmp_path / "out" / f["path"]).read_bytes()).hexdigest() == f["sha256"]


def test_a_failed_workbook_write_logs_nothing(tmp_path, monkeypatch):
    import popqa.extracts.write as w

    _run(tmp_path)
    log = tmp_path / "out" / "sharing-log.jsonl"
    before = log.read_bytes()
    real = w.atomic_write_bytes

    def fail_on_unassigned(path, data):
        if path.name == "unassigned.xlsx":
            raise OutputError("no space left on the device; nothing was half-written", path=str(path))
        return real(path, data)

    monkeypatch.setattr(w, "atomic_write_bytes", fail_on_unassigned)
    with pytest.raises(OutputError, match="no space left"):
        _run(tmp_path)
    assert log.read_bytes() == before
    assert not list((tmp_path / "out").rglob("*.tmp"))


def test_the_summary_sheet_escapes_values_from_the_data(tmp_path):
    # a district code is data: on the first sheet it is text, never a formula
    reg = register([person("A", "2022-03-04", district_code="=1+2")])
    extract(reg, kind="under6", out=tmp_path / "out", findings=no_findings(), lang="en",
            clusters=pd.DataFrame({"person_id": [], "cluster_id": []}))
    import openpyxl

    ws = openpyxl.load_workbook(tmp_path / "out" / "under6" / "25456.xlsx")["Summary"]
    cells = {r[0].value: r[1] for r in ws.iter_rows(min_row=2)}
    assert cells["District"].value == "'=1+2" and cells["District"].data_type == "s"


@pytest.mark.parametrize("xml_rows", [1, 2, 3])
def test_workbooks_made_in_runs_of_communes_are_the_workbooks_made_at_once(tmp_path, monkeypatch, xml_rows):
    """The rows' XML is made for a run of whole communes at a time (at most two runs held), and the CSV is
    written in parts: the same files, byte for byte but the zip's dates, whatever the run's length (one
    commune per run, a run of two communes with a commune longer than the run)."""
    import zipfile

    import popqa.extracts.write as w

    reg = register([person(f"P{i}", "2022-03-04", commune_code=c, household_id=f"H{i}")
                    for i, c in enumerate(["25456", "25456", "25456", "25459", "25462", "25462", None])])
    kw = {"kind": "under6", "findings": no_findings(), "clusters": pd.DataFrame({"person_id": [], "cluster_id": []})}
    whole = extract(reg, out=tmp_path / "whole", **kw)
    monkeypatch.setattr(w, "XML_ROWS", xml_rows)
    monkeypatch.setattr(w, "CSV_ROWS", xml_rows)  # the CSV written as it is made, in parts of that many rows
    runs = extract(reg, out=tmp_path / "runs", **kw)
    assert [f["path"] for f in runs.files] == [f["path"] for f in whole.files] and len(whole.files) == 5
    for f in whole.files:
        a, b = tmp_path / "whole" / f["path"], tmp_path / "runs" / f["path"]
        if f["path"].endswith(".csv"):
            assert a.read_bytes() == b.read_bytes()
            continue
        za, zb = zipfile.ZipFile(a), zipfile.ZipFile(b)
        assert za.namelist() == zb.namelist()
        for m in za.namelist():
            assert za.read(m) == zb.read(m), (f["path"], m)


def test_an_empty_list_has_a_csv_of_its_header(tmp_path):
    import pyarrow as pa

    import popqa.extracts.write as w

    sha, size = w._write_csv(tmp_path / "x.csv", pa.table({"a": pa.array([], pa.string()), "b": pa.array([], pa.int64())}))
    raw = (tmp_path / "x.csv").read_bytes()
    assert raw == b'\xef\xbb\xbf"a","b"\n' and size == len(raw) and sha == hashlib.sha256(raw).hexdigest()
