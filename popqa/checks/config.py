"""Settings of the quality rules."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ChecksConfig(BaseModel):
    """Thresholds of the rule catalogue (documented in docs/rules.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    late_days: int = Field(30, ge=0, description="an event recorded more than this many days after it happened is late")
    max_age: int = Field(110, description="ages above this are implausible")
    outlier_z: float = Field(3.5, description="modified z-score threshold for monthly event counts (WHO DQR)")
