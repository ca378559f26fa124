"""Settings of report execution."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReportingConfig(BaseModel):
    """How district reports are executed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kernel_name: str = Field("python3", description="Jupyter kernel that runs the report notebooks")
    execution_timeout: int = Field(600, ge=1, description="seconds one cell may run")
    start_timeout: int = Field(60, ge=1, description="seconds a kernel may take to start")
    kernel_retries: int = Field(1, ge=0, description="retries when a kernel fails to start")
    workers: int = Field(2, ge=1, description="district reports executed at once")
