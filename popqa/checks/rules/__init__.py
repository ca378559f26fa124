"""The rule modules; importing this package fills :data:`popqa.checks.base.RULES`.

``events``, ``household``, ``units`` and ``validity`` hold the rules the check
engine runs; ``linkage``, ``coverage`` and ``reconcile`` declare the rules whose
findings other stages produce (deduplication, comparison with administrative
sources, dual-system and survey estimates).
"""

from popqa.checks.rules import coverage, events, household, linkage, reconcile, units, validity  # noqa: F401
