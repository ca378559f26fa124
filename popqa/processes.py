"""Process pools, and stopping them with everything their workers started (Jupyter kernels,
DuckDB helpers).

Used by the report runner and by the audit's link stage: pools start their workers from a fork
server, and an interrupted run (SIGINT, SIGTERM) kills its pool's workers and their descendants
at once, so nothing keeps writing after the run has stopped.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

__all__ = ["descendants", "kill_pool", "process_pool"]


def descendants(pid: int) -> list[int]:
    """Every descendant of ``pid`` (Linux ``/proc``; empty elsewhere)."""
    parents: dict[int, list[int]] = {}
    for d in Path("/proc").glob("[0-9]*"):
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        for c in parents.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def kill_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: its workers and everything they started (kernels) are killed, queued work dropped."""
    procs = dict(getattr(pool, "_processes", None) or {})
    victims: list[int] = []
    for pid in procs:
        victims += descendants(pid)
        victims.append(pid)
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs.values():
        p.join(timeout=5)


def process_pool(workers: int, preload: Sequence[str] = ()) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes started from a fork server (spawn where there is none).

    A plain fork of a parent that has run DuckDB, Arrow or BLAS threads can crash the child
    (seen as segfaults); the fork server is a fresh process, so its children start clean, and it
    still starts faster than spawn. ``preload``: modules the fork server imports once for every
    worker.
    """
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if preload and "forkserver" in methods:
        ctx.set_forkserver_preload(list(preload))
    return ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx)
