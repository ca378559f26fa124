"""popqa.scorecard: findings and linkage results -> scores and grades per unit.

See :mod:`popqa.scorecard.core` for the scoring method.
"""

from popqa.scorecard.config import Bands, ScorecardConfig
from popqa.scorecard.core import (
    HEADLINE_COLUMNS,
    INSUFFICIENT,
    LEVEL_COLUMNS,
    LEVELS,
    SCORECARD_COLUMNS,
    add_trend,
    compute_scorecard,
    dqr_rollup,
    fail_threshold,
    grade,
    record_units,
    units_failing,
)

__all__ = [
    "Bands",
    "ScorecardConfig",
    "HEADLINE_COLUMNS",
    "INSUFFICIENT",
    "LEVELS",
    "LEVEL_COLUMNS",
    "SCORECARD_COLUMNS",
    "add_trend",
    "compute_scorecard",
    "dqr_rollup",
    "fail_threshold",
    "grade",
    "record_units",
    "units_failing",
]
