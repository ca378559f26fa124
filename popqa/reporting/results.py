"""Small per-district result files that the report notebooks only load and draw.

Everything here is computed once, at province level, by :func:`popqa.pipeline.audit`.
Supervisor-facing files carry counts, scores and codes only: never a name,
a citizen ID or an offending value. Record-level findings go to the analyst
folder (:func:`write_workbook`), kept apart.

Layout of ``RESULTS/<period>/``::

    manifest.json             inputs (sha256), parameters, versions, timings
    scorecard.parquet         every level, unit and dimension (+ change)
    trend.parquet             last twelve periods of every score
    rollup_district.parquet   WHO DQR: share of communes failing, per district
    rollup_province.parquet   WHO DQR: share of districts failing
    targets.parquet           program targets, province and districts
    province.json             province KPIs
    districts/<code>/         kpis.json, communes.parquet, top_rules.parquet,
                              collaborators.parquet, lag_hist.parquet,
                              monthly.parquet, duplicates.parquet,
                              pyramid.parquet, coverage.parquet, trend.parquet
    analyst/                  findings.parquet, duplicate_pairs.parquet,
                              workbooks/<code>.xlsx (record level; not for the site)
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "LAG_BINS",
    "AGE_GROUPS",
    "atomic_write_bytes",
    "atomic_write_text",
    "write_json",
    "write_parquet",
    "district_results",
    "duplicate_extras",
    "sort_for_action",
    "write_workbook",
    "safe_cell",
]

#: Recording-lag bins in days (right-closed), and their labels.
LAG_BINS = [-np.inf, -1, 7, 15, 30, 60, 90, 180, np.inf]
LAG_LABELS = ["<0", "0-7", "8-15", "16-30", "31-60", "61-90", "91-180", ">180"]
AGE_GROUPS = [f"{a}-{a + 4}" for a in range(0, 80, 5)] + ["80+"]


# --- atomic writes -----------------------------------------------------------
_MODE = 0o644  # mkstemp makes 0600 files; results are meant to be read by others
def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary sibling, fsync, rename).

    A reader sees the old file or the new one, never half of it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a" / "x.txt"
    >>> atomic_write_bytes(p, b"hi").read_bytes()
    b'hi'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.chmod(tmp, _MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def _jsonable(o: Any) -> Any:
    if isinstance(o, dict):
        return {str(k): _jsonable(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_jsonable(v) for v in o]
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating | float):
        return None if not np.isfinite(o) else float(o)
    if o is pd.NA or o is pd.NaT or o is None:
        return None
    if isinstance(o, np.bool_):
        return bool(o)
    if isinstance(o, pd.Timestamp):
        return o.isoformat()
    return o


def write_json(path: str | Path, obj: Any) -> Path:
    """Write ``obj`` as UTF-8 JSON atomically (NaN and NA become null)."""
    return atomic_write_text(path, json.dumps(_jsonable(obj), ensure_ascii=False, indent=2))


def write_parquet(path: str | Path, df: pd.DataFrame) -> Path:
    """Write a frame as Parquet atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, _MODE)
    try:
        df.reset_index(drop=True).to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --- analyst workbook ---------------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(v: Any) -> Any:
    """Neutralise spreadsheet formula injection: text starting with = + - @ gets a quote.

    Examples
    --------
    >>> safe_cell("=HYPERLINK(\\"http://x\\")"), safe_cell("Nguyễn Văn A"), safe_cell(3)
    ('\\'=HYPERLINK("http://x")', 'Nguyễn Văn A', 3)
    """
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def write_workbook(path: str | Path, findings: pd.DataFrame, *, lang: str = "vi") -> Path:
    """Write one district's record-level findings as an XLSX for commune staff.

    Text cells are neutralised against formula injection (:func:`safe_cell`)
    and xlsxwriter is told never to turn strings into formulas or links.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    msg = "message_vi" if lang == "vi" else "message_en"
    cols = ["commune_code", "collaborator_id", "table", "record_id", "rule_id", "dimension", "severity",
            "column", "value", msg]
    df = findings[[c for c in cols if c in findings.columns]].copy()
    df = df.sort_values([c for c in ["commune_code", "collaborator_id", "table", "record_id", "rule_id"]
                         if c in df.columns], kind="stable")
    for c in df.columns:
        df[c] = df[c].astype("object").where(df[c].notna(), None).map(safe_cell)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, _MODE)
    try:
        with pd.ExcelWriter(tmp, engine="xlsxwriter", engine_kwargs={
            "options": {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
        }) as xw:
            df.to_excel(xw, sheet_name="findings", index=False)
            ws = xw.sheets["findings"]
            ws.autofilter(0, 0, max(len(df), 1), len(df.columns) - 1)
            ws.freeze_panes(1, 0)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


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

    >>> generic_messages(pd.Series(["L001"]), pd.Series(["same person as 256540000501"]), "message_en").tolist()
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
    cl = clusters[["person_id", "cluster_id"]].sort_values(["cluster_id", "person_id"], kind="stable")
    return cl.loc[cl["cluster_id"].duplicated(), "person_id"].reset_index(drop=True)


def lag_days(events: pd.DataFrame) -> pd.Series:
    """Days from event to recording."""
    return (events["recorded_date"] - events["event_date"]).dt.days


def district_results(
    *,
    district: str,
    register,
    records: pd.DataFrame,
    findings: pd.DataFrame,
    scorecard: pd.DataFrame,
    trend: pd.DataFrame,
    targets: pd.DataFrame,
    rollup: pd.DataFrame,
    duplicate_ids: pd.Series | None,
    links: dict[str, pd.DataFrame],
    period: str,
    late_days: int,
    out_dir: Path,
) -> dict[str, Any]:
    """Compute and write one district's result files into ``out_dir``; return its KPIs."""
    from popqa.geo import commune_name, district_name
    from popqa.scorecard.core import most_common

    out_dir.mkdir(parents=True, exist_ok=True)
    end = pd.Period(period, freq="M").end_time.normalize()
    pp = register.persons
    in_d = pp["district_code"] == district
    persons = pp[in_d.fillna(False)]
    ev_all = register.events
    events = ev_all[(ev_all["district_code"] == district).fillna(False)] if ev_all is not None else None
    f = findings[(findings["district_code"] == district).fillna(False)]

    # commune scorecard
    communes = _wide(scorecard, "commune")
    communes = communes[communes["parent_code"] == district].copy()
    communes.insert(1, "commune_name", communes["unit_code"].map(lambda c: commune_name(c) or ""))
    communes = communes.rename(columns={"unit_code": "commune_code"}).sort_values("commune_code")
    write_parquet(out_dir / "communes.parquet", communes)

    # top rules
    if len(f):
        top = (
            f.groupby(["rule_id", "dimension", "severity"], observed=True, dropna=False)
            .agg(findings=("record_id", "size"), records=("record_id", "nunique"),
                 message_vi=("message_vi", "first"), message_en=("message_en", "first"))
            .reset_index().sort_values(["findings", "rule_id"], ascending=[False, True])
        )
    else:
        top = pd.DataFrame(columns=["rule_id", "dimension", "severity", "findings", "records", "message_vi", "message_en"])
    top = top.head(20).copy()
    for col in ("message_vi", "message_en"):
        top[col] = generic_messages(top["rule_id"], top[col], col)
    write_parquet(out_dir / "top_rules.parquet", top)

    # collaborators
    coll = _wide(scorecard, "collaborator")
    coll = coll[coll["parent_code"] == district].rename(columns={"unit_code": "collaborator_id"})
    sev = f.dropna(subset=["collaborator_id"]).groupby(["collaborator_id", "severity"], observed=True).size().unstack(
        fill_value=0)
    for s in ("error", "warning"):
        coll[f"{s}s"] = coll["collaborator_id"].map(sev[s] if s in sev.columns else pd.Series(dtype="int64")).fillna(
            0).astype("int64")
    coll["errors_per_1000"] = (1000 * coll["errors"] / coll["records"].replace(0, np.nan)).round(1)
    rec_c = records[records["district_code"] == district].dropna(subset=["collaborator_id"])
    main_commune = most_common(rec_c, "collaborator_id", "commune_code")
    coll["commune_code"] = coll["collaborator_id"].map(main_commune)
    if events is not None and len(events):
        lag = lag_days(events)
        ev_c = pd.DataFrame({"collaborator_id": events["collaborator_id"], "lag": lag, "late": lag > late_days})
        g = ev_c.dropna(subset=["collaborator_id"]).groupby("collaborator_id").agg(
            events=("lag", "size"), late_share=("late", "mean"), median_lag=("lag", "median"))
        coll = coll.merge(g, left_on="collaborator_id", right_index=True, how="left")
    else:
        coll["events"], coll["late_share"], coll["median_lag"] = 0, np.nan, np.nan
    # the rule behind most of a collaborator's errors and warnings: what to train them on
    fc = f[f["severity"].isin(["error", "warning"]).fillna(False)].dropna(subset=["collaborator_id"])
    top_rule = most_common(fc, "collaborator_id", "rule_id")
    coll["top_rule"] = coll["collaborator_id"].map(top_rule).astype("string")
    msgs = fc.drop_duplicates("rule_id").set_index("rule_id")
    for col in ("message_vi", "message_en"):
        if len(msgs):
            generic = generic_messages(pd.Series(msgs.index, dtype="string"), msgs[col].reset_index(drop=True), col)
            coll[f"top_{col}"] = coll["top_rule"].map(dict(zip(msgs.index, generic, strict=True))).astype("string")
        else:
            coll[f"top_{col}"] = pd.Series(pd.NA, index=coll.index, dtype="string")
    coll = sort_for_action(coll, "collaborator_id")
    write_parquet(out_dir / "collaborators.parquet", coll)

    # timeliness
    kpi_lag: dict[str, Any] = {}
    if events is not None and len(events):
        lag = lag_days(events)
        hist = pd.cut(lag, LAG_BINS, labels=LAG_LABELS).value_counts().reindex(LAG_LABELS, fill_value=0)
        lag_hist = pd.DataFrame({"bin": LAG_LABELS, "events": hist.to_numpy().astype("int64")})
        start = (pd.Period(period, freq="M") - 11).start_time
        recent = events["event_date"] >= start
        m = pd.DataFrame({"month": events.loc[recent, "event_date"].dt.strftime("%Y-%m"), "lag": lag[recent],
                          "late": lag[recent] > late_days})
        monthly = m.groupby("month").agg(events=("lag", "size"), late=("late", "sum"),
                                         median_lag=("lag", "median")).reset_index()
        monthly["late_share"] = monthly["late"] / monthly["events"]
        kpi_lag = {"events": int(len(events)), "late_share": float((lag > late_days).mean()),
                   "median_lag": float(lag.median()) if lag.notna().any() else None}
    else:
        lag_hist = pd.DataFrame({"bin": LAG_LABELS, "events": 0})
        monthly = pd.DataFrame(columns=["month", "events", "late", "median_lag", "late_share"])
    write_parquet(out_dir / "lag_hist.parquet", lag_hist)
    write_parquet(out_dir / "monthly.parquet", monthly)

    # duplicates by commune
    dup_total = None
    if duplicate_ids is not None:
        is_dup = persons["person_id"].isin(duplicate_ids)
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
    present = persons[(persons["status"] == 1).fillna(False)]
    age = ((end - present["birth_date"]).dt.days // 365.25)
    grp = pd.cut(age.clip(upper=200), bins=[*range(0, 81, 5), 1000], right=False, labels=AGE_GROUPS)
    pyr = pd.DataFrame({"age_group": grp, "sex": present["sex"].map({1: "male", 2: "female"})}).dropna()
    pyramid = pyr.groupby(["age_group", "sex"], observed=False).size().rename("persons").reset_index()
    pyramid["age_group"] = pyramid["age_group"].astype("string")
    write_parquet(out_dir / "pyramid.parquet", pyramid)
    srb = None
    if events is not None and len(events):
        births = events[(events["event_type"] == "birth").fillna(False)]
        bsex = births["person_id"].map(pp.drop_duplicates("person_id").set_index("person_id")["sex"])
        males, females = int((bsex == 1).sum()), int((bsex == 2).sum())
        srb = {"births": int(len(births)), "male": males, "female": females,
               "ratio": round(100 * males / females, 1) if females else None}

    # coverage against administrative sources
    cov_rows = []
    for source, lk in links.items():
        src = register[source]
        from popqa.contract import TABLES

        key = TABLES[source].key
        cc = src["commune_code"].astype("string")
        ok = src[key].isin(lk.loc[lk["person_id"].notna(), "source_id"])
        t = pd.DataFrame({"commune_code": cc, "linked": ok})
        t = t[t["commune_code"].isin(communes["commune_code"])]
        g = t.groupby("commune_code").agg(records=("linked", "size"), linked=("linked", "sum")).reset_index()
        g.insert(0, "source", source)
        cov_rows.append(g)
    coverage = pd.concat(cov_rows, ignore_index=True) if cov_rows else pd.DataFrame(
        columns=["source", "commune_code", "records", "linked"])
    coverage["share"] = coverage["linked"] / coverage["records"].replace(0, np.nan)
    write_parquet(out_dir / "coverage.parquet", coverage)

    # trend for the district, its communes and collaborators
    tr = trend[((trend["level"] == "district") & (trend["unit_code"] == district))
               | ((trend["level"] == "commune") & trend["unit_code"].isin(communes["commune_code"]))]
    write_parquet(out_dir / "trend.parquet", tr)

    # KPIs
    dsc = scorecard[(scorecard["level"] == "district") & (scorecard["unit_code"] == district)]
    dims = {r.dimension: {"score": r.score, "grade": r.grade, "change": getattr(r, "change", None),
                          "records": int(r.records), "flagged": float(r.flagged)} for r in dsc.itertuples()}
    tg = targets[targets["scope"] == district]
    roll = rollup[rollup["parent_code"] == district]
    sev_counts = f["severity"].value_counts().to_dict() if len(f) else {}
    kpis = {
        "district_code": district,
        "district_name": district_name(district) or district,
        "period": period,
        "households": int((register.households["district_code"] == district).fillna(False).sum()),
        "persons": int(len(persons)),
        "events": int(len(events)) if events is not None else 0,
        "communes": int(len(communes)),
        "collaborators": int(len(coll)),
        "findings": {k: int(v) for k, v in sev_counts.items()},
        "scores": dims,
        "targets": tg.drop(columns="scope").to_dict(orient="records"),
        "rollup": roll.drop(columns="parent_code").to_dict(orient="records"),
        "timeliness": kpi_lag,
        "late_days": late_days,
        "duplicates": dup_total,
        "sex_ratio_at_birth": srb,
        "coverage_sources": sorted(links),
    }
    write_json(out_dir / "kpis.json", kpis)
    return kpis
