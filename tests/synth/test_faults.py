import numpy as np
import pandas as pd

from popqa import geo
from popqa.synth.truth import DUPLICATE_VARIATIONS, FAULT_CLASSES, HARD_NONDUPLICATE_KINDS


def _touched_persons(prov) -> set:
    t = prov.truth
    f = t["faults"]
    ids = set(f.loc[f["table"] == "persons", "record_id"])
    ids |= set(t["duplicates"]["person_id"]) | set(t["duplicates"]["original_person_id"])
    ids |= set(t["hard_nonduplicates"]["person_id_l"]) | set(t["hard_nonduplicates"]["person_id_r"])
    return ids


def _clean_households(prov) -> set:
    f = prov.truth["faults"]
    p = prov.register.persons
    bad_hh = set(f.loc[f["table"] == "households", "record_id"])
    bad_hh |= set(p.loc[p["person_id"].isin(_touched_persons(prov)), "household_id"])
    bad_units = set(f.loc[f["table"] == "units", "record_id"])
    bad_hh |= set(p.loc[p["commune_code"].isin(bad_units), "household_id"])
    return set(p["household_id"]) - bad_hh


def test_every_fault_class_is_injected(prov):
    f = prov.truth["faults"]
    counts = f["fault_class"].value_counts()
    assert set(FAULT_CLASSES) == set(counts.index)
    record_level = [c for c, (table, _) in FAULT_CLASSES.items() if table != "units"]
    assert (counts[record_level] >= 3).all()
    assert list(f.columns) == ["fault_class", "table", "record_id", "column", "detail"]
    # total fault rate stays a small share of the records (1-3%)
    assert 0.005 < len(f) / len(prov.register.persons) < 0.05


def test_fault_records_exist_in_their_table(prov):
    reg, f = prov.register, prov.truth["faults"]
    keys = {
        "persons": set(reg.persons["person_id"]),
        "households": set(reg.households["household_id"]),
        "events": set(reg.events["event_id"]),
        "units": set(geo.legacy_units("72")["commune_code"]),
    }
    for table, ids in f.groupby("table")["record_id"]:
        assert set(ids) <= keys[table], table


def test_duplicates_and_lookalikes_cover_every_kind(prov):
    d = prov.truth["duplicates"]
    kinds = {v for s in d["variation"] for v in s.split("+")}
    assert kinds == set(DUPLICATE_VARIATIONS)
    persons = prov.register.persons
    assert d["person_id"].isin(persons["person_id"]).all()
    assert d["original_person_id"].isin(persons["person_id"]).all()
    assert (d["person_id"] != d["original_person_id"]).all()
    assert 0.008 < len(d) / len(persons) < 0.03
    moved = d[d["variation"].str.contains("moved_household")]
    hh = persons.set_index("person_id")["household_id"]
    assert (hh[moved["person_id"]].to_numpy() != hh[moved["original_person_id"]].to_numpy()).all()
    h = prov.truth["hard_nonduplicates"]
    assert set(h["kind"]) == set(HARD_NONDUPLICATE_KINDS)
    p = persons.set_index("person_id")
    tw = h[h["kind"].isin(["twins", "triplets"])]
    assert (p.loc[tw["person_id_l"], "birth_date"].to_numpy() == p.loc[tw["person_id_r"], "birth_date"].to_numpy()).all()
    assert (p.loc[tw["person_id_l"], "full_name"].to_numpy() != p.loc[tw["person_id_r"], "full_name"].to_numpy()).all()
    assert (p.loc[tw["person_id_l"], "household_id"].to_numpy() == p.loc[tw["person_id_r"], "household_id"].to_numpy()).all()
    # a triplet birth gives three pairs
    assert (h["kind"] == "triplets").sum() % 3 == 0
    ns = h[~h["kind"].isin(["twins", "triplets"])]
    assert (p.loc[ns["person_id_l"], "full_name"].to_numpy() == p.loc[ns["person_id_r"], "full_name"].to_numpy()).all()


def test_hard_cases_in_realistic_proportions(prov):
    """Twins about 0.3% of persons, some triplets, a mother and daughter with one name in one
    household, many years apart; movers that lost their ID and changed more."""
    h, persons = prov.truth["hard_nonduplicates"], prov.register.persons
    counts = h["kind"].value_counts()
    assert 0.001 < counts["twins"] / len(persons) < 0.006
    assert counts["triplets"] >= 3 and counts["parent_child_same_name"] >= 3
    p = persons.set_index("person_id")
    pc = h[h["kind"] == "parent_child_same_name"]
    years = (p.loc[pc["person_id_r"], "birth_date"].dt.year.to_numpy() - p.loc[pc["person_id_l"], "birth_date"].dt.year.to_numpy())
    assert (years >= 12).all()
    assert (p.loc[pc["person_id_l"], "household_id"].to_numpy() == p.loc[pc["person_id_r"], "household_id"].to_numpy()).all()
    d = prov.truth["duplicates"]
    moved = d[d["variation"].str.contains("moved_household")]
    assert moved["variation"].str.contains("missing_id").mean() > 0.4
    assert (moved["variation"].str.count(r"\+") >= 2).any()


def test_clean_citizen_ids_agree_with_birth_year_and_sex(prov):
    p = prov.register.persons
    clean = p[~p["person_id"].isin(_touched_persons(prov)) & p["citizen_id"].notna()]
    cid = clean["citizen_id"]
    assert cid.str.fullmatch(r"\d{12}").all()
    assert cid.str[1:3].isin(geo.legacy_province_codes()).all() and (cid.str[0] == "0").all()
    year = clean["birth_date"].dt.year
    d4 = (year >= 2000).astype(int) * 2 + clean["sex"].astype(int) - 1
    assert (cid.str[3].astype(int) == d4).all()
    assert (cid.str[4:6].astype(int) == year % 100).all()
    assert (cid.str[:3] == "072").mean() > 0.8
    assert cid.is_unique


def test_clean_households_obey_the_structure_rules(prov):
    p = prov.register.persons
    export = pd.Timestamp("2026-10-31")
    keep = p["household_id"].isin(_clean_households(prov)) & (p["status"] == 1)
    c = p[keep].copy()
    c["age"] = (export - c["birth_date"]).dt.days / 365.25
    rel = c["relation_to_head"]
    heads = c[rel == 1].set_index("household_id")
    assert c.groupby("household_id")["relation_to_head"].apply(lambda r: (r == 1).sum()).eq(1).all()
    assert c.groupby("household_id")["relation_to_head"].apply(lambda r: (r == 2).sum()).le(1).all()
    assert (heads["age"] >= 18).all()
    assert c["age"].between(0, 110).all()
    head_age = c["household_id"].map(heads["age"])
    kids = rel == 3
    assert (c.loc[kids, "age"] <= head_age[kids] - 12).all()
    parents = rel == 5
    assert (c.loc[parents, "age"] > head_age[parents]).all()
    married = c["marital_status"] == 2
    legal = np.where(c["sex"] == 1, 20, 18)
    assert (c.loc[married, "age"] >= legal[married.to_numpy()]).all()
    # mothers 12-55 at the birth, over all clean persons with a mother in the register
    allp = p.set_index("person_id")
    m = c[c["mother_id"].notna() & c["mother_id"].isin(allp.index)]
    at_birth = (m["birth_date"] - allp.loc[m["mother_id"], "birth_date"].to_numpy()).dt.days / 365.25
    assert at_birth.between(12, 55).all()
    fp = c["contraceptive_method"].notna()
    assert ((c.loc[fp, "sex"] == 2) & c.loc[fp, "age"].between(15, 50) & (c.loc[fp, "marital_status"] == 2)).all()


def test_clean_events_are_timely_and_in_period(prov):
    e = prov.register.events
    f = prov.truth["faults"]
    clean = e[~e["event_id"].isin(f["record_id"])]
    lag = (clean["recorded_date"] - clean["event_date"]).dt.days
    assert lag.between(0, 30).all()
    assert clean["event_date"].between(pd.Timestamp("2025-11-01"), pd.Timestamp("2026-10-31")).all()
    assert clean["person_id"].isin(prov.register.persons["person_id"]).all()
    births = clean[clean["event_type"] == "birth"]
    assert births["mother_id"].notna().mean() > 0.9
    dead = prov.register.persons.set_index("person_id")["status"]
    deaths = clean[clean["event_type"] == "death"]
    faulted = set(f["record_id"])
    ok = ~deaths["person_id"].isin(faulted)
    assert (dead[deaths.loc[ok, "person_id"]] == 2).all()
    moves = clean[clean["event_type"].isin(["move_in", "move_out"])]
    assert moves["other_commune_code"].notna().all()
    assert set(clean["entry_channel"]) == {"paper", "web", "mobile"}


def test_duplicates_are_written_again_not_copied(prov):
    """Of the adult duplicates about 10% have an education one level off (25 and over) and about 8%
    another marital status (18 and over); a child's duplicate keeps both (docs/synthetic-province.md)."""
    d = prov.truth["duplicates"]
    p = prov.register.persons.set_index("person_id")
    dup, orig = p.loc[d["person_id"]], p.loc[d["original_person_id"]]
    year = pd.to_datetime(p["updated_at"]).max().year
    age = year - pd.to_datetime(orig["birth_date"]).dt.year.to_numpy()
    edu_d = pd.to_numeric(dup["education_level"]).to_numpy(dtype=float)
    edu_o = pd.to_numeric(orig["education_level"]).to_numpy(dtype=float)
    mar_d = pd.to_numeric(dup["marital_status"]).to_numpy(dtype=float)
    mar_o = pd.to_numeric(orig["marital_status"]).to_numpy(dtype=float)
    edu_changed = (edu_d != edu_o) & ~np.isnan(edu_d) & ~np.isnan(edu_o)
    mar_changed = (mar_d != mar_o) & ~np.isnan(mar_d) & ~np.isnan(mar_o)
    adults25 = age >= 26  # a year's margin: ages here are by calendar year
    assert 0.03 < edu_changed[adults25].mean() < 0.2
    assert (np.abs(edu_d - edu_o)[edu_changed] == 1).all()
    assert 0.02 < mar_changed[age >= 19].mean() < 0.16
    assert not edu_changed[age < 24].any() and not mar_changed[age < 17].any()
