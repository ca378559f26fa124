"""Reconciliation: how complete the register is, measured against other sources.

Dual-system estimators (:func:`petersen`, :func:`chapman`, :func:`bailey`,
:func:`dse_table`) and the coverage of the register's births and deaths,
residents and insurance participants per unit (:mod:`popqa.reconcile.coverage`),
written as indicator rows and coverage findings by :func:`reconcile_stage`.

Examples
--------
>>> round(chapman(948, 421, 167).estimate)   # Krebs (1989), Box 2.1
2383
"""

from popqa.reconcile.config import ReconcileConfig
from popqa.reconcile.coverage import (
    EventCoverage,
    event_coverage,
    insurance_coverage,
    resident_coverage,
)
from popqa.reconcile.dse import DSEResult, bailey, chapman, dse_table, petersen
from popqa.reconcile.stage import reconcile_stage

__all__ = [
    "ReconcileConfig",
    "DSEResult",
    "petersen",
    "chapman",
    "bailey",
    "dse_table",
    "EventCoverage",
    "event_coverage",
    "resident_coverage",
    "insurance_coverage",
    "reconcile_stage",
]
