"""Errors popqa raises for bad input: one clear message naming file, row and column."""

from __future__ import annotations

__all__ = ["PopqaError", "InputError", "ConfigError", "OutputError"]


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


class ConfigError(PopqaError, ValueError):
    """A configuration file or value that cannot be used; the message names the file and the key.

    Examples
    --------
    >>> str(ConfigError("unknown key", file="popqa.yaml", key="checks.late_dayz"))
    'popqa.yaml: checks.late_dayz: unknown key'
    """

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        self.file, self.key, self.reason = file, key, message
        super().__init__(": ".join([p for p in (file, key) if p] + [message]))


class OutputError(PopqaError, OSError):
    """An output folder or file that cannot be written (not a folder, no permission, disk full).

    Examples
    --------
    >>> str(OutputError("is a file, not a folder", path="out/results"))
    'out/results: is a file, not a folder'
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path, self.reason = path, message
        super().__init__(f"{path}: {message}" if path else message)
