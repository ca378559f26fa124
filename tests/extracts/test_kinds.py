"""Each kind's boundaries on a hand-made register: who is listed, who is not, who is flagged age_uncertain.

Reference date 2026-10-31 (the last day of period 2026-10) unless a test says otherwise.
"""

from __future__ import annotations

import pytest

from popqa.extracts import build_extract
from tests.extracts.frames import no_findings, person, register


def listed(rows, kind, **kw) -> dict[str, str]:
    """person_id -> flags of the extract (only the persons listed)."""
    t = build_extract(register(rows), kind, findings=no_findings(), **kw)
    return dict(zip(t.rows["person_id"], t.rows["flags"], strict=True))


def test_under6_birthday_on_the_reference_date_is_six_and_not_listed():
    out = listed([person("sixth_birthday", "2020-10-31"), person("day_after", "2020-11-01"),
                  person("newborn", "2026-10-31")], "under6")
    assert set(out) == {"day_after", "newborn"}
    assert out["day_after"] == ""


def test_under6_year_only_date_straddling_the_boundary_is_listed_and_flagged():
    out = listed([person("y2020", "2020-01-01", birth_date_precision="year"),
                  person("y2021", "2021-01-01", birth_date_precision="year"),
                  person("y2019", "2019-01-01", birth_date_precision="year"),
                  person("m2020_10", "2020-10-01", birth_date_precision="month"),
                  person("m2020_11", "2020-11-01", birth_date_precision="month")], "under6")
    # born some day of 2020: 5 or 6 at 2026-10-31; born in 2021: certainly under 6; 2019: certainly 6+
    assert out["y2020"] == "age_uncertain"
    assert out["y2021"] == ""
    assert "y2019" not in out
    # born some day of October 2020: 6 by 31 October 2026 whatever the day; November 2020: under 6
    assert "m2020_10" not in out
    assert out["m2020_11"] == ""
    # at 15 October 2026 a child born in October 2020 is 6 (born 1-15) or 5 (born 16-31)
    mid = listed([person("m2020_10", "2020-10-01", birth_date_precision="month")], "under6", as_of="2026-10-15")
    assert mid == {"m2020_10": "age_uncertain"}


@pytest.mark.parametrize(("kind", "born"), [
    ("school_entry", "2021-06-01"), ("under6", "2023-06-01"), ("immunization", "2025-06-01"),
    ("military_registration", "2009-06-01"), ("military_service", "2004-06-01"),
])
def test_dead_and_moved_out_are_never_listed_temporarily_absent_and_unknown_status_are(kind, born):
    rows = [person("dead", born, status=2), person("moved", born, status=3),
            person("absent", born, residence_status=3), person("no_status", born, status=None)]
    assert set(listed(rows, kind)) == {"absent", "no_status"}


def test_immunization_second_birthday_and_leap_day():
    out = listed([person("two_today", "2024-10-31"), person("two_tomorrow", "2024-11-01")], "immunization")
    assert set(out) == {"two_tomorrow"}
    leap = [person("leap", "2024-02-29")]
    # born 29 Feb 2024: the second birthday falls on 1 March 2026 (common year)
    assert set(listed(leap, "immunization", as_of="2026-02-28")) == {"leap"}
    assert set(listed(leap, "immunization", as_of="2026-03-01")) == set()


def test_voters_age_citizenship_and_residence():
    rows = [person("eighteen_today", "2008-10-31"), person("eighteen_tomorrow", "2008-11-01"),
            person("foreigner", "1980-01-01", ethnicity_code="55"),
            person("temporary", "1980-01-01", residence_status=2),
            person("absent", "1980-01-01", residence_status=3),
            person("no_residence", "1980-01-01", residence_status=None),
            person("dead", "1980-01-01", status=2), person("moved", "1980-01-01", status=3)]
    out = listed(rows, "voters")
    assert set(out) == {"eighteen_today", "temporary"}


def test_voters_election_date_and_leap_day():
    rows = [person("on_election_day", "2009-05-23"), person("day_after", "2009-05-24"),
            person("leap", "2008-02-29")]
    assert set(listed(rows, "voters", election_date="2027-05-23")) == {"on_election_day", "leap"}
    # 29 Feb 2008: 18 on 1 March 2026, not on 28 February
    assert "leap" not in listed(rows, "voters", election_date="2026-02-28")
    assert "leap" in listed(rows, "voters", election_date="2026-03-01")


def test_voters_year_only_birth_straddling_eighteen_is_flagged():
    out = listed([person("y2008", "2008-01-01", birth_date_precision="year")], "voters")
    assert out == {"y2008": "age_uncertain"}


def test_military_registration_turning_17_in_the_calendar_year():
    rows = [person("jan", "2009-01-01"), person("dec", "2009-12-31"), person("older", "2008-12-31"),
            person("younger", "2010-01-01"), person("girl", "2009-06-01", sex=2),
            person("year_only", "2009-01-01", birth_date_precision="year"),
            person("no_sex", "2009-06-01", sex=None)]
    out = listed(rows, "military_registration")
    assert set(out) == {"jan", "dec", "year_only"}
    assert out["year_only"] == ""  # the whole year is in: certain


def test_military_service_ages_and_education():
    rows = [person("eighteen_today", "2008-10-31"), person("seventeen", "2008-11-01"),
            person("twenty_five", "2000-11-01"), person("twenty_six", "2000-10-31"),
            person("college_27", "1998-11-01", education_level=5),
            person("university_28", "1998-10-31", education_level=6),
            person("secondary_27", "1999-06-01", education_level=4),
            person("woman", "2000-01-01", sex=2),
            person("year_only_25_or_26", "2000-01-01", birth_date_precision="year")]
    out = listed(rows, "military_service")
    assert set(out) == {"eighteen_today", "twenty_five", "college_27", "year_only_25_or_26"}
    assert out["year_only_25_or_26"] == "age_uncertain"


@pytest.mark.parametrize(("period", "school_year", "born"), [
    ("2026-10", None, 2021),   # export after June: next school year (2027-2028), born 2021
    ("2026-06", None, 2020),   # export in June: this year's school year (2026-2027), born 2020
    ("2026-10", 2026, 2020),
])
def test_school_entry_birth_year(period, school_year, born):
    rows = [person("first", f"{born}-01-01"), person("last", f"{born}-12-31"),
            person("before", f"{born - 1}-12-31"), person("after", f"{born + 1}-01-01"),
            person("year_only", f"{born}-01-01", birth_date_precision="year")]
    t = build_extract(register(rows, period=period), "school_entry", school_year=school_year,
                      findings=no_findings())
    assert set(t.rows["person_id"]) == {"first", "last", "year_only"}
    assert t.params.school_year == born + 6
    assert not t.rows["flags"].str.contains("age_uncertain").any()


def test_unknown_and_future_birth_dates_are_not_listed_but_counted():
    t = build_extract(register([person("none", None), person("future", "2026-12-01"),
                                person("ok", "2025-01-01")]), "under6", findings=no_findings())
    assert t.rows["person_id"].tolist() == ["ok"]
    assert t.excluded["present_without_birth_date"] == 1
    assert t.excluded["present_born_after_reference_date"] == 1


def test_bad_parameters_are_clear_errors():
    from popqa.errors import InputError

    reg = register([person("a", "2020-01-01")])
    with pytest.raises(InputError, match="unknown extract kind"):
        build_extract(reg, "pensioners")
    with pytest.raises(InputError, match="not a date"):
        build_extract(reg, "under6", as_of="31/10/2026x")
    with pytest.raises(InputError, match="school year"):
        build_extract(reg, "school_entry", school_year=26000)
