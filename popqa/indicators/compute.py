"""Register indicators computed by the audit's ``indicators`` stage, as indicator rows.

Each function returns rows of the contract's indicator shape (see
:mod:`popqa.indicators`) for the province and every district; the scorecard
and the reports read them, never the raw events.

* ``on_time_communes``: share of communes whose register is updated on time,
  a commune being on time when at least ``on_time_share`` of its events were
  recorded by their deadline (:func:`popqa.definitions.is_late`, so
  ``use_legal_deadlines`` applies here as in rule E002). Communes of the
  unit without any event are not on time.
* ``mobile_entry``: share of events entered on a mobile device among events
  whose entry channel is known.
* ``late_share`` and ``median_lag_days``: events recorded late, and the
  median days from event to record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from popqa import textkeys
from popqa.definitions import is_late, lag_days
from popqa.indicators import register_stats  # noqa: F401 - declares the indicators computed here
from popqa.indicators.core import concat_indicators, indicator_rows

__all__ = ["program_target_rows", "timeliness_rows", "duplicate_rows", "linkage_rows"]

def _units(df: pd.DataFrame, province_code: str) -> list[tuple[str, str, pd.Series]]:
    """(level, code, mask) for the province and each district present."""
    out = [("province", province_code, pd.Series(True, index=df.index))]
    # one factorisation (Arrow's codes: pandas' hash table of the 3 M police records' district codes as
    # Python objects grew faster than the records), then integer comparisons: a comparison of the text per
    # district made this grow with districts x persons (24 districts of the merged province)
    codes, uniq = textkeys.factorize(df["district_code"])
    for k in np.argsort(np.asarray(uniq, dtype=object).astype(str), kind="stable"):
        out.append(("district", str(uniq[k]), pd.Series(codes == k, index=df.index)))
    return out


def _by_unit(indicator_id: str, df: pd.DataFrame, province_code: str, period: str,
             stats: Callable[[pd.DataFrame], dict[str, float]], **fixed: Any) -> list[pd.DataFrame]:
    """Rows of ``indicator_id`` for the province and each district of ``df``: ``stats(rows of a unit)``
    gives the unit's numbers (numerator, denominator, value...), ``fixed`` the columns shared by all.

    One :func:`indicator_rows` call per level, not per unit (each call types and validates its frame,
    some 20 ms whatever its length).
    """
    units = _units(df, province_code)
    out = []
    for level in ("province", "district"):
        mine = [(code, mask) for lv, code, mask in units if lv == level]
        if not mine:
            continue
        vals = [stats(df[mask.to_numpy(bool)]) for _, mask in mine]
        cols: dict[str, Any] = {k: np.array([v[k] for v in vals], dtype="float64") for k in vals[0]}
        out.append(indicator_rows(indicator_id, level=level, unit_code=[c for c, _ in mine], period=str(period),
                                  **cols, **fixed))
    return out


def _target(config, indicator: str, year: int) -> tuple[float, float]:
    t = config.target(indicator, year) if config is not None else None
    return (float(t[0]), float(t[1])) if t else (np.nan, np.nan)


def program_target_rows(
    events: pd.DataFrame | None,
    *,
    period: str,
    province_code: str,
    checks_config,
    scorecard_config,
    communes: Iterable[tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """The province plan's two targets, for the province and each district, as indicator rows.

    ``communes`` lists (commune_code, district_code) of the audited communes,
    so a commune without any event counts as not on time.

    Examples
    --------
    >>> from popqa.checks.config import ChecksConfig
    >>> from popqa.scorecard.config import ScorecardConfig
    >>> ev = pd.DataFrame({"district_code": "710", "commune_code": ["1", "1", "2"], "event_type": "birth",
    ...     "event_date": pd.to_datetime(["2026-01-01"] * 3),
    ...     "recorded_date": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-05-01"]),
    ...     "entry_channel": ["mobile", "paper", None]})
    >>> r = program_target_rows(ev, period="2026-10", province_code="72", checks_config=ChecksConfig(),
    ...                         scorecard_config=ScorecardConfig())
    >>> r[r.level == "province"][["indicator_id", "value", "target"]].values.tolist()
    [['on_time_communes', 0.5, 1.0], ['mobile_entry', 0.5, 0.9]]
    """
    year = int(str(period)[:4])
    allc = pd.DataFrame(list(communes or []), columns=["commune_code", "district_code"], dtype="string")
    if events is None or not len(events):
        ev = pd.DataFrame({c: pd.Series(dtype="string") for c in ("district_code", "commune_code", "entry_channel")})
        in_time = pd.Series(dtype=bool)
    else:
        ev = events
        lag = lag_days(ev)
        in_time = (~is_late(ev, checks_config) & lag.notna()).astype(bool)
    per_commune = pd.DataFrame({"district_code": ev["district_code"].astype("string"),
                                "commune_code": ev["commune_code"].astype("string"),
                                "in_time": in_time.astype("float64")})
    per_commune = per_commune.dropna(subset=["commune_code"]).groupby(
        ["commune_code"], observed=True).agg(district_code=("district_code", "first"),
                                             in_time=("in_time", "mean")).reset_index()
    per_commune["on_time"] = per_commune["in_time"] >= scorecard_config.on_time_share
    if len(allc):
        per_commune = allc.merge(per_commune[["commune_code", "on_time"]], on="commune_code", how="left")
        per_commune["on_time"] = per_commune["on_time"].astype("boolean").fillna(False).astype(bool)
    if "entry_channel" in ev.columns:
        ch = ev["entry_channel"].astype("string")
        known, mobile = ch.notna().to_numpy(bool), ch.eq("mobile").fillna(False).to_numpy(bool)
    else:
        known = mobile = np.zeros(len(ev), bool)
    mob = pd.DataFrame({"district_code": ev["district_code"].astype("string").to_numpy(), "known": known,
                        "mobile": mobile})
    rows = []
    for ind, frame, num, den in (("on_time_communes", per_commune, "on_time", None),
                                 ("mobile_entry", mob, "mobile", "known")):
        ty, tv = _target(scorecard_config, ind, year)
        rows += _by_unit(ind, frame, province_code, period,
                         lambda sub, num=num, den=den: {  # type: ignore[misc]
                             "numerator": float(sub[num].sum()),
                             "denominator": float(len(sub)) if den is None else float(sub[den].sum())},
                         target=tv, target_year=ty)
    return concat_indicators(rows)


def timeliness_rows(events: pd.DataFrame | None, *, period: str, province_code: str, checks_config) -> pd.DataFrame:
    """Late share and median lag of the events, for the province and each district."""
    if events is None or not len(events):
        return concat_indicators([])
    lag = lag_days(events)
    late = is_late(events, checks_config)
    df = pd.DataFrame({"district_code": events["district_code"].astype("string"), "lag": lag, "late": late})
    df = df[df["lag"].notna()]
    rows = _by_unit("late_share", df, province_code, period,
                    lambda sub: {"numerator": float(sub["late"].sum()), "denominator": float(len(sub))})
    rows += _by_unit("median_lag_days", df, province_code, period,
                     lambda sub: {"value": float(sub["lag"].median()) if len(sub) else np.nan,
                                  "denominator": float(len(sub))})
    return concat_indicators(rows)


def duplicate_rows(persons: pd.DataFrame, duplicate_ids: pd.Series | None, *, period: str,
                   province_code: str) -> pd.DataFrame:
    """Surplus duplicate person records per 1,000 person records, province and districts."""
    if duplicate_ids is None:
        return concat_indicators([])
    df = pd.DataFrame({"district_code": persons["district_code"].astype("string"),
                       "dup": textkeys.isin(persons["person_id"], duplicate_ids)})
    def stats(sub: pd.DataFrame) -> dict[str, float]:
        n, d = float(sub["dup"].sum()), float(len(sub))
        return {"value": 1000 * n / d if d else np.nan, "numerator": n, "denominator": d}

    return concat_indicators(_by_unit("duplicate_per_1000", df, province_code, period, stats))


def linkage_rows(register, links: dict[str, pd.DataFrame], *, period: str, province_code: str) -> pd.DataFrame:
    """Share of each linked source's records found in the register, province and districts."""
    from popqa.checks.coverage import linked_records
    from popqa.geo import legacy_units

    units = legacy_units().set_index("commune_code")["district_code"].astype("string")
    rows = []
    for source, lk in sorted(links.items()):
        src, ok = linked_records(register, source, lk)  # compared and looked up, never made Python strings
        df = pd.DataFrame({"district_code": textkeys.lookup(src["commune_code"], units), "ok": ok})
        rows += _by_unit("source_linked_share", df, province_code, period,
                         lambda sub: {"numerator": float(sub["ok"].sum()), "denominator": float(len(sub))},
                         group=f"source={source}", source=source)
    return concat_indicators(rows)
