"""``linkage.memory_budget``: each model's DuckDB gets the budget less what the process holds when the
model's frames are registered, within ``memory_limit`` and never below ``MIN_MODEL_MB``; the pairs do
not depend on it."""

from __future__ import annotations

import logging

import duckdb
import pandas as pd
import psutil
import pytest
from pydantic import ValidationError

import popqa.linkage.model as model
from popqa.linkage import dedupe
from popqa.linkage.config import LinkageConfig, size_mb
from popqa.linkage.distributed import per_worker_config


def duckdb_says(limit: str) -> str:
    """``limit`` as DuckDB reports it back (it keeps bytes and prints MiB or GiB)."""
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{limit}'")
        return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    finally:
        con.close()


def test_the_limit_is_the_budget_less_what_is_held_within_the_cap_and_floor():
    c = LinkageConfig(memory_limit="2GB", memory_budget="3GB")
    assert model.model_memory_mb(c, 500.0) == 2048.0  # room enough: memory_limit
    assert model.model_memory_mb(c, 1500.0) == 3072.0 - 1500.0  # the budget binds
    assert model.model_memory_mb(c, 2900.0) == model.MIN_MODEL_MB  # never below the floor
    assert model.model_memory_mb(LinkageConfig(memory_limit=None, memory_budget="3GB"), 1000.0) == 2072.0
    assert model.model_memory_mb(LinkageConfig(memory_limit="2GB"), 1500.0) is None  # no budget: as before
    assert size_mb("3.5 GB") == 3584.0 and size_mb("700MiB") == 700.0 and size_mb("3.5") is None


def test_an_unreadable_budget_is_refused_and_workers_share_it():
    with pytest.raises(ValidationError, match="memory_budget"):
        LinkageConfig(memory_budget="lots")
    shared = per_worker_config(LinkageConfig(memory_limit="2GB", memory_budget="4GB", threads=4), 4)
    assert (shared.memory_limit, shared.memory_budget, shared.threads) == ("512MB", "1024MB", 1)


@pytest.fixture()
def limits(monkeypatch):
    """DuckDB's memory limit at each model once it is fitted, with the process's resident MB just before."""
    seen: list[tuple[str, float]] = []
    fit = model._fit_memory_limit

    def spy(con, config, kind):
        held = psutil.Process().memory_info().rss / 2**20
        fit(con, config, kind)
        seen.append((con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0], held))

    monkeypatch.setattr(model, "_fit_memory_limit", spy)
    return seen


def test_each_model_gets_the_room_the_process_leaves_and_the_same_pairs(persons, result, limits):
    held = psutil.Process().memory_info().rss / 2**20
    budget = int(held + 700)  # about 700 MB above what the process holds now: the budget binds
    got = dedupe(persons, LinkageConfig(memory_limit="4GB", memory_budget=f"{budget}MB"))
    (limit, held_then), = limits
    want_mb = budget - held_then
    assert 100 < want_mb < 1200
    # what the process held moved a little between the spy's reading and the model's own: a few MB
    near = {duckdb_says(f"{int(want_mb) + d}MB") for d in range(-40, 41)}
    assert limit in near, (limit, want_mb)
    cols = ["person_id_l", "person_id_r", "match_probability"]
    pd.testing.assert_frame_equal(got.pairs[cols].reset_index(drop=True), result.pairs[cols].reset_index(drop=True))


def test_what_the_models_duckdb_already_holds_is_taken_off_its_limit_once():
    """A source's records made a table of the model's DuckDB (``_register``) count within DuckDB's limit:
    the limit is the budget less what the process holds besides them, not less them a second time."""
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE b_source AS SELECT range AS i, 'record ' || range::VARCHAR AS s FROM range(6000000)")
        own = model.duckdb_held_mb(con)
        assert own > 150  # well above the few MB the process's memory moves between two readings
        rss = psutil.Process().memory_info().rss / 2**20
        budget = int(rss + 800)  # room above the 512 MB floor either way
        model._fit_memory_limit(con, LinkageConfig(memory_limit="16GB", memory_budget=f"{budget}MB"), "residents")
        limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    finally:
        con.close()
    want = budget - (rss - own)  # about 800 MB plus the table's
    assert limit in {duckdb_says(f"{int(want) + d}MB") for d in range(-40, 41)}, (limit, want)


def test_a_budget_the_process_already_passes_gives_the_floor_and_says_so(persons, limits, caplog):
    with caplog.at_level(logging.WARNING, logger="popqa.linkage.model"):
        dedupe(persons, LinkageConfig(memory_budget="100MB"))
    assert [lim for lim, _ in limits] == [duckdb_says(f"{model.MIN_MODEL_MB}MB")]
    assert any("cannot be kept" in r.getMessage() for r in caplog.records)


def test_without_a_budget_the_limit_is_memory_limit(persons, limits):
    dedupe(persons, LinkageConfig(memory_limit="1500MB"))
    assert limits and all(lim == duckdb_says("1500MB") for lim, _ in limits)


@pytest.mark.parametrize("chosen, want", [
    ({}, ("4GB", "3600MB")),  # a large register, nothing chosen: 4GB within the default budget
    ({"memory_limit": "1500MB"}, ("1500MB", None)),  # a limit chosen alone is kept, without a budget
])
def test_a_large_registers_models_keep_to_the_default_budget_unless_the_configuration_chose(
        tmp_path, monkeypatch, chosen, want):
    """The audit's link stage above :data:`popqa.pipeline.LARGE_REGISTER_PERSONS` (lowered here to the
    sample's size): each model is fitted with DuckDB's 4GB within :data:`LARGE_REGISTER_MEMORY_BUDGET`, or
    with what the configuration chose (a budget chosen alone: the doctest of ``large_register_memory``)."""
    import popqa.pipeline as pipeline
    from popqa.config import Config

    seen: list[tuple[str | None, str | None]] = []
    fit = model._fit_memory_limit

    def spy(con, config, kind):
        seen.append((config.memory_limit, config.memory_budget))
        fit(con, config, kind)

    monkeypatch.setattr(model, "_fit_memory_limit", spy)
    monkeypatch.setattr(pipeline, "LARGE_REGISTER_PERSONS", 100)
    cfg = Config(linkage=LinkageConfig(**chosen))
    pipeline.audit("data_samples/tayninh-godau/register", "2026-10", tmp_path / "results", cfg, workbooks=False)
    assert seen and set(seen) == {want}
