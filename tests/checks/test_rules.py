"""Each rule family: a record that must be flagged is flagged, the clean ones are not."""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.checks import ChecksConfig, run_checks
from tests.checks.frames import events, flagged, households, make, persons


def _set(df: pd.DataFrame, key: str, ident: str, **values) -> pd.DataFrame:
    df = df.copy()
    for col, v in values.items():
        df[col] = df[col].astype(object)
        df.loc[df[key] == ident, col] = v
    return df


def test_clean_register_has_no_findings(clean):
    f = run_checks(clean)
    assert len(f) == 0


# --- completeness -----------------------------------------------------------------------
def test_empty_required_field_is_flagged_per_column():
    pp = _set(persons(), "person_id", "P21", full_name=None, sex=None)
    f = run_checks(make(pp=pp))
    c002 = f[f["rule_id"] == "C002"]
    assert set(zip(c002["record_id"], c002["column"], strict=True)) == {("P21", "full_name"), ("P21", "sex")}


def test_commune_with_many_empty_fields_is_flagged_as_unit():
    pp = pd.concat([persons()] * 4, ignore_index=True)
    pp["person_id"] = [f"X{i}" for i in range(len(pp))]
    pp.loc[:5, "full_name"] = None
    f = run_checks(make(pp=pp))
    assert flagged(f, "C007") == {"25456"}
    assert (f.loc[f["rule_id"] == "C007", "table"] == "units").all()


# --- codes and geography ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rule", "column", "value"),
    [("V001", "sex", 3), ("V002", "relation_to_head", 9), ("V003", "marital_status", 7),
     ("V004", "ethnicity_code", "56"), ("V005", "education_level", 8), ("V006", "residence_status", 4),
     ("V007", "status", 5)],
)
def test_codes_outside_their_list(rule, column, value):
    pp = _set(persons(), "person_id", "P13", **{column: value})
    f = run_checks(make(pp=pp))
    assert flagged(f, rule) == {"P13"}
    assert f.loc[f["rule_id"] == rule, "value"].tolist() == [str(value)]


def test_unknown_event_type():
    ev = _set(events(), "event_id", "E3", event_type="adoption")
    assert flagged(run_checks(make(ev=ev)), "V009") == {"E3"}


def test_commune_in_another_district_and_unknown_commune():
    hh = _set(households(), "household_id", "H2", district_code="710")
    pp = _set(persons(), "person_id", "P11", commune_code="99999")
    f = run_checks(make(hh=hh, pp=pp))
    assert flagged(f, "V021") == {"H2"}
    assert flagged(f, "V022") == {"P11"}
    assert "H1" not in flagged(f, "V021")


# --- dates and ages -----------------------------------------------------------------------
def test_unparseable_date_becomes_a_validity_finding():
    pp = _set(persons(), "person_id", "P21", birth_date="31/02/1980")
    f = run_checks(make(pp=pp))
    row = f[f["rule_id"] == "V030"]
    assert row[["table", "record_id", "column", "value"]].values.tolist() == [
        ["persons", "P21", "birth_date", "31/02/1980"]
    ]
    assert row["commune_code"].tolist() == ["25456"]


def test_future_dates_use_the_export_date_not_today():
    pp = _set(persons(), "person_id", "P14", birth_date="2026-11-01")
    f = run_checks(make(pp=pp))
    assert flagged(f, "V031") == {"P14"}
    # one period later the same date is in the past
    assert "V031" not in set(run_checks(make(pp=pp, period="2026-12"))["rule_id"])


def test_age_over_110_only_when_every_date_of_a_year_only_birth_is_too_old():
    pp = _set(persons(), "person_id", "P15", birth_date="1915-01-01")  # year-only: 110 or 111 on 2026-10-31
    assert "P15" not in flagged(run_checks(make(pp=pp)), "V035")
    pp = _set(persons(), "person_id", "P15", birth_date="1914-01-01")
    assert flagged(run_checks(make(pp=pp)), "V035") == {"P15"}


# --- citizen id ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cid", "rule"),
    [("0720801234567", "I001"), ("0720801234AB", "I001"), ("099080123456", "I002"),
     ("072180123456", "I003"), ("072280123456", "I003"), ("072081123456", "I004")],
)
def test_citizen_id_structure(cid, rule):
    pp = _set(persons(), "person_id", "P11", citizen_id=cid)
    f = run_checks(make(pp=pp))
    assert flagged(f, rule) == {"P11"}
    assert not {r for r in ("I001", "I002", "I003", "I004") if r != rule} & set(f["rule_id"])


def test_leap_day_birth_and_citizen_id_of_the_2000s_are_clean(clean):
    f = run_checks(clean)
    assert "P13" not in set(f["record_id"])  # born 29 Feb 2008, id digit 4 = 2 (male, 2000s)


# --- household structure ------------------------------------------------------------------
def test_no_head_and_two_heads_and_two_spouses():
    pp = _set(persons(), "person_id", "P21", relation_to_head=7)
    pp = _set(pp, "person_id", "P15", relation_to_head=1)
    f = run_checks(make(pp=pp))
    assert flagged(f, "H001") == {"H2"}
    assert flagged(f, "H002") == {"H1"}
    pp = _set(persons(), "person_id", "P15", relation_to_head=2)
    assert flagged(run_checks(make(pp=pp)), "H003") == {"H1"}


def test_young_heads_error_and_warning():
    pp = _set(persons(), "person_id", "P21", birth_date="2012-01-01")
    f = run_checks(make(pp=pp))
    assert flagged(f, "H004") == {"P21"} and not flagged(f, "H005")
    pp = _set(persons(), "person_id", "P21", birth_date="2010-01-01")
    f = run_checks(make(pp=pp))
    assert flagged(f, "H005") == {"P21"} and not flagged(f, "H004")


def test_married_under_legal_age_depends_on_sex():
    pp = _set(persons(), "person_id", "P12", birth_date="2007-08-01")  # woman, 19: fine
    assert not flagged(run_checks(make(pp=pp)), "H006")
    pp = _set(persons(), "person_id", "P12", birth_date="2009-08-01")  # woman, 17
    assert flagged(run_checks(make(pp=pp)), "H006") == {"P12"}
    pp = _set(persons(), "person_id", "P11", birth_date="2007-08-01")  # man, 19
    assert "P11" in flagged(run_checks(make(pp=pp)), "H006")


def test_child_too_close_to_head_and_parent_younger_than_head():
    pp = _set(persons(), "person_id", "P13", birth_date="1985-01-01")
    pp = _set(pp, "person_id", "P15", birth_date="1990-01-01")
    f = run_checks(make(pp=pp))
    assert flagged(f, "H007") == {"P13"}
    assert flagged(f, "H008") == {"P15"}


def test_empty_household_and_orphan_person():
    hh = pd.concat([households(), households().iloc[[0]].assign(household_id="H3")], ignore_index=True)
    pp = _set(persons(), "person_id", "P21", household_id="H9")
    pp = _set(pp, "person_id", "P22", household_id="H9")
    f = run_checks(make(hh=hh, pp=pp))
    assert flagged(f, "H009") == {"H2", "H3"}
    assert flagged(f, "H011") == {"P21", "P22"}


# --- mother and child ---------------------------------------------------------------------
def test_mother_age_at_birth_from_mother_id_and_from_birth_event():
    pp = _set(persons(), "person_id", "P12", birth_date="1968-01-01")  # 58 at P14's birth
    f = run_checks(make(pp=pp))
    assert flagged(f, "M001") == {"P14"}
    assert flagged(f, "M002") == {"E1"}


def test_year_only_mother_is_not_flagged_when_the_age_could_be_in_range():
    pp = _set(persons(), "person_id", "P12", birth_date="1971-01-01", birth_date_precision="year")
    # P14 born 2026-03-10: mother 54.2 (born Dec 1971) to 55.2 (born Jan 1971)
    assert not flagged(run_checks(make(pp=pp)), "M001")


# --- events -------------------------------------------------------------------------------
def test_recorded_before_and_late_with_configurable_threshold():
    ev = _set(events(), "event_id", "E3", recorded_date="2026-06-01")
    assert flagged(run_checks(make(ev=ev)), "E001") == {"E3"}
    ev = _set(events(), "event_id", "E3", recorded_date="2026-08-15")  # 45 days
    assert flagged(run_checks(make(ev=ev)), "E002") == {"E3"}
    assert not flagged(run_checks(make(ev=ev), ChecksConfig(late_days=60)), "E002")


def test_legal_deadline_of_births_is_60_days():
    ev = _set(events(), "event_id", "E1", recorded_date="2026-04-25")  # 46 days after the birth
    f = run_checks(make(ev=ev), ChecksConfig(use_legal_deadlines=True))
    assert not flagged(f, "E002")
    assert flagged(run_checks(make(ev=ev)), "E002") == {"E1"}


def test_event_links_to_persons():
    ev = pd.concat([events(), events().iloc[[1]].assign(event_id="E4", event_date="2026-06-01",
                                                          recorded_date="2026-06-02")], ignore_index=True)
    ev = pd.concat([ev, events().iloc[[2]].assign(event_id="E5", person_id="P99")], ignore_index=True)
    ev = pd.concat([ev, events().iloc[[0]].assign(event_id="E6", person_id="P98")], ignore_index=True)
    f = run_checks(make(ev=ev))
    assert flagged(f, "E004") == {"E4"}
    assert flagged(f, "E003") == {"E5"}
    assert flagged(f, "E006") == {"E6"}


def test_dead_or_moved_out_but_still_present():
    pp = _set(persons(), "person_id", "P22", status=1)
    ev = pd.concat([events(), events().iloc[[2]].assign(event_id="E7", event_type="move_out", person_id="P21",
                                                          household_id="H2")], ignore_index=True)
    f = run_checks(make(pp=pp, ev=ev))
    assert flagged(f, "E005") == {"P22"}
    assert flagged(f, "E007") == {"P21"}


def test_event_outside_the_period():
    ev = _set(events(), "event_id", "E3", event_date="2025-10-15", recorded_date="2025-10-20")
    assert flagged(run_checks(make(ev=ev)), "E008") == {"E3"}


# --- uniqueness ---------------------------------------------------------------------------
def test_duplicate_ids_and_shared_citizen_id():
    pp = pd.concat([persons(), persons().iloc[[5]]], ignore_index=True)
    pp = _set(pp, "person_id", "P22", citizen_id="072080123456")
    hh = pd.concat([households(), households().iloc[[1]]], ignore_index=True)
    f = run_checks(make(hh=hh, pp=pp))
    assert flagged(f, "U001") == {"P21"}
    assert flagged(f, "U002") == {"H2"}
    assert flagged(f, "U004") == {"P11", "P22"}


# --- findings table ------------------------------------------------------------------------
def test_findings_carry_units_and_collaborator():
    pp = _set(persons(), "person_id", "P21", sex=3)
    row = run_checks(make(pp=pp)).iloc[0]
    assert (row["district_code"], row["commune_code"], row["collaborator_id"]) == ("703", "25456", "C2")
    assert row["message_vi"] and row["message_en"]


def test_a_person_without_a_household_id_takes_no_collaborator_from_a_household_without_one(tmp_path):
    """The persons' collaborator comes from their household's row; a household row without an id is no
    one's household (pandas' ``map`` matched a missing id to it), in one run and partition by partition
    (which resolve it the same way, over the whole register)."""
    from popqa.checks.partitioned import run_checks_partitioned

    hh = _set(households(), "household_id", "H2", household_id=None, collaborator_id="C9")
    pp = persons()
    pp.loc[pp["person_id"] == "P21", "household_id"] = None
    pp.loc[pp["person_id"] == "P21", "sex"] = 3
    whole = run_checks(make(hh=hh, pp=pp))
    parted, _ = run_checks_partitioned(make(hh=hh, pp=pp), workdir=tmp_path / "w", parts_dir=tmp_path / "p")
    for f in (whole, parted):
        row = f[(f["table"] == "persons") & (f["record_id"] == "P21")]
        assert len(row) and row["collaborator_id"].isna().all()
        assert "C9" not in set(f["collaborator_id"].dropna())


def test_merged_2025_province_codes_are_all_inside():
    """A register of the 2025 Tây Ninh carries legacy codes 72 and 80 (Long An). Since the reform (1 July
    2025) a Long An commune is inside the audited province whether it is configured as "72,80" or as "72"
    (its 2025 province holds both); in an export from before the reform, configured as "72", it is
    outside (V020/V022), and a commune of another 2025 province is outside either way."""
    from popqa.config import Config

    long_an = {"province_code": "80", "district_code": "794", "commune_code": "27685"}  # Phường 5, Tân An
    hh = _set(households(), "household_id", "H2", **long_an)
    pp = persons().copy()
    pp.loc[pp["household_id"] == "H2", "commune_code"] = long_an["commune_code"]
    pp.loc[pp["household_id"] == "H2", "district_code"] = long_an["district_code"]
    pp.loc[pp["household_id"] == "H2", "province_code"] = long_an["province_code"]
    merged = run_checks(make(hh=hh, pp=pp), Config(province_code="72,80"))
    assert not flagged(merged, "V020") and not flagged(merged, "V022")
    since = run_checks(make(hh=hh, pp=pp), Config(province_code="72"))
    assert not flagged(since, "V020") and not flagged(since, "V022")
    alone = run_checks(make(hh=hh, pp=pp, period="2025-06"), Config(province_code="72"))
    assert flagged(alone, "V020") == {"H2"}
    assert flagged(alone, "V022") == set(pp.loc[pp["household_id"] == "H2", "person_id"])
    hanoi = {"province_code": "01", "district_code": "001", "commune_code": "00001"}  # Phường Phúc Xá
    far = _set(households(), "household_id", "H2", **hanoi)
    assert flagged(run_checks(make(hh=far, pp=persons()), Config(province_code="72")), "V020") == {"H2"}


def _cid_parts_by_python(ids: pd.Series) -> pd.DataFrame:
    """The citizen ids' parts read one id at a time with Python's ``strip`` and ``\\d``, as the rules read
    them before the twenty-first measurement."""
    import re

    rows = []
    for v in ids.astype("string").astype(object):
        cid = None if v is pd.NA else v.strip()
        ok = cid is not None and re.fullmatch(r"\d{12}", cid) is not None
        d = [int(ch) for ch in cid] if ok else [0] * 12
        rows.append({"cid": cid, "ok": ok, "prefix": f"{d[0]}{d[1]}{d[2]}", "d4": d[3], "yy": d[4] * 10 + d[5]})
    return pd.DataFrame(rows, index=ids.index)


def test_citizen_id_parts_read_by_arrow_equal_python_reading_them_one_by_one():
    from types import SimpleNamespace

    from popqa.checks.rules.validity import _cid_parts

    ids = ["072080123456", " 072080123456\t", "\x1c072080123457\x1f", "\xa0072080123458", "٠٧٢٠٨٠١٢٣٤٥٩",
           "0720801234567", "07208012345", "0720801234AB", "", "   ", None, "072 080 123 456", "\u3000072080123450",
           "099180123456", "Ā72080123456", "0720801234５6"]
    frame = pd.DataFrame({"citizen_id": pd.array(ids * 3, dtype="string")}, index=range(100, 100 + 3 * len(ids)))
    ours = _cid_parts(SimpleNamespace(persons=frame, cache={}))
    theirs = _cid_parts_by_python(frame["citizen_id"])
    assert ours.index.equals(theirs.index)
    for col in ("ok", "prefix", "d4", "yy"):
        assert ours[col].tolist() == theirs[col].tolist(), col
    assert ours["cid"].astype(object).where(ours["cid"].notna(), None).tolist() == theirs["cid"].tolist()
    # twelve digits after Python's strip: ASCII and other spaces around them, Arabic-Indic and full-width digits
    assert ours["ok"].sum() == 3 * 8
