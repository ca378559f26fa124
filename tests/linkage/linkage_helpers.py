"""Hand-made persons shared by the linkage tests."""

from __future__ import annotations

import unicodedata

import pandas as pd

# Each group is far from the others (distinct surnames and given names).
ROWS = [
    # person_id, full_name, sex, birth_date, precision, commune, household, citizen_id, mother_id
    ("P01", "Nguyễn Văn An", 1, "1980-03-07", "day", "25456", "H01", "072080001111", None),
    ("P02", "Nguyen Van An", 1, "1980-03-07", "day", "25456", "H02", None, None),  # no diacritics
    ("P03", unicodedata.normalize("NFD", "Trần Thị Ánh"), 2, "1975-06-02", "day", "25456", "H03", None, None),
    ("P04", "Trần Thị Ánh", 2, "1975-06-02", "day", "25457", "H04", None, None),  # NFD original
    ("P05", "Lê Hồng Phúc", 1, "1990-05-04", "day", "25459", "H05", "072090002222", None),
    ("P06", "Lê Phúc", 1, "1990-04-05", "day", "25459", "H05", "072090002222", None),  # dropped middle, swapped
    ("P07", "Phạm Minh Tuấn", 1, "2001-11-20", "day", "25456", "H06", "072201003333", None),
    ("P08", "Phạm Minh Tuấn", 1, "2001-11-20", "day", "25456", "H07", "072201004444", None),  # other ID
    ("P09", "Hoàng Thị Lan", 2, "1940-01-01", "year", "25461", "H08", None, None),
    ("P10", "Hoàng Thị Lan", 2, "1940-08-15", "day", "25461", "H08", None, None),  # year-only vs day
    ("P11", "Đặng Quốc Bảo", 1, "1985-12-30", "day", "25465", "H09", "072085005555", None),
    ("P12", "Dang Quoc Bao", 1, "1985-12-30", "day", "25465", "H10", "072085005555", None),  # same ID
    ("P13", "Võ Thị Mai", 2, "1995-02-14", "day", "25468", "H11", None, None),
    ("P14", "Bùi Văn Khánh", 1, "2020-07-09", "day", "25468", "H11", None, "P13"),
    ("P15", "=HYPERLINK(\"http://x\",\"Lê\")", 1, "1970-10-10", "day", "25471", "H12", None, None),
    ("P16", "Trương Gia Huy", 1, "1999-09-09", "day", "25471", "H13", None, None),
]

COLUMNS = [
    "person_id", "full_name", "sex", "birth_date", "birth_date_precision", "commune_code",
    "household_id", "citizen_id", "mother_id",
]


def make_persons() -> pd.DataFrame:
    p = pd.DataFrame(ROWS, columns=COLUMNS)
    p["birth_date"] = pd.to_datetime(p["birth_date"])
    p["province_code"] = "72"
    p["district_code"] = "710"
    for c in ("person_id", "full_name", "birth_date_precision", "commune_code", "household_id", "citizen_id",
              "mother_id", "province_code", "district_code"):
        p[c] = p[c].astype("string")
    p["sex"] = p["sex"].astype("Int64")
    for c, v in {"relation_to_head": 1, "marital_status": 1, "education_level": 4, "residence_status": 1,
                 "status": 1}.items():
        p[c] = pd.Series(v, index=p.index, dtype="Int64")
    p["ethnicity_code"] = pd.Series("01", index=p.index, dtype="string")
    p["updated_at"] = pd.Timestamp("2026-10-31")
    return p


def pair(res, a: str, b: str) -> pd.Series:
    lo, hi = min(a, b), max(a, b)
    p = res.pairs
    hit = p[(p["person_id_l"] == lo) & (p["person_id_r"] == hi)]
    assert len(hit) == 1, f"pair {lo}-{hi} not scored"
    return hit.iloc[0]


def source_features(register, kind: str) -> pd.DataFrame:
    """A source's linkage frame as the link stage makes it from ``register`` (its persons for the places
    and the reference year)."""
    from popqa.linkage.link import _reference_year, source_frame

    return source_frame(register[kind], kind, persons=register.persons, reference_year=_reference_year(register.persons))
