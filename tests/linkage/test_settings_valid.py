"""The settings popqa gives Splink pass Splink's own checks against the input tables, for every kind of
model: the deduplication and each source, with records settled by citizen ID and without.

The audit skips those checks when Splink's warnings would not be shown (``model._validating``): they only
log, and cost about 0.3 s a linker. This test runs them, so a blocking rule or comparison level that names
a column the frames lack fails here, not silently in a quiet audit."""

from __future__ import annotations

import logging

import pytest

from popqa.linkage.config import LinkageConfig
from popqa.linkage.features import SOURCE_KINDS, person_features
from popqa.linkage.link import _reference_year, source_frame
from popqa.linkage.model import _prior, _register, _settings, _validating, settle_by_id

CFG = LinkageConfig()


@pytest.fixture(scope="module")
def frames():
    from popqa.synth import generate_province

    reg = generate_province(scale=0.003, seed=5).register
    left = person_features(reg.persons)
    year = _reference_year(reg.persons)
    return left, {k: source_frame(reg[k], k, persons=reg.persons, reference_year=year) for k in SOURCE_KINDS}


def _checked(left, right, kind, caplog):
    """Splink's settings warnings for one model's first linker, as the audit builds it."""
    import duckdb
    from splink import DuckDBAPI, Linker

    left, right, settled = settle_by_id(left, right, CFG)
    link_type = "dedupe_only" if right is None else "link_only"
    settings = _settings(kind, link_type, _prior(len(left), None if right is None else len(right)), CFG,
                         settled=bool(settled.any()))
    con = duckdb.connect()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="splink"):
        Linker(_register(DuckDBAPI(connection=con), left, right, settled, con), settings, log_level=None,
               validate_settings=True)
    con.close()
    return [r.getMessage() for r in caplog.records if r.name.startswith("splink")], bool(settled.any())


def test_the_checks_run_when_their_warnings_would_show():
    splink_log = logging.getLogger("splink")
    before = splink_log.level
    try:
        splink_log.setLevel(logging.ERROR)  # as the audit quiets it by default
        assert not _validating()
        splink_log.setLevel(logging.INFO)  # asked for: the checks' warnings would show
        assert _validating()
    finally:
        splink_log.setLevel(before)


def test_the_checks_catch_a_column_the_frames_lack(frames, caplog, monkeypatch):
    """The check is live: a blocking rule on a column no frame has is reported."""
    import popqa.linkage.model as model

    real = model.blocking_rules_for
    monkeypatch.setattr(model, "blocking_rules_for", lambda kind: [*real(kind), "l.no_such_column = r.no_such_column"])
    left, _ = frames
    warnings, _ = _checked(left, None, "dedupe", caplog)
    assert any("no_such_column" in w for w in warnings), warnings


@pytest.mark.parametrize("kind", ["dedupe", *SOURCE_KINDS])
def test_every_models_settings_pass_splinks_checks(frames, caplog, kind):
    left, sources = frames
    right = None if kind == "dedupe" else sources[kind]
    warnings, settled = _checked(left, right, kind, caplog)
    assert warnings == [], "\n".join(warnings)
    if kind == "residents":
        assert settled  # the rules with the settled records' key were checked too
