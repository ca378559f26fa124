"""The quality-rule catalogue (``popqa.checks``).

Each rule is data (id, dimension, severity, table, Vietnamese and English
messages, the recommended action for the person who fixes it, the settings it
reads) plus, for the rules the engine runs, one vectorised function over whole
tables. :func:`catalogue` lists every rule that can appear in findings,
including the linkage (L) and coverage (X) families that other stages compute;
:func:`get_rule` looks one up; :func:`run_checks` runs the engine's rules and
returns the findings table of the data contract; :func:`coverage_findings`
turns links to administrative sources into X findings; :func:`summarise`
counts findings per rule or unit.
"""

from popqa.checks.base import Rule, get_rule, reference_date
from popqa.checks.config import LEGAL_DEADLINES, ChecksConfig
from popqa.checks.coverage import coverage_findings
from popqa.checks.engine import catalogue, empty_findings, run_checks, summarise

__all__ = [
    "ChecksConfig",
    "LEGAL_DEADLINES",
    "Rule",
    "catalogue",
    "get_rule",
    "coverage_findings",
    "run_checks",
    "summarise",
    "empty_findings",
    "reference_date",
]
