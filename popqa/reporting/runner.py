"""Execute the district report template with papermill, one district per task.

The template (``parameterized_reports/district_report.py``, jupytext percent)
is converted to a notebook in memory, executed by papermill with the configured
kernel and execution timeout, and exported to HTML by nbconvert with the code
hidden and no CDN assets. Tasks run in a local process pool or on a
``dask.distributed`` cluster; a district that fails is recorded with its
reason and never stops the others. A kernel that fails to start is retried.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
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
from popqa.reporting.config import ReportingConfig
from popqa.reporting.results import atomic_write_text, write_json

__all__ = ["ReportRun", "render_reports", "render_district", "template_path", "notebook_to_html",
           "strip_external_assets"]

log = logging.getLogger(__name__)

_TEMPLATES = Path(__file__).parent / "templates"


def template_path() -> Path:
    """The district report template: ``parameterized_reports/district_report.py`` of the checkout.

    The packaged copy under ``popqa/reporting/templates/`` is used when the
    checkout's folder is not there (an installed wheel).
    """
    repo = Path(__file__).resolve().parents[2] / "parameterized_reports" / "district_report.py"
    if repo.exists():
        return repo
    return _TEMPLATES / "district_report.py"


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


def notebook_to_html(nb, *, lang: str = "vi", title: str | None = None) -> str:
    """Export an executed notebook to self-contained HTML: no code, no prompts, no CDN."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        template_file="popqa_report.html.j2",
        extra_template_basedirs=[str(_TEMPLATES / "nbconvert")],
        extra_template_paths=[str(_TEMPLATES / "nbconvert")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.language_code = lang
    if title:
        nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    return strip_external_assets(body)


class KernelStartError(RuntimeError):
    """The kernel did not start."""


def _is_kernel_start_failure(exc: BaseException) -> bool:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return False  # an error in the notebook's own code: retrying cannot help
    text = f"{type(exc).__name__}: {exc}".lower()
    return any(k in text for k in ("kernel", "timeout", "zmq", "connection", "dead")) or isinstance(
        exc, TimeoutError | KernelStartError)


def render_district(task: dict[str, Any]) -> dict[str, Any]:
    """Execute the template for one district and write its HTML atomically.

    ``task`` holds district_code, period, results_dir, lang, output (HTML
    path), template, kernel_name, execution_timeout, start_timeout, retries,
    and optionally ``notebook_output`` (where to keep the executed ipynb).
    Never raises: returns a status dict (status ``ok`` or ``failed`` with the
    error and the tail of the traceback).
    """
    import jupytext
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    t0 = time.perf_counter()
    if not task.get("verbose"):
        for name in ("traitlets", "papermill", "nbconvert"):
            logging.getLogger(name).setLevel(logging.ERROR)
    out: dict[str, Any] = {"district": task["district_code"], "lang": task["lang"], "output": task["output"],
                           "attempts": 0, "started": datetime.now(UTC).isoformat(timespec="seconds")}
    params = {"district_code": task["district_code"], "period": task["period"],
              "results_dir": task["results_dir"], "lang": task["lang"]}
    last: BaseException | None = None
    for attempt in range(1, int(task.get("retries", 1)) + 2):
        out["attempts"] = attempt
        try:
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
            if task.get("notebook_output"):
                atomic_write_text(task["notebook_output"], nbformat.writes(nb))
            html = notebook_to_html(nb, lang=task["lang"], title=task.get("title"))
            atomic_write_text(task["output"], html)
            out.update(status="ok", error=None)
            break
        except BaseException as exc:  # noqa: BLE001 - a district's failure is data, not a crash
            last = exc
            if isinstance(exc, KeyboardInterrupt):
                raise
            if isinstance(exc, PapermillExecutionError):
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
    return out


@dataclass
class ReportRun:
    """Outcome of :func:`render_reports`: the manifest and where the site is."""

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
    # forkserver where available: a plain fork of a parent that has run DuckDB, Arrow or BLAS
    # threads can crash the child (seen as segfaults); the fork server is a fresh process, so
    # its children start clean, and it still starts faster than spawn.
    methods = multiprocessing.get_all_start_methods()
    method = "forkserver" if "forkserver" in methods else "spawn"
    ctx = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(tasks))), mp_context=ctx) as pool:
        futs = {pool.submit(render_district, t): t for t in tasks}
        bar = tqdm(total=len(tasks), desc="district reports", unit="district", file=sys.stderr,
                   disable=not progress)
        for fut in as_completed(futs):
            t = futs[fut]
            try:
                results.append(fut.result())
            except BaseException as exc:  # noqa: BLE001 - the worker process itself died
                results.append({"district": t["district_code"], "lang": t["lang"], "output": t["output"],
                                "status": "failed", "error": f"{type(exc).__name__}: {exc}", "attempts": 1})
            bar.update(1)
        bar.close()
    return results


def _run_dask(tasks: list[dict[str, Any]], scheduler: str, progress: bool) -> list[dict[str, Any]]:
    from distributed import Client
    from distributed import as_completed as dask_completed
    from tqdm import tqdm

    results = []
    with Client(scheduler, timeout="30s") as client:
        futs = client.map(render_district, tasks, pure=False, key=[f"report-{t['district_code']}-{t['lang']}"
                                                                   f"-{time.time_ns()}" for t in tasks])
        by_key = {f.key: t for f, t in zip(futs, tasks, strict=True)}
        bar = tqdm(total=len(tasks), desc="district reports (dask)", unit="district", file=sys.stderr,
                   disable=not progress)
        for fut in dask_completed(futs):
            t = by_key[fut.key]
            try:
                results.append(fut.result())
            except BaseException as exc:  # noqa: BLE001 - a worker died or the scheduler lost the task
                results.append({"district": t["district_code"], "lang": t["lang"], "output": t["output"],
                                "status": "failed", "error": f"{type(exc).__name__}: {exc}", "attempts": 1})
            bar.update(1)
        bar.close()
    return results


def report_filename(district: str, lang: str) -> str:
    """Site-relative path of a district report: ``districts/<code>.<lang>.html``."""
    return f"districts/{district}.{lang}.html"


def render_reports(
    results_period_dir: Path,
    site: Path,
    *,
    period: str,
    lang: str = "vi",
    config: ReportingConfig | None = None,
    workers: int | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    resume: bool = False,
    districts: Sequence[str] | None = None,
    progress: bool = True,
    keep_notebooks: bool = False,
) -> ReportRun:
    """Execute the district reports of one audited period into ``site/districts/``.

    Parameters
    ----------
    results_period_dir : ``RESULTS/<period>`` written by :func:`popqa.pipeline.audit`.
    site : the site folder.
    period, lang : report parameters.
    config : kernel name, execution timeout, retries, default workers.
    workers : processes of the local pool (``config.workers`` when None).
    executor : ``"local"`` (process pool) or ``"dask"`` (``scheduler`` address required).
    resume : rerun only districts whose report is missing or failed in the previous run.
    districts : restrict to these district codes.
    """
    from popqa import __version__

    config = config or ReportingConfig()
    if executor not in ("local", "dask"):
        raise InputError(f"unknown executor {executor!r} (local or dask)")
    if executor == "dask" and not scheduler:
        raise InputError("--executor dask needs --scheduler ADDRESS")
    if lang not in ("vi", "en"):
        raise InputError(f"unknown language {lang!r} (vi or en)")
    site = Path(site)
    results_period_dir = Path(results_period_dir).resolve()
    audit_manifest = json.loads((results_period_dir / "manifest.json").read_text(encoding="utf-8"))
    all_districts = list(audit_manifest["districts"])
    wanted = list(districts) if districts else all_districts
    unknown = sorted(set(wanted) - set(all_districts))
    if unknown:
        raise InputError(f"district(s) not in the audit results: {', '.join(unknown)}")

    manifest_path = site / "manifest.json"
    previous: dict[str, dict[str, Any]] = {}
    if manifest_path.exists():
        try:
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
            if old.get("period") == period:
                previous = {f"{r['district']}:{r['lang']}": r for r in old.get("districts", [])}
        except (json.JSONDecodeError, KeyError):
            previous = {}

    from popqa.geo import district_name

    tasks, carried = [], {}
    for d in wanted:
        out = site / report_filename(d, lang)
        prev = previous.get(f"{d}:{lang}")
        if resume and prev and prev.get("status") == "ok" and out.exists():
            carried[d] = prev
            continue
        tasks.append({
            "district_code": d, "period": period, "results_dir": str(results_period_dir.parent), "lang": lang,
            "output": str(out.resolve()), "template": str(template_path()), "kernel_name": config.kernel_name,
            "execution_timeout": config.execution_timeout, "start_timeout": config.start_timeout,
            "retries": config.kernel_retries, "title": f"{district_name(d) or d} — {period}",
            "notebook_output": str((site / "notebooks" / f"{d}.{lang}.ipynb").resolve()) if keep_notebooks else None,
        })
    (site / "districts").mkdir(parents=True, exist_ok=True)
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
        r["output"] = report_filename(r["district"], r["lang"])
        results[r["district"]] = r
    # districts of earlier runs in the other language or not asked for this time stay listed
    manifest = {
        "stage": "report",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "period": period,
        "lang": lang,
        "results_dir": str(results_period_dir),
        "inputs": audit_manifest.get("inputs", []),
        "audit_created": audit_manifest.get("created"),
        "parameters": {"executor": executor, "scheduler": scheduler, "workers": workers or config.workers,
                       "resume": resume, "districts": wanted, "kernel_name": config.kernel_name,
                       "execution_timeout": config.execution_timeout, "kernel_retries": config.kernel_retries},
        "versions": {**audit_manifest.get("versions", {}), "popqa": __version__},
        "timings": {"reports_seconds": elapsed, "audit": audit_manifest.get("timings", {})},
        "districts": [results[d] for d in sorted(results)]
        + [r for k, r in previous.items() if r["district"] not in results and r.get("lang") == lang],
        "status": "ok" if all(r["status"] == "ok" for r in results.values()) else "failed",
    }
    write_json(manifest_path, manifest)
    return ReportRun(site=site, manifest=manifest, results=results)
