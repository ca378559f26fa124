"""Typed configuration, buildable from YAML; never a notebook global.

Each stage owns its section (``popqa.checks.config``, ``popqa.linkage.config``,
``popqa.scorecard.config``, ``popqa.reporting.config``); :class:`Config`
gathers them. Unknown keys are an error, so a typo in a YAML file is caught.

Examples
--------
>>> cfg = Config.from_dict({"checks": {"late_days": 45}})
>>> cfg.checks.late_days, cfg.province_code
(45, '72')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from popqa.checks.config import ChecksConfig
from popqa.linkage.config import LinkageConfig
from popqa.reporting.config import ReportingConfig
from popqa.scorecard.config import ScorecardConfig

__all__ = ["Config", "load_config"]


class Config(BaseModel):
    """All of popqa's settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    province_code: str = Field("72", description="legacy GSO code of the province audited")
    language: str = Field("vi", pattern="^(vi|en)$", description="report language")
    checks: ChecksConfig = ChecksConfig()
    linkage: LinkageConfig = LinkageConfig()
    scorecard: ScorecardConfig = ScorecardConfig()
    reporting: ReportingConfig = ReportingConfig()

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Config:
        return cls.model_validate(data or {})

    @classmethod
    def from_yaml(cls, path: str | Path) -> Config:
        with open(path, encoding="utf-8") as fh:
            return cls.from_dict(yaml.safe_load(fh))


def load_config(path: str | Path | None = None) -> Config:
    """The configuration at ``path``, or the defaults."""
    return Config.from_yaml(path) if path else Config()
