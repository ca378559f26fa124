"""The records' unit table (``popqa.scorecard.core.record_units``), built column by column and the 2025
communes mapped a slice at a time: the same table whatever the slice, and the same as mapping each
record's commune code on its own."""

from __future__ import annotations

import pandas as pd
import pytest

import popqa.geo.units as units
import popqa.scorecard.core as core
from popqa.geo import codes_2025, to_2025


@pytest.fixture(scope="module")
def register():
    from popqa.synth import generate_province

    return generate_province(scale=0.005, seed=11).register


@pytest.mark.parametrize("province", ["72", None])
def test_units_are_the_records_own_whatever_the_slice(register, province, monkeypatch):
    whole = core.record_units(register, province)
    monkeypatch.setattr(units, "ROWS_PER_MAP", 997)  # many slices, one of them short
    sliced = core.record_units(register, province)
    pd.testing.assert_frame_equal(whole, sliced)
    assert list(whole.columns) == core._RECORD_COLUMNS
    # the record id as text, the table and unit codes as categories of text (a byte or two a record)
    assert str(whole.dtypes["record_id"]) == "string"
    for c in core.CATEGORY_COLUMNS:
        assert isinstance(whole[c].dtype, pd.CategoricalDtype) and str(whole[c].cat.categories.dtype) == "string", c
    assert isinstance(whole.index, pd.RangeIndex) and len(whole) > len(register.persons)
    # each record's 2025 commune is its legacy commune's, one code at a time
    want = to_2025(whole["commune_code"].astype("string")).astype("string")
    pd.testing.assert_series_equal(whole["commune_code_2025"].astype("string"), want, check_names=False)
    persons = whole[whole["table"] == "persons"]
    assert persons["record_id"].tolist() == register.persons["person_id"].astype("string").tolist()


def test_2025_codes_keep_missing_and_unknown_codes_missing(monkeypatch):
    monkeypatch.setattr(units, "ROWS_PER_MAP", 2)
    got = codes_2025(pd.Series(["25456", None, "99999", "25456", pd.NA], index=[5, 6, 7, 8, 9]))
    assert got.tolist() == ["25459", pd.NA, pd.NA, "25459", pd.NA]
    assert got.index.tolist() == [5, 6, 7, 8, 9] and str(got.dtype) == "string"


def test_the_scorecard_is_the_same_from_categories_or_text(register):
    """The scorecard counts the records of each unit; held as categories, the unit codes give the same
    scores, grades and denominators as the same codes as text (unobserved categories never appear)."""
    from popqa.checks import run_checks

    records = core.record_units(register, "72")
    # a category no record has: a groupby that counted unobserved categories would add a unit
    records["commune_code"] = records["commune_code"].cat.add_categories(["no-such-commune"])
    findings = run_checks(register)
    as_text = records.astype({c: "string" for c in core.CATEGORY_COLUMNS})
    got, want = core.compute_scorecard(findings, records), core.compute_scorecard(findings, as_text)
    assert len(want) and "no-such-commune" not in set(got["unit_code"])
    pd.testing.assert_frame_equal(got, want)


def test_counting_records_a_slice_at_a_time_takes_categories_of_any_width(monkeypatch):
    """Slices of the records hold different numbers of unit codes (categories whose codes are 8 bits in
    one slice, 16 in another); counted a slice at a time, they give the counts of the text."""
    n = 3000
    codes = pd.array([f"{i:05d}" if i < 300 else f"{i % 7:05d}" for i in range(n)], dtype="string")
    text = pd.DataFrame({"commune_code": codes, "table": pd.array(["persons"] * n, dtype="string")})
    cats = text.astype("category")
    want = text.groupby(["commune_code", "table"], dropna=False).size()
    for rows in (100, 299, 1000, 5000):
        got = core.counts_by(cats, ["commune_code", "table"], dropna=False, rows=rows)
        pd.testing.assert_series_equal(got, want, check_names=False)
        assert str(got.index.levels[0].dtype) == "string"


def test_a_persons_collaborator_is_their_households_and_none_without_a_household_id(register):
    """A person's collaborator is the first row of their household's; a household row without an id is no
    one's household (pandas' ``map`` matched a missing id to it)."""
    import copy

    reg = copy.copy(register)
    reg.tables = dict(register.tables)
    hh = register.tables["households"].copy()
    pp = register.tables["persons"].copy()
    hh.loc[hh.index[0], "household_id"] = None
    hh.loc[hh.index[0], "collaborator_id"] = "C-NO-ID"
    pp.loc[pp.index[:3], "household_id"] = None
    reg.tables["households"], reg.tables["persons"] = hh, pp
    got = core.record_units(reg, "72")
    persons = got[got["table"] == "persons"].reset_index(drop=True)
    assert persons.loc[:2, "collaborator_id"].isna().all()
    assert "C-NO-ID" not in set(persons["collaborator_id"].dropna().astype(str))
    first = hh.dropna(subset=["household_id"]).drop_duplicates("household_id").set_index("household_id")
    want = pp["household_id"].iloc[3:].map(first["collaborator_id"]).astype("string").reset_index(drop=True)
    pd.testing.assert_series_equal(persons["collaborator_id"].iloc[3:].astype("string").reset_index(drop=True),
                                   want, check_names=False)


def _record_by_record(register, province):
    """The unit table as every record's text put together and made categories at the end, each legacy
    commune's province and district and each record's 2025 commune mapped record by record."""
    from popqa.contract import ADMIN_TABLES, TABLES
    from popqa.geo import legacy_units, province_unit

    hh, pp = register.households, register.persons
    first = hh.dropna(subset=["household_id"]).drop_duplicates("household_id").set_index("household_id")
    frames = [hh[["household_id", "province_code", "district_code", "commune_code", "collaborator_id"]].set_axis(
        ["record_id", "province_code", "district_code", "commune_code", "collaborator_id"], axis=1).assign(
        table="households"),
        pp[["person_id", "province_code", "district_code", "commune_code"]].set_axis(
        ["record_id", "province_code", "district_code", "commune_code"], axis=1).assign(
        collaborator_id=pp["household_id"].astype(object).map(first["collaborator_id"]), table="persons")]
    if register.events is not None:
        ev = register.events
        frames.append(ev[["event_id", "province_code", "district_code", "commune_code", "collaborator_id"]].set_axis(
            ["record_id", "province_code", "district_code", "commune_code", "collaborator_id"], axis=1).assign(
            table="events"))
    units = legacy_units().set_index("commune_code")
    for name in [t for t in ADMIN_TABLES if t in register]:
        df = register[name]
        cc = df["commune_code"].astype(object)
        frames.append(pd.DataFrame({"record_id": df[TABLES[name].key], "province_code": cc.map(units["province_code"]),
                                    "district_code": cc.map(units["district_code"]), "commune_code": cc,
                                    "collaborator_id": None, "table": name}))
    text = pd.concat([f.astype(object) for f in frames], ignore_index=True).astype("string")
    if province:
        text["province_code"] = province_unit(text["province_code"], province)
    text["commune_code_2025"] = codes_2025(text["commune_code"])
    out = text[core._RECORD_COLUMNS]
    return out.astype({c: "category" for c in core.CATEGORY_COLUMNS})


@pytest.mark.parametrize("province", ["72", None])
@pytest.mark.parametrize("on_disk", [False, True])
def test_units_are_those_of_every_records_text(register, province, on_disk, tmp_path):
    """Each table's piece of a unit column coded on its own and put together, the province and the 2025
    commune of each category: the table of the records' text made categories, record by record; the
    administrative sources in memory or left on disk (read back as Arrow's text)."""
    import copy

    from popqa.contract import ADMIN_TABLES
    from popqa.io.register import TableOnDisk
    from popqa.io.spill import Spill

    reg = copy.copy(register)
    reg.tables = dict(register.tables)
    admin = [t for t in ADMIN_TABLES if t in reg]
    assert len(admin) >= 3
    # missing and unknown codes in the register and in a source: missing units, no 2025 commune
    pp = reg.tables["persons"] = reg.tables["persons"].copy()
    pp.loc[pp.index[:4], ["commune_code", "province_code"]] = [[None, None], ["99999", "99"], [None, "80"], ["99999", None]]
    src = reg.tables[admin[0]] = reg.tables[admin[0]].copy()
    src.loc[src.index[:2], "commune_code"] = [None, "99999"]
    want = _record_by_record(reg, province)
    if on_disk:
        spill = Spill(tmp_path)
        for name in admin:
            spill.put(name, reg.tables[name])
            reg.tables[name] = TableOnDisk(spill, name)
    got = core.record_units(reg, province)
    pd.testing.assert_frame_equal(got, want)
    assert set(got["table"]) == {"households", "persons", "events", *admin}
