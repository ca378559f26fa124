"""Readers for messy register exports: encodings, types, the :class:`Register`."""

from popqa.io.encodings import decode_bytes
from popqa.io.readers import coerce_table, read_table
from popqa.io.register import Register, read_register

__all__ = ["Register", "coerce_table", "decode_bytes", "read_register", "read_table"]
