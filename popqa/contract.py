"""The data contract (v1) as data: every input table, its columns and their kinds.

This module is the single source of truth for ``../shared/data-contract.md``:
the readers coerce with it, the pandera schemas are built from it, and
``docs/data-contract.md`` mirrors it. Column names are English snake_case.

Kinds
-----
``id``        identifier kept as text exactly as given (never a number)
``code``      administrative or classification code: text with leading zeros
``str``       free text (names, addresses): Unicode NFC
``int``       small integer code (nullable ``Int64``)
``float``     real number
``bool``      true/false (nullable ``boolean``)
``date``      calendar date (``datetime64[ns]``, time part zero)
``datetime``  timestamp

Examples
--------
>>> TABLES["persons"].column("sex").kind
'int'
>>> [c.name for c in TABLES["households"].required_columns][:3]
['household_id', 'province_code', 'district_code']
>>> "persons" in REQUIRED_TABLES
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ColumnSpec",
    "TableSpec",
    "TABLES",
    "REQUIRED_TABLES",
    "REGISTER_TABLES",
    "ADMIN_TABLES",
    "SURVEY_TABLES",
    "CODE_LISTS",
    "EVENT_TYPES",
    "DIMENSIONS",
    "SEVERITIES",
    "FINDINGS_COLUMNS",
    "PAIRS_COLUMNS",
    "INDICATOR_COLUMNS",
    "INDICATOR_LEVELS",
    "INDICATOR_STATUSES",
]


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a contract table."""

    name: str
    kind: str
    required: bool = True
    nullable: bool = True
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One contract table: its columns, primary key and whether it must be present."""

    name: str
    columns: tuple[ColumnSpec, ...]
    key: str | None = None
    required: bool = False
    description: str = ""
    group: str = "register"
    _by_name: dict[str, ColumnSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {c.name: c for c in self.columns})

    def column(self, name: str) -> ColumnSpec:
        return self._by_name[name]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[ColumnSpec]:
        return [c for c in self.columns if c.required]

    def kinds(self) -> dict[str, str]:
        return {c.name: c.kind for c in self.columns}


def _c(name: str, kind: str, required: bool = True, nullable: bool = True, description: str = "") -> ColumnSpec:
    return ColumnSpec(name, kind, required, nullable, description)


_GEO = (
    _c("province_code", "code", description="legacy GSO province code, 2 digits"),
    _c("district_code", "code", description="legacy GSO district code, 3 digits"),
    _c("commune_code", "code", description="legacy GSO commune code, 5 digits"),
)

EVENT_TYPES = (
    "birth",
    "death",
    "move_in",
    "move_out",
    "marriage",
    "divorce",
    "contraception_change",
)

#: Closed code lists of the contract (integer codes and text codes).
CODE_LISTS: dict[str, dict[Any, str]] = {
    "sex": {1: "male", 2: "female"},
    "relation_to_head": {
        1: "head",
        2: "spouse",
        3: "own child",
        4: "adopted child / child-in-law",
        5: "parent of head or spouse",
        6: "grandchild",
        7: "other",
    },
    "marital_status": {1: "never married", 2: "married", 3: "widowed", 4: "divorced", 5: "separated"},
    "education_level": {
        0: "none",
        1: "primary incomplete",
        2: "primary",
        3: "lower secondary",
        4: "upper secondary",
        5: "vocational / college",
        6: "university or higher",
    },
    "residence_status": {1: "permanent", 2: "temporary resident", 3: "temporarily absent"},
    "status": {1: "present", 2: "died", 3: "moved out"},
    "birth_date_precision": {"day": "day", "month": "month", "year": "year"},
    "event_type": {e: e for e in EVENT_TYPES},
    "entry_channel": {"paper": "paper", "web": "web", "mobile": "mobile"},
    "ethnicity_code": {f"{i:02d}": ("Kinh" if i == 1 else f"ethnic group {i:02d}") for i in range(1, 55)}
    | {"55": "foreigner"},
    "residence_type": {1: "permanent", 2: "temporary"},
    "scheme": {"compulsory": "compulsory", "voluntary": "voluntary", "none": "none"},
    "labour_status": {"employed": "employed", "unemployed": "unemployed", "outside": "outside the labour force"},
    "sector": {"agriculture": "agriculture", "industry": "industry", "services": "services"},
    "training": {
        "none": "none",
        "short course": "short course",
        "certificate or higher": "certificate or higher",
    },
}

DIMENSIONS = (
    "completeness",
    "validity",
    "consistency",
    "uniqueness",
    "timeliness",
    "coverage",
    "plausibility",
)
SEVERITIES = ("error", "warning", "info")

_DESIGN = (
    _c("stratum", "code", description="design stratum"),
    _c("psu", "code", description="primary sampling unit (cluster)"),
    _c("weight", "float", description="survey weight"),
    _c("fpc", "float", required=False, description="finite population correction (optional)"),
)

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "households",
            (
                _c("household_id", "id", nullable=False, description="unique in the province"),
                *_GEO,
                _c("village", "str", description="thôn / ấp / khu phố"),
                _c("address", "str", description="free text, may be empty"),
                _c("collaborator_id", "id", description="population collaborator keeping the A0 sheet"),
                _c("created_date", "date"),
            ),
            key="household_id",
            required=True,
            description="Households of the population register (MIS).",
        ),
        TableSpec(
            "persons",
            (
                _c("person_id", "id", nullable=False, description="unique in the province"),
                _c("household_id", "id", description="must exist in households"),
                _c("full_name", "str", description="Họ đệm tên, Vietnamese with diacritics"),
                _c("sex", "int", description="1 male, 2 female"),
                _c("birth_date", "date", description="1 January when only the year is known"),
                _c("birth_date_precision", "code", description="day, month or year"),
                _c("relation_to_head", "int", description="1 head .. 7 other"),
                _c("ethnicity_code", "code", description='"01".."54", "55" foreigner'),
                _c("marital_status", "int", description="1 never married .. 5 separated"),
                _c("education_level", "int", description="0 none .. 6 university+"),
                _c("residence_status", "int", description="1 permanent, 2 temporary, 3 temporarily absent"),
                _c("status", "int", description="1 present, 2 died, 3 moved out"),
                _c("citizen_id", "code", required=False, description="12-digit personal identification number"),
                _c("mother_id", "id", required=False, description="person_id of the mother"),
                _c("contraceptive_method", "int", required=False, description="married women 15-49, 0 none"),
                *_GEO,
                _c("updated_at", "datetime", description="last change in the MIS"),
            ),
            key="person_id",
            required=True,
            description="Persons of the population register (MIS).",
        ),
        TableSpec(
            "events",
            (
                _c("event_id", "id", nullable=False),
                _c("event_type", "code", description=", ".join(EVENT_TYPES)),
                _c("person_id", "id"),
                _c("household_id", "id"),
                *_GEO,
                _c("event_date", "date", description="when it happened"),
                _c("recorded_date", "date", description="when it entered the MIS"),
                _c("collaborator_id", "id"),
                _c("mother_id", "id", required=False, description="births only"),
                _c("other_commune_code", "code", required=False, description="moves: origin or destination"),
                _c("entry_channel", "code", required=False, description="paper, web or mobile"),
            ),
            key="event_id",
            description="Population changes (births, deaths, moves, marriages, ...).",
        ),
        TableSpec(
            "civil_births",
            (
                _c("registration_id", "id", nullable=False),
                _c("child_name", "str"),
                _c("sex", "int"),
                _c("birth_date", "date"),
                _c("mother_name", "str"),
                _c("mother_birth_year", "int"),
                _c("commune_code", "code"),
                _c("registration_date", "date"),
                _c("citizen_id", "code", required=False),
            ),
            key="registration_id",
            group="admin",
            description="Birth registrations (justice, civil registration).",
        ),
        TableSpec(
            "civil_deaths",
            (
                _c("registration_id", "id", nullable=False),
                _c("full_name", "str"),
                _c("sex", "int"),
                _c("birth_date", "date"),
                _c("death_date", "date"),
                _c("commune_code", "code"),
                _c("registration_date", "date"),
                _c("citizen_id", "code", required=False),
            ),
            key="registration_id",
            group="admin",
            description="Death registrations (justice, civil registration).",
        ),
        TableSpec(
            "residents",
            (
                _c("citizen_id", "code", nullable=False),
                _c("full_name", "str"),
                _c("sex", "int"),
                _c("birth_date", "date"),
                _c("commune_code", "code"),
                _c("residence_type", "int", description="1 permanent, 2 temporary"),
            ),
            key="citizen_id",
            group="admin",
            description="Police resident database extract.",
        ),
        TableSpec(
            "insurance",
            (
                _c("insurance_id", "id", nullable=False),
                _c("citizen_id", "code", required=False),
                _c("full_name", "str"),
                _c("sex", "int"),
                _c("birth_date", "date"),
                _c("commune_code", "code"),
                _c("scheme", "code", description="compulsory, voluntary, none"),
                _c("contributing", "bool"),
            ),
            key="insurance_id",
            group="admin",
            description="Social insurance participants.",
        ),
        TableSpec(
            "survey_persons",
            (
                _c("person_no", "id", required=False, description="respondent line id (optional)"),
                _c("commune_code", "code"),
                _c("household_no", "id"),
                _c("full_name", "str"),
                _c("sex", "int"),
                _c("birth_date", "date", required=False, description="birth_date or age"),
                _c("age", "int", required=False, description="birth_date or age"),
                _c("relation_to_head", "int"),
                _c("marital_status", "int"),
                _c("births_12m", "int", required=False, description="household births in the last 12 months"),
                _c("deaths_12m", "int", required=False, description="household deaths in the last 12 months"),
                *_DESIGN,
            ),
            group="survey",
            description="Population-change sample survey, person rows.",
        ),
        TableSpec(
            "labour_force",
            (
                _c("respondent_id", "id", required=False),
                _c("sex", "int"),
                _c("age", "int"),
                _c("urban", "bool"),
                _c("province_code", "code"),
                _c("labour_status", "code", description="employed, unemployed, outside"),
                _c("sector", "code", description="agriculture, industry, services"),
                _c("training", "code", description="none, short course, certificate or higher"),
                _c("in_education", "bool"),
                _c("social_insurance", "bool", description="contributing to social insurance (any scheme)"),
                _c("district_code", "code", required=False,
                   description="legacy district code of the household (optional; district estimates)"),
                _c("hours_worked", "float", required=False,
                   description="hours actually worked in all jobs in the reference week (employed persons)"),
                _c("wants_more_hours", "bool", required=False,
                   description="employed person who wants to work more hours"),
                _c("available_more_hours", "bool", required=False,
                   description="employed person available to work more hours"),
                _c("in_training", "bool", required=False,
                   description="in vocational or other training outside formal education (NEET)"),
                _c("insurance_scheme", "code", required=False,
                   description="social insurance scheme: compulsory, voluntary, none"),
                _c("it_skills", "bool", required=False, description="has basic information-technology skills"),
                *_DESIGN,
            ),
            group="survey",
            description="Labour-force survey microdata.",
        ),
    )
}

REQUIRED_TABLES = tuple(n for n, t in TABLES.items() if t.required)
REGISTER_TABLES = tuple(n for n, t in TABLES.items() if t.group == "register")
ADMIN_TABLES = tuple(n for n, t in TABLES.items() if t.group == "admin")
SURVEY_TABLES = tuple(n for n, t in TABLES.items() if t.group == "survey")

#: Output: one row per failing record and rule.
FINDINGS_COLUMNS = (
    "rule_id",
    "dimension",
    "severity",
    "table",
    "record_id",
    "column",
    "value",
    "province_code",
    "district_code",
    "commune_code",
    "collaborator_id",
    "message_vi",
    "message_en",
)

#: Output: duplicate pairs (person_id_l < person_id_r).
PAIRS_COLUMNS = ("person_id_l", "person_id_r", "match_probability")

#: Output: the indicators table, one long shape that every stage writes and every report reads.
INDICATOR_COLUMNS = (
    "indicator_id",
    "level",
    "unit_code",
    "period",
    "group",
    "value",
    "se",
    "ci_low",
    "ci_high",
    "numerator",
    "denominator",
    "target_year",
    "target",
    "met",
    "status",
    "source",
)
#: Unit levels an indicator row can describe.
INDICATOR_LEVELS = ("province", "district", "commune", "province_2025", "commune_2025", "collaborator")
#: ``ok``: a value; ``insufficient``: too few records to say anything; ``not_measurable``: no data.
INDICATOR_STATUSES = ("ok", "insufficient", "not_measurable")


_KIND_TEXT = {
    "id": "str (identifier)",
    "code": "str (code, leading zeros kept)",
    "str": "str (text, NFC)",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "date": "date",
    "datetime": "datetime",
}

_FINDINGS_NOTES = {
    "rule_id": 'stable id, e.g. "P012"',
    "dimension": ", ".join(DIMENSIONS),
    "severity": ", ".join(SEVERITIES),
    "table": "households, persons, events, ... (units for unit-level rules)",
    "record_id": "the failing record's id (a unit code for unit-level rules)",
    "column": "when one column is at fault",
    "value": "the offending value as text",
    "province_code": "for grouping",
    "district_code": "for grouping",
    "commune_code": "for grouping",
    "collaborator_id": "for grouping",
    "message_vi": "one sentence in Vietnamese",
    "message_en": "one sentence in English",
}


_INDICATOR_NOTES = {
    "indicator_id": "stable id from the indicator registry (`popqa indicators`), e.g. `on_time_communes`",
    "level": ", ".join(INDICATOR_LEVELS),
    "unit_code": "the unit's code at that level",
    "period": "`YYYY-MM` of the audit (projections: the audit that made them)",
    "group": 'breakdown within the unit, `key=value` pairs joined by `;` (e.g. `sex=2;age=15-24`); "" for the total',
    "value": "the estimate (a share as 0-1, a rate per its registry unit); missing unless status is ok",
    "se": "standard error, when the method gives one",
    "ci_low": "lower bound of the 95% interval",
    "ci_high": "upper bound of the 95% interval",
    "numerator": "count behind the value, when it is a ratio of counts",
    "denominator": "count behind the value, when it is a ratio of counts",
    "target_year": "year of the program target the value is compared with",
    "target": "the program target (same scale as value)",
    "met": "whether value reaches the target (missing when there is no target or no value)",
    "status": ", ".join(INDICATOR_STATUSES),
    "source": "register, survey, lfs, linkage, civil_births, ...: what the value was computed from",
}


def to_markdown() -> str:
    """The contract as Markdown (``docs/data-contract.md`` is this text; a test keeps them equal)."""
    out = [
        "# Data contract (v1)",
        "",
        "Generated from `popqa/contract.py` by `popqa contract` (do not edit by hand;",
        "`tests/test_contract.py` checks that this file matches the code). It mirrors",
        "`shared/data-contract.md`: what a province hands popqa each month and what popqa",
        "hands back.",
        "",
        "- A register folder holds one file per table, named after the table: `households.csv`",
        "  (or `.xlsx`, `.parquet`), `persons.csv`, `events.csv`, and whichever administrative and",
        "  survey tables are available. Only households and persons are required.",
        "- CSV may be UTF-8 (with or without BOM), Windows-1258, TCVN3 (ABC) or VNI; popqa detects",
        "  the encoding and converts text to Unicode NFC. Dates may be `YYYY-MM-DD` or `DD/MM/YYYY`.",
        "- Extra columns are kept, never an error. An optional column may be absent.",
        "  A missing required column is one clear error naming the file and the column.",
        "- A value that does not parse (a date `31/02/1980`, a sex `x`) becomes missing in the typed",
        "  table and is kept in the register's parse issues, which the checks report as findings.",
        "- Geography uses the legacy GSO codes (province 2 digits, district 3, commune 5, text",
        '  with leading zeros: Tây Ninh "72", Gò Dầu "710", Phường 1 "25456"). popqa reports on',
        "  these or on the 2025 two-level units through the crosswalk (see units.md).",
        "- The 12-digit citizen_id encodes: digits 1-3 the province where the birth was registered",
        '  ("072" Tây Ninh), digit 4 sex and century (0 male / 1 female born 1900-1999, 2 male / 3',
        "  female born 2000-2099), digits 5-6 the last two digits of the birth year.",
        "",
    ]
    groups = {"register": "Register (population MIS export)", "admin": "Administrative sources", "survey": "Surveys"}
    for group, title in groups.items():
        out += [f"## {title}", ""]
        for t in TABLES.values():
            if t.group != group:
                continue
            req = "required" if t.required else "optional"
            key = f"; key `{t.key}`" if t.key else ""
            out += [f"### {t.name}", "", f"{t.description} ({req} table{key})", ""]
            out += ["| column | type | required | notes |", "|---|---|---|---|"]
            for c in t.columns:
                codes = CODE_LISTS.get(c.name)
                notes = c.description
                if codes and len(codes) <= 10:
                    listed = ", ".join(f"{k} {v}" if str(k) != v else str(k) for k, v in codes.items())
                    notes = f"{notes}; codes: {listed}" if notes else f"codes: {listed}"
                out.append(
                    f"| {c.name} | {_KIND_TEXT[c.kind]} | {'yes' if c.required else 'optional'} | {notes} |"
                )
            out.append("")
    out += [
        "Survey microdata carry the design: stratum, psu, weight (and optional fpc).",
        "",
        "## What popqa returns",
        "",
        "### findings (one row per failing record and rule)",
        "",
        "| column | notes |",
        "|---|---|",
    ]
    out += [f"| {c} | {_FINDINGS_NOTES[c]} |" for c in FINDINGS_COLUMNS]
    out += [
        "",
        "### duplicate pairs",
        "",
        "person_id_l, person_id_r (person_id_l < person_id_r), match_probability (0-1), and a",
        "cluster_id per person from the clustering of those pairs (a separate clusters table:",
        "person_id, cluster_id, one row for every person).",
        "",
        "### indicators (one row per indicator, unit, period and group)",
        "",
        "| column | notes |",
        "|---|---|",
    ]
    out += [f"| {c} | {_INDICATOR_NOTES[c]} |" for c in INDICATOR_COLUMNS]
    out += [
        "",
    ]
    return "\n".join(out)
