import openpyxl
import pandas as pd
import pytest

from popqa.linkage import dedupe, read_reviews, write_review
from popqa.linkage.review import safe_cell


def test_review_workbook_round_trip_overrides_the_model(result, persons, tmp_path):
    # the uncertain band is wide here so the workbook has rows to decide
    pairs = result.pairs
    path = write_review(pairs, persons, tmp_path / "review.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["review"]
    head = [c.value for c in ws[1]]
    assert {"person_id_l", "person_id_r", "decision", "full_name_l", "full_name_r",
            "evidence_birth_date", "weight_citizen_id"} <= set(head)
    col = {name: i for i, name in enumerate(head)}
    decided = {}
    for row in ws.iter_rows(min_row=2):
        ids = (row[col["person_id_l"]].value, row[col["person_id_r"]].value)
        if ids == ("P01", "P02"):
            row[col["decision"]].value = "non-match"
            decided[ids] = "non-match"
        elif ids == ("P05", "P06"):
            row[col["decision"]].value = "Khớp"
            decided[ids] = "match"
    wb.save(path)
    back = read_reviews(path)
    assert {(r.person_id_l, r.person_id_r): r.decision for r in back.itertuples()} == decided
    res = dedupe(persons, reviews=back)
    c = res.clusters.set_index("person_id")["cluster_id"]
    assert c["P02"] == "P02" and c["P06"] == "P05"


def test_uncertain_pairs_go_to_review(result, persons, tmp_path):
    unc = result.uncertain_pairs()
    assert unc["match_probability"].between(result.review_low, result.threshold, inclusive="left").all()
    path = result.write_review(tmp_path / "r.xlsx", persons)
    assert len(pd.read_excel(path, sheet_name="review")) == len(unc)


def test_formula_injection_is_neutralised(persons, tmp_path):
    evil = persons.copy()
    pairs = pd.DataFrame({"person_id_l": ["P15"], "person_id_r": ["P16"], "match_probability": [0.7],
                          "ev_surname": ["-1+1"], "w_surname": [1.0]})
    path = write_review(pairs, evil, tmp_path / "evil.xlsx")
    ws = openpyxl.load_workbook(path)["review"]
    head = [c.value for c in ws[1]]
    name = ws.cell(row=2, column=head.index("full_name_l") + 1)
    assert name.data_type == "s" and name.value.startswith("'=HYPERLINK")
    ev = ws.cell(row=2, column=head.index("evidence_surname") + 1)
    assert ev.value == "'-1+1"
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    for bad in ("=1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(bad) == "'" + bad


def test_read_reviews_rejects_a_non_workbook(tmp_path):
    from popqa.errors import InputError

    with pytest.raises(InputError):
        read_reviews(tmp_path / "missing.xlsx")


def test_a_failed_review_write_keeps_the_earlier_workbook(persons, tmp_path, monkeypatch):
    # a reviewer's workbook is replaced whole or not at all: a failure half-way (here the
    # second sheet) leaves the earlier file as it was and no temporary file beside it
    import popqa.linkage.review as review

    pairs = pd.DataFrame({"person_id_l": ["P15"], "person_id_r": ["P16"], "match_probability": [0.7]})
    path = write_review(pairs, persons, tmp_path / "r.xlsx")
    before = path.read_bytes()
    calls = {"n": 0}
    real = review._sheet

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(review, "_sheet", failing)
    with pytest.raises(Exception, match="no space left"):
        write_review(pairs, persons, path, overridden=pairs.assign(rule="twins"))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]
