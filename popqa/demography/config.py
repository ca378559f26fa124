"""Settings of the demography stage: when a count is too small, pooling, the projection's assumptions.

Each threshold is documented in ``docs/demography.md`` with its reason.

Examples
--------
>>> DemographyConfig().min_events
20
>>> DemographyConfig(horizon=2035).horizon
2035
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["DemographyConfig", "SCENARIOS"]

#: Projection scenarios :func:`popqa.demography.project` knows.
SCENARIOS = ("constant", "declining_fertility", "no_migration")


class DemographyConfig(BaseModel):
    """Thresholds and assumptions of the demography stage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_months: int = Field(
        12, ge=1, le=120,
        description="events and person-years are counted over this many months ending at the period's last day",
    )
    min_events: int = Field(
        20, ge=0,
        description="a rate whose numerator (births, deaths) is below this is 'insufficient' for the unit "
                    "(relative standard error above about 22%, the NCHS reliability rule)",
    )
    min_births_infant: int = Field(
        500, ge=0, description="infant and under-five mortality need at least this many live births in the unit",
    )
    min_persons_structure: int = Field(
        100, ge=0, description="median age, dependency ratios and the pyramid need at least this many persons",
    )
    min_population_life_table: int = Field(
        5000, ge=0, description="a life table needs at least this mid-period population (Eayres and Williams 2004)",
    )
    min_deaths_life_table: int = Field(
        50, ge=0, description="... and at least this many deaths",
    )
    pool_to_district: bool = Field(
        True, description="where a commune is insufficient, add its district's estimate as a row with group "
                          "'pooled=district' (a 2025 commune: the province's, 'pooled=province')",
    )
    life_table_open_age: int = Field(85, ge=50, le=100, description="the open age group of life tables and projections")
    horizon: int = Field(2030, ge=2000, le=2100, description="the projection runs to this calendar year (annual figures)")
    scenarios: tuple[str, ...] = Field(SCENARIOS, description="projection scenarios written as indicator rows")
    fertility_decline_per_5y: float = Field(
        0.05, ge=0, lt=1,
        description="'declining_fertility' scenario: every five years the age-specific rates fall by this fraction",
    )
    srb: float | None = Field(
        None, gt=0, description="sex ratio at birth (boys per girl) for the projection; None uses the register's",
    )

    @model_validator(mode="after")
    def _known_scenarios(self) -> DemographyConfig:
        bad = [s for s in self.scenarios if s not in SCENARIOS]
        if bad:
            raise ValueError(f"unknown projection scenario(s) {bad}; known: {SCENARIOS}")
        if self.life_table_open_age % 5:
            raise ValueError(f"life_table_open_age must be a multiple of 5, got {self.life_table_open_age}")
        return self
