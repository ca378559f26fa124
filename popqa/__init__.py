"""popqa: data quality and survey analysis for population and labour-market registers.

The public facade re-exports the few names users need: reading a register
(``read_register``), running the rules (``run_checks``), the whole audit
(``audit``, ``report``, ``run``) and the scorecard (``compute_scorecard``,
``record_units``, ``dqr_rollup``, ``units_failing``, ``grade``). The stages live in
``popqa.io``, ``popqa.geo``, ``popqa.synth``, ``popqa.schemas``, ``popqa.checks``,
``popqa.linkage``, ``popqa.scorecard`` and ``popqa.reporting``. Heavy modules
are imported lazily, on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module that defines it (imported on first access)
_LAZY = {
    "Register": "popqa.io",
    "read_register": "popqa.io",
    "read_table": "popqa.io",
    "Config": "popqa.config",
    "load_config": "popqa.config",
    "InputError": "popqa.errors",
    "generate_province": "popqa.synth",
    "run_checks": "popqa.checks",
    "dedupe": "popqa.linkage",
    "link": "popqa.linkage",
    "audit": "popqa.pipeline",
    "report": "popqa.pipeline",
    "run": "popqa.pipeline",
    "Period": "popqa.period",
    "ScorecardConfig": "popqa.scorecard",
    "record_units": "popqa.scorecard",
    "compute_scorecard": "popqa.scorecard",
    "grade": "popqa.scorecard",
    "dqr_rollup": "popqa.scorecard",
    "units_failing": "popqa.scorecard",
    "add_trend": "popqa.scorecard",
    "extract": "popqa.extracts",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'popqa' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
