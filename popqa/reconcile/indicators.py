"""Indicators of the reconciliation stage (declarations only; computed by :mod:`popqa.reconcile.stage`).

Event indicators carry the event in ``group`` ("birth", "death"; a district's
pool of unreliable communes is "birth:pooled" / "death:pooled"). Resident and
insurance shares carry the residence type, residence status or scheme in
``group`` ("" for all).
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
]

REG_EVENT_COMPLETENESS = register(
    "reg_event_completeness", name_vi="Mức độ đầy đủ của sổ dân cư (sinh, chết) so với hộ tịch",
    name_en="Completeness of the register's births and deaths against civil registration", unit="share",
    stage="reconcile", source="register+civil_registration", higher_is_better=True,
    description_en="Events registered in civil registration and found in the register (m) over events registered "
                   "in civil registration (n2), twelve months to the period end; Wilson interval. Under independent "
                   "sources this estimates the register's completeness.")
CIVIL_EVENT_COMPLETENESS = register(
    "civil_event_completeness", name_vi="Mức độ đầy đủ của đăng ký hộ tịch so với sổ dân cư",
    name_en="Completeness of civil registration against the register", unit="share", stage="reconcile",
    source="register+civil_registration", higher_is_better=True,
    description_en="Register events found in civil registration (m) over register events (n1); Wilson interval.")
DSE_EVENT_TOTAL = register(
    "dse_event_total", name_vi="Ước lượng tổng số sự kiện (phương pháp hai nguồn)",
    name_en="Dual-system estimate of the true number of events", unit="count", stage="reconcile",
    source="register+civil_registration",
    description_en="Chapman's estimate (n1+1)(n2+1)/(m+1)-1 with the Seber-Wittes standard error and Chao's "
                   "log-transformed 95% interval; numerator: events seen by either source.")
DSE_EVENTS_MISSED = register(
    "dse_events_missed", name_vi="Ước lượng số sự kiện cả hai nguồn đều bỏ sót",
    name_en="Estimated events missed by both the register and civil registration", unit="count",
    stage="reconcile", source="register+civil_registration", higher_is_better=False,
    description_en="Chapman estimate minus the events seen by either source, (n1-m)(n2-m)/(m+1), with the "
                   "interval of the estimate shifted by the same amount.")
RECONCILE_RECORDS_REMOVED = register(
    "reconcile_records_removed", name_vi="Số bản ghi bị loại trước khi ước lượng",
    name_en="Records removed before the dual-system estimate", unit="count", stage="reconcile",
    source="register+civil_registration",
    description_en="Register events or civil registrations left out as duplicates, out of area, without a date or "
                   "outside the twelve months; group is <event>:<source>:<reason>.")
RESIDENTS_IN_REGISTER = register(
    "residents_in_register", name_vi="Tỷ lệ người trong cơ sở dữ liệu cư trú có trong sổ dân cư",
    name_en="Share of the resident database found in the register", unit="share", stage="reconcile",
    source="register+residents", higher_is_better=True,
    description_en="Police resident records linked to a register person over resident records of the unit, by "
                   "residence type (group).")
REGISTER_IN_RESIDENTS = register(
    "register_in_residents", name_vi="Tỷ lệ nhân khẩu hiện có trong sổ dân cư có trong cơ sở dữ liệu cư trú",
    name_en="Share of the register's present persons found in the resident database", unit="share",
    stage="reconcile", source="register+residents", higher_is_better=True,
    description_en="Present register persons linked from a resident record over present register persons, by "
                   "residence status (group).")
INSURANCE_ABSENT_FROM_REGISTER = register(
    "insurance_absent_from_register", name_vi="Tỷ lệ người đóng bảo hiểm xã hội không có trong sổ dân cư",
    name_en="Share of insurance contributors absent from the register", unit="share", stage="reconcile",
    source="register+insurance", higher_is_better=False,
    description_en="Contributing social-insurance participants not linked to any register person over "
                   "contributing participants, by scheme (group).")
