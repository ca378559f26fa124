"""Deduplication and the source linkages as tasks of a ``dask.distributed`` cluster (issue 16).

The audit's link stage runs one deduplication of the register's persons and one linkage per
administrative source; they share the person features and nothing else, so each is one task
on the cluster: the persons and their features are sent to the workers once (``scatter``), each
task trains its own model once on its worker, and the main process only gathers the pairs. The
results are those of :func:`popqa.linkage.dedupe` and :func:`popqa.linkage.link` called in the
main process (``tests/test_scale.py``).

Without a cluster, the local link stage uses the same tasks in a process pool of the machine's
cores (:func:`local_pool`, :func:`link_workers`) when the register is small enough that each
worker's copy of the features costs little; the results are the same as one after the other.

Each model's candidate pairs are scored in partitions (``linkage.score_partitions``; on a cluster
one per worker thread unless set): the task trains the model once, then submits one task per
partition to the cluster (:func:`score_on_cluster`; Splink's chunks, the pairs whose right-hand
record falls in one hash bucket of its id, :func:`popqa.linkage.model.score_partition`) and gathers
their pairs, the same pairs and scores as one scoring. Duplicates across provinces of a national register are Splink's Spark
backend's work (docs/scale.md).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Any

import pandas as pd

__all__ = ["dedupe_and_link", "local_pool", "link_workers", "per_worker_config"]

#: Above this many persons the local link stage runs its models one after the other: each pool
#: worker holds its own copy of the persons' features and its own DuckDB working memory, and at
#: that size the link stage already sets the audit's peak memory (docs/scale.md).
PARALLEL_MAX_PERSONS = 500_000
#: Below this many persons the models take a few seconds in all: starting worker processes
#: (each imports Splink) would cost more than it saves.
PARALLEL_MIN_PERSONS = 20_000


def _use() -> tuple[int, float | None]:
    """This worker's pid and its peak resident memory so far, in MB (None where unknown)."""
    try:
        import resource

        return os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except ImportError:  # not on Windows
        return os.getpid(), None


def _dedupe_task(persons: pd.DataFrame, config: Any, features: pd.DataFrame, extra: dict[str, Any],
                 cluster: bool = False):
    from popqa.linkage import dedupe
    from popqa.stages import large_blocks_mapped

    large_blocks_mapped()  # a worker process, as the audit's own (popqa.pipeline.audit)

    c0 = time.process_time()
    with _scoring_on_cluster(cluster):
        out = dedupe(persons, config, features=features, **extra)
    return out, time.process_time() - c0, *_use()


def _link_task(persons: pd.DataFrame, source: pd.DataFrame, kind: str, config: Any, features: pd.DataFrame,
               cluster: bool = False):
    from popqa.linkage import link
    from popqa.stages import large_blocks_mapped

    large_blocks_mapped()  # a worker process, as the audit's own (popqa.pipeline.audit)

    c0 = time.process_time()
    with _scoring_on_cluster(cluster):
        out = link(persons, source, kind, config, features=features).links
    return out, time.process_time() - c0, *_use()


@contextmanager
def _scoring_on_cluster(cluster: bool):
    """Within a model's task on a Dask worker: its scoring partitions become tasks of the cluster."""
    if not cluster:
        yield
        return
    from popqa.linkage.model import _SCORER

    token = _SCORER.set(score_on_cluster)
    try:
        yield
    finally:
        _SCORER.reset(token)


def score_on_cluster(left: pd.DataFrame, right: pd.DataFrame | None, kind: str, config: Any,
                     settings: dict[str, Any], parts: int) -> list[pd.DataFrame]:
    """Score the ``parts`` partitions of a trained model's candidate pairs as tasks of the cluster this
    task runs on (:func:`popqa.linkage.model.score_partition` each); the calling task leaves its worker's
    thread while it waits (``worker_client``), so a one-thread worker scores partitions too."""
    from distributed import worker_client

    from popqa.linkage.model import score_partition

    stamp = time.time_ns()
    with worker_client() as client:
        frames = client.scatter([left] if right is None else [left, right])
        lf, rf = frames[0], (frames[1] if right is not None else None)
        futs = [client.submit(score_partition, lf, rf, kind, config, settings, (j, parts), pure=False,
                              key=f"popqa-score-{kind}-{j}of{parts}-{stamp}") for j in range(1, parts + 1)]
        return client.gather(futs)


def per_worker_config(config: Any, workers: int) -> Any:
    """``config`` with DuckDB's memory limit and the models' memory budget shared among ``workers``
    processes (so the link stage's DuckDB memory stays within the one limit), and its threads among them too.

    >>> from popqa.linkage.config import LinkageConfig
    >>> c = per_worker_config(LinkageConfig(memory_limit="5GB", memory_budget="6GB"), 2)
    >>> c.memory_limit, c.memory_budget, c.threads is None
    ('2560MB', '3072MB', True)
    """
    if workers <= 1:
        return config
    from popqa.linkage.config import size_mb

    update: dict[str, Any] = {}
    for name in ("memory_limit", "memory_budget"):
        mb = size_mb(getattr(config, name))
        if mb:
            update[name] = f"{int(mb / workers)}MB"
    if config.threads:
        update["threads"] = max(1, int(config.threads) // workers)
    return config.model_copy(update=update) if update else config


def link_workers(config: Any, persons: int) -> int:
    """How many local processes the link stage uses: ``config.workers``, or when it is None the
    machine's cores (at most 4) for a register of :data:`PARALLEL_MIN_PERSONS` to
    :data:`PARALLEL_MAX_PERSONS` persons, else one.

    >>> from popqa.linkage.config import LinkageConfig
    >>> link_workers(LinkageConfig(workers=3), 10), link_workers(LinkageConfig(), 10_000_000)
    (3, 1)
    """
    if config.workers is not None:
        return int(config.workers)
    if not PARALLEL_MIN_PERSONS <= persons <= PARALLEL_MAX_PERSONS:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
                      4))


def local_pool(workers: int):
    """A process pool for the link stage's models (:func:`popqa.processes.process_pool`; the fork
    server imports Splink once for every worker)."""
    from popqa.processes import process_pool

    return process_pool(workers, preload=("popqa.linkage.dedupe", "popqa.linkage.link", "splink"))


#: The persons' columns that the deduplication and the linkage read once the persons' features are
#: computed: the ids, the identifying columns (whether any is filled in at all), the citizen ID and the
#: exact birth date (what keeps two records apart in one cluster), the places (the findings' units, a
#: source commune's district) and the latest update (a survey's reference year).
LINK_PERSON_COLUMNS = ("person_id", "household_id", "full_name", "birth_date", "birth_date_precision",
                       "citizen_id", "province_code", "district_code", "commune_code", "collaborator_id",
                       "updated_at")


def link_persons(persons: pd.DataFrame) -> pd.DataFrame:
    """The columns of ``persons`` (:data:`LINK_PERSON_COLUMNS`) that the workers need beside the features:
    what a cluster or a pool receives instead of the whole table (at 3.4 M persons 11 of its 19 columns).

    >>> p = pd.DataFrame({"person_id": ["P1"], "full_name": ["An"], "ethnicity_code": ["01"]})
    >>> list(link_persons(p).columns)
    ['person_id', 'full_name']
    """
    return persons[[c for c in LINK_PERSON_COLUMNS if c in persons.columns]]


def dedupe_and_link(client, persons: pd.DataFrame, sources: dict[str, pd.DataFrame], config: Any,
                    features: pd.DataFrame, dedupe_kwargs: dict[str, Any] | None = None):
    """``(dedupe result, {source: links})`` computed on the workers of ``client``: a
    ``dask.distributed`` client, or a local :class:`concurrent.futures.Executor` (:func:`local_pool`).

    The heaviest tasks are submitted first (the register's deduplication, then the sources
    by size), so two workers finish together when they can.
    """
    stamp = time.time_ns()
    dask = hasattr(client, "scatter")
    persons = link_persons(persons)  # sent to every task: the columns it reads, not the whole table
    if dask:
        if config.score_partitions is None:  # every worker thread scores a partition of each model
            threads = sum(client.nthreads().values()) or 1
            config = config.model_copy(update={"score_partitions": threads})
        p, f = client.scatter([persons, features])
    else:  # a local pool pickles the frames into each task
        p, f = persons, features
    futs: dict[str | None, Any] = {None: client.submit(_dedupe_task, p, config, f, dict(dedupe_kwargs or {}), dask,
                                **({"pure": False, "key": f"popqa-dedupe-{stamp}"} if dask else {}))}
    for name in sorted(sources, key=lambda n: -len(sources[n])):
        s = client.scatter(sources[name]) if dask else sources[name]
        futs[name] = client.submit(_link_task, p, s, name, config, f, dask,
                                   **({"pure": False, "key": f"popqa-link-{name}-{stamp}"} if dask else {}))
    results: dict[str | None, Any] = {}
    peaks: dict[int, float] = {}
    for key, fut in futs.items():
        results[key], cpu, pid, peak = fut.result()
        if not dask:  # a local run's CPU counts in the stage's cpu_seconds (a cluster's is its own)
            from popqa.stages import charge_cpu

            charge_cpu(cpu)
            if peak is not None:
                peaks[pid] = max(peaks.get(pid, 0.0), peak)
    if peaks:
        from popqa.stages import charge_worker_memory

        charge_worker_memory(sum(peaks.values()))  # each worker's own peak, added up: a bound
    dd = results.pop(None)
    return dd, {name: results[name] for name in sources}
