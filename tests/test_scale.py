"""The audit on a Dask cluster (issue 16): the same findings, duplicate pairs and scores as a local run.

On the cluster the check stage runs its partitions and the link stage its deduplication and
source linkages as tasks of the workers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from popqa.pipeline import audit

SAMPLE = Path(__file__).resolve().parents[1] / "data_samples" / "tayninh-godau" / "register"
PERIOD = "2026-10"


def test_a_bad_scheduler_address_is_one_line_and_exit_2(tmp_path, capsys):
    from popqa.cli import main

    rc = main(["audit", "--data", str(SAMPLE), "--period", PERIOD, "--out", str(tmp_path / "res"),
               "--executor", "dask", "--scheduler", "no-port-here", "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1
    assert "cannot reach the Dask scheduler at 'no-port-here'" in err[0]
    rc = main(["audit", "--data", str(SAMPLE), "--period", PERIOD, "--out", str(tmp_path / "res"),
               "--executor", "dask", "--no-progress"])
    assert rc == 2 and "needs --scheduler" in capsys.readouterr().err
    assert not (tmp_path / "res" / PERIOD).exists()  # nothing was audited


@pytest.mark.slow
def test_the_audit_on_a_dask_local_cluster_is_the_local_audit(tmp_path):
    from distributed import LocalCluster
    from distributed.diagnostics.plugin import SchedulerPlugin

    class Seen(SchedulerPlugin):  # where each task ran
        def __init__(self):
            self.ran: dict[str, str] = {}

        def transition(self, key, start, finish, *args, **kwargs):
            if finish == "memory" and kwargs.get("worker"):
                self.ran[str(key)] = kwargs["worker"]

    local = audit(SAMPLE, PERIOD, tmp_path / "local", workbooks=False)
    seen = Seen()
    # worker processes on the loopback interface: every task, frame and model crosses a real connection
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        cluster.scheduler.add_plugin(seen)
        dask = audit(SAMPLE, PERIOD, tmp_path / "dask", workbooks=False, executor="dask",
                     scheduler=cluster.scheduler_address, partition_by="commune_2025")
    # each model was trained once (one task) and its candidate pairs scored in one partition per worker
    # thread, as tasks of their own spread over the workers
    scored = {k: w for k, w in seen.ran.items() if k.startswith("popqa-score-")}
    for kind in ("dedupe", "residents"):
        mine = [k for k in scored if k.startswith(f"popqa-score-{kind}-")]
        assert sorted(k.split("-")[3] for k in mine) == ["1of2", "2of2"], seen.ran
    assert len(set(scored.values())) == 2, scored  # the scheduler places them; over five models both workers score
    a, b = local.results_dir / "analyst", dask.results_dir / "analyst"
    # findings (the checks' and the coverage findings of the source linkages), pairs and scores
    for name in ("findings.parquet", "duplicate_pairs.parquet", "clusters.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(b / name), obj=name)
    assert len(pd.read_parquet(a / "duplicate_pairs.parquet")) > 0
    assert pd.read_parquet(a / "findings.parquet")["rule_id"].str.startswith("X").any()  # coverage findings
    # the linkage indicators (links per source) come from the links computed on the workers
    ind_a, ind_b = (pd.read_parquet(r.results_dir / "indicators.parquet") for r in (local, dask))
    pd.testing.assert_frame_equal(ind_a, ind_b, obj="indicators.parquet")
    # the partitions ran on the cluster and their parts landed in the same store
    parts = pd.read_parquet(b / "checks" / "parts.parquet")
    assert (parts["placement"] != "province").sum() > 2
    assert all((b / "checks" / f).is_file() for f in parts["output"])
    m = dask.results_dir / "manifest.json"
    assert '"executor": "dask"' in m.read_text()
    assert local["audit_id"] == dask["audit_id"]  # how it ran is not what it computed


def test_scoring_in_partitions_gives_the_pairs_of_one_scoring():
    """A model's candidate pairs scored in partitions (Splink's chunks, one after the other) are the
    pairs and scores of one scoring, for the deduplication and a source linkage."""
    from popqa.io import read_register
    from popqa.linkage import dedupe, link
    from popqa.linkage.config import LinkageConfig

    reg = read_register(SAMPLE, period=PERIOD)
    one, three = LinkageConfig(score_partitions=1), LinkageConfig(score_partitions=3)
    a, b = dedupe(reg.persons, one).pairs, dedupe(reg.persons, three).pairs
    assert len(a) > 0
    pd.testing.assert_frame_equal(a, b)
    for kind in ("residents", "civil_births"):
        a, b = link(reg.persons, reg[kind], kind, one).links, link(reg.persons, reg[kind], kind, three).links
        assert len(a) > 0
        pd.testing.assert_frame_equal(a, b, obj=kind)


def test_the_link_stage_in_local_processes_is_the_link_stage_in_one(tmp_path):
    """The deduplication and the source linkages side by side in a local pool (the default for a
    register of a few hundred thousand persons) give the same pairs, clusters, findings and audit."""
    from popqa.config import Config
    from popqa.linkage.config import LinkageConfig

    one = audit(SAMPLE, PERIOD, tmp_path / "one", workbooks=False,
                config=Config(linkage=LinkageConfig(workers=1)))
    two = audit(SAMPLE, PERIOD, tmp_path / "two", workbooks=False,
                config=Config(linkage=LinkageConfig(workers=2)))
    # the register out of memory: each source sent to the pool as the columns its frame reads, Arrow text
    spilled = audit(SAMPLE, PERIOD, tmp_path / "spilled", workbooks=False,
                    config=Config(linkage=LinkageConfig(workers=2, spill_register=True)))
    a, b = one.results_dir / "analyst", two.results_dir / "analyst"
    for name in ("findings.parquet", "duplicate_pairs.parquet", "clusters.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(b / name), obj=name)
        pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(spilled.results_dir / "analyst" / name),
                                      obj=f"{name} (spilled)")
    assert len(pd.read_parquet(a / "duplicate_pairs.parquet")) > 0
    # each unit's coverage by the sources, counted from the sources left on disk after the link stage
    covered = sorted(p.relative_to(one.results_dir) for p in one.results_dir.rglob("coverage.parquet"))
    assert covered and covered == sorted(p.relative_to(spilled.results_dir)
                                         for p in spilled.results_dir.rglob("coverage.parquet"))
    for rel in covered:
        pd.testing.assert_frame_equal(pd.read_parquet(one.results_dir / rel),
                                      pd.read_parquet(spilled.results_dir / rel), obj=str(rel))
    # every text column of the audit's files is Arrow's "string", whether pandas held it as Python or as
    # Arrow-backed strings (the pairs' ids): a column's type does not follow its storage in memory
    import pyarrow as pa
    import pyarrow.parquet as pq

    wide = {f"{p.relative_to(one.results_dir)}:{f.name}" for p in one.results_dir.rglob("*.parquet")
            for f in pq.read_schema(p) if pa.types.is_large_string(f.type)}
    assert not wide, wide
    for other in (two, spilled):  # the linkage indicators count the links made in the pool
        pd.testing.assert_frame_equal(pd.read_parquet(one.results_dir / "indicators.parquet"),
                                      pd.read_parquet(other.results_dir / "indicators.parquet"))
    assert one["audit_id"] == two["audit_id"]
    # the workers' CPU is counted in the stage's CPU seconds (about what the same work costs in one process)
    import json

    link = [next(s for s in json.loads((r.results_dir / "manifest.json").read_text())["stages"]
                 if s["name"] == "link") for r in (one, two)]
    assert link[1]["cpu_seconds"] >= 0.5 * link[0]["cpu_seconds"]
    # and the workers' memory beside the main process's (none in one process)
    assert link[1]["workers_peak_rss_mb"] > 0 and "workers_peak_rss_mb" not in link[0]



def _pool_after_audit_setup(env_pool: str | None) -> str:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if env_pool:
        env["ARROW_DEFAULT_MEMORY_POOL"] = env_pool
    code = ("import pyarrow as pa; from popqa.pipeline import arrow_memory_from_c_library as f; f(); "
            "print(pa.default_memory_pool().backend_name)")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_audit_gives_arrow_the_c_librarys_allocator_unless_the_user_chose_one():
    # Arrow's own pool keeps freed pages for Arrow alone; the audit's peak was 0.3 GB lower at 1.25 M
    # persons with malloc's (docs/benchmarks.md, "sixth measurement")
    assert _pool_after_audit_setup(None) == "system"
    assert _pool_after_audit_setup("mimalloc") == "mimalloc"
