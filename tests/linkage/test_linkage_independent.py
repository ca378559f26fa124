"""Accuracy on the independent test register (tests/linkage/independent_register.py).

That generator shares no code, name pool or error model with ``popqa.synth``, on which
the model was first built; no threshold was chosen on it. Reference values are the
measurements reported in docs/linkage.md (F1 0.895 before issue 15's changes, at
12,000 households).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.linkage.independent_register import evaluate, make_register


@pytest.fixture(scope="module")
def small_register():
    return make_register(n_households=500, seed=3)


def test_independent_register_plants_what_it_says(small_register):
    reg = small_register
    p = reg["persons"].set_index("person_id")
    tw = reg["hard"][reg["hard"]["kind"].isin(["twins", "triplets"])]
    assert len(tw) > 0
    assert (p.loc[tw["a"], "birth_date"].to_numpy() == p.loc[tw["b"], "birth_date"].to_numpy()).all()
    assert (p.loc[tw["a"], "household_id"].to_numpy() == p.loc[tw["b"], "household_id"].to_numpy()).all()
    assert (p.loc[tw["a"], "full_name"].to_numpy() != p.loc[tw["b"], "full_name"].to_numpy()).all()
    d = reg["duplicates"]
    assert d["a"].isin(p.index).all() and d["b"].isin(p.index).all()
    assert d["variation"].str.contains("moved_household").mean() > 0.3


def test_blocking_reaches_movers_without_id(small_register):
    """Recall of blocking on its own: true pairs compared by at least one rule / true pairs."""
    from popqa.linkage.features import person_features
    from popqa.linkage.model import blocked

    reg = small_register
    f = person_features(reg["persons"])
    d = reg["duplicates"]
    b = blocked(f, None, pd.DataFrame({"id_l": d["a"], "id_r": d["b"]}), "dedupe")
    assert b["compared"].mean() >= 0.97
    moved = d["variation"].str.contains("moved_household") & d["variation"].str.contains("missing_id")
    assert b.loc[moved.to_numpy(), "compared"].mean() >= 0.95


@pytest.mark.slow
def test_dedupe_on_the_independent_register():
    from popqa.linkage import dedupe

    reg = make_register(n_households=4000, seed=21)
    res = dedupe(reg["persons"])
    e = evaluate(res.pairs, res.threshold, reg)
    # before issue 15: F1 0.895 at 12,000 households (seed 15); now 0.95 or more
    assert e["f1"] >= 0.93 and e["precision"] >= 0.99
    hard = e["hard"]
    for kind in ("twins", "triplets", "parent_child_same_name", "namesakes_distinct_ids"):
        if kind in hard.index:
            assert hard.loc[kind, "wrongly_linked"] == 0, kind
