"""The reconciliation stage end to end on the committed sample (data_samples/tayninh-godau).

The register is read and its sources linked by the sample's true links
(``truth/links.parquet``: perfect matching), then reconciled. The same run
with the audit's Splink linkage is in ``test_stage_linked.py`` (slow).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from popqa.contract import FINDINGS_COLUMNS, INDICATOR_COLUMNS
from popqa.indicators import validate_indicators
from popqa.reconcile import ReconcileConfig, event_coverage, reconcile_stage

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "tayninh-godau"
SOURCES = ("civil_births", "civil_deaths", "residents", "insurance")


def true_links(truth: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The truth table in the shape of ``LinkResult.links``."""
    return {s: truth.loc[truth["source"] == s, ["source_id", "person_id"]].astype("string") for s in SOURCES}


@pytest.fixture(scope="module")
def sample():
    from popqa.io import read_register

    reg = read_register(SAMPLE / "register", period="2026-10")
    truth = pd.read_parquet(SAMPLE / "truth" / "links.parquet")
    return reg, true_links(truth), truth


@pytest.fixture(scope="module")
def staged(sample):
    reg, links, _ = sample
    return reconcile_stage(reg, links, period="2026-10")


def test_stage_shapes(staged):
    rows, findings = staged
    assert tuple(rows.columns) == INDICATOR_COLUMNS
    validate_indicators(rows)
    assert tuple(findings.columns) == FINDINGS_COLUMNS
    ids = set(rows["indicator_id"])
    assert {"reg_event_completeness", "civil_event_completeness", "dse_event_total", "dse_events_missed",
            "reconcile_records_removed", "residents_in_register", "register_in_residents",
            "insurance_absent_from_register"} <= ids
    assert set(rows["level"]) == {"commune", "district", "province", "commune_2025", "province_2025"}


def test_district_births_and_deaths(staged):
    rows, _ = staged
    d = rows[(rows["level"] == "district") & (rows["unit_code"] == "710")].set_index(["indicator_id", "group"])
    for ev in ("birth", "death"):
        tot = d.loc[("dse_event_total", f"event={ev}")]
        assert tot["status"] == "ok" and tot["ci_low"] >= tot["numerator"] and tot["value"] <= tot["ci_high"]
        comp = d.loc[("reg_event_completeness", f"event={ev}")]
        assert 0.8 < comp["value"] <= 1 and comp["ci_low"] < comp["value"] < comp["ci_high"]
    # the register holds a duplicate death event of three persons (double_death faults): removed and counted
    removed = rows[rows["indicator_id"] == "reconcile_records_removed"].set_index("group")["value"]
    assert removed["event=death;source=register;reason=duplicate"] == 3


def test_communes_are_too_small_and_pooled(staged):
    rows, _ = staged
    com = rows[(rows["indicator_id"] == "dse_event_total") & (rows["level"] == "commune")]
    # no commune of the sample has 10 births matched in both sources: every one says so, with no number
    assert (com["status"] == "insufficient").all() and com["value"].isna().all()
    pooled = rows[(rows["indicator_id"] == "dse_event_total") & (rows["group"] == "event=birth;pooled=small_communes")]
    assert len(pooled) == 1 and pooled["status"].iloc[0] == "ok"


def test_births_against_the_truth(sample):
    reg, links, _ = sample
    t = event_coverage(reg, links, period="2026-10", config=ReconcileConfig(ci="log")).table
    b = t[(t["level"] == "district") & (t["group"] == "") & (t["event"] == "birth")].iloc[0]
    # 44 of the 45 civil registrations are register births (one is of a child the register lacks)
    assert (b["n1"], b["n2"], b["m"]) == (47, 45, 44)
    # true births: the 47 register births plus that one = 48 = the events seen (none is missed by both):
    # Chapman is 48.07; Chao's log interval starts just above the 48 seen, by construction
    assert b["estimate"] == pytest.approx(48, abs=0.1) and b["observed"] == 48
    assert 48 < b["ci_low"] < 48.01


def test_findings_when_target_is_high(sample):
    reg, links, _ = sample
    _, f = reconcile_stage(reg, links, period="2026-10", config=ReconcileConfig(completeness_target=0.999))
    assert set(f["dimension"]) == {"coverage"} and set(f["rule_id"]) <= {"X010", "X011"}
    dist = f[f["record_id"] == "710"]
    assert len(dist) >= 1 and (dist["district_code"] == "710").all() and (dist["province_code"] == "72").all()


def test_no_findings_when_target_is_met(staged):
    _, findings = staged  # default target 0.95: the sample's births (44/45) and deaths (13/14) meet it
    assert len(findings) == 0


def test_survey_comparison_on_the_sample(staged):
    rows, findings = staged
    survey = pd.read_csv(SAMPLE / "register" / "survey_persons.csv")
    s = rows[rows["indicator_id"] == "survey_persons_total"].set_index(["level", "unit_code", "group"])
    p = s.loc[("district", "710", "")]
    # the sample's survey: 358 present persons of 7 PSUs in two strata (one with a single PSU, R's "adjust");
    # the estimate is the sum of the weights, the register's 3,606 present persons lie inside its interval
    assert len(survey) == 358 and survey[["stratum", "psu"]].drop_duplicates().shape[0] == 7
    assert p["status"] == "ok" and p["value"] == pytest.approx(survey["weight"].sum())
    assert p["numerator"] == 3606 and p["ci_low"] < p["numerator"] < p["ci_high"]
    # and so does the true population (synthetic truth, before the injected faults)
    truth = pd.read_parquet(SAMPLE / "truth" / "population.parquet")["true_population"].sum()
    assert p["ci_low"] < truth < p["ci_high"]
    assert s.loc[("district", "710", "sex=1"), "value"] == pytest.approx(survey.loc[survey["sex"] == 1, "weight"].sum())
    # births of twelve months: 7 PSUs give a CV above 30%: no number, the register's count still beside it
    b = rows[(rows["indicator_id"] == "survey_births_12m") & (rows["level"] == "district")
             & (rows["unit_code"] == "710")].iloc[0]
    assert b["status"] == "insufficient" and pd.isna(b["value"]) and b["numerator"] == 47
    # 2025 communes (at most 4 of the 7 PSUs each) cut across the strata: not compared, and they say so
    c25 = rows[(rows["indicator_id"] == "survey_persons_total") & (rows["level"] == "commune_2025")]
    assert (c25["status"] != "ok").all() and c25["value"].isna().all()
    assert not (findings["rule_id"] == "X012").any()
