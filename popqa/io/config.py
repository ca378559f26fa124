"""Settings of the readers (the ``read:`` section of the configuration)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from popqa.io.readers import MISSING_TOKENS, ReadOptions

__all__ = ["ReadConfig"]


class ReadConfig(BaseModel):
    """How the readers treat what a file does not say (see :class:`popqa.io.ReadOptions`).

    Examples
    --------
    >>> ReadConfig(bad_rows="set_aside").options().bad_rows
    'set_aside'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    dayfirst: bool = Field(True, description="order of a date column in which no value tells day from month "
                                             "(day first in Vietnam)")
    date_tolerance: float = Field(0.01, ge=0, lt=0.5, description="share of a date column's decided values that "
                                                                  "may contradict its order before it is contradictory")
    missing_tokens: tuple[str, ...] = Field(MISSING_TOKENS, description="cell texts read as missing")
    bad_rows: str = Field("error", description="error: stop at a malformed row (file and row named); "
                                              "set_aside: set it aside, report it and read the rest")

    @field_validator("bad_rows")
    @classmethod
    def _bad_rows(cls, v: str) -> str:
        if v not in ("error", "set_aside"):
            raise ValueError("must be 'error' or 'set_aside'")
        return v

    def options(self) -> ReadOptions:
        return ReadOptions(dayfirst=self.dayfirst, date_tolerance=self.date_tolerance,
                           missing_tokens=tuple(self.missing_tokens), bad_rows=self.bad_rows)
