"""Decode bytes of Vietnamese text files to Unicode NFC.

Detects UTF-8 (with or without BOM) and Windows-1258, and converts the legacy
TCVN3 (ABC) and VNI encodings. (The TCVN3/VNI tables are completed by the io
work; see tests/io/test_encodings.py.)
"""

from __future__ import annotations

import unicodedata

from popqa.errors import InputError

__all__ = ["decode_bytes"]


def decode_bytes(data: bytes, *, source: str = "") -> str:
    """Decode file bytes to NFC text, detecting the encoding.

    >>> decode_bytes("Nguyễn".encode("utf-8-sig"))
    'Nguyễn'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return unicodedata.normalize("NFC", data[3:].decode("utf-8"))
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise InputError("unknown text encoding", file=source or None) from exc
