"""Errors popqa raises for bad input: one clear message naming file, row and column."""

from __future__ import annotations

__all__ = ["PopqaError", "InputError"]


class PopqaError(Exception):
    """Base class of popqa's own errors."""


class InputError(PopqaError, ValueError):
    """An input file cannot be used as it is.

    The message names the file and, where they apply, the row (1-based, as a
    spreadsheet shows it, header = row 1) and the column.

    Examples
    --------
    >>> str(InputError("missing required column", file="persons.csv", column="sex"))
    'persons.csv: column sex: missing required column'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.reason = message
        where = []
        if file:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column {column}")
        super().__init__(": ".join(where + [message]) if where else message)
