"""The demography stage on the committed sample and on the synthetic province (against its generator)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from popqa.contract import INDICATOR_COLUMNS
from popqa.demography import DemographyConfig, demography_indicators
from popqa.demography.rates import rates_table
from popqa.demography.stage import demography_inputs
from popqa.indicators import validate_indicators
from popqa.io import Register, read_register
from popqa.synth import generate_province
from popqa.synth.events import EVENT_RATES

PERIOD = "2026-10"
SCALE, SEED = 0.05, 20261


@pytest.fixture(scope="module")
def sample_rows() -> pd.DataFrame:
    return demography_indicators(read_register("data_samples/tayninh-godau/register"), period=PERIOD)


def test_sample_rows_are_valid_indicator_rows(sample_rows):
    assert tuple(sample_rows.columns) == INDICATOR_COLUMNS
    validate_indicators(sample_rows)
    assert set(sample_rows["level"]) == {"province", "district", "commune", "commune_2025"}
    assert (sample_rows["period"] == PERIOD).all()


def test_sample_is_too_small_for_a_life_table_and_says_so(sample_rows):
    # 19 deaths in the sample: below the 50 a life table needs
    e0 = sample_rows[sample_rows["indicator_id"] == "life_expectancy"]
    assert len(e0) and (e0["status"] == "insufficient").all() and e0["value"].isna().all()
    proj = sample_rows[sample_rows["indicator_id"] == "projected_population"]
    assert (proj["status"] == "insufficient").all()


def test_small_communes_get_their_districts_estimate_beside_them(sample_rows):
    cbr = sample_rows[sample_rows["indicator_id"] == "crude_birth_rate"]
    own = cbr[(cbr["level"] == "commune") & (cbr["group"] == "")]
    pooled = cbr[(cbr["level"] == "commune") & (cbr["group"] == "pooled=district")]
    low = own[own["status"] == "insufficient"]
    assert len(low) and set(pooled["unit_code"]) == set(low["unit_code"])
    district = cbr[cbr["level"] == "district"].set_index("unit_code")["value"]
    assert pooled["value"].isin(district.to_numpy()).all()


def test_config_is_frozen_and_strict():
    with pytest.raises(ValueError):
        DemographyConfig(min_event=3)
    with pytest.raises(ValueError, match="scenario"):
        DemographyConfig(scenarios=("boom",))
    with pytest.raises(ValueError):
        DemographyConfig().min_events = 3  # type: ignore[misc]


# --------------------------------------------------------------------------- synthetic province
@pytest.fixture(scope="module")
def province():
    return generate_province(scale=SCALE, seed=SEED, period=PERIOD)


def _clean_register(scale: float, seed: int, period: str) -> Register:
    """The generator's register before it injects faults (the same steps as generate_province)."""
    from popqa.synth import province as sp

    win0, export = sp.period_bounds(period)
    counts = sp.unit_counts(scale)
    counts = counts[counts["households"] > 0].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    hh, pp = sp.build_population(counts, rng, export)
    hh = sp._households(hh, counts, rng, win0, export)
    collab = sp._collaborator_table(hh, rng, win0, export)
    state = sp._State(rng=rng, counts=counts, hh=hh, pp=pp, collab=collab, win0=win0, export=export,
                      province_code="72")
    state.decorate_persons()
    state.build_events()
    fr = state.frames()
    return Register.from_frames({t: sp.typed_frame(fr[t], t) for t in ("households", "persons", "events")})


def _province_value(table: pd.DataFrame, iid: str) -> pd.Series:
    return table[(table["indicator_id"] == iid) & (table["group"] == "")].iloc[0]


@pytest.mark.slow
def test_register_tfr_interval_holds_the_generators_own_tfr(province):
    """The generator draws births from its households, not from a fertility schedule (its docs quote
    Tây Ninh's census TFR of about 1.6 only to describe the pyramid), so 'its rate' is the TFR of its
    clean population before faults; the register's interval, with the faults, must hold it."""
    cfg = DemographyConfig()
    reg_inp = demography_inputs(province.register, period=PERIOD, config=cfg)
    clean = _clean_register(SCALE, SEED, PERIOD)
    assert len(clean.persons) < len(province.register.persons)  # the injected duplicates are not there
    clean_inp = demography_inputs(clean, period=PERIOD, config=cfg)
    t_reg = rates_table(reg_inp.persons, reg_inp.exposure, reg_inp.events, level="province", config=cfg)
    t_gen = rates_table(clean_inp.persons, clean_inp.exposure, clean_inp.events, level="province", config=cfg)
    tfr, tfr_gen = _province_value(t_reg, "total_fertility_rate"), _province_value(t_gen, "total_fertility_rate")
    assert tfr["status"] == "ok"
    assert tfr["ci_low"] <= tfr_gen["value"] <= tfr["ci_high"]
    assert 1.2 < tfr["value"] < 2.5
    # the generator's one vital-rate parameter, deaths per present person and year, against the clean
    # register (the injected faults add death records: at full scale the faulty register's CDR
    # interval, 5.82-6.09, no longer holds 5.5; docs/benchmarks.md)
    cdr = _province_value(t_gen, "crude_death_rate")
    assert cdr["ci_low"] <= 1000 * EVENT_RATES["death"] <= cdr["ci_high"]
    assert _province_value(t_reg, "crude_death_rate")["numerator"] >= cdr["numerator"]
    # births: the truth table's count, and the register's
    truth_births = int(province.truth["population"]["births"].sum())
    cbr = _province_value(t_reg, "crude_birth_rate")
    assert abs(cbr["numerator"] - truth_births) <= 0.05 * truth_births


@pytest.mark.slow
def test_synthetic_province_life_expectancy_and_projection(province):
    rows = demography_indicators(province.register, period=PERIOD)
    validate_indicators(rows)
    prov = rows[rows["level"] == "province"]
    e0 = prov[prov["indicator_id"] == "life_expectancy"].set_index("group")
    assert (e0["status"] == "ok").all()
    assert e0.loc["sex=2", "value"] > e0.loc["sex=1", "value"]
    assert (e0["ci_low"] < e0["value"]).all() and (e0["value"] < e0["ci_high"]).all()
    pp = prov[prov["indicator_id"] == "projected_population"].set_index("group")
    for s in ("constant", "declining_fertility", "no_migration"):
        total = pp.loc[f"scenario={s};year=2030", "value"]
        by_sex = pp.loc[f"scenario={s};sex=1;year=2030", "value"] + pp.loc[f"scenario={s};sex=2;year=2030", "value"]
        assert total == pytest.approx(by_sex)
        assert pp.loc[f"scenario={s};year=2030", "target_year"] == 2030
    assert pp.loc["scenario=declining_fertility;year=2030", "value"] < pp.loc["scenario=constant;year=2030", "value"]
    present = int(province.truth["population"]["true_population"].sum())
    assert 0.9 * present < pp.loc["scenario=constant;year=2030", "value"] < 1.2 * present
    # districts: all nine projected; commune rates insufficient somewhere, with pooled rows
    dist = rows[(rows["level"] == "district") & (rows["indicator_id"] == "projected_population")]
    assert dist["unit_code"].nunique() == 9 and (dist["status"] == "ok").all()
    assert rows["group"].str.contains("pooled=district").any()


def test_2025_communes_have_rates_and_the_provinces_estimate_where_small(sample_rows):
    from popqa.geo import to_2025

    persons = read_register("data_samples/tayninh-godau/register").persons
    expected = set(to_2025(persons["commune_code"].dropna().astype("string")).dropna())
    cbr = sample_rows[sample_rows["indicator_id"] == "crude_birth_rate"]
    c25 = cbr[cbr["level"] == "commune_2025"]
    own = c25[c25["group"] == ""]
    assert set(own["unit_code"]) == expected and len(expected) >= 2
    # births are split over the 2025 communes, none lost or counted twice
    assert own["numerator"].sum() == cbr[cbr["level"] == "province"]["numerator"].iloc[0]
    low = own[own["status"] == "insufficient"]
    pooled = c25[c25["group"] == "pooled=province"]
    assert set(pooled["unit_code"]) == set(low["unit_code"])
    prov = cbr[cbr["level"] == "province"]["value"].iloc[0]
    assert (pooled["value"] == prov).all()


def test_projection_base_counts_each_units_present_persons_as_a_row_by_row_count():
    """unit_projections counts each unit's persons by sex and age in one grouping (_ages_by_unit); here
    against a count person by person, with missing codes, unknown sex and unknown age."""
    from collections import Counter

    from popqa.demography.stage import _ages_by_unit

    rng = np.random.default_rng(5)
    n = 5000
    pa = pd.DataFrame({"commune_code": rng.choice(np.array(["25654", "25657", "00001", None], dtype=object), n),
                       "sex": rng.choice([1, 2, 0], n, p=[0.48, 0.48, 0.04]),
                       "age": rng.choice(np.arange(-1, 111), n)})
    persons, ages = _ages_by_unit(pa, "commune_code")
    rows = list(pa.itertuples(index=False))
    assert persons == dict(Counter(r.commune_code for r in rows if r.commune_code is not None))
    want = Counter((r.commune_code, r.sex, r.age) for r in rows
                   if r.commune_code is not None and r.sex in (1, 2) and r.age >= 0)
    got = {(u, sx, int(a)): int(c) for (u, sx), s in ages.items() for a, c in s.items()}
    assert got == dict(want)
    assert all(list(s.index) == sorted(s.index) and s.index.name == "age" for s in ages.values())
