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

    local = audit(SAMPLE, PERIOD, tmp_path / "local", workbooks=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        dask = audit(SAMPLE, PERIOD, tmp_path / "dask", workbooks=False, executor="dask",
                     scheduler=cluster.scheduler_address, partition_by="commune_2025")
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


def test_the_link_stage_in_local_processes_is_the_link_stage_in_one(tmp_path):
    """The deduplication and the source linkages side by side in a local pool (the default for a
    register of a few hundred thousand persons) give the same pairs, clusters, findings and audit."""
    from popqa.config import Config
    from popqa.linkage.config import LinkageConfig

    one = audit(SAMPLE, PERIOD, tmp_path / "one", workbooks=False,
                config=Config(linkage=LinkageConfig(workers=1)))
    two = audit(SAMPLE, PERIOD, tmp_path / "two", workbooks=False,
                config=Config(linkage=LinkageConfig(workers=2)))
    a, b = one.results_dir / "analyst", two.results_dir / "analyst"
    for name in ("findings.parquet", "duplicate_pairs.parquet", "clusters.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / name), pd.read_parquet(b / name), obj=name)
    assert len(pd.read_parquet(a / "duplicate_pairs.parquet")) > 0
    pd.testing.assert_frame_equal(pd.read_parquet(one.results_dir / "indicators.parquet"),
                                  pd.read_parquet(two.results_dir / "indicators.parquet"))
    assert one["audit_id"] == two["audit_id"]
    # the workers' CPU is counted in the stage's CPU seconds (about what the same work costs in one process)
    import json

    link = [next(s for s in json.loads((r.results_dir / "manifest.json").read_text())["stages"]
                 if s["name"] == "link") for r in (one, two)]
    assert link[1]["cpu_seconds"] >= 0.5 * link[0]["cpu_seconds"]
    # and the workers' memory beside the main process's (none in one process)
    assert link[1]["workers_peak_rss_mb"] > 0 and "workers_peak_rss_mb" not in link[0]

