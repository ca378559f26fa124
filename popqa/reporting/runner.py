"""Execute the unit report template, one unit per task.

The template (``parameterized_reports/district_report.py``, jupytext percent)
is converted to a notebook in memory, its parameters injected as papermill does,
executed with the configured kernel and execution timeout, and exported to HTML
by nbconvert with the code hidden and no CDN assets. Tasks run in a local
process pool, where each worker keeps one kernel for all its reports
(:mod:`popqa.reporting.kernels`), or on a ``dask.distributed`` cluster (papermill,
a kernel per task); a unit that fails is recorded with its reason and never
stops the others. A kernel that fails to start is retried.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from popqa.errors import InputError
from popqa.processes import descendants, kill_pool, process_pool
from popqa.reporting.config import ReportingConfig
from popqa.store import (
    atomic_write_text,
    clean_temporary_files,
    province_report_path,
    read_json,
    report_path,
    unit_report_path,
    write_json,
)

__all__ = ["ReportRun", "render_reports", "render_district", "template_path", "notebook_to_html",
           "strip_external_assets", "parse_languages", "LANGUAGES"]

log = logging.getLogger(__name__)

_TEMPLATES = Path(__file__).parent / "templates"
#: The report languages, in the order a run renders them.
LANGUAGES = ("vi", "en")


def parse_languages(lang: str | Sequence[str]) -> tuple[str, ...]:
    """The languages asked for: one (``"vi"``), several (``"vi,en"`` or a list) or ``"all"``.

    >>> parse_languages("vi"), parse_languages("en,vi"), parse_languages("all"), parse_languages(["en"])
    (('vi',), ('vi', 'en'), ('vi', 'en'), ('en',))
    >>> parse_languages("fr")
    Traceback (most recent call last):
    popqa.errors.InputError: unknown language 'fr' (vi, en, vi,en or all)
    """
    parts = [p.strip() for p in lang.split(",")] if isinstance(lang, str) else [str(p).strip() for p in lang]
    if parts == ["all"]:
        return LANGUAGES
    bad = [p for p in parts if p not in LANGUAGES]
    if bad or not parts:
        raise InputError(f"unknown language {bad[0] if bad else lang!r} (vi, en, vi,en or all)")
    return tuple(x for x in LANGUAGES if x in parts)  # each once, Vietnamese first


def template_path(name: str = "district_report") -> Path:
    """A report template (jupytext percent ``.py``), shipped as package data in ``popqa/reporting/templates/``.

    >>> template_path().name, template_path().exists()
    ('district_report.py', True)
    """
    return _TEMPLATES / f"{name}.py"


def _stamp_audit(html: str, audit_id: str | None) -> str:
    """Record the audit a report came from in its ``<head>`` (read back by :func:`report_audit_id`)."""
    if not audit_id:
        return html
    meta = f'<meta name="popqa-audit-id" content="{audit_id}">'
    return html.replace("<head>", "<head>\n" + meta, 1) if "<head>" in html else meta + html


_AUDIT_META = re.compile(r'<meta name="popqa-audit-id" content="([0-9a-f]+)">')


def report_audit_id(path: str | Path) -> str | None:
    """The audit id recorded in a rendered report, or None.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.html"
    >>> _ = p.write_text(_stamp_audit("<html><head></head></html>", "ab12"))
    >>> report_audit_id(p)
    'ab12'
    """
    try:
        with open(path, encoding="utf-8") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    m = _AUDIT_META.search(head)
    return m.group(1) if m else None


_EXTERNAL = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>|<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>",
    re.IGNORECASE,
)


def strip_external_assets(html: str) -> str:
    """Remove ``<script src=...>`` and ``<link href=...>`` tags that point off the file.

    >>> strip_external_assets('<script src="https://cdn/x.js"></script><p>ok</p>')
    '<p>ok</p>'
    """
    return _EXTERNAL.sub("", html)


_EXPORTER: list[Any] = []


def _html_exporter():
    """The report exporter, built once per process (its templates are found and compiled once)."""
    from nbconvert import HTMLExporter

    if not _EXPORTER:
        _EXPORTER.append(HTMLExporter(
            template_name="lab",
            template_file="popqa_report.html.j2",
            extra_template_basedirs=[str(_TEMPLATES / "nbconvert")],
            extra_template_paths=[str(_TEMPLATES / "nbconvert")],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        ))
    return _EXPORTER[0]


def notebook_to_html(nb, *, lang: str = "vi", title: str | None = None) -> str:
    """Export an executed notebook to self-contained HTML: no code, no prompts, no CDN."""
    exporter = _html_exporter()
    exporter.language_code = lang
    if title:
        nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    return strip_external_assets(body)


class KernelStartError(RuntimeError):
    """The kernel did not start."""


class RunStopped(RuntimeError):
    """The process that asked for a report is gone: the report is not written."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_kernel_start_failure(exc: BaseException) -> bool:
    from nbclient.exceptions import CellExecutionError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError | CellExecutionError):
        return False  # an error in the notebook's own code: retrying cannot help
    text = f"{type(exc).__name__}: {exc}".lower()
    return any(k in text for k in ("kernel", "timeout", "zmq", "connection", "dead")) or isinstance(
        exc, TimeoutError | KernelStartError)


def render_district(task: dict[str, Any]) -> dict[str, Any]:
    """Execute the template for one district and write its HTML atomically.

    ``task`` holds key (a district code, or ``province:<report>``), parameters
    (the template's), lang, output (HTML path), template, kernel_name,
    execution_timeout, start_timeout, retries, audit_id, parent_pid, and
    optionally ``notebook_output`` (where to keep the executed ipynb).
    Never raises: returns a status dict (status ``ok`` or ``failed`` with the
    error and the tail of the traceback).
    """
    import jupytext
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellExecutionError
    from papermill.exceptions import PapermillExecutionError

    from popqa.reporting.kernels import inject_parameters, read_template
    from popqa.reporting.kernels import session as kernel_session

    t0 = time.perf_counter()
    if not task.get("verbose"):
        for name in ("traitlets", "papermill", "nbconvert"):
            logging.getLogger(name).setLevel(logging.ERROR)
    out: dict[str, Any] = {"district": task["key"], "lang": task["lang"], "output": task["output"],
                           "attempts": 0, "started": datetime.now(UTC).isoformat(timespec="seconds")}
    params = dict(task["parameters"])
    last: BaseException | None = None
    for attempt in range(1, int(task.get("retries", 1)) + 2):
        out["attempts"] = attempt
        try:
            t_run = time.perf_counter()
            if task.get("reuse_kernel"):
                # the worker's own kernel, kept from one report to the next (popqa.reporting.kernels)
                sess = kernel_session(task["kernel_name"], task.get("kernel_log_level", "CRITICAL"))
                nb = inject_parameters(read_template(task["template"]), params, task["kernel_name"])
                nb = sess.execute(nb, timeout=task["execution_timeout"], start_timeout=task.get("start_timeout", 60))
                out["kernel_reports"] = sess.reports  # reports this kernel has run, this one included
            else:
                nb = jupytext.read(task["template"], fmt="py:percent")
                nb.metadata["kernelspec"] = {"name": task["kernel_name"], "display_name": task["kernel_name"],
                                             "language": "python"}
                nb = pm.execute_notebook(
                    nb, None, parameters=params, kernel_name=task["kernel_name"],
                    execution_timeout=task["execution_timeout"], start_timeout=task.get("start_timeout", 60),
                    progress_bar=False, log_output=False, report_mode=True,
                    # jupyter_client interrupts a kernel before shutting it down; the kernel then logs
                    # "KeyboardInterrupt caught in kernel" at ERROR level: harmless, so keep its log quiet
                    extra_arguments=[f"--IPKernelApp.log_level={task.get('kernel_log_level', 'CRITICAL')}"],
                )
            out["execute_seconds"] = round(time.perf_counter() - t_run, 2)
            if task.get("notebook_output"):
                atomic_write_text(task["notebook_output"], nbformat.writes(nb))
            t_html = time.perf_counter()
            html = _stamp_audit(notebook_to_html(nb, lang=task["lang"], title=task.get("title")),
                                task.get("audit_id"))
            out["html_seconds"] = round(time.perf_counter() - t_html, 2)
            if task.get("parent_pid") and not _pid_alive(int(task["parent_pid"])):
                raise RunStopped("the run that asked for this report has stopped; nothing written")
            atomic_write_text(task["output"], html)
            out.update(status="ok", error=None)
            break
        except BaseException as exc:  # noqa: BLE001 - a district's failure is data, not a crash
            last = exc
            if isinstance(exc, KeyboardInterrupt):
                raise
            if isinstance(exc, PapermillExecutionError | CellExecutionError):
                reason = f"{exc.ename}: {exc.evalue}"
            else:
                reason = f"{type(exc).__name__}: {exc}"
            out.update(status="failed", error=reason[:500],
                       traceback="".join(traceback.format_exception(exc))[-3000:])
            if not _is_kernel_start_failure(exc) or attempt > int(task.get("retries", 1)):
                break
            time.sleep(1.0)
    del last
    out["seconds"] = round(time.perf_counter() - t0, 2)
    out["audit_id"] = task.get("audit_id")
    return out


@dataclass
class ReportRun:
    """Outcome of :func:`render_reports`: the manifest and where the site is.

    ``results`` is keyed by unit code (``province:<report>`` for a province report) when the run
    renders one language, and by ``<code>.<lang>`` when it renders several.
    """

    site: Path
    manifest: dict[str, Any]
    index: Path | None = None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> list[str]:
        return sorted(d for d, r in self.results.items() if r["status"] == "ok")

    @property
    def failed(self) -> dict[str, str]:
        return {d: r.get("error") or "" for d, r in sorted(self.results.items()) if r["status"] != "ok"}


def _run_local(tasks: list[dict[str, Any]], workers: int, progress: bool) -> list[dict[str, Any]]:
    from tqdm import tqdm

    results = []
    pool = process_pool(min(workers, len(tasks)))
    # each worker keeps one kernel from report to report (popqa.reporting.kernels)
    tasks = [{**t, "reuse_kernel": t.get("reuse_kernel", True)} for t in tasks]
    try:
        futs = {pool.submit(render_district, t): t for t in tasks}
        bar = tqdm(total=len(tasks), desc="district reports", unit="district", file=sys.stderr,
                   disable=not progress)
        for fut in as_completed(futs):
            t = futs[fut]
            try:
                results.append(fut.result())
            except Exception as exc:  # noqa: BLE001 - the worker process itself died
                results.append({"district": t["key"], "lang": t["lang"], "output": t["output"],
                                "status": "failed", "error": f"{type(exc).__name__}: {exc}", "attempts": 1})
            bar.update(1)
        bar.close()
    except BaseException:  # interrupted (SIGINT/SIGTERM): stop every worker and kernel now
        kill_pool(pool)
        raise
    _shutdown_pool(pool)
    return results


def _shutdown_pool(pool: ProcessPoolExecutor) -> None:
    """End a pool whose work is done: workers shut their kernels down on exit; a kernel still running then is killed."""
    import signal as _signal

    def cmdline(pid: int) -> bytes:
        try:
            return Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return b""

    def running(pid: int, cmd: bytes) -> bool:  # the same process (not a reused pid), not a zombie
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state != "Z" and cmdline(pid) == cmd

    kernels = {c: cmdline(c) for pid in dict(getattr(pool, "_processes", None) or {}) for c in descendants(pid)}
    pool.shutdown(wait=True)
    deadline = time.monotonic() + 5
    for pid, cmd in kernels.items():
        while running(pid, cmd) and time.monotonic() < deadline:
            time.sleep(0.05)
        if running(pid, cmd):
            try:
                os.kill(pid, _signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def _run_dask(tasks: list[dict[str, Any]], scheduler: str, progress: bool) -> list[dict[str, Any]]:
    from distributed import Client
    from distributed import as_completed as dask_completed
    from tqdm import tqdm

    results = []
    with Client(scheduler, timeout="30s") as client:
        futs = client.map(render_district, tasks, pure=False, key=[f"report-{t['key']}-{t['lang']}"
                                                                   f"-{time.time_ns()}" for t in tasks])
        by_key = {f.key: t for f, t in zip(futs, tasks, strict=True)}
        bar = tqdm(total=len(tasks), desc="district reports (dask)", unit="district", file=sys.stderr,
                   disable=not progress)
        for fut in dask_completed(futs):
            t = by_key[fut.key]
            try:
                results.append(fut.result())
            except BaseException as exc:  # noqa: BLE001 - a worker died or the scheduler lost the task
                results.append({"district": t["key"], "lang": t["lang"], "output": t["output"],
                                "status": "failed", "error": f"{type(exc).__name__}: {exc}", "attempts": 1})
            bar.update(1)
        bar.close()
    return results


#: Province-level reports: name -> template, titles, and the indicator whose presence in the audit's
#: indicators calls for the report (a report on data that is not there is not rendered).
PROVINCE_REPORTS: dict[str, dict[str, str]] = {
    "labour": {"template": "labour_report", "when": "lfs_sample_persons",
               "title_vi": "Báo cáo thị trường lao động", "title_en": "Labour-market report"},
    "demography": {"template": "demography_report", "when": "population_share",
                   "title_vi": "Báo cáo chuyên sâu về dân số và dự báo", "title_en": "In-depth demography report and projection"},
}


def province_reports(audit_dir: Path) -> dict[str, dict[str, str]]:
    """The province reports the audit in ``audit_dir`` has data for."""
    import pandas as pd

    f = Path(audit_dir) / "indicators.parquet"
    if not f.exists():
        return {}
    ids = set(pd.read_parquet(f, columns=["indicator_id"])["indicator_id"])
    return {n: s for n, s in PROVINCE_REPORTS.items() if s["when"] in ids}


def _relative_output(key: str, lang: str, level: str = "district") -> str:
    if key.startswith("province:"):
        return province_report_path(".", key.split(":", 1)[1], lang).as_posix()
    return unit_report_path(".", level, key, lang).as_posix()


def report_filename(district: str, lang: str) -> str:
    """Site-relative path of a district report: ``districts/<code>.<lang>.html`` (:func:`popqa.store.report_path`)."""
    return report_path(".", district, lang).as_posix()


def render_reports(
    results_period_dir: Path,
    site: Path,
    *,
    period: str,
    lang: str | Sequence[str] = "vi",
    config: ReportingConfig | None = None,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    districts: Sequence[str] | None = None,
    progress: bool = True,
    keep_notebooks: bool = False,
    geography: str = "legacy",
) -> ReportRun:
    """Execute the district reports of one audited period into ``site/districts/``.

    Parameters
    ----------
    results_period_dir : ``RESULTS/<period>`` written by :func:`popqa.pipeline.audit`.
    site : the site folder.
    period : report parameter.
    lang : the report language, or several (``"vi,en"``, ``"all"`` or a list: every report in each
        language, from one pool whose workers keep their kernel across languages).
    config : kernel name, execution timeout, retries, default workers.
    workers : processes of the local pool (``config.workers`` when None).
    executor : ``"local"`` (process pool) or ``"dask"`` (``scheduler`` address required).
    resume : rerun only districts whose report is missing or failed in the previous run.
    districts : restrict to these unit codes (district codes, or 2025 commune codes).
    geography : ``"legacy"``: one report per district (``districts/<code>.<lang>.html``);
        ``"2025"``: one report per 2025 commune of the province (``communes/<code>.<lang>.html``).
    """
    from popqa import __version__

    config = config or ReportingConfig()
    if executor not in ("local", "dask"):
        raise InputError(f"unknown executor {executor!r} (local or dask)")
    if executor == "dask" and not scheduler:
        raise InputError("--executor dask needs --scheduler ADDRESS")
    langs = parse_languages(lang)
    multi = len(langs) > 1
    site = Path(site)
    # the committed audit's own folder: a report reads exactly the audit it records, even if a newer
    # audit is committed while the reports run
    audit_dir = Path(results_period_dir).resolve()
    audit_manifest = read_json(audit_dir / "manifest.json")
    audit_id = audit_manifest.get("audit_id")
    if geography not in ("2025", "legacy"):
        raise InputError(f"unknown geography {geography!r} (2025 or legacy)")
    level = "district" if geography == "legacy" else "commune_2025"
    if level == "district":
        all_districts = list(audit_manifest["districts"])
    else:
        all_districts = list(read_json(audit_dir / "province.json").get("communes_2025", []))
    wanted = list(districts) if districts else all_districts
    unknown = sorted(set(wanted) - set(all_districts))
    if unknown:
        what = "district(s)" if level == "district" else "2025 commune(s)"
        raise InputError(f"{what} not in the audit results: {', '.join(unknown)}")

    unit_report_path(site, level, "0" * (3 if level == "district" else 5), langs[0]).parent.mkdir(parents=True,
                                                                                               exist_ok=True)
    clean_temporary_files(site)  # half-written files of an interrupted earlier run
    manifest_path = site / "manifest.json"
    previous: dict[str, dict[str, Any]] = {}
    if manifest_path.exists():
        try:
            old = read_json(manifest_path)
            if old.get("period") == period and old.get("geography", "legacy") == geography:
                previous = {f"{r['district']}:{r['lang']}": r for r in old.get("districts", [])}
        except (json.JSONDecodeError, KeyError, TypeError):
            previous = {}

    from popqa.geo import commune_name, district_name

    def unit_title(code: str) -> str:
        return (district_name(code) if level == "district" else commune_name(code, kind="2025")) or code

    tasks, carried = [], {}
    units = []
    prov_reports = province_reports(audit_dir) if not districts else {}  # not with --districts
    for lang_ in langs:
        units += [(d, lang_, unit_report_path(site, level, d, lang_), template_path(), f"{unit_title(d)} — {period}",
                   {"district_code": d, "level": level, "period": period, "audit_dir": str(audit_dir),
                    "lang": lang_}) for d in wanted]
        for name, spec in prov_reports.items():
            units.append((f"province:{name}", lang_, province_report_path(site, name, lang_),
                          template_path(spec["template"]), f"{spec['title_' + lang_]} — {period}",
                          {"period": period, "audit_dir": str(audit_dir), "lang": lang_}))

    def result_key(key: str, lang_: str) -> str:
        return f"{key}.{lang_}" if multi else key

    for key, lang, out, template, title, params in units:
        prev = previous.get(f"{key}:{lang}")
        if (resume and prev and prev.get("status") == "ok" and out.exists() and audit_id
                and prev.get("audit_id") == audit_id and report_audit_id(out) == audit_id):
            carried[result_key(key, lang)] = prev
            continue
        tasks.append({
            "key": key, "parameters": params, "period": period, "audit_id": audit_id,
            "lang": lang, "output": str(out.resolve()), "template": str(template),
            "kernel_name": config.kernel_name, "execution_timeout": config.execution_timeout,
            "start_timeout": config.start_timeout, "retries": config.kernel_retries, "title": title,
            "parent_pid": os.getpid() if executor == "local" else None,
            "notebook_output": str((site / "notebooks" / f"{key.replace(':', '-')}.{lang}.ipynb").resolve())
            if keep_notebooks else None,
        })
    t0 = time.perf_counter()
    if tasks:
        if executor == "dask":
            done = _run_dask(tasks, scheduler or "", progress)
        else:
            done = _run_local(tasks, workers or config.workers, progress)
    else:
        done = []
    elapsed = round(time.perf_counter() - t0, 2)
    results = dict(carried)
    for r in done:
        r = dict(r)
        r["level"] = "province" if r["district"].startswith("province:") else level
        r["output"] = _relative_output(r["district"], r["lang"], level)
        results[result_key(r["district"], r["lang"])] = r
    # reports of these languages from earlier runs that were not asked for this time stay listed, marked
    # outdated when they came from another audit
    others = []
    for r in previous.values():
        if result_key(r["district"], r.get("lang", "")) not in results and r.get("lang") in langs:
            r = dict(r)
            if r.get("audit_id") != audit_id and r.get("status") == "ok":
                r["status"], r["error"] = "outdated", "rendered from an earlier audit; run popqa report --resume"
            others.append(r)
    manifest = {
        "stage": "report",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "period": period,
        "lang": ",".join(langs),
        "languages": list(langs),
        "geography": geography,
        "audit_id": audit_id,
        "results_dir": str(audit_dir),
        "inputs": audit_manifest.get("inputs", []),
        "audit_created": audit_manifest.get("created"),
        "parameters": {"executor": executor, "scheduler": scheduler, "workers": workers or config.workers,
                       "resume": resume, "districts": wanted, "kernel_name": config.kernel_name,
                       "execution_timeout": config.execution_timeout, "kernel_retries": config.kernel_retries},
        "versions": {**audit_manifest.get("versions", {}), "popqa": __version__},
        "timings": {"reports_seconds": elapsed, "audit": audit_manifest.get("timings", {})},
        "districts": [results[d] for d in sorted(results)] + others,
        "status": "ok" if all(r["status"] == "ok" for r in results.values()) else "failed",
    }
    write_json(manifest_path, manifest)
    return ReportRun(site=site, manifest=manifest, results=results)
