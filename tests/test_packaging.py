"""A non-editable install (a wheel in a fresh virtual environment) renders a report.

The templates and site assets are package data: nothing may be read from the
checkout. The fresh environment gets popqa from the wheel only; its third-party
dependencies are borrowed from the test environment (a ``.pth`` path entry,
which does not activate the checkout's editable install) so the test needs no
download beyond the build backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.checks import frames

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json, sys
from pathlib import Path
import popqa
assert "site-packages" in popqa.__file__, popqa.__file__
from popqa.pipeline import audit, report
out = Path(sys.argv[1])
audit(out / "data", "2026-10", out / "results", workbooks=False)
run = report(out / "results", out / "site", workers=1, progress=False)
print(json.dumps({"file": popqa.__file__, "ok": run.ok, "failed": run.failed}))
"""


@pytest.mark.slow
def test_a_wheel_in_a_fresh_environment_renders_a_report(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = next(wheels.glob("popqa-*.whl"))

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    site = Path(subprocess.check_output([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    (site / "zz_borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    inst = subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], capture_output=True,
                          text=True)
    assert inst.returncode == 0, inst.stderr[-3000:]
    kern = subprocess.run([str(py), "-m", "ipykernel", "install", "--prefix", str(env_dir), "--name", "popqa"],
                          capture_output=True, text=True)
    assert kern.returncode == 0, kern.stderr[-3000:]

    data = tmp_path / "work" / "data"
    data.mkdir(parents=True)
    frames.households().to_csv(data / "households.csv", index=False)
    frames.persons().to_csv(data / "persons.csv", index=False)
    frames.events().to_csv(data / "events.csv", index=False)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH", "VIRTUAL_ENV")}
    # nbconvert's own templates are data files of the borrowed nbconvert, not of popqa: point at them
    # (and only at them: the test environment's kernels would run the checkout's editable popqa)
    jdata = tmp_path / "jupyter-data"
    jdata.mkdir()
    (jdata / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    env["JUPYTER_PATH"] = str(jdata)
    run = subprocess.run([str(py), "-c", SCRIPT, str(tmp_path / "work")], capture_output=True, text=True,
                         cwd=tmp_path, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-5000:]
    import json

    out = json.loads(run.stdout.strip().splitlines()[-1])
    # one unit report; a full run also renders the province reports the audit has data for (demography)
    units = [k for k in out["ok"] if not k.startswith("province:")]
    assert str(env_dir) in out["file"] and not out["failed"] and len(units) == 1, out
    # the 2025 organisation (the default): one report for the register's 2025 commune
    html = next((tmp_path / "work" / "site" / "communes").glob("*.vi.html")).read_text(encoding="utf-8")
    assert "popqa-audit-id" in html and "<h1" in html
