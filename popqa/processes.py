"""Stopping process pools and everything their workers started (Jupyter kernels, DuckDB helpers).

Used by the report runner and by the audit's link stage: an interrupted run (SIGINT, SIGTERM)
kills its pool's workers and their descendants at once, so nothing keeps writing after the run
has stopped.
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

__all__ = ["descendants", "kill_pool"]


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
