"""The audit's link stage marks recent move-ins as movers and reads reviews and a calibration
from the configuration (popqa.pipeline.stage_link)."""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.config import Config
from popqa.io.register import Register
from popqa.linkage import LinkageConfig
from popqa.period import Period
from popqa.pipeline import stage_link
from popqa.stages import RunContext
from popqa.store import ResultsStore
from tests.linkage.linkage_helpers import make_persons, pair


def _run(tmp_path, events: pd.DataFrame | None, linkage: LinkageConfig | None = None):
    persons = make_persons()
    hh = pd.DataFrame({"household_id": sorted(set(persons["household_id"]))}).astype("string")
    tables = {"households": hh, "persons": persons}
    if events is not None:
        tables["events"] = events
    reg = Register(tables)
    cfg = Config(linkage=linkage or LinkageConfig())
    with ResultsStore(tmp_path / "results").begin("2026-10", audit_id="0123abcd") as staging:
        ctx = RunContext(tmp_path, Period(2026, 10), cfg, staging=staging, artifacts={"register": reg})
        out = stage_link(ctx)
        written = sorted(p.name for p in staging.path.rglob("*") if p.is_file())
    return out["dedupe"], written


@pytest.mark.parametrize(("when", "level"), [("2026-03-01", "elsewhere, one record moved"),
                                             ("2020-03-01", "same district")])
def test_recent_move_in_makes_the_place_difference_weak(tmp_path, when, level):
    # P03 and P04 (one name, NFD and NFC, other commune of one district); P04 moved in at `when`
    events = pd.DataFrame({"event_id": ["E1"], "event_type": ["move_in"], "person_id": ["P04"],
                           "event_date": pd.to_datetime([when])})
    dd, _ = _run(tmp_path, events)
    assert pair(dd, "P03", "P04")["ev_place"] == level


def test_too_few_reviews_in_the_configuration_leave_no_calibration(tmp_path):
    reviews = tmp_path / "reviewed.xlsx"
    with pd.ExcelWriter(reviews) as xw:
        pd.DataFrame({"person_id_l": ["P01"], "person_id_r": ["P02"], "decision": ["match"]}).to_excel(
            xw, sheet_name="review", index=False)
    cal = tmp_path / "calibration.json"
    dd, written = _run(tmp_path, None, LinkageConfig(reviews_file=str(reviews), calibration_file=str(cal)))
    assert dd.calibration is None and "1 reviewed pairs" in dd.calibration_note
    assert pair(dd, "P01", "P02")["review"] == "match"
    assert not cal.exists() and "linkage_calibration.json" not in written
