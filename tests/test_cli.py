"""Every subcommand answers --help; bad input is one line and exit code 2."""

import subprocess
import sys

import pytest

from popqa.cli import build_parser, main


def _subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return sorted(action.choices)


def test_expected_subcommands_exist():
    assert {"read", "units", "contract"} <= set(_subcommands())


@pytest.mark.parametrize("name", _subcommands())
def test_every_subcommand_has_help(name, capsys):
    with pytest.raises(SystemExit) as exc:
        main([name, "--help"])
    assert exc.value.code == 0
    assert "usage: popqa " + name in capsys.readouterr().out


def test_console_script_runs():
    out = subprocess.run(
        [sys.executable, "-m", "popqa.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("popqa ")


def test_units_lists_tay_ninh(tmp_path):
    out = tmp_path / "u.csv"
    assert main(["units", "--province", "72", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Huyện Gò Dầu" in text and len(text.splitlines()) == 95
