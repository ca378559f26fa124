"""The age-sex structure the synthetic province is calibrated to (a 2019-census-like Tây Ninh).

What the numbers are
--------------------
:data:`AGE_SHARES` gives the share (percent of the whole population, both
sexes) of each 5-year age group 0-4 .. 75-79 and 80+, and :data:`SEX_RATIOS`
the males per 100 females in each group. :func:`target_pyramid` turns them
into 34 age-sex cells summing to 1.

Where they come from, and what is approximate
---------------------------------------------
*Published and used as is*: Tây Ninh's 2019 Population and Housing Census
total (1,169,165 persons on 1 April 2019), its sex ratio of about 99 males per
100 females, a total fertility rate of about 1.6 (below replacement), and the
national 2019 census shape (GSO, *Completed results of the 2019 Viet Nam
Population and Housing Census*): largest cohorts at 25-39 (births of the
1980s-1990s), a dip at 40-44 (births of 1975-1979), a solid 45-59 band, then a
steep decline; national shares 0-14 = 24.3% and 65+ = 7.7%.

*Approximations* (we did not have Tây Ninh's own 5-year table): every
group's share and sex ratio here. They are the national 2019 shape adjusted
to Tây Ninh's lower fertility (Southeast region): 0-14 = 21.5% (national
24.3%), 15-64 = 71.0%, 65+ = 7.5%; sex ratios about 110 for children (the
sex ratio at birth of 2010-2019), near 100-103 at working ages, falling to 55
at 80+; the overall sex ratio they give is 99.2. Each group's share is
rounded to 0.1 point. Treat the table as "census-like", not as census
figures.

The generator applies the table to ages at the synthetic export date (the
last day of ``period``), i.e. the 2019 structure is not aged forward.

Examples
--------
>>> t = target_pyramid()
>>> round(float(t["share"].sum()), 6), len(t)
(1.0, 34)
>>> round(sex_ratio(t), 1)
99.2
>>> {k: round(v, 3) for k, v in broad_shares(t).items()}
{'0-14': 0.215, '15-64': 0.71, '65+': 0.075}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "AGE_GROUPS",
    "AGE_SHARES",
    "SEX_RATIOS",
    "age_group",
    "target_pyramid",
    "pyramid_of",
    "sex_ratio",
    "broad_shares",
    "total_variation",
]

#: Labels of the 17 five-year age groups.
AGE_GROUPS: tuple[str, ...] = tuple(f"{a}-{a + 4}" for a in range(0, 80, 5)) + ("80+",)

#: Percent of the population in each age group, both sexes (approximation, see module docstring).
AGE_SHARES: tuple[float, ...] = (
    7.0, 7.6, 6.9,  # 0-14: 21.5
    6.3, 7.2, 8.7, 8.9, 8.4, 7.0, 7.3, 6.9, 5.9, 4.4,  # 15-64: 71.0
    3.0, 1.8, 1.2, 1.5,  # 65+: 7.5
)

#: Males per 100 females in each age group (approximation, see module docstring).
SEX_RATIOS: tuple[float, ...] = (
    110, 110, 109,
    106, 103, 102, 102, 101, 100, 98, 95, 92, 88,
    84, 77, 70, 55,
)


def age_group(age_years: np.ndarray) -> np.ndarray:
    """Index 0..16 of the 5-year age group (80+ = 16) of ages in completed years.

    Examples
    --------
    >>> age_group(np.array([0, 4.9, 5, 79.5, 80, 104])).tolist()
    [0, 0, 1, 15, 16, 16]
    """
    a = np.asarray(age_years, dtype=float)
    return np.clip(np.floor(a / 5), 0, 16).astype(np.int64)


def target_pyramid() -> pd.DataFrame:
    """The 34 target cells: ``age_group``, ``sex`` (1 male, 2 female), ``share`` (sums to 1)."""
    share = np.asarray(AGE_SHARES) / 100.0
    share = share / share.sum()
    sr = np.asarray(SEX_RATIOS, dtype=float)
    male = share * sr / (100.0 + sr)
    return pd.DataFrame(
        {
            "age_group": np.tile(np.asarray(AGE_GROUPS, dtype=object), 2),
            "sex": np.repeat([1, 2], len(AGE_GROUPS)),
            "share": np.concatenate([male, share - male]),
        }
    )


def pyramid_of(age_years: np.ndarray, sex: np.ndarray) -> pd.DataFrame:
    """Observed shares in the same 34 cells (same layout as :func:`target_pyramid`).

    Examples
    --------
    >>> p = pyramid_of(np.array([1.0, 30.0, 85.0, 85.0]), np.array([1, 2, 2, 1]))
    >>> p.loc[p["share"] > 0, ["age_group", "sex", "share"]].values.tolist()
    [['0-4', 1, 0.25], ['80+', 1, 0.25], ['30-34', 2, 0.25], ['80+', 2, 0.25]]
    """
    g = age_group(age_years)
    s = np.asarray(sex, dtype=np.int64)
    ok = (s == 1) | (s == 2)
    cell = (s[ok] - 1) * len(AGE_GROUPS) + g[ok]
    counts = np.bincount(cell, minlength=2 * len(AGE_GROUPS)).astype(float)
    out = target_pyramid().drop(columns="share")
    out["share"] = counts / max(counts.sum(), 1.0)
    return out


def sex_ratio(pyr: pd.DataFrame) -> float:
    """Males per 100 females of a pyramid frame."""
    m = pyr.loc[pyr["sex"] == 1, "share"].sum()
    f = pyr.loc[pyr["sex"] == 2, "share"].sum()
    return float(100.0 * m / f)


def broad_shares(pyr: pd.DataFrame) -> dict[str, float]:
    """Shares of 0-14, 15-64 and 65+ of a pyramid frame."""
    idx = pd.Series(range(len(AGE_GROUPS)), index=AGE_GROUPS)
    gi = idx[pyr["age_group"]].to_numpy()
    s = pyr["share"].to_numpy()
    return {
        "0-14": float(s[gi < 3].sum()),
        "15-64": float(s[(gi >= 3) & (gi < 13)].sum()),
        "65+": float(s[gi >= 13].sum()),
    }


def total_variation(a: pd.DataFrame, b: pd.DataFrame) -> float:
    """Total variation distance (half the sum of absolute differences) between two pyramids."""
    return float(0.5 * np.abs(a["share"].to_numpy() - b["share"].to_numpy()).sum())
