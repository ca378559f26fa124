"""Every form of a period: one parser, one clear error before any work starts."""

from __future__ import annotations

import pytest

from popqa.period import Period, PeriodError, is_period

BAD = ["2026-13", "2026-00", "9999-12", "1066-10", "2026/10", "10-2026", "2026-1", "26-10", "2026-10-01",
       "2026 -10", "", "abcd-ef", "2026-1O", "２０２６-10"]


@pytest.mark.parametrize("text", BAD)
def test_bad_periods_are_one_clear_error(text):
    with pytest.raises(PeriodError, match="period"):
        Period.parse(text)
    assert not is_period(text)


def test_good_periods_and_arithmetic():
    p = Period.parse(" 2026-10 ")
    assert str(p) == "2026-10" and Period.parse(p) is p
    assert str(p.shift(3)) == "2027-01" and str(p.shift(-10)) == "2025-12"
    assert p.end.strftime("%Y-%m-%d") == "2026-10-31" and Period.parse("2028-02").end.day == 29
    assert Period.parse("2026-09") < p


@pytest.mark.parametrize("command", [
    ["check", "--data", "{data}", "--out", "{tmp}/f.csv"],
    ["audit", "--data", "{data}", "--out", "{tmp}/res"],
    ["run", "--data", "{data}", "--out", "{tmp}/run"],
    ["report", "--results", "{tmp}/res", "--out", "{tmp}/site"],
])
@pytest.mark.parametrize("period", ["2026-13", "9999-12", "2026/10", "10-2026", "2026-1"])
def test_every_command_refuses_a_bad_period_before_work(command, period, tmp_path, capsys):
    from popqa.cli import main

    args = [a.format(data="data_samples/tayninh-godau/register", tmp=tmp_path) for a in command]
    rc = main([*args, "--period", period])
    err = capsys.readouterr().err
    assert rc == 2
    assert len(err.strip().splitlines()) == 1 and "period" in err and "Traceback" not in err
    assert not (tmp_path / "res").exists() and not (tmp_path / "run").exists() and not (tmp_path / "f.csv").exists()
