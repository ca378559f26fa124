"""Settings of the labour-market indicators: targets, ages, thresholds.

The targets are those of the Program supporting labour-market development to
2030 (Decision 176/QĐ-TTg of 5 February 2021); the retirement ages follow the
2019 Labour Code (Law 45/2019/QH14, Article 169) and Decree 135/2020/NĐ-CP.
Every value can be changed, e.g. from YAML (``LabourConfig(**yaml.safe_load(...))``).

Examples
--------
>>> cfg = LabourConfig()
>>> cfg.retirement_age(2025, 1), round(cfg.retirement_age(2025, 2), 4)
(61.25, 56.6667)
>>> cfg.targets["unemployment_rate"].value(2030)
0.03
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["LabourConfig", "Target", "DEFAULT_TARGETS"]


class Target(BaseModel):
    """A program target for 2025 and 2030.

    ``direction`` says which side meets it: ``"below"`` (the value must stay
    under the target) or ``"at_least"``. A target of None is not set.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_2025: float | None = None
    target_2030: float | None = None
    direction: Literal["below", "at_least"]
    note: str = ""

    def value(self, year: int) -> float | None:
        """The target of ``year`` (2025 or 2030)."""
        if year not in (2025, 2030):
            raise ValueError(f"targets are set for 2025 and 2030, not {year}")
        return self.target_2025 if year == 2025 else self.target_2030


def _t(a: float | None, b: float | None, direction: str, note: str = "") -> Target:
    return Target(target_2025=a, target_2030=b, direction=direction, note=note)  # type: ignore[arg-type]


#: Decision 176/QĐ-TTg (2021), section II.2 (targets to 2025 and 2030).
DEFAULT_TARGETS: dict[str, Target] = {
    "unemployment_rate": _t(0.03, 0.03, "below"),
    "unemployment_rate_urban": _t(0.04, 0.04, "below"),
    "trained_share": _t(0.30, 0.35, "at_least", "2030 target is 35-40%; the lower bound is used"),
    "agriculture_share": _t(0.30, 0.20, "below"),
    "neet_rate": _t(0.08, 0.08, "below"),
    "youth_unemployment_urban": _t(0.07, 0.07, "below"),
    "youth_underemployment_rural": _t(0.06, 0.06, "below"),
    "social_insurance_share": _t(0.45, 0.60, "at_least"),
    "voluntary_insurance_share": _t(0.025, 0.05, "at_least", "'about 2.5%' (2025)"),
    "it_skills_share": _t(0.80, 0.90, "at_least"),
    # read from the optional province indicators table (the LFS cannot give them)
    "labour_productivity_growth": _t(0.065, 0.065, "at_least", "annual average growth"),
    "career_guidance_share": _t(0.80, 0.90, "at_least", "upper-secondary graduates given career guidance"),
    "job_centre_placement_share": _t(0.40, 0.45, "at_least", "job seekers placed by public job-service centres"),
}


class LabourConfig(BaseModel):
    """Targets, ages and thresholds of :func:`popqa.labour.indicators`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    targets: dict[str, Target] = Field(default_factory=lambda: dict(DEFAULT_TARGETS),
                                       description="program targets by indicator id")
    min_age: int = Field(15, ge=10, le=20, description="lower age of the labour force (ICLS-19: 15)")
    youth_ages: tuple[int, int] = Field((15, 24), description="youth, inclusive (NEET, youth unemployment)")
    underemployment_hours: float = Field(
        35.0, gt=0, description="time-related underemployment: worked fewer hours than this in the reference week",
    )
    # 2019 Labour Code art. 169 and Decree 135/2020: from 2021 the normal retirement age rises by 3 months a
    # year for men (60 -> 62 in 2028) and 4 months a year for women (55 -> 60 in 2035).
    retirement_start_year: int = Field(2021, description="first year of the rising schedule")
    retirement_base: dict[int, float] = Field(
        default_factory=lambda: {1: 60.0, 2: 55.0}, description="retirement age (years) before the schedule, by sex",
    )
    retirement_step_months: dict[int, float] = Field(
        default_factory=lambda: {1: 3.0, 2: 4.0}, description="months added each year from the start year, by sex",
    )
    retirement_cap: dict[int, float] = Field(
        default_factory=lambda: {1: 62.0, 2: 60.0}, description="final retirement age, by sex",
    )
    min_n: int = Field(
        30, ge=1, description="an estimate whose denominator has fewer sampled persons is 'insufficient' "
                              "(no status against a target)",
    )
    min_psus: int = Field(2, ge=1, description="... or fewer sampled PSUs")
    level: float = Field(0.95, gt=0, lt=1, description="confidence level of the intervals")
    interval: Literal["logit", "normal"] = Field(
        "logit", description="'logit': R's svyciprop(method='logit') on the design degrees of freedom "
                             "(stays inside 0-1); 'normal': estimate +- z se as R's confint(svyratio)",
    )
    use_fpc: bool = Field(False, description="use the LFS's fpc column (stage-1 population of PSUs) if present")
    district_level: bool = Field(True, description="the stage writes district rows when district_code is given")

    @model_validator(mode="after")
    def _check(self) -> LabourConfig:
        lo, hi = self.youth_ages
        if not self.min_age <= lo <= hi:
            raise ValueError(f"youth_ages must be an interval starting at min_age or later, got {self.youth_ages}")
        for name in ("retirement_base", "retirement_step_months", "retirement_cap"):
            if set(getattr(self, name)) != {1, 2}:
                raise ValueError(f"{name} needs a value for sex 1 (male) and 2 (female)")
        return self

    def retirement_age(self, year: int, sex: int) -> float:
        """Statutory retirement age (years, fractional) in ``year`` for ``sex`` (1 male, 2 female)."""
        if sex not in (1, 2):
            raise ValueError(f"sex must be 1 or 2, got {sex!r}")
        steps = max(0, int(year) - self.retirement_start_year + 1)
        age = self.retirement_base[sex] + steps * self.retirement_step_months[sex] / 12.0
        return min(age, self.retirement_cap[sex])
