"""The whole run: ``audit`` (compute once, at province level), ``report`` (draw), ``run`` (both).

``audit`` reads the register, then runs the stages of :data:`popqa.stages.STAGES`
(validate, check, link, the analytic stages, findings, indicators, score,
publish) into a staging folder of the :mod:`popqa.store`, and commits the
period's results in one step. ``report`` executes the district report template
for each district with papermill and renders the supervisor site. Nothing here
fakes a result: when an essential stage fails, the audit fails loudly and the
previous results stay as they were.

The stage functions below are the audit's own; other packages contribute
stages (demography, reconciliation, survey) through :data:`popqa.stages.STAGES`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from popqa.config import Config, load_config
from popqa.contract import FINDINGS_COLUMNS
from popqa.errors import InputError
from popqa.period import Period
from popqa.stages import STAGES, Progress, RunContext, Stage, large_blocks_mapped, run_stages
from popqa.store import ResultsStore, ensure_output_dir, is_safe_code

__all__ = ["audit", "report", "run", "AuditResult", "versions", "sha256", "audit_id", "latest_period"]

log = logging.getLogger(__name__)

#: Sources linked to the register, with the ``kind`` given to ``popqa.linkage.link``.
LINK_SOURCES = ("civil_births", "civil_deaths", "residents", "insurance")

def sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python and the packages a run depends on."""
    out = {"python": platform.python_version()}
    for pkg in ("popqa", "pandas", "numpy", "pyarrow", "duckdb", "splink", "papermill", "nbconvert",
                "jupytext", "matplotlib", "distributed"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "absent"
    return out


def _input_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.iterdir() if p.is_file() and not p.name.startswith("."))


def _snapshot(data_dir: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in _input_files(data_dir)}


def _inputs(data_dir: Path, read_report: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Every file of the register folder with its size and SHA-256.

    Files the readers read carry the hash of the bytes they read (the read
    report); the others are hashed here.
    """
    hashed = {r.get("file"): r for r in (read_report or []) if r.get("sha256")}
    out = []
    for p in _input_files(data_dir):
        r = hashed.get(p.name)
        out.append({"file": p.name, "bytes": int(r.get("bytes", p.stat().st_size)) if r else p.stat().st_size,
                    "sha256": r["sha256"] if r else sha256(p)})
    return out


#: Settings that change how the work is spread, never its result (left out of the audit id).
EXECUTION_SETTINGS = (("linkage", "workers"), ("linkage", "threads"), ("linkage", "memory_limit"),
                      ("linkage", "memory_budget"), ("linkage", "score_partitions"), ("linkage", "spill_register"),
                      ("linkage", "narrow_register"), ("linkage", "group_blocked_pairs"),
                      ("linkage", "join_on_ids"))


def audit_id(period: str | Period, inputs: list[dict[str, Any]], config: Config) -> str:
    """The id of an audit: a hash of the period, the inputs' hashes, the configuration and popqa's version.

    Two audits of the same inputs with the same settings and version have the
    same id; anything else differs.

    >>> a = audit_id("2026-10", [{"file": "persons.csv", "sha256": "ab"}], Config())
    >>> a == audit_id("2026-10", [{"file": "persons.csv", "sha256": "ab"}], Config()), len(a)
    (True, 16)
    >>> a == audit_id("2026-10", [{"file": "persons.csv", "sha256": "cd"}], Config())
    False

    How the work is spread (the link stage's processes, DuckDB's threads and memory) is not
    what is computed, so it does not change the id:

    >>> from popqa.linkage.config import LinkageConfig
    >>> a == audit_id("2026-10", [{"file": "persons.csv", "sha256": "ab"}],
    ...               Config(linkage=LinkageConfig(workers=3, threads=1, memory_limit="1GB", score_partitions=4,
    ...                                                  spill_register=True, memory_budget="3GB")))
    True
    """
    from popqa import __version__

    settings = json.loads(config.model_dump_json())
    for section, key in EXECUTION_SETTINGS:
        settings.get(section, {}).pop(key, None)
    payload = json.dumps({"period": str(period), "inputs": sorted((i["file"], i["sha256"]) for i in inputs),
                          "config": settings, "version": __version__},
                         sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in FINDINGS_COLUMNS})


class AuditResult(dict):
    """What :func:`audit` wrote: ``results_dir``, ``period``, ``audit_id``, ``districts``, ``timings``, ``stages``."""

    @property
    def results_dir(self) -> Path:
        return Path(self["results_dir"])


# --- the stages ----------------------------------------------------------------------------------
def stage_read(ctx: RunContext) -> dict[str, Any]:
    """Read the register folder (files hashed as they are read); a register without persons is an error."""
    from popqa.io import read_register

    before = _snapshot(ctx.data_dir)
    reg = read_register(ctx.data_dir, period=str(ctx.period), options=ctx.config.read.options())
    if not len(reg.persons):
        raise InputError("the register has no persons: nothing to audit (is this the right export?)",
                         file=str(ctx.data_dir / "persons"))
    read_report = list(getattr(reg, "read_report", None) or [])
    inputs = _inputs(ctx.data_dir, read_report)
    if _snapshot(ctx.data_dir) != before:
        raise InputError("input files changed while they were being read; run the audit again once the "
                         "export is complete", file=str(ctx.data_dir))
    return {"register": reg, "inputs": inputs, "read_report": read_report}


def stage_validate(ctx: RunContext) -> dict[str, Any]:
    """The structural gate: every table has the contract's columns and types (one clear error if not)."""
    try:
        from popqa.schemas import structural_gate
    except ImportError:  # pragma: no cover - older schemas package
        return {}
    structural_gate(ctx["register"])
    return {}


def stage_check(ctx: RunContext) -> dict[str, Any]:
    """The rule catalogue, partition by partition, here or on a Dask cluster (:mod:`popqa.checks.stage`)."""
    from popqa.checks.stage import check_stage

    return check_stage(ctx)


def _linkage_models(ctx: RunContext, kinds: list[str]) -> Any:
    """The linkage configuration of this audit: the models of earlier audits to reuse and where the models
    used are written (``linkage/models/<kind>.json`` in the audit's folder).

    A model is reused from the latest earlier period of the results folder that holds one of the same
    fingerprint (:func:`popqa.linkage.model.model_fingerprint`) trained at most ``retrain_months`` months
    before this period; a model is never taken from this period or a later one, so re-auditing a month
    gives the same model.
    """
    from popqa.linkage.model import read_model

    cfg = ctx.config.linkage
    if ctx.staging is None:
        return cfg
    store, period = ctx.staging.store, ctx.period
    update: dict[str, Any] = {"model_period": str(period), "save_models_to": str(ctx.staging.file("linkage/models")),
                              "model_files": {}}
    if cfg.retrain_months > 0:
        oldest = str(period.shift(-cfg.retrain_months))
        latest_first = [p for p in reversed(store.periods()) if oldest <= p < str(period)]
        for kind in kinds:
            for p in latest_first:
                f = store.period_dir(p) / "linkage" / "models" / f"{kind}.json"
                stored = read_model(f, kind, cfg) if f.is_file() else None
                if stored is not None and str(stored.get("trained_period") or "") >= oldest:
                    update["model_files"][kind] = str(f)
                    break
    return cfg.model_copy(update=update)


#: Above this many persons an audit whose configuration does not set ``linkage.memory_limit`` gives
#: DuckDB :data:`LARGE_REGISTER_MEMORY_LIMIT`, the limit measured at that size, instead of the
#: default (2GB, measured at 1.2 M persons; docs/scale.md), and, when it sets no
#: ``linkage.memory_budget`` either, holds the models to :data:`LARGE_REGISTER_MEMORY_BUDGET`.
LARGE_REGISTER_PERSONS = 2_000_000
LARGE_REGISTER_MEMORY_LIMIT = "4GB"
#: The memory budget of a large register's models when the configuration sets neither DuckDB's limit nor a
#: budget: what the audit of the 1.25 M-person province takes (its peak, 3,646-3,660 MiB, the link stage's
#: with the register in memory), so that the merged province takes no more than the province popqa was
#: sized for. At 3.38 M persons it took the audit's peak from 5.3 to 3.65 GB, the 1.25 M audit's, for about 5 %
#: more time (the police residence records' scoring spills; docs/benchmarks.md, "twenty-eighth measurement");
#: since their table in the model's DuckDB counts once within it, that scoring takes 31-37 s instead of 44-45 s
#: ("twenty-ninth measurement").
LARGE_REGISTER_MEMORY_BUDGET = "3600MB"


def large_register_memory(lcfg: Any, persons: int) -> Any:
    """``lcfg`` with DuckDB's memory limit and the models' budget for a large register, unless the
    configuration set them.

    A large register is spilled while the models run (:func:`spill_threshold`), so the process holds the
    linkage's columns, not the register, beside each model's DuckDB. DuckDB's limit is
    :data:`LARGE_REGISTER_MEMORY_LIMIT`: at 3.38 M persons 4GB took the link stage from 552.3 s (2500MB) to
    500.7 s (docs/benchmarks.md, "twenty-fifth measurement"); at 1.25 M persons it saved 4 s for 1.6 GB more,
    so the default (2GB) stays below this size. Each model's share is then cut to
    :data:`LARGE_REGISTER_MEMORY_BUDGET` less what the process holds (``linkage.memory_budget``): without it
    the audit's peak grew with the register (5.3 GB at 3.38 M persons against 3.65 GB at 1.25 M); with it
    the 3.38 M audit peaks as the 1.25 M one does, for about 5 % more time (docs/benchmarks.md,
    "twenty-eighth measurement"). A limit or a budget set in the
    configuration is always kept: a limit set alone keeps the models to that limit, without a budget.

    >>> from popqa.linkage.config import LinkageConfig
    >>> big = large_register_memory(LinkageConfig(), 3_000_000)
    >>> big.memory_limit, big.memory_budget
    ('4GB', '3600MB')
    >>> small = large_register_memory(LinkageConfig(), 1_200_000)
    >>> small.memory_limit, small.memory_budget
    ('2GB', None)
    >>> mine = large_register_memory(LinkageConfig(memory_limit="6GB"), 3_000_000)
    >>> mine.memory_limit, mine.memory_budget
    ('6GB', None)
    >>> mine = large_register_memory(LinkageConfig(memory_budget="5GB"), 3_000_000)
    >>> mine.memory_limit, mine.memory_budget
    ('4GB', '5GB')
    """
    chosen = lcfg.model_fields_set
    if persons <= LARGE_REGISTER_PERSONS or "memory_limit" in chosen:
        return lcfg
    update = {"memory_limit": LARGE_REGISTER_MEMORY_LIMIT}
    if "memory_budget" not in chosen:
        update["memory_budget"] = LARGE_REGISTER_MEMORY_BUDGET
    log.info("%d persons: DuckDB's memory limit for the linkage is %s, the models' memory budget %s "
             "(linkage.memory_limit not set)", persons, LARGE_REGISTER_MEMORY_LIMIT,
             update.get("memory_budget", lcfg.memory_budget))
    return lcfg.model_copy(update=update)


#: Above this many persons the link stage moves the register out of memory while its models run
#: (``linkage.spill_register`` None, no ``linkage.memory_budget``): the link stage sets the audit's peak
#: there. Below it the register stays in memory, for time: at 1.25 M persons the spill cost 36 s of a
#: 353 s audit for 955 MiB off a 3,654 MiB peak (docs/benchmarks.md, "twenty-fifth measurement").
SPILL_REGISTER_PERSONS = 2_000_000
#: The same with ``linkage.memory_budget`` set: a budget puts memory before time (docs/scale.md).
SPILL_REGISTER_PERSONS_UNDER_BUDGET = 500_000


def spill_threshold(lcfg: Any) -> int:
    """The persons above which the link stage spills the register when ``linkage.spill_register`` is None.

    >>> from popqa.linkage.config import LinkageConfig
    >>> spill_threshold(LinkageConfig()), spill_threshold(LinkageConfig(memory_budget="3300MB"))
    (2000000, 500000)
    """
    return SPILL_REGISTER_PERSONS_UNDER_BUDGET if lcfg.memory_budget else SPILL_REGISTER_PERSONS


def _spills(ctx: RunContext, persons: int) -> bool:
    """Whether the link stage moves the register out of memory: ``linkage.spill_register``, or (None) above
    :func:`spill_threshold` persons; never without a staging folder."""
    lcfg = ctx.config.linkage
    want = lcfg.spill_register
    return ctx.staging is not None and (want if want is not None else persons > spill_threshold(lcfg))


#: Columns the link stage's results hold anyway (the deduplication's clusters keep every person id's
#: own string): they stay in memory while the register is out of it, and the register brought back
#: shares their strings with the clusters instead of reading a second copy of them (0.2 GB at 3.38 M
#: persons, docs/benchmarks.md, "thirteenth measurement").
KEPT_IN_MEMORY = {"persons": ("person_id",)}


def _spill_register(ctx: RunContext, reg: Any) -> Any:
    """Move the register's tables to the audit's scratch folder (a :class:`popqa.io.spill.Spill`),
    but for the columns of :data:`KEPT_IN_MEMORY`.

    Each table's place in ``reg`` is kept (None) so that :func:`_bring_back` puts them back in their order;
    a failed write brings back those already written before the error goes on.
    """
    from popqa.io.spill import Spill, spillable

    spill = Spill(ctx.staging.scratch("register"))
    try:
        for name in list(reg.tables):
            df = reg.tables[name]
            if spillable(df):
                spill.put(name, df, keep=[c for c in KEPT_IN_MEMORY.get(name, ()) if c in df.columns])
                reg.tables[name] = None
    except BaseException:
        _bring_back(reg, spill)
        raise
    log.info("link stage: %s moved out of memory while the models run", ", ".join(spill.names()) or "nothing")
    return spill


#: The tables the link stage leaves on disk when it brings the register back (each a
#: :class:`popqa.io.register.TableOnDisk` in its place), with the columns of each held in memory: the
#: administrative sources, of which the later stages read two to four columns each, and the persons'
#: columns no later stage reads for every person (citizen ids, names, mother ids, the codes of their
#: relation, marriage, schooling, contraception, ethnicity, the birth date's precision and the last update).
#: The later stages take what they use with ``Register.columns``; ``register[name]`` still reads a whole
#: table back. 0.75 GB less held after the link stage at 3.38 M persons (docs/scale.md; docs/benchmarks.md,
#: "seventeenth measurement"). Their files go with the audit's scratch folder.
LEFT_ON_DISK: dict[str, tuple[str, ...]] = {
    **{name: () for name in LINK_SOURCES},
    "persons": ("person_id", "household_id", "sex", "birth_date", "status", "residence_status",
                "province_code", "district_code", "commune_code"),
}


def _bring_back(reg: Any, spill: Any, leave: dict[str, tuple[str, ...]] | None = None) -> None:
    """Every table :func:`_spill_register` moved, back in ``reg`` in its place, but those of ``leave``:
    a :class:`~popqa.io.register.TableOnDisk` of their file instead, holding the columns ``leave`` names in
    memory (the handles made once everything is read, so a failure leaves no handle to a removed file).
    The files are removed when no table is left on disk, or when reading one back fails (the error goes on).
    """
    from popqa.io.register import TableOnDisk

    leave = leave or {}
    try:
        for name in spill.names():
            if name in leave:
                spill.hold(name, leave[name])
            else:
                reg.tables[name] = spill.get(name)
                spill.discard(name)
    except BaseException:
        spill.remove()
        raise
    left = spill.names()  # those of leave
    for name in left:
        reg.tables[name] = TableOnDisk(spill, name)
    if not left:
        spill.remove()


def stage_link(ctx: RunContext) -> dict[str, Any]:
    """Deduplicate persons and link every administrative source present (features computed once).

    Above :func:`spill_threshold` persons (``linkage.spill_register``) the register leaves memory
    first: the persons' features are built from the columns they read, read back from its file as Arrow
    text; the models read the persons' linkage columns (:func:`popqa.linkage.distributed.link_persons`)
    and each source in turn, and the register is brought back unchanged when they are done, but for
    the administrative sources and most of the persons' columns (:data:`LEFT_ON_DISK`), which stay in their
    files: the register reads them back when asked (the same tables), the later stages read the columns
    they use.
    """
    from popqa import textkeys
    from popqa.checks import coverage_findings
    from popqa.linkage import dedupe
    from popqa.linkage.calibration import linkage_reviews, save_calibration
    from popqa.linkage.distributed import link_persons, link_workers
    from popqa.linkage.features import (
        PERSON_FEATURE_COLUMNS,
        feature_rows,
        person_features,
        recent_move_ins,
        source_feature_columns,
    )
    from popqa.linkage.frames import FrameFile
    from popqa.linkage.link import _reference_year, link_frames, person_places, source_frame
    from popqa.summaries import duplicate_extras

    reg, cfg = ctx["register"], ctx.config
    names = [s for s in LINK_SOURCES if s in reg]
    lcfg = _linkage_models(ctx, ["dedupe", *names])
    lcfg = large_register_memory(lcfg, len(reg.persons))
    first = textkeys.first_of_each(reg.persons["person_id"])  # each id's first record, as dedupe and link take
    unique = int(first.sum())
    # recent move-ins: their household and commune differences are weak evidence against a duplicate
    moved = recent_move_ins(reg.get("events"), ctx.period.end, cfg.linkage.mover_months)
    spill = None
    feats: Any = None
    persons = reg.persons
    client = ctx.options.get("dask_client")
    workers = link_workers(cfg.linkage, unique)
    in_files = done = False
    if _spills(ctx, unique):  # the models read these columns beside the features (the same results:
        persons = link_persons(persons)  # tests/linkage/test_link_persons.py); the register leaves memory
        spill = _spill_register(ctx, reg)
        # one model after the other in this process: the features leave memory too, read by each model's
        # DuckDB from a file within its memory limit (the same pairs: tests/linkage/test_frames.py)
        in_files = client is None and not (workers > 1 and names)
    try:
        def source(name: str) -> pd.DataFrame:
            """What a source's frame reads of its table, here or in a worker: from its file as Arrow text when
            the table is out of memory (the frame's own text type: no Python string made for its 2.95 M police
            residence records at 3.38 M persons, docs/benchmarks.md, "twenty-ninth measurement"), else the
            table itself."""
            if spill is not None and name in spill:
                return spill.arrow_columns(name, source_feature_columns(name))
            return reg[name]

        # the persons' features, from the columns they read: when the register is out of memory, read back
        # from its file as Arrow text (the features' own text type) rather than built beside the whole
        # register (docs/benchmarks.md, "fourteenth measurement"); else from the register's own arrays
        # (each id's first record taken from each column as it is read: the columns and their rows taken
        # were held together, 0.6 GB at 3.38 M persons)
        held = (spill.arrow_columns("persons", PERSON_FEATURE_COLUMNS, rows=first)
                if spill is not None and "persons" in spill else feature_rows(reg.persons, first))
        feats = person_features(held, move_in_ids=moved)
        del held, first, moved
        if in_files:
            feats = FrameFile.write(feats, ctx.staging.scratch("linkage/persons.parquet"))
        if client is not None:  # dedupe and each source's linkage: one task each on the Dask cluster
            from popqa.linkage.distributed import dedupe_and_link

            dd, links_done = dedupe_and_link(client, persons, {s: source(s) for s in names}, lcfg, feats,
                                             linkage_reviews(cfg.linkage))
        elif workers > 1 and names:
            # the models side by side in local processes (same results as one after the other)
            from popqa.linkage.distributed import dedupe_and_link, local_pool, per_worker_config
            from popqa.processes import kill_pool

            workers = min(workers, 1 + len(names))
            pool = local_pool(workers)
            try:
                dd, links_done = dedupe_and_link(pool, persons, {s: source(s) for s in names},
                                                 per_worker_config(lcfg, workers), feats,
                                                 linkage_reviews(cfg.linkage))
            except BaseException:  # interrupted or failed: no worker outlives the stage
                kill_pool(pool)
                raise
            pool.shutdown(wait=True)
        else:
            dd, links_done = dedupe(persons, lcfg, features=feats, **linkage_reviews(cfg.linkage)), None
        if dd.calibration is not None:  # the calibration curve and the reviewed-sample size (no personal data)
            ctx.write_json("linkage_calibration.json", dd.calibration.summary())
            save_calibration(dd, cfg.linkage)
        links: dict[str, pd.DataFrame] = {} if links_done is None else {n: links_done[n] for n in names}
        if links_done is None and names:
            # what the sources' frames read of the persons, then the persons' columns leave memory; each
            # source is read back, turned into its frame and let go before its model runs (the police
            # records' table: 0.3 GB at 3.38 M persons, docs/benchmarks.md)
            ref, places = _reference_year(persons), person_places(persons)
            persons = None
            for name in names:
                right = source_frame(source(name), name, persons=places, reference_year=ref)
                if in_files:
                    right = FrameFile.write(right, ctx.staging.scratch(f"linkage/{name}.parquet"))
                links[name] = link_frames(feats, right, name, lcfg).links
                if isinstance(right, FrameFile):
                    right.remove()
                del right
        del persons
        done = True
    finally:
        if in_files:  # the features' files, whatever happened
            shutil.rmtree(ctx.staging.scratch("linkage"), ignore_errors=True)
        del feats
        if spill is not None:  # a failure brings every table back
            _bring_back(reg, spill, leave=LEFT_ON_DISK if done else None)
    ctx.write_parquet("analyst/duplicate_pairs.parquet", dd.pairs)
    ctx.write_parquet("analyst/clusters.parquet", dd.clusters[["person_id", "cluster_id"]])
    out: dict[str, Any] = {"dedupe": dd, "links": links, "duplicate_ids": duplicate_extras(dd.clusters),
                           "findings:coverage": coverage_findings(reg, links)}
    if getattr(dd, "note", ""):  # e.g. a privacy-reduced export without names: said, not hidden
        log.warning("%s", dd.note)
        out["notes"] = [dd.note]
    if len(dd.findings):
        out["findings:dedupe"] = dd.findings[list(FINDINGS_COLUMNS)]
    return out


def stage_demography(ctx: RunContext) -> dict[str, Any]:
    """Rates with intervals, life tables and the projection, as indicator rows and the
    ``demography/`` files (:func:`popqa.demography.stage.demography_stage`)."""
    from popqa.demography.stage import demography_stage

    return demography_stage(ctx)


def stage_findings(ctx: RunContext) -> dict[str, Any]:
    """Gather every stage's findings into one table; map each record to its units."""
    from popqa.scorecard import record_units

    parts = [p[list(FINDINGS_COLUMNS)].astype("string") for p in ctx.collect("findings").values()
             if p is not None and len(p)]
    findings = pd.concat(parts, ignore_index=True) if parts else _empty_findings()
    ctx.write_parquet("analyst/findings.parquet", findings)
    return {"findings": findings, "records": record_units(ctx["register"], ctx.config.province_code)}


def _audited_communes(ctx: RunContext) -> list[tuple[str, str]]:
    from popqa.geo import legacy_units

    records = ctx["records"]
    hh = records[records["table"] == "households"]
    present = hh[["commune_code", "district_code"]].dropna().drop_duplicates("commune_code")
    units = legacy_units(ctx.config.province_code)[["commune_code", "district_code"]]
    known = present[present["commune_code"].isin(units["commune_code"])]
    chosen = known if len(known) else present
    return list(chosen.itertuples(index=False, name=None))


def stage_indicators(ctx: RunContext) -> dict[str, Any]:
    """The register's own indicators, plus every ``indicators:*`` artifact of earlier stages."""
    from popqa.indicators import concat_indicators
    from popqa.indicators.compute import (
        duplicate_rows,
        linkage_rows,
        program_target_rows,
        timeliness_rows,
    )

    reg, cfg, period = ctx["register"], ctx.config, str(ctx.period)
    own = [
        program_target_rows(reg.events, period=period, province_code=cfg.province_code, checks_config=cfg.checks,
                            scorecard_config=cfg.scorecard, communes=_audited_communes(ctx)),
        timeliness_rows(reg.events, period=period, province_code=cfg.province_code, checks_config=cfg.checks),
        duplicate_rows(reg.columns("persons", ["person_id", "district_code"]), ctx.get("duplicate_ids"), period=period,
                       province_code=cfg.province_code),
        linkage_rows(reg, ctx.get("links", {}), period=period, province_code=cfg.province_code),
    ]
    indicators = concat_indicators([*own, *ctx.collect("indicators").values()])
    ctx.write_parquet("indicators.parquet", indicators)
    return {"indicators": indicators}


def stage_score(ctx: RunContext) -> dict[str, Any]:
    from popqa.scorecard import add_trend, compute_scorecard, dqr_rollup

    cfg = ctx.config.scorecard
    scorecard = compute_scorecard(ctx["findings"], ctx["records"], cfg)
    history = ctx.options["store"].history("scorecard.parquet", before=ctx.period)
    scorecard, trend = add_trend(scorecard, history, str(ctx.period), cfg)
    roll_d = dqr_rollup(scorecard, cfg, child="commune", parent="district")
    roll_p = dqr_rollup(scorecard, cfg, child="district", parent="province")
    ctx.write_parquet("scorecard.parquet", scorecard)
    ctx.write_parquet("trend.parquet", trend)
    ctx.write_parquet("rollup_district.parquet", roll_d)
    ctx.write_parquet("rollup_province.parquet", roll_p)
    return {"scorecard": scorecard, "trend": trend, "rollup_district": roll_d}


def stage_publish(ctx: RunContext) -> dict[str, Any]:
    """Per-district result files, analyst workbooks and the province summary."""
    from popqa.summaries import district_results, unit_parts
    from popqa.workbook import route_findings, write_workbook

    reg, cfg, period = ctx["register"], ctx.config, str(ctx.period)
    records, findings, indicators = ctx["records"], ctx["findings"], ctx["indicators"]
    hh_codes = records.loc[records["table"] == "households", "district_code"].dropna().unique()
    districts = sorted(d for d in hh_codes if is_safe_code(d, "district"))
    rejected = sorted(str(d) for d in hh_codes if not is_safe_code(d, "district"))
    if rejected:
        log.warning("%d district code(s) of the wrong shape name no report (see the findings): %s",
                    len(rejected), ", ".join(repr(d[:20]) for d in rejected[:5]))
    # each frame is grouped by unit once; every unit then takes its own rows, one unit's at a time
    parts_d = unit_parts(reg, findings, records, "district")
    for d in districts:
        district_results(
            district=d, register=reg, records=records, findings=findings, scorecard=ctx["scorecard"],
            trend=ctx["trend"], indicators=indicators, rollup=ctx["rollup_district"],
            duplicate_ids=ctx.get("duplicate_ids"), links=ctx.get("links", {}), period=period,
            checks_config=cfg.checks, out_dir=ctx.staging.file(f"districts/{d}"), parts=parts_d.get(d, {}),
        )
    del parts_d
    # the 2025 communes of the province (its legacy communes' targets) get their own files; records
    # whose 2025 commune lies outside the province are counted apart, never as units
    from popqa.geo import crosswalk_2025_province
    from popqa.scorecard.core import dqr_rollup
    from popqa.store import unit_results_rel
    from popqa.summaries import collaborator_units, unit_of, unit_results

    # the 2025 province(s) the configured legacy province now lies in, whole: a record of a legacy province
    # it merged with (Long An in a Tây Ninh register) is inside; only another 2025 province's code is outside
    cw = crosswalk_2025_province(cfg.province_code)
    inside_2025 = set(cw["commune_code_2025"])
    c25 = unit_of(records[records["table"] == "households"], "commune_2025").dropna().unique()
    communes_2025 = sorted(c for c in c25 if c in inside_2025 and is_safe_code(c, "commune_2025"))
    outside_2025 = sorted(str(c) for c in c25 if c not in inside_2025)
    sc_all = ctx["scorecard"]
    com = sc_all[sc_all["level"] == "commune"]
    parent25 = unit_of(com.rename(columns={"unit_code": "commune_code"}), "commune_2025")
    roll_25 = dqr_rollup(com.assign(parent_code=parent25.to_numpy()), cfg.scorecard, child="commune",
                         parent="commune_2025")
    ctx.write_parquet("rollup_commune_2025.parquet", roll_25)
    parts_25 = unit_parts(reg, findings, records, "commune_2025")
    main_25 = collaborator_units(records, "commune_2025")
    for c in communes_2025:
        unit_results(
            level="commune_2025", code=c, register=reg, records=records, findings=findings,
            scorecard=sc_all, trend=ctx["trend"], indicators=indicators, rollup=roll_25,
            duplicate_ids=ctx.get("duplicate_ids"), links=ctx.get("links", {}), period=period,
            checks_config=cfg.checks, out_dir=ctx.staging.file(unit_results_rel("commune_2025", c)),
            weights=dict(cfg.scorecard.severity_weights), parts=parts_25.get(c, {}), main_unit=main_25,
        )
    del parts_25
    if ctx.options.get("workbooks", True):
        in_d = findings["district_code"].isin(districts).fillna(False)
        # probable duplicates reach the collaborators of both records, across districts too
        routed = route_findings(findings, reg)
        w = cfg.scorecard.severity_weights
        for d in districts:
            write_workbook(ctx.staging.file(f"analyst/workbooks/{d}.xlsx"), routed, lang=cfg.language, district=d,
                           weights=w)
        if (~in_d).any():  # findings of records whose district is missing or malformed are never lost
            write_workbook(ctx.staging.file("analyst/workbooks/unassigned.xlsx"),
                           route_findings(findings[~in_d], reg), lang=cfg.language, weights=w)
    sc = ctx["scorecard"]
    psc = sc[sc["level"] == "province"]
    prov_ind = indicators[(indicators["level"] == "province")
                          & indicators["indicator_id"].isin(["on_time_communes", "mobile_entry"])]
    province = {
        "province_code": cfg.province_code,
        "period": period,
        "districts": districts,
        "rejected_district_codes": len(rejected),
        "communes_2025": communes_2025,
        "outside_2025": outside_2025,
        "province_codes_2025": sorted(set(cw["province_code_2025"])),
        "households": len(reg.households),
        "persons": reg.rows()["persons"],
        "events": len(reg.events) if reg.events is not None else 0,
        "findings": findings["severity"].value_counts().to_dict(),
        "scores": {r.dimension: {"score": r.score, "grade": r.grade, "change": r.change} for r in psc.itertuples()},
        "targets": [{"indicator": r.indicator_id, "value": r.value, "numerator": r.numerator,
                     "denominator": r.denominator, "target_year": r.target_year, "target": r.target, "met": r.met}
                    for r in prov_ind.itertuples()],
        "coverage_sources": sorted(ctx.get("links", {})),
        "duplicate_persons": int(len(ctx.get("duplicate_ids", []))),
    }
    ctx.write_json("province.json", province)
    return {"districts": districts, "communes_2025": communes_2025}


# --- audit, report, run ---------------------------------------------------------------------------
def _config(config: Config | str | Path | None) -> Config:
    return config if isinstance(config, Config) else load_config(config)


def with_memory_budget(config: Config, budget: str | None) -> Config:
    """``config`` with ``linkage.memory_budget`` set to ``budget`` (None: ``config`` as it is): what
    ``popqa audit --memory-budget`` gives the audit. A size that cannot be read is an
    :class:`~popqa.errors.InputError` naming the option.

    >>> c = with_memory_budget(Config(), "3300MB").linkage
    >>> c.memory_budget, "memory_limit" in c.model_fields_set
    ('3300MB', False)
    >>> with_memory_budget(Config(), None) == Config()
    True
    >>> with_memory_budget(Config(), "lots")
    Traceback (most recent call last):
    popqa.errors.InputError: --memory-budget: a size such as '3300MB' or '6GB', got 'lots'
    """
    if budget is None:
        return config
    from pydantic import ValidationError

    from popqa.linkage.config import LinkageConfig

    # the settings the configuration chose, and the budget: a setting left to its default stays a default
    # (large_register_memory gives a large register's DuckDB more than the default limit only then); the
    # budget is read by LinkageConfig's own check, the only setting here not validated already
    try:
        linkage = LinkageConfig.model_validate({**config.linkage.model_dump(exclude_unset=True),
                                                "memory_budget": budget})
    except ValidationError as exc:
        raise InputError(f"--memory-budget: a size such as '3300MB' or '6GB', got {budget!r}") from exc
    return config.model_copy(update={"linkage": linkage})


def arrow_memory_from_c_library() -> str:
    """Let Arrow allocate from the C library's ``malloc`` (its "system" memory pool) for the rest of the
    process, unless ``ARROW_DEFAULT_MEMORY_POOL`` names a pool; return the pool's name.

    Arrow's own pool (mimalloc in pyarrow's wheels) keeps the pages its buffers free for later Arrow
    buffers; an audit frees Arrow buffers (text keys, readers, features) between steps that then allocate
    NumPy and pandas memory, which ``malloc`` can give from those pages. Measured on the audit of 1.25 M
    persons: peak 4,600 -> 4,284 MiB, the same time (docs/benchmarks.md, "sixth measurement"). Buffers
    already allocated stay with the pool that made them.

    >>> arrow_memory_from_c_library() in ("system", os.environ.get("ARROW_DEFAULT_MEMORY_POOL"))
    True
    """
    import pyarrow as pa

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):  # the user's choice (jemalloc, mimalloc, system)
        return pa.default_memory_pool().backend_name
    if pa.default_memory_pool().backend_name != "system":
        pa.set_memory_pool(pa.system_memory_pool())
    return "system"


def audit(
    data_dir: str | Path,
    period: str | Period,
    out: str | Path,
    config: Config | str | Path | None = None,
    *,
    workbooks: bool = True,
    progress: bool = False,
    stages: Sequence[Stage] | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    partition_by: str | None = None,
    memory_budget: str | None = None,
) -> AuditResult:
    """Audit one register export and commit the results of ``period`` under ``out``.

    Parameters
    ----------
    data_dir : register folder (one file per contract table).
    period : ``YYYY-MM`` of the export.
    out : results root; this period's results are read at ``out/<period>/``.
    config : a :class:`~popqa.config.Config`, a YAML path, or None for the defaults.
    workbooks : also write the analyst XLSX workbooks per district.
    progress : print each stage and its time on stderr.
    stages : the stages after reading (default :data:`popqa.stages.STAGES`).
    executor : "local" (default) or "dask": the check stage's partitions run on the
        ``dask.distributed`` cluster whose scheduler is at ``scheduler`` (its workers must see
        the results folder at the same path).
    partition_by : run the check stage partition by partition: a legacy "district", a "commune"
        or a 2025 commune ("commune_2025"). None (default): the whole register at once in this
        process (2-4 times faster, docs/scale.md), a legacy district on Dask.
    memory_budget : the memory this machine gives the linkage models, e.g. ``"3300MB"``: the
        configuration's ``linkage.memory_budget`` for this audit (:func:`with_memory_budget`), which holds
        the models' peak at about the budget whatever the register's size (a register of more than 500,000
        persons then leaves memory while the models run: slower, docs/scale.md).
        How the work is spread, not what is computed: the audit id does not change.

    Raises
    ------
    popqa.errors.InputError
        Bad input or period; nothing is committed.
    popqa.errors.ConfigError, popqa.errors.OutputError
        A bad configuration, or an output folder that cannot be written.
    """
    period = Period.parse(period)
    cfg = with_memory_budget(_config(config), memory_budget)
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise InputError("register folder not found", file=str(data_dir))
    arrow_memory_from_c_library()
    large_blocks_mapped()  # the large arrays a stage frees leave the process at once (docs/scale.md)
    store = ResultsStore(out)
    ensure_output_dir(store.root, "results folder")
    from popqa.checks.partitioned import EXECUTORS, PARTITION_LEVELS, connect_scheduler

    if executor not in EXECUTORS:
        raise InputError(f"unknown executor {executor!r} (local or dask)")
    if partition_by is not None and partition_by not in PARTITION_LEVELS:
        raise InputError(f"unknown partition level {partition_by!r} ({', '.join(PARTITION_LEVELS)})")
    client = connect_scheduler(scheduler) if executor == "dask" else None  # before any work: a bad address is one line
    try:
        return _audit(data_dir, period, store, cfg, stages=stages, progress=progress,
                      options={"workbooks": workbooks, "store": store, "executor": executor, "dask_client": client,
                               "partition_by": partition_by})
    finally:
        if client is not None:
            client.close()


def _audit(data_dir: Path, period: Period, store: ResultsStore, cfg: Config, *, stages: Sequence[Stage] | None,
           progress: bool, options: dict[str, Any]) -> AuditResult:
    stages = list(STAGES if stages is None else stages)
    bar = Progress(total=len(stages) + 2, enabled=progress, label=f"audit {period}")
    ctx = RunContext(data_dir=data_dir, period=period, config=cfg, options=options)
    started = datetime.now(UTC)
    report = run_stages(ctx, [Stage("read", stage_read, title_en="register files")], progress=bar)
    aid = audit_id(period, ctx["inputs"], cfg)
    with store.begin(period, audit_id=aid) as staging:
        ctx.staging = staging
        report += run_stages(ctx, stages, progress=bar)
        timings = {e["name"]: e["seconds"] for e in report}
        timings["total"] = round(sum(timings.values()), 3)
        reg = ctx["register"]
        manifest = {
            "stage": "audit",
            "created": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "data_dir": str(data_dir.resolve()),
            "inputs": ctx["inputs"],
            "read_report": ctx["read_report"],
            "tables": reg.rows(),
            "parameters": json.loads(cfg.model_dump_json()),
            "versions": versions(),
            "stages": report,
            "timings": timings,
            "districts": ctx.get("districts", []),
            "execution": {"executor": options.get("executor", "local"), "partition_by": options.get("partition_by")},
            "status": "ok" if all(e["status"] != "failed" for e in report) else "partial",
        }
        bar.start("commit", "results moved into place")
        staging.commit(manifest)
        bar.done("commit", "ok", 0.0)
    return AuditResult(results_dir=str(store.period_dir(period)), period=str(period), audit_id=aid,
                       districts=manifest["districts"], timings=timings, stages=report)


def latest_period(results: str | Path) -> str:
    """The latest ``YYYY-MM`` of a results root that holds a committed audit."""
    latest = ResultsStore(results).latest_period()
    if latest is None:
        raise InputError("no audited period found (run popqa audit first)", file=str(results))
    return latest


def report(
    results: str | Path,
    out_site: str | Path,
    *,
    period: str | Period | None = None,
    config: Config | str | Path | None = None,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    lang: str | None = None,
    resume: bool = False,
    districts: Sequence[str] | None = None,
    progress: bool = True,
    geography: str = "2025",
):
    """Execute the unit reports and render the supervisor site.

    ``geography`` "2025" (default: the reform is in force since 1 July 2025)
    renders one report per 2025 commune and organises the site province →
    2025 commune → collaborator; "legacy" one report per legacy district
    (``districts`` then names district codes, else 2025 commune codes).

    Returns the :class:`popqa.reporting.runner.ReportRun` (``.ok``, ``.failed``,
    ``.index``). A failing district never stops the others. With ``resume``, a
    report is rendered again when it is missing, failed, or came from another
    audit than the committed one.
    """
    from popqa.reporting.runner import render_reports
    from popqa.reporting.site import render_site

    cfg = _config(config)
    store = ResultsStore(results)
    period = str(Period.parse(period)) if period is not None else latest_period(results)
    res = store.period_dir(period)
    if not (res / "manifest.json").exists():
        raise InputError(f"no audit results for period {period}", file=str(res))
    ensure_output_dir(out_site, "site folder")
    from popqa.store import GEOGRAPHIES

    if geography not in GEOGRAPHIES:
        raise InputError(f"unknown geography {geography!r} (2025 or legacy)")
    lang = lang or cfg.language
    run = render_reports(
        res, Path(out_site), period=period, lang=lang, config=cfg.reporting,
        workers=workers, executor=executor, scheduler=scheduler, resume=resume,
        districts=districts, progress=progress, geography=geography,
    )
    run.index = render_site(res, Path(out_site), run.manifest, geography=geography, store_root=store.root,
                            scorecard_config=cfg.scorecard)
    return run


def run(
    data_dir: str | Path | None,
    period: str | Period,
    out: str | Path,
    config: Config | str | Path | None = None,
    *,
    synthetic: bool = False,
    scale: float = 0.1,
    seed: int = 20261,
    memory_budget: str | None = None,
    **report_kwargs: Any,
):
    """``audit`` then ``report``; with ``synthetic`` first generate the province into ``out/data``.

    Results go to ``out/results`` and the site to ``out/site``. ``memory_budget`` is the audit's
    (:func:`with_memory_budget`).
    """
    period = Period.parse(period)
    cfg = with_memory_budget(_config(config), memory_budget)
    out = Path(out)
    ensure_output_dir(out)
    if synthetic:
        from popqa.synth import generate_province

        prov = generate_province(scale=scale, seed=seed, province_code=cfg.province_code, period=str(period))
        prov.write(out / "data")
        data_dir = out / "data" / "register"
    if data_dir is None:
        raise InputError("give a register folder (--data) or --synthetic")
    audit(data_dir, period, out / "results", cfg, progress=bool(report_kwargs.get("progress", False)),
          executor=report_kwargs.get("executor", "local"), scheduler=report_kwargs.get("scheduler"))
    return report(out / "results", out / "site", period=period, config=cfg, **report_kwargs)
