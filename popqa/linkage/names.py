"""Vietnamese personal names for matching: normalised, folded and split.

A Vietnamese name is written "Họ đệm tên": surname (họ) first, then zero or
more middle names (tên đệm), then the given name (tên). Registers receive the
same name with diacritics, without them (keyboards without a Vietnamese input
method), decomposed into base letter + combining marks (NFD, from some
Apple and web forms), in upper case, or with the middle name dropped. Every
function here works on a whole pandas Series at once.

Examples
--------
>>> s = pd.Series(["Nguyễn Văn  Đức", "NGUYEN VAN DUC", None])
>>> fold(s).tolist()
['nguyen van duc', 'nguyen van duc', <NA>]
>>> split_name(fold(s)).loc[0].tolist()
['nguyen', 'van', 'duc']
"""

from __future__ import annotations

import pandas as pd

__all__ = ["normalise", "fold", "split_name", "has_diacritics"]

_COMBINING = r"[\u0300-\u036f]"


def _as_string(s: pd.Series) -> pd.Series:
    return pd.Series(s, copy=False).astype("string")


def normalise(s: pd.Series) -> pd.Series:
    """NFC, lower case and single spaces; diacritics are kept.

    Parameters
    ----------
    s : Series of names (any Unicode normal form, any case).

    Returns
    -------
    Series of dtype ``string``; empty names become missing.

    Examples
    --------
    >>> import unicodedata
    >>> nfd = unicodedata.normalize("NFD", "Trần Thị Ánh")
    >>> normalise(pd.Series([nfd, " TRẦN  THỊ ÁNH "])).tolist()
    ['trần thị ánh', 'trần thị ánh']
    """
    out = _as_string(s).str.normalize("NFC").str.lower().str.normalize("NFC")
    out = out.str.replace(r"[^\w\s]", " ", regex=True).str.replace(r"[\s_]+", " ", regex=True).str.strip()
    return out.mask(out == "")


def fold(s: pd.Series) -> pd.Series:
    """Diacritic-free, lower-case form: NFD, combining marks dropped, đ to d.

    Examples
    --------
    >>> fold(pd.Series(["Đặng Thị Hằng", "dang thi hang"])).tolist()
    ['dang thi hang', 'dang thi hang']
    """
    out = normalise(s).str.normalize("NFD").str.replace(_COMBINING, "", regex=True)
    return out.str.replace("đ", "d", regex=False)


def has_diacritics(s: pd.Series) -> pd.Series:
    """True where the normalised name differs from its folded form.

    Examples
    --------
    >>> has_diacritics(pd.Series(["Lê Văn Tám", "Le Van Tam", None])).tolist()
    [True, False, <NA>]
    """
    n = normalise(s)
    return (n != fold(n)).astype("boolean")


def split_name(folded: pd.Series) -> pd.DataFrame:
    """Split names into surname (first word), middle (inner words) and given (last word).

    A one-word name has only a given name. Middle is missing when there is none.

    Examples
    --------
    >>> split_name(pd.Series(["tran thi ngoc anh", "le an", "hoa"])).fillna("-").to_dict("list")
    {'surname': ['tran', 'le', '-'], 'middle': ['thi ngoc', '-', '-'], 'given': ['anh', 'an', 'hoa']}
    """
    s = _as_string(folded)
    parts = s.str.split(" ", n=1)
    first = parts.str[0]
    rest = parts.str[1]
    many = rest.notna()
    given = s.str.rsplit(" ", n=1).str[-1]
    middle = rest.str.rsplit(" ", n=1).str[0].where(rest.str.contains(" ", regex=False))
    out = pd.DataFrame(
        {
            "surname": first.where(many).astype("string"),
            "middle": middle.astype("string"),
            "given": given.astype("string"),
        },
        index=s.index,
    )
    return out

