"""The extracts stage alone on a large register partly on disk, as the audit runs it (issue 16).

The register is read, moved to a scratch folder and brought back as the link stage leaves it
(``popqa.pipeline.LEFT_ON_DISK``: the administrative sources and the persons' less used columns on
disk); the clusters, scored pairs and findings come from an audit already made of the same register
(``analyst/`` of its committed folder, e.g. one kept by ``bench_scale.py --keep``). Then every kind is
built and written, one after the other, as ``popqa.extracts.stage.extracts_stage`` does. For each
kind: rows, seconds, CPU seconds, and the process's peak resident memory while it was built and
while it was built and written (the kernel's high-water mark, reset before each kind). With a code that
has ``extract_basis`` (what every kind shares, worked out once), that step is timed first, as "(basis)".

Usage (heavy at full size: wrap in ``flock /tmp/bench.lock``)::

    .venv/bin/python benchmarks/bench_extracts_scale.py --data /work/big/m33/register \
        --audit RES/results/.popqa/audits/2026-10/<id> --label new
    .venv/bin/python benchmarks/bench_extracts_scale.py ... --kinds voters

Run it with another checkout's popqa first on ``PYTHONPATH`` to compare codes. One JSON line per run
is appended to ``--results``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

from bench_link_models import _reset_peak, _status

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="register folder")
    ap.add_argument("--audit", required=True, help="a committed audit folder of the same register (its analyst/)")
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--kinds", default=None, help="comma-separated kinds (default every kind)")
    ap.add_argument("--label", default="")
    ap.add_argument("--results", default=str(HERE / "out" / "extracts_scale.jsonl"))
    args = ap.parse_args(argv)

    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")  # as the audit (popqa.pipeline)
    from popqa.stages import large_blocks_mapped

    large_blocks_mapped()
    import gc

    import pandas as pd

    import popqa
    from popqa.extracts import KINDS
    from popqa.extracts.build import build_extract
    from popqa.extracts.write import write_extract
    from popqa.io import read_register
    from popqa.pipeline import LEFT_ON_DISK, _bring_back, _spill_register

    kinds = args.kinds.split(",") if args.kinds else list(KINDS)
    analyst = Path(args.audit) / "analyst"
    (HERE / "out").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="popqa-extracts-", dir=HERE / "out") as tmp:
        work = Path(tmp)
        reg = read_register(args.data, period=args.period)
        ctx = SimpleNamespace(staging=SimpleNamespace(scratch=lambda rel: work / ".scratch" / rel))
        _bring_back(reg, _spill_register(ctx, reg), leave=LEFT_ON_DISK)
        clusters = pd.read_parquet(analyst / "clusters.parquet")
        pairs = pd.read_parquet(analyst / "duplicate_pairs.parquet")
        findings = pd.read_parquet(analyst / "findings.parquet", columns=["table", "severity", "record_id", "rule_id"])
        gc.collect()
        rec = {"label": args.label, "code": popqa.__file__, "data": args.data, "persons": reg.rows()["persons"],
               "on_disk": [n for n in reg.tables if reg.on_disk(n)], "held_mb": round(_status("VmRSS")), "kinds": {}}
        t_all = time.perf_counter()
        made_of: dict = {"clusters": clusters, "findings": findings, "pairs": pairs}
        try:  # the code since the nineteenth measurement works out what the kinds share once (the stage's way)
            from popqa.extracts.build import extract_basis
        except ImportError:
            extract_basis = None
        if extract_basis is not None:
            _reset_peak()
            t0, c0 = time.perf_counter(), time.process_time()
            made_of = {"basis": extract_basis(reg, **made_of)}
            del findings  # the stage's own concatenation of the findings; the clusters and pairs stay (the audit's)
            gc.collect()
            rec["kinds"]["(basis)"] = {"s": round(time.perf_counter() - t0, 1), "cpu_s": round(time.process_time() - c0, 1),
                                       "peak_mb": round(_status("VmHWM"))}
            print("(basis)", rec["kinds"]["(basis)"], file=sys.stderr, flush=True)
        for kind in kinds:
            _reset_peak()
            t0, c0 = time.perf_counter(), time.process_time()
            table = build_extract(reg, kind, period=args.period, **made_of)
            build_s, build_peak = time.perf_counter() - t0, _status("VmHWM")
            write_extract(table, work / "out" / args.period, lang="vi", provenance={"made_by": "bench_extracts_scale"})
            rec["kinds"][kind] = {"rows": len(table.rows), "build_s": round(build_s, 1),
                                  "s": round(time.perf_counter() - t0, 1), "cpu_s": round(time.process_time() - c0, 1),
                                  "build_peak_mb": round(build_peak), "peak_mb": round(_status("VmHWM"))}
            del table
            gc.collect()
            print(kind, rec["kinds"][kind], file=sys.stderr, flush=True)
        rec["stage_s"] = round(time.perf_counter() - t_all, 1)
        rec["stage_peak_mb"] = max(v["peak_mb"] for v in rec["kinds"].values())
        shutil.rmtree(work / ".scratch", ignore_errors=True)
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    with open(args.results, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(json.dumps(rec, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
