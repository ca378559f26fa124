"""Readers for messy register exports: encodings, types, the :class:`Register` and its read report."""

from popqa.io.encodings import decode_bytes
from popqa.io.readers import ReadOptions, coerce_table, read_table, read_table_report
from popqa.io.register import Register, read_register

__all__ = [
    "ReadOptions",
    "Register",
    "coerce_table",
    "decode_bytes",
    "read_register",
    "read_table",
    "read_table_report",
]
