"""The audit as an ordered list of stages over a run context.

A stage is a function from the :class:`RunContext` to named artifacts (a
mapping); the artifacts stay in memory for later stages, and a stage writes
what it publishes through the context (``ctx.write_parquet``, which goes to the
audit's staging folder of the :mod:`popqa.store`). Two naming conventions let
a new stage plug in without editing anything else:

* an artifact named ``findings:<name>`` is a frame of the contract's findings
  columns; the ``findings`` stage gathers all of them;
* an artifact named ``indicators:<name>`` is a frame of indicator rows; the
  ``indicators`` stage gathers all of them into ``indicators.parquet``.

``needs`` names the artifacts a stage requires; when one is absent (no LFS
table, say) the stage is skipped and the manifest says so. A stage that is not
``essential`` (the analytic stages) records its failure in the manifest (unless it could
not write: a failed write stops every audit) and
the audit goes on; an essential one stops the audit and nothing is committed.

Adding a stage is one entry in :data:`STAGES` (an import path, so heavy
modules load only when the stage runs); :func:`popqa.pipeline.audit` is not
edited.
"""

from __future__ import annotations

import functools
import gc
import importlib
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from popqa.errors import OutputError
from popqa.period import Period

__all__ = ["Stage", "RunContext", "STAGES", "Progress", "run_stages", "stage_names"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stage:
    """One step of the audit.

    Parameters
    ----------
    name : short name, shown in progress and the manifest.
    func : ``"module:function"`` (imported when the stage runs) or a callable
        taking the :class:`RunContext` and returning a mapping of artifacts or None.
    needs : artifacts that must exist, else the stage is skipped.
    essential : whether a failure stops the audit (else it is recorded and the audit goes on).
    title_vi, title_en : what the progress line says.
    """

    name: str
    func: str | Callable[[RunContext], Mapping[str, Any] | None]
    needs: tuple[str, ...] = ()
    essential: bool = True
    title_vi: str = ""
    title_en: str = ""

    def resolve(self) -> Callable[[RunContext], Mapping[str, Any] | None]:
        if callable(self.func):
            return self.func
        mod, _, fn = self.func.partition(":")
        return getattr(importlib.import_module(mod), fn)


@dataclass
class RunContext:
    """What a stage sees: inputs, configuration, the staging folder and earlier artifacts."""

    data_dir: Path
    period: Period
    config: Any
    options: dict[str, Any] = field(default_factory=dict)
    staging: Any = None
    artifacts: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.artifacts[name]

    def __contains__(self, name: str) -> bool:
        return name in self.artifacts

    def get(self, name: str, default: Any = None) -> Any:
        return self.artifacts.get(name, default)

    def collect(self, prefix: str) -> dict[str, Any]:
        """Artifacts named ``<prefix>:<name>``, by name."""
        p = prefix + ":"
        return {k[len(p):]: v for k, v in self.artifacts.items() if k.startswith(p)}

    def write_parquet(self, rel: str | Path, df: pd.DataFrame) -> Path:
        if self.staging is None:
            raise RuntimeError("this stage writes results, but the audit has not opened its staging folder")
        return self.staging.write_parquet(rel, df)

    def write_json(self, rel: str | Path, obj: Any) -> Path:
        if self.staging is None:
            raise RuntimeError("this stage writes results, but the audit has not opened its staging folder")
        return self.staging.write_json(rel, obj)


class Progress:
    """Stage-by-stage progress lines on a terminal stream (quiet when disabled).

    >>> import io
    >>> buf = io.StringIO()
    >>> p = Progress(total=2, stream=buf, enabled=True, label="audit 2026-10")
    >>> p.start("read"); p.done("read", "ok", 1.23)
    >>> buf.getvalue().splitlines()[-1]
    'popqa audit 2026-10 [1/2] read: ok (1.2 s)'
    """

    def __init__(self, *, total: int, stream: TextIO | None = None, enabled: bool = False, label: str = "") -> None:
        self.total, self.enabled, self.label = total, enabled, label
        self.stream = stream if stream is not None else sys.stderr
        self.i = 0

    def _say(self, text: str) -> None:
        if self.enabled:
            self.stream.write(f"popqa {self.label} {text}\n")
            self.stream.flush()

    def start(self, name: str, title: str = "") -> None:
        self.i += 1
        self._say(f"[{self.i}/{self.total}] {name}{': ' + title if title else ''} …")

    def done(self, name: str, status: str, seconds: float, note: str = "") -> None:
        self._say(f"[{self.i}/{self.total}] {name}: {status} ({seconds:.1f} s){' ' + note if note else ''}")


def _rows(value: Any) -> int | None:
    if isinstance(value, pd.DataFrame | pd.Series):
        return len(value)
    return None


_WORKER_CPU = [0.0]
_WORKER_PEAK: list[float] = []


def charge_cpu(seconds: float) -> None:
    """Count CPU seconds spent for this audit in processes that are not its children (a pool's
    forkserver workers, which report their own use), in the running stage's ``cpu_seconds``."""
    _WORKER_CPU[0] += float(seconds)


def charge_worker_memory(mb: float) -> None:
    """Record the peak resident memory of worker processes of the running stage (the sum of each
    worker's own peak: an upper bound of what they held at once), kept as ``workers_peak_rss_mb``."""
    _WORKER_PEAK.append(float(mb))


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process, of its children that have ended and of the
    workers that reported theirs (:func:`charge_cpu`)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system + _WORKER_CPU[0]


def _peak_rss_mb() -> float | None:
    """The process's peak resident set so far, in MB (None where ``resource`` is missing)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    return round(kb / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


@functools.cache
def _c_function(name: str, argtypes: tuple[Any, ...], restype: Any) -> Callable[..., int] | None:
    """The C library's function ``name`` with its argument and result types, or None where the C library
    has none (glibc's ``malloc_trim`` and ``mallopt`` on macOS, Windows, musl)."""
    try:
        import ctypes

        fn = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    fn.argtypes, fn.restype = list(argtypes), restype
    return fn


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, Windows, musl)."""
    import ctypes

    return _c_function("malloc_trim", (ctypes.c_size_t,), ctypes.c_int)


#: glibc's ``mallopt`` parameter number of ``M_MMAP_THRESHOLD``.
_M_MMAP_THRESHOLD = -3
#: Blocks of at least this many bytes are mapped on their own by :func:`large_blocks_mapped`.
MMAP_THRESHOLD = 1 << 20


def large_blocks_mapped(threshold: int = MMAP_THRESHOLD) -> bool:
    """Have the C library map every block of ``threshold`` bytes or more on its own, for the rest of the
    process, so that freeing it hands its pages back at once; True when the C library took it.

    glibc raises its threshold each time such a block is freed (up to 32 MiB), so after the first few
    frees the arrays of a few million rows (8-27 MiB) come from the heap instead, and their pages stay in
    the process once freed until a trim, scattered among live blocks; the next stage's arrays are then
    counted on top of them. A fixed threshold keeps each array its own mapping. Measured: the check stage's
    rules at 3.38 M persons peaked at 3,708 MiB instead of 3,853 (docs/benchmarks.md, "fifteenth
    measurement"). False where there is no ``mallopt`` (macOS, Windows) or the library refuses it.
    """
    import ctypes

    fn = _c_function("mallopt", (ctypes.c_int, ctypes.c_int), ctypes.c_int)
    return fn is not None and bool(fn(_M_MMAP_THRESHOLD, int(threshold)))


def hand_back_free_memory() -> None:
    """Collect unreachable objects and give the C heap's free pages back to the system.

    A stage frees what it made when it ends, but ``malloc`` keeps the freed pages in the process (about
    2 GB after reading 3.38 M persons); a later stage's transient frames are then counted on top of
    them wherever the pages are too scattered to be reused. Handed back after every stage, the stages
    after the link stage peaked 0.1-1.5 GB lower at 3.38 M persons (docs/benchmarks.md, "ninth
    measurement"). No effect where the C library has no ``malloc_trim``.
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def run_stages(ctx: RunContext, stages: list[Stage], *, progress: Progress | None = None,
               on_stage_done: Callable[[Stage, dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Run ``stages`` in order on ``ctx``; return one manifest entry per stage.

    An essential stage that raises re-raises (after its entry is recorded);
    a non-essential one is recorded as ``failed`` with its error and the
    next stage runs.
    """
    progress = progress or Progress(total=len(stages))
    report: list[dict[str, Any]] = []
    for stage in stages:
        entry: dict[str, Any] = {"name": stage.name, "status": "ok", "seconds": 0.0, "rows": {}}
        missing = [n for n in stage.needs if n not in ctx.artifacts]
        progress.start(stage.name, stage.title_en)
        if missing:
            entry.update(status="skipped", reason=f"no {', '.join(missing)}")
            progress.done(stage.name, "skipped", 0.0, entry["reason"])
            report.append(entry)
            continue
        t0, c0 = time.perf_counter(), _cpu_seconds()
        _WORKER_PEAK.clear()
        try:
            out = dict(stage.resolve()(ctx) or {})
        except Exception as exc:
            entry.update(status="failed", seconds=round(time.perf_counter() - t0, 3),
                         cpu_seconds=round(_cpu_seconds() - c0, 3), peak_rss_mb=_peak_rss_mb(),
                         error=f"{type(exc).__name__}: {exc}"[:500])
            progress.done(stage.name, "failed", entry["seconds"], entry["error"])
            report.append(entry)
            if stage.essential or isinstance(exc, OutputError):
                # a write that failed (full disk, lost permission) is not the stage's own failure:
                # the audit cannot be committed whole, so nothing is
                raise
            log.warning("stage %s failed and was skipped: %s\n%s", stage.name, entry["error"],
                        "".join(traceback.format_exception(exc))[-2000:])
            continue
        notes = out.pop("notes", None)
        if notes:
            entry["notes"] = list(notes)
        ctx.artifacts.update(out)
        entry["seconds"] = round(time.perf_counter() - t0, 3)
        # CPU seconds of the whole process (every thread) and of the worker processes the stage
        # waited for, comparable on a shared machine where the wall clock is not; the peak resident
        # memory of this process so far (which stage sets it)
        entry["cpu_seconds"] = round(_cpu_seconds() - c0, 3)
        entry["peak_rss_mb"] = _peak_rss_mb()
        if _WORKER_PEAK:
            entry["workers_peak_rss_mb"] = round(max(_WORKER_PEAK), 1)
        entry["rows"] = {k: n for k, v in out.items() if (n := _rows(v)) is not None}
        progress.done(stage.name, "ok", entry["seconds"])
        log.info("audit stage %s: %.1f s", stage.name, entry["seconds"])
        report.append(entry)
        del out
        hand_back_free_memory()
        if on_stage_done:
            on_stage_done(stage, entry)
    return report


#: The audit, in order. Wave-2 analytic stages are not essential: their failure is recorded, the
#: quality audit still completes.
STAGES: list[Stage] = [
    Stage("validate", "popqa.pipeline:stage_validate", needs=("register",),
          title_en="structure of the tables", title_vi="cấu trúc các bảng"),
    Stage("check", "popqa.pipeline:stage_check", needs=("register",),
          title_en="quality rules", title_vi="quy tắc chất lượng"),
    Stage("link", "popqa.pipeline:stage_link", needs=("register",),
          title_en="duplicates and linkage with sources", title_vi="trùng lặp và đối chiếu nguồn"),
    Stage("reconcile", "popqa.reconcile.stage:audit_stage", needs=("register", "links"), essential=False,
          title_en="coverage against civil registration and sources", title_vi="đối chiếu độ đầy đủ"),
    Stage("demography", "popqa.pipeline:stage_demography", needs=("register",), essential=False,
          title_en="rates, life tables, projection", title_vi="tỷ suất, bảng sống, dự báo"),
    Stage("labour", "popqa.labour.stage:labour_stage", needs=("register",), essential=False,
          title_en="labour-market indicators (LFS)", title_vi="chỉ tiêu thị trường lao động"),
    Stage("extracts", "popqa.extracts.stage:extracts_stage", needs=("register",), essential=False,
          title_en="data-sharing extracts (when configured)", title_vi="trích xuất danh sách chia sẻ"),
    Stage("findings", "popqa.pipeline:stage_findings", needs=("register",),
          title_en="all findings", title_vi="tổng hợp phát hiện"),
    Stage("indicators", "popqa.pipeline:stage_indicators", needs=("register",),
          title_en="indicators", title_vi="chỉ tiêu"),
    Stage("score", "popqa.pipeline:stage_score", needs=("findings", "records"),
          title_en="scorecards", title_vi="bảng điểm"),
    Stage("publish", "popqa.pipeline:stage_publish", needs=("scorecard",),
          title_en="district results and workbooks", title_vi="kết quả từng huyện"),
]


def stage_names() -> list[str]:
    """Names of the audit's stages after reading, in order."""
    return [s.name for s in STAGES]
