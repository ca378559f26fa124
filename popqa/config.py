"""Typed configuration, buildable from YAML; never a notebook global.

Each stage owns its section (``popqa.checks.config``, ``popqa.linkage.config``,
``popqa.scorecard.config``, ``popqa.reporting.config``, ``popqa.reconcile.config``,
``popqa.demography.config``, ``popqa.labour.config``); :class:`Config`
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
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from popqa.checks.config import ChecksConfig
from popqa.demography.config import DemographyConfig
from popqa.errors import ConfigError
from popqa.extracts.config import ExtractsConfig
from popqa.io.config import ReadConfig
from popqa.labour.config import LabourConfig
from popqa.linkage.config import LinkageConfig
from popqa.reconcile.config import ReconcileConfig
from popqa.reporting.config import ReportingConfig
from popqa.scorecard.config import ScorecardConfig

__all__ = ["Config", "load_config"]


class Config(BaseModel):
    """All of popqa's settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    province_code: str = Field("72", description="legacy GSO code of the province audited; several, comma-separated, "
                               "for a merged 2025 province (\"72,80\": Tây Ninh 2025 = legacy Tây Ninh + Long An). "
                               "From 1 July 2025 the legacy provinces merged into the same 2025 province are "
                               "inside the audited province either way, counted under the first code")
    language: str = Field("vi", pattern="^(vi|en)$", description="report language")
    read: ReadConfig = ReadConfig()
    checks: ChecksConfig = ChecksConfig()
    linkage: LinkageConfig = LinkageConfig()
    scorecard: ScorecardConfig = ScorecardConfig()
    reporting: ReportingConfig = ReportingConfig()
    reconcile: ReconcileConfig = ReconcileConfig()
    demography: DemographyConfig = DemographyConfig()
    labour: LabourConfig = LabourConfig()
    extracts: ExtractsConfig = ExtractsConfig()

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, *, source: str | None = None) -> Config:
        """Validate a mapping; any problem is one :class:`~popqa.errors.ConfigError` naming the key.

        >>> Config.from_dict({"checks": {"late_dayz": 45}})
        Traceback (most recent call last):
        ...
        popqa.errors.ConfigError: checks.late_dayz: unknown key
        """
        if data is not None and not isinstance(data, dict):
            raise ConfigError(f"must be a mapping of settings, got {type(data).__name__}", file=source)
        try:
            return cls.model_validate(data or {})
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"]) or None
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            else:
                msg = f"{err['msg']} (got {err.get('input')!r})"
            more = len(exc.errors()) - 1
            if more:
                msg += f" (and {more} more problem{'s' if more > 1 else ''})"
            raise ConfigError(msg, file=source, key=key) from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> Config:
        """Read a YAML file; a missing file, invalid YAML or a bad value is one ConfigError."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError("configuration file not found", file=str(p)) from None
        except IsADirectoryError:
            raise ConfigError("is a folder, not a configuration file", file=str(p)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot be read ({exc.__class__.__name__}: {exc})", file=str(p)) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ConfigError(f"{where}invalid YAML: {problem}", file=str(p)) from None
        return cls.from_dict(data, source=str(p))


def load_config(path: str | Path | None = None) -> Config:
    """The configuration at ``path``, or the defaults."""
    return Config.from_yaml(path) if path else Config()
