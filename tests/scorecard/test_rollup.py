"""WHO DQR roll-ups and the share-of-units-failing headline, on hand-made scorecards.

The roll-up follows the WHO Data Quality Review toolkit (WHO, *Data quality review: a
toolkit for facility data quality assessment*, Module 1, 2017): for each metric, the
percentage of subnational units whose value fails the metric's own benchmark.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.contract import DIMENSIONS
from popqa.scorecard import (
    HEADLINE_COLUMNS,
    INSUFFICIENT,
    ScorecardConfig,
    compute_scorecard,
    dqr_rollup,
    fail_threshold,
    grade,
    units_failing,
)


def _card(level: str, scores: dict[str, dict[str, float]], *, parent: str | dict[str, str] = "710",
          records: dict[str, int] | None = None, config: ScorecardConfig | None = None) -> pd.DataFrame:
    """A scorecard of ``level``: unit -> {dimension: score}, graded as compute_scorecard grades."""
    rows = []
    for unit, dims in scores.items():
        for dim, score in dims.items():
            p = parent[unit] if isinstance(parent, dict) else parent
            rows.append({"level": level, "unit_code": unit, "parent_code": p, "dimension": dim,
                         "records": (records or {}).get(unit, 1000), "flagged": 0.0, "score": score})
    sc = pd.DataFrame(rows)
    sc["grade"] = pd.Series(pd.NA, index=sc.index, dtype="string")
    for dim, idx in sc.groupby("dimension").groups.items():
        sc.loc[idx, "grade"] = grade(sc.loc[idx, "score"], level, config, records=sc.loc[idx, "records"],
                                     dimension=None if dim == "overall" else dim)
    return sc


def test_each_dimension_is_judged_against_its_own_threshold():
    # the case: nine districts yellow on uniqueness (99.0: under the dimension band 99.5,
    # above the overall band 97) were reported as 0 of 9 failing
    districts = {f"7{i:02d}": {"uniqueness": 99.0, "coverage": 98.0, "overall": 97.2} for i in range(3, 12)}
    sc = _card("district", districts, parent="72")
    assert set(sc.loc[sc.dimension == "uniqueness", "grade"]) == {"yellow"}
    r = dqr_rollup(sc, child="district", parent="province").set_index("dimension")
    assert r.loc["uniqueness", "threshold"] == 99.5 and r.loc["overall", "threshold"] == 97.0
    assert (r.loc["uniqueness", "units"], r.loc["uniqueness", "failing"]) == (9, 9)
    assert r.loc["coverage", "failing"] == 9 and r.loc["coverage", "share_failing"] == 1.0
    assert r.loc["overall", "failing"] == 0  # 97.2 is green overall
    # a unit between the overall and the dimension band fails the dimension only
    sc2 = _card("commune", {"1": {"validity": 98.0, "overall": 98.0}, "2": {"validity": 99.8, "overall": 96.0}})
    r2 = dqr_rollup(sc2).set_index("dimension")
    assert r2.loc["validity", "failing"] == 1 and r2.loc["overall", "failing"] == 1


def test_thresholds_follow_the_configured_bands_of_each_dimension_and_level():
    cfg = ScorecardConfig(dimension_bands={"uniqueness": {"green": 99.9, "yellow": 99.0}})
    assert fail_threshold("commune", "uniqueness", cfg) == 99.9
    assert fail_threshold("commune", "validity", cfg) == 99.5
    assert fail_threshold("collaborator", "validity") == 98.0  # collaborators' own dimension band
    assert fail_threshold("collaborator", "overall") == 98.0
    assert fail_threshold("commune", "uniqueness", ScorecardConfig(fail_below="yellow")) == 98.5
    sc = _card("commune", {"1": {"uniqueness": 99.7}, "2": {"uniqueness": 99.95}})
    assert dqr_rollup(sc, cfg).failing.tolist() == [1]
    assert dqr_rollup(sc).failing.tolist() == [0]
    # fail_below="yellow": only red units fail
    sc3 = _card("commune", {"1": {"overall": 96.0}, "2": {"overall": 90.0}})
    assert dqr_rollup(sc3, ScorecardConfig(fail_below="yellow")).failing.tolist() == [1]
    assert dqr_rollup(sc3).failing.tolist() == [2]


def test_rollup_groups_by_parent_in_dimension_order_and_keeps_too_few_records_apart():
    sc = _card("commune", {"1": {"overall": 90.0, "validity": 99.9}, "2": {"overall": 99.0, "validity": 99.0},
                           "3": {"overall": 50.0, "validity": 50.0}, "4": {"overall": 99.0, "validity": 99.9}},
               parent={"1": "710", "2": "710", "3": "710", "4": "711"}, records={"3": 10})
    assert (sc.loc[sc.unit_code == "3", "grade"] == INSUFFICIENT).all()
    r = dqr_rollup(sc)
    assert r[["parent_code", "dimension"]].values.tolist() == [
        ["710", "validity"], ["710", "overall"], ["711", "validity"], ["711", "overall"]]
    v = r[(r.parent_code == "710") & (r.dimension == "overall")].iloc[0]
    # commune 3 (score 50, 10 records) is neither a failure nor a pass
    assert (v.units, v.failing, v.insufficient, v.share_failing) == (2, 1, 1, 0.5)
    assert r[r.parent_code == "711"].failing.tolist() == [0, 0]
    assert list(r.columns) == ["parent_code", "dimension", "threshold", "units", "failing", "share_failing",
                               "insufficient"]


def test_headline_shows_the_share_of_units_failing_beside_the_average():
    # 2,000 collaborators: the average is high but a tenth are red
    rng = np.random.default_rng(3)
    good = {f"c{i:04d}": {"overall": float(s)} for i, s in enumerate(rng.uniform(98.5, 100, 1700))}
    yellow = {f"y{i:03d}": {"overall": 96.5} for i in range(100)}
    red = {f"r{i:03d}": {"overall": 90.0} for i in range(200)}
    few = {f"f{i:02d}": {"overall": 20.0} for i in range(30)}
    sc = _card("collaborator", {**good, **yellow, **red, **few},
               records={**{k: 100 for k in good | yellow | red}, **{k: 5 for k in few}})
    prov = _card("province", {"72": {"overall": 97.2}}, parent=None)
    h = units_failing(pd.concat([prov, sc], ignore_index=True)).set_index("level")
    assert list(h.reset_index().columns) == HEADLINE_COLUMNS
    assert h.index.tolist() == ["province", "collaborator"]
    c = h.loc["collaborator"]
    assert (c.units, c.graded, c.insufficient) == (2030, 2000, 30)
    assert (c.green, c.yellow, c.red) == (1700, 100, 200)
    assert c.failing == 300 and c.share_failing == pytest.approx(0.15)  # below green (98)
    expected_mean = (sum(d["overall"] for d in good.values()) + 100 * 96.5 + 200 * 90.0) / 2000
    assert c.mean_score == pytest.approx(expected_mean, abs=0.005)
    assert c.threshold == 98.0
    assert h.loc["province", "failing"] == 0 and h.loc["province", "green"] == 1
    # a dimension's headline uses that dimension's band
    u = _card("commune", {"1": {"uniqueness": 99.0}, "2": {"uniqueness": 99.9}})
    hu = units_failing(u, dimension="uniqueness").iloc[0]
    assert (hu.threshold, hu.failing, hu.yellow) == (99.5, 1, 1)
    # a level without graded unit: no share, no mean
    hf = units_failing(sc[sc.unit_code.str.startswith("f")]).iloc[0]
    assert hf.graded == 0 and np.isnan(hf.share_failing) and np.isnan(hf.mean_score)


def test_headline_rejects_unknown_levels_and_dimensions():
    sc = _card("commune", {"1": {"overall": 99.0}})
    with pytest.raises(ValueError, match="unknown level"):
        units_failing(sc, levels=["village"])
    with pytest.raises(ValueError, match="dimension must be"):
        units_failing(sc, dimension="accuracy")


def test_rollup_and_headline_from_a_computed_scorecard():
    # 3 communes x 60 persons; commune 1 has 1 uniqueness error (98.33: green overall, whose band
    # is 97, but failing uniqueness, whose band is 99.5); commune 2 has 3 validity errors (95.0)
    cc = ["25654", "25657", "25660"]
    rec = pd.DataFrame({"table": "persons", "record_id": [f"p{c}-{i:02d}" for c in cc for i in range(60)],
                        "province_code": "72", "district_code": "710",
                        "commune_code": [c for c in cc for _ in range(60)],
                        "collaborator_id": [f"k{c}" for c in cc for _ in range(60)]}).astype("string")

    def f(rule, dim, rid):
        return {"rule_id": rule, "dimension": dim, "severity": "error", "table": "persons", "record_id": rid,
                "column": None, "value": None, "province_code": "72", "district_code": "710",
                "commune_code": rid[1:6], "collaborator_id": f"k{rid[1:6]}", "message_vi": "x", "message_en": "x"}

    fd = pd.DataFrame([f("U001", "uniqueness", "p25654-00")]
                      + [f("V001", "validity", f"p25657-0{i}") for i in range(3)]).astype("string")
    sc = compute_scorecard(fd, rec, levels=["commune", "district"])
    r = dqr_rollup(sc).set_index("dimension")
    assert r.loc["uniqueness", "failing"] == 1  # 98.33 < 99.5
    assert r.loc["validity", "failing"] == 1  # 95.0 < 99.5
    assert r.loc["overall", "failing"] == 1  # 95.0 < 97; 98.33 passes
    assert set(r.index) == {*DIMENSIONS, "overall"}
    h = units_failing(sc, levels=["commune"]).iloc[0]
    assert (h.graded, h.failing, h.green, h.yellow) == (3, 1, 2, 1)
