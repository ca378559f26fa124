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
register("late_share", name_vi="Tỷ lệ biến động cập nhật chậm", name_en="Share of events recorded late",
         unit="share", stage="indicators", higher_is_better=False,
         description_en="Events recorded after their deadline over events with both dates known.")
register("median_lag_days", name_vi="Số ngày cập nhật (trung vị)", name_en="Median days from event to record",
         unit="count", stage="indicators", higher_is_better=False,
         description_en="Median of recorded_date - event_date over events with both dates known.")
register("duplicate_per_1000", name_vi="Bản ghi trùng trên 1.000 nhân khẩu",
         name_en="Duplicate person records per 1,000 persons", unit="per_1000", stage="indicators",
         higher_is_better=False,
         description_en="Person records that duplicate another record of the same person (every member of a "
                        "duplicate cluster but one) per 1,000 person records.")
register("source_linked_share", name_vi="Tỷ lệ bản ghi nguồn tìm thấy trong sổ dân cư",
         name_en="Share of source records found in the register", unit="share", stage="indicators",
         source="linkage", higher_is_better=True,
         description_en="Records of an administrative source (group source=...) linked to a register person "
                        "over the source's records in the unit.")

