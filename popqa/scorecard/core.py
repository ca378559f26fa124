"""Scores, grades, WHO DQR roll-ups, trends and program targets.

Scoring method
--------------
A score is the share of a unit's records that carry no problem, so it reads
as "out of 100 records, this many need no correction". For a unit *u* (a
commune, district, province, 2025 commune or collaborator):

* each record counts with the weight of its worst finding (error 1,
  warning 0.5, info 0 by default), once, however many findings it has;
* rules that flag every record of a group sharing one value (a duplicated
  key or citizen ID, ``config.group_rules``) do not count the group's first
  record: two records of one person are one surplus record, not two errors;
* **dimension** *d*: the denominator is the number of records of *u* in the
  tables that *d* examines (by default the tables its findings concern; all
  register tables when *d* has no finding anywhere), the numerator the
  weighted records with a finding of *d*;
* **overall**: the denominator is every register record of *u* (households,
  persons, events: ``config.register_tables``) plus the administrative-source
  records of *u* that are flagged (records the register misses); the
  numerator the weighted records with a finding of any dimension;
* ``score = 100 x (1 - weighted flagged records / denominator)``, floored at 0.

The overall score is *not* a mean of the dimension scores: a mean of seven
numbers near 100 hides a unit whose records are 10 % invalid, the record share
does not. Grades: green at or above the level's green band, yellow at or above
its yellow band, red below; ``"insufficient"`` (too few records) when the unit
has fewer records than its level's ``min_records``; no grade when there is
nothing to score. Findings on tables without records (for example a
unit-level finding whose record is a commune) do not enter the scores; they
still appear in the reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from popqa import textkeys
from popqa.contract import DIMENSIONS
from popqa.scorecard.config import ScorecardConfig

__all__ = [
    "LEVELS",
    "LEVEL_COLUMNS",
    "SCORECARD_COLUMNS",
    "record_units",
    "compute_scorecard",
    "grade",
    "INSUFFICIENT",
    "dqr_rollup",
    "fail_threshold",
    "units_failing",
    "HEADLINE_COLUMNS",
    "add_trend",
]

#: Scoring levels and the column of a record that names its unit.
LEVEL_COLUMNS: dict[str, str] = {
    "province": "province_code",
    "district": "district_code",
    "commune": "commune_code",
    "commune_2025": "commune_code_2025",
    "collaborator": "collaborator_id",
}
LEVELS = tuple(LEVEL_COLUMNS)
SCORECARD_COLUMNS = [
    "level",
    "unit_code",
    "parent_code",
    "dimension",
    "records",
    "flagged",
    "score",
    "grade",
]
#: Grade of a unit with fewer records than its level's minimum (not graded).
INSUFFICIENT = "insufficient"
_RECORD_COLUMNS = ["table", "record_id", *LEVEL_COLUMNS.values()]
#: The columns of :func:`record_units` held as categories (of ``string`` text): all but the record id.
CATEGORY_COLUMNS = [c for c in _RECORD_COLUMNS if c != "record_id"]
_REGISTER_TABLES = ("households", "persons", "events")


def _as_str(s: pd.Series) -> pd.Series:
    return s.astype("string")


def _with_2025(df: pd.DataFrame) -> pd.DataFrame:
    from popqa.geo import codes_2025

    if "commune_code_2025" not in df.columns:
        df = df.assign(commune_code_2025=codes_2025(df["commune_code"]))
    return df


def record_units(register, province_code: str | None = None) -> pd.DataFrame:
    """One row per scored record with the units it belongs to.

    Households, persons (collaborator of their household) and events of the
    register, plus the records of any administrative source present (commune
    only; district and province from the admin-unit list). With the audited
    ``province_code``, a record of a legacy province merged into the same 2025
    province is counted under it (:func:`popqa.geo.province_unit`): one province,
    not one per legacy province.

    Returns
    -------
    pandas.DataFrame
        table, record_id, province_code, district_code, commune_code,
        commune_code_2025, collaborator_id: the record id ``string``, the others
        categories of ``string`` text (:data:`CATEGORY_COLUMNS`).
    """
    from popqa.contract import ADMIN_TABLES, TABLES

    # each table's columns, then each output column made once from them (text of the 'string' dtype, as
    # ``astype("string")`` gives): concatenating whole frames of every table copied the records several
    # times over (2.4 GB above the register at 3.38 M persons)
    parts: list[tuple[str, int, list[Any]]] = []
    hh = register.households
    parts.append(("households", len(hh), [hh["household_id"], hh["province_code"], hh["district_code"],
                                          hh["commune_code"], hh["collaborator_id"]]))
    pp = register.columns("persons", ["person_id", "province_code", "district_code", "commune_code", "household_id"])
    # each household id's first row looked up by Arrow's hash tables (pandas' ``map`` built one of Python
    # strings, 1.2 s at 3.38 M persons under cProfile), as the checks look the collaborator up: a person
    # without a household id has none
    collab = textkeys.lookup(pp["household_id"], pd.Series(hh["collaborator_id"].array,
                                                           index=hh["household_id"].to_numpy()))
    parts.append(("persons", len(pp), [pp["person_id"], pp["province_code"], pp["district_code"],
                                       pp["commune_code"], collab]))
    del collab
    ev = register.events
    if ev is not None:
        parts.append(("events", len(ev), [ev["event_id"], ev["province_code"], ev["district_code"],
                                          ev["commune_code"], ev["collaborator_id"]]))
    admin = [t for t in ADMIN_TABLES if t in register]
    if admin:
        from popqa.geo import legacy_units

        units = legacy_units().set_index("commune_code")
        for name in admin:
            # read alone when on disk, as Arrow's text: coded below, not made Python strings (the record id
            # is, once, in the concatenated column)
            df = register.columns(name, [TABLES[name].key, "commune_code"], arrow_text=True)
            at = textkeys.positions(df["commune_code"], pd.Series(units.index))
            parts.append((name, len(df), [df[TABLES[name].key], textkeys.take(units["province_code"], at),
                                          textkeys.take(units["district_code"], at), df["commune_code"], None]))

    # the columns are made one at a time and the frame built once around them (adding the 2025 communes
    # with ``assign`` copied the whole table: 0.44 GB at 3.38 M persons). The table names and unit codes
    # are held as categories of their text: a few thousand values over millions of records, a byte or two
    # per record instead of an 8-byte pointer (0.3-0.4 GB less at 3.38 M persons for every stage from the
    # findings to the publishing; docs/benchmarks.md, "fifteenth measurement"). Each table's piece of a
    # unit column is coded on its own by Arrow and the codes put together (:func:`_categorical`): the
    # columns were concatenated as text of every record and factorized by pandas, whose hash table of
    # 8 M Python strings took 2.5 s at 3.38 M persons; the audited province and the 2025 communes are
    # those of each category, not of each record (docs/benchmarks.md, "thirty-first measurement")
    names = sorted({t for t, _, _ in parts})
    out: dict[str, Any] = {"table": pd.Categorical.from_codes(
        np.repeat(np.array([names.index(t) for t, _, _ in parts], dtype=np.int64), [n for _, n, _ in parts]),
        categories=pd.Index(pd.array(names, dtype="string")))}
    pieces = [np.full(n, None, dtype=object) if cols[0] is None else cols[0].to_numpy(dtype=object, na_value=None)
              for _, n, cols in parts]
    out["record_id"] = pd.array(np.concatenate(pieces), dtype="string")
    del pieces
    for i, name in enumerate(["province_code", "district_code", "commune_code", "collaborator_id"], start=1):
        out[name] = _categorical([(n, cols[i]) for _, n, cols in parts])
    del parts
    if province_code:
        from popqa.geo import province_unit

        out["province_code"] = _recoded(out["province_code"], province_unit(
            pd.Series(out["province_code"].categories, dtype="string"), province_code))
    from popqa.geo import codes_2025

    out["commune_code_2025"] = _recoded(out["commune_code"], codes_2025(
        pd.Series(out["commune_code"].categories, dtype="string")))
    return pd.DataFrame({c: out[c] for c in _RECORD_COLUMNS}, copy=False)


def _categorical(pieces: list[tuple[int, Any]]) -> pd.Categorical:
    """``pd.Categorical(pd.array(concatenated pieces, dtype="string"))`` of ``pieces`` (rows and a column of
    text, None: that many missing), each piece coded by Arrow (:func:`popqa.textkeys.factorize`) and the
    codes renumbered to the categories of every piece, sorted as pandas sorts text: no column of the
    records' text is made.

    >>> c = _categorical([(3, pd.Series(["b", None, "a"])), (2, None), (1, pd.Series(["c"], dtype="string[pyarrow]"))])
    >>> c.equals(pd.Categorical(pd.array(["b", None, "a", None, None, "c"], dtype="string")))
    True
    """
    coded = [(np.full(n, -1, dtype=np.int64), []) if col is None else textkeys.factorize(col) for n, col in pieces]
    categories = sorted({str(v) for _, values in coded for v in values})
    number = {v: i for i, v in enumerate(categories)}
    codes = [np.where(c < 0, -1, np.array([number[str(v)] for v in values] or [-1], dtype=np.int64)[np.maximum(c, 0)])
             for c, values in coded]
    return pd.Categorical.from_codes(np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64),
                                     categories=pd.Index(pd.array(categories, dtype="string")))


def _recoded(cat: pd.Categorical, values: pd.Series) -> pd.Categorical:
    """``pd.Categorical`` of each record's category replaced by ``values`` (one per category, in their
    order; missing: the record's is missing), as the records' column mapped one by one would give it.

    >>> c = pd.Categorical(pd.array(["80", "72", None, "79"], dtype="string"))
    >>> _recoded(c, pd.Series(["72", None, "72"], dtype="string")).equals(
    ...     pd.Categorical(pd.array(["72", "72", None, None], dtype="string")))
    True
    """
    small = pd.Categorical(pd.array(values.to_numpy(dtype=object, na_value=None), dtype="string"))
    codes = np.asarray(cat.codes, dtype=np.int64)
    table = np.append(np.asarray(small.codes, dtype=np.int64), -1)  # the last: a missing record's (-1)
    return pd.Categorical.from_codes(table[codes], categories=small.categories)


def _parent(level: str) -> str | None:
    return {"district": "province_code", "commune": "district_code", "collaborator": "district_code"}.get(level)


#: Rows grouped at a time by :func:`counts_by`.
ROWS_PER_COUNT = 1 << 20


def counts_by(df: pd.DataFrame, keys: list[str], *, dropna: bool = True, rows: int = ROWS_PER_COUNT) -> pd.Series:
    """``df.groupby(keys, observed=True, dropna=dropna).size()``, counted ``rows`` rows at a time and the
    counts summed: the same Series (keys sorted), but the grouping's codes and hash tables are those of a
    slice, not of the millions of records at once (0.25 GB at 1.25 M persons for the scorecard's units).

    A key held as categories (the records' unit codes, :func:`record_units`) is counted as its text, a
    slice at a time: the keys are text whatever the columns hold (pandas cannot put together the
    categorical levels of two slices whose codes differ in width).

    >>> df = pd.DataFrame({"a": pd.array(["x", "y", None, "x", "y"], dtype="string"), "b": [1, 1, 2, 1, 2]})
    >>> counts_by(df, ["a", "b"], dropna=False, rows=2).equals(df.groupby(["a", "b"], dropna=False).size())
    True
    >>> cat = df.assign(a=pd.Categorical(df["a"]))
    >>> counts_by(cat, ["a", "b"], dropna=False, rows=2).equals(counts_by(df, ["a", "b"], dropna=False))
    True
    """
    def counted(part: pd.DataFrame) -> pd.Series:
        cats = [k for k in keys if isinstance(part[k].dtype, pd.CategoricalDtype)]
        if cats:
            part = part[keys].astype({k: "string" for k in cats})
        return part.groupby(keys, observed=True, dropna=dropna).size()

    if len(df) <= rows:
        return counted(df)
    parts = [counted(df.iloc[i:i + rows]) for i in range(0, len(df), rows)]
    out = pd.concat(parts).groupby(level=list(range(len(keys))), observed=True, dropna=dropna).sum()
    out.index.names = keys
    return out


def most_common(df: pd.DataFrame, key: str, value: str, weight: str | None = None) -> pd.Series:
    """The most frequent ``value`` for each ``key`` (ties: the smallest value), vectorised.

    ``weight`` names a column of row counts (a frame already counted by a groupby).

    >>> most_common(pd.DataFrame({"k": ["a", "a", "a", "b"], "v": ["x", "y", "y", "z"]}), "k", "v").to_dict()
    {'a': 'y', 'b': 'z'}
    >>> most_common(pd.DataFrame({"k": ["a", "a"], "v": ["x", "y"], "n": [1, 2]}), "k", "v", "n").to_dict()
    {'a': 'y'}
    """
    # groupby leaves out the rows with a missing key or value itself (a dropna first copied the frame)
    if weight is None:
        counts = counts_by(df, [key, value], dropna=True).rename("n").reset_index()
    else:
        counts = df.groupby([key, value], observed=True, dropna=True)[weight].sum().rename("n").reset_index()
    counts = counts.sort_values(["n", value], ascending=[False, True], kind="stable")
    return counts.drop_duplicates(key).set_index(key)[value]


def grade(
    scores: pd.Series,
    level: str,
    config: ScorecardConfig | None = None,
    *,
    records: pd.Series | None = None,
    dimension: str | None = None,
) -> pd.Series:
    """Green / yellow / red for each score at ``level`` (missing when the score is).

    With ``records``, units below the level's ``min_records`` get
    :data:`INSUFFICIENT` instead of a colour; ``dimension`` selects that
    dimension's own bands when configured.

    Examples
    --------
    >>> grade(pd.Series([99.0, 96.0, 10.0, None]), "district").tolist()
    ['green', 'yellow', 'red', <NA>]
    >>> grade(pd.Series([50.0, 50.0]), "collaborator", records=pd.Series([2, 40])).tolist()
    ['insufficient', 'red']
    """
    config = config or ScorecardConfig()
    b = config.dimension_band(level, dimension) if dimension else config.bands(level)
    s = pd.to_numeric(scores, errors="coerce")
    out = pd.Series(
        np.select([s >= b.green, s >= b.yellow, s.notna()], ["green", "yellow", "red"], default=""),
        index=scores.index,
        dtype="string",
    )
    if records is not None:
        few = pd.Series(np.asarray(records, dtype="float64") < b.min_records, index=scores.index)
        out = out.mask(few & s.notna(), INSUFFICIENT)
    return out.mask(s.isna())


def surplus_findings(findings: pd.DataFrame, group_rules: Iterable[str]) -> pd.DataFrame:
    """Drop the first record of each group that a group rule flags as a whole.

    A rule such as "the same citizen ID on several records" flags all k
    records of a group sharing ``value``; only k-1 of them are surplus. The
    record with the smallest id of each (rule, table, value) group of two or
    more findings is dropped.

    Examples
    --------
    >>> f = pd.DataFrame({"rule_id": ["U004"] * 3 + ["V001"], "table": "persons",
    ...     "record_id": ["b", "a", "c", "a"], "value": ["x", "x", "y", "1"]})
    >>> surplus_findings(f, ["U004"])["record_id"].tolist()
    ['b', 'c', 'a']
    """
    rules = list(group_rules)
    grp = findings["rule_id"].isin(rules) & findings["value"].notna()
    if not grp.any():
        return findings
    g = findings.loc[grp, ["rule_id", "table", "value", "record_id"]].sort_values(
        ["rule_id", "table", "value", "record_id"], kind="stable")
    size = g.groupby(["rule_id", "table", "value"], observed=True)["record_id"].transform("size")
    first = g.index[~g.duplicated(["rule_id", "table", "value"]) & (size >= 2)]
    return findings.drop(index=first)


def compute_scorecard(
    findings: pd.DataFrame,
    records: pd.DataFrame,
    config: ScorecardConfig | None = None,
    *,
    levels: Iterable[str] = LEVELS,
) -> pd.DataFrame:
    """Score every unit of every level on every dimension, plus ``overall``.

    Parameters
    ----------
    findings : findings table (contract ``FINDINGS_COLUMNS``; extra columns ignored).
    records : :func:`record_units` of the register the findings came from.
    config : grade bands and weights.
    levels : levels to score.

    Returns
    -------
    pandas.DataFrame
        level, unit_code, parent_code, dimension (the seven of the contract and
        ``overall``), records (denominator), flagged (weighted flagged records),
        score (0-100, missing when nothing to score) and grade.

    Examples
    --------
    >>> rec = pd.DataFrame({"table": ["persons"] * 4, "record_id": list("abcd"),
    ...     "province_code": "72", "district_code": "710", "commune_code": ["1", "1", "2", "2"],
    ...     "commune_code_2025": "9", "collaborator_id": "c"})
    >>> f = pd.DataFrame({"rule_id": ["P1", "P2"], "dimension": "validity",
    ...     "severity": ["error", "warning"], "table": "persons", "record_id": ["a", "c"],
    ...     "province_code": "72", "district_code": "710", "commune_code": ["1", "2"],
    ...     "collaborator_id": "c"})
    >>> sc = compute_scorecard(f, rec, levels=["commune"])
    >>> sc[sc.dimension == "validity"][["unit_code", "score"]].values.tolist()
    [['1', 50.0], ['2', 75.0]]
    """
    config = config or ScorecardConfig()
    records = _with_2025(records)  # a new frame when the column must be added; never written into here
    findings = findings.copy()
    if len(findings):
        findings = _with_2025(findings)
    else:
        findings = findings.assign(commune_code_2025=pd.Series(dtype="string"))
    for c in ["rule_id", "table", "record_id", "dimension", "severity", "value"]:
        if c not in findings.columns:
            findings[c] = pd.Series(pd.NA, index=findings.index, dtype="string")
        findings[c] = _as_str(findings[c])
    record_tables = set(records["table"].dropna().unique())
    findings = findings[findings["table"].isin(record_tables)]
    findings = surplus_findings(findings, config.group_rules)
    weights = {k: float(v) for k, v in config.severity_weights.items()}
    findings = findings.assign(_w=findings["severity"].map(weights).astype("float64").fillna(0.0))

    # tables in scope per dimension
    scope: dict[str, list[str]] = {}
    for d in DIMENSIONS:
        if d in config.dimension_tables:
            tabs = [t for t in config.dimension_tables[d] if t in record_tables]
        else:
            tabs = sorted(set(findings.loc[findings["dimension"] == d, "table"].dropna().unique()))
            if not tabs:
                tabs = [t for t in _REGISTER_TABLES if t in record_tables]
        scope[d] = tabs
    register_tables = [t for t in config.register_tables if t in record_tables]

    # overall: worst weight of each flagged record over every dimension, with its units
    worst_rec = findings.groupby(["table", "record_id"], observed=True)["_w"].max().rename("_w").reset_index()
    worst_rec = worst_rec[worst_rec["_w"] > 0]
    # the flagged records' rows only (a few per cent of the records; order kept, so the first row of a
    # duplicated key is still the one taken)
    cand = records[textkeys.isin(records["record_id"], worst_rec["record_id"])]
    flagged_rec = worst_rec.merge(cand.drop_duplicates(["table", "record_id"]), on=["table", "record_id"],
                                  how="inner")
    extra_rec = flagged_rec[~flagged_rec["table"].isin(register_tables)]  # source records the register misses

    # records counted once by every unit column and table (a few thousand rows): each level's
    # denominators and parents are sums over it rather than groupbys of the millions of records
    unit_cols = list(dict.fromkeys([*(LEVEL_COLUMNS[lv] for lv in levels),
                                    *(p for lv in levels if (p := _parent(lv)))]))
    compact = counts_by(records, [*unit_cols, "table"], dropna=False).rename("n").reset_index()
    out = []
    for level in levels:
        col = LEVEL_COLUMNS[level]
        parent = _parent(level)
        # denominators: records per unit and table
        per_table = compact.groupby([col, "table"], observed=True)["n"].sum().reset_index()
        units = pd.Index(compact[col].dropna().unique(), dtype="string", name=col)
        den = {}
        for d in DIMENSIONS:
            den[d] = (per_table[per_table["table"].isin(scope[d])].groupby(col, observed=True)["n"].sum()
                      .reindex(units, fill_value=0))
        # numerators: worst severity per record and dimension
        worst = (
            findings.dropna(subset=[col]).groupby([col, "dimension", "table", "record_id"], observed=True)["_w"].max()
        )
        flagged = worst.groupby(level=[0, 1]).sum()
        rows = []
        for d in DIMENSIONS:
            num = flagged.xs(d, level=1) if d in flagged.index.get_level_values(1) else pd.Series(dtype="float64")
            num = num.reindex(units, fill_value=0.0).astype("float64")
            n = den[d].astype("float64")
            score = (100.0 * (1.0 - num / n.replace(0, np.nan))).clip(lower=0.0)
            rows.append(pd.DataFrame({"unit_code": units, "dimension": d, "records": n.to_numpy(),
                                      "flagged": num.to_numpy(), "score": score.to_numpy()}))
        reg_n = per_table[per_table["table"].isin(register_tables)].groupby(col, observed=True)["n"].sum()
        n_all = (reg_n.reindex(units, fill_value=0)
                 + extra_rec.groupby(col, observed=True).size().reindex(units, fill_value=0)).astype("float64")
        f_all = flagged_rec.groupby(col, observed=True)["_w"].sum().reindex(units, fill_value=0.0).astype("float64")
        rows.append(pd.DataFrame({
            "unit_code": units, "dimension": "overall", "records": n_all.to_numpy(), "flagged": f_all.to_numpy(),
            "score": (100.0 * (1.0 - f_all / n_all.replace(0, np.nan))).clip(lower=0.0).to_numpy(),
        }))
        long = pd.concat(rows, ignore_index=True)
        long.insert(0, "level", level)
        if parent:
            pmap = most_common(compact, col, parent, "n")
            long["parent_code"] = long["unit_code"].map(pmap).astype("string")
        else:
            long["parent_code"] = pd.Series(pd.NA, index=long.index, dtype="string")
        long["score"] = long["score"].round(2)
        # a unit is graded on every dimension only when it has enough records overall
        size = long["unit_code"].map(long.loc[long["dimension"] == "overall"].set_index("unit_code")["records"])
        long["grade"] = pd.Series(pd.NA, index=long.index, dtype="string")
        for d, idx in long.groupby("dimension", sort=False).groups.items():
            long.loc[idx, "grade"] = grade(long.loc[idx, "score"], level, config, records=size.loc[idx],
                                           dimension=None if d == "overall" else str(d))
        out.append(long[SCORECARD_COLUMNS])
    res = pd.concat(out, ignore_index=True)
    res["unit_code"] = res["unit_code"].astype("string")
    res["records"] = res["records"].astype("int64")
    return res.sort_values(["level", "unit_code", "dimension"], kind="stable").reset_index(drop=True)


def fail_threshold(level: str, dimension: str, config: ScorecardConfig | None = None) -> float:
    """The score below which a unit of ``level`` fails ``dimension`` (WHO DQR roll-ups, headlines).

    ``overall`` is judged against the level's bands (:meth:`ScorecardConfig.bands`),
    every other dimension against its own (:meth:`ScorecardConfig.dimension_band`);
    ``config.fail_below`` picks the green (default) or the yellow band.

    Examples
    --------
    >>> fail_threshold("commune", "overall"), fail_threshold("commune", "uniqueness")
    (97.0, 99.5)
    >>> fail_threshold("collaborator", "validity", ScorecardConfig(fail_below="yellow"))
    95.0
    """
    config = config or ScorecardConfig()
    b = config.bands(level) if dimension == "overall" else config.dimension_band(level, dimension)
    return float(b.green if config.fail_below == "green" else b.yellow)


def _judged(scorecard: pd.DataFrame, level: str, config: ScorecardConfig) -> pd.DataFrame:
    """The scored units of ``level`` with their threshold, ``_graded`` and ``_fail`` flags."""
    sc = scorecard[(scorecard["level"] == level) & scorecard["score"].notna()]
    dims = sc["dimension"].astype("string")
    thr = dims.map({d: fail_threshold(level, str(d), config) for d in dims.dropna().unique()}).astype("float64")
    if "grade" in sc.columns:  # units with too few records are not graded: they neither pass nor fail
        graded = (sc["grade"] != INSUFFICIENT).fillna(True).astype(bool)
    else:
        graded = pd.Series(True, index=sc.index)
    fail = graded & (sc["score"].astype("float64") < thr)
    return sc.assign(threshold=thr, _graded=graded.astype("int64"), _fail=fail.astype("int64"),
                     _insufficient=(~graded).astype("int64"))


def _dimension_order(df: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    order = {d: i for i, d in enumerate((*DIMENSIONS, "overall"))}
    return df.sort_values(by, key=lambda s: s.map(order) if s.name == "dimension" else s,
                          kind="stable").reset_index(drop=True)


def dqr_rollup(
    scorecard: pd.DataFrame,
    config: ScorecardConfig | None = None,
    *,
    child: str = "commune",
    parent: str = "district",
) -> pd.DataFrame:
    """WHO DQR roll-up: share of ``child`` units of each ``parent`` failing each metric.

    A unit fails a dimension when its score is below that dimension's own
    band at the child level (:func:`fail_threshold`: the dimension bands for the
    seven dimensions, the level's bands for ``overall``; the green band unless
    ``config.fail_below`` says yellow). Units with too few records to be graded
    neither pass nor fail: they are counted apart in ``insufficient``.

    Returns
    -------
    pandas.DataFrame
        parent_code, dimension, threshold (the score a unit must reach),
        units (graded units), failing, share_failing (failing / units; missing
        when no unit is graded) and insufficient (units with too few records).

    Examples
    --------
    >>> sc = pd.DataFrame({"level": "commune", "unit_code": ["1", "2", "3", "1", "2", "3"],
    ...     "parent_code": "710", "dimension": ["validity"] * 3 + ["overall"] * 3,
    ...     "score": [99.0, 99.7, 50.0, 99.0, 96.0, 50.0]})
    >>> r = dqr_rollup(sc)
    >>> r[["dimension", "threshold", "units", "failing"]].values.tolist()
    [['validity', 99.5, 3, 2], ['overall', 97.0, 3, 2]]
    """
    config = config or ScorecardConfig()
    sc = _judged(scorecard, child, config)
    if parent == "province":
        sc = sc.assign(parent_code=sc["province_code"] if "province_code" in sc.columns else "province")
    g = (sc.groupby(["parent_code", "dimension"], observed=True)
         .agg(threshold=("threshold", "first"), units=("_graded", "sum"), failing=("_fail", "sum"),
              insufficient=("_insufficient", "sum"))
         .reset_index())
    for c in ("units", "failing", "insufficient"):
        g[c] = g[c].astype("int64")
    g["share_failing"] = g["failing"] / g["units"].where(g["units"] > 0).astype("float64")
    g = g[["parent_code", "dimension", "threshold", "units", "failing", "share_failing", "insufficient"]]
    return _dimension_order(g, ["parent_code", "dimension"])


#: Columns of :func:`units_failing`.
HEADLINE_COLUMNS = [
    "level", "dimension", "threshold", "units", "graded", "failing", "share_failing",
    "green", "yellow", "red", "insufficient", "mean_score",
]


def units_failing(
    scorecard: pd.DataFrame,
    config: ScorecardConfig | None = None,
    *,
    dimension: str = "overall",
    levels: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Headline per level: how many units fail, beside their average score.

    An average of scores near 97 reads "good" while a tenth of the
    collaborators are red; this gives the share of graded units of each level
    whose ``dimension`` score is below its threshold (:func:`fail_threshold`),
    their count by grade, and units with too few records to be graded apart.

    Parameters
    ----------
    scorecard : :func:`compute_scorecard` (level, unit_code, dimension, score, grade).
    config : bands and ``fail_below``.
    dimension : ``overall`` (default) or one of the seven dimensions.
    levels : levels to report (default: every level present, in :data:`LEVELS` order).

    Returns
    -------
    pandas.DataFrame
        One row per level: level, dimension, threshold, units (with a score),
        graded, failing, share_failing (failing / graded; missing when none is
        graded), green, yellow, red, insufficient (too few records) and
        mean_score (unweighted mean of the graded units' scores; missing when
        none is graded).

    Examples
    --------
    >>> sc = pd.DataFrame({"level": "collaborator", "unit_code": list("abcd"), "dimension": "overall",
    ...     "score": [99.0, 96.0, 90.0, 40.0], "grade": ["green", "yellow", "red", "insufficient"]})
    >>> h = units_failing(sc).iloc[0]
    >>> h.level, int(h.graded), int(h.failing), round(float(h.share_failing), 3), int(h.insufficient), float(h.mean_score)
    ('collaborator', 3, 2, 0.667, 1, 95.0)
    """
    config = config or ScorecardConfig()
    present = [lv for lv in LEVELS if lv in set(scorecard["level"].astype(str))]
    wanted = list(levels) if levels is not None else present
    unknown = [lv for lv in wanted if lv not in LEVELS]
    if unknown:
        raise ValueError(f"unknown level(s) {', '.join(map(repr, unknown))}; levels are {', '.join(LEVELS)}")
    if dimension not in (*DIMENSIONS, "overall"):
        raise ValueError(f"dimension must be 'overall' or one of {', '.join(DIMENSIONS)}, not {dimension!r}")
    rows = []
    for lv in wanted:
        sc = _judged(scorecard[scorecard["dimension"] == dimension], lv, config)
        graded = sc[sc["_graded"] == 1]
        grades = (graded["grade"].astype("string").value_counts() if "grade" in graded.columns
                  else pd.Series(dtype="int64"))
        n_graded = len(graded)
        rows.append({
            "level": lv, "dimension": dimension, "threshold": fail_threshold(lv, dimension, config),
            "units": len(sc), "graded": n_graded, "failing": int(graded["_fail"].sum()),
            "share_failing": float(graded["_fail"].sum() / n_graded) if n_graded else np.nan,
            "green": int(grades.get("green", 0)), "yellow": int(grades.get("yellow", 0)),
            "red": int(grades.get("red", 0)), "insufficient": int(sc["_insufficient"].sum()),
            "mean_score": round(float(graded["score"].mean()), 2) if n_graded else np.nan,
        })
    out = pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
    for c in ("units", "graded", "failing", "green", "yellow", "red", "insufficient"):
        out[c] = out[c].astype("int64")
    return out


def add_trend(
    scorecard: pd.DataFrame,
    history: Mapping[str, pd.DataFrame],
    period: str,
    config: ScorecardConfig | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Attach the change against the previous period and build the sparkline series.

    Parameters
    ----------
    scorecard : this period's :func:`compute_scorecard`.
    history : earlier periods' scorecards, by ``YYYY-MM``.
    period : this period.

    Returns
    -------
    (scorecard with ``previous`` and ``change`` columns, trend frame: level,
    unit_code, dimension, period, score for the last ``history_periods`` periods).

    Examples
    --------
    >>> sc = pd.DataFrame({"level": "district", "unit_code": "710", "dimension": "overall", "score": [90.0]})
    >>> old = sc.assign(score=[85.0])
    >>> cur, trend = add_trend(sc, {"2026-09": old}, "2026-10")
    >>> cur["change"].tolist(), trend["period"].tolist()
    ([5.0], ['2026-09', '2026-10'])
    """
    config = config or ScorecardConfig()
    keys = ["level", "unit_code", "dimension"]
    earlier = sorted(p for p in history if p < period)
    keep = earlier[-(config.history_periods - 1):] if earlier else []
    frames = [history[p][keys + ["score"]].assign(period=p) for p in keep]
    frames.append(scorecard[keys + ["score"]].assign(period=period))
    trend = pd.concat(frames, ignore_index=True)[keys + ["period", "score"]]
    out = scorecard.copy()
    if keep:
        prev = history[keep[-1]][keys + ["score"]].rename(columns={"score": "previous"})
        out = out.merge(prev, on=keys, how="left")
    else:
        out["previous"] = np.nan
    out["previous"] = out["previous"].astype("float64")
    out["change"] = (out["score"] - out["previous"]).round(2)
    return out, trend.sort_values(keys + ["period"]).reset_index(drop=True)

