"""The whole run: ``audit`` (compute once, at province level), ``report`` (draw), ``run`` (both).

``audit`` reads the register, runs the quality rules, deduplicates persons,
links every administrative source present, scores every unit and writes small
per-district result files under ``RESULTS/<period>/``. ``report`` executes the
district report template for each district with papermill and renders the
supervisor site. Nothing here fakes a result: when a stage is missing or fails,
the run fails loudly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from popqa.config import Config, load_config
from popqa.contract import FINDINGS_COLUMNS, TABLES
from popqa.errors import InputError

__all__ = ["audit", "report", "run", "AuditResult", "coverage_findings", "versions", "sha256"]

log = logging.getLogger(__name__)

#: Sources linked to the register, with the ``kind`` given to ``popqa.linkage.link``.
LINK_SOURCES = ("civil_births", "civil_deaths", "residents", "insurance")

#: Coverage rules made from linkage results (registered elsewhere, absent from the register).
COVERAGE_RULES = {
    "civil_births": ("X001", "error", "Khai sinh đã đăng ký hộ tịch nhưng không có trong sổ dân cư",
                     "Birth registered in civil registration but not found in the population register"),
    "civil_deaths": ("X002", "error", "Khai tử đã đăng ký hộ tịch nhưng không có trong sổ dân cư",
                     "Death registered in civil registration but not found in the population register"),
    "residents": ("X003", "warning", "Người trong cơ sở dữ liệu cư trú nhưng không có trong sổ dân cư",
                  "Person in the resident database but not found in the population register"),
    "insurance": ("X004", "info", "Người tham gia bảo hiểm xã hội nhưng không có trong sổ dân cư",
                  "Social-insurance participant not found in the population register"),
}


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


def _inputs(data_dir: Path) -> list[dict[str, Any]]:
    files = sorted(p for p in data_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    return [{"file": p.name, "bytes": p.stat().st_size, "sha256": sha256(p)} for p in files]


def coverage_findings(register, links: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Findings (dimension coverage) for administrative records absent from the register.

    ``links`` maps a source table to ``LinkResult.links`` (source_id, person_id
    missing when no register person was accepted).
    """
    from popqa.geo import legacy_units

    units = legacy_units().set_index("commune_code")
    frames = []
    for source, lk in links.items():
        rule_id, severity, vi, en = COVERAGE_RULES[source]
        src = register[source]
        key = TABLES[source].key
        linked = lk.loc[lk["person_id"].notna(), "source_id"]
        miss = src[~src[key].isin(linked)]
        cc = miss["commune_code"].astype("string")
        frames.append(pd.DataFrame({
            "rule_id": rule_id, "dimension": "coverage", "severity": severity, "table": source,
            "record_id": miss[key].astype("string"), "column": pd.NA, "value": pd.NA,
            "province_code": cc.map(units["province_code"]), "district_code": cc.map(units["district_code"]),
            "commune_code": cc, "collaborator_id": pd.NA, "message_vi": vi, "message_en": en,
        }))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in FINDINGS_COLUMNS})
    return pd.concat(frames, ignore_index=True)[list(FINDINGS_COLUMNS)].astype("string")


class AuditResult(dict):
    """What :func:`audit` wrote: ``results_dir``, ``period``, ``districts``, ``timings``."""

    @property
    def results_dir(self) -> Path:
        return Path(self["results_dir"])


def _load_history(results: Path, period: str) -> dict[str, pd.DataFrame]:
    hist = {}
    for p in sorted(results.glob("*/scorecard.parquet")):
        per = p.parent.name
        if per != period and len(per) == 7 and per[4] == "-":
            hist[per] = pd.read_parquet(p)
    return hist


def audit(
    data_dir: str | Path,
    period: str,
    out: str | Path,
    config: Config | str | Path | None = None,
    *,
    workbooks: bool = True,
) -> AuditResult:
    """Audit one register export and write the results of ``period`` under ``out``.

    Parameters
    ----------
    data_dir : register folder (one file per contract table).
    period : ``YYYY-MM`` of the export.
    out : results root; this period's results go to ``out/<period>/``.
    config : a :class:`~popqa.config.Config`, a YAML path, or None for the defaults.
    workbooks : also write the analyst XLSX workbooks per district.

    Raises
    ------
    popqa.errors.InputError
        Bad input, or a period that is not ``YYYY-MM``.
    """
    from popqa.checks import run_checks
    from popqa.io import read_register
    from popqa.linkage import dedupe, link
    from popqa.linkage.features import person_features
    from popqa.reporting.results import (
        district_results,
        duplicate_extras,
        write_json,
        write_parquet,
        write_workbook,
    )
    from popqa.scorecard import (
        add_trend,
        compute_scorecard,
        dqr_rollup,
        program_targets,
        record_units,
    )

    try:
        pd.Period(period, freq="M")
        if len(period) != 7:
            raise ValueError
    except ValueError as exc:
        raise InputError(f"period must be YYYY-MM, got {period!r}") from exc
    cfg = config if isinstance(config, Config) else load_config(config)
    data_dir, root = Path(data_dir), Path(out)
    res = root / period
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        log.info("audit %s: %.1f s", name, timings[name])
        return now

    reg = read_register(data_dir, period=period)
    t = lap("read", t0)
    findings = run_checks(reg, cfg)
    t = lap("checks", t)
    # the linkage frame of the persons is computed once, for dedupe and every source
    ids = reg.persons["person_id"].astype("string")
    feats = person_features(reg.persons[ids.notna() & ~ids.duplicated()])
    dd = dedupe(reg.persons, cfg.linkage, features=feats)
    t = lap("dedupe", t)
    links: dict[str, pd.DataFrame] = {}
    for source in LINK_SOURCES:
        if source in reg:
            links[source] = link(reg.persons, reg[source], source, cfg.linkage, features=feats).links
    t = lap("linkage", t)

    dedupe_findings = dd.findings[list(FINDINGS_COLUMNS)] if len(dd.findings) else None
    parts = [findings[list(FINDINGS_COLUMNS)], dedupe_findings, coverage_findings(reg, links)]
    all_findings = pd.concat([p.astype("string") for p in parts if p is not None and len(p)], ignore_index=True) \
        if any(p is not None and len(p) for p in parts) else findings[list(FINDINGS_COLUMNS)].astype("string")

    records = record_units(reg)
    scorecard = compute_scorecard(all_findings, records, cfg.scorecard)
    scorecard, trend = add_trend(scorecard, _load_history(root, period), period, cfg.scorecard)
    roll_d = dqr_rollup(scorecard, cfg.scorecard, child="commune", parent="district")
    roll_p = dqr_rollup(scorecard, cfg.scorecard, child="district", parent="province")
    from popqa.geo import legacy_units

    prov_communes = legacy_units(cfg.province_code)
    present = set(records.loc[records["table"] == "households", "commune_code"].dropna())
    all_communes = sorted(set(prov_communes["commune_code"]) & present) or sorted(present)
    targets = program_targets(reg.events, late_days=cfg.checks.late_days, period=period, config=cfg.scorecard,
                              communes=all_communes)
    t = lap("scorecard", t)

    write_parquet(res / "scorecard.parquet", scorecard)
    write_parquet(res / "trend.parquet", trend)
    write_parquet(res / "rollup_district.parquet", roll_d)
    write_parquet(res / "rollup_province.parquet", roll_p)
    write_parquet(res / "targets.parquet", targets)
    analyst = res / "analyst"
    write_parquet(analyst / "findings.parquet", all_findings)
    write_parquet(analyst / "duplicate_pairs.parquet", dd.pairs)
    write_parquet(analyst / "clusters.parquet", dd.clusters[["person_id", "cluster_id"]])

    extras = duplicate_extras(dd.clusters)
    districts = sorted(d for d in records.loc[records["table"] == "households", "district_code"].dropna().unique())
    district_kpis = {}
    for d in districts:
        district_kpis[d] = district_results(
            district=d, register=reg, records=records, findings=all_findings, scorecard=scorecard, trend=trend,
            targets=targets, rollup=roll_d, duplicate_ids=extras, links=links, period=period,
            late_days=cfg.checks.late_days, out_dir=res / "districts" / d,
        )
        if workbooks:
            write_workbook(analyst / "workbooks" / f"{d}.xlsx",
                           all_findings[(all_findings["district_code"] == d).fillna(False)], lang=cfg.language)
    t = lap("district_results", t)

    psc = scorecard[scorecard["level"] == "province"]
    province = {
        "province_code": cfg.province_code,
        "period": period,
        "districts": districts,
        "households": len(reg.households),
        "persons": len(reg.persons),
        "events": len(reg.events) if reg.events is not None else 0,
        "findings": all_findings["severity"].value_counts().to_dict(),
        "scores": {r.dimension: {"score": r.score, "grade": r.grade, "change": r.change}
                   for r in psc.itertuples()},
        "targets": targets[targets["scope"] == "province"].drop(columns="scope").to_dict(orient="records"),
        "coverage_sources": sorted(links),
        "duplicate_persons": int(len(extras)),
    }
    write_json(res / "province.json", province)
    lap("total", t0)
    manifest = {
        "stage": "audit",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "period": period,
        "data_dir": str(data_dir.resolve()),
        "inputs": _inputs(data_dir),
        "tables": {n: len(df) for n, df in reg.tables.items()},
        "parameters": json.loads(cfg.model_dump_json()),
        "versions": versions(),
        "timings": timings,
        "districts": districts,
        "status": "ok",
    }
    write_json(res / "manifest.json", manifest)
    return AuditResult(results_dir=str(res), period=period, districts=districts, timings=timings)


def latest_period(results: str | Path) -> str:
    """The latest ``YYYY-MM`` folder of a results root that holds a completed audit."""
    results = Path(results)
    periods = sorted(p.parent.name for p in results.glob("*/manifest.json"))
    if not periods:
        raise InputError("no audited period found (run popqa audit first)", file=str(results))
    return periods[-1]


def report(
    results: str | Path,
    out_site: str | Path,
    *,
    period: str | None = None,
    config: Config | str | Path | None = None,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    lang: str | None = None,
    resume: bool = False,
    districts: Sequence[str] | None = None,
    progress: bool = True,
):
    """Execute the district reports and render the supervisor site.

    Returns the :class:`popqa.reporting.runner.ReportRun` (``.ok``, ``.failed``,
    ``.index``). A failing district never stops the others.
    """
    from popqa.reporting.runner import render_reports
    from popqa.reporting.site import render_site

    cfg = config if isinstance(config, Config) else load_config(config)
    results = Path(results)
    period = period or latest_period(results)
    res = results / period
    if not (res / "manifest.json").exists():
        raise InputError(f"no audit results for period {period}", file=str(res))
    lang = lang or cfg.language
    run = render_reports(
        res, Path(out_site), period=period, lang=lang, config=cfg.reporting,
        workers=workers, executor=executor, scheduler=scheduler, resume=resume,
        districts=districts, progress=progress,
    )
    run.index = render_site(res, Path(out_site), run.manifest)
    return run


def run(
    data_dir: str | Path | None,
    period: str,
    out: str | Path,
    config: Config | str | Path | None = None,
    *,
    synthetic: bool = False,
    scale: float = 0.1,
    seed: int = 20261,
    **report_kwargs: Any,
):
    """``audit`` then ``report``; with ``synthetic`` first generate the province into ``out/data``.

    Results go to ``out/results`` and the site to ``out/site``.
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    out = Path(out)
    if synthetic:
        from popqa.synth import generate_province

        prov = generate_province(scale=scale, seed=seed, province_code=cfg.province_code, period=period)
        prov.write(out / "data")
        data_dir = out / "data" / "register"
    if data_dir is None:
        raise InputError("give a register folder (--data) or --synthetic")
    audit(data_dir, period, out / "results", cfg)
    return report(out / "results", out / "site", period=period, config=cfg, **report_kwargs)
