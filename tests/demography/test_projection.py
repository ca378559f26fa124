"""Cohort-component projection: Preston et al. (2001) Box 6.2, accounting identities, the run to a horizon."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from popqa.demography import project, project_step

DATA = Path(__file__).parent / "data"

# Preston, Heuveline and Guillot (2001), Demography, Box 6.2 (Sweden 1993 -> 1998, females, with
# migration), as transcribed in ccmppWPP (markalava/ccmppWPP) data-raw/sweden_1993.R (PzF, Bx) and
# asserted after rounding in its tests/testthat/test_1_against_known_values.R.
BOX62_POP_F_1998 = [302392, 298682, 252007, 244150, 268267, 293515, 320624, 284767, 288031, 303166,
                    322062, 243989, 205841, 205516, 205270, 194771, 142565, 131966]
BOX62_BIRTHS_BY_AGE = [0, 0, 0, 15244, 126688, 229354, 170057, 63203, 10971, 472, 0, 0, 0, 0, 0, 0, 0, 0]
# ccmppWPP's PzM: the same inputs used for males (P0M = P0F, LxM = LxF, NMxM = NMxF), boys = srb / (1 + srb)
BOX62_POP_M_1998_0_4 = 317340


@pytest.fixture(scope="module")
def sweden() -> pd.DataFrame:
    return pd.read_csv(DATA / "preston_box62_sweden1993_female_inputs.csv")


def test_box62_female_projection_with_migration(sweden):
    s = project_step(sweden["pop_f_1993"], sweden["nLx_f_l0_100000"], sweden["asfr_1993_98"], srb=1.05,
                     net_migrants_f=sweden["net_migrants_f_1993_98"])
    assert np.round(s.population_f).astype(int).tolist() == BOX62_POP_F_1998
    assert np.round(s.births_by_age).astype(int).tolist() == BOX62_BIRTHS_BY_AGE
    assert s.births == pytest.approx(s.births_by_age.sum())
    assert s.births_f == pytest.approx(s.births / 2.05)
    assert s.population_m is None


def test_box62_males_from_the_same_inputs(sweden):
    s = project_step(sweden["pop_f_1993"], sweden["nLx_f_l0_100000"], sweden["asfr_1993_98"], srb=1.05,
                     net_migrants_f=sweden["net_migrants_f_1993_98"], population_m=sweden["pop_f_1993"],
                     lx_m=sweden["nLx_f_l0_100000"], net_migrants_m=sweden["net_migrants_f_1993_98"])
    assert round(s.population_m[0]) == BOX62_POP_M_1998_0_4
    assert np.round(s.population_m[1:]).astype(int).tolist() == BOX62_POP_F_1998[1:]


def test_closed_population_without_births_loses_what_the_survival_ratios_say(sweden):
    P = sweden["pop_f_1993"].to_numpy(float)
    L = sweden["nLx_f_l0_100000"].to_numpy(float)
    s = project_step(P, L, np.zeros(len(P)))
    assert s.population_f[0] == 0 and s.births == 0
    np.testing.assert_allclose(s.population_f[1:-1], P[:-2] * L[1:-1] / L[:-2], rtol=1e-12)
    np.testing.assert_allclose(s.population_f[-1], (P[-2] + P[-1]) * L[-1] / (L[-2] + L[-1]), rtol=1e-12)
    deaths = P.sum() - s.population_f.sum()
    expected = (P[:-2] * (1 - L[1:-1] / L[:-2])).sum() + (P[-2] + P[-1]) * (1 - L[-1] / (L[-2] + L[-1]))
    assert deaths == pytest.approx(expected, rel=1e-12)


def test_zero_mortality_conserves_the_total_and_adds_the_migrants():
    k = 6
    P = np.array([100.0, 80, 90, 70, 60, 50])
    L = np.array([5.0, 5, 5, 5, 5, np.inf])  # radix 1, nobody dies
    N = np.array([10.0, -4, 6, 0, 2, 2])
    s = project_step(P, L, np.zeros(k), net_migrants_f=N, radix=1)
    assert s.population_f.sum() == pytest.approx(P.sum() + N.sum())
    s0 = project_step(P, L, np.zeros(k), radix=1)
    assert s0.population_f.sum() == pytest.approx(P.sum())


def test_births_use_the_average_of_start_and_end_women():
    P = np.array([100.0, 100, 100])
    L = np.array([5.0, 5, np.inf])
    f = np.array([0.0, 0.1, 0.0])
    s = project_step(P, L, f, radix=1, srb=1.0)
    # women 5-9 at the start 100, at the end 100 (survivors of 0-4): 5 * 0.1 * 100 = 50 births
    assert s.births == pytest.approx(50.0)
    assert s.population_f[0] == pytest.approx(25.0)  # girls, all surviving (5L0 / 5 l0 = 1)


@pytest.mark.parametrize("bad", [
    dict(population_f=[1.0, 2.0], lx_f=[5.0, 5.0], asfr=[0.0, 0.0]),
    dict(population_f=[1.0, 2.0, 3.0], lx_f=[5.0, 5.0], asfr=[0.0, 0.0, 0.0]),
    dict(population_f=[1.0, -2.0, 3.0], lx_f=[5.0, 5.0, 5.0], asfr=[0.0, 0.0, 0.0]),
    dict(population_f=[1.0, 2.0, np.nan], lx_f=[5.0, 5.0, 5.0], asfr=[0.0, 0.0, 0.0]),
])
def test_invalid_input_is_a_clear_error(bad):
    with pytest.raises(ValueError):
        project_step(**bad)


def test_by_sex_needs_the_male_life_table():
    with pytest.raises(ValueError, match="lx_m"):
        project_step([1.0, 2, 3], [5.0, 5, 5], [0.0, 0, 0], population_m=[1.0, 2, 3])


def test_project_runs_to_the_horizon_with_annual_interpolation(sweden):
    P = sweden["pop_f_1993"].to_numpy(float)
    L = sweden["nLx_f_l0_100000"].to_numpy(float)
    f = sweden["asfr_1993_98"].to_numpy(float)
    pr = project(P, L, f, base_time=1993.5, horizon=2003, population_m=P, lx_m=L)
    assert sorted(pr.points["step"].unique()) == [0, 1, 2]
    first = project_step(P, L, f, population_m=P, lx_m=L)
    at5 = pr.points[pr.points["step"] == 1]
    np.testing.assert_allclose(at5.loc[at5["sex"] == 2, "population"], first.population_f)
    ann = pr.annual.groupby("year")["population"].sum()
    assert list(ann.index) == list(range(1993, 2004))
    assert ann[1998] == pytest.approx(first.population_f.sum() + first.population_m.sum())
    # geometric between the points: constant growth factor within a step
    r = ann.loc[1994:1998].to_numpy() / ann.loc[1993:1997].to_numpy()
    np.testing.assert_allclose(r, r[0], rtol=1e-3)


def test_declining_fertility_and_no_migration_scenarios(sweden):
    P = sweden["pop_f_1993"].to_numpy(float)
    L = sweden["nLx_f_l0_100000"].to_numpy(float)
    f = sweden["asfr_1993_98"].to_numpy(float)
    N = sweden["net_migrants_f_1993_98"].to_numpy(float)
    base = project(P, L, f, base_time=1993.5, horizon=2003, net_migrants_f=N)
    low = project(P, L, f, base_time=1993.5, horizon=2003, net_migrants_f=N, fertility_factor=[0.9, 0.8])
    closed = project(P, L, f, base_time=1993.5, horizon=2003)
    assert low.births["births"].tolist() < base.births["births"].tolist()
    assert low.births["births"][0] == pytest.approx(0.9 * base.births["births"][0], rel=0.01)
    assert closed.total(2003) < base.total(2003)
    z = np.zeros(len(f))
    gain = (project(P, L, z, base_time=1993.5, horizon=2003, net_migrants_f=N).total(1998)
            - project(P, L, z, base_time=1993.5, horizon=2003).total(1998))
    assert gain == pytest.approx(N.sum(), rel=0.01)  # the migrants, less the few of them who die
