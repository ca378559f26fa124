"""The check run drops the caches that only some families of rules read after the last of those rules
(``Context.FAMILY_CACHES``, :func:`popqa.checks.engine.run_rules`): the same findings, the caches gone
when their families are done, and the table of families true to what each rule reads."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd
import pytest

from popqa.checks import base, engine
from popqa.checks.engine import catalogue, release_plan, run_checks, run_order, run_rules
from popqa.config import Config
from popqa.io import read_register

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "tayninh-godau" / "register"


@pytest.fixture(scope="module")
def register():
    return read_register(SAMPLE)


def _rules(register):
    return [r for r in catalogue(computed_by="engine") if r.applies_to(register)]


def _held(ctx: base.Context, name: str) -> bool:
    if name.endswith("*"):
        return any(k.startswith(name[:-1]) for k in ctx.cache)
    return name in ctx.cache or name in ctx.__dict__


def test_the_same_findings_with_and_without_the_release(register, monkeypatch):
    cfg = Config(province_code="72")
    released = run_checks(register, cfg)
    monkeypatch.setattr(base.Context, "FAMILY_CACHES", {})
    kept = run_checks(register, cfg)
    assert len(released) > 100
    pd.testing.assert_frame_equal(released, kept)


def test_each_cache_is_gone_after_the_last_rule_of_its_families(register):
    cfg, province = engine._config(Config(province_code="72"))
    ctx = base.Context(register, cfg, province_code=province)
    rules = run_order(_rules(register))
    last = {name: max(i for i, r in enumerate(rules) if r.family in fams)
            for name, fams in base.Context.FAMILY_CACHES.items()}
    seen = set()
    for i, (r, _, _) in enumerate(run_rules(ctx, rules)):
        for name, at in last.items():
            if i < at and _held(ctx, name):
                seen.add(name)
            if i >= at:
                assert not _held(ctx, name), (name, r.rule_id)
    # every cache of the table was built on the sample and then dropped
    assert seen == set(base.Context.FAMILY_CACHES)


def test_a_cache_dropped_early_is_computed_again_with_the_same_value(register):
    cfg, province = engine._config(Config(province_code="72"))
    ctx = base.Context(register, cfg, province_code=province)
    ids = ctx.person_ids
    ctx.release("person_ids")
    assert "person_ids" not in ctx.__dict__
    assert ctx.person_ids.equals(ids) and ctx.person_ids is not ids


def test_the_table_of_families_names_every_rule_that_reads_its_caches(register):
    """Each rule runs on a context that logs the caches it reads; a cache of FAMILY_CACHES read by a rule
    of another family fails (the rule would compute it again after it was dropped)."""
    reads: list[str] = []
    props = {n for n, v in vars(base.Context).items() if isinstance(v, cached_property)}

    class Logged(dict):
        def __getitem__(self, k):
            reads.append(k)
            return super().__getitem__(k)

        def __contains__(self, k):
            reads.append(k)
            return super().__contains__(k)

        def get(self, k, default=None):
            reads.append(k)
            return super().get(k, default)

    class LoggingContext(base.Context):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            self.cache = Logged()

        def __getattribute__(self, n):
            if n in props:
                reads.append(n)
            return object.__getattribute__(self, n)

    cfg, province = engine._config(Config(province_code="72"))
    ctx = LoggingContext(register, cfg, province_code=province)
    wrong, used = [], set()
    for r in _rules(register):
        reads.clear()
        r.run(ctx)
        for name, fams in base.Context.FAMILY_CACHES.items():
            hit = any(k.startswith(name[:-1]) if name.endswith("*") else k == name for k in reads)
            if hit:
                used.add(name)
                if r.family not in fams:
                    wrong.append((r.rule_id, r.family, name))
    assert not wrong
    assert used == set(base.Context.FAMILY_CACHES)


def test_release_plan_drops_nothing_whose_families_do_not_run():
    r = {x.rule_id: x for x in catalogue()}
    plan = release_plan([r["V001"], r["C001"]])
    assert plan == {}
    plan = release_plan([r["E003"], r["M001"], r["V001"]])
    assert sorted(plan[1]) == ["person_ids", "persons_by_id", "persons_by_id_keys"] and set(plan) == {1}


def test_the_families_that_share_caches_run_next_to_one_another(register):
    rules = _rules(register)
    order = run_order(rules)
    assert sorted(r.rule_id for r in order) == sorted(r.rule_id for r in rules)
    families = [r.family for r in order]
    runs = [f for i, f in enumerate(families) if i == 0 or families[i - 1] != f]
    assert len(runs) == len(set(runs))  # each family's rules together
    for fams in base.Context.FAMILY_CACHES.values():
        at = sorted(runs.index(f) for f in fams if f in runs)
        assert at == list(range(at[0], at[0] + len(at)))  # and the families of a cache together
    assert runs.index("mother_child") == runs.index("events") + 1
