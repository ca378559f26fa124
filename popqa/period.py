"""The one parser and validator of a reporting period, ``YYYY-MM``.

Every command and function that takes a period parses it here, before any
work starts, so ``2026-13``, ``2026/10``, ``10-2026``, ``2026-1`` and
``9999-12`` are one clear error, not a traceback fourteen seconds later.

Examples
--------
>>> p = Period.parse("2026-10")
>>> str(p), p.year, p.month, str(p.previous()), p.start.date(), p.end.date()
('2026-10', 2026, 10, '2026-09', datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
>>> Period.parse("2026-1")
Traceback (most recent call last):
...
popqa.period.PeriodError: period must be YYYY-MM (four-digit year, two-digit month 01-12), got '2026-1'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from popqa.errors import PopqaError

__all__ = ["Period", "PeriodError", "parse_period", "is_period", "MIN_YEAR", "MAX_YEAR"]

#: Years a register export can belong to (the MIS started in the 2000s; 2100 is far enough ahead).
MIN_YEAR = 1950
MAX_YEAR = 2100
_PATTERN = re.compile(r"^([0-9]{4})-([0-9]{2})$")


class PeriodError(PopqaError, ValueError):
    """A period that is not ``YYYY-MM`` or lies outside the years popqa accepts."""


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, the unit of a monthly register export."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (MIN_YEAR <= self.year <= MAX_YEAR):
            raise PeriodError(f"period year must be between {MIN_YEAR} and {MAX_YEAR}, got {self.year}")
        if not (1 <= self.month <= 12):
            raise PeriodError(f"period month must be 01-12, got {self.month:02d}")

    @classmethod
    def parse(cls, text: Any) -> Period:
        """Parse ``YYYY-MM`` strictly (a :class:`Period` passes through)."""
        if isinstance(text, Period):
            return text
        s = str(text).strip() if text is not None else ""
        m = _PATTERN.match(s)
        if not m:
            raise PeriodError(
                f"period must be YYYY-MM (four-digit year, two-digit month 01-12), got {text!r}")
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"period month must be 01-12, got {text!r}")
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def start(self) -> pd.Timestamp:
        """First day of the month."""
        return pd.Timestamp(self.year, self.month, 1)

    @property
    def end(self) -> pd.Timestamp:
        """Last day of the month (the reference date of an export)."""
        return (self.start + pd.offsets.MonthEnd(0)).normalize()

    def shift(self, months: int) -> Period:
        """The period ``months`` later (earlier when negative)."""
        i = self.year * 12 + (self.month - 1) + months
        return Period(i // 12, i % 12 + 1)

    def previous(self) -> Period:
        return self.shift(-1)


def parse_period(text: Any) -> Period:
    """:meth:`Period.parse` as a function (an ``argparse`` type)."""
    return Period.parse(text)


def is_period(text: str) -> bool:
    """Whether ``text`` is a valid period (used to recognise period folders).

    >>> is_period("2026-10"), is_period(".staging"), is_period("2026-13")
    (True, False, False)
    """
    try:
        Period.parse(text)
    except PeriodError:
        return False
    return True
