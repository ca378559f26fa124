"""Settings of the scorecard: grade bands and minimum records per admin level, weights, targets.

Scores are shares of records without a problem (see :mod:`popqa.scorecard.core`),
so a band of 97 means "at most 3 records in 100 need correcting". Defaults
(justified in ``docs/reports.md``):

=======================  =======  ========  ===========  ===========  ===========
level                    overall overall   dimension    dimension    min records
                         green   yellow    green        yellow
=======================  =======  ========  ===========  ===========  ===========
province, district,      97       95        99.5         98.5         50
commune, commune_2025
collaborator             98       95        98           95           30
=======================  =======  ========  ===========  ===========  ===========

Below the yellow band a unit is red. A unit with fewer records than its
level's minimum is not graded (grade ``"insufficient"``: too few records).
As in the DHIS2 scorecard, every admin level can carry its own bands
(``levels``); a level without an entry uses its default.

Examples
--------
>>> cfg = ScorecardConfig()
>>> cfg.bands("district").green, cfg.bands("collaborator").green, cfg.bands("collaborator").min_records
(97.0, 98.0, 30)
>>> ScorecardConfig(levels={"commune": {"green": 80, "yellow": 60}}).bands("commune").green
80.0
>>> ScorecardConfig().target("on_time_communes", 2026)
(2030, 1.0)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Bands", "ScorecardConfig", "DEFAULT_LEVEL_BANDS", "DEFAULT_GROUP_RULES"]


class Bands(BaseModel):
    """Grade bands of one admin level (scores 0-100)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    green: float = Field(97.0, ge=0, le=100, description="score at or above which a unit is green")
    yellow: float = Field(95.0, ge=0, le=100, description="score at or above which a unit is yellow (below: red)")
    min_records: int = Field(
        50, ge=0, description="units with fewer records are not graded (shown as too few records)"
    )
    dimension_green: float | None = Field(
        None, ge=0, le=100, description="green band of the dimension scores (None: the config's default)"
    )
    dimension_yellow: float | None = Field(
        None, ge=0, le=100, description="yellow band of the dimension scores (None: the config's default)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Bands:
        if self.yellow > self.green:
            raise ValueError("the yellow band must not start above the green band")
        return self


#: Default bands per level; collaborators (small denominators: one record moves
#: their score by 1-3 points) get a wider yellow band and a lower minimum.
DEFAULT_LEVEL_BANDS: dict[str, dict[str, float | int]] = {
    "collaborator": {"green": 98.0, "yellow": 95.0, "min_records": 30,
                     "dimension_green": 98.0, "dimension_yellow": 95.0},
}

#: Uniqueness rules that flag every record of a group sharing one value (a
#: duplicated key or citizen ID): k records hold k-1 surplus ones.
DEFAULT_GROUP_RULES = ("U001", "U002", "U004")


class ScorecardConfig(BaseModel):
    """How findings become scores, grades, roll-ups and targets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    green: float = Field(97.0, ge=0, le=100, description="default green band (levels without their own bands)")
    yellow: float = Field(95.0, ge=0, le=100, description="default yellow band (levels without their own bands)")
    min_records: int = Field(50, ge=0, description="default minimum of records to grade a unit")
    dimension_green: float = Field(
        99.5, ge=0, le=100,
        description="default green band of a single dimension's score (stricter: one of seven parts of the whole)",
    )
    dimension_yellow: float = Field(98.5, ge=0, le=100, description="default yellow band of a dimension's score")
    levels: dict[str, Bands] = Field(
        default_factory=dict,
        description=(
            "bands per admin level (province, district, commune, commune_2025, collaborator); "
            "a level not given here keeps its default (DEFAULT_LEVEL_BANDS, else green/yellow)"
        ),
    )
    dimension_bands: dict[str, Bands] = Field(
        default_factory=dict,
        description=(
            "bands of a dimension's score (e.g. a stricter uniqueness band), at every level; "
            "dimensions not given here use the level's bands"
        ),
    )
    group_rules: list[str] = Field(
        default_factory=lambda: list(DEFAULT_GROUP_RULES),
        description=(
            "rules flagging every record of a group that shares the finding's value (duplicated keys); "
            "the group's first record is not counted, so k records count as k-1 in error"
        ),
    )
    register_tables: list[str] = Field(
        default_factory=lambda: ["households", "persons", "events"],
        description=(
            "tables whose every record enters the overall score's denominator; records of other "
            "tables (administrative sources) enter it only when flagged (a record the register misses)"
        ),
    )
    severity_weights: dict[str, float] = Field(
        default_factory=lambda: {"error": 1.0, "warning": 0.5, "info": 0.0},
        description="weight of a record flagged with this severity (the worst finding of the record counts)",
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
        if self.yellow > self.green or self.dimension_yellow > self.dimension_green:
            raise ValueError("the yellow band must not start above the green band")
        return self

    def bands(self, level: str) -> Bands:
        """The bands of ``level``: its configured fields over its defaults.

        A level configured with only ``green`` and ``yellow`` keeps its default
        ``min_records`` (and conversely).
        """
        if level in DEFAULT_LEVEL_BANDS:
            base = {"green": self.green, "yellow": self.yellow, "min_records": self.min_records,
                    **DEFAULT_LEVEL_BANDS[level]}  # type: ignore[dict-item]
        else:
            base = {"green": self.green, "yellow": self.yellow, "min_records": self.min_records}
        if level in self.levels:
            own = self.levels[level]
            base.update({k: getattr(own, k) for k in own.model_fields_set})
        return Bands(**base)

    def dimension_band(self, level: str, dimension: str) -> Bands:
        """The bands that grade ``dimension`` at ``level`` (always with the level's minimum of records).

        ``dimension_bands[dimension]`` when configured, else the level's
        ``dimension_green`` / ``dimension_yellow``, else the config's.

        >>> b = ScorecardConfig().dimension_band("commune", "validity")
        >>> b.green, b.yellow, b.min_records
        (99.5, 98.5, 50)
        """
        lb = self.bands(level)
        if dimension in self.dimension_bands:
            b = self.dimension_bands[dimension]
            return Bands(green=b.green, yellow=b.yellow, min_records=lb.min_records)
        g = lb.dimension_green if lb.dimension_green is not None else self.dimension_green
        y = lb.dimension_yellow if lb.dimension_yellow is not None else self.dimension_yellow
        return Bands(green=g, yellow=y, min_records=lb.min_records)

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
