"""Settings of deduplication and record linkage."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class LinkageConfig(BaseModel):
    """Thresholds of the Splink models."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(0.9, ge=0, le=1, description="match probability at or above which a pair is a duplicate")
    review_low: float = Field(0.5, ge=0, le=1, description="pairs between review_low and threshold go to clerical review")
