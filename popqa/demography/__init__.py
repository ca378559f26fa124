"""Demography: age-reporting quality (as DemoTools), rates, life tables, cohort-component projection.

* Age and sex reporting quality (:mod:`popqa.demography.heaping`,
  :mod:`popqa.demography.agesex`): DemoTools' indices with its argument names.
* Rates and structure per unit and period with intervals honest for small
  units (:mod:`popqa.demography.rates`), the abridged life table
  (:mod:`popqa.demography.lifetable`), the cohort-component projection
  (:mod:`popqa.demography.projection`), and the audit stage that writes them
  as indicator rows (:func:`demography_indicators`). See ``docs/demography.md``.

Examples
--------
>>> import numpy as np
>>> step = project_step(np.full(3, 100.0), np.array([5.0, 5.0, 10.0]), np.zeros(3), radix=1)
>>> np.round(step.population_f, 1).tolist()  # the open group survives with T / (5L + T) = 10 / 15
[0.0, 100.0, 133.3]
"""

from __future__ import annotations

from popqa.demography.agesex import (
    age_ratio_score,
    age_sex_accuracy,
    age_sex_accuracy_das_gupta,
    sex_ratio_score,
)
from popqa.demography.config import SCENARIOS, DemographyConfig
from popqa.demography.heaping import (
    bachi,
    coale_li,
    jdanov,
    kannisto,
    myers,
    noumbissi,
    spoorenberg,
    whipple,
)
from popqa.demography.lifetable import LifeTable, a0_coale_demeny, life_table
from popqa.demography.projection import Projection, ProjectionStep, project, project_step
from popqa.demography.rates import (
    binomial_ci,
    exposure,
    poisson_ci,
    vital_events,
    weighted_poisson_ci,
)
from popqa.demography.stage import demography_indicators

__all__ = [
    # age-sex reporting quality
    "whipple",
    "myers",
    "bachi",
    "noumbissi",
    "spoorenberg",
    "coale_li",
    "kannisto",
    "jdanov",
    "age_ratio_score",
    "sex_ratio_score",
    "age_sex_accuracy",
    "age_sex_accuracy_das_gupta",
    # rates, life table, projection, stage
    "DemographyConfig",
    "SCENARIOS",
    "exposure",
    "vital_events",
    "poisson_ci",
    "binomial_ci",
    "weighted_poisson_ci",
    "LifeTable",
    "life_table",
    "a0_coale_demeny",
    "ProjectionStep",
    "Projection",
    "project_step",
    "project",
    "demography_indicators",
]
