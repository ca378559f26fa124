"""Turn register persons and each source table into one linkage frame.

Every frame built here has the same columns (:data:`LINKAGE_COLUMNS`), so one
Splink model can compare a register person with another register person or
with a civil-registration, police, insurance or survey record:

``unique_id``      person_id, or the source record's id
``name_norm``      NFC lower-case name with diacritics
``name_fold``      folded name (no diacritics, đ -> d)
``surname``, ``middle``, ``given``   folded parts; ``given_norm`` with diacritics
``diacritics``     whether the name was written with diacritics at all
``given_known``    the given name, as written, is a common one (:func:`popqa.linkage.names.known_given`)
``dob``            birth date as ``YYYY-MM-DD`` (1 January when year-only)
``dob_swapped``    ``YYYY-DD-MM`` when day and month could be swapped (day <= 12, day != month)
``md_any``         month and day in either order (smaller first, ``MM-DD``), day precision only:
                   equal for a date and its day/month swap
``dob_any``        ``YYYY-`` + ``md_any``
``birth_year``     integer; from the age when a survey gives only an age (the latest year the
                   age allows: reference year - age)
``dob_precision``  "day", "month", "year", or "age" (only an age was given: the birth year is
                   ``birth_year`` or the year before)
``sex``            1 / 2
``commune_code``, ``district_code``, ``household_id``
``citizen_id``     only when it is 12 digits (an invalid ID is treated as missing)
``mover``          the record says its person came from elsewhere: relation to head "other" (7),
                   or a move-in event (``move_in_ids``); household and commune differences
                   are weak evidence for such a record
``mother_fold``    folded mother's name (register: through mother_id; births: mother_name)
``education``      register persons aged 25 or more: education level 0-6 (else missing: a child's
                   or a student's level says its age, not who it is)
``marital``        register persons aged 18 or more: marital status 1-5 (else missing)

Examples
--------
>>> p = pd.DataFrame({"person_id": ["P1"], "full_name": ["Lê Thị Đào"], "sex": [2],
...                   "birth_date": [pd.Timestamp("1990-03-07")], "birth_date_precision": ["day"],
...                   "commune_code": ["25456"], "citizen_id": ["072190001234"]})
>>> f = person_features(p)
>>> f.loc[0, ["surname", "given", "dob", "dob_swapped", "citizen_id"]].tolist()
['le', 'dao', '1990-03-07', '1990-07-03', '072190001234']
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from popqa import textkeys
from popqa.errors import InputError
from popqa.linkage.names import fold, known_given, normalise, split_name

__all__ = [
    "LINKAGE_COLUMNS", "PERSON_FEATURE_COLUMNS", "SOURCE_FEATURE_COLUMNS", "SOURCE_KINDS", "person_features",
    "feature_rows", "source_feature_columns", "source_features", "canonical_kind", "recent_move_ins",
]

LINKAGE_COLUMNS = (
    "unique_id",
    "name_norm",
    "name_fold",
    "surname",
    "middle",
    "given",
    "given_norm",
    "diacritics",
    "given_known",
    "dob",
    "dob_swapped",
    "md_any",
    "dob_any",
    "birth_year",
    "dob_precision",
    "sex",
    "commune_code",
    "district_code",
    "household_id",
    "citizen_id",
    "mover",
    "mother_fold",
    "education",
    "marital",
)

#: The columns of the register's ``persons`` that :func:`person_features` reads, and the only ones it
#: sees: a column added to the features must be added here (tests/linkage/test_features_columns.py
#: shows that each of these changes the features). The link stage hands over these columns of the
#: persons, not a copy of every column, or reads only these back once the register is out of memory
#: (docs/benchmarks.md, "fourteenth measurement").
PERSON_FEATURE_COLUMNS = (
    "person_id", "full_name", "sex", "birth_date", "birth_date_precision", "relation_to_head",
    "marital_status", "education_level", "citizen_id", "mother_id", "household_id", "district_code",
    "commune_code", "updated_at",
)

#: kind -> (id column, name column) of each source table of the data contract.
SOURCE_KINDS: dict[str, tuple[str, str]] = {
    "civil_births": ("registration_id", "child_name"),
    "civil_deaths": ("registration_id", "full_name"),
    "residents": ("citizen_id", "full_name"),
    "insurance": ("insurance_id", "full_name"),
    "survey_persons": ("person_no", "full_name"),
}

#: The columns :func:`source_features` reads of a source table besides its id and name
#: (:data:`SOURCE_KINDS`): once the register is out of memory the link stage reads back only these, as
#: Arrow text (:func:`source_feature_columns`).
SOURCE_FEATURE_COLUMNS = ("household_no", "birth_date", "age", "mother_name", "sex", "commune_code",
                          "household_id", "citizen_id")

_ALIASES = {"survey": "survey_persons", "births": "civil_births", "deaths": "civil_deaths"}


def source_feature_columns(kind: str) -> tuple[str, ...]:
    """Every column of source ``kind`` that :func:`source_features` reads: its id, its name and
    :data:`SOURCE_FEATURE_COLUMNS`.

    >>> source_feature_columns("residents")[:3]
    ('citizen_id', 'full_name', 'household_no')
    """
    id_col, name_col = SOURCE_KINDS[canonical_kind(kind)]
    return tuple(dict.fromkeys((id_col, name_col, *SOURCE_FEATURE_COLUMNS)))


def canonical_kind(kind: str) -> str:
    """The contract table name of a source kind ("survey" -> "survey_persons").

    Examples
    --------
    >>> canonical_kind("survey")
    'survey_persons'
    """
    k = _ALIASES.get(kind, kind)
    if k not in SOURCE_KINDS:
        raise InputError(f"unknown source kind {kind!r}; expected one of {', '.join(SOURCE_KINDS)} or survey")
    return k


_STR = pd.StringDtype("pyarrow")


def _col(df: pd.DataFrame, name: str, dtype: object = _STR) -> pd.Series:
    if name in df.columns:
        return df[name].astype(dtype)
    return pd.Series(pd.NA, index=df.index, dtype=dtype)


def _per_distinct(values: pd.Series, fn: Callable[[pd.Series], pd.DataFrame]) -> pd.DataFrame:
    """``fn`` (row by row in effect) computed once per distinct value and spread back to every row.

    A province has far fewer distinct names than persons (29,179 names for 325,980 records at
    scale 0.3), and the Unicode work on them is the costly part of the features.
    Missing values go through ``fn`` as one missing value.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.concat([pd.Series(uniques, dtype=values.dtype), pd.Series([pd.NA], dtype=values.dtype)],
                         ignore_index=True)
    per_value = fn(distinct)
    rows = np.where(codes < 0, len(distinct) - 1, codes)
    out = per_value.iloc[rows]
    out.index = values.index
    return out


def _name_parts(names: pd.Series) -> pd.DataFrame:
    def parts_of(distinct: pd.Series) -> pd.DataFrame:
        norm = normalise(distinct)
        folded = fold(norm)
        parts = split_name(folded)
        return pd.DataFrame(
            {
                "name_norm": norm,
                "name_fold": folded,
                "surname": parts["surname"],
                "middle": parts["middle"],
                "given": parts["given"],
                "given_norm": norm.str.rsplit(" ", n=1).str[-1].astype(_STR),
                "diacritics": (norm != folded).astype("boolean"),
            },
            index=distinct.index,
        )

    out = _per_distinct(names.astype(_STR), parts_of)
    # how common a given name is counts every record, so this part is not per distinct name
    out["given_known"] = known_given(out["given_norm"], bare=(out["name_norm"] == out["name_fold"]))
    return out


def _dates(birth: pd.Series, precision: pd.Series) -> pd.DataFrame:
    """The date features of every row, computed once per distinct (date, precision).

    A province has far fewer distinct birth dates (about 36,500 in a century) than persons:
    at 1.2 M persons the string work per row took 6 s.
    """
    d = pd.to_datetime(birth, errors="coerce")
    prec = precision.astype(_STR)
    dcodes, _ = pd.factorize(d, use_na_sentinel=True)
    pcodes, _ = pd.factorize(prec, use_na_sentinel=True)
    key = (dcodes.astype(np.int64) + 1) * (int(pcodes.max(initial=-1)) + 2) + (pcodes + 1)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    per = _dates_rows(pd.Series(d.to_numpy()[first]), pd.Series(prec.to_numpy()[first], dtype=_STR))
    out = per.iloc[inverse.ravel()]
    out.index = birth.index
    return out


def _dates_rows(birth: pd.Series, precision: pd.Series) -> pd.DataFrame:
    d = pd.to_datetime(birth, errors="coerce")
    prec = precision.astype(_STR).str.strip().str.lower()
    prec = prec.where(prec.isin(["day", "month", "year", "age"]), "day").where(d.notna())
    # numpy formats dates as YYYY-MM-DD far faster than strftime
    text = d.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(str)
    dob = pd.Series(text, index=birth.index).astype(_STR).where(d.notna())
    day, month = d.dt.day, d.dt.month
    can_swap = ((prec == "day") & (day <= 12) & (day != month)).fillna(False).astype(bool)
    swapped = (dob.str.slice(0, 5) + dob.str.slice(8, 10) + "-" + dob.str.slice(5, 7)).where(can_swap)
    mm, dd = dob.str.slice(5, 7), dob.str.slice(8, 10)
    md_any = (mm.where(mm <= dd, dd) + "-" + dd.where(mm <= dd, mm)).where(prec == "day")
    return pd.DataFrame(
        {
            "dob": dob,
            "dob_swapped": swapped,
            "md_any": md_any.astype(_STR),
            "dob_any": (dob.str.slice(0, 5) + md_any).astype(_STR),
            "birth_year": d.dt.year.astype("Int64"),
            "dob_precision": prec.astype(_STR),
        },
        index=birth.index,
    )


def _valid_cid(s: pd.Series) -> pd.Series:
    s = s.astype(_STR).str.strip()
    return s.where(s.str.fullmatch(r"\d{12}").fillna(False))


def _frame(
    df: pd.DataFrame,
    ids: pd.Series,
    names: pd.Series,
    birth: pd.Series,
    precision: pd.Series,
    mother: pd.Series,
    district: pd.Series,
    mover: pd.Series | None = None,
) -> pd.DataFrame:
    out = pd.concat(
        [
            pd.DataFrame({"unique_id": ids.astype(_STR)}, index=df.index),
            _name_parts(names),
            _dates(birth, precision),
        ],
        axis=1,
    )
    out["sex"] = pd.to_numeric(_col(df, "sex", "object"), errors="coerce").astype("Int64")
    out.loc[~out["sex"].isin([1, 2]).fillna(False), "sex"] = pd.NA
    out["commune_code"] = _col(df, "commune_code")
    out["district_code"] = district.astype(_STR)
    out["household_id"] = _col(df, "household_id")
    out["citizen_id"] = _valid_cid(_col(df, "citizen_id"))
    out["mover"] = (mover if mover is not None else pd.Series(False, index=df.index)).fillna(False).astype(bool)
    out["mother_fold"] = mother.astype(_STR)
    out["education"] = pd.Series(pd.NA, index=df.index, dtype="Int8")
    out["marital"] = pd.Series(pd.NA, index=df.index, dtype="Int8")
    return out[list(LINKAGE_COLUMNS)].reset_index(drop=True)


def _settled(values: pd.Series, birth_year: pd.Series, ref_year: int, min_age: int, valid: range) -> pd.Series:
    """``values`` as small integers where the person is ``min_age`` or older in ``ref_year`` and the
    code is one of ``valid``; missing elsewhere."""
    v = pd.to_numeric(values, errors="coerce")
    ok = v.isin(list(valid)).fillna(False) & (birth_year <= ref_year - min_age).fillna(False)
    return v.where(ok.to_numpy()).astype("Int8")


def _reference_year(p: pd.DataFrame, birth_year: pd.Series) -> int | None:
    """The year the register describes: of its latest update, else of its youngest person's birth."""
    if "updated_at" in p.columns:
        u = pd.to_datetime(p["updated_at"], errors="coerce").max()
        if pd.notna(u):
            return int(u.year)
    y = birth_year.max()
    return None if pd.isna(y) else int(y)


def recent_move_ins(events: pd.DataFrame | None, end: pd.Timestamp, months: int = 24) -> pd.Series:
    """person_ids of the ``move_in`` events dated in the ``months`` months up to ``end``.

    Such a person may still have its record at the place it came from, so a household or
    commune difference is weak evidence against a duplicate (``person_features(move_in_ids=...)``).
    Events without a date or a person_id are not counted; ``events`` None gives none.

    Examples
    --------
    >>> e = pd.DataFrame({"event_type": ["move_in", "move_in", "birth"], "person_id": ["A", "B", "C"],
    ...                   "event_date": pd.to_datetime(["2026-05-01", "2020-01-01", "2026-05-01"])})
    >>> recent_move_ins(e, pd.Timestamp("2026-10-31")).tolist()
    ['A']
    """
    if events is None or not {"event_type", "person_id", "event_date"} <= set(events.columns):
        return pd.Series([], dtype=_STR)
    date = pd.to_datetime(events["event_date"], errors="coerce")
    start = end - pd.DateOffset(months=months)
    hit = (events["event_type"].astype(_STR) == "move_in").fillna(False) & (date > start) & (date <= end)
    ids = events.loc[hit.to_numpy(), "person_id"].astype(_STR).dropna()
    return ids.drop_duplicates().reset_index(drop=True)


def person_features(persons: pd.DataFrame, *, move_in_ids: pd.Series | None = None) -> pd.DataFrame:
    """The linkage frame of register persons (``persons`` table of the contract).

    The mother's folded name comes from the register through ``mother_id``. A person is a
    ``mover`` when its relation to the head is "other" (7) or its person_id is in
    ``move_in_ids`` (e.g. the person_ids of recent ``move_in`` events).

    Examples
    --------
    >>> p = pd.DataFrame({"person_id": ["P1", "P2"], "full_name": ["Lê An", "Lê Bình"],
    ...                   "relation_to_head": [1, 7]})
    >>> person_features(p)["mover"].tolist()
    [False, True]
    """
    if "person_id" not in persons.columns:
        raise InputError("persons need a person_id column", column="person_id")
    # the columns read, as the very arrays of ``persons`` (no copy of the table)
    p = pd.DataFrame({c: persons[c] for c in PERSON_FEATURE_COLUMNS if c in persons.columns}, copy=False)
    names = _col(p, "full_name")
    birth = p["birth_date"] if "birth_date" in p.columns else pd.Series(pd.NaT, index=p.index)
    rel = pd.to_numeric(_col(p, "relation_to_head", "object"), errors="coerce")
    mover = (rel == 7).fillna(False)
    if move_in_ids is not None:
        mover = mover | p["person_id"].astype(_STR).isin(pd.Series(move_in_ids).astype(_STR)).fillna(False)
    out = _frame(
        p,
        p["person_id"],
        names,
        birth,
        _col(p, "birth_date_precision"),
        pd.Series(pd.NA, index=p.index, dtype=_STR),
        _col(p, "district_code"),
        mover,
    )
    if "mother_id" in p.columns:  # the mother's folded name: her own record's, folded once above
        # the first record of each id (keys: linear in the ids where pandas' hash tables are not)
        pos = textkeys.positions(p["mother_id"].astype(_STR), out["unique_id"])
        out["mother_fold"] = textkeys.take(out["name_fold"].astype(_STR), pos, out.index)
    ref = _reference_year(p, out["birth_year"])
    if ref is not None:
        by = pd.Series(out["birth_year"].to_numpy(), index=p.index)
        if "education_level" in p.columns:
            out["education"] = _settled(p["education_level"], by, ref, 25, range(0, 7)).to_numpy()
        if "marital_status" in p.columns:
            out["marital"] = _settled(p["marital_status"], by, ref, 18, range(1, 6)).to_numpy()
    return out


def feature_rows(persons: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """The rows ``rows`` (a boolean mask) of the columns of ``persons`` that :func:`person_features`
    reads: ``persons`` itself when every row is taken, so that nothing is copied.

    >>> p = pd.DataFrame({"person_id": ["P1", "P1"], "ethnicity_code": ["01", "01"]})
    >>> feature_rows(p, np.array([True, True])) is p, list(feature_rows(p, np.array([True, False])).columns)
    (True, ['person_id'])
    """
    rows = np.asarray(rows, dtype=bool)
    if rows.all():
        return persons
    return persons.loc[rows, [c for c in PERSON_FEATURE_COLUMNS if c in persons.columns]]


def person_places(persons: pd.DataFrame) -> pd.DataFrame:
    """What :func:`source_features` reads of the register's persons: each commune's district (the first
    person's), a small frame that can stand for ``persons`` there (the link stage keeps it, not the
    persons, while the sources' models run); no columns when the persons lack either code.

    >>> p = pd.DataFrame({"person_id": ["A", "B", "C"], "commune_code": ["1", "1", "2"],
    ...                   "district_code": ["10", "11", None]})
    >>> person_places(p).values.tolist()
    [['1', '10']]
    """
    if not {"commune_code", "district_code"} <= set(persons.columns):
        return pd.DataFrame(index=pd.RangeIndex(0))
    return persons[["commune_code", "district_code"]].dropna().drop_duplicates("commune_code").reset_index(drop=True)


def source_features(
    source: pd.DataFrame,
    kind: str,
    *,
    persons: pd.DataFrame | None = None,
    reference_year: int | None = None,
) -> pd.DataFrame:
    """The linkage frame of one administrative or survey source.

    Parameters
    ----------
    source : the source table (``civil_births``, ``civil_deaths``, ``residents``,
        ``insurance`` or ``survey_persons`` of the data contract).
    kind : its name ("survey" is accepted for ``survey_persons``).
    persons : register persons, used to find the district of each commune.
    reference_year : year a survey's ``age`` refers to (birth year = reference_year - age, or the
        year before when the birthday had not yet come; precision "age").
    """
    kind = canonical_kind(kind)
    id_col, name_col = SOURCE_KINDS[kind]
    s = source
    if id_col in s.columns:
        ids = s[id_col].astype(_STR)
    elif kind == "survey_persons" and "household_no" in s.columns:
        ids = (_col(s, "commune_code").fillna("") + "-" + s["household_no"].astype(_STR) + "-"
               + s.groupby("household_no", sort=False).cumcount().add(1).astype(_STR))
    else:
        raise InputError(f"{kind} needs an id column {id_col}", column=id_col)
    names = _col(s, name_col)
    birth = s["birth_date"] if "birth_date" in s.columns else pd.Series(pd.NaT, index=s.index)
    birth = pd.to_datetime(birth, errors="coerce")
    precision = pd.Series("day", index=s.index, dtype=_STR)
    if "age" in s.columns and reference_year is not None:
        from_age = pd.to_datetime(
            (reference_year - pd.to_numeric(s["age"], errors="coerce")).astype("Int64").astype(_STR) + "-01-01",
            errors="coerce",
        )
        precision = precision.mask(birth.isna() & from_age.notna(), "age")
        birth = birth.fillna(from_age)
    mother = fold(_col(s, "mother_name")) if kind == "civil_births" else pd.Series(pd.NA, index=s.index, dtype=_STR)
    district = pd.Series(pd.NA, index=s.index, dtype=_STR)
    if persons is not None and {"commune_code", "district_code"} <= set(persons.columns):
        lookup = person_places(persons)
        district = _col(s, "commune_code").map(
            pd.Series(lookup["district_code"].astype(_STR).to_numpy(), index=lookup["commune_code"].astype(_STR))
        ).astype(_STR)
    out = _frame(s, ids, names, birth, precision, mother, district)
    out["household_id"] = pd.Series(pd.NA, index=out.index, dtype=_STR)
    return out
