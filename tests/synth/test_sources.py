import pandas as pd
import pytest

from popqa.contract import ADMIN_TABLES, SURVEY_TABLES
from popqa.io import read_register
from popqa.synth import generate_province


def test_every_source_table_is_present_with_links(prov):
    reg, links = prov.register, prov.truth["links"]
    for name in ADMIN_TABLES + SURVEY_TABLES:
        assert name in reg and len(reg.get(name)) > 0, name
    assert set(links["source"]) == {"civil_births", "civil_deaths", "residents", "insurance", "survey_persons"}
    persons = set(reg.persons["person_id"])
    linked = links[links["person_id"].notna()]
    assert linked["person_id"].isin(persons).all()
    # overlap is imperfect: some records are not in the register, some vary
    for src in ("civil_births", "civil_deaths", "residents"):
        s = links[links["source"] == src]
        assert 0 < s["person_id"].isna().mean() < 0.1, src
        assert (s["variation"] != "exact").any()
    births = reg.events[reg.events["event_type"] == "birth"]
    regd = links.loc[links["source"] == "civil_births", "person_id"]
    assert 0.85 < births["person_id"].isin(regd).mean() < 1.0


def test_survey_design_weights_add_up(prov):
    sp = prov.register.get("survey_persons")
    assert sp[["stratum", "psu", "weight", "fpc"]].notna().all().all()
    # a household sample: weighted persons near the population
    total = prov.truth["population"]["true_population"].sum()
    assert sp["weight"].sum() == pytest.approx(total, rel=0.25)
    assert sp.groupby("psu")["stratum"].nunique().eq(1).all()


@pytest.mark.slow
def test_labour_force_indicators_near_national_levels():
    lf = generate_province(scale=0.2, seed=3, districts=["703", "705", "706", "707", "708"]).register.get("labour_force")
    w = lf["weight"]
    active = lf["labour_status"] != "outside"
    unemp = (w * (lf["labour_status"] == "unemployed")).sum() / (w * active).sum()
    assert 0.01 < unemp < 0.04
    cert = (w * active * (lf["training"] == "certificate or higher")).sum() / (w * active).sum()
    assert 0.2 < cert < 0.35
    si = (w * active * lf["social_insurance"].astype(bool)).sum() / (w * active).sum()
    assert 0.3 < si < 0.46
    emp = lf[lf["labour_status"] == "employed"]
    shares = emp.groupby("sector")["weight"].sum() / emp["weight"].sum()
    assert shares["agriculture"] == pytest.approx(0.27, abs=0.07)
    assert shares["services"] == pytest.approx(0.40, abs=0.07)
    # the columns of the labour indicators (docs/labour.md: GSO LFS 2024 levels, NEET ~10%)
    youth = lf[lf["age"].between(15, 24)]
    neet = ~(youth["labour_status"] == "employed") & ~youth["in_education"] & ~youth["in_training"]
    assert 0.06 < (youth["weight"] * neet).sum() / youth["weight"].sum() < 0.15
    vol = (w * active * (lf["insurance_scheme"] == "voluntary")).sum() / (w * active).sum()
    assert 0.015 < vol < 0.05
    under = emp["hours_worked"].lt(35) & emp["wants_more_hours"] & emp["available_more_hours"]
    assert 0.01 < (emp["weight"] * under).sum() / emp["weight"].sum() < 0.05


def test_labour_force_has_the_labour_indicator_columns(prov):
    lf = prov.register.get("labour_force")
    emp = (lf["labour_status"] == "employed").to_numpy()
    # hours and the wish for more hours are asked of the employed only
    assert lf.loc[~emp, ["hours_worked", "wants_more_hours", "available_more_hours"]].isna().all().all()
    assert lf.loc[emp, "hours_worked"].notna().mean() > 0.98
    assert lf.loc[emp, "hours_worked"].dropna().between(0, 98).all()
    # available to work more only when wanting to
    both = lf.loc[emp, ["wants_more_hours", "available_more_hours"]].astype(bool)
    assert not (both["available_more_hours"] & ~both["wants_more_hours"]).any()
    # the scheme agrees with the contribution flag; nobody in education is also counted in training
    insured = lf["insurance_scheme"].isin(["compulsory", "voluntary"])
    assert (insured == lf["social_insurance"].astype(bool)).all()
    assert not (lf["in_training"] & lf["in_education"]).any()
    assert lf["district_code"].str.fullmatch(r"\d{3}").all()
    assert set(lf["it_skills"].unique()) == {True, False}


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_write_read_round_trip(small, tmp_path, fmt):
    out = small.write(tmp_path / "prov", fmt=fmt)
    reg = read_register(out / "register")
    assert reg.period == "2026-10"
    assert set(reg.tables) == set(small.register.tables)
    for name, df in small.register.tables.items():
        got = reg.tables[name]
        for c in df.columns:  # same kind of dtype (string storage may differ)
            assert pd.api.types.is_dtype_equal(got[c].dtype, df[c].dtype) or (
                pd.api.types.is_string_dtype(got[c]) and pd.api.types.is_string_dtype(df[c])
            ), (name, c)
        pd.testing.assert_frame_equal(got, df, check_dtype=False, obj=name)
    cols = ["table", "record_id", "column", "value", "problem"]
    got = reg.parse_issues[cols].astype(str).sort_values(cols).reset_index(drop=True)
    want = small.register.parse_issues[cols].astype(str).sort_values(cols).reset_index(drop=True)
    assert len(want) >= 3
    pd.testing.assert_frame_equal(got, want)
    truth = {p.stem for p in (out / "truth").glob("*.parquet")}
    assert truth == set(small.truth)
    if fmt == "csv":
        text = (out / "register" / "persons.csv").read_text(encoding="utf-8")
        assert "31/02/" in text or "không rõ" in text or "00/00/0000" in text
