"""A register whose legacy units straddle the 2025 provinces (issue 13).

On 1 July 2025 legacy Tây Ninh "72" and Long An "80" merged into the 2025 Tây Ninh "80". A
register kept for legacy Tây Ninh that also holds Long An units is reported under the 2025
province it belongs to, Long An's communes being units of that province like Tây Ninh's; a
record whose commune lies in another 2025 province (here Hà Nội's Phường Phúc Xá, "00001") is
shown as "outside the province", never as a unit. Units and the merger come from the
vietnamadminunits data (popqa.geo), not from this test.
"""

from __future__ import annotations

import json

import pytest

PERIOD = "2026-10"
HANOI = {"province_code": "01", "district_code": "001", "commune_code": "00001"}


@pytest.fixture(scope="module")
def straddling(tmp_path_factory):
    from popqa.pipeline import audit
    from popqa.synth import generate_province

    root = tmp_path_factory.mktemp("straddle")
    # one district of each legacy province of the 2025 Tây Ninh
    prov = generate_province(scale=0.004, seed=11, period=PERIOD, province_code="72,80", districts=["710", "795"])
    reg = prov.register
    moved = reg.households["household_id"].iloc[:2].tolist()  # two households recorded with a Hà Nội commune
    persons = reg.persons.loc[reg.persons["household_id"].isin(moved), "person_id"]
    for name, key, ids in (("households", "household_id", moved), ("persons", "person_id", persons)):
        df = getattr(reg, name)
        rows = df[key].isin(list(ids))
        for col, code in HANOI.items():
            if col in df.columns:
                df.loc[rows, col] = code
    prov.write(root / "data")
    audit(root / "data" / "register", PERIOD, root / "results", workbooks=False, progress=False)
    return root, reg


@pytest.mark.slow
def test_legacy_units_of_a_merged_province_are_reported_under_its_2025_province(straddling):
    from popqa.geo import to_2025, units_2025
    from popqa.reporting.site import render_site

    root, reg = straddling
    res = root / "results" / PERIOD
    province = json.loads((res / "province.json").read_text(encoding="utf-8"))
    assert province["province_code"] == "72"  # the default configuration: legacy Tây Ninh
    assert province["province_codes_2025"] == ["80"]  # reported under the 2025 Tây Ninh
    hh = reg.households
    long_an = set(to_2025(hh.loc[hh["district_code"] == "795", "commune_code"]))
    tay_ninh = set(to_2025(hh.loc[hh["district_code"] == "710", "commune_code"]))
    assert long_an and tay_ninh
    inside = set(units_2025("80")["commune_code"])
    assert long_an <= inside and tay_ninh <= inside
    # Long An's communes are units of the province, each with its own result files
    assert long_an | tay_ninh == set(province["communes_2025"])
    for code in long_an:
        assert (res / "communes_2025" / code / "kpis.json").exists()
    # the Hà Nội code is outside the province: counted apart, not a unit
    hanoi = to_2025(HANOI["commune_code"])
    assert hanoi and hanoi not in inside
    assert province["outside_2025"] == [hanoi]
    assert not (res / "communes_2025" / hanoi).exists()

    site = root / "site"
    site.mkdir()
    render_site(res, site, {}, geography="2025")
    for page in ("index.html", "communes.html"):
        html = (site / page).read_text(encoding="utf-8")
        for code in long_an | tay_ninh:
            assert f'id="u-{code}"' in html or f'id="c-{code}"' in html, (page, code)
        assert f'id="u-{hanoi}"' not in html and f'id="c-{hanoi}"' not in html
        outside = html[html.index('id="outside"'):]
        assert hanoi in outside[:outside.index("</ul>" if page == "index.html" else "</table>")]
        assert "Ngoài tỉnh" in outside


@pytest.mark.slow
def test_a_merged_province_is_one_province_in_scores_and_indicators(straddling):
    # Long An's records count under the audited province, not as a second "province" beside it:
    # two province units made the province demography report fail at 3.3 M persons (duplicate
    # age groups in one pyramid) and split the province's score in two
    import pandas as pd

    root, _ = straddling
    res = root / "results" / PERIOD
    sc = pd.read_parquet(res / "scorecard.parquet")
    prov_units = set(sc.loc[sc["level"] == "province", "unit_code"])
    assert "72" in prov_units and "80" not in prov_units
    assert prov_units - {"72"} <= {HANOI["province_code"]}  # another province's code stays apart
    ind = pd.read_parquet(res / "indicators.parquet")
    prov = ind[(ind["level"] == "province") & (ind["unit_code"] != HANOI["province_code"])]
    assert set(prov["unit_code"]) == {"72"}
    share = prov[prov["indicator_id"] == "population_share"]
    assert len(share) and share["group"].is_unique
    # every district of both legacy provinces has the one province as its parent
    assert set(sc.loc[sc["level"] == "district", "parent_code"]) <= {"72", HANOI["province_code"]}
    # the reconciliation with the sources covers Long An's units too (it knew only Tây Ninh's)
    dist = ind[ind["level"] == "district"]
    rec = dist[dist["indicator_id"] == "register_in_residents"]
    assert {"710", "795"} <= set(rec["unit_code"])
