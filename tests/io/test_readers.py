"""Reading a register folder: formats, types, codes, parse issues and clear errors."""

import unicodedata

import pandas as pd
import pytest

from popqa.errors import InputError
from popqa.io import read_register, read_table
from popqa.io.encodings import encode

HH = (
    "household_id,province_code,district_code,commune_code,village,address,collaborator_id,created_date\n"
    "H001,72,710,25705,Ấp Rộc A,,CTV01,2020-05-01\n"
    "H002,72,710,25705,Ấp Rộc B,12 đường 3/2,CTV01,15/06/2021\n"
)
PERSONS_HEADER = (
    "person_id,household_id,full_name,sex,birth_date,birth_date_precision,relation_to_head,"
    "ethnicity_code,marital_status,education_level,residence_status,status,citizen_id,mother_id,"
    "contraceptive_method,province_code,district_code,commune_code,updated_at"
)
PERSONS = PERSONS_HEADER + (
    "\nP001,H001,Nguyễn Văn An,1,1980-03-02,day,1,01,2,4,1,1,072080001234,,,72,710,25705,2026-01-05 10:00:00"
    "\nP002,H001,Trần Thị Bình,2,1982-07-09,day,2,01,2,4,1,1,072182004321,,1,72,710,25705,2026-01-05 10:00:00"
    "\nP003,H001,Nguyễn Thị Cúc,2,khong ro,day,3,01,1,2,1,1,,P002,,72,710,25705,2026-01-05 10:00:00"
    "\nP004,H002,Lê Văn Dũng,x,1950-01-01,year,1,05,3,0,1,1,,,,72,710,25705,2026-01-05 10:00:00\n"
)


def _folder(tmp_path, persons=PERSONS, households=HH, encoding="utf-8"):
    d = tmp_path / "reg"
    d.mkdir()
    for name, text in (("households", households), ("persons", persons)):
        data = encode(text, encoding) if encoding in ("tcvn3", "vni", "cp1258") else text.encode(encoding)
        (d / f"{name}.csv").write_bytes(data)
    return d


def test_reads_folder_into_typed_register(tmp_path):
    reg = read_register(_folder(tmp_path))
    p = reg.persons
    assert list(reg) == ["households", "persons"]
    assert p["sex"].dtype == "Int64"
    assert str(p["birth_date"].dtype).startswith("datetime64")
    assert p.loc[0, "ethnicity_code"] == "01"  # leading zero kept
    assert p.loc[0, "citizen_id"] == "072080001234"
    assert reg.households.loc[1, "created_date"] == pd.Timestamp("2021-06-15")  # dd/mm/yyyy


def test_unparsed_values_are_kept_as_parse_issues(tmp_path):
    reg = read_register(_folder(tmp_path))
    issues = reg.parse_issues.set_index("record_id")
    assert issues.loc["P003", "column"] == "birth_date"
    assert issues.loc["P003", "value"] == "khong ro"
    assert issues.loc["P003", "row"] == 4  # header is row 1
    assert issues.loc["P004", "column"] == "sex" and issues.loc["P004", "value"] == "x"
    assert len(reg.persons) == 4  # nothing lost


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258", "tcvn3", "vni"])
def test_every_encoding_reads_the_same_names(tmp_path, encoding):
    reg = read_register(_folder(tmp_path, encoding=encoding))
    assert reg.persons["full_name"].tolist() == [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Nguyễn Thị Cúc",
        "Lê Văn Dũng",
    ]
    assert reg.households.loc[0, "village"] == "Ấp Rộc A"


def test_nfd_names_become_nfc(tmp_path):
    reg = read_register(_folder(tmp_path, persons=unicodedata.normalize("NFD", PERSONS)))
    assert all(unicodedata.is_normalized("NFC", n) for n in reg.persons["full_name"])
    assert reg.persons.loc[0, "full_name"] == "Nguyễn Văn An"


def test_xlsx_with_numeric_codes_keeps_leading_zeros(tmp_path):
    d = _folder(tmp_path)
    df = pd.read_csv(d / "persons.csv", dtype=str)
    df["ethnicity_code"] = df["ethnicity_code"].astype(int)  # Excel turned "01" into 1
    df["citizen_id"] = pd.to_numeric(df["citizen_id"])  # and the ID into a float
    (d / "persons.csv").unlink()
    df.to_excel(d / "persons.xlsx", index=False)
    reg = read_register(d)
    assert reg.persons.loc[0, "ethnicity_code"] == "01"
    assert reg.persons.loc[0, "citizen_id"] == "072080001234"


def test_parquet_round_trip(tmp_path):
    reg = read_register(_folder(tmp_path))
    out = reg.to_parquet(tmp_path / "canonical" / "2026-10")
    back = read_register(out)
    pd.testing.assert_frame_equal(back.persons, reg.persons)
    pd.testing.assert_frame_equal(back.households, reg.households)
    assert len(back.parse_issues) == len(reg.parse_issues)


def test_extra_columns_are_kept(tmp_path):
    hh = HH.replace("created_date\n", "created_date,ghi_chu\n", 1).replace("2020-05-01\n", "2020-05-01,x\n")
    hh = hh.replace("15/06/2021\n", "15/06/2021,y\n")
    reg = read_register(_folder(tmp_path, households=hh))
    assert reg.households["ghi_chu"].tolist() == ["x", "y"]


def test_missing_required_column_names_file_and_column(tmp_path):
    bad = PERSONS.replace(",sex,", ",gioi_tinh,", 1)
    with pytest.raises(InputError) as exc:
        read_register(_folder(tmp_path, persons=bad))
    msg = str(exc.value)
    assert "persons.csv" in msg and "sex" in msg and exc.value.column == "sex"


def test_empty_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="empty") as exc:
        read_register(_folder(tmp_path, persons=""))
    assert exc.value.file.endswith("persons.csv")


def test_header_only_file_gives_an_empty_table(tmp_path):
    reg = read_register(_folder(tmp_path, persons=PERSONS_HEADER + "\n"))
    assert len(reg.persons) == 0 and "sex" in reg.persons


def test_malformed_csv_names_the_row(tmp_path):
    bad = PERSONS + 'P005,H002,"Nguyễn Văn Em,1,1990-01-01\n'
    with pytest.raises(InputError) as exc:
        read_register(_folder(tmp_path, persons=bad))
    assert "persons.csv" in str(exc.value)


def test_unreadable_xlsx_is_a_clear_error(tmp_path):
    d = _folder(tmp_path)
    (d / "persons.csv").unlink()
    (d / "persons.xlsx").write_bytes(b"this is not a spreadsheet")
    with pytest.raises(InputError, match="cannot read file") as exc:
        read_register(d)
    assert exc.value.file.endswith("persons.xlsx")


def test_missing_required_table_and_folder(tmp_path):
    d = _folder(tmp_path)
    (d / "households.csv").unlink()
    with pytest.raises(InputError, match="households"):
        read_register(d)
    with pytest.raises(InputError, match="not found"):
        read_register(tmp_path / "nowhere")


def test_duplicate_header_column(tmp_path):
    bad = PERSONS.replace("person_id,household_id", "person_id,person_id", 1)
    with pytest.raises(InputError, match="twice"):
        read_register(_folder(tmp_path, persons=bad))


def test_read_table_unknown_table_name(tmp_path):
    p = tmp_path / "people.csv"
    p.write_text("a\n1\n")
    with pytest.raises(InputError, match="unknown table"):
        read_table(p)


def test_cli_read_writes_parquet_and_bad_input_exits_2(tmp_path, capsys):
    from popqa.cli import main

    d = _folder(tmp_path)
    assert main(["read", "--data", str(d), "--out", str(tmp_path / "pq")]) == 0
    assert (tmp_path / "pq" / "persons.parquet").exists()
    (d / "households.csv").unlink()
    assert main(["read", "--data", str(d), "--out", str(tmp_path / "pq2")]) == 2
    err = capsys.readouterr().err
    assert "error" in err and "households" in err and "Traceback" not in err


def test_text_columns_share_one_object_per_distinct_value(tmp_path):
    """A register's codes and names repeat: one Python string per distinct value keeps it small."""
    n = 3000
    df = pd.DataFrame({"household_id": [f"H{i:05d}" for i in range(n)], "province_code": "72",
                       "district_code": "703", "commune_code": ["25456", "25459", None] * (n // 3),
                       "village": "Ấp 1", "address": ["12 Lê Lợi", "Trần Thị  Bình "] * (n // 2),
                       "collaborator_id": "C1", "created_date": "2020-01-01"})
    df.to_csv(tmp_path / "households.csv", index=False)
    got = read_table(tmp_path / "households.csv", "households")[0]
    codes = got["commune_code"].array._ndarray
    assert len({id(x) for x in codes if isinstance(x, str)}) == 2
    assert got["commune_code"].isna().sum() == n // 3
    assert got["address"].iloc[1] == "Trần Thị Bình"  # trimmed, inner spaces collapsed
    assert len({id(x) for x in got["address"].array._ndarray}) == 2
