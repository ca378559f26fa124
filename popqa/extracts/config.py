"""The ``extracts:`` section of the configuration: which extracts ``popqa run`` makes each month.

Examples
--------
>>> cfg = ExtractsConfig(kinds=["under6", "voters"], out="/srv/extracts")
>>> cfg.kinds, cfg.enabled
(('under6', 'voters'), True)
>>> ExtractsConfig().enabled
False
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["ExtractsConfig"]

Kind = Literal["school_entry", "under6", "immunization", "voters", "military_registration", "military_service"]


class ExtractsConfig(BaseModel):
    """Settings of :func:`popqa.extracts.stage.extracts_stage` (no kinds: no extract is made)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: tuple[Kind, ...] = Field((), description="the extracts to make each audit (none by default)")
    out: str | None = Field(
        None, description="extracts folder; each period's extracts go to <out>/<period>/ (personal data: "
                          "never inside the results store or the site)")
    as_of: date | None = Field(None, description="reference date (default the export date, the period's last day)")
    school_year: int | None = Field(
        None, ge=1900, le=2200,
        description="school_entry: school year starting in September (default: the next after June)")
    election_date: date | None = Field(None, description="voters: election date (default the reference date)")
    lang: Literal["vi", "en"] | None = Field(None, description="workbook language (default the report language)")
    collapse_at: float | None = Field(
        None, gt=0, le=1,
        description="one row per person only where the deduplication linked the records at this probability or "
                    "more (e.g. 0.99); records linked below it are listed apart, flagged possible_duplicate "
                    "(default: the linkage's clusters as they are)")

    @model_validator(mode="after")
    def _out_with_kinds(self) -> ExtractsConfig:
        if self.kinds and not self.out:
            raise ValueError("extracts.out is required when extracts.kinds is set")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.kinds) and bool(self.out)
