"""Age-heaping indices against DemoTools' documented results.

Reference values: the printed output of DemoTools' reference examples
(pkgdown site https://timriffe.github.io/DemoTools/reference/, built from
``R/check_heaping.R`` of timriffe/DemoTools, the version whose source is
commit 5f077405) and the tests ``tests/testthat/test-AGEHEAP.R``. DemoTools
prints 7 significant digits; the tests compare to that precision.
Data: ``pop1m_pasex`` and ``pop1m_ind`` (DemoTools ``data/``, see data/README.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from popqa.demography.heaping import (
    bachi,
    coale_li,
    jdanov,
    kannisto,
    myers,
    noumbissi,
    spoorenberg,
    whipple,
    whipple_terms,
)

DATA = Path(__file__).parent / "data"
PASEX = pd.read_csv(DATA / "demotools_pop1m_pasex.csv")["pop1m_pasex"].to_numpy(float)
IND = pd.read_csv(DATA / "demotools_pop1m_ind.csv")["pop1m_ind"].to_numpy(float)
AGE = np.arange(100)  # Age <- 0:99 in every DemoTools example on pop1m_pasex


def printed(x: float, digits: int = 7):
    """Equality to the significant digits R prints."""
    return pytest.approx(x, rel=0.5 * 10 ** (1 - digits))


def test_data_are_the_demotools_datasets():
    assert len(PASEX) == 100 and PASEX[:4].tolist() == [80626, 95823, 104315, 115813]
    assert len(IND) == 101 and IND[-1] == 72373  # 100 = open age group


# check_heaping_whipple examples: 2.33873 ("2.34, replicates SINGAGE males"), 2.601614, 1.786339
@pytest.mark.parametrize(("digit", "expected"), [((0, 5), 2.33873), (0, 2.601614), (5, 1.786339)])
def test_whipple_reproduces_demotools_examples(digit, expected):
    assert whipple(PASEX, AGE, age_min=25, age_max=60, digit=digit) == printed(expected)


def test_whipple_test_ageheap_singage_males():
    # test-AGEHEAP.R "check_heaping_whipple replicates SINGAGE males": 2.34, tolerance .01
    assert whipple(PASEX, AGE, age_min=25, age_max=60, digit=(0, 5)) == pytest.approx(2.34, rel=0.01)


def test_whipple_of_a_matrix_is_the_index_of_each_row():
    m = np.vstack([PASEX, np.full(100, 7.0)])
    w = whipple(m, AGE, age_min=25, age_max=60)
    assert w[0] == printed(2.33873) and w[1] == 1.0
    num, den, f = whipple_terms(PASEX, AGE, age_min=25, age_max=60)
    assert f * num / den == printed(2.33873)
    assert den == PASEX[23:63].sum()  # the UN formula's 23-62


def test_whipple_default_range_is_25_to_65():
    heaped = np.where(AGE % 5 == 0, 30.0, 10.0)
    heaped[65] = 1000.0  # only the default age_max = 65 sees it
    assert whipple(heaped, AGE) > whipple(heaped, AGE, age_max=60)


# check_heaping_myers examples: 23.62787, 47.46004 (pasex x 2), 29.7444
def test_myers_reproduces_demotools_examples():
    assert myers(PASEX, AGE, age_min=10, age_max=89) == printed(23.62787)
    assert myers(PASEX, AGE, age_min=10, age_max=89, method="pasex") * 2 == printed(47.46004)
    assert myers(PASEX, AGE, age_min=23, age_max=82) == printed(29.7444, 6)


def test_myers_cuts_the_range_to_whole_decades():
    # 23-85 is cut to 23-82 (DemoTools: ageMax rounded down to a span divisible by 10)
    assert myers(PASEX, AGE, age_min=23, age_max=85) == myers(PASEX, AGE, age_min=23, age_max=82)


# check_heaping_bachi examples: 28.93849 (pop1m_pasex, OAG = FALSE), 41.2661 (pop1m_ind, 0:100, OAG = TRUE)
def test_bachi_reproduces_demotools_examples():
    assert bachi(PASEX, AGE, age_min=23, age_max=77, method="orig", oag=False) == printed(28.93849)
    assert bachi(IND, np.arange(101), age_min=23, age_max=77, method="orig") == printed(41.2661, 6)


def test_bachi_extremes_of_its_documented_range():
    # documented in the bachi examples: a linear population gives 0 for "pasex", full concentration 90
    assert bachi(np.arange(100000, 0, -1000.0), AGE, age_min=23, age_max=77, method="pasex", oag=False) == \
        pytest.approx(0, abs=1e-9)
    conc = np.tile([100.0] + [0.0] * 9, 10)
    assert bachi(conc, AGE, age_min=23, age_max=77, method="pasex") == pytest.approx(90)
    assert bachi(conc, AGE, age_min=23, age_max=77, method="orig") == pytest.approx(90)


def test_bachi_default_age_max_is_77_lowered_to_the_data():
    assert bachi(PASEX, AGE, oag=False) == bachi(PASEX, AGE, age_max=77, oag=False)
    short = PASEX[:60]  # ages 0-59: the range is lowered to whole decades within the data
    assert np.isfinite(bachi(short, AGE[:60], oag=False))


# check_heaping_coale_li examples: 3.707479 ("3.7"), 3.470823 ("3.5 almost just as high")
def test_coale_li_reproduces_demotools_examples():
    assert coale_li(PASEX, AGE, age_min=65, age_max=95, terms=5, digit=0) == printed(3.707479)
    assert coale_li(PASEX, AGE, age_min=65, age_max=95, terms=5, digit=5) == printed(3.470823)


# check_heaping_noumbissi examples (default ageMin = 20 + digit, ageMax = ageMin + 30)
@pytest.mark.parametrize(("digit", "expected"), [
    (0, 2.239127), (1, 0.5679979), (2, 0.7653283), (3, 0.7533247), (4, 0.5206658), (5, 2.040742),
])
def test_noumbissi_reproduces_demotools_examples(digit, expected):
    assert noumbissi(PASEX, AGE, digit=digit) == printed(expected)


# check_heaping_spoorenberg example: 5.066123
def test_spoorenberg_reproduces_demotools_example():
    assert spoorenberg(PASEX, AGE) == printed(5.066123)


# check_heaping_kannisto examples: 10.61044, 11.89005, 7.20897 (pow 2), 11.88047 (pow 1000), 4.198132 (pow 1)
@pytest.mark.parametrize(("agei", "pow_", "expected", "digits"), [
    (90, "exp", 10.61044, 7), (95, "exp", 11.89005, 7), (95, 2, 7.20897, 6), (95, 1000, 11.88047, 7),
    (95, 1, 4.198132, 7),
])
def test_kannisto_reproduces_demotools_examples(agei, pow_, expected, digits):
    assert kannisto(PASEX, AGE, agei=agei, pow=pow_) == printed(expected, digits)


def test_kannisto_arithmetic_mean_is_the_documented_identity():
    # the example's last line: pop1m_pasex[Age==95] / mean(pop1m_pasex[Age >= 93 & Age <= 97])
    assert kannisto(PASEX, AGE, agei=95, pow=1) == pytest.approx(PASEX[95] / PASEX[93:98].mean())


def test_kannisto_switches_to_power_1000_when_a_count_is_zero():
    v = PASEX.copy()
    v[94] = 0
    assert kannisto(v, AGE, agei=95) == kannisto(v, AGE, agei=95, pow=1000)


# check_heaping_jdanov example (deaths by single age 0-110): 94.72588
def test_jdanov_reproduces_demotools_example():
    d = pd.read_csv(DATA / "jdanov_example_deaths_1yr.csv")
    assert jdanov(d["deaths"], d["age"], agei=(95, 100, 105)) == printed(94.72588)
    assert jdanov(d["deaths"], d["age"]) == printed(94.72588)


def test_indices_read_only_their_own_age_range():
    # test-AGEHEAP.R "is_single() applied only to tested age range": ages 0:90 and 100, count 10
    age = np.r_[np.arange(91), 100]
    count = np.full(age.size, 10.0)
    assert whipple(count, age, age_min=25, age_max=65) == 1
    assert myers(count, age, age_min=25, age_max=65) == 0
    assert bachi(count, age, age_min=25, age_max=65) == 0
    assert coale_li(count, age, age_min=60, age_max=89) == pytest.approx(1)
    assert noumbissi(count, age, age_min=25, age_max=65) == 1
    assert spoorenberg(count, age, age_min=25, age_max=65) == 0


def test_non_single_ages_in_the_range_are_a_clear_error():
    age = np.arange(0, 100, 5)
    with pytest.raises(ValueError, match="consecutive single years"):
        whipple(np.ones(20), age)
    with pytest.raises(ValueError, match="same length"):
        whipple(np.ones(5), AGE)
    with pytest.raises(ValueError, match="pair"):
        whipple(PASEX, AGE, digit=(0, 3))
    with pytest.raises(ValueError, match="missing"):
        myers(np.r_[np.nan, PASEX[1:]], AGE)
    with pytest.raises(ValueError, match="method"):
        bachi(PASEX, AGE, method="x")


def test_heaping_on_0_and_5_moves_every_index_the_right_way():
    smooth = np.linspace(2000, 200, 100)
    heaped = smooth.copy()
    for a in range(25, 95, 5):  # move 30 % of each neighbour onto ages ending in 0 and 5
        for nb in (a - 1, a + 1):
            heaped[a] += 0.3 * heaped[nb]
            heaped[nb] *= 0.7
    assert whipple(heaped, AGE, age_min=25, age_max=60) > 1.2 > whipple(smooth, AGE, age_min=25, age_max=60) - 0.01
    assert myers(heaped, AGE) > myers(smooth, AGE) + 5
    assert bachi(heaped, AGE) > bachi(smooth, AGE) + 5
    assert spoorenberg(heaped, AGE) > spoorenberg(smooth, AGE) + 1
    assert noumbissi(heaped, AGE, digit=0) > 1.2 and noumbissi(heaped, AGE, digit=1) < 0.9
