"""pandera schemas of the contract tables (``popqa.schemas``).

One ``DataFrameModel`` per table of the data contract, generated from
:mod:`popqa.contract`; lazy validation; failures turned into findings rows.
"""

from popqa.schemas.models import (
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
from popqa.schemas.validate import (
    SCHEMA_RULES,
    failure_cases_to_findings,
    validate,
    validate_register,
)

__all__ = [
    "SCHEMAS",
    "SCHEMA_RULES",
    "schema_for",
    "validate",
    "validate_register",
    "failure_cases_to_findings",
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
