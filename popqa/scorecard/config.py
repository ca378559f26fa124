"""Settings of the scorecard: grade bands per admin level, weights, program targets.

Defaults (documented in ``docs/reports.md``):

=============================  ==========  ===========
level                          green from  yellow from
=============================  ==========  ===========
province, district, commune,   95          85
commune_2025
collaborator                   90          75
=============================  ==========  ===========

Below the yellow band a unit is red. As in the DHIS2 scorecard, every admin
level can carry its own bands (``levels``); a level without an entry uses
``green`` / ``yellow``.

Examples
--------
>>> cfg = ScorecardConfig()
>>> cfg.bands("district").green, cfg.bands("collaborator").yellow
(95.0, 75.0)
>>> ScorecardConfig(levels={"commune": {"green": 80, "yellow": 60}}).bands("commune").green
80.0
>>> ScorecardConfig().target("on_time_communes", 2026)
(2030, 1.0)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Bands", "ScorecardConfig", "DEFAULT_LEVEL_BANDS"]


class Bands(BaseModel):
    """Grade bands of one admin level (scores 0-100)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    green: float = Field(95.0, ge=0, le=100, description="score at or above which a unit is green")
    yellow: float = Field(85.0, ge=0, le=100, description="score at or above which a unit is yellow (below: red)")

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.yellow > self.green:
            raise ValueError("the yellow band must not start above the green band")
        return self


#: Default bands per level; collaborators (small denominators) get wider ones.
DEFAULT_LEVEL_BANDS: dict[str, dict[str, float]] = {
    "collaborator": {"green": 90.0, "yellow": 75.0},
}


class ScorecardConfig(BaseModel):
    """How findings become scores, grades, roll-ups and targets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    green: float = Field(95.0, ge=0, le=100, description="default green band (levels without their own bands)")
    yellow: float = Field(85.0, ge=0, le=100, description="default yellow band (levels without their own bands)")
    levels: dict[str, Bands] = Field(
        default_factory=dict,
        description=(
            "bands per admin level (province, district, commune, commune_2025, collaborator); "
            "a level not given here keeps its default (DEFAULT_LEVEL_BANDS, else green/yellow)"
        ),
    )
    severity_weights: dict[str, float] = Field(
        default_factory=lambda: {"error": 1.0, "warning": 0.5, "info": 0.0},
        description="weight of a record flagged with this severity (the worst finding of the record counts)",
    )
    dimension_weights: dict[str, float] = Field(
        default_factory=dict, description="weight of each dimension in the overall score (1 when absent)"
    )
    dimension_tables: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "tables whose records form a dimension's denominator; by default the tables "
            "that the dimension's findings concern (all register tables when none)"
        ),
    )
    fail_below: str = Field(
        "green",
        pattern="^(green|yellow)$",
        description="WHO DQR roll-ups: a unit fails a metric when its score is below this band",
    )
    on_time_share: float = Field(
        0.9, ge=0, le=1, description="a commune is updated on time when this share of its events is recorded in time"
    )
    targets: dict[str, dict[int, float]] = Field(
        default_factory=lambda: {
            "on_time_communes": {2025: 0.9, 2030: 1.0},
            "mobile_entry": {2030: 0.9},
        },
        description="program targets of the province plan: year -> share",
    )
    history_periods: int = Field(12, ge=2, description="periods shown in the trend sparklines")

    @model_validator(mode="after")
    def _ordered(self) -> ScorecardConfig:
        if self.yellow > self.green:
            raise ValueError("the yellow band must not start above the green band")
        return self

    def bands(self, level: str) -> Bands:
        """The bands of ``level`` (its own when configured, else the defaults)."""
        if level in self.levels:
            return self.levels[level]
        if level in DEFAULT_LEVEL_BANDS:
            return Bands(**DEFAULT_LEVEL_BANDS[level])
        return Bands(green=self.green, yellow=self.yellow)

    def target(self, name: str, year: int) -> tuple[int, float] | None:
        """The milestone (year, share) of target ``name`` that applies in ``year``.

        The first milestone at or after ``year``; the last one once all have passed.
        """
        milestones = sorted(self.targets.get(name, {}).items())
        if not milestones:
            return None
        for y, v in milestones:
            if y >= year:
                return int(y), float(v)
        y, v = milestones[-1]
        return int(y), float(v)
