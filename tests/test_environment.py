"""environment.yml (conda users) lists exactly the dependency set of pyproject.toml."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pip_specs() -> list[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    return [s for s in pip if s != "-e ."]


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    listed = _pip_specs()
    assert sorted(listed) == sorted(declared), (
        "environment.yml and pyproject.toml disagree: "
        f"only in pyproject: {sorted(set(declared) - set(listed))}; "
        f"only in environment.yml: {sorted(set(listed) - set(declared))}"
    )


def test_environment_python_matches_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert project["requires-python"] == ">=" + py.split("=")[1]


def test_splink_pinned_to_one_major_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    splink = next(d for d in project["dependencies"] if d.startswith("splink"))
    assert ">=5" in splink and "<6" in splink


def test_tests_of_one_xdist_group_run_on_one_worker(tmp_path):
    """``make test`` runs with ``--dist loadgroup`` so that the tests sharing an expensive fixture (the audited
    province of tests/reporting, the link stage of tests/io/test_spill.py) build it once. pytest 9.2 broke
    this silently (pytest-xdist#1386: the group no longer reaches the scheduler, and every worker builds the
    fixture again); this runs the mechanism itself."""
    import os
    import subprocess
    import sys

    (tmp_path / "test_grouped.py").write_text(
        "import os, pytest\n"
        "@pytest.mark.xdist_group('one')\n"
        "@pytest.mark.parametrize('i', range(6))\n"
        "def test_g(i):\n"
        "    with open(os.environ['PIDS'], 'a') as fh:\n"
        "        fh.write(f'{os.getpid()}\\n')\n",
        encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                          "--dist", "loadgroup", "-o", "addopts=", str(tmp_path / "test_grouped.py")],
                         capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PIDS": str(tmp_path / "pids.txt")})
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    pids = (tmp_path / "pids.txt").read_text().split()
    assert len(pids) == 6 and len(set(pids)) == 1, pids
