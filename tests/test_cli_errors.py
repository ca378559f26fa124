"""The CLI error contract: every user error is one line naming what and where, exit 2, no traceback."""

from __future__ import annotations

import errno

import pytest

from popqa.cli import main

DATA = "data_samples/tayninh-godau/register"


def _one_line(capsys, rc, *needles):
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("text, needles", [
    ("checks: {late_days: 45\n", ["invalid YAML", "line"]),
    ("checks:\n  late_dayz: 45\n", ["checks.late_dayz", "unknown key"]),
    ("checks:\n  late_days: -3\n", ["checks.late_days", "-3"]),
    ("language: fr\n", ["language"]),
    ("- just\n- a list\n", ["mapping"]),
])
def test_config_errors_name_the_file_and_key(tmp_path, capsys, text, needles):
    cfg = tmp_path / "popqa.yaml"
    cfg.write_text(text, encoding="utf-8")
    rc = main(["audit", "--data", DATA, "--period", "2026-10", "--out", str(tmp_path / "res"), "--config", str(cfg)])
    _one_line(capsys, rc, str(cfg), *needles)
    assert not (tmp_path / "res").exists()


def test_missing_config_and_config_folder(tmp_path, capsys):
    rc = main(["check", "--data", DATA, "--out", str(tmp_path / "f.csv"), "--config", str(tmp_path / "nope.yaml")])
    _one_line(capsys, rc, "nope.yaml", "not found")
    rc = main(["audit", "--data", DATA, "--period", "2026-10", "--out", str(tmp_path / "r"), "--config", str(tmp_path)])
    _one_line(capsys, rc, "folder")


def test_output_that_is_a_file_or_under_a_file(tmp_path, capsys):
    f = tmp_path / "taken"
    f.write_text("x")
    rc = main(["audit", "--data", DATA, "--period", "2026-10", "--out", str(f)])
    _one_line(capsys, rc, str(f), "is a file")
    rc = main(["run", "--data", DATA, "--period", "2026-10", "--out", str(f / "sub"), "--no-progress"])
    _one_line(capsys, rc, "is a file")
    assert f.read_text() == "x"


@pytest.mark.parametrize("command", ["audit", "run"])
def test_an_unreadable_memory_budget_is_one_line_before_any_work(tmp_path, capsys, command):
    rc = main([command, "--data", DATA, "--period", "2026-10", "--out", str(tmp_path / "r"), "--memory-budget",
               "lots"])
    _one_line(capsys, rc, "--memory-budget", "'lots'")
    assert not (tmp_path / "r").exists()


def test_missing_input_folder(tmp_path, capsys):
    rc = main(["audit", "--data", str(tmp_path / "none"), "--period", "2026-10", "--out", str(tmp_path / "r")])
    _one_line(capsys, rc, "none", "not found")


def test_report_without_an_audit(tmp_path, capsys):
    rc = main(["report", "--results", str(tmp_path / "empty"), "--out", str(tmp_path / "site"), "--no-progress"])
    _one_line(capsys, rc, "no audited period")


def test_unwritable_output_is_one_line(tmp_path, capsys, monkeypatch):
    import tempfile

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "ro"))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    rc = main(["audit", "--data", DATA, "--period", "2026-10", "--out", str(tmp_path / "ro")])
    _one_line(capsys, rc, "ro", "permission denied")


def test_full_disk_while_writing_findings_leaves_no_partial_file(tmp_path, capsys, monkeypatch):
    import os

    out = tmp_path / "findings.csv"
    real = os.replace

    def full(src, dst):
        if str(dst) == str(out):
            raise OSError(errno.ENOSPC, "No space left on device", str(out))
        return real(src, dst)

    monkeypatch.setattr(os, "replace", full)
    rc = main(["check", "--data", DATA, "--out", str(out)])
    _one_line(capsys, rc, "findings.csv")
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir()], "a temporary file was left behind"
