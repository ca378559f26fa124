"""Thresholds of the reconciliation stage (dual-system estimates and coverage).

Defaults and their reasons are in ``docs/reconciliation.md``.

Examples
--------
>>> cfg = ReconcileConfig()
>>> cfg.min_matches, cfg.max_cv, cfg.ci
(10, 0.3, 'normal')
>>> ReconcileConfig(min_matches=20).min_matches
20
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ReconcileConfig"]


class ReconcileConfig(BaseModel):
    """Settings of :func:`popqa.reconcile.reconcile_stage`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_matches: int = Field(
        10, ge=1, description="an estimate with fewer records found in both sources is unreliable")
    max_cv: float = Field(
        0.30, gt=0, description="an estimate whose coefficient of variation (se / estimate) is above this is unreliable")
    level: float = Field(0.95, gt=0, lt=1, description="confidence level of the intervals")
    ci: Literal["log", "normal"] = Field(
        "normal", description="interval of the Chapman estimate: normal (truncated at the events seen) or Chao's "
                              "(1987) log-transformed; the log interval starts above the events seen and misses "
                              "the truth when few or none are missed by both (docs/reconciliation.md)")
    pool_small_communes: bool = Field(
        True, description="unreliable communes get no commune figure; their events are pooled into a "
                          "district row (group 'pooled') and count in the district estimate")
    completeness_target: float = Field(
        0.95, ge=0, le=1,
        description="a unit whose register completeness interval lies wholly below this is flagged (finding)")
    survey_levels: tuple[Literal["province", "district", "commune_2025"], ...] = Field(
        ("province", "district"),
        description="unit levels the population-change survey is designed to estimate (its strata nest in "
                    "them); other levels are listed as not compared. A unit cutting across strata has a sample "
                    "size left to chance and a biased estimate when kept only where enough PSUs fell "
                    "(docs/reconciliation.md)")
    survey_min_psus: int = Field(
        5, ge=2, description="the survey comparison estimates a unit only when the survey sampled at least this "
                             "many clusters (PSUs) in it; fewer give a variance too unstable for an interval")
    survey_min_events: int = Field(
        20, ge=1, description="a survey estimate from fewer sampled persons (of the group) or events (births, "
                              "deaths of the sampled households) is unreliable: its variance is as uncertain "
                              "as the estimate (CDC WISQARS: a rate from 20 or fewer deaths is unstable)")
    survey_max_cv: float = Field(
        0.30, gt=0, description="a survey estimate whose coefficient of variation is above this is too imprecise "
                                "to compare the register with (status insufficient, no number)")
    province_code: str | None = Field(
        None, description="legacy province code of the register (None: the most common code of its households); "
                          "records of communes outside it are removed as out of area")
