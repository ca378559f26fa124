"""Decode the bytes of Vietnamese text files to Unicode NFC.

Old Vietnamese spreadsheets and CSV exports still arrive in legacy encodings:

``utf-8`` / ``utf-8-sig``
    Unicode, with or without a byte-order mark. Text typed in decomposed form
    (NFD: a base letter followed by combining marks) is recomposed to NFC.
``utf-16``
    Excel's "Unicode Text" (tab-separated, UTF-16 little-endian with a
    byte-order mark); UTF-16 without a mark is recognised by its zero bytes.
``cp1258``
    Windows-1258: a base letter followed by a combining tone mark.
``tcvn3``
    TCVN 5712:1993 "ABC" (the .VnTime fonts): one byte per lower-case
    letter; upper-case letters with a tone are drawn by the ``...H`` fonts with
    the lower-case codes, so an all-capitals word is re-capitalised whole.
``vni``
    VNI-Windows: a base letter followed by a mark byte (``a`` + ``ø`` = ``à``).

:func:`decode_bytes` tries UTF-8 first, then scores the legacy candidates by
how many of their words are well-formed Vietnamese syllables, and raises an
:class:`~popqa.errors.InputError` when none reads as Vietnamese.

Examples
--------
>>> decode_bytes(encode("Nguyễn Thị Hồng", "tcvn3"))
'Nguyễn Thị Hồng'
>>> decode_bytes(encode("Trần Văn Đức", "vni"))
'Trần Văn Đức'
>>> decode_bytes(encode("Lê Thị Ánh", "cp1258"))
'Lê Thị Ánh'
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from popqa.errors import InputError

__all__ = ["decode_bytes", "decode_text", "decode", "encode", "detect_encoding", "syllable_score", "LEGACY_ENCODINGS"]

LEGACY_ENCODINGS = ("cp1258", "tcvn3", "vni")

# --- TCVN3 (ABC) -------------------------------------------------------------
# Unicode letter -> TCVN3 byte, for the letters of the .VnTime (lower-case) fonts
# and the seven upper-case letters with a shape mark that TCVN3 encodes apart.
_TCVN3_PAIRS = {
    "à": 0xB5, "á": 0xB8, "ả": 0xB6, "ã": 0xB7, "ạ": 0xB9,
    "ă": 0xA8, "ằ": 0xBB, "ắ": 0xBE, "ẳ": 0xBC, "ẵ": 0xBD, "ặ": 0xC6,
    "â": 0xA9, "ầ": 0xC7, "ấ": 0xCA, "ẩ": 0xC8, "ẫ": 0xC9, "ậ": 0xCB,
    "đ": 0xAE, "è": 0xCC, "é": 0xD0, "ẻ": 0xCE, "ẽ": 0xCF, "ẹ": 0xD1,
    "ê": 0xAA, "ề": 0xD2, "ế": 0xD5, "ể": 0xD3, "ễ": 0xD4, "ệ": 0xD6,
    "ì": 0xD7, "í": 0xDD, "ỉ": 0xD8, "ĩ": 0xDC, "ị": 0xDE,
    "ò": 0xDF, "ó": 0xE3, "ỏ": 0xE1, "õ": 0xE2, "ọ": 0xE4,
    "ô": 0xAB, "ồ": 0xE5, "ố": 0xE8, "ổ": 0xE6, "ỗ": 0xE7, "ộ": 0xE9,
    "ơ": 0xAC, "ờ": 0xEA, "ớ": 0xED, "ở": 0xEB, "ỡ": 0xEC, "ợ": 0xEE,
    "ù": 0xEF, "ú": 0xF3, "ủ": 0xF1, "ũ": 0xF2, "ụ": 0xF4,
    "ư": 0xAD, "ừ": 0xF5, "ứ": 0xF8, "ử": 0xF6, "ữ": 0xF7, "ự": 0xF9,
    "ỳ": 0xFA, "ý": 0xFD, "ỷ": 0xFB, "ỹ": 0xFC, "ỵ": 0xFE,
    "Ă": 0xA1, "Â": 0xA2, "Đ": 0xA7, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6,
}  # fmt: skip
_TCVN3_DECODE = {b: ch for ch, b in _TCVN3_PAIRS.items()}
# str.translate tables (C speed): bytes read as Latin-1, then TCVN3 letters put in place;
# bytes 0x80-0x9F that TCVN3 leaves alone read as Windows-1252 does.
_TCVN3_TRANSLATE = {
    b: bytes([b]).decode("cp1252", errors="replace") for b in range(0x80, 0xA0)
} | dict(_TCVN3_DECODE)
_TCVN3_ENCODE = str.maketrans(
    {ch: chr(b) for ch, b in _TCVN3_PAIRS.items()}
    | {ch.upper(): chr(b) for ch, b in _TCVN3_PAIRS.items() if ch.upper() not in _TCVN3_PAIRS}
)

# --- VNI-Windows ---------------------------------------------------------------
# Mark bytes (as their cp1252 characters) that follow a base vowel.
_VNI_TONE_LOWER = {"\u0300": "ø", "\u0301": "ù", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_TONE_UPPER = {"\u0300": "Ø", "\u0301": "Ù", "\u0309": "Û", "\u0303": "Õ", "\u0323": "Ï"}
# With a circumflex (â ê ô) the tone marks are other bytes.
_VNI_CIRC_LOWER = {"": "â", "\u0300": "à", "\u0301": "á", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_CIRC_UPPER = {"": "Â", "\u0300": "À", "\u0301": "Á", "\u0309": "Å", "\u0303": "Ã", "\u0323": "Ä"}
# With a breve (ă).
_VNI_BREVE_LOWER = {"": "ê", "\u0300": "è", "\u0301": "é", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_BREVE_UPPER = {"": "Ê", "\u0300": "È", "\u0301": "É", "\u0309": "Ú", "\u0303": "Ü", "\u0323": "Ë"}
# Letters VNI draws as a single byte.
_VNI_SINGLE = {
    "đ": "ñ", "Đ": "Ñ", "ơ": "ô", "Ơ": "Ô", "ư": "ö", "Ư": "Ö",
    "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "Ì": "Ì", "Í": "Í", "Ỉ": "Æ", "Ĩ": "Ó", "Ị": "Ò",
    "ỵ": "î", "Ỵ": "Î",
}  # fmt: skip

_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_SHAPES = ("\u0302", "\u0306", "\u031b")  # circumflex, breve, horn


def _vni_of(ch: str) -> str:
    """VNI byte sequence (as cp1252 characters) of one Unicode letter."""
    if ch in _VNI_SINGLE:
        return _VNI_SINGLE[ch]
    d = unicodedata.normalize("NFD", ch)
    base, marks = d[0], d[1:]
    if not marks or not base.isalpha():
        return ch
    tone = next((m for m in marks if m in _TONES), "")
    shape = next((m for m in marks if m in _SHAPES), "")
    upper = base.isupper()
    if shape == "\u031b":  # horn: ơ ư with a tone
        head = _VNI_SINGLE[unicodedata.normalize("NFC", base + shape)]
        return head + ((_VNI_TONE_UPPER if upper else _VNI_TONE_LOWER)[tone] if tone else "")
    if shape == "\u0302":
        return base + (_VNI_CIRC_UPPER if upper else _VNI_CIRC_LOWER)[tone]
    if shape == "\u0306":
        return base + (_VNI_BREVE_UPPER if upper else _VNI_BREVE_LOWER)[tone]
    if base in "iI":
        return _VNI_SINGLE[unicodedata.normalize("NFC", base + tone)]
    if base in "yY" and tone == "\u0323":
        return _VNI_SINGLE["Ỵ" if upper else "ỵ"]
    return base + (_VNI_TONE_UPPER if upper else _VNI_TONE_LOWER)[tone]


def _vni_table() -> dict[str, str]:
    letters = set()
    for base in "aeiouyAEIOUY":
        for shape in ("", *_SHAPES):
            for tone in ("", *_TONES):
                c = unicodedata.normalize("NFC", base + shape + tone)
                if len(c) == 1 and c != base:
                    letters.add(c)
    letters |= {"đ", "Đ"}
    return {c: _vni_of(c) for c in sorted(letters)}


_VNI_ENCODE = _vni_table()
# Decode longest sequences first so "aø" wins over "a".
_VNI_DECODE = {v: k for k, v in sorted(_VNI_ENCODE.items(), key=lambda kv: kv[0])}
_VNI_RE = re.compile("|".join(re.escape(s) for s in sorted(_VNI_DECODE, key=len, reverse=True)))


def encode(text: str, encoding: str) -> bytes:
    """Encode Unicode text in a Vietnamese legacy encoding (for tests and messy-export fixtures).

    >>> encode("Chào", "vni")
    b'Cha\\xf8o'
    """
    text = unicodedata.normalize("NFC", text)
    if encoding == "tcvn3":
        # capital letters with a tone share the lower-case codes (the .VnTimeH fonts)
        return text.translate(_TCVN3_ENCODE).encode("latin-1")
    if encoding == "vni":
        return "".join(_VNI_ENCODE.get(ch, ch) for ch in text).encode("cp1252")
    if encoding == "cp1258":
        return "".join(_cp1258_form(ch) for ch in text).encode("cp1258")
    return text.encode(encoding)


def _cp1258_form(ch: str) -> str:
    """Windows-1258 has the shaped vowels precomposed and tones as combining marks."""
    try:
        ch.encode("cp1258")
        return ch
    except UnicodeEncodeError:
        d = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in d if c in _TONES)
        rest = unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES))
        return rest + tones


def _decode_tcvn3(data: bytes) -> str:
    text = data.decode("latin-1").translate(_TCVN3_TRANSLATE)
    # All-capitals words (the .VnTimeH fonts) come back with lower-case toned letters.
    text = _TWO_CAPITALS.sub(lambda m: m.group(0).upper() if _mostly_upper(m.group(0)) else m.group(0), text)
    # A capital toned initial (Á, Ấ, Ố ...) shares its code with the small letter: a word
    # that starts with one is capitalised when it opens a field or follows a capitalised word
    # (Vietnamese names and place names capitalise every word).
    text = _TCVN3_INITIAL.sub(_capitalise_initial, text)
    # A short all-capitals word with one ASCII letter ("VÕ", "HỒ") is missed by the rule above:
    # it is capitalised whole when the word before or after it is in capitals.
    return _ONE_CAPITAL.sub(_capitalise_in_caps, text)


_TWO_CAPITALS = re.compile(r"\w*[A-Z]\w*[A-Z]\w*")
_ONE_CAPITAL = re.compile(r"\b[A-ZĐĂÂÊÔƠƯ][^\x00-\x7f\W]{1,3}\b")


def _capitalise_in_caps(m: re.Match[str]) -> str:
    word = m.group(0)
    if not any(c.islower() for c in word):
        return word
    s, a, b = m.string, m.start(), m.end()
    before = re.search(r"(\w+) $", s[max(0, a - 30) : a])
    after = re.match(r" (\w+)", s[b : b + 30])
    for w in (before, after):
        if w and len(w.group(1)) >= 2 and w.group(1).isupper():
            return word.upper()
    return word

_TCVN3_INITIAL = re.compile(r"(^|[,;\t\n\"]|\s)([^\x00-\x7f\W])", re.MULTILINE)


def _capitalise_initial(m: re.Match[str]) -> str:
    sep, letter = m.group(1), m.group(2)
    if not letter.islower():
        return m.group(0)
    if sep.isspace() and sep not in "\t\n":
        # inside a field: capitalise after a capitalised word, or after a comma, semicolon,
        # colon or opening bracket (address parts: "Tổ 13, Ấp 3, Xã Thạnh Đức")
        before = m.string[max(0, m.start() - 40) : m.start()].rstrip()
        if before.endswith((",", ";", ":", "(")):
            return sep + letter.upper()
        prev = re.search(r"(\w+)$", before)
        if not prev or not prev.group(1)[0].isupper():
            return m.group(0)
    return sep + letter.upper()


def _mostly_upper(word: str) -> bool:
    ascii_letters = [c for c in word if c.isascii() and c.isalpha()]
    return len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters)


def _decode_vni(data: bytes) -> str:
    text = data.decode("cp1252", errors="replace")
    return _VNI_RE.sub(lambda m: _VNI_DECODE[m.group(0)], text)


def decode(data: bytes, encoding: str) -> str:
    """Decode bytes from a named encoding (including ``tcvn3`` and ``vni``) to NFC."""
    if encoding == "tcvn3":
        text = _decode_tcvn3(data)
    elif encoding == "vni":
        text = _decode_vni(data)
    else:
        text = codecs.decode(data, encoding)
    return unicodedata.normalize("NFC", text)


# --- detection -----------------------------------------------------------------
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
_NUCLEI = sorted(
    """a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui uô
    uơ ưa ưi ưu ươ uy yê iêu oai oay oeo uây uôi ươi ươu uya uyê uyu yêu""".split(),
    key=len,
    reverse=True,
)
_SYLLABLE = re.compile(rf"^{_ONSET}(?:{'|'.join(_NUCLEI)})(?:ch|ng|nh|[cmnpt])?$")


def _strip_tone(word: str) -> tuple[str, int]:
    d = unicodedata.normalize("NFD", word)
    tones = sum(1 for c in d if c in _TONES)
    return unicodedata.normalize("NFC", "".join(c for c in d if c not in _TONES)), tones


def syllable_score(text: str) -> float:
    """Share of the words with non-ASCII letters that are well-formed Vietnamese syllables.

    Symbols where letters should be (``µ``, ``¸``) count against the text.

    >>> syllable_score("Nguyễn Thị Hồng") == 1.0
    True
    >>> syllable_score("NguyÔn ThÞ Hång") < 0.5
    True
    """
    words = re.findall(r"[^\s\d,;:.!?()\"'/\\|\-_=+\[\]{}<>]+", text)
    good = bad = 0
    for w in words:
        if w.isascii():
            continue
        if not all(c.isalpha() for c in w):
            bad += 1
            continue
        base, tones = _strip_tone(w.lower())
        if tones <= 1 and _SYLLABLE.match(base):
            good += 1
        else:
            bad += 1
    total = good + bad
    return 1.0 if total == 0 else good / total


def detect_encoding(data: bytes) -> tuple[str, float]:
    """The most likely encoding of ``data`` and its syllable score.

    UTF-8 (with or without BOM) wins whenever the bytes are valid UTF-8.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", 1.0
    utf16 = _utf16(data)
    if utf16:
        return utf16, 1.0
    try:
        data.decode("utf-8")
        return "utf-8", 1.0
    except UnicodeDecodeError:
        pass
    sample = data[:200_000]
    best, best_score = "", -1.0
    for enc in LEGACY_ENCODINGS:
        try:
            text = decode(sample, enc)
        except UnicodeDecodeError:
            continue
        score = syllable_score(text)
        if score > best_score:
            best, best_score = enc, score
    return best, best_score


def _utf16(data: bytes) -> str:
    """``utf-16`` when the bytes carry a UTF-16 byte-order mark, ``utf-16-le``/``-be`` when
    at least 30 % of the first 4,000 bytes are zero and they sit on one side of each pair
    (ASCII text in UTF-16 without a mark), else ``""``."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:4000]
    if len(head) < 4 or head.count(0) < 0.3 * len(head):
        return ""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 4 * max(even, 1):
        return "utf-16-le"
    if even > 4 * max(odd, 1):
        return "utf-16-be"
    return ""


def decode_text(data: bytes, *, source: str = "", min_score: float = 0.6) -> tuple[str, str]:
    """Decode file bytes to NFC text; returns ``(text, encoding)``.

    Raises
    ------
    popqa.errors.InputError
        When no candidate encoding yields Vietnamese text.

    Examples
    --------
    >>> decode_text("Ấp 3;Nguyễn".encode("utf-16"))
    ('Ấp 3;Nguyễn', 'utf-16')
    >>> decode_text(encode("Tổ 13, Ấp 3", "tcvn3"))
    ('Tổ 13, Ấp 3', 'tcvn3')
    """
    enc, score = detect_encoding(data)
    if not enc or score < min_score:
        raise InputError(
            "unknown text encoding (not UTF-8, UTF-16, Windows-1258, TCVN3 or VNI; "
            f"best guess {enc or 'none'} reads {score:.0%} of words as Vietnamese)",
            file=source or None,
        )
    try:
        return decode(data, enc), enc
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot decode the file as {enc} ({exc})", file=source or None) from exc


def decode_bytes(data: bytes, *, source: str = "", min_score: float = 0.6) -> str:
    """Decode file bytes to NFC text, detecting the encoding.

    Raises
    ------
    popqa.errors.InputError
        When no candidate encoding yields Vietnamese text.

    >>> decode_bytes("Nguyễn".encode("utf-8-sig"))
    'Nguyễn'
    >>> decode_bytes(unicodedata.normalize("NFD", "Phạm").encode())
    'Phạm'
    """
    return decode_text(data, source=source, min_score=min_score)[0]
