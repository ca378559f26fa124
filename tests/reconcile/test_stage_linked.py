"""The reconciliation stage on the committed sample with the audit's own Splink linkage (slow: ~15-40 s)."""

from __future__ import annotations

import pandas as pd
import pytest

from popqa.indicators import validate_indicators
from popqa.reconcile import event_coverage, reconcile_stage
from tests.reconcile.test_stage import SAMPLE, SOURCES, true_links

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def linked():
    from popqa import textkeys
    from popqa.io import read_register
    from popqa.linkage import link
    from popqa.linkage.features import person_features

    reg = read_register(SAMPLE / "register", period="2026-10")
    feats = person_features(reg.persons[textkeys.first_of_each(reg.persons["person_id"])])
    links = {s: link(reg.persons, reg[s], s, features=feats).links for s in SOURCES if s in reg}
    return reg, links, true_links(pd.read_parquet(SAMPLE / "truth" / "links.parquet"))


def test_stage_runs_on_linkage_output(linked):
    reg, links, _ = linked
    rows, findings = reconcile_stage(reg, links, period="2026-10")
    validate_indicators(rows)
    d = rows[(rows["level"] == "district") & (rows["indicator_id"] == "dse_event_total")].set_index("group")
    assert d.loc["event=birth", "status"] == "ok" and d.loc["event=death", "status"] == "ok"


def test_splink_matches_against_true_matches(linked):
    reg, links, truth = linked
    t_true = event_coverage(reg, truth, period="2026-10").table
    t_link = event_coverage(reg, links, period="2026-10").table

    def dist(t):
        return t[(t["level"] == "district") & (t["group"] == "")].set_index("event")

    tt, tl = dist(t_true), dist(t_link)
    for ev in ("birth", "death"):
        # linkage may miss true pairs (then the estimate is biased up) but the matches stay near the truth
        assert tt.loc[ev, "m"] - 5 <= tl.loc[ev, "m"] <= tt.loc[ev, "m"]
        assert tl.loc[ev, "estimate"] >= tt.loc[ev, "estimate"] - 1e-9
