"""Coverage of the register measured against civil registration, the resident database and insurance.

**Events** (:func:`event_coverage`). For births and deaths of the twelve
months ending at the period's reference date, source 1 is the register
(``events`` rows of that type) and source 2 is civil registration
(``civil_births`` / ``civil_deaths``). Before counting, records that do not
belong are removed and counted (:data:`REMOVAL_REASONS`): records of a
commune outside the province (``out_of_area``), without a date or dated
outside the twelve months (``no_date``, ``out_of_period``), and duplicates
(``duplicate``: a second register event of the same person, or of the same
duplicate cluster when ``clusters`` is given; a repeated registration id; a
second civil registration linked to the same register person). A civil
record is *matched* when the linkage accepted a register person for it
(``links``: source_id, person_id) and that person has a kept register event
of the same type. A matched pair is counted in the register event's commune;
an unmatched civil record in its own commune, so ``m <= n1`` and ``m <= n2``
in every unit.

Per unit (legacy commune, district, province; 2025 commune and province) the
counts ``n1``, ``n2``, ``m`` give the completeness of each source, Chapman's
estimate of the true number of events with its interval, and the events
missed by both (:mod:`popqa.reconcile.dse`). An estimate is *unreliable*
when fewer than ``min_matches`` events are matched or its coefficient of
variation exceeds ``max_cv``; with ``pool_small_communes`` the unreliable
communes of a district are pooled into one extra district row (group
``<event>:pooled``) instead of printing noise per commune.

**Residents and insurance** (:func:`resident_coverage`,
:func:`insurance_coverage`): the share of the police resident extract found
in the register by residence type, the share of the register's present
persons found in the extract by residence status, and the share of
contributing insurance participants absent from the register.

Examples
--------
>>> [round(float(x), 4) for x in wilson(8, 10)]
[0.4902, 0.9433]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from popqa import textkeys
from popqa.definitions import is_present, reference_date
from popqa.reconcile.config import ReconcileConfig
from popqa.reconcile.dse import dse_table

__all__ = [
    "EVENT_SOURCES",
    "REMOVAL_REASONS",
    "LEVELS",
    "EventCoverage",
    "event_records",
    "event_coverage",
    "resident_coverage",
    "insurance_coverage",
    "unit_map",
    "wilson",
]

#: event type -> (civil registration table, its date column)
EVENT_SOURCES = {"birth": ("civil_births", "birth_date"), "death": ("civil_deaths", "death_date")}
#: Why a record is left out before estimating.
REMOVAL_REASONS = ("out_of_area", "no_date", "out_of_period", "duplicate")
#: Unit levels of the coverage tables (indicator levels).
LEVELS = ("commune", "district", "province", "commune_2025", "province_2025")

_UNIT_COLS = {"commune": "commune_code", "district": "district_code", "province": "province_code",
              "commune_2025": "commune_code_2025", "province_2025": "province_code_2025"}


def wilson(k: Any, n: Any, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of the proportion ``k / n`` (NaN where ``n`` is 0)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    z = float(norm.ppf(0.5 + level / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        den = 1 + z**2 / n
        mid = (p + z**2 / (2 * n)) / den
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / den
    lo, hi = np.clip(mid - half, 0, 1), np.clip(mid + half, 0, 1)
    return np.where(n > 0, np.minimum(lo, p), np.nan), np.where(n > 0, np.maximum(hi, p), np.nan)


@lru_cache(maxsize=8)
def _unit_map(province_code: str | None, merged: tuple[str, ...] = ()) -> pd.DataFrame:
    from popqa.geo import crosswalk, legacy_units, province_codes, province_unit

    codes: Any = province_code
    if province_code and merged:
        codes = sorted(set(province_codes(province_code)) | set(merged))
    u = legacy_units(codes)[["commune_code", "district_code", "province_code"]]
    cw = crosswalk(codes, default_only=True)[["commune_code", "commune_code_2025", "province_code_2025"]]
    out = u.merge(cw, on="commune_code", how="left").astype("string")
    if province_code and merged:
        out["province_code"] = province_unit(out["province_code"], province_code)
    return out.set_index("commune_code")


def unit_map(province_code: str | None = None, merged: tuple[str, ...] = ()) -> pd.DataFrame:
    """Legacy commune -> district, province, 2025 commune and 2025 province (default crosswalk target).

    ``merged``: other legacy provinces of the same 2025 province whose communes come too, each
    counted under ``province_code`` (:func:`popqa.geo.province_unit`).

    >>> m = unit_map("72", merged=("80",))
    >>> sorted(set(m["province_code"])), bool((m["district_code"] == "795").any())
    (['72'], True)
    >>> bool((unit_map("72")["district_code"] == "795").any())
    False
    """
    return _unit_map(province_code, tuple(sorted(merged))).copy()


def register_units(register, config: ReconcileConfig) -> pd.DataFrame:
    """:func:`unit_map` of the audited province, with the legacy provinces merged into its 2025 province
    that the register holds records of (a register of the 2025 Tây Ninh: Long An's communes too)."""
    prov = _province_of(register, config)
    if not prov:
        return unit_map(prov)
    from popqa.geo import province_codes

    held = set(register.households["province_code"].dropna().astype(str))
    merged = (set(province_codes(prov, merged=True)) & held) - set(province_codes(prov))
    return unit_map(prov, tuple(sorted(merged)))


def _province_of(register, config: ReconcileConfig) -> str | None:
    if config.province_code:
        return config.province_code
    pc = register.households["province_code"].dropna()
    return str(pc.mode().iloc[0]) if len(pc) else None


def _window(period: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    ref = reference_date(period)
    return (ref - pd.DateOffset(months=12) + pd.Timedelta(days=1)).normalize(), ref


def _renamed(clusters: pd.DataFrame | None) -> pd.DataFrame | None:
    """The rows of ``clusters`` whose person is keyed by another id: a person alone, or the one a cluster is
    named after, is its own key (49,000 of the 3.38 M persons of the merged province)."""
    if clusters is None:
        return None
    renamed = clusters["cluster_id"].astype("string").ne(clusters["person_id"].astype("string")).fillna(True)
    return clusters.loc[renamed.to_numpy(dtype=bool), ["person_id", "cluster_id"]]


def _person_key(pids: pd.Series, clusters: pd.DataFrame | None) -> pd.Series:
    pids = pids.astype("string")
    # only the persons whose cluster is named after someone else are looked up (a hash table of 49,000 ids,
    # not of every person's 3.38 M, for each list of records at 3.38 M persons)
    clusters = _renamed(clusters)
    if clusters is None or not len(clusters):
        return pids
    # the first row of each person id (keys: Arrow's hash tables, linear in the ids where pandas' are not)
    pos = textkeys.positions(pids, clusters["person_id"])
    return textkeys.take(clusters["cluster_id"].astype("string"), pos, pids.index).fillna(pids)


def _reason(commune: pd.Series, date: pd.Series, communes: pd.Index, start, ref) -> pd.Series:
    r = pd.Series(pd.NA, index=commune.index, dtype="string")
    out_area = ~commune.astype("string").isin(communes).fillna(False)
    r[out_area.to_numpy()] = "out_of_area"
    nodate = date.isna() & r.isna()
    r[nodate.to_numpy()] = "no_date"
    oop = ((date < start) | (date > ref)).fillna(False) & r.isna()
    r[oop.to_numpy()] = "out_of_period"
    return r


def event_records(register, links: dict[str, pd.DataFrame], *, event: str, period: Any,
                  config: ReconcileConfig | None = None, clusters: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every register event and civil registration of ``event``, marked kept or removed, and matched.

    Returns
    -------
    pandas.DataFrame
        source ("register" or "civil"), record_id, person_key, commune_code
        (the record's own), unit_commune (where it is counted), removed (a
        :data:`REMOVAL_REASONS` value or missing when kept), matched (civil
        records: linked to a kept register event of the same person; register
        events: found in civil registration).
    """
    if event not in EVENT_SOURCES:
        raise ValueError(f"event must be one of {sorted(EVENT_SOURCES)}, got {event!r}")
    cfg = config or ReconcileConfig()
    table, date_col = EVENT_SOURCES[event]
    start, ref = _window(period)
    units = register_units(register, cfg)
    communes = pd.Index(units.index)

    ev = register.events
    if ev is None:  # no events table: no register event (it was an AttributeError on None)
        ev = pd.DataFrame({c: pd.Series(dtype="string") for c in ("event_id", "event_type", "person_id", "commune_code")}
                          | {c: pd.Series(dtype="datetime64[ns]") for c in ("event_date", "recorded_date")})
    ev = ev[ev["event_type"].astype("string").eq(event).fillna(False)]
    r = pd.DataFrame({
        "source": "register", "record_id": ev["event_id"].astype("string"),
        "person_key": _person_key(ev["person_id"], clusters), "commune_code": ev["commune_code"].astype("string"),
        "date": pd.to_datetime(ev["event_date"]), "order": pd.to_datetime(ev["recorded_date"]),
    })
    r["removed"] = _reason(r["commune_code"], r["date"], communes, start, ref)
    dup_id = r["record_id"].duplicated() & r["removed"].isna()
    r.loc[dup_id.to_numpy(), "removed"] = "duplicate"
    r = r.sort_values(["order", "record_id"], kind="stable", na_position="last")
    kept = r["removed"].isna()
    dup = kept & r["person_key"].notna() & r.duplicated("person_key") & \
        r.assign(_k=kept)[["person_key", "_k"]].duplicated()
    r.loc[dup, "removed"] = "duplicate"

    # the four columns used (read alone when the table is on disk)
    civ = register.columns(table, ["registration_id", "commune_code", date_col, "registration_date"])
    if civ is None:
        civ = pd.DataFrame({"registration_id": pd.Series(dtype="string"), "commune_code": pd.Series(dtype="string"),
                            date_col: pd.Series(dtype="datetime64[ns]"),
                            "registration_date": pd.Series(dtype="datetime64[ns]")})
    lk = links.get(table)
    pmap = pd.Series(dtype="string") if lk is None or not len(lk) else \
        lk.drop_duplicates("source_id").set_index(lk.drop_duplicates("source_id")["source_id"].astype("string"))[
            "person_id"].astype("string")
    cid = civ["registration_id"].astype("string")
    c = pd.DataFrame({
        "source": "civil", "record_id": cid,
        "person_key": _person_key(cid.map(pmap), clusters), "commune_code": civ["commune_code"].astype("string"),
        "date": pd.to_datetime(civ[date_col]), "order": pd.to_datetime(civ.get("registration_date", civ[date_col])),
    })
    c["removed"] = _reason(c["commune_code"], c["date"], communes, start, ref)
    c.loc[(c["record_id"].duplicated() & c["removed"].isna()).to_numpy(), "removed"] = "duplicate"
    c = c.sort_values(["order", "record_id"], kind="stable", na_position="last")
    ckept = c["removed"].isna()
    cdup = ckept & c["person_key"].notna() & c.assign(_k=ckept)[["person_key", "_k"]].duplicated()
    c.loc[cdup, "removed"] = "duplicate"

    reg_kept = r[r["removed"].isna() & r["person_key"].notna()]
    reg_commune = reg_kept.drop_duplicates("person_key").set_index("person_key")["commune_code"]
    c["matched"] = c["removed"].isna() & c["person_key"].isin(reg_commune.index).fillna(False)
    c["unit_commune"] = c["commune_code"].where(~c["matched"], c["person_key"].map(reg_commune))
    matched_keys = pd.Index(c.loc[c["matched"], "person_key"])
    r["matched"] = r["removed"].isna() & r["person_key"].isin(matched_keys).fillna(False)
    r["unit_commune"] = r["commune_code"]
    out = pd.concat([r, c], ignore_index=True)
    out["matched"] = out["matched"].astype(bool)
    return out[["source", "record_id", "person_key", "commune_code", "unit_commune", "removed", "matched"]]


@dataclass(frozen=True)
class EventCoverage:
    """What :func:`event_coverage` returns.

    Attributes
    ----------
    table : one row per event, level and unit (and ``group`` "" or "pooled"):
        event, level, unit_code, group, n1, n2, m, observed, estimate, se,
        ci_low, ci_high, cv, completeness_1 (register), completeness_2
        (civil registration), missed_both, reason, reliable, status.
    removed : event, source, reason, records: what was left out before estimating.
    records : the per-record frame of :func:`event_records` (both events).
    """

    table: pd.DataFrame
    removed: pd.DataFrame
    records: pd.DataFrame


def _unit_counts(rec: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    k = rec[rec["removed"].isna()]
    reg, civ = k["source"] == "register", k["source"] == "civil"
    cnt = pd.DataFrame({
        "n1": k.loc[reg].groupby("unit_commune").size(),
        "n2": k.loc[civ].groupby("unit_commune").size(),
        "m": k.loc[civ & k["matched"]].groupby("unit_commune").size(),
    }).fillna(0).astype("int64")
    cnt.index = cnt.index.astype("string")
    return cnt.join(units, how="left")


def _estimate(counts: pd.DataFrame, level: str, cfg: ReconcileConfig, group: str = "") -> pd.DataFrame:
    if level == "commune":
        g = counts[["n1", "n2", "m"]]
    else:
        col = _UNIT_COLS[level]
        g = counts[counts[col].notna()].groupby(col)[["n1", "n2", "m"]].sum()
    t = dse_table(g["n1"].to_numpy(), g["n2"].to_numpy(), g["m"].to_numpy(), method="chapman", ci=cfg.ci,
                  level=cfg.level)
    t.insert(0, "group", group)
    t.insert(0, "unit_code", pd.Index(g.index).astype("string"))
    t.insert(0, "level", level)
    return t


def _status(t: pd.DataFrame, cfg: ReconcileConfig) -> pd.DataFrame:
    t = t.copy()
    t["reliable"] = (t["estimate"].notna() & (t["m"] >= cfg.min_matches) & (t["cv"].fillna(0) <= cfg.max_cv))
    t["status"] = np.where(t["reliable"], "ok",
                           np.where((t["n1"] + t["n2"]) > 0, "insufficient", "not_measurable"))
    why = np.where(t["m"] < cfg.min_matches,
                   "fewer than " + str(cfg.min_matches) + " events found in both sources",
                   np.where(t["cv"] > cfg.max_cv, f"coefficient of variation above {cfg.max_cv:.0%}",
                            None))  # type: ignore[call-overload]
    t["reason"] = t["reason"].where(t["reason"].notna(), pd.Series(why, index=t.index).where(~t["reliable"]))
    t["reason"] = t["reason"].astype("object").where(t["reason"].notna(), None)
    return t


def event_coverage(register, links: dict[str, pd.DataFrame], *, period: Any, config: ReconcileConfig | None = None,
                   clusters: pd.DataFrame | None = None, events: tuple[str, ...] = ("birth", "death")) -> EventCoverage:
    """Completeness of the register and of civil registration, and Chapman totals, per unit.

    Parameters
    ----------
    register : a :class:`popqa.io.Register` (events and the civil tables).
    links : source table -> ``LinkResult.links`` (source_id, person_id missing when unlinked).
    period : ``YYYY-MM``; the twelve months ending on its last day are estimated.
    config : thresholds (:class:`ReconcileConfig`).
    clusters : optional person_id -> cluster_id of the deduplication, so the
        register events of one person's duplicate records count once.
    events : which events.

    Returns
    -------
    EventCoverage
    """
    cfg = config or ReconcileConfig()
    units = register_units(register, cfg)
    tables, removed, records = [], [], []
    clusters = _renamed(clusters)  # once for every list of records (each narrows them again, on these few)
    for event in events:
        rec = event_records(register, links, event=event, period=period, config=cfg, clusters=clusters)
        records.append(rec.assign(event=event))
        rm = rec[rec["removed"].notna()].groupby(["source", "removed"]).size()
        removed.append(pd.DataFrame({"event": event, "source": [s for s, _ in rm.index],
                                     "reason": [r for _, r in rm.index], "records": rm.to_numpy(dtype="int64")}))
        counts = _unit_counts(rec, units)
        parts = [_status(_estimate(counts, lvl, cfg), cfg) for lvl in LEVELS]
        if cfg.pool_small_communes:
            com = parts[0].set_index("unit_code")
            small = com.index[~com["reliable"] & ((com["n1"] + com["n2"]) > 0)]
            if len(small):
                pooled = _status(_estimate(counts.loc[counts.index.isin(small)], "district", cfg, "pooled"), cfg)
                parts.append(pooled)
        t = pd.concat(parts, ignore_index=True)
        t.insert(0, "event", event)
        tables.append(t)
    rem = pd.concat(removed, ignore_index=True) if removed else pd.DataFrame(
        columns=["event", "source", "reason", "records"])
    return EventCoverage(table=pd.concat(tables, ignore_index=True), removed=rem,
                         records=pd.concat(records, ignore_index=True))


def _share_table(units: pd.DataFrame, commune: pd.Series, hit: pd.Series, group: pd.Series, cfg: ReconcileConfig,
                 min_records: int) -> pd.DataFrame:
    """The share of ``hit`` records per unit of every level, over all records and per ``group``.

    The records are first counted per commune and group, and the units' columns joined to those few
    hundred rows rather than to every record: joined to the 3 M police records of the merged province,
    they took 0.5 GB (docs/benchmarks.md, "fourteenth measurement"). Counts add up, so the table is
    the same (tests/reconcile/test_share_table.py).

    The pairs of commune and group are counted on Arrow's codes of each (a few hundred communes, a few
    groups), not grouped by pandas on their text: that grouping of the 2.95 M police records took 0.8 s
    at 3.38 M persons against 0.2 s at 1.25 M, with a Python string per record to make first when the
    records were read back from the spill (docs/benchmarks.md, "thirty-first measurement").
    """
    c, communes = textkeys.factorize(commune)
    g, groups = textkeys.factorize(group)
    width = len(groups) + 1  # a commune's slots: a missing group (code -1), then each group
    key = (c.astype(np.int64) + 1) * width + (g + 1)
    size = np.bincount(key, minlength=(len(communes) + 1) * width)
    hits = np.bincount(key[hit.to_numpy(bool)], minlength=len(size))
    held = np.flatnonzero(size)
    at_commune, at_group = np.divmod(held, width)
    text = [pd.array(np.concatenate([[None], v.to_numpy(dtype=object)]), dtype="string").astype(object)
            for v in (communes, groups.astype(str))]  # as text: a missing value first
    per = pd.DataFrame({"commune_code": text[0][at_commune], "group": text[1][at_group],
                        "sum": hits[held].astype(np.int64), "size": size[held].astype(np.int64)})
    return _shares(_level_counts(per.join(units, on="commune_code", how="inner")), cfg.level, min_records)


def _level_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """``counts`` (rows of hits ``sum`` out of ``size`` records, with a ``group`` and the units' columns of
    their commune) added up to every unit of every level, over all groups (group "") and per group (a
    missing group counts in the first only): level, unit_code, group, numerator, denominator."""
    frames = []
    for lvl in LEVELS:
        col = _UNIT_COLS[lvl]
        for grp_all in (True, False):
            d = counts[counts[col].notna()]
            keys = [col] if grp_all else [col, "group"]
            g = d.groupby(keys, observed=True)[["sum", "size"]].sum().reset_index()
            if grp_all:
                g["group"] = ""
            g = g[g["group"].notna()]
            frames.append(pd.DataFrame({"level": lvl, "unit_code": g[col].astype("string"),
                                        "group": g["group"].astype("string"), "numerator": g["sum"].astype(float),
                                        "denominator": g["size"].astype(float)}))
    return pd.concat(frames, ignore_index=True)


def _shares(t: pd.DataFrame, level: float, min_records: int) -> pd.DataFrame:
    """``t`` (numerator and denominator per row) with the share, its Wilson interval at ``level``, its
    standard error, and ``status`` "ok" from ``min_records`` records on, else "insufficient"."""
    t["value"] = t["numerator"] / t["denominator"]
    t["ci_low"], t["ci_high"] = wilson(t["numerator"], t["denominator"], level)
    t["se"] = np.sqrt(t["value"] * (1 - t["value"]) / t["denominator"])
    t["status"] = np.where(t["denominator"] >= min_records, "ok", "insufficient")
    return t


def resident_coverage(register, links: dict[str, pd.DataFrame], *, config: ReconcileConfig | None = None
                      ) -> dict[str, pd.DataFrame]:
    """Residents found in the register (by residence type) and present persons found in the residents.

    Returns ``{"residents_in_register": ..., "register_in_residents": ...}``, each
    with level, unit_code, group, numerator, denominator, value, se, ci_low,
    ci_high, status; empty when there is no resident extract or no link.
    Resident records of another province are left out; a repeated citizen id counts once.
    """
    cfg = config or ReconcileConfig()
    lk = links.get("residents")
    # the columns used (read alone when the table is on disk), not every column's copy
    res = None if lk is None else register.columns("residents", ["citizen_id", "residence_type", "commune_code"],
                                                   arrow_text=True)  # compared and counted: Arrow's text
    if res is None or lk is None:
        return {}
    units = register_units(register, cfg)
    res = res[~textkeys.duplicated(res["citizen_id"])]
    linked = lk.loc[lk["person_id"].notna()]
    # the links' ids compared as they are (Arrow text): no Python string made for 3 M police records
    hit = pd.Series(textkeys.isin(res["citizen_id"], linked["source_id"]), index=res.index)
    rtype = res["residence_type"].map({1: "permanent", 2: "temporary"}).astype("string")
    a = _share_table(units, res["commune_code"], hit, rtype, cfg, cfg.min_matches)
    p = register.columns("persons", ["person_id", "status", "residence_status", "commune_code"])
    p = p.loc[is_present(p).to_numpy() & ~textkeys.duplicated(p["person_id"].astype("string")),
              ["person_id", "residence_status", "commune_code"]]
    found = pd.Series(textkeys.isin(p["person_id"], linked["person_id"]), index=p.index)
    rstat = p["residence_status"].map({1: "permanent", 2: "temporary", 3: "temporarily_absent"}).astype("string")
    b = _share_table(units, p["commune_code"], found, rstat, cfg, cfg.min_matches)
    return {"residents_in_register": a, "register_in_residents": b}


def insurance_coverage(register, links: dict[str, pd.DataFrame], *, config: ReconcileConfig | None = None
                       ) -> pd.DataFrame | None:
    """Share of contributing insurance participants absent from the register, per unit and scheme.

    Same columns as :func:`resident_coverage`; None without an insurance table or link.
    """
    cfg = config or ReconcileConfig()
    lk = links.get("insurance")
    ins = None if lk is None else register.columns("insurance", ["insurance_id", "contributing", "commune_code",
                                                                 "scheme"], arrow_text=True)  # the columns used
    if ins is None or lk is None:
        return None
    units = register_units(register, cfg)
    ins = ins[~textkeys.duplicated(ins["insurance_id"])]
    ins = ins[ins["contributing"].fillna(False).astype(bool).to_numpy()]
    absent = pd.Series(~textkeys.isin(ins["insurance_id"], lk.loc[lk["person_id"].notna(), "source_id"]),
                       index=ins.index)
    return _share_table(units, ins["commune_code"], absent, ins["scheme"], cfg, cfg.min_matches)
