"""Settings of the quality rules (thresholds documented in docs/rules.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from popqa.definitions import LEGAL_DEADLINES  # re-exported: the one table of deadlines

__all__ = ["ChecksConfig", "LEGAL_DEADLINES"]

class ChecksConfig(BaseModel):
    """Thresholds of the rule catalogue.

    Examples
    --------
    >>> ChecksConfig(late_days=45).late_days
    45
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    late_days: int = Field(30, ge=0, description="an event recorded more than this many days after it happened is late")
    use_legal_deadlines: bool = Field(
        False,
        description="judge births/deaths/moves against their legal deadlines (LEGAL_DEADLINES) instead of late_days",
    )
    max_age: int = Field(110, description="ages above this are implausible")
    outlier_z: float = Field(3.5, description="modified z-score threshold for monthly event counts (WHO DQR)")
    outlier_min_count: int = Field(
        10, ge=0, description="a commune-month must also exceed its median by at least this many events"
    )
    mother_age_min: int = Field(12, description="youngest plausible age of a mother at the birth")
    mother_age_max: int = Field(55, description="oldest plausible age of a mother at the birth")
    min_parent_gap: int = Field(12, description="a head must be at least this many years older than an own child")
    marriage_age_men: int = Field(20, description="legal marriage age of men (Law on Marriage and Family 2014)")
    marriage_age_women: int = Field(18, description="legal marriage age of women")
    unit_missing_share: float = Field(
        0.05, ge=0, le=1, description="commune flagged when this share of persons lacks a required field"
    )
    srb_band: tuple[float, float] = Field(
        (95.0, 125.0), description="sex ratio at birth (boys per 100 girls) outside this band is flagged if significant"
    )
    sex_ratio_band: tuple[float, float] = Field(
        (85.0, 115.0), description="overall sex ratio (men per 100 women) band"
    )
    significance_z: float = Field(
        3.0, description="a ratio outside its band is flagged only when it differs from the band by this many SEs"
    )
    whipple_max: float = Field(125.0, description="Whipple's index (ages 23-62 ending in 0 or 5) above this is heaping")
    elderly_heaping_max: float = Field(
        140.0, description="Whipple index of the elderly (ages 60-95 ending in 0 or 5 over a fifth of ages 58-97, DemoTools centred window, x100) above this is flagged"
    )
    balance_tolerance: float = Field(
        0.005, ge=0, description="population balance residual above this share of the population is flagged"
    )
    balance_min: int = Field(5, ge=0, description="... and above this many persons")
    cbr_band: tuple[float, float] = Field((4.0, 35.0), description="crude birth rate per 1,000 band")
    cdr_band: tuple[float, float] = Field((1.0, 20.0), description="crude death rate per 1,000 band")
