"""Settings of the scorecard."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ScorecardConfig(BaseModel):
    """Grade bands (scores 0-100)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    green: float = Field(90.0, description="score at or above which a unit is green")
    yellow: float = Field(75.0, description="score at or above which a unit is yellow (below: red)")
