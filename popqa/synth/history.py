"""Months of history: successive monthly exports of one synthetic population.

:func:`generate_history` generates the province once, at the last month, and
derives the export of every earlier month from it, so that every month holds
the same households and persons (ids, names, codes) as a real monthly export
of one register would:

* **what had not happened yet is not there**: events recorded after the
  month's last day, persons born after it, households created after it (with
  their members), administrative-source records dated after it; a person whose
  death or move-out was recorded later is still *present* in the earlier
  export; ``updated_at`` is never later than the export;
* **corrections**: a backlog of faults spread over the province (an
  ethnicity code that is not in its code list, rule V004) is largest in the
  first month and corrected month after month (none left in the last one);
* **collaborators improving or getting worse**: a few collaborators
  (``trajectory_share`` of them each way) make many errors in the first month
  and none in the last (*improving*), or the reverse (*worsening*): marital
  status codes out of their code list (rule V003) on a share of the persons of
  their households that grows or shrinks linearly over the months;
* **new events and new faults**: each month adds the events recorded in it,
  with the faults the generator injected into them.

A record faulty in a month is faulty in every month between it and the month
its fault is largest (faults are drawn once, with one uniform number per
record, and compared with a rate that changes linearly), so a corrected value
stays corrected.

The ground truth of these month-specific faults is :attr:`ProvinceHistory.changes`
(period, table, record_id, column, fault_class, collaborator_id), and the
collaborators' trajectories :attr:`ProvinceHistory.trajectories`.

Examples
--------
>>> h = generate_history(months=3, scale=0.002, districts=["710"])
>>> h.periods
('2026-08', '2026-09', '2026-10')
>>> [len(h.exports[p].events) <= len(h.exports["2026-10"].events) for p in h.periods]
[True, True, True]
>>> n = h.changes.groupby("period").size()
>>> bool(n.get("2026-08", 0) > n.get("2026-10", 0))
True
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from popqa import geo
from popqa.errors import InputError
from popqa.io import Register
from popqa.period import Period
from popqa.synth.province import SyntheticProvince, generate_province

__all__ = ["ProvinceHistory", "generate_history", "CHANGE_COLUMNS", "TRAJECTORIES"]

#: Columns of :attr:`ProvinceHistory.changes`.
CHANGE_COLUMNS = ("period", "table", "record_id", "column", "fault_class", "collaborator_id")
#: Collaborator trajectories over the months.
TRAJECTORIES = ("improving", "worsening", "steady")

#: The value a month-specific fault writes (outside the contract's code lists).
_BAD_ETHNICITY = "99"
_BAD_MARITAL = 9


@dataclass(frozen=True)
class ProvinceHistory:
    """Monthly exports of one synthetic population.

    Attributes
    ----------
    periods : the months, oldest first (``YYYY-MM``).
    exports : the register of each month (contract tables, ``period`` set).
    changes : the month-specific faults (:data:`CHANGE_COLUMNS`): one row per
        faulty record and month.
    trajectories : collaborator_id, trajectory (:data:`TRAJECTORIES`).
    base : the province generated at the last month (its ``truth`` holds the
        faults injected by :func:`generate_province`).
    """

    periods: tuple[str, ...]
    exports: Mapping[str, Register]
    changes: pd.DataFrame
    trajectories: pd.DataFrame
    base: SyntheticProvince

    def __repr__(self) -> str:
        return (f"ProvinceHistory(periods={list(self.periods)}, persons={len(self.base.register.persons):,}, "
                f"changes={len(self.changes):,})")

    def write(self, out_dir: str | Path, fmt: str = "parquet") -> Path:
        """Write ``out_dir/<period>/register/`` for every month and ``out_dir/truth/``.

        ``truth/`` holds the base province's truth tables, ``history_changes.parquet``
        and ``collaborator_trajectories.parquet``; ``history.json`` lists the periods.
        """
        if fmt not in ("parquet", "csv"):
            raise InputError(f"format must be parquet or csv, got {fmt!r}")
        out = Path(out_dir)
        for p in self.periods:
            reg = self.exports[p]
            one = SyntheticProvince(register=reg, truth={}, scale=self.base.scale, seed=self.base.seed,
                                    province_code=self.base.province_code, period=p,
                                    districts=self.base.districts)
            one.write(out / p, fmt=fmt)
        truth = out / "truth"
        truth.mkdir(parents=True, exist_ok=True)
        for name, df in self.base.truth.items():
            df.to_parquet(truth / f"{name}.parquet", index=False)
        self.changes.to_parquet(truth / "history_changes.parquet", index=False)
        self.trajectories.to_parquet(truth / "collaborator_trajectories.parquet", index=False)
        (out / "history.json").write_text(json.dumps({"periods": list(self.periods),
                                                      "province_code": self.base.province_code}),
                                          encoding="utf-8")
        return out


def _ramp(u: np.ndarray, rate: float, weight: float) -> np.ndarray:
    return u < rate * weight


def _export_before(reg: Register, period: str, end: pd.Timestamp) -> Register:
    """The register as exported on ``end``: what happened later is not there yet."""
    t = dict(reg.tables)
    hh = t["households"]
    hh_keep = ~(hh["created_date"] > end).fillna(False)
    hh = hh[hh_keep]
    pp = t["persons"]
    keep = ~(pp["birth_date"] > end).fillna(False) & (pp["household_id"].isin(hh["household_id"])
                                                       | pp["household_id"].isna())
    pp = pp[keep].copy()
    ev = t.get("events")
    if ev is not None:
        later = (ev["recorded_date"] > end).fillna(False)
        # a death or move-out recorded later: the person is still present in this export
        gone = ev.loc[later & ev["event_type"].isin(["death", "move_out"]).fillna(False), "person_id"]
        back = pp["person_id"].isin(gone.dropna())
        pp.loc[back, "status"] = 1
        ev = ev[~later]
        t["events"] = ev.reset_index(drop=True)
    if "updated_at" in pp.columns:
        cap = end + pd.Timedelta(hours=23, minutes=59)
        pp["updated_at"] = pp["updated_at"].where(~(pp["updated_at"] > cap).fillna(False), cap)
    t["households"], t["persons"] = hh.reset_index(drop=True), pp.reset_index(drop=True)
    for name, df in list(t.items()):
        if name in ("households", "persons", "events"):
            continue
        dates = [c for c in ("birth_date", "death_date", "registration_date") if c in df.columns]
        if dates:
            later = np.zeros(len(df), dtype=bool)
            for c in dates:
                later |= (df[c] > end).fillna(False).to_numpy(bool)
            t[name] = df[~later].reset_index(drop=True)
    issues = reg.parse_issues
    if issues is not None and len(issues) and "record_id" in issues.columns:
        ids = set(t["persons"]["person_id"].astype(str)) | set(t["households"]["household_id"].astype(str))
        if "events" in t:
            ids |= set(t["events"]["event_id"].astype(str))
        issues = issues[issues["record_id"].astype(str).isin(ids)].reset_index(drop=True)
    return Register(tables=t, parse_issues=issues, source=f"{reg.source} month={period}", period=period)


def generate_history(
    *,
    months: int = 3,
    scale: float = 0.01,
    seed: int = 20261,
    province_code: str = geo.DEFAULT_PROVINCE,
    period: str = "2026-10",
    districts: Sequence[str] | None = None,
    backlog_rate: float = 0.004,
    trajectory_share: float = 0.03,
    trajectory_rate: float = 0.15,
) -> ProvinceHistory:
    """Generate ``months`` successive monthly exports of one synthetic province, ending at ``period``.

    Parameters
    ----------
    months : number of monthly exports (1 or more); the last one is ``period``.
    scale, seed, province_code, districts : as :func:`popqa.synth.generate_province`.
    period : ``YYYY-MM`` of the last export.
    backlog_rate : share of persons with a backlog fault (V004) in the first
        month, corrected linearly down to none in the last.
    trajectory_share : share of collaborators improving, and the same share worsening.
    trajectory_rate : share of an improving collaborator's persons with a fault
        (V003) in the first month (a worsening one's in the last month).

    Returns
    -------
    ProvinceHistory

    Raises
    ------
    ValueError
        ``months`` below 1 or a rate outside 0-1.
    """
    if int(months) != months or months < 1:
        raise ValueError(f"months must be a whole number of at least 1, got {months!r}")
    for name, v in (("backlog_rate", backlog_rate), ("trajectory_share", trajectory_share),
                    ("trajectory_rate", trajectory_rate)):
        if not 0 <= v <= 1:
            raise ValueError(f"{name} must lie in 0-1, got {v!r}")
    last = Period.parse(period)
    periods = tuple(str(pd.Period(str(last), freq="M") - k) for k in range(months - 1, -1, -1))
    base = generate_province(scale=scale, seed=seed, province_code=province_code, period=str(last),
                             districts=districts)
    rng = np.random.default_rng([seed, 13])

    hh = base.register.households
    collabs = np.sort(hh["collaborator_id"].dropna().astype(str).unique())
    order = rng.permutation(len(collabs))
    k = int(round(trajectory_share * len(collabs)))
    if trajectory_share > 0 and len(collabs) >= 2:
        k = max(k, 1)
    traj = np.full(len(collabs), "steady", dtype=object)
    traj[order[:k]] = "improving"
    traj[order[k:2 * k]] = "worsening"
    trajectories = pd.DataFrame({"collaborator_id": pd.array(collabs, dtype="string"),
                                 "trajectory": pd.array(traj, dtype="string")})

    # one uniform number per person for each kind of month-specific fault: nested over the months
    pp_all = base.register.persons
    hh_collab = hh.drop_duplicates("household_id").set_index("household_id")["collaborator_id"]
    person_collab = pp_all["household_id"].map(hh_collab).astype("string")
    kind = person_collab.map(dict(zip(trajectories["collaborator_id"], trajectories["trajectory"],
                                      strict=True))).fillna("steady").to_numpy(object)
    u_backlog = pd.Series(rng.random(len(pp_all)), index=pp_all["person_id"].astype(str).to_numpy())
    u_traj = pd.Series(rng.random(len(pp_all)), index=u_backlog.index)
    kind_by_id = pd.Series(kind, index=u_backlog.index)
    collab_by_id = pd.Series(person_collab.to_numpy(object), index=u_backlog.index)
    # a person_id may repeat (an injected duplicate key): keep the first draw of each id
    dup = u_backlog.index.duplicated()
    u_backlog, u_traj, kind_by_id, collab_by_id = (s[~dup] for s in (u_backlog, u_traj, kind_by_id, collab_by_id))

    exports: dict[str, Register] = {}
    changes = []
    n = len(periods)
    for i, p in enumerate(periods):
        end = pd.Period(p, freq="M").end_time.normalize()
        reg = base.register if p == str(last) else _export_before(base.register, p, end)
        if p == str(last):
            reg = Register(tables={k_: v.copy() for k_, v in reg.tables.items()}, parse_issues=reg.parse_issues,
                           source=reg.source, period=p)
        early = (n - 1 - i) / (n - 1) if n > 1 else 0.0  # 1 in the first month, 0 in the last
        late = 1.0 - early if n > 1 else 0.0
        pp = reg.tables["persons"]
        ids = pp["person_id"].astype(str)
        ub = u_backlog.reindex(ids).to_numpy()
        ut = u_traj.reindex(ids).to_numpy()
        kd = kind_by_id.reindex(ids).to_numpy(object)
        backlog = _ramp(ub, backlog_rate, early)
        improving = (kd == "improving") & _ramp(ut, trajectory_rate, early)
        worsening = (kd == "worsening") & _ramp(ut, trajectory_rate, late)
        pp = pp.copy()
        if backlog.any():
            pp.loc[backlog, "ethnicity_code"] = _BAD_ETHNICITY
        bad_marital = improving | worsening
        if bad_marital.any():
            pp["marital_status"] = pp["marital_status"].astype("Int64")
            pp.loc[bad_marital, "marital_status"] = _BAD_MARITAL
        reg.tables["persons"] = pp
        exports[p] = reg
        coll = collab_by_id.reindex(ids).to_numpy(object)
        for mask, column, cls in ((backlog, "ethnicity_code", "backlog"),
                                  (improving, "marital_status", "collaborator_improving"),
                                  (worsening, "marital_status", "collaborator_worsening")):
            if mask.any():
                changes.append(pd.DataFrame({"period": p, "table": "persons", "record_id": ids[mask].to_numpy(),
                                             "column": column, "fault_class": cls,
                                             "collaborator_id": coll[mask]}))
    ch = (pd.concat(changes, ignore_index=True) if changes
          else pd.DataFrame({c: pd.Series(dtype="string") for c in CHANGE_COLUMNS}))
    ch = ch[list(CHANGE_COLUMNS)].astype("string")
    return ProvinceHistory(periods=periods, exports=exports, changes=ch, trajectories=trajectories, base=base)
