"""Administrative units: legacy codes, 2025 units and the crosswalk, from the package data."""

import pandas as pd
import pytest

from popqa import geo


def test_tay_ninh_has_nine_districts_and_94_communes():
    units = geo.legacy_units("72")
    assert units["district_code"].nunique() == 9
    assert len(units) == 94
    assert set(units["province_name"]) == {"Tỉnh Tây Ninh"}


def test_go_dau_is_710_in_province_72():
    d = geo.districts("72").set_index("district_code")
    assert d.loc["710", "district_name"] == "Huyện Gò Dầu"
    assert d.loc["710", "province_code"] == "72"


def test_national_counts():
    assert geo.legacy_units()["province_code"].nunique() == 63
    assert geo.legacy_units()["commune_code"].nunique() > 10_000
    new = geo.units_2025()
    assert new["province_code"].nunique() == 34
    assert len(new) == 3321


def test_codes_keep_leading_zeros():
    hanoi = geo.legacy_units("01")
    assert len(hanoi) > 500
    assert hanoi["commune_code"].str.len().eq(5).all()
    assert hanoi["district_code"].str.len().eq(3).all()
    assert hanoi["commune_code"].str.startswith("0").any()


def test_commune_membership():
    assert geo.commune_in_district("25456", "703")  # Phường 1, Thành phố Tây Ninh
    assert not geo.commune_in_district("25456", "710")
    assert geo.commune_in_province("25456", "72")
    assert not geo.commune_in_province("25456", "01")
    s = pd.Series(["25456", "99999"])
    assert geo.commune_in_district(s, pd.Series(["703", "703"])).tolist() == [True, False]


def test_check_hierarchy_flags_each_level():
    df = pd.DataFrame(
        {
            "province_code": ["72", "72", "01", "72"],
            "district_code": ["703", "710", "703", "703"],
            "commune_code": ["25456", "25456", "25456", "00000"],
        }
    )
    h = geo.check_hierarchy(df)
    assert h["commune_known"].tolist() == [True, True, True, False]
    assert h["district_matches"].tolist() == [True, False, True, False]
    assert h["province_matches"].tolist() == [True, True, False, True]


def test_names_are_vietnamese_with_diacritics():
    assert geo.province_name("72") == "Tỉnh Tây Ninh"
    assert geo.commune_name("25456") == "Phường 1"
    assert geo.district_name("710") == "Huyện Gò Dầu"


def test_named_legacy_commune_maps_to_its_2025_commune():
    # Phường 1 (Thành phố Tây Ninh) was merged into Phường Tân Ninh of the new Tây Ninh (80).
    assert geo.to_2025("25456") == "25459"
    assert geo.commune_name("25459", kind="2025") == "Phường Tân Ninh"
    cw = geo.crosswalk("72")
    row = cw[cw["commune_code"] == "25456"].iloc[0]
    assert row["province_code_2025"] == "80"


def test_every_legacy_commune_has_a_2025_target():
    cw = geo.crosswalk(default_only=True)
    assert cw["commune_code"].is_unique
    assert set(cw["commune_code"]) == set(geo.legacy_units()["commune_code"])
    assert set(cw["commune_code_2025"]) <= set(geo.units_2025()["commune_code"])


def test_split_communes_have_one_default():
    cw = geo.crosswalk()
    split = cw[cw["is_split"]]
    assert len(split) > 0
    assert split.groupby("commune_code")["is_default"].sum().eq(1).all()


def test_series_mapping_to_2025():
    out = geo.to_2025(pd.Series(["25456", "nope"]))
    assert out.iloc[0] == "25459" and pd.isna(out.iloc[1])


@pytest.mark.parametrize("kind", ["legacy", "2025"])
def test_centroids_inside_vietnam(kind):
    c = geo.commune_centroids("72" if kind == "legacy" else "80", kind=kind)
    lat, lon = c["latitude"].dropna(), c["longitude"].dropna()
    assert len(lat) > 0.9 * len(c)
    assert lat.between(8, 24).all() and lon.between(102, 110).all()


def test_nothing_hard_wired_to_tay_ninh():
    hcm = geo.legacy_units("79")
    assert hcm["district_code"].nunique() > 15
    assert geo.check_hierarchy(hcm).all().all()
