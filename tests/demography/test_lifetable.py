"""Abridged life table: identities, the a0 rules of Preston et al. (2001) Table 3.3, Chiang's variance."""

from __future__ import annotations

import numpy as np
import pytest

from popqa.demography import a0_coale_demeny, life_table
from popqa.demography.lifetable import abridged_ages

AGES = abridged_ages(85)


def test_constant_hazard_gives_e0_one_over_m():
    # with nLx = ndx / nmx in every group, T0 = l0 / m whatever the a_x: e0 = 1 / m
    K = np.full(len(AGES), 2000.0)
    for m in (0.005, 0.02, 0.08):
        lt = life_table(K * m, K, ages=AGES, sex="m")
        assert lt.e0 == pytest.approx(1 / m, rel=1e-12)


def test_coale_demeny_a0_rules_of_preston_table_3_3():
    # Preston, Heuveline and Guillot (2001), Table 3.3: 1a0 and 4a1 from 1m0
    a0, a1 = a0_coale_demeny([0.05, 0.2], sex="m")
    np.testing.assert_allclose(a0, [0.045 + 2.684 * 0.05, 0.330])
    np.testing.assert_allclose(a1, [1.651 - 2.816 * 0.05, 1.352])
    a0, a1 = a0_coale_demeny([0.05, 0.2], sex="f")
    np.testing.assert_allclose(a0, [0.053 + 2.800 * 0.05, 0.350])
    np.testing.assert_allclose(a1, [1.522 - 1.518 * 0.05, 1.361])
    b0, _ = a0_coale_demeny(0.05, sex="b")
    assert float(a0_coale_demeny(0.05, sex="m")[0]) < float(b0) < float(a0_coale_demeny(0.05, sex="f")[0])
    with pytest.raises(ValueError, match="sex"):
        a0_coale_demeny(0.05, sex="x")


def test_table_columns_follow_the_conventions():
    rng = np.random.default_rng(3)
    K = rng.uniform(2000, 6000, len(AGES))
    m = 0.0002 * np.exp(0.07 * AGES)
    m[0] = 0.01
    lt = life_table(m * K, K, ages=AGES, sex="f")
    t = lt.table
    n = t["n"].to_numpy()
    assert t["qx"].iloc[-1] == 1.0 and t["ax"].iloc[-1] == pytest.approx(1 / m[-1])
    q = n[:-1] * m[:-1] / (1 + (n[:-1] - t["ax"].to_numpy()[:-1]) * m[:-1])
    np.testing.assert_allclose(t["qx"].to_numpy()[:-1], q)
    np.testing.assert_allclose(t["ax"].to_numpy()[2:-1], 2.5)
    assert t["lx"].iloc[0] == 100_000
    np.testing.assert_allclose(t["mx"], t["dx"] / t["Lx"], rtol=1e-10)  # m = d / L in every group
    assert lt.Lx5().sum() == pytest.approx(t["Tx"].iloc[0])
    assert len(lt.Lx5()) == 18


def test_chiang_standard_error_matches_the_spread_of_simulated_e0():
    rng = np.random.default_rng(11)
    K = np.full(len(AGES), 3000.0)
    m = 0.0004 * np.exp(0.09 * AGES)
    m[0] = 0.008
    sims = []
    ses = []
    for _ in range(400):
        D = rng.poisson(m * K)
        if D[-1] == 0:
            continue
        lt = life_table(D, K, ages=AGES, sex="b")
        sims.append(lt.e0)
        ses.append(lt.e0_se)
    assert np.mean(ses) == pytest.approx(np.std(sims), rel=0.15)
    lt = life_table(m * K, K, ages=AGES, sex="b")
    assert lt.e0_ci[0] < lt.e0 < lt.e0_ci[1]


@pytest.mark.parametrize("kw, msg", [
    (dict(deaths=[1, 2], exposure=[10, 10, 10], ages=[0, 1, 5]), "length"),
    (dict(deaths=[1, 2, 3], exposure=[10, 10, 10], ages=[0, 5, 10]), "ages"),
    (dict(deaths=[1, 2, 3], exposure=[10, 0, 10], ages=[0, 1, 5]), "exposure"),
    (dict(deaths=[1, -2, 3], exposure=[10, 10, 10], ages=[0, 1, 5]), "negative"),
])
def test_invalid_input(kw, msg):
    with pytest.raises(ValueError, match=msg):
        life_table(**kw)
