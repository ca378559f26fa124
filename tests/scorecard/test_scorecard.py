"""Scorecard math on small hand-made findings."""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.config import Config
from popqa.contract import DIMENSIONS, FINDINGS_COLUMNS
from popqa.scorecard import (
    ScorecardConfig,
    add_trend,
    compute_scorecard,
    dqr_rollup,
    grade,
)

# two communes of district 710 (Gò Dầu), one of 711; 10 persons + 5 events each
COMMUNES = {"25654": "710", "25657": "710", "25681": "711"}


def _records() -> pd.DataFrame:
    rows = []
    for cc, dc in COMMUNES.items():
        for i in range(10):
            rows.append(("persons", f"p{cc}-{i}", "72", dc, cc, f"c{cc}-{i % 2}"))
        for i in range(5):
            rows.append(("events", f"e{cc}-{i}", "72", dc, cc, f"c{cc}-{i % 2}"))
    return pd.DataFrame(rows, columns=["table", "record_id", "province_code", "district_code", "commune_code",
                                       "collaborator_id"]).astype("string")


def _finding(rule, dim, sev, table, rid):
    cc = rid[1:6]
    return {"rule_id": rule, "dimension": dim, "severity": sev, "table": table, "record_id": rid, "column": None,
            "value": None, "province_code": "72", "district_code": COMMUNES[cc], "commune_code": cc,
            "collaborator_id": f"c{cc}-{int(rid[-1]) % 2}", "message_vi": "x", "message_en": "x"}


def _findings(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS)).astype("string")


def _score(sc, level, unit, dim):
    row = sc[(sc.level == level) & (sc.unit_code == unit) & (sc.dimension == dim)]
    assert len(row) == 1
    return row.iloc[0]


def test_dimension_score_counts_each_record_once_at_its_worst_severity():
    f = _findings([
        _finding("P1", "validity", "error", "persons", "p25654-0"),
        _finding("P2", "validity", "warning", "persons", "p25654-0"),  # same record: error wins
        _finding("P2", "validity", "warning", "persons", "p25654-1"),  # warning weighs 0.5
        _finding("P3", "validity", "info", "persons", "p25654-2"),  # info weighs 0
    ])
    sc = compute_scorecard(f, _records())
    r = _score(sc, "commune", "25654", "validity")
    assert r.records == 10  # validity findings concern persons only
    assert r.flagged == pytest.approx(1.5)
    assert r.score == pytest.approx(85.0)
    # the district pools its two communes: 1.5 of 20 persons
    assert _score(sc, "district", "710", "validity").score == pytest.approx(92.5)
    assert _score(sc, "commune", "25657", "validity").score == 100.0
    # province: 1.5 of 30
    assert _score(sc, "province", "72", "validity").score == pytest.approx(95.0)


def test_denominator_is_the_tables_each_dimension_examines():
    f = _findings([_finding("E1", "timeliness", "error", "events", f"e25681-{i}") for i in range(2)])
    sc = compute_scorecard(f, _records())
    r = _score(sc, "commune", "25681", "timeliness")
    assert (r.records, r.score) == (5, 60.0)
    # a dimension without any finding is scored over all register records
    assert _score(sc, "commune", "25681", "completeness").records == 15
    assert _score(sc, "commune", "25681", "completeness").score == 100.0


def test_overall_is_the_share_of_records_without_a_finding():
    f = _findings([_finding("E1", "timeliness", "error", "events", f"e25681-{i}") for i in range(5)]
                  + [_finding("P1", "validity", "warning", "persons", "p25681-0"),
                     _finding("P2", "validity", "error", "persons", "p25681-1"),
                     _finding("P3", "plausibility", "warning", "persons", "p25681-1")])  # same record: once
    sc = compute_scorecard(f, _records())
    ov = _score(sc, "commune", "25681", "overall")
    # 5 events + one person (error) + one person (warning, 0.5) of 15 records
    assert (ov.records, ov.flagged) == (15, 6.5)
    assert ov.score == pytest.approx(100 * (1 - 6.5 / 15), abs=0.01)


def test_a_unit_with_ten_percent_of_records_in_error_is_not_green():
    # 200 persons in one commune, 20 (10 %) with a validity error: a mean of seven
    # dimension scores would give ~98.6 (green under the old bands); the record share gives 90
    rec = pd.DataFrame({"table": "persons", "record_id": [f"p25654-{i:03d}" for i in range(200)],
                        "province_code": "72", "district_code": "710", "commune_code": "25654",
                        "collaborator_id": [f"c25654-{i % 2}" for i in range(200)]}).astype("string")
    f = _findings([_finding("P1", "validity", "error", "persons", f"p25654-{i:03d}") for i in range(0, 200, 10)])
    sc = compute_scorecard(f, rec)
    for level, unit in [("commune", "25654"), ("district", "710"), ("collaborator", "c25654-0")]:
        r = _score(sc, level, unit, "overall")
        assert r.score == pytest.approx(90.0 if level != "collaborator" else 80.0)
        assert r.grade == "red", (level, r.grade)
    # 1 % in error is green for the commune
    f1 = _findings([_finding("P1", "validity", "error", "persons", f"p25654-{i:03d}") for i in (0, 1)])
    assert _score(compute_scorecard(f1, rec), "commune", "25654", "overall").grade == "green"


def test_units_under_the_minimum_of_records_are_not_graded():
    f = _findings([_finding("P1", "validity", "error", "persons", "p25654-0")])
    sc = compute_scorecard(f, _records())  # 15 records per commune, 7-8 per collaborator
    com = sc[(sc.level == "commune")]
    assert set(com.grade.dropna()) == {"insufficient"}
    assert com.score.notna().all()  # the score is still there, only not graded
    assert set(sc.loc[sc.level == "collaborator", "grade"].dropna()) == {"insufficient"}
    # the province (45 records) too, with the default minimum of 50
    assert _score(sc, "province", "72", "overall").grade == "insufficient"
    cfg = ScorecardConfig(levels={"commune": {"min_records": 10}})
    sc2 = compute_scorecard(f, _records(), cfg)
    assert _score(sc2, "commune", "25654", "overall").grade == "red"  # 14 of 15 records clean: 93.3
    assert _score(sc2, "commune", "25657", "overall").grade == "green"
    assert set(sc2.loc[sc2.level == "collaborator", "grade"].dropna()) == {"insufficient"}  # kept its own 30
    # not graded units neither pass nor fail in the WHO DQR roll-up: they are counted apart
    roll = dqr_rollup(sc)
    assert (roll.units == 0).all() and (roll.failing == 0).all() and roll.share_failing.isna().all()
    assert roll.loc[(roll.parent_code == "710") & (roll.dimension == "validity"), "insufficient"].item() == 2


def test_duplicate_groups_count_their_surplus_records_only():
    f = _findings([_finding("U004", "uniqueness", "error", "persons", f"p25654-{i}") for i in range(4)])
    f["value"] = ["072000000001", "072000000001", "072000000002", "072000000002"]  # two pairs
    sc = compute_scorecard(f, _records())
    assert _score(sc, "commune", "25654", "uniqueness").flagged == 2  # not 4
    assert _score(sc, "commune", "25654", "overall").flagged == 2
def test_every_level_and_dimension_is_scored():
    sc = compute_scorecard(_findings([]), _records())
    assert set(sc.level) == {"province", "district", "commune", "commune_2025", "collaborator"}
    assert set(sc.dimension) == {*DIMENSIONS, "overall"}
    assert len(sc[(sc.level == "collaborator") & (sc.dimension == "overall")]) == 6
    # collaborators and communes know their district
    assert set(sc.loc[sc.level == "collaborator", "parent_code"]) == {"710", "711"}
    # 2025 communes come from the crosswalk
    assert sc.loc[sc.level == "commune_2025", "unit_code"].notna().all()


def test_grades_use_the_bands_of_each_level():
    cfg = ScorecardConfig(levels={"commune": {"green": 80, "yellow": 50}})
    s = pd.Series([85.0, 60.0, 40.0])
    assert grade(s, "commune", cfg).tolist() == ["green", "yellow", "red"]
    assert grade(pd.Series([97.5, 96.0, 90.0]), "district", cfg).tolist() == ["green", "yellow", "red"]  # 97 / 95
    # collaborators keep their own default band (98) when another level is configured
    assert grade(pd.Series([98.0, 97.5]), "collaborator", cfg).tolist() == ["green", "yellow"]
    assert grade(pd.Series([97.5]), "commune_2025", cfg).tolist() == ["green"]
    # dimension scores have their own, stricter bands (one dimension is a part of the whole)
    assert grade(pd.Series([99.6, 99.0, 97.5]), "commune", dimension="validity").tolist() == [
        "green", "yellow", "red"]
    strict = ScorecardConfig(dimension_bands={"uniqueness": {"green": 99.9, "yellow": 99.0}})
    assert grade(pd.Series([99.6]), "commune", strict, dimension="uniqueness").tolist() == ["yellow"]
    with pytest.raises(ValueError):
        ScorecardConfig(levels={"commune": {"green": 50, "yellow": 80}})
    # from YAML-like dicts through the full Config
    full = Config.from_dict({"scorecard": {"levels": {"district": {"green": 99, "yellow": 98}}}})
    assert full.scorecard.bands("district").green == 99


def test_dqr_rollup_is_share_of_communes_failing():
    f = _findings([_finding("P1", "validity", "error", "persons", f"p25654-{i}") for i in range(3)])
    sc = compute_scorecard(f, _records(), ScorecardConfig(min_records=0))
    r = dqr_rollup(sc)
    v = r[(r.parent_code == "710") & (r.dimension == "validity")].iloc[0]
    assert (v.units, v.failing, v.share_failing) == (2, 1, 0.5)
    assert r[(r.parent_code == "711") & (r.dimension == "validity")].iloc[0].failing == 0
    prov = dqr_rollup(sc, child="district", parent="province")
    assert prov[prov.dimension == "validity"].iloc[0].failing == 1


def test_trend_change_and_twelve_period_window():
    sc = compute_scorecard(_findings([]), _records())
    hist = {}
    for m in range(1, 15):  # 14 earlier periods
        p = f"{2025 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}"
        hist[p] = sc.assign(score=sc.score - m)
    cur, trend = add_trend(sc, hist, "2026-03")
    row = cur[(cur.level == "district") & (cur.unit_code == "710") & (cur.dimension == "overall")].iloc[0]
    assert row.previous == pytest.approx(100 - 14) and row.change == pytest.approx(14)
    periods = sorted(trend[(trend.level == "district") & (trend.unit_code == "710")
                           & (trend.dimension == "overall")].period)
    assert len(periods) == 12 and periods[-1] == "2026-03"
    cur1, _ = add_trend(sc, {}, "2026-03")
    assert cur1.change.isna().all()

