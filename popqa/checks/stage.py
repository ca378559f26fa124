"""The ``check`` stage of the audit: the rule catalogue, partition by partition (:mod:`popqa.checks.partitioned`).

Options read from the run context (set by :func:`popqa.pipeline.audit`): ``executor`` ("local"
or "dask"), ``dask_client`` (a connected :class:`distributed.Client` with "dask") and
``partition_by`` ("district", "commune" or "commune_2025"; None: the whole register at once in
this process, a legacy district on Dask). Each partition's findings are
written to ``analyst/checks/`` of the audit as they are produced; the partitions' tables go
to a scratch folder of the staging area, removed when the stage ends.
"""

from __future__ import annotations

import logging
import shutil
from typing import Any

log = logging.getLogger(__name__)


def check_stage(ctx) -> dict[str, Any]:
    from popqa.checks.partitioned import run_checks_partitioned

    executor = ctx.options.get("executor", "local")
    by = ctx.options.get("partition_by")
    if executor == "local" and by is None:
        # one process, no partitioning asked: the whole register at once is 2-4 times faster (each
        # partition task pays about a second of fixed work) and the check stage's memory is small
        # beside the link stage's (docs/scale.md); the findings are the same
        from popqa.checks import run_checks

        return {"findings:checks": run_checks(ctx["register"], ctx.config)}
    scratch = ctx.staging.scratch("checks")
    try:
        findings, parts = run_checks_partitioned(
            ctx["register"], ctx.config, workdir=scratch, parts_dir=ctx.staging.file("analyst/checks"),
            by=by or "district", executor=executor,
            client=ctx.options.get("dask_client"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)  # its own files, not other stages' scratch
    ctx.write_parquet("analyst/checks/parts.parquet", parts)
    n = int((parts["placement"] != "province").sum())
    log.info("checks: %d partitions (%s), %d findings", n, executor, len(findings))
    return {"findings:checks": findings, "check_parts": parts}
