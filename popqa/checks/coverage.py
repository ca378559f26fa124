"""Coverage findings (X family): records of administrative sources absent from the register.

The rules X001-X004 are declared in :mod:`popqa.checks.rules.coverage`; this
module only builds their findings from the links that :func:`popqa.linkage.link`
computed between each source and the register.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from popqa import textkeys
from popqa.contract import FINDINGS_COLUMNS, TABLES

__all__ = ["coverage_findings", "linked_records"]


def linked_records(register, source: str, links: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """A source's key and ``commune_code`` (the two columns, read alone when the table is on disk, and then
    as Arrow's text: a Python string per record made only by a caller that needs it; the police residence
    records' ids and communes took 1.4-1.8 s at 3.38 M persons, docs/benchmarks.md, "thirty-first" and
    "thirty-second measurement"), and whether each record has an accepted link in ``links``
    (``LinkResult.links``: ``source_id``, ``person_id`` missing when none was accepted). What the coverage
    findings, the linkage indicators and each unit's coverage count.

    >>> from popqa.io import Register
    >>> from popqa.contract import TABLES
    >>> frames = {t: pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES[t].names})
    ...           for t in ("households", "persons")}
    >>> frames["civil_deaths"] = pd.DataFrame({c: ["D1", "D2"] if c == TABLES["civil_deaths"].key else
    ...                                        ["25456", "25459"] if c == "commune_code" else [None, None]
    ...                                        for c in TABLES["civil_deaths"].names})
    >>> src, linked = linked_records(Register.from_frames(frames), "civil_deaths",
    ...                              pd.DataFrame({"source_id": ["D2", "D1"], "person_id": ["P9", None]}))
    >>> src["commune_code"].tolist(), linked.tolist()
    (['25456', '25459'], [False, True])
    """
    key = TABLES[source].key
    src = register.columns(source, [key, "commune_code"], arrow_text=True)
    return src, textkeys.isin(src[key], links.loc[links["person_id"].notna(), "source_id"])


def coverage_findings(register, links: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Findings (dimension coverage) for administrative records absent from the register.

    Parameters
    ----------
    register : popqa.io.Register
        Holds each source table named in ``links`` (civil_births, civil_deaths,
        residents, insurance).
    links : dict
        Source table -> ``LinkResult.links`` (columns ``source_id`` and
        ``person_id``, missing when no register person was accepted).

    Returns
    -------
    pandas.DataFrame
        Exactly :data:`popqa.contract.FINDINGS_COLUMNS`, string dtype: one row per
        source record with no accepted link (X001 civil births, X002 civil deaths,
        X003 residents, X004 insurance), record_id = the source's key, units from
        its commune code. Id, dimension, severity and messages come from the
        catalogue.

    Raises
    ------
    ValueError
        A source that has no coverage rule, or that the register does not hold.

    Examples
    --------
    >>> from popqa.io import Register
    >>> from popqa.contract import TABLES
    >>> def empty(t):
    ...     return pd.DataFrame({c: pd.Series(dtype="string") for c in TABLES[t].names})
    >>> births = empty("civil_births")
    >>> births = pd.DataFrame({c: ["B1", "B2"] if c == TABLES["civil_births"].key else [None, None]
    ...                        for c in births.columns})
    >>> births["commune_code"] = "25456"
    >>> reg = Register.from_frames({"households": empty("households"), "persons": empty("persons"),
    ...                             "civil_births": births})
    >>> links = {"civil_births": pd.DataFrame({"source_id": ["B1", "B2"], "person_id": ["P1", None]})}
    >>> coverage_findings(reg, links)[["rule_id", "record_id", "district_code"]].values.tolist()
    [['X001', 'B2', '703']]
    """
    from popqa.checks.base import get_rule
    from popqa.checks.rules.coverage import COVERAGE_RULES
    from popqa.geo import legacy_units

    frames = []
    units = None
    for source, lk in links.items():
        if source not in COVERAGE_RULES:
            raise ValueError(f"no coverage rule for source {source!r}; known: {', '.join(COVERAGE_RULES)}")
        if source not in register:
            raise ValueError(f"links given for {source!r} but the register has no such table")
        if units is None:
            units = legacy_units().drop_duplicates("commune_code").set_index("commune_code")
        r = get_rule(COVERAGE_RULES[source])
        key = TABLES[source].key
        src, linked = linked_records(register, source, lk)
        miss = src[~linked]  # a Python string made for the records not linked only
        cc = miss["commune_code"].astype("string[python]")
        frames.append(pd.DataFrame({
            "rule_id": r.rule_id, "dimension": r.dimension, "severity": r.severity, "table": source,
            "record_id": miss[key].astype("string[python]"), "column": pd.NA, "value": pd.NA,
            "province_code": cc.map(units["province_code"]), "district_code": cc.map(units["district_code"]),
            "commune_code": cc, "collaborator_id": pd.NA, "message_vi": r.message_vi, "message_en": r.message_en,
        }))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in FINDINGS_COLUMNS})
    return pd.concat(frames, ignore_index=True)[list(FINDINGS_COLUMNS)].astype("string")
