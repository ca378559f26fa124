"""One extract as a table: one row per person, the most complete record of each duplicate cluster.

:func:`build_extract` applies a kind's rule (:mod:`popqa.extracts.kinds`) to the
present persons of a register, collapses the linkage's duplicate clusters (and
repeated person ids) into one row per person, and puts on each row the flags
a receiving agency needs to know which entries to verify. Nothing is written
here (:mod:`popqa.extracts.write` does that).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from popqa import textkeys
from popqa.definitions import age_at, is_present, reference_date
from popqa.errors import InputError
from popqa.extracts.kinds import KINDS, as_datetime, birth_interval, eligibility
from popqa.io.xlsx import to_arrow
from popqa.period import Period

__all__ = ["EXTRACT_COLUMNS", "UNIT_COLUMNS", "NAMED_FLAGS", "ExtractParams", "ExtractTable", "ExtractBasis",
           "extract_params", "extract_basis", "build_extract", "default_school_year", "flag_table"]

#: Unit codes and names of each row (legacy three levels, and the 2025 two levels).
UNIT_COLUMNS = ("province_code", "province_name", "district_code", "district_name", "commune_code",
                "commune_name", "province_code_2025", "province_name_2025", "commune_code_2025",
                "commune_name_2025")

#: The columns of every extract, in order.
EXTRACT_COLUMNS = ("person_id", "duplicate_person_ids", "household_id", "full_name", "sex", "birth_date",
                   "birth_date_precision", "age", "citizen_id", *UNIT_COLUMNS, "village", "collaborator_id",
                   "flags")

#: Flags computed here (the other flags are the ids of the person's error and warning findings).
NAMED_FLAGS = ("age_uncertain", "probable_duplicate", "possible_duplicate", "no_citizen_id")

#: Columns whose presence makes a record "more complete" (the record kept for a duplicate cluster).
_COMPLETENESS = ("household_id", "full_name", "sex", "birth_date", "citizen_id", "ethnicity_code",
                 "residence_status", "education_level", "marital_status", "relation_to_head", "commune_code",
                 "district_code", "province_code")
_PRECISION_RANK = {"day": 2, "month": 1, "year": 0}
#: Columns of every record that say whether it belongs in an extract (its presence, its eligibility:
#: :func:`popqa.extracts.kinds.eligibility`) and which person it is; the others are read only for the
#: records an extract keeps.
JUDGED_COLUMNS = ("person_id", "status", "birth_date", "birth_date_precision", "sex", "ethnicity_code",
                  "residence_status", "education_level")
#: Columns of the record kept for a person that the extract's row is made from.
_REP_COLUMNS = ("household_id", "full_name", "sex", "birth_date", "birth_date_precision", "citizen_id",
                "province_code", "district_code", "commune_code", "collaborator_id")


def default_school_year(export_date: pd.Timestamp) -> int:
    """The school year whose grade 1 an export prepares: the next one after June, else this year's.

    >>> default_school_year(pd.Timestamp("2026-06-30")), default_school_year(pd.Timestamp("2026-07-31"))
    (2026, 2027)
    """
    return export_date.year + 1 if export_date.month > 6 else export_date.year


def _date(value: Any, what: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InputError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None
    if ts is pd.NaT or pd.isna(ts):
        raise InputError(f"{what}: {value!r} is not a date (YYYY-MM-DD)")
    return ts.normalize()


@dataclass(frozen=True)
class ExtractParams:
    """What an extract was made with (recorded in the summary and the sharing log).

    ``school_year`` is set for ``school_entry`` only, ``election_date`` for ``voters`` only.
    """

    kind: str
    period: str
    export_date: pd.Timestamp
    reference_date: pd.Timestamp
    school_year: int | None = None
    election_date: pd.Timestamp | None = None
    collapse_at: float | None = None

    def as_dict(self) -> dict[str, Any]:
        d = {"kind": self.kind, "period": self.period, "export_date": self.export_date.date().isoformat(),
             "reference_date": self.reference_date.date().isoformat()}
        if self.school_year is not None:
            d["school_year"] = int(self.school_year)
        if self.election_date is not None:
            d["election_date"] = self.election_date.date().isoformat()
        if self.collapse_at is not None:
            d["collapse_at"] = float(self.collapse_at)
        return d


def extract_params(kind: str, period: str | Period, *, as_of: Any = None, school_year: int | None = None,
                   election_date: Any = None) -> ExtractParams:
    """Resolve an extract's dates: reference date (default the export date, the period's last day),
    school year (``school_entry``), election date (``voters``, default the reference date).

    Examples
    --------
    >>> p = extract_params("school_entry", "2026-10")
    >>> str(p.reference_date.date()), p.school_year
    ('2026-10-31', 2027)
    >>> extract_params("voters", "2026-10", election_date="2027-05-23").as_dict()["election_date"]
    '2027-05-23'
    """
    if kind not in KINDS:
        raise InputError(f"unknown extract kind {kind!r}; one of {', '.join(KINDS)}")
    period = str(Period.parse(period))
    export = reference_date(period)
    ref = _date(as_of, "as-of date") or export
    sy = None
    if kind == "school_entry":
        if school_year is None:
            sy = default_school_year(export)
        else:
            try:
                sy = int(school_year)
            except (TypeError, ValueError):
                raise InputError(f"school year: {school_year!r} is not a year (YYYY)") from None
            if not 1900 <= sy <= 2200:
                raise InputError(f"school year: {school_year!r} is not a year between 1900 and 2200")
    ed = None
    if kind == "voters":
        ed = _date(election_date, "election date") or ref
    return ExtractParams(kind, period, export, ref, sy, ed)


@dataclass(frozen=True)
class ExtractTable:
    """One extract, in memory.

    Attributes
    ----------
    params : the :class:`ExtractParams`.
    rows : one row per person, columns :data:`EXTRACT_COLUMNS` (text, ``sex`` and ``age`` Int64),
        sorted by commune, village, household and person.
    excluded : counts of records that could not be considered (no person id, present without a
        usable birth date) and of duplicate records folded into another row.
    """

    params: ExtractParams
    rows: pd.DataFrame = field(repr=False)
    excluded: dict[str, int] = field(default_factory=dict)

    def flag_counts(self) -> pd.DataFrame:
        """Persons by commune and flag: commune_code, flag, persons (flag "any" = at least one flag)."""
        out = flag_table(self.rows["commune_code"].fillna("NA"), self.rows["flags"])
        return out.rename(columns={"key": "commune_code"})

    def summary(self) -> dict[str, Any]:
        """Counts by commune and by flag (what ``summary.json`` and the site may show: no names)."""
        by_commune = self.rows["commune_code"].fillna("NA").value_counts().sort_index()
        fc = self.flag_counts()
        flags_total = fc.groupby("flag")["persons"].sum().sort_index()
        per_commune: dict[str, Any] = {c: {"persons": int(n), "flags": {}} for c, n in by_commune.items()}
        for c, f, n in fc.itertuples(index=False):
            per_commune[c]["flags"][f] = int(n)
        return {**self.params.as_dict(), "persons": len(self.rows),
                "flags": {f: int(n) for f, n in flags_total.items()},
                "communes": per_commune, "excluded": dict(self.excluded)}


def flag_table(keys: pd.Series, flags: pd.Series) -> pd.DataFrame:
    """Persons by key and flag (``key``, ``flag``, ``persons``; flag "any" = at least one), sorted.

    The rows are counted per distinct ``;``-joined flags text (a few hundred combinations), which are
    then split: no per-row split.

    >>> flag_table(pd.Series(["a", "a", "b"]), pd.Series(["V1;age_uncertain", "V1", ""])).values.tolist()
    [['a', 'V1', 2], ['a', 'age_uncertain', 1], ['a', 'any', 2]]
    """
    fl = flags.fillna("")
    has = fl.ne("").to_numpy(bool)
    combos = (pd.DataFrame({"key": keys.to_numpy()[has], "flags": fl.to_numpy()[has]})
              .groupby(["key", "flags"], sort=False, observed=True).size())
    recs: dict[tuple[Any, str], int] = {}
    for (key, text), n in combos.items():
        for f in [*dict.fromkeys(text.split(";")), "any"]:
            if f:
                recs[(key, f)] = recs.get((key, f), 0) + int(n)
    out = pd.DataFrame([(k, f, n) for (k, f), n in recs.items()], columns=["key", "flag", "persons"])
    return out.sort_values(["key", "flag"], ignore_index=True)


def _as_text(s: pd.Series) -> pd.Series:
    return s.astype("string")


def _join_groups(keys: pd.Series, values: pd.Series) -> pd.Series:
    """``;``-joined sorted unique values per key (a Python join only for the keys with several values)."""
    df = pd.DataFrame({"k": keys.to_numpy(), "v": values.to_numpy()}).dropna().drop_duplicates()
    if not len(df):
        return pd.Series(dtype="string")
    df = df.sort_values(["k", "v"], kind="stable")
    many = df["k"].duplicated(keep=False).to_numpy(bool)
    one = pd.Series(df["v"].to_numpy()[~many], index=df["k"].to_numpy()[~many])
    if many.any():
        one = pd.concat([one, df[many].groupby("k", sort=False)["v"].agg(";".join)])
    return one.astype("string")


def _take_column(v: pd.Series, idx: np.ndarray) -> pd.Series:
    """``v``'s values at positions ``idx`` with a fresh RangeIndex; Arrow-backed text taken by Arrow directly
    (pandas' own take of it costs a few hundred ms a column on a million rows)."""
    if isinstance(v.dtype, pd.StringDtype) and v.dtype.storage == "pyarrow":
        return text_column(to_arrow(v).take(pa.array(idx, type=pa.int64())))
    return v.take(idx).reset_index(drop=True)


def _chunked(values: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    return values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])


def text_column(values: Any) -> pd.Series:
    """Text values as a pandas string column stored in Arrow (no per-value validation; zero-copy to Arrow).

    >>> text_column(pd.Series(["a", None])).tolist()
    ['a', <NA>]
    """
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return values
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        arr = pa.array(values, type=pa.large_string())
    elif isinstance(values, pa.Array | pa.ChunkedArray):
        arr = values.cast(pa.large_string())
    else:
        obj = np.asarray(values, dtype=object)
        arr = pa.array(obj, type=pa.large_string(), from_pandas=True)
    return pd.Series(pd.arrays.ArrowStringArray(_chunked(arr)))


def _by_code(values: pd.Series, codes: np.ndarray, ncodes: int) -> np.ndarray:
    """``values`` (indexed by integer cluster code) for each of ``codes``; "" where none."""
    arr = np.full(ncodes, "", dtype=object)
    if len(values):
        arr[values.index.to_numpy(np.int64)] = values.to_numpy(dtype=object)
    return arr[codes]


class _Codes:
    """A column of codes encoded once (Arrow dictionary): maps apply to each distinct code."""

    def __init__(self, arr: pa.Array) -> None:
        enc = pc.dictionary_encode(arr)
        self.arr, self.indices, self.uniq = arr, enc.indices, enc.dictionary.to_pylist()

    def map(self, *mappings: dict) -> pa.Array:
        """``mappings`` applied in turn to each distinct code (None stays None), as Arrow text."""
        vals = self.uniq
        for mp in mappings:
            vals = [None if v is None else mp.get(v) for v in vals]
        return pa.array(vals, type=pa.large_string()).take(self.indices)


def _unit_names(codes: pd.DataFrame) -> dict[str, Callable[[], pa.Array]]:
    """Codes and names of the legacy units and the 2025 units of each row: for each column of
    :data:`UNIT_COLUMNS`, a function that makes it (Arrow text; one dictionary lookup per distinct code),
    so that a caller holds one column at a time (the ten columns of a voters' list of 2.37 M rows made at
    once were 0.45 GB of its peak)."""
    from popqa.geo import crosswalk, legacy_units, provinces, units_2025

    leg = legacy_units()
    cw = crosswalk(default_only=True)
    new = units_2025()
    pn = dict(zip(leg["province_code"], leg["province_name"], strict=False))
    dn = dict(zip(leg["district_code"], leg["district_name"], strict=False))
    cn = dict(zip(leg["commune_code"], leg["commune_name"], strict=False))
    c25 = dict(zip(cw["commune_code"], cw["commune_code_2025"], strict=False))
    p25 = dict(zip(cw["commune_code"], cw["province_code_2025"], strict=False))
    c25n = dict(zip(new["commune_code"], new["commune_name"], strict=False))
    p25n = dict(zip(*provinces("2025")[["province_code", "province_name"]].T.to_numpy(), strict=False))
    prov, dist, com = (_Codes(to_arrow(text_column(codes[c]))) for c in ("province_code", "district_code",
                                                                          "commune_code"))
    return {
        "province_code": lambda: prov.arr,
        "province_name": lambda: prov.map(pn),
        "district_code": lambda: dist.arr,
        "district_name": lambda: dist.map(dn),
        "commune_code": lambda: com.arr,
        "commune_name": lambda: com.map(cn),
        "province_code_2025": lambda: com.map(p25),
        "province_name_2025": lambda: com.map(p25, p25n),
        "commune_code_2025": lambda: com.map(c25),
        "commune_name_2025": lambda: com.map(c25, c25n),
    }


def _review_pairs(findings: pd.DataFrame | None, pid_a: pa.Array, ccode: np.ndarray, ncodes: int,
                  split: pd.DataFrame | None = None) -> np.ndarray:
    """For each cluster code, whether one of its records is in a pair proposed for clerical review
    (rule L002: ``record_id`` and the record in ``value``, scored below the merge threshold), or in a
    pair of ``split`` (linked by the deduplication below ``collapse_at``: same columns), with a
    record of *another* person (another cluster, present or not). Records not in the register are
    ignored."""
    out = np.zeros(ncodes + 1, dtype=bool)
    parts = []
    if findings is not None and len(findings) and {"rule_id", "record_id", "value"} <= set(findings.columns):
        parts.append(findings.loc[(findings["rule_id"] == "L002").fillna(False).to_numpy(bool), ["record_id", "value"]])
    if split is not None and len(split):
        parts.append(split[["record_id", "value"]])
    f = pd.concat(parts, ignore_index=True) if parts else None
    if f is None or not len(f):
        return out[:ncodes]
    ends = []
    for col in ("record_id", "value"):
        where = textkeys.positions(f[col].astype("string"), pid_a)
        ends.append(np.where(where >= 0, ccode[np.maximum(where, 0)], -1))
    a, b = ends
    pair = (a >= 0) & (b >= 0) & (a != b)
    out[a[pair]] = True
    out[b[pair]] = True
    return out[:ncodes]


def refine_clusters(clusters: pd.DataFrame, pairs: pd.DataFrame, collapse_at: float
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the linkage's clusters to the records linked at ``collapse_at`` or more.

    Within each cluster of several records, the records are joined again by the cluster's own pairs
    of ``pairs`` (the deduplication's scored pairs) at or above ``collapse_at`` (a reviewer's match
    always; a pair a merge rule blocked never: :func:`popqa.linkage.clusters.constrained_components`).
    A cluster is only ever split, never joined to another. Returns the new clusters (same columns; a
    part's id is its smallest person id) and the cluster's pairs whose two records were split apart,
    as ``record_id`` / ``value`` (the form of a review finding: both rows get ``possible_duplicate``).

    >>> cl = pd.DataFrame({"person_id": ["A", "B", "C", "D"], "cluster_id": ["A", "A", "A", "D"]})
    >>> pairs = pd.DataFrame({"person_id_l": ["A", "B"], "person_id_r": ["B", "C"],
    ...                       "match_probability": [0.9995, 0.8]})
    >>> new, split = refine_clusters(cl, pairs, 0.999)
    >>> new["cluster_id"].tolist(), split.values.tolist()
    (['A', 'A', 'C', 'D'], [['B', 'C']])
    """
    from popqa.linkage.clusters import constrained_components

    out = clusters.copy()
    cid = clusters["cluster_id"].astype("string")
    multi = textkeys.duplicated(cid, keep=False) & clusters["person_id"].notna().to_numpy()
    empty = pd.DataFrame({"record_id": pd.Series(dtype="string"), "value": pd.Series(dtype="string")})
    if not multi.any() or pairs is None or not len(pairs):
        return out, empty
    members = pd.Series(cid[multi].to_numpy(), index=clusters.loc[multi, "person_id"].astype("string").to_numpy())
    members = members[~textkeys.duplicated(pd.Series(members.index))]
    cl_l = textkeys.lookup(pairs["person_id_l"].astype("string"), members)
    cl_r = textkeys.lookup(pairs["person_id_r"].astype("string"), members)
    same = (cl_l.notna() & cl_l.eq(cl_r)).fillna(False).to_numpy(bool)
    within = pairs[same]
    if "review" in within.columns:  # a reviewer's match stays joined whatever its score
        matched = (within["review"] == "match").fillna(False).to_numpy(bool)
        if matched.any():
            within = within.assign(match_probability=np.where(
                matched, np.maximum(within["match_probability"].to_numpy(dtype=float), collapse_at),
                within["match_probability"].to_numpy(dtype=float)))
    parts, _ = constrained_components(pd.Series(members.index, dtype="string"), within, collapse_at)
    part = pd.Series(parts["cluster_id"].astype("string").to_numpy(), index=parts["person_id"].astype("string").to_numpy())
    new_cid = textkeys.lookup(clusters.loc[multi, "person_id"].astype("string"), part)
    out["cluster_id"] = out["cluster_id"].astype("string")
    out.loc[multi, "cluster_id"] = new_cid.to_numpy()
    if "cluster_size" in out.columns:
        out["cluster_size"] = out.groupby("cluster_id", dropna=False)["person_id"].transform("size").astype(
            clusters["cluster_size"].dtype)
    pl = textkeys.lookup(within["person_id_l"].astype("string"), part)
    pr = textkeys.lookup(within["person_id_r"].astype("string"), part)
    apart = pl.ne(pr).fillna(False).to_numpy(bool)
    split = pd.DataFrame({"record_id": within["person_id_l"].astype("string").to_numpy()[apart],
                          "value": within["person_id_r"].astype("string").to_numpy()[apart]})
    return out, split


def _households(register: Any) -> pd.DataFrame | None:
    hh = register.get("households") if hasattr(register, "get") else None
    if hh is None or "household_id" not in hh:
        return None
    cols = [c for c in ("household_id", "village", "collaborator_id") if c in hh.columns]
    first = hh[cols].drop_duplicates("household_id")
    first = first[first["household_id"].notna()]
    return first.set_index(first["household_id"].astype("string"))


@dataclass(frozen=True, eq=False)
class ExtractBasis:
    """What every extract of one register and one audit shares, worked out once (:func:`extract_basis`).

    Attributes
    ----------
    judged : :data:`JUDGED_COLUMNS` of every person record, by position (``birth_date`` as datetimes).
    pid : the records' person ids (Arrow text); has_id : whether a record has one; present : whether it
        is present (:func:`popqa.definitions.is_present`).
    ccode, ncodes : each record's person (its duplicate cluster) as an integer code, -1 without a person
        id; the number of codes.
    rule_flags : the ids of the error and warning findings of each code's records (``;``-joined,
        indexed by code); possible_duplicate : whether a code's records are in a pair proposed for review
        with another person's (by code).
    collapse_at : the probability the clusters were split at (:func:`refine_clusters`), or None.
    """

    judged: pd.DataFrame = field(repr=False)
    pid: pa.Array = field(repr=False)
    has_id: np.ndarray = field(repr=False)
    present: np.ndarray = field(repr=False)
    ccode: np.ndarray = field(repr=False)
    ncodes: int
    rule_flags: pd.Series = field(repr=False)
    possible_duplicate: np.ndarray = field(repr=False)
    collapse_at: float | None = None


def extract_basis(register: Any, *, clusters: pd.DataFrame | None = None, findings: pd.DataFrame | None = None,
                  pairs: pd.DataFrame | None = None, collapse_at: float | None = None) -> ExtractBasis:
    """The part of :func:`build_extract` that does not depend on the kind, for every kind at once.

    An audit that makes several kinds of a large register works out each record's person, its findings'
    flags and its review pairs once (9 s at 3.38 M persons on the 2-core machine) instead of once per kind
    (each small kind then takes 8-11 s instead of 15-18; docs/benchmarks.md, "nineteenth measurement"). ``clusters``, ``findings``, ``pairs`` and ``collapse_at``
    are :func:`build_extract`'s (tests/extracts/test_build.py makes every kind from one basis).
    """
    split = None
    if collapse_at is not None:
        if not 0 < float(collapse_at) <= 1:
            raise InputError(f"collapse_at must be a probability in (0, 1], not {collapse_at!r}")
        if clusters is None or pairs is None:
            raise InputError("collapse_at needs the deduplication's clusters and scored pairs")
        collapse_at = float(collapse_at)
        clusters, split = refine_clusters(clusters, pairs, collapse_at)
    # the columns every record is judged by; build_extract reads the others only for the records an
    # extract keeps: at 3.38 M persons the whole table was read back from disk once per kind after the
    # link stage (1.1 GB held beside the audit's own; docs/benchmarks.md)
    have = set(register.tables["persons"].columns)
    p = register.columns("persons", [c for c in JUDGED_COLUMNS if c in have])
    if not (isinstance(p.index, pd.RangeIndex) and p.index.start == 0 and p.index.step == 1):
        p = p.reset_index(drop=True)                     # positions are the index (no copy when they are)
    if "birth_date" in p:
        p["birth_date"] = as_datetime(p["birth_date"])
    pid = _as_text(p["person_id"])
    has_id = (pid.notna() & pid.ne("")).fillna(False).to_numpy(bool)
    present = is_present(p).to_numpy(bool)

    # cluster of each record as an integer code (Arrow hashing: no Python call per record)
    pid_a = pa.array(pid, type=pa.large_string())
    del pid
    if clusters is not None and len(clusters):
        # index_in finds the first row of a repeated person id, as drop_duplicates would keep it
        cl_pid = to_arrow(clusters["person_id"]).cast(pa.large_string())
        cl_cid = to_arrow(clusters["cluster_id"]).cast(pa.large_string())
        where = textkeys.positions(pid_a, cl_pid)
        taken = cl_cid.take(pa.array(np.maximum(where, 0)))
        cid_a = pc.if_else(pa.array(where >= 0), pc.coalesce(taken, pid_a), pid_a)
        del cl_pid, cl_cid, where, taken
    else:
        cid_a = pid_a
    enc = pc.dictionary_encode(cid_a)
    del cid_a
    ccode = enc.indices.to_numpy(zero_copy_only=False)
    ccode = np.where(has_id, np.nan_to_num(ccode.astype(float), nan=-1), -1).astype(np.int64)
    ncodes = len(enc.dictionary)
    del enc

    # the ids of each person's error and warning findings on the persons table
    rule_flags = pd.Series(dtype="string")
    if findings is not None and len(findings):
        f = findings[(findings["table"] == "persons").fillna(False).to_numpy(bool)
                     & findings["severity"].isin(["error", "warning"]).fillna(False).to_numpy(bool)]
        if len(f):
            where = textkeys.positions(f["record_id"].astype("string"), pid_a)
            fc = np.where(where >= 0, ccode[np.maximum(where, 0)], -1)
            keep = fc >= 0
            rule_flags = _join_groups(pd.Series(fc[keep]), f["rule_id"].astype("string")[keep])
    possible_dup = _review_pairs(findings, pid_a, ccode, ncodes, split)
    return ExtractBasis(p, pid_a, has_id, present, ccode, ncodes, rule_flags, possible_dup, collapse_at)


def build_extract(
    register: Any,
    kind: str,
    *,
    period: str | Period | None = None,
    as_of: Any = None,
    school_year: int | None = None,
    election_date: Any = None,
    clusters: pd.DataFrame | None = None,
    findings: pd.DataFrame | None = None,
    pairs: pd.DataFrame | None = None,
    collapse_at: float | None = None,
    basis: ExtractBasis | None = None,
) -> ExtractTable:
    """The rows of one extract (no file is written).

    Parameters
    ----------
    register : a :class:`popqa.io.Register` (``persons``; ``households`` for village and collaborator).
    kind : one of :data:`popqa.extracts.KINDS`.
    period : ``YYYY-MM`` of the export (default the register's period); its last day is the export date.
    as_of : reference date (default the export date).
    school_year : ``school_entry`` (default :func:`default_school_year` of the export date).
    election_date : ``voters`` (default the reference date).
    clusters : the linkage's clusters (``person_id``, ``cluster_id``); records of one cluster are one
        person. Without it, only records repeating a person id are folded together.
    findings : the audit's findings (contract columns); the ids of each person's error and warning
        findings on the ``persons`` table become flags.
    pairs, collapse_at : the deduplication's scored pairs (``DedupeResult.pairs``) and a probability:
        records of one cluster are one row only where they are linked at ``collapse_at`` or more
        (:func:`refine_clusters`); records the deduplication linked below it are listed apart, both
        rows flagged ``possible_duplicate``. For a list where a person left out loses a service (a
        school place, a health card, a vote) and a flagged double costs a check. Default: the
        clusters as they are.
    basis : :func:`extract_basis` of the register with these clusters, findings, pairs and collapse_at,
        given instead of them when several kinds are made of one register.

    Returns
    -------
    ExtractTable

    Examples
    --------
    >>> import pandas as pd
    >>> from popqa.io import Register
    >>> persons = pd.DataFrame({"person_id": ["A", "B", "C"], "household_id": "H", "full_name": "Lê Văn Tám",
    ...     "sex": 1, "birth_date": ["2023-05-01", "2023-05-01", "1990-01-01"], "birth_date_precision": "day",
    ...     "relation_to_head": 3, "ethnicity_code": "01", "marital_status": 1, "education_level": 0,
    ...     "residence_status": 1, "status": 1, "province_code": "72", "district_code": "703",
    ...     "commune_code": "25456", "updated_at": "2026-01-01"})
    >>> hh = pd.DataFrame({"household_id": ["H"], "province_code": "72", "district_code": "703",
    ...     "commune_code": "25456", "village": "Ấp 1", "address": "", "collaborator_id": "C1",
    ...     "created_date": "2010-01-01"})
    >>> reg = Register.from_frames({"households": hh, "persons": persons}, period="2026-10")
    >>> t = build_extract(reg, "under6", clusters=pd.DataFrame({"person_id": ["A", "B", "C"],
    ...                                                         "cluster_id": ["A", "A", "C"]}))
    >>> t.rows[["person_id", "duplicate_person_ids", "age", "flags"]].values.tolist()
    [['A', 'B', 3, 'probable_duplicate']]
    """
    period = period if period is not None else getattr(register, "period", None)
    if not period:
        raise InputError("the extract needs the period of the export (YYYY-MM)")
    params = extract_params(kind, period, as_of=as_of, school_year=school_year, election_date=election_date)
    if basis is None:
        basis = extract_basis(register, clusters=clusters, findings=findings, pairs=pairs, collapse_at=collapse_at)
    elif any(v is not None for v in (clusters, findings, pairs, collapse_at)):
        raise InputError("give the extract either a basis or the clusters, findings, pairs and collapse_at it is made of")
    elif len(basis.judged) != register.rows()["persons"]:
        raise InputError("the extract's basis was made of another register")
    if basis.collapse_at is not None:
        params = dataclasses.replace(params, collapse_at=basis.collapse_at)
    ref = params.reference_date
    have = set(register.tables["persons"].columns)

    def columns(names: Any, rows: np.ndarray | None = None) -> pd.DataFrame:
        mask = None
        if rows is not None:
            mask = np.zeros(len(p), dtype=bool)
            mask[rows] = True
        out = register.columns("persons", [c for c in dict.fromkeys(names) if c in have], rows=mask)
        return out.reset_index(drop=True)

    p, pid_a, has_id, present = basis.judged, basis.pid, basis.has_id, basis.present
    ccode, ncodes = basis.ccode, basis.ncodes
    elig = eligibility(p, kind, reference=ref, school_year=params.school_year,
                       election_date=params.election_date)
    possible, certain = elig.possible.to_numpy(bool), elig.certain.to_numpy(bool)
    cand = possible & present & has_id

    def pids(idx: np.ndarray) -> np.ndarray:
        return pid_a.take(pa.array(idx, type=pa.int64())).to_numpy(zero_copy_only=False)

    chosen = np.zeros(ncodes + 1, dtype=bool)
    chosen[ccode[cand]] = True
    chosen[-1] = False                                   # code -1: no person id
    mem_idx = np.flatnonzero(chosen[ccode])
    size = np.bincount(ccode[mem_idx], minlength=ncodes)
    # a cluster with one record is its own row; only the clusters of several records are sorted
    multi = size[ccode[mem_idx]] > 1
    single_idx, multi_idx = mem_idx[~multi], mem_idx[multi]
    m = columns((*_COMPLETENESS, "birth_date_precision", "updated_at"), multi_idx)  # multi_idx ascends
    m = m.assign(_pid=pids(multi_idx), _cid=ccode[multi_idx], _cand=cand[multi_idx],
                 _certain=certain[multi_idx], _pos=multi_idx)
    score = np.zeros(len(m), dtype=np.int64)
    for c in _COMPLETENESS:
        if c in m.columns:
            v = m[c]
            ok = v.notna().to_numpy(bool)
            if v.dtype == object or isinstance(v.dtype, pd.StringDtype):
                ok &= v.astype("string").str.strip().ne("").fillna(False).to_numpy(bool)
            score += 3 * ok
    if "birth_date_precision" in m.columns:
        prec = m["birth_date_precision"].astype("string").str.lower().map(_PRECISION_RANK)
        score += pd.to_numeric(prec, errors="coerce").fillna(0).to_numpy(np.int64)
    m["_score"] = score
    m["_upd"] = as_datetime(m["updated_at"], errors="coerce") if "updated_at" in m else pd.NaT
    m = m.sort_values(["_cid", "_cand", "_score", "_certain", "_upd", "_pid"],
                      ascending=[True, False, False, False, False, True], kind="stable", na_position="last")
    first = ~m["_cid"].duplicated().to_numpy(bool)
    rep_pos = np.sort(np.concatenate([single_idx, m["_pos"].to_numpy()[first]]))
    rep = columns(_REP_COLUMNS, rep_pos)                 # rep_pos ascends
    rep_code = ccode[rep_pos]
    rep_certain = certain[rep_pos]
    pid_of_code = np.empty(ncodes, dtype=object)
    multi_rep = size[rep_code] > 1                       # only clusters of several records have others
    pid_of_code[rep_code[multi_rep]] = pids(rep_pos[multi_rep])
    others = m.loc[~first, ["_cid", "_pid"]]
    others = others[others["_pid"].to_numpy() != pid_of_code[others["_cid"].to_numpy()]]
    dup_ids = _join_groups(others["_cid"], others["_pid"])
    del m, others, first, score, pid_of_code          # the clusters of several records: done with

    # the list's order first (commune, village, household, person), then every column made in it as it is
    # made: the rows built whole and then sorted beside themselves were the voters' peak (docs/benchmarks.md)
    hh = _households(register)
    nulls = pa.nulls(len(rep), type=pa.large_string())
    village, collab = nulls, nulls
    hh_id = to_arrow(text_column(rep["household_id"])) if "household_id" in rep else nulls
    if hh is not None:
        where = textkeys.positions(hh_id, pa.array(hh.index.to_numpy(dtype=object), type=pa.large_string()))
        take = pa.array(where, mask=where < 0)
        if "village" in hh:
            village = to_arrow(text_column(hh["village"])).take(take)
        if "collaborator_id" in hh:
            collab = to_arrow(text_column(hh["collaborator_id"])).take(take)
        del hh, where, take
    if "collaborator_id" in rep.columns:                # a person's own collaborator id first
        collab = pc.coalesce(to_arrow(text_column(rep["collaborator_id"].reset_index(drop=True))), collab)
    geo = pd.DataFrame({c: (rep[c] if c in rep else pd.Series(pd.NA, index=rep.index, dtype="string"))
                        for c in ("province_code", "district_code", "commune_code")})
    names = _unit_names(geo)
    del geo
    pid_rows = pid_a.take(pa.array(rep_pos))
    keys = {"commune_code": names["commune_code"](), "village": village, "household_id": hh_id, "person_id": pid_rows}
    order = pc.sort_indices(pa.table({c: _chunked(v) for c, v in keys.items()}),
                            sort_keys=[(c, "ascending", "at_end") for c in keys]).to_numpy()
    del keys
    cols: dict[str, Any] = {}

    def put(name: str, values: Any) -> None:
        """One column of the list, in the list's order."""
        if isinstance(values, np.ndarray):             # the flags and duplicate ids: Python text
            cols[name] = text_column(values[order])
        elif isinstance(values, pd.Series) and not isinstance(values.dtype, pd.StringDtype):
            cols[name] = _take_column(values.reset_index(drop=True), order)
        else:
            cols[name] = _take_column(text_column(values), order)

    put("person_id", pid_rows)
    del pid_rows
    put("duplicate_person_ids", _by_code(dup_ids, rep_code, ncodes))
    put("household_id", hh_id)
    del hh_id
    put("full_name", rep["full_name"] if "full_name" in rep else nulls)
    put("sex", pd.to_numeric(rep["sex"], errors="coerce").astype("Int64") if "sex" in rep
        else pd.Series(pd.NA, index=rep.index, dtype="Int64"))
    lo, hi = birth_interval(rep, ref)
    put("birth_date", pa.array(lo.to_numpy(), from_pandas=True).cast(pa.date32()).cast(pa.large_string()))
    put("birth_date_precision", rep["birth_date_precision"] if "birth_date_precision" in rep else nulls)
    put("age", pd.Series(pd.array(age_at(lo.reset_index(drop=True), ref).to_numpy(), dtype="Float64").astype("Int64")))
    age_min = age_at(hi.reset_index(drop=True), ref).to_numpy(float)
    del lo, hi
    cit = rep["citizen_id"].astype("string") if "citizen_id" in rep else pd.Series(pd.NA, index=rep.index, dtype="string")
    no_cid = (cit.isna() | cit.eq("")).fillna(True).to_numpy(bool) & (age_min >= 14)
    put("citizen_id", cit.reset_index(drop=True))
    del cit, rep
    for c in UNIT_COLUMNS:                              # one unit column made at a time
        put(c, names.pop(c)())
    put("village", village)
    put("collaborator_id", collab)
    del village, collab
    named = {
        "age_uncertain": ~rep_certain,
        "probable_duplicate": size[rep_code] > 1,
        "possible_duplicate": basis.possible_duplicate[rep_code],
        "no_citizen_id": no_cid,
    }
    # flags: the error and warning findings of every record of the person (extract_basis), then the named flags
    flags = _by_code(basis.rule_flags, rep_code, ncodes)
    for name in NAMED_FLAGS:                           # only the flagged rows are touched
        idx = np.flatnonzero(named[name])
        if len(idx):
            cur = flags[idx]
            flags[idx] = np.where(cur == "", name, cur + ";" + name)
    put("flags", flags)
    del flags, named
    out = pd.DataFrame({c: cols.pop(c) for c in EXTRACT_COLUMNS}, index=pd.RangeIndex(len(order)), copy=False)
    lo_all = p["birth_date"]                              # datetimes (extract_basis)
    excluded = {
        "records": len(p),
        "present_records": int(present.sum()),
        "records_without_person_id": int((~has_id).sum()),
        "present_without_birth_date": int((present & lo_all.isna().to_numpy(bool)).sum()),
        "present_born_after_reference_date": int((present & (lo_all > ref).fillna(False).to_numpy(bool)).sum()),
        "duplicate_records_folded": int(len(mem_idx) - len(rep_pos)),
    }
    return ExtractTable(params, out, excluded)
