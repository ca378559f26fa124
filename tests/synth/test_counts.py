import numpy as np
import pandas as pd
import pytest

from popqa import geo
from popqa.synth import generate_province, unit_counts


def test_full_scale_totals_are_the_published_figures():
    c = unit_counts(1.0, "72")
    assert int(c["persons"].sum()) == 1_198_153
    assert int(c["households"].sum()) == 291_965
    assert len(c) == 94 and c["district_code"].nunique() == 9
    # urban wards are smaller than rural communes on average
    assert c.loc[c["urban"], "households"].mean() < c.loc[~c["urban"], "households"].mean()


@pytest.mark.parametrize("scale", [0.01, 0.1, 0.5])
def test_scaled_totals_are_rounded_exactly(scale):
    c = unit_counts(scale)
    assert int(c["persons"].sum()) == round(1_198_153 * scale)
    assert int(c["households"].sum()) == round(291_965 * scale)


def test_generated_counts_match_the_allocation(prov):
    reg, truth = prov.register, prov.truth
    c = unit_counts(0.01)
    pop = truth["population"]
    assert int(pop["true_population"].sum()) == round(1_198_153 * 0.01)
    hh = reg.households.drop_duplicates("household_id")
    persons = reg.persons
    members = persons.groupby("household_id").size()
    real_hh = hh[hh["household_id"].isin(members.index)]
    assert len(real_hh) == pytest.approx(int(c["households"].sum()), abs=len(truth["faults"]))
    assert set(reg.households["commune_code"].dropna()) <= set(geo.legacy_units("72")["commune_code"])


def test_districts_restrict_generation(small):
    reg = small.register
    assert (reg.persons["district_code"] == "710").mean() > 0.99
    c = unit_counts(0.01)
    assert int(small.truth["population"]["true_population"].sum()) == int(
        c.loc[c["district_code"] == "710", "persons"].sum()
    )


def test_same_seed_same_tables_and_other_seed_differs():
    a = generate_province(scale=0.003, seed=5, districts=["703"])
    b = generate_province(scale=0.003, seed=5, districts=["703"])
    c = generate_province(scale=0.003, seed=6, districts=["703"])
    for name in a.register.tables:
        pd.testing.assert_frame_equal(a.register.tables[name], b.register.tables[name])
    for name in a.truth:
        pd.testing.assert_frame_equal(a.truth[name], b.truth[name])
    assert not a.register.persons["full_name"].equals(c.register.persons["full_name"])


def test_events_per_month_in_range(prov):
    ev = prov.register.events
    f = prov.truth["faults"]
    spiked = f.loc[f["fault_class"] == "monthly_count_outlier", "record_id"]
    ev = ev[~ev["commune_code"].isin(spiked)]
    ok = ev["event_date"].between(pd.Timestamp("2025-11-01"), pd.Timestamp("2026-10-31"))
    per_month = ev[ok].groupby(ev["event_date"].dt.to_period("M")).size()
    assert len(per_month) == 12
    # 7,000-9,000 a month at scale 1.0 -> 70-90 at scale 0.01 (Poisson noise allowed)
    assert per_month.mean() == pytest.approx(80, abs=14)
    assert np.all(per_month.between(50, 115))
    assert set(ev["event_type"].dropna()) >= {"birth", "death", "move_in", "move_out", "marriage"}
