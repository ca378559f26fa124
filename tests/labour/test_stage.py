"""The labour stage: indicator rows of the contract shape, levels, the province table, the insurance gap."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from popqa.indicators import validate_indicators
from popqa.labour import insurance_gap, labour_stage
from popqa.period import Period
from popqa.stages import RunContext

from .test_estimate import small_lfs


class _Reg(SimpleNamespace):
    def get(self, name):
        return self.tables.get(name)

    def columns(self, name, columns):  # as popqa.io.Register's: those columns, None without the table
        table = self.persons if name == "persons" else self.tables.get(name)
        return None if table is None else table[list(columns)]


def _persons() -> pd.DataFrame:
    # period 2025-12: reference date 2025-12-31; men of working age under 61y3m (735 months),
    # women under 56y8m (680 months)
    return pd.DataFrame({
        "person_id": ["m1", "m2", "m3", "f1", "f2", "kid", "gone", "nobd"],
        "status": [1, 1, 1, 1, 1, 1, 2, 1],
        "sex": [1, 1, 1, 2, 2, 1, 1, 2],
        "birth_date": pd.to_datetime(["1964-10-01",   # 61y2m: working age
                                      "1964-09-30",   # 61y3m exactly on 2025-12-30: not
                                      "1990-05-05", "1969-05-01",   # woman 56y7m: working age
                                      "1969-04-30",   # 56y8m: not
                                      "2012-01-01", "1990-01-01", None]),
        "province_code": "72", "district_code": ["710"] * 4 + ["711"] * 4,
        "commune_code": ["25654", "25654", "25657", "25657", "25660", "25660", "25660", "25660"],
    })


def _ctx(tmp_path, with_lfs=True, links=True):
    lfs = small_lfs().assign(province_code="72", district_code=["710"] * 4 + ["711"] * 4)
    ins = pd.DataFrame({"insurance_id": ["BH1", "BH2", "BH3"], "contributing": [True, False, True]})
    tables = {"insurance": ins}
    if with_lfs:
        tables["labour_force"] = lfs
    reg = _Reg(tables=tables, persons=_persons())
    lk = pd.DataFrame({"source_id": ["BH1", "BH2", "BH3"], "person_id": ["m1", "m3", None]})
    arts = {"register": reg, "links": {"insurance": lk} if links else {}}
    return RunContext(data_dir=tmp_path, period=Period.parse("2025-12"),
                      config=SimpleNamespace(province_code="72"), artifacts=arts)


def test_insurance_gap_counts_working_age_persons_without_contributing_insurance(tmp_path):
    ctx = _ctx(tmp_path)
    gap = insurance_gap(ctx["register"], ctx["links"]["insurance"], period="2025-12")
    got = gap.set_index("commune_code")[["persons", "absent"]].to_dict("index")
    # 25654: m1 (insured), m2 (past 61y3m: out); 25657: m3 (linked only to a non-contributing record), f1
    # (56y7m, absent); 25660: f2 out (56y8m), kid out, gone out, nobd out (no birth date)
    assert got == {"25654": {"persons": 1, "absent": 0}, "25657": {"persons": 2, "absent": 2}}
    any_record = insurance_gap(ctx["register"], ctx["links"]["insurance"], period="2025-12",
                               contributing_only=False)
    assert any_record.set_index("commune_code").loc["25657", "absent"] == 1
    assert insurance_gap(ctx["register"], None, period="2025-12") is None


def test_insurance_gap_counts_persons_without_codes_under_na_in_the_order_of_the_text(tmp_path):
    # the stage groups the kept persons' codes as they are, then as text: a missing code is the unit
    # "NA", sorted among the codes by its text, and one unit's persons are one row whatever their order
    ctx = _ctx(tmp_path)
    reg = ctx["register"]
    p = reg.persons.astype({c: "string" for c in ("province_code", "district_code", "commune_code")})
    p = pd.concat([p, p.assign(person_id=p["person_id"] + "b", district_code=pd.NA, commune_code=pd.NA),
                   p.assign(person_id=p["person_id"] + "c", commune_code="0001")], ignore_index=True)
    reg.persons = p.iloc[::-1].reset_index(drop=True)
    gap = insurance_gap(reg, ctx["links"]["insurance"], period="2025-12")
    # m1 alone is insured (its copies m1b and m1c are not linked); m3 and f1 and their copies are absent
    assert gap[["district_code", "commune_code", "persons", "absent"]].values.tolist() == [
        ["710", "0001", 3, 3], ["710", "25654", 1, 0], ["710", "25657", 2, 2], ["NA", "NA", 3, 3]]


def test_stage_writes_valid_rows_at_every_level(tmp_path):
    pd.DataFrame({"indicator": ["labour_productivity_growth"], "year": [2024], "value": [6.9],
                  "source": ["Cục Thống kê, niên giám 2024"]}).to_csv(tmp_path / "labour_indicators.csv", index=False)
    out = labour_stage(_ctx(tmp_path))
    rows = validate_indicators(out["indicators:labour"])
    assert set(rows["level"]) == {"province", "district", "commune"}
    prov = rows[(rows["level"] == "province") & (rows["group"] == "")].set_index("indicator_id")
    # the weighted totals of popqa.labour.indicators (hand-checked in test_estimate): 30 / 100; 7 persons is
    # under min_n (30): the row is insufficient and carries no value
    u = prov.loc["unemployment_rate"]
    assert (u["numerator"], u["denominator"]) == (30.0, 100.0)
    assert u["status"] == "insufficient" and pd.isna(u["value"]) and pd.isna(u["met"])
    assert u["target"] == 0.03 and u["target_year"] == 2025
    assert prov.loc["it_skills_share", "status"] == "not_measurable"   # column absent: no data, never 0
    assert pd.isna(prov.loc["it_skills_share", "value"])
    assert prov.loc["labour_productivity_growth", "value"] == pytest.approx(0.069)
    assert bool(prov.loc["labour_productivity_growth", "met"]) is True
    assert prov.loc["labour_productivity_growth", "source"] == "Cục Thống kê, niên giám 2024"
    assert prov.loc["career_guidance_share", "status"] == "not_measurable"
    assert prov.loc["lfs_sample_persons", "value"] == 8 and prov.loc["lfs_sample_psus", "value"] == 4
    groups = set(rows.loc[rows["indicator_id"].eq("unemployment_rate") & rows["level"].eq("province"), "group"])
    assert {"", "sex=1", "sex=2", "urban=True", "urban=False", "age_group=15-24"} <= groups
    dist = rows[(rows["level"] == "district") & rows["indicator_id"].eq("unemployment_rate")]
    assert sorted(dist["unit_code"]) == ["710", "711"]
    gap = rows[rows["indicator_id"].eq("working_age_absent_from_insurance")].set_index(["level", "unit_code"])
    assert gap.loc[("commune", "25657"), "value"] == 2 and gap.loc[("province", "72"), "value"] == 2
    assert gap.loc[("province", "72"), "denominator"] == 3


def test_stage_is_empty_without_an_lfs_and_has_no_gap_without_links(tmp_path):
    assert labour_stage(_ctx(tmp_path, with_lfs=False)) == {}
    rows = labour_stage(_ctx(tmp_path, links=False))["indicators:labour"]
    assert not rows["indicator_id"].eq("working_age_absent_from_insurance").any()


def test_stage_values_and_interval_status_with_a_permissive_config(tmp_path):
    from popqa.labour import LabourConfig, Target

    def province_row(cfg):
        ctx = _ctx(tmp_path)
        ctx.config = SimpleNamespace(province_code="72", labour=cfg)
        rows = labour_stage(ctx)["indicators:labour"]
        return rows[(rows["level"] == "province") & (rows["group"] == "")].set_index("indicator_id").loc[
            "unemployment_rate"]

    tg = {"unemployment_rate": Target(target_2025=0.7, target_2030=0.7, direction="below")}
    u = province_row(LabourConfig(min_n=1, min_psus=1, targets=tg))
    assert u["value"] == pytest.approx(0.3) and u["status"] == "ok"
    # below 70%: the point estimate (30%) is, but the logit interval on 2 degrees of freedom reaches above
    # 70%: met is missing (cannot tell), not True
    assert u["ci_low"] < 0.7 < u["ci_high"] and pd.isna(u["met"])
    # the normal interval (0.3 +- 1.96 * 0.172) lies wholly below 70%: met
    u = province_row(LabourConfig(min_n=1, min_psus=1, targets=tg, interval="normal"))
    assert u["ci_high"] < 0.7 and bool(u["met"]) is True
