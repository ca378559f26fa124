"""popqa.scorecard: findings and linkage results -> scores and grades per unit.

See :mod:`popqa.scorecard.core` for the scoring method.
"""

from popqa.scorecard.config import Bands, ScorecardConfig
from popqa.scorecard.core import (
    LEVEL_COLUMNS,
    LEVELS,
    SCORECARD_COLUMNS,
    add_trend,
    compute_scorecard,
    dqr_rollup,
    grade,
    record_units,
)

__all__ = [
    "Bands",
    "ScorecardConfig",
    "LEVELS",
    "LEVEL_COLUMNS",
    "SCORECARD_COLUMNS",
    "add_trend",
    "compute_scorecard",
    "dqr_rollup",
    "grade",
    "record_units",
]
