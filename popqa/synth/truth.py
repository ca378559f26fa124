"""The ground truth the synthetic province writes beside its register.

Every fault the generator injects is one row of the ``faults`` truth table,
so the checks' recall and false-positive rate can be measured. Fuzzy
duplicates, hard non-duplicates and the true links of each administrative
record to its register person have tables of their own.

Truth tables (written to ``<out>/truth/*.parquet``, never inside the register
folder that the audit reads):

``faults``
    fault_class, table, record_id, column, detail. ``record_id`` is the id of
    the record that a check must flag (person_id, household_id, event_id, ...;
    for unit-level faults the commune code, with ``table`` = "units").
``duplicates``
    person_id (the injected duplicate record), original_person_id (the record
    it duplicates), variation (one of :data:`DUPLICATE_VARIATIONS`, several
    joined by "+").
``hard_nonduplicates``
    person_id_l, person_id_r, kind (one of :data:`HARD_NONDUPLICATE_KINDS`):
    distinct people who look alike and must not be linked.
``links``
    source (civil_births, civil_deaths, residents, insurance, survey_persons),
    source_id (the source record's id: registration_id, citizen_id,
    insurance_id, person_no), person_id (the true register person, missing when
    the person is not in the register), variation (how the source record
    differs from the register one; "exact" when it does not).
``population``
    commune_code, period, true_population (persons present at the period end,
    before injected faults), births, deaths, moves_in, moves_out.
"""

from __future__ import annotations

__all__ = [
    "FAULT_CLASSES",
    "DUPLICATE_VARIATIONS",
    "HARD_NONDUPLICATE_KINDS",
    "TRUTH_TABLES",
    "FAULT_COLUMNS",
]

#: fault_class -> (table, what the generator does)
FAULT_CLASSES: dict[str, tuple[str, str]] = {
    # completeness
    "missing_required": ("persons", "a required field (full_name, sex or birth_date) left empty"),
    # validity: codes
    "invalid_sex": ("persons", "sex outside {1, 2}"),
    "invalid_relation": ("persons", "relation_to_head outside 1..7"),
    "invalid_marital_status": ("persons", "marital_status outside 1..5"),
    "invalid_ethnicity": ("persons", "ethnicity_code outside 01..55"),
    "invalid_education": ("persons", "education_level outside 0..6"),
    "invalid_residence_status": ("persons", "residence_status outside 1..3"),
    "invalid_status": ("persons", "status outside 1..3"),
    "invalid_event_type": ("events", "event_type not in the contract's list"),
    "commune_not_in_district": ("households", "commune code that belongs to another district"),
    "unknown_commune": ("persons", "commune code that is no commune of the province"),
    # validity: dates
    "unparseable_date": ("persons", "birth_date text that is not a date (e.g. 31/02/1980, 'không rõ')"),
    "future_birth_date": ("persons", "birth date after the export date"),
    "age_over_110": ("persons", "age above 110 while present"),
    # citizen id
    "cid_bad_length": ("persons", "citizen_id not 12 digits"),
    "cid_bad_province": ("persons", "citizen_id whose first 3 digits are no province code"),
    "cid_sex_century_mismatch": ("persons", "citizen_id digit 4 contradicting sex / century of birth"),
    "cid_birth_year_mismatch": ("persons", "citizen_id digits 5-6 contradicting the birth year"),
    # household structure (record_id: household_id unless noted)
    "no_head": ("households", "household whose members include no head"),
    "two_heads": ("households", "household with two heads"),
    "two_spouses": ("households", "household with two spouses of the head"),
    "head_under_15": ("persons", "head of household under 15 (record: the head)"),
    "head_under_18": ("persons", "head of household aged 15-17 (record: the head)"),
    "spouse_under_age": ("persons", "married person or spouse under the legal age (20 men, 18 women)"),
    "child_older_than_head": ("persons", "own child older than, or under 12 years younger than, the head"),
    "parent_younger_than_head": ("persons", "parent of head younger than the head"),
    "empty_household": ("households", "household with no member"),
    "orphan_person": ("persons", "person whose household_id is not in households"),
    # mother and child
    "mother_age_out_of_range": ("persons", "child whose mother (mother_id) was under 12 or over 55 at the birth"),
    # events
    "recorded_before_event": ("events", "recorded_date before event_date"),
    "late_record": ("events", "recorded more than 30 days after the event"),
    "event_unknown_person": ("events", "event whose person_id is not in persons"),
    "double_death": ("events", "second death event for a person already dead"),
    "dead_still_present": ("persons", "person with a death event whose status is still present"),
    "birth_child_missing": ("events", "birth event whose child is not in persons"),
    "move_out_status_not_changed": ("persons", "person with a move-out event whose status is still present"),
    "event_outside_period": ("events", "event dated outside the export's twelve months"),
    # uniqueness
    "duplicate_person_id": ("persons", "two rows with the same person_id"),
    "duplicate_household_id": ("households", "two rows with the same household_id"),
    "duplicate_citizen_id": ("persons", "two different persons with the same citizen_id"),
    # unit-level plausibility (table "units", record_id = commune_code)
    "monthly_count_outlier": ("units", "a commune-month whose event count is far above its own history"),
    "age_heaping": ("units", "a commune whose elderly ages heap on multiples of 5"),
    "sex_ratio_at_birth": ("units", "a commune whose births are strongly skewed to boys"),
}

#: Kinds of variation between a duplicate and its original person.
DUPLICATE_VARIATIONS = (
    "exact",
    "no_diacritics",
    "nfd",
    "typo",
    "dropped_middle_name",
    "uppercase",
    "swapped_day_month",
    "year_only",
    "one_year_off",
    "moved_household",
    "missing_id",
)

#: Distinct people who look alike.
HARD_NONDUPLICATE_KINDS = ("twins", "namesakes", "year_only_elders", "triplets", "parent_child_same_name")

TRUTH_TABLES = ("faults", "duplicates", "hard_nonduplicates", "links", "population")

FAULT_COLUMNS = ("fault_class", "table", "record_id", "column", "detail")
