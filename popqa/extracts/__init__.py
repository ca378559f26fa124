"""Data-sharing extracts: the lists other agencies ask the population register for, with quality flags.

``build_extract`` makes one extract in memory (several kinds of one register from one
``extract_basis``); ``extract`` makes and writes it
(``<kind>.csv``, one XLSX per commune, ``summary.json``, a line of the sharing
log). See ``docs/extracts.md``.
"""

from __future__ import annotations

from popqa.extracts.build import (
    EXTRACT_COLUMNS,
    NAMED_FLAGS,
    ExtractBasis,
    ExtractParams,
    ExtractTable,
    build_extract,
    extract_basis,
    extract_params,
)
from popqa.extracts.kinds import KINDS, eligibility

__all__ = ["KINDS", "EXTRACT_COLUMNS", "NAMED_FLAGS", "ExtractParams", "ExtractTable", "ExtractBasis", "build_extract",
           "extract_basis", "extract_params", "eligibility", "extract", "ExtractResult"]


def __getattr__(name: str):
    if name in ("extract", "ExtractResult"):
        from popqa.extracts import write

        return getattr(write, name)
    raise AttributeError(f"module 'popqa.extracts' has no attribute {name!r}")
