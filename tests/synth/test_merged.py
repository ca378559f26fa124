"""Several legacy provinces as one register: the 2025 Tây Ninh (legacy 72 + 80) and the nation."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from popqa import geo
from popqa.errors import InputError
from popqa.io import read_register
from popqa.schemas.gate import structural_failures
from popqa.synth import generate_province, unit_counts
from popqa.synth.population import PROVINCE_TOTALS


@pytest.fixture(scope="module")
def merged():
    return generate_province(scale=0.002, seed=20261, province_code="72,80")


def test_merged_counts_are_each_province_own_allocation():
    m = unit_counts(0.01, "72,80")
    for code in ("72", "80"):
        alone = unit_counts(0.01, code)
        part = m[m["province_code"] == code].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, alone)
        persons, households = PROVINCE_TOTALS[code]
        assert int(part["persons"].sum()) == round(0.01 * persons)
        assert int(part["households"].sum()) == round(0.01 * households)
    # the 2025 province of both is Tây Ninh (code 80 in the 2025 list): about 3.3 million at scale 1
    assert int(unit_counts(1.0, "72,80")["persons"].sum()) == 3_254_170
    assert set(geo.crosswalk("72,80", default_only=True)["province_code_2025"]) == {"80"}


def test_merged_register_covers_both_provinces_with_unique_ids(merged):
    reg, truth = merged.register, merged.truth
    assert merged.metadata()["province_codes"] == ["72", "80"]
    assert merged.metadata()["provinces_2025"] == ["80"]
    hh, pp = reg.households, reg.persons
    assert set(hh["province_code"]) == {"72", "80"}
    faults = truth["faults"]
    dup_hh = set(faults.loc[faults["fault_class"] == "duplicate_household_id", "record_id"])
    dup_pp = set(faults.loc[faults["fault_class"] == "duplicate_person_id", "record_id"])
    # ids repeat only where a duplicate-id fault was injected (and recorded in the truth)
    repeated_hh = set(hh.loc[hh["household_id"].duplicated(), "household_id"])
    repeated_pp = set(pp.loc[pp["person_id"].duplicated(), "person_id"])
    assert repeated_hh <= dup_hh and repeated_pp <= dup_pp
    assert reg.events["event_id"].is_unique
    # no id is shared by the two legacy provinces
    for df, key in ((hh, "household_id"), (pp, "person_id")):
        by = df.groupby(key)["province_code"].nunique()
        assert (by == 1).all()
    # the citizen-ID prefix follows the household's province for most persons
    cid = pp[pp["citizen_id"].notna() & pp["citizen_id"].str.len().eq(12)]
    for code in ("72", "80"):
        share = (cid.loc[cid["province_code"] == code, "citizen_id"].str[:3] == "0" + code).mean()
        assert 0.8 < share < 0.99


def test_merged_truth_population_per_province(merged):
    pop = merged.truth["population"]
    prov = pop["commune_code"].map(geo.legacy_units("72,80").set_index("commune_code")["province_code"])
    assert prov.notna().all()
    got = pop.groupby(prov)["true_population"].sum().to_dict()
    assert got == {c: round(0.002 * PROVINCE_TOTALS[c][0]) for c in ("72", "80")}


def test_merged_register_passes_the_contract_after_a_round_trip(merged, tmp_path):
    merged.write(tmp_path, fmt="parquet")
    back = read_register(tmp_path / "register")
    assert structural_failures(back).empty
    for name, df in merged.register.tables.items():
        pd.testing.assert_frame_equal(back.tables[name], df, check_dtype=False, obj=name)
    meta = json.loads((tmp_path / "truth" / "synth.json").read_text(encoding="utf-8"))
    assert meta["province_codes"] == ["72", "80"] and meta["provinces_2025"] == ["80"]
    # clean households (no injected fault or duplicate) carry a consistent legacy hierarchy
    faults = merged.truth["faults"]
    touched = set(faults.loc[faults["table"] == "households", "record_id"])
    hh = back.households[~back.households["household_id"].isin(touched)]
    h = geo.check_hierarchy(hh)
    assert h.all().all()


def test_labour_force_rows_carry_their_own_province(merged):
    lf = merged.register.tables["labour_force"]
    assert set(lf["province_code"]) == {"72", "80"}
    d2p = geo.districts("72,80").set_index("district_code")["province_code"]
    assert (lf["district_code"].map(d2p) == lf["province_code"]).all()


def test_single_province_is_unchanged_by_the_multi_province_path():
    a = generate_province(scale=0.002, seed=5, districts=["710"])
    b = generate_province(scale=0.002, seed=5, province_code=["72"], districts=["710"])
    for name, df in a.register.tables.items():
        pd.testing.assert_frame_equal(b.register.tables[name], df, obj=name)


def test_unknown_province_code_is_one_clear_error():
    with pytest.raises(InputError, match="99"):
        generate_province(scale=0.001, province_code="72,99")


@pytest.mark.slow
def test_national_set_has_every_province_and_unique_ids(tmp_path):
    prov = generate_province(scale=0.0003, seed=20261, province_code="all")
    reg = prov.register
    assert reg.households["province_code"].nunique() == 63
    assert len(prov.metadata()["provinces_2025"]) == 34
    present = int(prov.truth["population"]["true_population"].sum())
    assert present == int(unit_counts(0.0003, "all")["persons"].sum())
    faults = prov.truth["faults"]
    dup_pp = set(faults.loc[faults["fault_class"] == "duplicate_person_id", "record_id"])
    assert set(reg.persons.loc[reg.persons["person_id"].duplicated(), "person_id"]) <= dup_pp
    assert reg.events["event_id"].is_unique
    cid = reg.persons["citizen_id"].dropna()
    assert cid.str.len().eq(12).mean() > 0.99
    prov.write(tmp_path, fmt="parquet")
    assert structural_failures(read_register(tmp_path / "register")).empty
    assert np.isin(reg.households["commune_code"].dropna(), geo.legacy_units()["commune_code"]).mean() > 0.99


@pytest.mark.slow
def test_audit_of_the_merged_register_reports_under_the_2025_province(merged, tmp_path):
    from popqa.config import Config
    from popqa.pipeline import audit

    merged.write(tmp_path / "data", fmt="parquet")
    cfg = Config.from_dict({"province_code": "72,80"})
    res = audit(tmp_path / "data" / "register", "2026-10", tmp_path / "results", cfg, workbooks=False)
    province = json.loads((Path(res["results_dir"]) / "province.json").read_text(encoding="utf-8"))
    assert province["province_codes_2025"] == ["80"]
    assert province["outside_2025"] == []
    assert set(province["communes_2025"]) <= set(geo.units_2025("80")["commune_code"])
    legacy = {geo.districts("72,80").set_index("district_code")["province_code"][d] for d in province["districts"]}
    assert legacy == {"72", "80"}
    assert province["persons"] == len(merged.register.persons)
