"""The structural gate (``popqa.schemas``): pandera models of the contract tables.

One ``DataFrameSchema`` per table of the data contract, generated from
:mod:`popqa.contract`, checking structure only (required columns, the readers'
dtypes). :func:`structural_gate` raises one clear :class:`~popqa.errors.InputError`
when a register does not have that structure; value-level problems are rules of
the catalogue (:mod:`popqa.checks`), never checked here.
"""

from popqa.schemas.gate import structural_failures, structural_gate
from popqa.schemas.models import (
    READER_DTYPES,
    SCHEMAS,
    CivilBirthsSchema,
    CivilDeathsSchema,
    EventsSchema,
    HouseholdsSchema,
    InsuranceSchema,
    LabourForceSchema,
    PersonsSchema,
    ResidentsSchema,
    SurveyPersonsSchema,
    schema_for,
)

__all__ = [
    "structural_gate",
    "structural_failures",
    "SCHEMAS",
    "READER_DTYPES",
    "schema_for",
    "HouseholdsSchema",
    "PersonsSchema",
    "EventsSchema",
    "CivilBirthsSchema",
    "CivilDeathsSchema",
    "ResidentsSchema",
    "InsuranceSchema",
    "SurveyPersonsSchema",
    "LabourForceSchema",
]
