"""Declarations of the coverage family (X): administrative records absent from the register.

Computed by :func:`popqa.checks.coverage.coverage_findings` from the links of
each administrative source to the register (``computed_by="coverage"``); the
check engine does not run them. One rule per source table.
"""

from __future__ import annotations

from popqa.checks.base import Rule, add_rule

#: administrative source table -> rule id
COVERAGE_RULES: dict[str, str] = {
    "civil_births": "X001",
    "civil_deaths": "X002",
    "residents": "X003",
    "insurance": "X004",
}

_DECL = {
    "X001": ("error",
             "Khai sinh đã đăng ký hộ tịch nhưng không có trong sổ dân cư.",
             "Birth registered in civil registration but not found in the population register.",
             "Bổ sung trẻ đã đăng ký khai sinh vào sổ dân cư của hộ, kèm biến động sinh.",
             "Add the child registered at civil registration to its household in the register, with its birth event."),
    "X002": ("error",
             "Khai tử đã đăng ký hộ tịch nhưng không có trong sổ dân cư.",
             "Death registered in civil registration but not found in the population register.",
             "Tìm người đã đăng ký khai tử trong sổ: ghi biến động chết và đổi tình trạng thành đã chết.",
             "Find the person whose death was registered: record the death event and set the status to died."),
    "X003": ("warning",
             "Người trong cơ sở dữ liệu cư trú nhưng không có trong sổ dân cư.",
             "Person in the resident database but not found in the population register.",
             "Cộng tác viên xác minh tại địa chỉ cư trú; bổ sung người vào sổ nếu đang sống trong địa bàn.",
             "Have the collaborator verify at the registered address; add the person if they live in the area."),
    "X004": ("info",
             "Người tham gia bảo hiểm xã hội nhưng không có trong sổ dân cư.",
             "Social-insurance participant not found in the population register.",
             "Để biết: xác minh người tham gia bảo hiểm có sống trong địa bàn không; bổ sung vào sổ nếu có.",
             "For information: check whether the insured person lives in the area; add them to the register if so."),
}

for _source, _rid in COVERAGE_RULES.items():
    _sev, _vi, _en, _avi, _aen = _DECL[_rid]
    add_rule(Rule(_rid, "coverage", _sev, _source, _vi, _en, None, (), None, "coverage",
                  action_vi=_avi, action_en=_aen, parameters=("linkage.link_threshold",),
                  computed_by="coverage"))
