"""Each Vietnamese text encoding decodes to the same NFC Unicode."""

import unicodedata

import pytest

from popqa.errors import InputError
from popqa.io.encodings import decode, decode_bytes, detect_encoding, encode, syllable_score

NAMES = [
    "Nguyễn Thị Hồng Nhung",
    "Trần Văn Đức",
    "Lê Thị Ánh Tuyết",
    "Phạm Hữu Nghĩa",
    "Huỳnh Ngọc Ẩn",
    "Võ Thị Mỹ Lệ",
    "Đặng Quốc Khánh",
    "Bùi Xuân Trường",
    "Ấp Bình Thạnh, xã Trường Hòa, thị xã Hòa Thành",
]
TEXT = "full_name,village\n" + "\n".join(f"{n},Ấp {i}" for i, n in enumerate(NAMES[:-1])) + "\n"


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258"])
def test_legacy_encoding_round_trip_and_detection(encoding):
    data = encode(TEXT, encoding)
    assert data != TEXT.encode("utf-8")
    assert detect_encoding(data)[0] == encoding
    assert decode_bytes(data) == TEXT


def test_tcvn3_sample_string():
    # "Nguyễn" typed in the .VnTime font: N g u y Ô n  (ễ is byte 0xD4)
    assert decode(b"Nguy\xd4n Th\xde H\xe5ng", "tcvn3") == "Nguyễn Thị Hồng"


def test_tcvn3_all_capitals_word():
    assert decode(encode("HUỲNH NGỌC ẨN", "tcvn3"), "tcvn3") == "HUỲNH NGỌC ẨN"


def test_vni_sample_string():
    # VNI-Windows: a base letter followed by a mark byte; ñ is đ, ö is ư.
    assert decode(b"Tr\x61\xe0n V\x61\xean \xd1\xf6\xf9c", "vni") == "Trần Văn Đức"
    assert decode(b"Xin cha\xf8o ca\xf9c ba\xefn", "vni") == "Xin chào các bạn"


@pytest.mark.parametrize("name", NAMES)
def test_every_name_round_trips_in_every_encoding(name):
    for enc in ("tcvn3", "vni", "cp1258", "utf-8"):
        assert decode(encode(name, enc), enc) == name


def test_utf8_bom_and_nfd_become_nfc():
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hồng")
    assert nfd != "Nguyễn Thị Hồng"
    out = decode_bytes(b"\xef\xbb\xbf" + nfd.encode("utf-8"))
    assert out == "Nguyễn Thị Hồng"
    assert unicodedata.is_normalized("NFC", out)


def test_unknown_encoding_is_a_clear_error():
    garbage = bytes(range(128, 256)) * 20
    with pytest.raises(InputError, match="unknown text encoding") as exc:
        decode_bytes(garbage, source="persons.csv")
    assert exc.value.file == "persons.csv"


def test_syllable_score_separates_mojibake():
    assert syllable_score("Nguyễn Thị Hồng") == 1.0
    assert syllable_score(encode("Nguyễn Thị Hồng", "tcvn3").decode("cp1252")) < 0.5
