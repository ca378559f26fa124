"""Per-district summary files, computed once by the audit's ``publish`` stage; reports only draw them.

Supervisor-facing files carry counts, scores and codes only: never a name,
a citizen ID or an offending value. Record-level findings go to the analyst
folder (:mod:`popqa.workbook`), kept apart. Where the files live is the
store's business (:mod:`popqa.store`); one district's files are
``kpis.json, communes.parquet, top_rules.parquet, collaborators.parquet,
lag_hist.parquet, monthly.parquet, duplicates.parquet, pyramid.parquet,
coverage.parquet, trend.parquet, indicators.parquet``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from popqa import textkeys
from popqa.definitions import age_at, is_late, is_present, lag_days, reference_date
from popqa.store import write_json, write_parquet

__all__ = [
    "UNIT_LEVELS",
    "SYMPTOM_CAUSES",
    "unit_results",
    "unit_of",
    "unit_parts",
    "UnitRows",
    "collaborator_units",
    "problem_weights",
    "LAG_BINS",
    "AGE_GROUPS",
    "district_results",
    "duplicate_extras",
    "sort_for_action",
    "generic_messages",
]

#: Recording-lag bins in days (right-closed), and their labels.
LAG_BINS = [-np.inf, -1, 7, 15, 30, 60, 90, 180, np.inf]
LAG_LABELS = ["<0", "0-7", "8-15", "16-30", "31-60", "61-90", "91-180", ">180"]
AGE_GROUPS = [f"{a}-{a + 4}" for a in range(0, 80, 5)] + ["80+"]


# --- per-district results -----------------------------------------------------
def _wide(scorecard: pd.DataFrame, level: str) -> pd.DataFrame:
    sc = scorecard[scorecard["level"] == level]
    score = sc.pivot(index="unit_code", columns="dimension", values="score")
    grades = sc.pivot(index="unit_code", columns="dimension", values="grade").add_prefix("grade_")
    out = score.join(grades)
    ov = sc[sc["dimension"] == "overall"].set_index("unit_code")
    out["records"] = ov["records"]
    out["parent_code"] = ov["parent_code"]
    if "change" in sc.columns:
        out["change"] = ov["change"]
    out.columns.name = None
    return out.reset_index()


_LONG_NUMBER = r"\d{6,}"


def generic_messages(rule_ids: pd.Series, messages: pd.Series, column: str) -> pd.Series:
    """A rule's message fit for supervisors: the catalogue's text, never one record's.

    Some findings carry record-specific messages (e.g. naming the other person
    of a duplicate pair); the catalogue message of the rule replaces them, and
    any remaining run of six digits or more (an id) is masked.

    >>> generic_messages(pd.Series(["Z999"]), pd.Series(["same person as 256540000501"]), "message_en").tolist()
    ['same person as …']
    """
    try:
        from popqa.checks import catalogue

        known = {r.rule_id: getattr(r, column) for r in catalogue()}
    except Exception:  # noqa: BLE001 - the catalogue is optional here
        known = {}
    out = rule_ids.map(known).astype("object").where(rule_ids.isin(list(known)), messages.astype("object"))
    return out.astype("string").str.replace(_LONG_NUMBER, "…", regex=True)


def sort_for_action(units: pd.DataFrame, code: str) -> pd.DataFrame:
    """Graded units first, worst score first; units with too few records (not graded) last.

    >>> u = pd.DataFrame({"c": ["a", "b", "c", "d"], "overall": [50.0, 90.0, 99.0, 80.0],
    ...     "grade_overall": ["insufficient", "red", "green", "red"]})
    >>> sort_for_action(u, "c")["c"].tolist()
    ['d', 'b', 'c', 'a']
    """
    graded = (units["grade_overall"] != "insufficient").fillna(True) & units["overall"].notna()
    return units.assign(_g=~graded).sort_values(["_g", "overall", code], kind="stable").drop(columns="_g")


def duplicate_extras(clusters: pd.DataFrame) -> pd.Series:
    """Person ids that duplicate another record: every member of a cluster but its first.

    >>> duplicate_extras(pd.DataFrame({"person_id": ["a", "b", "c"], "cluster_id": [1, 1, 2]})).tolist()
    ['b']
    """
    cl = clusters[["person_id", "cluster_id"]]
    cl = cl[textkeys.duplicated(cl["cluster_id"], keep=False)]  # singletons have no extra: sort the rest only
    cl = cl.sort_values(["cluster_id", "person_id"], kind="stable")
    return cl.loc[cl["cluster_id"].duplicated(), "person_id"].reset_index(drop=True)


#: Levels that get per-unit result files: the legacy district and the 2025 commune.
UNIT_LEVELS = ("district", "commune_2025")

#: The persons' columns a unit's results read (``Register.columns``: held in memory after the link stage).
UNIT_PERSON_COLUMNS = ("person_id", "household_id", "status", "sex", "birth_date", "district_code", "commune_code")

#: Symptom rule -> the rules that cause it on a related record. A person whose commune differs from
#: their household's (V026) is most often one household recorded with the wrong commune (V020/V021):
#: the household is the record to correct, and the persons follow.
SYMPTOM_CAUSES: dict[str, tuple[str, ...]] = {"V026": ("V021", "V020")}


def unit_of(frame: pd.DataFrame, level: str) -> pd.Series:
    """The ``level`` unit of each row of a frame with legacy unit columns (``district`` or ``commune_2025``).

    >>> unit_of(pd.DataFrame({"district_code": ["710"], "commune_code": ["25456"]}), "commune_2025").tolist()
    ['25459']
    """
    if level == "district":
        return frame["district_code"].astype("string")
    if level != "commune_2025":
        raise ValueError(f"level must be one of {UNIT_LEVELS}, got {level!r}")
    if "commune_code_2025" in frame.columns:
        return frame["commune_code_2025"].astype("string")
    from popqa.geo import codes_2025

    return codes_2025(frame["commune_code"])


def _cached(register, key: str, make):
    """A value derived from the register, computed once per register (stored on the object)."""
    store = register.__dict__.setdefault("_popqa_derived", {})
    if key not in store:
        store[key] = make()
    return store[key]


def _first_by_person(persons: pd.DataFrame, column: str, ids=None) -> pd.Series:
    """``column`` of each person id's first row, indexed by person id (two columns copied, not the table);
    with ``ids``, of those persons only.

    A lookup of the few persons a step needs, not of the register: a Series indexed by every person id
    builds a hash table of its index at its first ``map`` (0.27 GB at 3.38 M persons, beside the Series'
    0.11 GB), which the publish stage held for the rest of the audit.

    >>> p = pd.DataFrame({"person_id": ["a", "b", "a", "c"], "sex": [1, 2, 2, 1]})
    >>> _first_by_person(p, "sex").to_dict(), _first_by_person(p, "sex", ids=["a", "x"]).to_dict()
    ({'a': 1, 'b': 2, 'c': 1}, {'a': 1})
    """
    two = persons[["person_id", column]]
    first = ~textkeys.duplicated(two["person_id"])
    if ids is not None:
        first &= textkeys.isin(two["person_id"], pd.Series(ids, dtype="string"))  # is_in hashes each id once
    return two[first].set_index("person_id")[column]


def symptom_households(findings: pd.DataFrame, persons: pd.DataFrame) -> pd.Series:
    """The household of each person a symptom rule (:data:`SYMPTOM_CAUSES`) flags in ``findings``, indexed
    by person id: what :func:`problem_weights` looks up, for the few persons it needs.

    >>> f = pd.DataFrame({"rule_id": ["V026", "V001"], "table": ["persons", "persons"], "record_id": ["b", "c"]})
    >>> symptom_households(f, pd.DataFrame({"person_id": ["a", "b", "c"], "household_id": ["h1", "h2", "h3"]})).to_dict()
    {'b': 'h2'}
    """
    sym = findings["rule_id"].isin(list(SYMPTOM_CAUSES)) & (findings["table"] == "persons")
    return _first_by_person(persons, "household_id", ids=findings.loc[sym.fillna(False).to_numpy(bool), "record_id"])


def commune_coverage(commune: pd.Series, linked: np.ndarray) -> pd.DataFrame:
    """A source's records and linked records per commune: ``commune_code`` (text, sorted; records without
    a commune left out), ``records`` and ``linked``, as ``groupby("commune_code").agg(records=("linked",
    "size"), linked=("linked", "sum"))`` gives them, counted on Arrow's codes of the communes (Python or
    Arrow text alike) rather than by a pandas hash table of their strings.

    >>> commune_coverage(pd.Series(["b", "a", None, "b"], dtype="string[pyarrow]"),
    ...                  np.array([True, False, True, False])).values.tolist()
    [['a', 1, 0], ['b', 2, 1]]
    """
    codes, names = textkeys.factorize(commune)
    ok = codes >= 0
    records = np.bincount(codes[ok], minlength=len(names))
    hits = np.bincount(codes[ok], weights=np.asarray(linked, dtype=bool)[ok], minlength=len(names))
    order = np.argsort(names.to_numpy(dtype=object), kind="stable")
    return pd.DataFrame({"commune_code": pd.array(names.to_numpy(dtype=object)[order], dtype="string[python]"),
                         "records": records[order].astype(np.int64), "linked": hits[order].astype(np.int64)})


def _memo(register, key: str, source: Any, make):
    """A value derived from ``source`` (a frame the caller holds), computed once per register and source.

    The source object is kept beside the value, so a different frame under the same key is recomputed
    rather than answered from the cache.
    """
    store = register.__dict__.setdefault("_popqa_derived", {})
    hit = store.get(key)
    if hit is None or hit[0] is not source:
        hit = store[key] = (source, make())
    return hit[1]


class UnitRows(Mapping):
    """One unit's rows of each frame :func:`unit_parts` split, taken when asked for (``df.iloc[positions]``).

    Nothing is copied until a frame is asked for, and what is returned is not kept here: a caller that
    works on one unit at a time holds one unit's rows, not a copy of the register split by unit (all
    units' copies at once were the publish stage's largest transient, 1-1.5 GB at 3.38 M persons).
    """

    def __init__(self, frames: dict[str, pd.DataFrame], positions: dict[str, np.ndarray]):
        self._frames, self._positions = frames, positions

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._frames[name].iloc[self._positions[name]]

    def __iter__(self):
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)

    def rows(self, name: str) -> int:
        """How many rows of ``name`` the unit has (0 when none), without taking them."""
        return len(self._positions.get(name, ()))


def unit_parts(register, findings: pd.DataFrame, records: pd.DataFrame, level: str) -> dict[str, UnitRows]:
    """Each unit's rows of the persons, events, households, findings and records: grouped once, not per
    unit, and taken per unit when asked for (:class:`UnitRows`).

    >>> from types import SimpleNamespace
    >>> persons = pd.DataFrame({c: ["710", "711", "710"] for c in UNIT_PERSON_COLUMNS})
    >>> reg = SimpleNamespace(columns=lambda name, cols: persons[list(cols)], events=None,
    ...                       households=pd.DataFrame({"district_code": ["710"]}))
    >>> parts = unit_parts(reg, pd.DataFrame({"district_code": []}), pd.DataFrame({"district_code": []}), "district")
    >>> sorted(parts), len(parts["710"]["persons"]), parts["711"].rows("households"), sorted(parts["711"])
    (['710', '711'], 2, 0, ['persons'])
    """
    frames = {"persons": register.columns("persons", UNIT_PERSON_COLUMNS), "events": register.events,
              "households": register.households,
              "findings": findings, "records": records}
    frames = {name: df for name, df in frames.items() if df is not None and len(df)}
    positions: dict[str, dict[str, np.ndarray]] = {}
    for name, df in frames.items():
        for code, idx in _positions_by_code(unit_of(df, level)):
            positions.setdefault(code, {})[name] = idx
    return {code: UnitRows(frames, pos) for code, pos in positions.items()}


def _positions_by_code(codes: pd.Series, rows: int = 1 << 20) -> list[tuple[str, np.ndarray]]:
    """Each code's row positions (ascending; missing codes left out), codes in order of first appearance.

    The codes are numbered ``rows`` at a time (a hash table of a slice, not of 8.3 M records: 0.23 GB), then
    sorted once, stably: the positions are slices of one array (32-bit when the frame allows), not a
    groupby's index dictionary (its sorter, labels and arrays were 0.5 GB at 8.3 M records).

    >>> s = pd.Series(["b", None, "a", "b", "c", "a"], dtype="string")
    >>> [(c, p.tolist()) for c, p in _positions_by_code(s, rows=2)]
    [('b', [0, 3]), ('a', [2, 5]), ('c', [4])]
    """
    kind = np.int32 if len(codes) < 2**31 else np.int64
    ints: np.ndarray = np.full(len(codes), -1, dtype=kind)
    number: dict[Any, int] = {}  # each code's number, in order of first appearance
    values = codes.array
    for start in range(0, len(values), rows):
        part, uniques = pd.factorize(values[start:start + rows], use_na_sentinel=True)
        if len(uniques):
            glob = np.array([number.setdefault(u, len(number)) for u in uniques], dtype=kind)
            ints[start:start + rows] = np.where(part >= 0, glob[np.maximum(part, 0)], -1)
    order = np.argsort(ints, kind="stable").astype(kind, copy=False)
    counts = np.bincount(ints[ints >= 0], minlength=len(number))
    del ints
    ends = int(order.size - counts.sum()) + np.cumsum(counts)  # the missing codes (-1) sort first
    return [(str(u), order[e - n:e]) for u, n, e in zip(number, counts, ends, strict=True) if n]


def collaborator_units(records: pd.DataFrame, level: str) -> pd.Series:
    """Each collaborator's main unit at ``level`` (the unit of most of their records)."""
    from popqa.scorecard.core import most_common

    return most_common(pd.DataFrame({"collaborator_id": records["collaborator_id"], "_u": unit_of(records, level)}),
                       "collaborator_id", "_u")


def problem_weights(findings: pd.DataFrame, register=None, *, weights: dict[str, float] | None = None,
                    by: str | None = None, household_of: pd.Series | None = None) -> pd.DataFrame:
    """Rules ranked by their weight in the score: severity weight x records flagged; info rules left out.

    With the ``register``, a symptom (:data:`SYMPTOM_CAUSES`) on a person whose
    household carries the cause is counted under the cause (column ``via``
    names the symptom). ``by`` (e.g. ``collaborator_id``) ranks within groups. ``household_of`` (the
    flagged persons' households, :func:`symptom_households` of these findings or of more) saves the look-up
    in the register when it is called unit by unit.

    Returns
    -------
    pandas.DataFrame
        [by], rule_id, dimension, severity, records, weight, via, sorted by weight (largest first).

    Examples
    --------
    >>> f = pd.DataFrame({"rule_id": ["C005", "C005", "C005", "V001", "E002", "E002"],
    ...     "dimension": ["completeness"] * 3 + ["validity", "timeliness", "timeliness"],
    ...     "severity": ["info"] * 3 + ["error", "warning", "warning"], "table": "persons",
    ...     "record_id": list("abcdef")})
    >>> problem_weights(f)[["rule_id", "weight"]].values.tolist()
    [['V001', 1.0], ['E002', 1.0]]
    """
    w = {"error": 1.0, "warning": 0.5, "info": 0.0, **(weights or {})}
    cols = [*([by] if by else []), "rule_id", "dimension", "severity", "records", "weight", "via"]
    f = findings.assign(_w=findings["severity"].map(w).astype("float64").fillna(0.0))
    f = f[f["_w"] > 0]
    if not len(f):
        return pd.DataFrame(columns=cols)
    f = f.assign(via=pd.Series(pd.NA, index=f.index, dtype="string"))
    if register is not None and SYMPTOM_CAUSES:
        hh_of = (symptom_households(f, register.columns("persons", ["person_id", "household_id"]))
                 if household_of is None else household_of)
        for symptom, causes in SYMPTOM_CAUSES.items():
            cause = f[f["rule_id"].isin(causes) & (f["table"] == "households")]
            if not len(cause):
                continue
            by_hh = cause.drop_duplicates("record_id").set_index("record_id")
            sym = (f["rule_id"] == symptom) & (f["table"] == "persons")
            hh = f.loc[sym, "record_id"].map(hh_of)
            hit = hh.isin(by_hh.index).fillna(False)
            idx = hh.index[hit.to_numpy(bool)]
            if len(idx):
                src = by_hh.loc[hh[idx].to_numpy()]
                f.loc[idx, "via"] = symptom
                for c in ("rule_id", "dimension", "severity"):
                    f.loc[idx, c] = src[c].to_numpy()
    keys = [*([by] if by else []), "rule_id", "dimension", "severity"]
    g = (f.dropna(subset=[by] if by else [])
         .groupby(keys, observed=True, dropna=False)
         .agg(records=("record_id", "nunique"), weight=("_w", "sum"), via=("via", "first")).reset_index())
    g["_sev"] = g["severity"].map({"error": 0, "warning": 1}).fillna(2)  # ties: the more severe rule first
    g = g.sort_values([*([by] if by else []), "weight", "_sev", "rule_id"],
                      ascending=[*([True] if by else []), False, True, True], kind="stable")
    return g[cols].reset_index(drop=True)


def _catalogue_text() -> dict[str, dict[str, str]]:
    try:
        from popqa.checks import catalogue

        return {r.rule_id: {"message_vi": r.message_vi, "message_en": r.message_en, "action_vi": r.action("vi"),
                            "action_en": r.action("en")} for r in catalogue()}
    except Exception:  # noqa: BLE001 - the catalogue is optional here
        return {}


def district_results(*, district: str, **kwargs: Any) -> dict[str, Any]:
    """:func:`unit_results` of one legacy district (the files of ``districts/<code>/``)."""
    return unit_results(level="district", code=district, **kwargs)


def unit_results(
    *,
    level: str,
    code: str,
    register,
    records: pd.DataFrame,
    findings: pd.DataFrame,
    scorecard: pd.DataFrame,
    trend: pd.DataFrame,
    indicators: pd.DataFrame,
    rollup: pd.DataFrame,
    duplicate_ids: pd.Series | None,
    links: dict[str, pd.DataFrame],
    period: str,
    checks_config,
    out_dir: Path,
    weights: dict[str, float] | None = None,
    parts: Mapping[str, Any] | None = None,
    main_unit: pd.Series | None = None,
) -> dict[str, Any]:
    """Compute and write one unit's result files into ``out_dir``; return its KPIs.

    ``level`` is ``district`` (a legacy district: its legacy communes and
    collaborators) or ``commune_2025`` (a 2025 commune: the legacy communes it
    was made of, each with its legacy district as context, and the
    collaborators working mostly in it). ``indicators`` are the audit's
    indicator rows; the unit's own rows are written beside its other files
    (``indicators.parquet``) and the program targets among them go into its
    KPIs. Lateness follows :func:`popqa.definitions.is_late` under
    ``checks_config``, as rule E002 does. Problems are ranked by their weight in
    the score (:func:`problem_weights`), each with the catalogue's action.
    ``parts`` (this unit's entry of :func:`unit_parts`) and ``main_unit`` (each
    collaborator's main unit at ``level``) are computed once by the caller for
    every unit; without them they are computed here.
    """
    from popqa.geo import commune_name, district_name
    from popqa.scorecard.core import most_common

    if level not in UNIT_LEVELS:
        raise ValueError(f"level must be one of {UNIT_LEVELS}, got {level!r}")
    out_dir.mkdir(parents=True, exist_ok=True)
    end = reference_date(period)
    pp = register.columns("persons", UNIT_PERSON_COLUMNS)
    if parts is None:
        parts = unit_parts(register, findings, records, level).get(code, UnitRows({}, {}))
    persons = parts.get("persons", pp.iloc[:0])
    ev_all = register.events
    events = parts.get("events", ev_all.iloc[:0]) if ev_all is not None else None
    f = parts.get("findings", findings.iloc[:0])
    rec_u = parts.get("records", records.iloc[:0])

    # commune scorecard (legacy communes; of a 2025 commune, those it was made of, with their district)
    communes = _memo(register, "wide:commune", scorecard, lambda: _wide(scorecard, "commune"))
    if level == "district":
        communes = communes[communes["parent_code"] == code].copy()
    else:
        communes = communes[communes["unit_code"].isin(rec_u["commune_code"].dropna().unique())].copy()
    communes.insert(1, "commune_name", communes["unit_code"].map(lambda c: commune_name(c) or ""))
    communes["district_name"] = communes["parent_code"].map(lambda d: district_name(d) or d)
    communes = communes.rename(columns={"unit_code": "commune_code"})
    communes = sort_for_action(communes.assign(grade_overall=communes.get("grade_overall", pd.NA)), "commune_code")
    write_parquet(out_dir / "communes.parquet", communes)

    # problems ranked by their weight in the score (info rules left out), with the catalogue's action
    text = _catalogue_text()
    # the households of the persons a symptom rule flags, looked up once for every unit of the findings
    hh_of = _memo(register, "symptom_households", findings, lambda: symptom_households(findings, pp))
    top = problem_weights(f, register, weights=weights, household_of=hh_of) if len(f) else problem_weights(
        pd.DataFrame(columns=["rule_id", "dimension", "severity", "table", "record_id"]))
    if len(f):
        counts = f.groupby("rule_id", observed=True).size()
        top["findings"] = top["rule_id"].map(counts).fillna(0).astype("int64")
        first = f.drop_duplicates("rule_id").set_index("rule_id")
        for col in ("message_vi", "message_en"):
            raw = top["rule_id"].map(first[col]).astype("string")
            top[col] = generic_messages(top["rule_id"].astype("string"), raw, col)
    else:
        top = top.assign(findings=pd.Series(dtype="int64"), message_vi=pd.Series(dtype="string"),
                         message_en=pd.Series(dtype="string"))
    for lg in ("vi", "en"):
        top[f"action_{lg}"] = top["rule_id"].map(lambda r, lg=lg: text.get(r, {}).get(f"action_{lg}", "")).astype(
            "string")
    top["share_of_weight"] = (top["weight"] / top["weight"].sum()).astype("float64") if len(top) else []
    write_parquet(out_dir / "top_rules.parquet", top)

    # collaborators
    coll = _memo(register, "wide:collaborator", scorecard, lambda: _wide(scorecard, "collaborator"))
    if level == "district":
        coll = coll[coll["parent_code"] == code]
    else:
        if main_unit is None:
            main_unit = collaborator_units(records, level)
        coll = coll[coll["unit_code"].map(main_unit) == code]
    coll = coll.rename(columns={"unit_code": "collaborator_id"})
    sev = f.dropna(subset=["collaborator_id"]).groupby(["collaborator_id", "severity"], observed=True).size().unstack(
        fill_value=0)
    for s in ("error", "warning"):
        coll[f"{s}s"] = coll["collaborator_id"].map(sev[s] if s in sev.columns else pd.Series(dtype="int64")).fillna(
            0).astype("int64")
    coll["errors_per_1000"] = (1000 * coll["errors"] / coll["records"].replace(0, np.nan)).round(1)
    rec_c = rec_u.dropna(subset=["collaborator_id"])
    main_commune = most_common(rec_c, "collaborator_id", "commune_code")
    coll["commune_code"] = coll["collaborator_id"].map(main_commune)
    coll["commune_name"] = coll["commune_code"].map(lambda c: commune_name(c) or "" if isinstance(c, str) else "")
    coll["commune_code_2025"] = unit_of(coll[["commune_code"]], "commune_2025").to_numpy()
    coll["commune_name_2025"] = coll["commune_code_2025"].map(
        lambda c: commune_name(c, kind="2025") or "" if isinstance(c, str) else "")
    if "village" in register.households.columns:
        village = _cached(register, "village_of_collaborator",
                          lambda: most_common(register.households, "collaborator_id", "village"))
        coll["village"] = coll["collaborator_id"].map(village)
    if events is not None and len(events):
        lag = lag_days(events)
        ev_c = pd.DataFrame({"collaborator_id": events["collaborator_id"], "lag": lag,
                             "late": is_late(events, checks_config)})
        g = ev_c.dropna(subset=["collaborator_id"]).groupby("collaborator_id").agg(
            events=("lag", "size"), late_share=("late", "mean"), median_lag=("lag", "median"))
        coll = coll.merge(g, left_on="collaborator_id", right_index=True, how="left")
    else:
        coll["events"], coll["late_share"], coll["median_lag"] = 0, np.nan, np.nan
    # the rule with the largest weight in a collaborator's score, a symptom counted under its cause:
    # what to train them on, with the catalogue's action
    fc = f.dropna(subset=["collaborator_id"]) if len(f) else f
    pw = problem_weights(fc, register, weights=weights, by="collaborator_id",
                         household_of=hh_of) if len(fc) else pd.DataFrame(
        columns=["collaborator_id", "rule_id", "via"])
    best = pw.drop_duplicates("collaborator_id").set_index("collaborator_id")
    coll["top_rule"] = coll["collaborator_id"].map(best["rule_id"]).astype("string")
    coll["top_via"] = coll["collaborator_id"].map(best["via"]).astype("string")
    for col in ("message_vi", "message_en", "action_vi", "action_en"):
        coll[f"top_{col}"] = coll["top_rule"].map(
            lambda r, col=col: text.get(r, {}).get(col) if isinstance(r, str) else None).astype("string")
    coll = sort_for_action(coll, "collaborator_id")
    write_parquet(out_dir / "collaborators.parquet", coll)

    # timeliness
    kpi_lag: dict[str, Any] = {}
    if events is not None and len(events):
        lag = lag_days(events)
        late = is_late(events, checks_config)
        hist = pd.cut(lag, LAG_BINS, labels=LAG_LABELS).value_counts().reindex(LAG_LABELS, fill_value=0)
        lag_hist = pd.DataFrame({"bin": LAG_LABELS, "events": hist.to_numpy().astype("int64")})
        start = (pd.Period(period, freq="M") - 11).start_time
        recent = events["event_date"] >= start
        m = pd.DataFrame({"month": events.loc[recent, "event_date"].dt.strftime("%Y-%m"), "lag": lag[recent],
                          "late": late[recent]})
        monthly = m.groupby("month").agg(events=("lag", "size"), late=("late", "sum"),
                                         median_lag=("lag", "median")).reset_index()
        monthly["late_share"] = monthly["late"] / monthly["events"]
        kpi_lag = {"events": int(len(events)), "late_share": float(late[lag.notna()].mean()) if lag.notna().any()
                   else None,
                   "median_lag": float(lag.median()) if lag.notna().any() else None}
    else:
        lag_hist = pd.DataFrame({"bin": LAG_LABELS, "events": 0})
        monthly = pd.DataFrame(columns=["month", "events", "late", "median_lag", "late_share"])
    write_parquet(out_dir / "lag_hist.parquet", lag_hist)
    write_parquet(out_dir / "monthly.parquet", monthly)

    # duplicates by commune
    dup_total = None
    if duplicate_ids is not None:
        # the duplicate ids' hash table built once for every unit (each unit's textkeys.isin turned them all
        # into Arrow again: 5.1 s of the publish stage at 3.38 M persons, 1.1 s at 1.25 M)
        dup_ids = _memo(register, "duplicate_ids", duplicate_ids,
                        lambda: pd.Index(textkeys.factorize(duplicate_ids)[1], dtype=object))
        is_dup = pd.Series(dup_ids.get_indexer(persons["person_id"].to_numpy(dtype=object, na_value=None)) >= 0,
                           index=persons.index)
        dup = pd.DataFrame({"commune_code": persons["commune_code"], "dup": is_dup}).groupby(
            "commune_code", observed=True).agg(persons=("dup", "size"), duplicates=("dup", "sum")).reset_index()
        dup["per_1000"] = (1000 * dup["duplicates"] / dup["persons"]).round(2)
        dup["commune_name"] = dup["commune_code"].map(lambda c: commune_name(c) or "")
        dup_total = {"persons": int(len(persons)), "duplicates": int(is_dup.sum()),
                     "per_1000": round(1000 * float(is_dup.mean()), 2) if len(persons) else None}
    else:
        dup = pd.DataFrame(columns=["commune_code", "persons", "duplicates", "per_1000", "commune_name"])
    write_parquet(out_dir / "duplicates.parquet", dup)

    # demography: pyramid of present persons and sex ratio at birth
    present = persons[is_present(persons).to_numpy(bool)]
    age = age_at(present["birth_date"], end)
    grp = pd.cut(age.clip(upper=200), bins=[*range(0, 81, 5), 1000], right=False, labels=AGE_GROUPS)
    pyr = pd.DataFrame({"age_group": grp, "sex": present["sex"].map({1: "male", 2: "female"})}).dropna()
    pyramid = pyr.groupby(["age_group", "sex"], observed=False).size().rename("persons").reset_index()
    pyramid["age_group"] = pyramid["age_group"].astype("string")
    write_parquet(out_dir / "pyramid.parquet", pyramid)
    srb = None
    if events is not None and len(events):
        births = events[(events["event_type"] == "birth").fillna(False)]
        # the sex of the persons born in the register's events (not of every person), once for every unit
        sex_of = _cached(register, "sex_of_births", lambda: _first_by_person(
            pp, "sex", ids=ev_all.loc[(ev_all["event_type"] == "birth").fillna(False).to_numpy(bool), "person_id"]))
        bsex = births["person_id"].map(sex_of)
        males, females = int((bsex == 1).sum()), int((bsex == 2).sum())
        srb = {"births": int(len(births)), "male": males, "female": females,
               "ratio": round(100 * males / females, 1) if females else None}

    # coverage against administrative sources
    cov_rows = []
    for source, lk in links.items():
        def by_commune(source=source, lk=lk):
            # the source's records and linked records per commune, once for every unit (no Python string
            # made per record: 1.6 s at 3.38 M persons, docs/benchmarks.md, "thirty-second measurement")
            from popqa.checks.coverage import linked_records

            src, linked = linked_records(register, source, lk)
            return commune_coverage(src["commune_code"], linked)

        g = _memo(register, f"coverage:{source}", lk, by_commune)
        g = g[g["commune_code"].isin(communes["commune_code"])].reset_index(drop=True)
        g.insert(0, "source", source)
        cov_rows.append(g)
    coverage = pd.concat(cov_rows, ignore_index=True) if cov_rows else pd.DataFrame(
        columns=["source", "commune_code", "records", "linked"])
    coverage["share"] = coverage["linked"] / coverage["records"].replace(0, np.nan)
    write_parquet(out_dir / "coverage.parquet", coverage)

    # trend for the unit, its communes and collaborators
    tr = trend[((trend["level"] == level) & (trend["unit_code"] == code))
               | ((trend["level"] == "commune") & trend["unit_code"].isin(communes["commune_code"]))
               | ((trend["level"] == "collaborator") & trend["unit_code"].isin(coll["collaborator_id"]))]
    write_parquet(out_dir / "trend.parquet", tr)

    # KPIs
    dsc = scorecard[(scorecard["level"] == level) & (scorecard["unit_code"] == code)]
    dims = {r.dimension: {"score": r.score, "grade": r.grade, "change": getattr(r, "change", None),
                          "records": int(r.records), "flagged": float(r.flagged)} for r in dsc.itertuples()}
    ind = indicators[(indicators["level"] == level) & (indicators["unit_code"] == code)]
    write_parquet(out_dir / "indicators.parquet", ind)
    tg = ind[ind["indicator_id"].isin(["on_time_communes", "mobile_entry"])]
    targets = [{"indicator": r.indicator_id, "value": r.value, "numerator": r.numerator,
                "denominator": r.denominator, "target_year": r.target_year, "target": r.target, "met": r.met}
               for r in tg.itertuples()]
    roll = rollup[rollup["parent_code"] == code] if len(rollup) else rollup
    sev_counts = f["severity"].value_counts().to_dict() if len(f) else {}
    kpis = {
        "level": level,
        "unit_code": code,
        "unit_name": (district_name(code) if level == "district" else commune_name(code, kind="2025")) or code,
        "district_code": code if level == "district" else None,
        "district_name": (district_name(code) or code) if level == "district" else None,
        "legacy_districts": sorted({str(d) for d in communes["parent_code"].dropna()}),
        "legacy_district_names": sorted({district_name(str(d)) or str(d) for d in communes["parent_code"].dropna()}),
        "period": period,
        "households": (parts.rows("households") if isinstance(parts, UnitRows)
                       else int(len(parts.get("households", ())))),
        "persons": int(len(persons)),
        "events": int(len(events)) if events is not None else 0,
        "communes": int(len(communes)),
        "collaborators": int(len(coll)),
        "findings": {k: int(v) for k, v in sev_counts.items()},
        "scores": dims,
        "targets": targets,
        "rollup": roll.drop(columns="parent_code").to_dict(orient="records"),
        "timeliness": kpi_lag,
        "late_days": checks_config.late_days,
        "legal_deadlines": bool(checks_config.use_legal_deadlines),
        "duplicates": dup_total,
        "sex_ratio_at_birth": srb,
        "coverage_sources": sorted(links),
    }
    write_json(out_dir / "kpis.json", kpis)
    return kpis
