import unicodedata

import pandas as pd

from popqa.linkage.names import fold, has_diacritics, normalise, split_name


def test_nfd_and_undiacritised_names_fold_to_the_nfc_original():
    nfc = "Nguyễn Thị Ngọc Đào"
    s = pd.Series([nfc, unicodedata.normalize("NFD", nfc), "NGUYEN THI NGOC DAO", " nguyễn  thị ngọc đào "])
    assert fold(s).nunique() == 1
    assert fold(s).iloc[0] == "nguyen thi ngoc dao"


def test_normalise_keeps_diacritics_but_unifies_nfd_and_case():
    nfc = "Trần Văn Đức"
    out = normalise(pd.Series([nfc, unicodedata.normalize("NFD", nfc.upper())]))
    assert out.tolist() == ["trần văn đức", "trần văn đức"]
    assert has_diacritics(out).tolist() == [True, True]


def test_d_with_stroke_folds_to_d_in_both_cases():
    assert fold(pd.Series(["Đỗ Đình Đạt", "đỗ đình đạt"])).tolist() == ["do dinh dat"] * 2


def test_split_dropped_middle_name_keeps_surname_and_given():
    parts = split_name(fold(pd.Series(["Lê Hồng Phúc", "Lê Phúc", "Phúc", None])))
    assert parts["surname"].tolist()[:2] == ["le", "le"]
    assert parts["given"].tolist()[:3] == ["phuc", "phuc", "phuc"]
    assert parts.loc[0, "middle"] == "hong"
    assert pd.isna(parts.loc[1, "middle"]) and pd.isna(parts.loc[2, "surname"])
    assert parts.loc[3].isna().all()


def test_punctuation_and_empty_names():
    out = fold(pd.Series(["Nguyễn-Văn.A", "", "   "]))
    assert out.iloc[0] == "nguyen van a"
    assert out.iloc[1:].isna().all()
