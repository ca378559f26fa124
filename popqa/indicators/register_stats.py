"""Indicators computed from the register and its audit: program targets, timeliness, duplicates, coverage.

The computations live in :mod:`popqa.indicators.compute`; this module only
declares them, so ``popqa indicators`` lists them without running anything.
"""

from __future__ import annotations

from popqa.indicators.core import register

ON_TIME_COMMUNES = register(
    "on_time_communes", name_vi="Tỷ lệ xã cập nhật biến động đúng hạn",
    name_en="Share of communes updating the register on time", unit="share", stage="indicators",
    higher_is_better=True,
    description_en="Communes where at least the configured share of events were recorded within the deadline, "
                   "over all communes of the unit (communes without events are not on time).")
MOBILE_ENTRY = register(
    "mobile_entry", name_vi="Tỷ lệ biến động nhập bằng thiết bị di động",
    name_en="Share of changes entered on mobile devices", unit="share", stage="indicators",
    higher_is_better=True,
    description_en="Events entered on a mobile device over events whose entry channel is known.")
