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

import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["normalise", "fold", "split_name", "has_diacritics", "COMMON_GIVEN", "known_given"]

# Arrow-backed text: every step below is one vectorised Arrow compute kernel (RE2 regular
# expressions; \p{..} classes because RE2's \w and \s are ASCII only).
_STR = pd.StringDtype("pyarrow")
_NULL = pa.scalar(None, pa.string())


def _as_string(s: pd.Series) -> pd.Series:
    return pd.Series(s, copy=False).astype(_STR)


def _arrow(s: pd.Series) -> pa.ChunkedArray:
    arr = pa.array(_as_string(s).array)
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def _series(arr: pa.ChunkedArray, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=index, dtype=_STR)


#: Common Vietnamese given names (tên) as written, NFC lower case with their tone marks. Two
#: records of one household and one birth date whose given names are both real names and
#: differ are twins, not a typo: a typo rarely produces another real name *with its tone
#: marks* ("Hoa" typed "Hao" is not "Hảo"). The register's own frequent names add to this
#: list (see :func:`known_given`).
COMMON_GIVEN = frozenset(unicodedata.normalize("NFC", w) for w in """
an anh bảo bích bình cẩm châu chi chính công cúc cường dân đào đạt diễm điền điệp diệu định
đông đức dũng dung dương duy duyên gia giang hà hải hân hằng hạnh hảo hậu hiền hiển hiệp hiếu
hoa hòa hoà hoài hoàn hoàng hồng huệ hùng hưng hương hường huy huyền kha khải khang khánh
khiêm khoa khôi khuê kiên kiệt kiều kim lâm lan lập lệ liên liễu linh loan lộc lợi long luân
lực lương ly lý mai mạnh minh my mỹ na nam nga ngân nghĩa ngọc nguyên nguyệt nhàn nhân nhật nhi
nhiên như nhung oanh phát phong phú phúc phụng phước phương quân quang quốc quý quyên quyền
quỳnh sang sáng sơn tài tâm tân thái thắm thắng thành thanh thảo thiện thịnh thơ thoa thu
thuận thủy thuỷ thúy thuý thùy thuỳ thương tiên tiến tín toàn trang trâm trí trinh trúc trung
trường tú tuấn tùng tường tuyền tuyết uyên vân việt vinh vũ vy xuân ý yến
""".split())


def known_given(given: pd.Series, *, bare: pd.Series | None = None, min_share: float = 1 / 5000,
                min_count: int = 3) -> pd.Series:
    """True where a given name, as written (NFC lower case with its tone marks), is a common one:
    in :data:`COMMON_GIVEN`, or borne by at least ``min_share`` of the records (and at least
    ``min_count``). Where ``bare`` is True (the whole name was typed without diacritics) the
    letters are enough: the folded name of a common name counts.

    Examples
    --------
    >>> known_given(pd.Series(["hân", "hà", "hao", "dũgn", None])).tolist()
    [True, True, False, False, False]
    >>> known_given(pd.Series(["hao"]), bare=pd.Series([True])).tolist()
    [True]
    >>> known_given(pd.Series([None, None], dtype="string")).tolist()
    [False, False]
    """
    g = pd.Series(given, copy=False).astype(_STR)
    # counted and folded once per distinct name (a province has a few thousand given names)
    codes, uniq = pd.factorize(g, use_na_sentinel=True)
    names = pd.Series(uniq, dtype=_STR)
    counts = np.bincount(codes[codes >= 0], minlength=len(names))
    least = max(min_count, min_share * int((codes >= 0).sum()))
    common_u = (names.isin(COMMON_GIVEN) | (counts >= least)).to_numpy(dtype=bool)
    if bare is not None:
        folded = fold(names)
        fcodes, funiq = pd.factorize(folded, use_na_sentinel=True)
        fcounts = np.bincount(fcodes[fcodes >= 0], weights=counts[fcodes >= 0], minlength=len(funiq))
        by_letters_u = (folded.isin(_COMMON_FOLDED).to_numpy(dtype=bool)
                        | np.where(fcodes >= 0, fcounts[np.maximum(fcodes, 0)] >= least, False))
    rows = np.maximum(codes, 0)
    if not len(names):  # no given name at all
        return pd.Series(False, index=g.index, dtype=bool)
    common = np.where(codes >= 0, common_u[rows], False)
    if bare is not None:
        by_letters = np.where(codes >= 0, by_letters_u[rows], False)
        common = common | (pd.Series(bare, index=g.index).astype("boolean").fillna(False).to_numpy(dtype=bool) & by_letters)
    return pd.Series(common, index=g.index, dtype=bool)


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
    s = pd.Series(s, copy=False)
    a = pc.utf8_normalize(pc.utf8_lower(pc.utf8_normalize(_arrow(s), "NFC")), "NFC")
    a = pc.replace_substring_regex(a, r"[^\p{L}\p{M}\p{N}\s\p{Z}_]", " ")
    a = pc.utf8_trim_whitespace(pc.replace_substring_regex(a, r"[\s\p{Z}_]+", " "))
    return _series(pc.if_else(pc.equal(a, ""), _NULL, a), s.index)


def fold(s: pd.Series) -> pd.Series:
    """Diacritic-free, lower-case form: NFD, combining marks dropped, đ to d.

    Examples
    --------
    >>> fold(pd.Series(["Đặng Thị Hằng", "dang thi hang"])).tolist()
    ['dang thi hang', 'dang thi hang']
    """
    s = pd.Series(s, copy=False)
    a = pc.utf8_normalize(_arrow(normalise(s)), "NFD")
    a = pc.replace_substring(pc.replace_substring_regex(a, r"\p{Mn}", ""), "đ", "d")
    return _series(a, s.index)


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
    s = pd.Series(folded, copy=False)
    a = _arrow(s)
    many = pc.fill_null(pc.match_substring(a, " "), False)
    parts = pc.extract_regex(a, r"^(?P<surname>\S+) (?:(?P<middle>.+) )?(?P<given>\S+)$")
    surname = pc.if_else(many, pc.struct_field(parts, [0]), _NULL)
    middle = pc.struct_field(parts, [1])
    middle = pc.if_else(pc.fill_null(pc.equal(middle, ""), False), _NULL, middle)
    given = pc.if_else(many, pc.struct_field(parts, [2]), a)
    out = pd.DataFrame(
        {
            "surname": _series(surname, s.index),
            "middle": _series(middle, s.index),
            "given": _series(given, s.index),
        },
        index=s.index,
    )
    return out




#: the common names' letters without tone marks, for names typed without diacritics
_COMMON_FOLDED = frozenset(fold(pd.Series(sorted(COMMON_GIVEN))).tolist())
