"""The quality-rule catalogue (``popqa.checks``).

Each rule is data (id, dimension, severity, table, Vietnamese and English
messages) plus one vectorised function over whole tables; :func:`run_checks`
runs every rule whose tables are present and returns the findings table of
the data contract; :func:`summarise` counts findings per rule or unit.
"""

from popqa.checks.base import Rule, reference_date
from popqa.checks.config import LEGAL_DEADLINES, ChecksConfig
from popqa.checks.engine import catalogue, empty_findings, run_checks, summarise

__all__ = [
    "ChecksConfig",
    "LEGAL_DEADLINES",
    "Rule",
    "catalogue",
    "run_checks",
    "summarise",
    "empty_findings",
    "reference_date",
]
