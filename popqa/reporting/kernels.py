"""One Jupyter kernel per report worker, kept alive from one report to the next.

Starting a kernel and importing pandas, matplotlib and popqa in it costs
seconds; a province has dozens of units in two languages. A worker process of
the local pool therefore keeps one kernel (:class:`KernelSession`) and executes
report after report in it with nbclient:

* before each report the namespace is emptied (:func:`reset_namespace`, ``%reset -f``: every variable of
  the previous report is gone; imported modules stay loaded, which is the
  point), open matplotlib figures are closed and matplotlib's settings restored
  to their defaults;
* the parameters are injected as papermill does (:func:`papermill.parameterize.parameterize_notebook`,
  the cell tagged ``injected-parameters`` after the ``parameters`` cell);
* the kernel client (its zmq channels) is kept too: a new client waits for the
  kernel's reply and then listens for 0.2 s of silence on IOPub before the first
  cell runs, about half a second per report (nbclient matches every reply to its
  request, so nothing of one report reaches the next);
* a notebook error (a ``CellExecutionError``) leaves the kernel in use; a
  timeout, a dead kernel or anything else shuts it down and the next report
  (or the retry) starts a fresh one;
* the kernel is a child of the worker: stopping the run kills it with the worker
  (:func:`popqa.processes.kill_pool`), and a worker that ends normally
  shuts its kernel down (a :class:`multiprocessing.util.Finalize` hook).
"""

from __future__ import annotations

import copy
import logging
import os
import time
from pathlib import Path
from typing import Any

__all__ = ["KernelSession", "session", "inject_parameters", "read_template", "RESET_TAG"]

log = logging.getLogger(__name__)

#: Tag of the cell put before each report to empty the kernel's namespace (removed after execution).
RESET_TAG = "popqa-reset"
_RESET_SOURCE = "__import__('popqa.reporting.kernels', fromlist=['_']).reset_namespace(get_ipython())\n"


def reset_namespace(shell) -> None:
    """Run in the kernel before each report: what ``%reset -f`` does, without its two full garbage collections.

    Every name of the previous report is deleted (IPython's own ``reset``: user
    namespace, output cache, aliases), open matplotlib figures are closed and
    matplotlib's settings restored to their defaults. ``%reset`` also calls
    ``gc.collect()`` twice, 0.3 s per report once pandas and matplotlib are
    loaded; the garbage of the previous report is left to Python's automatic
    collector instead.
    """
    import gc
    import sys

    collect = gc.collect
    gc.collect = lambda generation=2: 0  # noqa: ARG005 - IPython's reset calls it unconditionally
    try:
        shell.reset(new_session=False)
    finally:
        gc.collect = collect
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
        sys.modules["matplotlib"].rcdefaults()  # a report's style settings do not reach the next


_TEMPLATES: dict[tuple[str, int], Any] = {}


def read_template(path: str | Path):
    """The template (jupytext percent) as a notebook; parsed once per process and file version, copied per use.

    >>> from popqa.reporting.runner import template_path
    >>> nb = read_template(template_path())
    >>> any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
    True
    """
    import jupytext

    p = Path(path)
    key = (str(p.resolve()), p.stat().st_mtime_ns)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = jupytext.read(p, fmt="py:percent")
    return copy.deepcopy(_TEMPLATES[key])


def inject_parameters(nb, parameters: dict[str, Any], kernel_name: str):
    """Papermill's parameter injection (report mode: the injected cell's source is hidden).

    >>> from popqa.reporting.runner import template_path
    >>> nb = inject_parameters(read_template(template_path()), {"lang": "en"}, "python3")
    >>> [c.source for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])][0].splitlines()[-1]
    'lang = "en"'
    """
    from papermill.execute import prepare_notebook_metadata
    from papermill.parameterize import parameterize_notebook

    nb.metadata["kernelspec"] = {"name": kernel_name, "display_name": kernel_name, "language": "python"}
    # what papermill's loader adds: its metadata block and every cell's tags
    nb.metadata.setdefault("papermill", {"default_parameters": {}, "parameters": {}, "environment_variables": {}})
    for cell in nb.cells:
        cell.metadata.setdefault("tags", [])
        cell.metadata.setdefault("papermill", {})
    nb = parameterize_notebook(nb, parameters, report_mode=True, kernel_name=kernel_name, language="python")
    return prepare_notebook_metadata(nb, None, None, report_mode=True)


class KernelSession:
    """A kernel that outlives one report: start once, execute many notebooks, shut down at the end."""

    def __init__(self, kernel_name: str, *, log_level: str = "CRITICAL") -> None:
        self.kernel_name = kernel_name
        self.log_level = log_level
        self.km: Any = None
        self.kc: Any = None  # the client of the kernel, channels open, kept from one report to the next
        self.reports = 0  # notebooks executed in the current kernel
        self.starts = 0  # kernels started by this session

    @property
    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        if self.km is None or not self.km.has_kernel:
            return False
        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001 - a kernel we cannot ask is not one to reuse
            return False

    def pid(self) -> int | None:
        """The kernel process id, when there is one."""
        prov = getattr(self.km, "provisioner", None)
        proc = getattr(prov, "process", None)
        return getattr(proc, "pid", None)

    def execute(self, nb, *, timeout: int, start_timeout: int = 60):
        """Execute ``nb`` (parameters already injected) in this session's kernel; return the executed notebook.

        Raises what nbclient raises; after anything but an error in the notebook's own code
        the kernel is shut down, so the next call starts a fresh one.
        """
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError
        from nbformat.v4 import new_code_cell

        if not self.alive:
            self.shutdown()
            self.km = AsyncKernelManager(kernel_name=self.kernel_name)
            self.reports = 0
            self.starts += 1
        reset = new_code_cell(_RESET_SOURCE, metadata={"tags": [RESET_TAG]})
        nb.cells.insert(0, reset)
        client = NotebookClient(
            nb, km=self.km, kernel_name=self.kernel_name, timeout=timeout, startup_timeout=start_timeout,
            allow_errors=False, record_timing=False,
            # jupyter_client interrupts a kernel before shutting it down; the kernel then logs
            # "KeyboardInterrupt caught in kernel" at ERROR level: harmless, so keep its log quiet
            extra_arguments=[f"--IPKernelApp.log_level={self.log_level}"],
        )
        client.kc = self.kc  # None: nbclient opens a client (and starts the kernel) itself
        try:
            client.execute()
        except CellExecutionError:
            raise  # the report's own code failed; the kernel is sound and its namespace is reset next time
        except BaseException:
            if client.kc is not None and client.kc is not self.kc:
                client.kc.stop_channels()
            self.shutdown()
            raise
        finally:
            self.kc = client.kc if self.km is not None else None
            nb.cells = [c for c in nb.cells if RESET_TAG not in c.metadata.get("tags", [])]
        self.reports += 1
        return nb

    def shutdown(self) -> None:
        """Stop the kernel now (nothing to wait for: the reports are written by the worker)."""
        from jupyter_core.utils import run_sync

        km, self.km = self.km, None
        kc, self.kc = self.kc, None
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception as exc:  # noqa: BLE001 - channels of a dead kernel are closed anyway
                log.debug("kernel client stop: %s", exc)
        if km is None:
            return
        try:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        except Exception as exc:  # noqa: BLE001 - a kernel that is already gone is shut down
            log.debug("kernel shutdown: %s", exc)
        try:
            run_sync(km.cleanup_resources)()
        except Exception:  # noqa: BLE001
            pass


_SESSION: dict[str, Any] = {}


def session(kernel_name: str, log_level: str = "CRITICAL") -> KernelSession:
    """This process's kernel session for ``kernel_name`` (created on first use, shut down at process exit)."""
    key = f"{os.getpid()}:{kernel_name}"
    s = _SESSION.get(key)
    if s is None:
        from multiprocessing.util import Finalize

        s = _SESSION[key] = KernelSession(kernel_name, log_level=log_level)
        # a pool worker ends through multiprocessing's exit function, which runs finalizers (not atexit)
        Finalize(None, s.shutdown, exitpriority=10)
        import atexit

        atexit.register(s.shutdown)
    return s


def timed(fn, *args, **kwargs) -> tuple[Any, float]:
    """``fn(*args, **kwargs)`` and the seconds it took."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, round(time.perf_counter() - t0, 3)
