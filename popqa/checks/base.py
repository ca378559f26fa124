"""The rule object, the registry and the context every rule function receives.

A rule is data (id, dimension, severity, table, column, a Vietnamese and an
English message) plus one vectorised function ``func(ctx) -> hits`` over whole
tables. *Hits* are the failing records: a frame with ``record_id``, ``column``,
``value`` and the unit codes (``province_code``, ``district_code``,
``commune_code``, ``collaborator_id``); :func:`popqa.checks.run_checks` adds the
rule's metadata and concatenates once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa

from popqa import textkeys
from popqa.checks.config import ChecksConfig
from popqa.contract import DIMENSIONS, SEVERITIES, TABLES
from popqa.definitions import age_at, is_present  # age_at re-exported: one definition

__all__ = [
    "Rule",
    "RULES",
    "COMPUTED_BY",
    "SCOPES",
    "rule",
    "add_rule",
    "get_rule",
    "Context",
    "HIT_COLUMNS",
    "GEO_COLUMNS",
    "empty_hits",
    "reference_date",
    "age_at",
]

GEO_COLUMNS = ("province_code", "district_code", "commune_code", "collaborator_id")
HIT_COLUMNS = ("record_id", "column", "value", *GEO_COLUMNS)

#: Column of a partition's persons holding each person's collaborator as resolved over the whole
#: province (the household may lie in another partition).
RESOLVED_COLLABORATOR = "_collaborator_resolved"

#: Tables that unit-level rules report on (record_id = commune code).
UNIT_TABLE = "units"

#: Days in a mean Gregorian year.
YEAR_DAYS = 365.2425

#: Who produces a rule's findings: the check engine (:func:`popqa.checks.run_checks`),
#: the deduplication (:func:`popqa.linkage.dedupe`), the coverage comparison with
#: administrative sources (:func:`popqa.checks.coverage.coverage_findings`) or the
#: reconciliation stage (:func:`popqa.reconcile.reconcile_stage`).
COMPUTED_BY = ("engine", "linkage", "coverage", "reconcile")

#: What a rule must see to judge a record (:mod:`popqa.checks.partitioned` runs the first three
#: partition by partition): "record" the record's own row; "household" the household with its
#: members (persons and households joined by household_id); "unit" every record of a commune
#: (aggregates per commune code); "province" anything across communes (ids unique in the
#: province, mothers and events of persons anywhere, the parse issues). A rule that declares
#: nothing is "province", which is always right, only not partitioned.
SCOPES = ("record", "household", "unit", "province")


@dataclass(frozen=True)
class Rule:
    """One quality rule.

    Attributes
    ----------
    rule_id : stable id ("P012"); its letter names the family.
    dimension : one of :data:`popqa.contract.DIMENSIONS`.
    severity : error, warning or info.
    table : the table whose records are flagged ("units" for unit-level rules).
    message_vi, message_en : one sentence each.
    func : ``func(ctx) -> DataFrame`` of hits (see module docstring).
    requires : tables that must be present for the rule to run.
    column : the column at fault, when there is one.
    family : short family name (completeness, codes, citizen_id, ...).
    action_vi, action_en : what the person who fixes the finding should do (one or
        two concrete sentences: whom to ask, which record or sheet to check).
    parameters : the settings the rule reads (``ChecksConfig`` field names, or
        ``linkage.<field>`` for :class:`~popqa.linkage.config.LinkageConfig`).
    computed_by : "engine" when :func:`~popqa.checks.run_checks` runs ``func``;
        "linkage", "coverage" or "reconcile" when another stage produces the findings and
        takes the rule's id, dimension, severity and messages from here.
    scope : what the rule must see to judge a record (one of :data:`SCOPES`); the
        partitioned check stage runs "record", "household" and "unit" rules partition by
        partition and "province" rules on the whole register.
    """

    rule_id: str
    dimension: str
    severity: str
    table: str
    message_vi: str
    message_en: str
    func: Callable[[Context], pd.DataFrame] | None = field(repr=False, compare=False)
    requires: tuple[str, ...] = ()
    column: str | None = None
    family: str = ""
    action_vi: str = ""
    action_en: str = ""
    parameters: tuple[str, ...] = ()
    computed_by: str = "engine"
    scope: str = "province"

    def __post_init__(self) -> None:
        if self.dimension not in DIMENSIONS:
            raise ValueError(f"{self.rule_id}: unknown dimension {self.dimension!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.rule_id}: unknown severity {self.severity!r}")
        if not self.message_vi.strip() or not self.message_en.strip():
            raise ValueError(f"{self.rule_id}: both messages are required")
        if not self.action_vi.strip() or not self.action_en.strip():
            raise ValueError(f"{self.rule_id}: the recommended action is required in Vietnamese and English")
        if self.computed_by not in COMPUTED_BY:
            raise ValueError(f"{self.rule_id}: computed_by must be one of {', '.join(COMPUTED_BY)}")
        if self.scope not in SCOPES:
            raise ValueError(f"{self.rule_id}: scope must be one of {', '.join(SCOPES)}, not {self.scope!r}")
        if (self.func is None) != (self.computed_by != "engine"):
            raise ValueError(f"{self.rule_id}: engine rules need a function; rules computed elsewhere have none")

    def action(self, lang: str = "en") -> str:
        """The recommended action in ``lang`` ("vi" or "en")."""
        if lang not in ("vi", "en"):
            raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
        return self.action_vi if lang == "vi" else self.action_en

    def message(self, lang: str = "en") -> str:
        """The finding's message in ``lang`` ("vi" or "en")."""
        if lang not in ("vi", "en"):
            raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
        return self.message_vi if lang == "vi" else self.message_en

    def applies_to(self, register) -> bool:
        """Whether the engine runs this rule on ``register`` (engine rule, tables present)."""
        return self.computed_by == "engine" and all(t in register for t in self.requires)

    def run(self, ctx: Context) -> pd.DataFrame:
        """The hits of this rule on ``ctx`` (an empty frame when none)."""
        if self.func is None:
            raise ValueError(f"{self.rule_id} is computed by {self.computed_by}, not by the check engine")
        out = self.func(ctx)
        if out is None or len(out) == 0:
            return empty_hits()
        return out


#: rule_id -> Rule, filled by the modules of :mod:`popqa.checks.rules`.
RULES: dict[str, Rule] = {}


def add_rule(r: Rule) -> Rule:
    """Register a rule; ids must be unique."""
    if r.rule_id in RULES:
        raise ValueError(f"duplicate rule id {r.rule_id}")
    RULES[r.rule_id] = r
    return r


def get_rule(rule_id: str) -> Rule:
    """The catalogue's declaration of ``rule_id`` (every family, wherever it is computed).

    Examples
    --------
    >>> get_rule("E002").action_en.startswith("Remind the collaborator")
    True
    >>> get_rule("L001").computed_by
    'linkage'
    """
    import popqa.checks.rules  # noqa: F401  (registers the rules)

    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}; `popqa rules` lists the catalogue") from None


def rule(
    rule_id: str,
    *,
    dimension: str,
    severity: str,
    table: str,
    message_vi: str,
    message_en: str,
    action_vi: str,
    action_en: str,
    parameters: tuple[str, ...] = (),
    requires: tuple[str, ...] | None = None,
    column: str | None = None,
    family: str = "",
    scope: str = "province",
) -> Callable[[Callable[[Context], pd.DataFrame]], Callable[[Context], pd.DataFrame]]:
    """Decorator registering a rule function of the check engine.

    Examples
    --------
    >>> @rule("Z999", dimension="validity", severity="info", table="persons",
    ...       message_vi="Ví dụ.", message_en="Example.", family="demo",
    ...       action_vi="Sửa bản ghi.", action_en="Correct the record.")
    ... def _demo(ctx):
    ...     return empty_hits()
    >>> RULES.pop("Z999").action_en
    'Correct the record.'
    """

    def deco(fn: Callable[[Context], pd.DataFrame]) -> Callable[[Context], pd.DataFrame]:
        req = requires if requires is not None else ((table,) if table in TABLES else ())
        add_rule(
            Rule(rule_id, dimension, severity, table, message_vi, message_en, fn, tuple(req), column, family,
                 action_vi=action_vi, action_en=action_en, parameters=tuple(parameters), scope=scope)
        )
        return fn

    return deco


_EMPTY_HITS = pd.DataFrame({c: pd.Series(dtype="string") for c in HIT_COLUMNS})


def empty_hits() -> pd.DataFrame:
    """A frame of no hits (a copy: callers may add columns)."""
    return _EMPTY_HITS.copy()


def text(s: pd.Series) -> pd.Series:
    """Values as text for the findings' ``value`` column (dates as YYYY-MM-DD)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.strftime("%Y-%m-%d")
        return out.astype("string")
    return s.astype("string")


#: The 2025 reform of the administrative units: provinces merged, two levels, from this date.
MERGER_DATE = pd.Timestamp("2025-07-01")


def reference_date(register) -> pd.Timestamp:
    """The export date: last day of ``register.period``; else the latest recorded/updated date.

    Never today's date, so results do not depend on when the audit runs.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> str(reference_date(SimpleNamespace(period="2024-02", tables={})).date())
    '2024-02-29'
    """
    period = getattr(register, "period", None)
    if period:
        return (pd.Period(str(period)[:7], freq="M").end_time).normalize()
    cands = []
    tables = register.tables
    for tname, col in (("events", "recorded_date"), ("persons", "updated_at"), ("households", "created_date")):
        df = tables.get(tname)
        if df is not None and col in df and len(df):
            m = pd.to_datetime(df[col], errors="coerce").max()
            if pd.notna(m):
                cands.append(pd.Timestamp(m).normalize())
    if cands:
        return max(cands)
    return pd.Timestamp("2000-01-01")


def latest_birth(birth: pd.Series, precision: pd.Series | None) -> pd.Series:
    """The latest date a birth date of the given precision can stand for.

    "year" -> 31 December of that year, "month" -> the month's last day, else the date.
    A precision the date contradicts ("year" on a date other than 1 January,
    "month" on a date other than the 1st) is ignored: the date is taken as exact.

    >>> b = pd.Series(pd.to_datetime(["1950-01-01", "1950-06-15", "1950-06-01"]))
    >>> latest_birth(b, pd.Series(["year", "year", "month"])).dt.strftime("%m-%d").tolist()
    ['12-31', '06-15', '06-30']
    """
    b = birth if pd.api.types.is_datetime64_any_dtype(birth) else pd.to_datetime(birth)
    if precision is None:
        return b
    p = precision.astype("string").str.lower()
    out = b.copy()
    # a precision that the date contradicts (year-only but not 1 January) is not believed
    first_of_month = (b.dt.day == 1).fillna(False).to_numpy(bool)
    m = (p == "month").fillna(False).to_numpy(bool) & first_of_month
    y = (p == "year").fillna(False).to_numpy(bool) & first_of_month & (b.dt.month == 1).fillna(False).to_numpy(bool)
    if y.any():
        out[y] = b[y] + pd.offsets.YearEnd(0)
    if m.any():
        out[m] = b[m] + pd.offsets.MonthEnd(0)
    return out


class Context:
    """What the rules share for one run: the register, the settings, the reference date and derived columns.

    Derived columns are computed once, lazily (``cached_property``).
    """

    def __init__(self, register, config: ChecksConfig, *, province_code: str | None = None,
                 ref_date: pd.Timestamp | None = None) -> None:
        self.register = register
        self.config = config
        #: a partition of the register gets the province's reference date (:mod:`popqa.checks.partitioned`)
        self.ref_date = pd.Timestamp(ref_date) if ref_date is not None else reference_date(register)
        #: first day of the twelve months that end at the reference date
        self.period_start = (self.ref_date - pd.DateOffset(months=12) + pd.Timedelta(days=1)).normalize()
        self._province_code = province_code
        #: intermediate results shared by several rules (computed once per run)
        self.cache: dict[str, object] = {}

    #: The caches that only some families of rules read (a name ending in ``*`` is a prefix of
    #: :attr:`cache` keys; others are :attr:`cache` keys or cached properties) and those families.
    #: A run drops each after the last rule of its families (:func:`popqa.checks.engine.run_rules`): at
    #: 3.38 M persons they are 0.8 GB that the rules after them do not read (docs/benchmarks.md). A rule of
    #: another family that reads one anyway computes it again: slower, the same result.
    #: tests/checks/test_cache_release.py holds this table to what each rule reads.
    FAMILY_CACHES: dict[str, tuple[str, ...]] = {
        "present": ("household",), "members": ("household",), "heads": ("household",),
        "count_rel_*": ("household",), "person_household_ids": ("household",),
        "cid": ("citizen_id",),
        "person_ids": ("events", "mother_child"), "persons_by_id": ("events", "mother_child"),
        "persons_by_id_keys": ("events", "mother_child"),
    }

    def release(self, name: str) -> None:
        """Drop the cache ``name`` (a :attr:`cache` key, a ``prefix*`` of keys or a cached property); the
        next reader computes it again.

        >>> from types import SimpleNamespace
        >>> ctx = Context(SimpleNamespace(period="2026-10", tables={}), None)
        >>> ctx.cache.update({"count_rel_1": 1, "count_rel_2": 2, "cid": 3})
        >>> ctx.release("count_rel_*"); ctx.release("person_ids")
        >>> list(ctx.cache)
        ['cid']
        """
        if name.endswith("*"):
            for key in [k for k in self.cache if k.startswith(name[:-1])]:
                del self.cache[key]
        else:
            self.cache.pop(name, None)
            if isinstance(getattr(type(self), name, None), cached_property):
                self.__dict__.pop(name, None)

    # --- tables -----------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        """The table with its id and code columns as object arrays (fast hashing; computed once)."""
        key = f"table:{name}"
        if key not in self.cache:
            self.cache[key] = _objectify(self.register.tables[name], name)
        return self.cache[key]

    @cached_property
    def province_code(self) -> str | None:
        if self._province_code:
            return str(self._province_code)
        hh = self.register.tables.get("households")
        if hh is None or not len(hh) or hh["province_code"].dropna().empty:
            return None
        return str(hh["province_code"].dropna().value_counts().sort_index().idxmax())

    @cached_property
    def own_provinces(self) -> list[str] | None:
        """The legacy province codes whose communes lie inside the audited province.

        The configured codes; from 1 July 2025 (the reform: the reference date on or after it)
        also every legacy province merged into the same 2025 province, so a register of the
        2025 Tây Ninh configured as "72" holds Long An's communes ("80") as its own. Before
        the reform only the configured codes. None when no province is known.

        >>> from types import SimpleNamespace
        >>> reg = SimpleNamespace(period="2026-10", tables={})
        >>> Context(reg, None, province_code="72").own_provinces
        ['72', '80']
        >>> Context(SimpleNamespace(period="2025-06", tables={}), None, province_code="72").own_provinces
        ['72']
        """
        if not self.province_code:
            return None
        from popqa.geo import province_codes

        return province_codes(self.province_code, merged=self.ref_date >= MERGER_DATE)

    @cached_property
    def household_collaborator(self) -> pd.Series:
        """household_id -> collaborator_id, every household row (:func:`textkeys.lookup` takes the first row
        of a repeated id)."""
        hh = self.table("households")
        return pd.Series(hh["collaborator_id"].to_numpy(), index=hh["household_id"].to_numpy())

    def person_collaborators(self) -> pd.Series:
        """Each person's collaborator over this context's register: their own ``collaborator_id``, else their
        household's (the first row of its id), looked up in Arrow's hash table of the household ids (pandas'
        ``map`` built one of Python strings: 0.9 s at 3.38 M persons). A person without a household id has
        none from a household row without one. :attr:`persons` and the partitioned run, which resolves it
        over the whole province before partitioning, both take it from here."""
        p = self.table("persons")
        collab = textkeys.lookup(p["household_id"], self.household_collaborator)
        if "collaborator_id" in p.columns:
            collab = p["collaborator_id"].fillna(collab)
        return collab

    @cached_property
    def persons(self) -> pd.DataFrame:
        """Persons with derived columns: collaborator_id, _present, _bd_lo, _bd_hi, _age_max, _age_min."""
        p = self.table("persons").copy(deep=False)
        # resolved over the whole province before partitioning, else here
        collab = p.pop(RESOLVED_COLLABORATOR) if RESOLVED_COLLABORATOR in p.columns else self.person_collaborators()
        # new columns are added to a shallow copy: no copy of the person data itself
        p["collaborator_id"] = collab
        p["_present"] = is_present(p).to_numpy(bool)
        p["_bd_lo"] = p["birth_date"]
        p["_bd_hi"] = latest_birth(p["birth_date"], p.get("birth_date_precision"))
        p["_age_max"] = age_at(p["_bd_lo"], self.ref_date)
        p["_age_min"] = age_at(p["_bd_hi"], self.ref_date)
        return p

    @cached_property
    def person_ids(self) -> textkeys.KeySet:
        """The register's person ids, once each, for :func:`isin` (Arrow's hash tables, linear in the ids)."""
        return textkeys.KeySet(self.table("persons")["person_id"])

    @cached_property
    def person_household_ids(self) -> textkeys.KeySet:
        """The households the register's persons belong to, once each, for :func:`isin`."""
        return textkeys.KeySet(self.table("persons")["household_id"])

    #: The columns of :attr:`persons_by_id`: what the rules look up by a person's id (a mother's sex and
    #: birth dates, an event's person's status and birth dates).
    BY_ID_COLUMNS = ("sex", "status", "_bd_lo", "_bd_hi")

    @cached_property
    def persons_by_id(self) -> pd.DataFrame:
        """One row per person_id (the first), indexed by person_id, with :attr:`BY_ID_COLUMNS`.

        Only those columns: the whole row of every person was a copy of the persons table kept for the
        whole check stage (0.5 GB at 1.25 M persons).
        """
        p = self.persons
        cols = ["person_id", *(c for c in self.BY_ID_COLUMNS if c in p.columns)]
        return textkeys.first_rows(p[cols], "person_id").set_index("person_id")

    def by_id(self, ids: pd.Series, *columns: str) -> list[pd.Series]:
        """:attr:`persons_by_id`'s ``columns`` at each of ``ids`` (missing where no person has the id), as
        ``ids.map(persons_by_id[column])`` gives them, found by one look-up in Arrow's hash table of the
        person ids: pandas' ``map`` builds a hash table on the index and keeps it for the rest of the stage
        (0.37 GB at 3.38 M persons, docs/benchmarks.md, "thirteenth measurement").

        >>> from types import SimpleNamespace
        >>> ctx = Context(SimpleNamespace(period="2026-10", tables={}), None)
        >>> ctx.__dict__["persons_by_id"] = pd.DataFrame({"sex": pd.array([1, 2], dtype="Int64")},
        ...                                              index=pd.Index(["P1", "P2"], name="person_id"))
        >>> ids = pd.Series(["P2", None, "P9"], index=[5, 6, 7])
        >>> (sex,) = ctx.by_id(ids, "sex")
        >>> sex.tolist(), str(sex.dtype), sex.equals(ids.map(ctx.persons_by_id["sex"]))
        ([2, <NA>, <NA>], 'Int64', True)
        """
        b = self.persons_by_id
        pos = textkeys.positions(ids, self.persons_by_id_keys)
        return [textkeys.take(b[c], pos, ids.index) for c in columns]

    @cached_property
    def persons_by_id_keys(self) -> pa.Array:
        """:attr:`persons_by_id`'s ids as Arrow text, made once for every :meth:`by_id` (each made them again
        from the index's Python strings: 0.12-0.25 s at 3.38 M persons, five times a run)."""
        return textkeys.arrow(self.persons_by_id.index)  # position for position, a missing id included

    @cached_property
    def units(self) -> pd.DataFrame:
        """commune_code -> district_code, province_code for the communes the register uses."""
        from popqa.geo import legacy_units

        u = legacy_units()[["commune_code", "district_code", "province_code"]]
        return u.drop_duplicates("commune_code").set_index("commune_code")

    # --- hits -------------------------------------------------------------------
    def hits(
        self,
        df: pd.DataFrame,
        mask,
        *,
        key: str,
        column: str | None = None,
        value=None,
    ) -> pd.DataFrame:
        """The failing rows of ``df`` as hits.

        ``value`` defaults to ``df[column]`` as text when ``column`` is a column of ``df``;
        it may be a Series aligned with ``df`` or a function of the failing rows.
        """
        m = np.asarray(pd.Series(mask, index=df.index).fillna(False), dtype=bool)
        if not m.any():
            return empty_hits()
        sub = df.loc[m]
        out = pd.DataFrame(index=sub.index)
        out["record_id"] = sub[key].astype("string")
        out["column"] = pd.Series(column, index=sub.index, dtype="string")
        if value is None and column is not None and column in df.columns:
            out["value"] = text(sub[column])
        elif callable(value):
            out["value"] = text(pd.Series(value(sub), index=sub.index))
        elif value is not None:
            v = value if isinstance(value, pd.Series) else pd.Series(value, index=df.index)
            out["value"] = text(v.loc[sub.index]) if len(v) == len(df) else text(v)
        else:
            out["value"] = pd.Series(pd.NA, index=sub.index, dtype="string")
        for c in GEO_COLUMNS:
            out[c] = sub[c].astype("string") if c in sub.columns else pd.Series(pd.NA, index=sub.index, dtype="string")
        return out.reset_index(drop=True)

    def unit_hits(self, frame: pd.DataFrame, *, column: str | None = None, value: pd.Series | None = None) -> pd.DataFrame:
        """Hits on communes: ``frame`` has a ``commune_code`` column, one row per flagged commune."""
        if frame is None or not len(frame):
            return empty_hits()
        frame = frame.reset_index(drop=True)
        codes = frame["commune_code"].astype("string")
        out = pd.DataFrame({"record_id": codes})
        out["column"] = pd.Series(column, index=out.index, dtype="string")
        out["value"] = (
            value.reset_index(drop=True).astype("string")
            if value is not None
            else pd.Series(pd.NA, index=out.index, dtype="string")
        )
        out["province_code"] = codes.map(self.units["province_code"]).astype("string")
        out["district_code"] = codes.map(self.units["district_code"]).astype("string")
        out["commune_code"] = codes
        out["collaborator_id"] = pd.Series(pd.NA, index=out.index, dtype="string")
        return out


def _objectify(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """A shallow copy whose id/code columns are object arrays (None for missing).

    pandas hashes, compares and maps object arrays of Python strings several
    times faster than its string extension arrays; free-text columns (names,
    addresses) are left as they are.
    """
    spec = TABLES.get(name)
    if spec is None:
        return df
    out = df.copy(deep=False)
    for col in spec.columns:
        if col.kind in ("id", "code") and col.name in out.columns and not pd.api.types.is_object_dtype(out[col.name]):
            if pd.api.types.is_string_dtype(out[col.name]):
                out[col.name] = pd.Series(out[col.name].to_numpy(dtype=object, na_value=None), index=out.index)
    return out


def isin(s: pd.Series, values) -> pd.Series:
    """``s.isin(values)`` as a plain boolean Series, fast for text columns (missing -> False).

    pandas' ``isin`` on string extension arrays is an order of magnitude slower
    than on object arrays; ids are compared as objects here.

    >>> isin(pd.Series(["a", None, "c"], dtype="string"), ["a", "b"]).tolist()
    [True, False, False]
    """
    if isinstance(values, textkeys.KeySet):  # a set of keys the context holds (``ctx.person_ids``...)
        return pd.Series(textkeys.isin(s, values), index=s.index)
    arr = s.to_numpy(dtype=object, na_value=None)
    if isinstance(values, pd.Index) and values.dtype == object and values.is_unique and not values.hasnans:
        # an Index a rule keeps (the households' member counts...): its hash table is built once and kept
        # with it, where ``Index.isin`` hashed the whole set again at every call (the check stage's
        # largest cost growing faster than the register: 2.1 s at 1.25 M persons, 12.7 s at 3.38 M)
        return pd.Series(values.get_indexer(arr) >= 0, index=s.index)
    if isinstance(values, pd.Series | pd.Index):
        vals = values.dropna()
    else:
        vals = pd.Series(np.asarray([v for v in values if v is not None and v is not pd.NA], dtype=object))
    if len(arr) > 100_000 and pd.api.types.infer_dtype(arr, skipna=True) == "string" and (
            pd.api.types.infer_dtype(vals, skipna=True) in ("string", "empty")):
        # text in both: Arrow's hash table (pandas' lookups of millions of ids grew 8x for 2.7x the ids)
        return pd.Series(textkeys.isin(pd.Series(arr, dtype=object), vals.astype(object)), index=s.index)
    return pd.Series(pd.Index(arr).isin(vals.to_numpy(dtype=object)), index=s.index)
