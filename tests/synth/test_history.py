"""Months of history: successive exports of one synthetic population (popqa.synth.history)."""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.synth.history import CHANGE_COLUMNS, generate_history


@pytest.fixture(scope="module")
def hist():
    return generate_history(months=3, scale=0.004, seed=11, districts=["710"], trajectory_share=0.1,
                            backlog_rate=0.03)


def test_same_population_and_nothing_from_the_future(hist):
    assert hist.periods == ("2026-08", "2026-09", "2026-10")
    last = hist.exports["2026-10"]
    for p in hist.periods[:-1]:
        reg = hist.exports[p]
        end = pd.Period(p, freq="M").end_time.normalize()
        # every person of an earlier export is a person of the last one (same ids): one population
        assert set(reg.persons["person_id"]) <= set(last.persons["person_id"])
        assert not (reg.events["recorded_date"] > end).any()
        assert not (reg.persons["birth_date"] > end).any()
        assert reg.period == p
    # each month adds the events recorded in it
    sizes = [len(hist.exports[p].events) for p in hist.periods]
    assert sizes[0] < sizes[1] < sizes[2]


def test_a_death_recorded_later_leaves_the_person_present_earlier(hist):
    last = hist.exports["2026-10"]
    ev = last.events
    late_deaths = ev[(ev["event_type"] == "death") & (ev["recorded_date"] > pd.Timestamp("2026-08-31"))]
    aug = hist.exports["2026-08"].persons.set_index("person_id")
    ids = [i for i in late_deaths["person_id"].dropna() if i in aug.index]
    assert ids, "the sample should hold a death recorded after August"
    assert (aug.loc[ids, "status"] == 1).all()


def test_backlog_corrected_and_collaborators_move_both_ways(hist):
    ch = hist.changes
    assert list(ch.columns) == list(CHANGE_COLUMNS)
    n = ch.groupby(["fault_class", "period"]).size()
    assert n[("backlog", "2026-08")] > n.get(("backlog", "2026-09"), 0) > 0
    assert ("backlog", "2026-10") not in n.index  # all corrected in the last month
    assert ("collaborator_improving", "2026-10") not in n.index
    assert ("collaborator_worsening", "2026-08") not in n.index
    assert n[("collaborator_worsening", "2026-10")] > 0 and n[("collaborator_improving", "2026-08")] > 0
    # a corrected record stays corrected: the September backlog is a subset of August's
    aug = set(ch[(ch.fault_class == "backlog") & (ch.period == "2026-08")]["record_id"])
    sep = set(ch[(ch.fault_class == "backlog") & (ch.period == "2026-09")]["record_id"])
    assert sep <= aug
    # the faults are in the exported values, where the checks see them
    aug_p = hist.exports["2026-08"].persons.set_index("person_id")
    assert (aug_p.loc[list(aug), "ethnicity_code"] == "99").all()
    t = hist.trajectories["trajectory"].value_counts()
    assert t["improving"] == t["worsening"] >= 1


def test_the_checks_see_a_worsening_collaborator_get_worse(hist):
    from popqa.checks import run_checks

    worse = hist.trajectories.loc[hist.trajectories.trajectory == "worsening", "collaborator_id"]
    counts = []
    for p in (hist.periods[0], hist.periods[-1]):
        f = run_checks(hist.exports[p], rules=["V003"])
        counts.append(int(f["collaborator_id"].isin(worse).sum()))
    assert counts[0] == 0 < counts[1]


def test_write_and_invalid_months(hist, tmp_path):
    out = hist.write(tmp_path / "h")
    for p in hist.periods:
        assert (out / p / "register" / "persons.parquet").exists()
    assert (out / "truth" / "history_changes.parquet").exists()
    with pytest.raises(ValueError, match="months"):
        generate_history(months=0, scale=0.002, districts=["710"])
