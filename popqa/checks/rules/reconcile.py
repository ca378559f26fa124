"""Declarations of the reconciliation rules (X010-X012): units whose coverage is measured to be wrong.

Computed by the audit's ``reconcile`` stage (:func:`popqa.reconcile.stage.reconcile_stage`,
``computed_by="reconcile"``), which takes each rule's id, dimension, severity
and messages from here. Findings are on table ``units`` with the unit's code as
record_id (a legacy commune, district or province, or a 2025 commune).

* X010 / X011: a reliable unit whose register completeness of births / deaths
  against civil registration has its whole interval below
  ``reconcile.completeness_target``; value: the completeness.
* X012: a unit the survey design supports whose register count lies outside
  the population-change survey's confidence interval; ``column`` names what
  is counted (``persons``, ``births_12m``, ``deaths_12m``), value: the register
  count and the interval.
"""

from __future__ import annotations

from popqa.checks.base import Rule, add_rule

_ACTION_EVENTS_VI = ("Đối chiếu danh sách đăng ký {ev} của hộ tịch với sổ dân cư của xã; nhắc cộng tác viên cập "
                     "nhật biến động {ev} còn thiếu.")
_ACTION_EVENTS_EN = ("Compare the civil-registration {ev} list with the commune's register; have the collaborators "
                     "record the missing {ev} events.")

add_rule(Rule(
    "X010", "coverage", "warning", "units",
    "Sổ dân cư thiếu nhiều khai sinh: mức độ đầy đủ so với hộ tịch thấp hơn mục tiêu (cả khoảng tin cậy).",
    "The register misses births: its completeness against civil registration is below target (whole interval).",
    None, (), None, "reconcile",
    action_vi=_ACTION_EVENTS_VI.format(ev="khai sinh"), action_en=_ACTION_EVENTS_EN.format(ev="birth"),
    parameters=("reconcile.completeness_target", "reconcile.min_matches", "reconcile.max_cv"),
    computed_by="reconcile",
))
add_rule(Rule(
    "X011", "coverage", "warning", "units",
    "Sổ dân cư thiếu nhiều khai tử: mức độ đầy đủ so với hộ tịch thấp hơn mục tiêu (cả khoảng tin cậy).",
    "The register misses deaths: its completeness against civil registration is below target (whole interval).",
    None, (), None, "reconcile",
    action_vi=_ACTION_EVENTS_VI.format(ev="khai tử"), action_en=_ACTION_EVENTS_EN.format(ev="death"),
    parameters=("reconcile.completeness_target", "reconcile.min_matches", "reconcile.max_cv"),
    computed_by="reconcile",
))
add_rule(Rule(
    "X012", "coverage", "warning", "units",
    "Số đếm của sổ dân cư nằm ngoài khoảng tin cậy của điều tra biến động dân số (cột: nhân khẩu, sinh hoặc chết "
    "trong 12 tháng).",
    "The register's count lies outside the population-change survey's confidence interval (column: persons, "
    "births or deaths of the last twelve months).",
    None, (), None, "reconcile",
    action_vi="Thấp hơn khoảng: tìm người, trẻ sinh hoặc người chết chưa ghi vào sổ (đối chiếu hộ điều tra, hộ "
              "tịch, cư trú). Cao hơn khoảng: rà soát người trùng, người đã chuyển đi hoặc đã chết chưa xóa.",
    action_en="Below the interval: look for persons, births or deaths the register lacks (compare the survey "
              "households, civil registration, residents). Above: look for duplicates and persons who moved out "
              "or died but are still present.",
    parameters=("reconcile.survey_levels", "reconcile.survey_min_psus", "reconcile.survey_min_events",
                "reconcile.survey_max_cv", "reconcile.level"),
    computed_by="reconcile",
))
