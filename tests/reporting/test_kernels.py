"""One kernel per report worker (popqa.reporting.kernels): namespaces reset, failures handled, no kernel left."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from popqa.reporting.kernels import KernelSession, inject_parameters
from tests.reporting.test_signals import _alive

pytestmark = pytest.mark.slow


def _nb(*sources: str):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def _out(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_reports_share_a_kernel_but_not_a_namespace():
    s = KernelSession("python3")
    try:
        first = s.execute(_nb("import os, json\nsecret = 41\nprint(os.getpid())"), timeout=60)
        pid = int(_out(first))
        # the next report sees none of the previous one's names, in the same kernel process
        nb = s.execute(_nb("import os\nprint(os.getpid(), 'secret' in dir(), 'json' in dir())"), timeout=60)
        assert _out(nb).split() == [str(pid), "False", "False"]
        assert s.reports == 2 and s.starts == 1
        assert [c.source for c in nb.cells][0].startswith("import os")  # the reset cell is not kept
        # parameters are injected as papermill does, after the cell tagged "parameters"
        tpl = _nb("lang = 'vi'", "print(lang)")
        tpl.cells[0].metadata["tags"] = ["parameters"]
        nb = s.execute(inject_parameters(tpl, {"lang": "en"}, "python3"), timeout=60)
        assert _out(nb).strip() == "en" and "injected-parameters" in nb.cells[1].metadata["tags"]
    finally:
        s.shutdown()
    assert not _alive(pid)


def test_a_notebook_error_keeps_the_kernel_a_timeout_replaces_it():
    s = KernelSession("python3")
    try:
        pid = int(_out(s.execute(_nb("import os; print(os.getpid())"), timeout=60)))
        with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
            s.execute(_nb("1 / 0"), timeout=60)
        assert int(_out(s.execute(_nb("import os; print(os.getpid())"), timeout=60))) == pid
        with pytest.raises(CellTimeoutError):
            s.execute(_nb("import time; time.sleep(30)"), timeout=2)
        assert not _alive(pid)  # a kernel that timed out may still be busy: it is shut down
        new = int(_out(s.execute(_nb("import os; print(os.getpid())"), timeout=60)))
        assert new != pid and s.starts == 2
    finally:
        s.shutdown()


def _worker(path: str) -> None:
    from popqa.reporting.kernels import session

    nb = session("python3").execute(_nb("import os; print(os.getpid())"), timeout=60)
    Path(path).write_text(_out(nb))


def test_a_worker_that_ends_shuts_its_kernel_down(tmp_path):
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                                      else "spawn")
    p = ctx.Process(target=_worker, args=(str(tmp_path / "pid"),))
    p.start()
    p.join(90)
    assert p.exitcode == 0
    pid = int((tmp_path / "pid").read_text())
    assert pid != os.getpid()
    # gone as the worker ends (its exit hook shuts the kernel down), not a second later when the
    # orphaned kernel would notice its parent is gone
    end = time.monotonic() + 0.5
    while _alive(pid) and time.monotonic() < end:
        time.sleep(0.05)
    assert not _alive(pid)


def test_the_kernel_client_is_kept_and_each_report_gets_only_its_own_output():
    s = KernelSession("python3")
    try:
        first = s.execute(_nb("print('a1')", "import sys; print('a2', file=sys.stderr)", "print('a3')"), timeout=60)
        kc = s.kc
        assert kc is not None and _out(first).split() == ["a1", "a2", "a3"]
        # an error in a notebook keeps the client as well as the kernel
        with pytest.raises(CellExecutionError):
            s.execute(_nb("print('b1')", "1 / 0"), timeout=60)
        nb = s.execute(_nb("print('c1')", "c = 2", "print('c2', c)"), timeout=60)
        assert s.kc is kc and s.starts == 1
        assert _out(nb).split() == ["c1", "c2", "2"]  # nothing of the reports before
        # figures of one report are closed before the next, and the namespace is empty
        s.execute(_nb("import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt; plt.figure()"),
                  timeout=60)
        nb = s.execute(_nb("import matplotlib.pyplot as plt; print(len(plt.get_fignums()), 'c' in dir())"),
                       timeout=60)
        assert _out(nb).split() == ["0", "False"]
    finally:
        s.shutdown()
    assert s.kc is None and s.km is None
