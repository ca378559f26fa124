"""Labour-market indicators of Decision 176/QĐ-TTg (``popqa.labour``).

:func:`indicators` estimates the program's survey indicators (unemployment,
trained share, agriculture share, NEET, youth unemployment and underemployment,
social-insurance shares, IT skills) from labour-force survey microdata as ratios
of weighted totals on the survey design, with intervals and the status against
the 2025 and 2030 targets; :func:`table_indicators` reads the ones the LFS
cannot give from the province's own table; :func:`insurance_gap` counts
working-age register persons absent from social insurance, by commune;
:func:`labour_stage` is the audit stage. See ``docs/labour.md``.

Examples
--------
>>> LabourConfig().targets["neet_rate"].target_2025
0.08
"""

from popqa.labour.config import DEFAULT_TARGETS, LabourConfig, Target
from popqa.labour.estimate import age_group, indicators, table_indicators, working_age
from popqa.labour.stage import indicator_rows_of, insurance_gap, labour_stage, read_province_table

__all__ = [
    "LabourConfig",
    "Target",
    "DEFAULT_TARGETS",
    "indicators",
    "table_indicators",
    "working_age",
    "age_group",
    "insurance_gap",
    "indicator_rows_of",
    "read_province_table",
    "labour_stage",
]
