"""Who each data-sharing extract lists: the rule of each kind, over birth-date intervals.

A birth date known to the year only (``birth_date_precision`` "year", stored as
1 January) stands for any day of that year; known to the month, for any day of
that month. This is the rule catalogue's interval convention
(:func:`popqa.checks.base.latest_birth`): the earliest possible birth is the
recorded date, the latest is the interval's last day (never after the reference
date: the person exists). A person whose interval lies wholly inside a kind's
rule is *certainly* eligible; one whose interval straddles a boundary is
*possibly* eligible: listed, and flagged ``age_uncertain``.

Ages are completed years (:func:`popqa.definitions.age_at`; a 29 February
birthday falls on 1 March in common years). "Under 24 months" is "under 2
completed years" (the same birthday convention).

Examples
--------
>>> import pandas as pd
>>> p = pd.DataFrame({"birth_date": pd.to_datetime(["2020-10-31", "2020-11-01", "2020-01-01"]),
...                   "birth_date_precision": ["day", "day", "year"], "sex": [1, 2, 1],
...                   "ethnicity_code": "01", "residence_status": 1, "education_level": 3})
>>> e = eligibility(p, "under6", reference=pd.Timestamp("2026-10-31"))
>>> e.possible.tolist(), e.certain.tolist()
([False, True, True], [False, True, False])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from popqa.checks.base import latest_birth
from popqa.definitions import age_at

__all__ = ["KINDS", "KIND_TEXT", "Eligibility", "eligibility", "birth_interval", "as_datetime"]

#: The kinds of extract, in the order the documentation lists them.
KINDS = ("school_entry", "under6", "immunization", "voters", "military_registration", "military_service")

#: kind -> (Vietnamese title, English title, Vietnamese rule, English rule)
KIND_TEXT: dict[str, tuple[str, str, str, str]] = {
    "school_entry": ("Trẻ vào lớp 1", "Children entering grade 1",
                     "trẻ đang có mặt, sinh trong năm (năm học - 6)",
                     "present children born in the calendar year school_year - 6"),
    "under6": ("Trẻ dưới 6 tuổi (thẻ bảo hiểm y tế)", "Children under 6 (health-insurance cards)",
               "trẻ đang có mặt, chưa đủ 6 tuổi tròn tại ngày tham chiếu",
               "present children under 6 completed years at the reference date"),
    "immunization": ("Trẻ dưới 24 tháng (tiêm chủng mở rộng)", "Children under 24 months (immunization)",
                     "trẻ đang có mặt, chưa đủ 24 tháng tuổi tại ngày tham chiếu",
                     "present children under 24 months (2 completed years) at the reference date"),
    "voters": ("Cử tri", "Voters",
               "người đang có mặt, đủ 18 tuổi trở lên vào ngày bầu cử, công dân Việt Nam (mã dân tộc khác 55), "
               "thường trú hoặc tạm trú (tình trạng cư trú 1 hoặc 2)",
               "present persons 18 or older on the election date, Vietnamese citizens (ethnicity code not 55), "
               "permanent or temporary residents (residence status 1 or 2)"),
    "military_registration": ("Nam đăng ký nghĩa vụ quân sự", "Men registering for military service",
                              "nam đang có mặt, đủ 17 tuổi trong năm của ngày tham chiếu",
                              "present males turning 17 in the calendar year of the reference date"),
    "military_service": ("Nam trong độ tuổi gọi nhập ngũ", "Men of military-service age",
                         "nam đang có mặt, từ 18 đến 25 tuổi tại ngày tham chiếu, đến 27 tuổi nếu có trình độ "
                         "trung cấp, cao đẳng, đại học (trình độ học vấn 5 hoặc 6)",
                         "present males aged 18 to 25 at the reference date, to 27 with vocational, college "
                         "or university education (education level 5 or 6)"),
}


@dataclass(frozen=True)
class Eligibility:
    """Per-record result of a kind's rule (boolean arrays aligned with the persons).

    possible : the rule holds for some birth date in the record's interval (the record is listed).
    certain : the rule holds for every birth date in the interval (else flagged ``age_uncertain``).
    """

    possible: pd.Series
    certain: pd.Series


def as_datetime(s: pd.Series, **kw) -> pd.Series:
    """``s`` as datetimes; a datetime column as it is (``pd.to_datetime`` would sample it value by value)."""
    return s if pd.api.types.is_datetime64_any_dtype(s) else pd.to_datetime(s, **kw)


def birth_interval(persons: pd.DataFrame, reference: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """Earliest and latest possible birth date of each record (the latest capped at ``reference``).

    >>> p = pd.DataFrame({"birth_date": pd.to_datetime(["2026-01-01", "2010-05-01"]),
    ...                   "birth_date_precision": ["year", "month"]})
    >>> [s.dt.strftime("%Y-%m-%d").tolist() for s in birth_interval(p, pd.Timestamp("2026-10-31"))]
    [['2026-01-01', '2010-05-01'], ['2026-10-31', '2010-05-31']]
    """
    lo = as_datetime(persons["birth_date"])
    hi = latest_birth(lo, persons["birth_date_precision"] if "birth_date_precision" in persons else None)
    hi = hi.where(~(hi > reference) | (lo > reference), reference)
    return lo, hi


def _in_year(lo: pd.Series, hi: pd.Series, year: int) -> tuple[np.ndarray, np.ndarray]:
    ly, hy = lo.dt.year.to_numpy(float), hi.dt.year.to_numpy(float)
    with np.errstate(invalid="ignore"):
        return (ly <= year) & (hy >= year), (ly == year) & (hy == year)


def eligibility(
    persons: pd.DataFrame,
    kind: str,
    *,
    reference: pd.Timestamp,
    school_year: int | None = None,
    election_date: pd.Timestamp | None = None,
) -> Eligibility:
    """Apply ``kind``'s rule to every record of ``persons`` (presence is not tested here).

    Parameters
    ----------
    persons : birth_date, birth_date_precision, sex, ethnicity_code, residence_status, education_level.
    kind : one of :data:`KINDS`.
    reference : the reference date (ages in completed years at this date).
    school_year : ``school_entry``: grade 1 of the school year starting in September of this year.
    election_date : ``voters``: ages at this date (default ``reference``).

    Records born after the reference date, or without a birth date, are never eligible.

    Examples
    --------
    >>> p = pd.DataFrame({"birth_date": pd.to_datetime(["2008-10-31", "2008-11-01"]),
    ...                   "birth_date_precision": "day", "sex": 1, "ethnicity_code": "01",
    ...                   "residence_status": 1, "education_level": 3})
    >>> eligibility(p, "voters", reference=pd.Timestamp("2026-10-31")).possible.tolist()
    [True, False]
    """
    if kind not in KINDS:
        raise ValueError(f"unknown extract kind {kind!r}; one of {', '.join(KINDS)}")
    reference = pd.Timestamp(reference).normalize()
    lo, hi = birth_interval(persons, reference)
    known = (lo.notna() & (lo <= reference)).to_numpy(bool)
    sex = pd.to_numeric(persons["sex"], errors="coerce").to_numpy(float) if "sex" in persons else np.full(len(lo), np.nan)
    male = sex == 1

    def ages(at: pd.Timestamp) -> tuple[np.ndarray, np.ndarray]:
        return age_at(hi, at).to_numpy(float), age_at(lo, at).to_numpy(float)  # (min, max)

    with np.errstate(invalid="ignore"):
        if kind == "school_entry":
            if school_year is None:
                raise ValueError("school_entry needs a school_year")
            possible, certain = _in_year(lo, hi, int(school_year) - 6)
        elif kind == "military_registration":
            possible, certain = _in_year(lo, hi, reference.year - 17)
            possible, certain = possible & male, certain & male
        elif kind in ("under6", "immunization"):
            limit = 6 if kind == "under6" else 2
            amin, amax = ages(reference)
            possible, certain = amin < limit, amax < limit
        elif kind == "voters":
            at = reference if election_date is None else pd.Timestamp(election_date).normalize()
            amin, amax = ages(at)
            eth = persons["ethnicity_code"].astype("string") if "ethnicity_code" in persons else None
            citizen = np.ones(len(lo), bool) if eth is None else ~(eth == "55").fillna(False).to_numpy(bool)
            res = pd.to_numeric(persons["residence_status"], errors="coerce").to_numpy(float)
            resident = (res == 1) | (res == 2)
            # born by the election date: a person born after the reference date is not in the register's
            # population, whatever the election date
            possible = (amax >= 18) & citizen & resident
            certain = (amin >= 18) & citizen & resident
        else:  # military_service
            amin, amax = ages(reference)
            edu = pd.to_numeric(persons["education_level"], errors="coerce").to_numpy(float)
            upper = np.where((edu == 5) | (edu == 6), 27.0, 25.0)
            possible = (amax >= 18) & (amin <= upper) & male
            certain = (amin >= 18) & (amax <= upper) & male
    possible = np.asarray(possible, bool) & known
    certain = np.asarray(certain, bool) & possible
    idx = persons.index
    return Eligibility(pd.Series(possible, index=idx), pd.Series(certain, index=idx))
