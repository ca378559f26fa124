"""Indicators of the reconciliation stage (declarations only; computed by :mod:`popqa.reconcile.stage`).

Event indicators carry the event in ``group`` ("event=birth", "event=death"; a
district's pool of unreliable communes adds ";pooled=small_communes"). Resident
and insurance shares carry the residence type, residence status or scheme in
``group`` ("" for all). Survey totals carry "" (all), "sex=1" / "sex=2" or
"sex=1;age=0-4" .. "sex=2;age=80+" (persons only).
"""

from __future__ import annotations

from popqa.indicators.core import register

__all__ = [
    "REG_EVENT_COMPLETENESS",
    "CIVIL_EVENT_COMPLETENESS",
    "DSE_EVENT_TOTAL",
    "DSE_EVENTS_MISSED",
    "RECONCILE_RECORDS_REMOVED",
    "RESIDENTS_IN_REGISTER",
    "REGISTER_IN_RESIDENTS",
    "INSURANCE_ABSENT_FROM_REGISTER",
    "SURVEY_PERSONS_TOTAL",
    "SURVEY_BIRTHS_12M",
    "SURVEY_DEATHS_12M",
]


def _declare(indicator_id: str, name_vi: str, name_en: str, unit: str, source: str, description_en: str,
             higher_is_better: bool | None = None):
    """One indicator of the ``reconcile`` stage (every declaration below has this shape)."""
    return register(indicator_id, name_vi=name_vi, name_en=name_en, unit=unit, stage="reconcile", source=source,
                    higher_is_better=higher_is_better, description_en=description_en)


_CIVIL = "register+civil_registration"
_SURVEY = "register+survey"

REG_EVENT_COMPLETENESS = _declare(
    "reg_event_completeness", "Mức độ đầy đủ của sổ dân cư (sinh, chết) so với hộ tịch",
    "Completeness of the register's births and deaths against civil registration", "share", _CIVIL,
    "Events registered in civil registration and found in the register (m) over events registered in civil "
    "registration (n2), twelve months to the period end; Wilson interval. Under independent sources this "
    "estimates the register's completeness.", True)
CIVIL_EVENT_COMPLETENESS = _declare(
    "civil_event_completeness", "Mức độ đầy đủ của đăng ký hộ tịch so với sổ dân cư",
    "Completeness of civil registration against the register", "share", _CIVIL,
    "Register events found in civil registration (m) over register events (n1); Wilson interval.", True)
DSE_EVENT_TOTAL = _declare(
    "dse_event_total", "Ước lượng tổng số sự kiện (phương pháp hai nguồn)",
    "Dual-system estimate of the true number of events", "count", _CIVIL,
    "Chapman's estimate (n1+1)(n2+1)/(m+1)-1 with the Seber-Wittes standard error and a 95% interval (normal, "
    "truncated at the events seen, or Chao's log-transformed: setting reconcile.ci); numerator: events seen by "
    "either source.")
DSE_EVENTS_MISSED = _declare(
    "dse_events_missed", "Ước lượng số sự kiện cả hai nguồn đều bỏ sót",
    "Estimated events missed by both the register and civil registration", "count", _CIVIL,
    "Chapman estimate minus the events seen by either source, (n1-m)(n2-m)/(m+1), with the interval of the "
    "estimate shifted by the same amount.", False)
RECONCILE_RECORDS_REMOVED = _declare(
    "reconcile_records_removed", "Số bản ghi bị loại trước khi ước lượng",
    "Records removed before the dual-system estimate", "count", _CIVIL,
    "Register events or civil registrations left out as duplicates, out of area, without a date or outside the "
    "twelve months; group is event=<event>;source=<source>;reason=<reason>.")
RESIDENTS_IN_REGISTER = _declare(
    "residents_in_register", "Tỷ lệ người trong cơ sở dữ liệu cư trú có trong sổ dân cư",
    "Share of the resident database found in the register", "share", "register+residents",
    "Police resident records linked to a register person over resident records of the unit, by residence type "
    "(group).", True)
REGISTER_IN_RESIDENTS = _declare(
    "register_in_residents", "Tỷ lệ nhân khẩu hiện có trong sổ dân cư có trong cơ sở dữ liệu cư trú",
    "Share of the register's present persons found in the resident database", "share", "register+residents",
    "Present register persons linked from a resident record over present register persons, by residence status "
    "(group).", True)
INSURANCE_ABSENT_FROM_REGISTER = _declare(
    "insurance_absent_from_register", "Tỷ lệ người đóng bảo hiểm xã hội không có trong sổ dân cư",
    "Share of insurance contributors absent from the register", "share", "register+insurance",
    "Contributing social-insurance participants not linked to any register person over contributing "
    "participants, by scheme (group).", False)
SURVEY_PERSONS_TOTAL = _declare(
    "survey_persons_total", "Dân số hiện có ước lượng từ điều tra biến động dân số",
    "Population present estimated by the population-change survey", "persons", _SURVEY,
    "Weighted survey total of persons present at the period end (Horvitz-Thompson, Taylor-linearised standard "
    "error, normal 95% interval); numerator: the register's present persons of the same unit and group. "
    "Insufficient where the survey sampled too few clusters or the CV is too high (docs/reconciliation.md).")
SURVEY_BIRTHS_12M = _declare(
    "survey_births_12m", "Số trẻ sinh trong 12 tháng ước lượng từ điều tra biến động dân số",
    "Births in the last twelve months estimated by the population-change survey", "count", _SURVEY,
    "Weighted survey total of the sampled households' births of the twelve months to the period end; "
    "numerator: the register's births of those months (after the dual-system removals).")
SURVEY_DEATHS_12M = _declare(
    "survey_deaths_12m", "Số người chết trong 12 tháng ước lượng từ điều tra biến động dân số",
    "Deaths in the last twelve months estimated by the population-change survey", "count", _SURVEY,
    "Weighted survey total of the sampled households' deaths of the twelve months to the period end; "
    "numerator: the register's deaths of those months (after the dual-system removals).")
