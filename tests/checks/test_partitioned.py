"""The check stage partition by partition (issue 16): the same findings as the whole register.

The reference is :func:`popqa.checks.run_checks` on the whole register; the partitioned run must
give the same rows in the same order on the committed sample, on a hand-made register whose
households and members straddle partitions, on a small synthetic province, and on a Dask cluster.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from popqa.checks import catalogue, run_checks
from popqa.checks.base import SCOPES
from popqa.checks.partitioned import PLACEMENTS, partition_keys, run_checks_partitioned
from popqa.config import Config
from popqa.io import read_register
from tests.checks.frames import events, households, make, persons

SAMPLE = Path(__file__).resolve().parents[2] / "data_samples" / "tayninh-godau" / "register"


@pytest.fixture(scope="module")
def sample():
    reg = read_register(SAMPLE, period="2026-10")
    cfg = Config()
    return reg, cfg, run_checks(reg, cfg)


def _partitioned(reg, cfg, tmp_path: Path, **kw):
    return run_checks_partitioned(reg, cfg, workdir=tmp_path / "scratch", parts_dir=tmp_path / "parts", **kw)


def test_every_engine_rule_declares_a_scope_the_placements_cover():
    rules = catalogue(computed_by="engine")
    assert all(r.scope in SCOPES for r in rules)
    placed = {s for scopes, _ in PLACEMENTS.values() for s in scopes}
    assert placed | {"province"} == set(SCOPES)
    by_scope = {s: {r.rule_id for r in rules if r.scope == s} for s in SCOPES}
    # a few rules whose scope follows from what they compare
    assert {"C001", "V001", "I001"} <= by_scope["record"]
    assert {"H001", "H009", "V026"} <= by_scope["household"]
    assert {"Q001", "Q003", "C007"} <= by_scope["unit"]
    assert {"U001", "U004", "M001", "E003", "Q006", "V030"} <= by_scope["province"]
    # household rules join persons and households; the household placement holds both
    assert all(set(r.requires) <= set(PLACEMENTS["household"][1]) for r in rules if r.scope == "household")


def test_partition_keys_depend_on_the_commune_code_alone():
    codes = pd.Series(["25456", "25486", None, "99999", "25456"], dtype="string")
    assert partition_keys(codes, "district").tolist() == ["703", "705", "", "", "703"]
    assert partition_keys(codes, "commune").tolist() == ["25456", "25486", "", "99999", "25456"]
    k25 = partition_keys(codes, "commune_2025")
    assert k25[0] == k25[4] and k25[2] == "" and k25[3] == ""
    # communes of another province (25240 lies in province 70) join the "" partition
    other = pd.Series(["25456", "25240"], dtype="string")
    assert partition_keys(other, "district", province="72").tolist() == ["703", ""]
    with pytest.raises(ValueError, match="partition by"):
        partition_keys(codes, "village")


@pytest.mark.parametrize("by", ["district", pytest.param("commune_2025", marks=pytest.mark.slow)])
def test_sample_partitioned_findings_are_the_whole_registers(sample, tmp_path, by):
    reg, cfg, whole = sample
    found, parts = _partitioned(reg, cfg, tmp_path, by=by)
    pd.testing.assert_frame_equal(found, whole)
    assert len(whole) > 100
    # written as produced: one part per partition task and the province's, together the findings
    files = sorted(p.name for p in (tmp_path / "parts").glob("*.parquet"))
    assert files == sorted(parts["output"])
    assert parts["rows"].sum() >= len(found)
    assert not (tmp_path / "scratch").exists()  # the partitions' tables are scratch


def _straddling():
    """Households and members in different districts, a household id in two districts, an orphan person."""
    hh = households()
    hh.loc[1, ["district_code", "commune_code"]] = ["705", "25486"]  # H2 in another district
    dup = hh.iloc[[0]].assign(district_code="706", commune_code="25516", collaborator_id="C9")  # H1 again
    hh = pd.concat([hh, dup], ignore_index=True)
    pp = persons()
    pp.loc[pp["person_id"] == "P21", ["district_code", "commune_code"]] = ["703", "25456"]  # says H1's commune
    orphan = pp[pp["person_id"] == "P13"].assign(person_id="P99", household_id="H7", relation_to_head=1,
                                                 district_code="707", commune_code="25552")
    pp = pd.concat([pp, orphan], ignore_index=True)
    ev = events()
    ev.loc[ev["event_id"] == "E2", ["district_code", "commune_code"]] = ["706", "25516"]
    return make(hh, pp, ev)


@pytest.mark.parametrize("by", ["district", pytest.param("commune", marks=pytest.mark.slow)])
def test_households_and_members_that_straddle_partitions(tmp_path, by):
    reg = _straddling()
    whole = run_checks(reg)
    assert {"V026", "H011", "U002"} <= set(whole["rule_id"])  # the straddling is itself found
    found, parts = _partitioned(reg, None, tmp_path, by=by)
    pd.testing.assert_frame_equal(found, whole)
    assert parts.loc[parts["placement"] == "commune", "partition"].nunique() >= 4


def test_a_clean_register_stays_clean_in_partitions(tmp_path):
    reg = make()
    found, _ = _partitioned(reg, None, tmp_path)
    pd.testing.assert_frame_equal(found, run_checks(reg))


@pytest.mark.slow
def test_synthetic_province_partitioned_by_district(tmp_path):
    from popqa.synth import generate_province

    prov = generate_province(scale=0.01, seed=7, period="2026-10")
    prov.write(tmp_path / "data")
    reg = read_register(tmp_path / "data" / "register", period="2026-10")
    cfg = Config()
    whole = run_checks(reg, cfg)
    found, parts = _partitioned(reg, cfg, tmp_path, by="district")
    pd.testing.assert_frame_equal(found, whole)
    assert parts.loc[parts["placement"] == "commune", "partition"].nunique() >= 9


@pytest.mark.slow
def test_partitions_on_a_dask_local_cluster(sample, tmp_path):
    from distributed import Client, LocalCluster

    reg, cfg, whole = sample
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        found, parts = _partitioned(reg, cfg, tmp_path, by="commune_2025", executor="dask", client=client)
        workers = len(client.scheduler_info()["workers"])
    assert workers == 2
    pd.testing.assert_frame_equal(found, whole)
    assert len(parts) > 2
