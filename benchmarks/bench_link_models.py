"""The link stage model by model on one register (issue 16): read, person features, then the
deduplication and each source linkage alone, with seconds, CPU and the peak resident memory of each
(the kernel's high-water mark reset before each). Figures in docs/benchmarks.md, "Where the link
stage grows faster than the register".

Usage (heavy: wrap in ``flock /tmp/bench.lock``)::

    .venv/bin/python benchmarks/bench_link_models.py REGISTER_DIR 2026-10 [dedupe,residents [PARTITIONS [MEMORY]]]

PARTITIONS: ``linkage.score_partitions`` (each model's candidate pairs scored in that many
partitions, one after the other); by default the configuration's default. MEMORY: DuckDB's
``linkage.memory_limit`` (default 2500MB).
"""

from __future__ import annotations

import json
import logging
import sys
import time


def _status(key: str) -> float:
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def main() -> None:
    from popqa import textkeys
    from popqa.io import read_register
    from popqa.linkage import dedupe, link
    from popqa.linkage.config import LinkageConfig
    from popqa.linkage.features import person_features, recent_move_ins
    from popqa.period import Period

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    logging.getLogger("splink").setLevel(logging.ERROR)
    data, period = sys.argv[1], sys.argv[2]
    only = sys.argv[3].split(",") if len(sys.argv) > 3 and sys.argv[3] else None
    parts = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else None
    memory = sys.argv[5] if len(sys.argv) > 5 else "2500MB"
    cfg = LinkageConfig(memory_limit=memory, score_partitions=parts)
    t0 = time.perf_counter()
    reg = read_register(data, period=period)
    print("read", round(time.perf_counter() - t0, 1), "rss", round(_status("VmRSS")), flush=True)
    moved = recent_move_ins(reg.get("events"), Period.parse(period).end, cfg.mover_months)
    _reset_peak()
    t0 = time.perf_counter()
    feats = person_features(reg.persons[textkeys.first_of_each(reg.persons["person_id"])], move_in_ids=moved)
    print("features", round(time.perf_counter() - t0, 1), "peak", round(_status("VmHWM")), flush=True)
    for kind in ["dedupe", "civil_births", "civil_deaths", "residents", "insurance"]:
        if (only and kind not in only) or (kind != "dedupe" and kind not in reg):
            continue
        _reset_peak()
        t0, c0 = time.perf_counter(), time.process_time()
        if kind == "dedupe":
            n = len(dedupe(reg.persons, cfg, features=feats).pairs)
        else:
            n = len(link(reg.persons, reg[kind], kind, cfg, features=feats).links)
        print(json.dumps({"kind": kind, "s": round(time.perf_counter() - t0, 1),
                          "cpu": round(time.process_time() - c0, 1), "peak": round(_status("VmHWM")),
                          "rss": round(_status("VmRSS")), "rows": n, "partitions": parts, "memory_limit": memory}), flush=True)


if __name__ == "__main__":
    main()
