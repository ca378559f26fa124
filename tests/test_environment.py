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
