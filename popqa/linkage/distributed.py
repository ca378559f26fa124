"""Deduplication and the source linkages as tasks of a ``dask.distributed`` cluster (issue 16).

The audit's link stage runs one deduplication of the register's persons and one linkage per
administrative source; they share the person features and nothing else, so each is one task
on the cluster: the persons and their features are sent to the workers once (``scatter``), each
task trains its own model once and scores its candidate pairs on its worker, and the main
process only gathers the pairs. The results are those of :func:`popqa.linkage.dedupe` and
:func:`popqa.linkage.link` called in the main process (``tests/test_scale.py``).

The candidate pairs of one model are not split further here (scoring the pairs of one model in
partitions of its blocking keys on several workers is what Splink's Spark backend does; see
docs/scale.md).
"""

from __future__ import annotations

import time
from typing import Any

import pandas as pd

__all__ = ["dedupe_and_link"]


def _dedupe_task(persons: pd.DataFrame, config: Any, features: pd.DataFrame, extra: dict[str, Any]):
    from popqa.linkage import dedupe

    return dedupe(persons, config, features=features, **extra)


def _link_task(persons: pd.DataFrame, source: pd.DataFrame, kind: str, config: Any, features: pd.DataFrame):
    from popqa.linkage import link

    return link(persons, source, kind, config, features=features).links


def dedupe_and_link(client, persons: pd.DataFrame, sources: dict[str, pd.DataFrame], config: Any,
                    features: pd.DataFrame, dedupe_kwargs: dict[str, Any] | None = None):
    """``(dedupe result, {source: links})`` computed on the workers of ``client``.

    The heaviest tasks are submitted first (the register's deduplication, then the sources
    by size), so two workers finish together when they can.
    """
    stamp = time.time_ns()
    p, f = client.scatter([persons, features])
    futs = {None: client.submit(_dedupe_task, p, config, f, dict(dedupe_kwargs or {}), pure=False,
                                key=f"popqa-dedupe-{stamp}")}
    for name in sorted(sources, key=lambda n: -len(sources[n])):
        s = client.scatter(sources[name])
        futs[name] = client.submit(_link_task, p, s, name, config, f, pure=False, key=f"popqa-link-{name}-{stamp}")
    results = {name: fut.result() for name, fut in futs.items()}
    dd = results.pop(None)
    return dd, {name: results[name] for name in sources}
