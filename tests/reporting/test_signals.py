"""SIGINT and SIGTERM stop a run promptly: no process left, nothing written after the parent exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from popqa.processes import descendants as _children

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

POPQA = [sys.executable, "-m", "popqa.cli"]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_for(cond, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.2)
    return False


def _files(folder: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in folder.rglob("*") if p.is_file()} if folder.exists() else {}


@pytest.mark.slow
@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_during_reports_stops_workers_and_kernels(audited, tmp_path, sig, code):
    site = tmp_path / "site"
    proc = subprocess.Popen([*POPQA, "report", "--results", str(audited["results"]), "--out", str(site),
                             "--workers", "2", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    # wait until the kernels run (a python -m ipykernel_launcher below the workers)
    def kernels():
        return [p for p in _children(proc.pid) if b"ipykernel" in Path(f"/proc/{p}/cmdline").read_bytes()]

    try:
        assert _wait_for(lambda: len(kernels()) >= 1, 90), "no kernel started"
        family = _children(proc.pid)
        t0 = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    assert time.monotonic() - t0 < 20, "the run did not stop promptly"
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert _wait_for(lambda: not any(_alive(p) for p in family), 10), "worker or kernel left running"
    before = _files(site)
    time.sleep(3)
    assert _files(site) == before, "something was written after the run stopped"
    assert not list(site.rglob("*.tmp"))


@pytest.mark.slow
def test_sigterm_during_the_audit_commits_nothing_and_leaves_no_staging(audited, tmp_path):
    out = tmp_path / "results"
    proc = subprocess.Popen([*POPQA, "audit", "--data", str(audited["data"]), "--period", audited["period"],
                             "--out", str(out), "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    staging = out / ".popqa" / "staging"
    try:
        assert _wait_for(lambda: staging.exists() and any(staging.iterdir()), 120), "the audit never began writing"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    assert "Traceback" not in err
    assert not any(staging.iterdir())
    assert not (out / audited["period"]).exists()
    assert not os.path.exists(out / ".popqa" / "audits" / audited["period"]) or not any(
        (out / ".popqa" / "audits" / audited["period"]).iterdir())
