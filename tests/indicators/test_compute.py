"""The register indicators of the audit's indicators stage, on small hand-made events."""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.checks.config import ChecksConfig
from popqa.indicators.compute import program_target_rows, timeliness_rows
from popqa.scorecard import ScorecardConfig

COMMUNES = [("25654", "710"), ("25657", "710"), ("25681", "711"), ("25999", "711")]


def _events() -> pd.DataFrame:
    return pd.DataFrame({
        "district_code": ["710"] * 4 + ["711"] * 2,
        "commune_code": ["25654", "25654", "25657", "25657", "25681", "25681"],
        "event_type": ["birth", "death", "birth", "death", "birth", "birth"],
        "event_date": pd.to_datetime(["2026-01-01"] * 6),
        "recorded_date": pd.to_datetime(["2026-01-02", "2026-01-03", "2026-01-02", "2026-06-01",
                                         "2026-01-02", "2026-01-02"]),
        "entry_channel": ["mobile", "mobile", "paper", None, "web", "mobile"],
    })


def _rows(ev, **kw):
    return program_target_rows(ev, period="2026-10", province_code="72", checks_config=kw.get("checks", ChecksConfig()),
                               scorecard_config=ScorecardConfig(), communes=kw.get("communes", COMMUNES))


def test_program_targets_as_indicator_rows():
    t = _rows(_events())
    prov = t[t.level == "province"].set_index("indicator_id")
    # 25654 and 25681 on time; 25657 half late; 25999 has no events, so it is not on time
    assert prov.loc["on_time_communes", "value"] == pytest.approx(2 / 4)
    assert prov.loc["on_time_communes", ["numerator", "denominator"]].tolist() == [2.0, 4.0]
    assert prov.loc["on_time_communes", "target"] == 1.0 and prov.loc["on_time_communes", "target_year"] == 2030
    assert prov.loc["mobile_entry", "value"] == pytest.approx(3 / 5)
    assert not prov.loc["mobile_entry", "met"]
    d710 = t[(t.unit_code == "710") & (t.indicator_id == "mobile_entry")].iloc[0]
    assert d710.level == "district" and d710.value == pytest.approx(2 / 3)
    d711 = t[(t.unit_code == "711") & (t.indicator_id == "on_time_communes")].iloc[0]
    assert d711.value == pytest.approx(1 / 2)
    assert ScorecardConfig().target("on_time_communes", 2025) == (2025, 0.9)


def test_no_entry_channel_is_not_measurable_never_zero():
    t = _rows(_events().drop(columns="entry_channel"))
    mob = t[t.indicator_id == "mobile_entry"]
    assert mob["value"].isna().all() and (mob["status"] == "not_measurable").all()


def test_on_time_follows_legal_deadlines_like_rule_e002():
    # a death recorded after 20 days: in time at 30 days, late under the 15-day legal deadline
    ev = pd.DataFrame({"district_code": ["710"], "commune_code": ["25654"], "event_type": ["death"],
                       "event_date": pd.to_datetime(["2026-01-01"]),
                       "recorded_date": pd.to_datetime(["2026-01-21"]), "entry_channel": ["paper"]})
    comm = [("25654", "710")]
    plain = _rows(ev, communes=comm)
    legal = _rows(ev, communes=comm, checks=ChecksConfig(use_legal_deadlines=True))
    pick = lambda t: t[(t.level == "province") & (t.indicator_id == "on_time_communes")].value.iloc[0]  # noqa: E731
    assert pick(plain) == 1.0 and pick(legal) == 0.0
    late = timeliness_rows(ev, period="2026-10", province_code="72",
                           checks_config=ChecksConfig(use_legal_deadlines=True))
    assert late[(late.level == "province") & (late.indicator_id == "late_share")].value.iloc[0] == 1.0


@pytest.mark.parametrize("on_disk", [False, True])
def test_linked_shares_are_each_districts_records_found(on_disk, tmp_path):
    """The share of each source's records found in the register, per district of the record's commune (a
    commune outside the unit list: no district, counted in the province only), counted record by record;
    the sources in memory or left on disk (read back as Arrow's text)."""
    import copy

    import numpy as np

    from popqa.contract import TABLES
    from popqa.geo import legacy_units
    from popqa.indicators.compute import linkage_rows
    from popqa.io.register import TableOnDisk
    from popqa.io.spill import Spill
    from popqa.synth import generate_province

    reg = copy.copy(generate_province(scale=0.005, seed=5).register)
    reg.tables = dict(reg.tables)
    rng = np.random.default_rng(3)
    links, want = {}, []
    districts = legacy_units().set_index("commune_code")["district_code"]
    for source in ("residents", "insurance"):
        src = reg.tables[source] = reg.tables[source].copy()
        key = TABLES[source].key
        src.loc[src.index[:3], "commune_code"] = [None, "99999", src["commune_code"].iloc[5]]
        ids = src[key].dropna().unique()  # one link per record id, as the link stage gives (a repeated id once)
        linked = rng.random(len(ids)) < 0.7
        links[source] = pd.DataFrame({"source_id": pd.array(ids, dtype="string[pyarrow]"),
                                      "person_id": pd.array(np.where(linked, "P", None), dtype="string[pyarrow]")})
        found = src[key].isin(set(ids[linked])).to_numpy()
        district = src["commune_code"].astype(object).map(districts)
        for code, mask in [("72", np.ones(len(src), bool))] + [(d, (district == d).to_numpy())
                                                              for d in sorted(district.dropna().unique())]:
            want.append((source, code, float(found[mask].sum()), float(mask.sum())))
    if on_disk:
        spill = Spill(tmp_path)
        for source in links:
            spill.put(source, reg.tables[source])
            reg.tables[source] = TableOnDisk(spill, source)
    got = linkage_rows(reg, links, period="2026-10", province_code="72")
    got = sorted(zip(got["source"], got["unit_code"], got["numerator"], got["denominator"], strict=True))
    assert got == sorted(want) and len(want) > 4
