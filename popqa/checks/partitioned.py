"""The check engine partition by partition: bounded memory, in this process or on a Dask cluster.

Every engine rule declares its *scope* in the catalogue (:data:`popqa.checks.base.SCOPES`):

* "record" and "unit" rules run on the **commune placement**: each household, person and event
  goes to the partition of its own commune code (a legacy district, a commune, or a 2025
  commune: ``by``). Every record of a commune is in one partition, so a commune's aggregates
  (sex ratios, monthly counts, heaping, rates) are those of the whole province.
* "household" rules run on the **household placement**: a household goes to the partition of
  its commune (every row of a household id to the partition of the first), its members follow
  it whatever commune they state, and persons of an unknown household go to their own commune.
  Every household is judged with all its members.
* "province" rules (ids unique in the province, mothers and events of persons anywhere, the
  population balance, the parse issues) run once on the whole register.

What a rule of a partition needs from the rest of the province is computed once before
partitioning and travels with the partition: the reference date, the province code and each
person's collaborator (from their household, wherever it lies).

Each partition's tables are written once as Parquet files in a scratch folder; a partition
task reads only its own files (in this process, or on a Dask worker that sees the same folder),
runs its rules and writes its findings as one Parquet part through :mod:`popqa.store` as soon
as they are produced. The findings gathered from the parts are the same rows, in the same order,
as :func:`popqa.checks.run_checks` on the whole register
(``tests/checks/test_partitioned.py``).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from popqa.checks.base import RESOLVED_COLLABORATOR, RULES, Context
from popqa.checks.engine import _config, catalogue, finish_findings, rule_findings, run_rules
from popqa.errors import InputError
from popqa.store import write_parquet

__all__ = ["run_checks_partitioned", "check_partition", "partition_keys", "PARTITION_LEVELS", "PLACEMENTS",
           "connect_scheduler", "EXECUTORS"]

log = logging.getLogger(__name__)

#: What a partition is: a legacy district (default), a legacy commune, or a 2025 commune.
PARTITION_LEVELS = ("district", "commune", "commune_2025")

#: placement -> (scopes of the rules run on it, tables it needs)
PLACEMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "commune": (("record", "unit"), ("households", "persons", "events")),
    "household": (("household",), ("households", "persons")),
}

EXECUTORS = ("local", "dask")

#: The partition of records without a commune code or with a code that is no known commune (one
#: partition for both: each task costs about a second of fixed work whatever its size).
NO_COMMUNE = UNKNOWN_COMMUNE = ""


def partition_keys(commune: pd.Series, by: str = "district", *, province: str | None = None) -> np.ndarray:
    """The partition of each commune code (a function of the code alone).

    Codes that are no known commune, missing codes and (with ``province``) communes of
    another province share one partition, "".

    >>> partition_keys(pd.Series(["25459", None, "x"], dtype="string"), "district").tolist()
    ['703', '', '']
    >>> partition_keys(pd.Series(["25459"], dtype="string"), "commune").tolist()
    ['25459']
    """
    if by not in PARTITION_LEVELS:
        raise ValueError(f"partition by {by!r}: one of {', '.join(PARTITION_LEVELS)}")
    codes = pd.Series(commune.to_numpy(dtype=object, na_value=None), index=commune.index, dtype=object)
    if by == "commune":
        key = codes
    elif by == "district":
        from popqa.geo import legacy_units

        u = legacy_units()[["commune_code", "district_code"]].drop_duplicates("commune_code")
        key = codes.map(pd.Series(u["district_code"].astype(str).to_numpy(), index=u["commune_code"].astype(str)))
        key = key.where(key.notna() | codes.isna(), UNKNOWN_COMMUNE)
    else:
        from popqa.geo import to_2025

        key = pd.Series(to_2025(commune.astype("string")).to_numpy(dtype=object, na_value=None), index=commune.index)
        key = key.where(key.notna() | codes.isna(), UNKNOWN_COMMUNE)
    if province:
        from popqa.geo import legacy_units

        u = legacy_units()[["commune_code", "province_code"]].drop_duplicates("commune_code")
        prov = codes.map(pd.Series(u["province_code"].astype(str).to_numpy(), index=u["commune_code"].astype(str)))
        key = key.where(prov.isna() | prov.isin(str(province).split(",")), NO_COMMUNE)
    return key.where(codes.notna(), NO_COMMUNE).astype(object).to_numpy()


def _first_of(ids: pd.Series, values: np.ndarray) -> pd.Series:
    """id -> value of the first row with that id (ids missing are left out)."""
    s = pd.Series(values, index=ids.to_numpy(dtype=object, na_value=None))
    s = s[s.index.notna()]
    return s[~s.index.duplicated(keep="first")]


def _placements(register, by: str, province: str | None) -> dict[str, dict[str, np.ndarray]]:
    """placement -> table -> the partition key of each row."""
    tables = register.tables
    commune = {n: partition_keys(tables[n]["commune_code"], by, province=province)
               for n in ("households", "persons", "events") if n in tables}
    out = {"commune": commune}
    if "households" in tables and "persons" in tables:
        hh, pp = tables["households"], tables["persons"]
        own = commune["households"]
        hkey = _first_of(hh["household_id"], own)
        h_place = pd.Series(hh["household_id"].to_numpy(dtype=object, na_value=None)).map(hkey)
        h_place = h_place.where(h_place.notna(), pd.Series(own)).to_numpy(dtype=object)
        p_place = pd.Series(pp["household_id"].to_numpy(dtype=object, na_value=None)).map(hkey)
        p_place = p_place.where(p_place.notna(), pd.Series(commune["persons"])).to_numpy(dtype=object)
        out["household"] = {"households": h_place, "persons": p_place}
    return out


def _resolved_collaborator(ctx: Context) -> pd.Series:
    """Each person's collaborator as :attr:`Context.persons` computes it over the whole register."""
    return ctx.person_collaborators().astype("string")


def check_partition(task: dict[str, Any]) -> dict[str, Any]:
    """Run the rules of one partition: read its tables, write its findings part; a summary.

    ``task``: ``inputs`` (table -> Parquet file), ``rules`` (ids), ``config`` (a ChecksConfig),
    ``province_code``, ``ref_date``, ``period``, ``output`` (the findings part to write),
    ``placement``, ``partition``. Runs in this process or on a Dask worker (module-level, picklable).
    """
    import popqa.checks.rules  # noqa: F401  (registers the rules on a fresh worker)
    from popqa.io import Register

    t0 = time.perf_counter()
    tables = {name: pd.read_parquet(path) for name, path in task["inputs"].items()}
    reg = Register(tables=tables, period=task["period"])
    ctx = Context(reg, task["config"], province_code=task["province_code"], ref_date=task["ref_date"])
    parts = [rule_findings(r, hits) for r, hits, _ in run_rules(ctx, [RULES[rid] for rid in task["rules"]])
             if len(hits)]
    findings = finish_findings(parts)
    write_parquet(task["output"], findings)
    return {"placement": task["placement"], "partition": task["partition"], "output": str(task["output"]),
            "rows": int(len(findings)), "records": int(sum(len(t) for t in tables.values())),
            "seconds": round(time.perf_counter() - t0, 3), "pid": os.getpid()}


def connect_scheduler(address: str | None, *, timeout: str = "10s"):
    """A :class:`distributed.Client` of the scheduler at ``address``, or one clear :class:`InputError`."""
    if not address:
        raise InputError("--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)")
    from distributed import Client

    try:
        return Client(address, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - a bad address or an unreachable scheduler: one line
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot reach the Dask scheduler at {address!r}: {msg[:200]}") from None


def _run_tasks(tasks: list[dict[str, Any]], executor: str, client) -> list[dict[str, Any]]:
    if executor == "local":
        return [check_partition(t) for t in tasks]
    from distributed import as_completed

    stamp = time.time_ns()
    futs = client.map(check_partition, tasks, pure=False,
                      key=[f"popqa-check-{t['placement']}-{i}-{stamp}" for i, t in enumerate(tasks)])
    done = []
    for fut in as_completed(futs):
        done.append(fut.result())  # a failing partition fails the (essential) check stage
    return done


def run_checks_partitioned(
    register,
    config=None,
    *,
    workdir: str | Path,
    parts_dir: str | Path,
    by: str = "district",
    executor: str = "local",
    client=None,
    rules: list[str] | None = None,
    on_part: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`popqa.checks.run_checks`, partition by partition; ``(findings, parts)``.

    Parameters
    ----------
    register : the whole register (its tables are cut into partitions once).
    config : as for :func:`~popqa.checks.run_checks`.
    workdir : scratch folder for the partitions' tables (removed at the end); a Dask worker
        must see it at the same path (one machine, or a shared file system).
    parts_dir : where each partition's findings are written as they are produced
        (``<placement>-<n>.parquet`` and ``province.parquet``).
    by : a partition is a legacy "district" (default), a "commune" or a 2025 commune ("commune_2025").
    executor : "local" (one partition after the other in this process) or "dask" (``client``).
    client : a :class:`distributed.Client` (see :func:`connect_scheduler`).
    rules : rule ids to run (all engine rules by default).
    on_part : called with each partition's summary as it finishes.

    Returns
    -------
    findings : the same rows in the same order as ``run_checks(register, config)``.
    parts : one row per partition task (placement, partition, records, findings rows, seconds).
    """
    if executor not in EXECUTORS:
        raise InputError(f"unknown executor {executor!r} (local or dask)")
    if executor == "dask" and client is None:
        raise ValueError("the dask executor needs a distributed.Client")
    cfg, province = _config(config)
    whole = Context(register, cfg, province_code=province)
    chosen = [r for r in catalogue(computed_by="engine") if r.applies_to(register)
              and (rules is None or r.rule_id in rules)]
    workdir, parts_dir = Path(workdir), Path(parts_dir)
    period = getattr(register, "period", None)
    common = {"config": cfg, "province_code": whole.province_code, "ref_date": whole.ref_date, "period": period}
    tasks: list[dict[str, Any]] = []
    collab = _resolved_collaborator(whole).to_numpy() if "persons" in register.tables else None
    try:
        for placement, keys in _placements(register, by, whole.province_code).items():
            scopes, needed = PLACEMENTS[placement]
            ids = [r.rule_id for r in chosen if r.scope in scopes]
            if not ids:
                continue
            names = [n for n in needed if n in keys]
            partitions = sorted(set().union(*(set(keys[n]) for n in names)))
            groups = {n: pd.Series(np.arange(len(keys[n]))).groupby(keys[n], sort=False).indices for n in names}
            for i, part in enumerate(partitions):
                inputs = {}
                for n in names:
                    df = register.tables[n]
                    rows = groups[n].get(part, np.empty(0, dtype=np.int64))
                    rows = np.sort(rows)
                    sub = df.iloc[rows]
                    if n == "persons" and collab is not None:  # persons present: their collaborators resolved
                        sub = sub.assign(**{RESOLVED_COLLABORATOR: collab[rows]})
                    inputs[n] = str(write_parquet(workdir / placement / f"{i:04d}" / f"{n}.parquet", sub))
                tasks.append({**common, "inputs": inputs, "rules": ids, "placement": placement,
                              "partition": part, "output": parts_dir / f"{placement}-{i:04d}.parquet"})
        whole.cache.clear()
        log.info("checks: %d partition tasks by %s (%s)", len(tasks), by, executor)
        done = []
        if tasks:
            if executor == "local":
                for t in tasks:
                    done.append(check_partition(t))
                    if on_part:
                        on_part(done[-1])
            else:
                done = _run_tasks(tasks, executor, client)
                if on_part:
                    for d in done:
                        on_part(d)
        # the rules that need the whole province, in this process
        t0 = time.perf_counter()
        province_parts = []
        for r in chosen:
            if r.scope == "province":
                hits = r.run(whole)
                if len(hits):
                    province_parts.append(rule_findings(r, hits))
        prov = finish_findings(province_parts)
        write_parquet(parts_dir / "province.parquet", prov)
        done.append({"placement": "province", "partition": "", "output": str(parts_dir / "province.parquet"),
                     "rows": int(len(prov)), "records": int(sum(len(t) for t in register.tables.values())),
                     "seconds": round(time.perf_counter() - t0, 3), "pid": os.getpid()})
        findings = finish_findings([prov, *(pd.read_parquet(d["output"]) for d in done[:-1])])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    parts = pd.DataFrame(done).sort_values(["placement", "output"], kind="stable").reset_index(drop=True)
    parts["output"] = [Path(p).name for p in parts["output"]]
    return findings, parts
