"""The models' scoring with ``linkage.group_blocked_pairs`` (or another setting of how the scoring runs, ``--setting``)
off and on (issue 16): the register read, the
persons' and the sources' linkage features written to files as the audit's link stage writes them, then
each model scored with the model an earlier audit trained (``MODELS_DIR``: its ``linkage/models``
folder), so that only the scoring runs, where the candidate pairs are made: off then on in even rounds,
on then off in odd ones, with the seconds and CPU seconds of each and the seconds the pairs took (the
log lines of ``popqa.linkage.blocking`` and of Splink's blocking). Each run's scored pairs are written
beside the features and compared frame for frame between off and on. Figures in docs/benchmarks.md,
"twenty-third measurement".

Usage (heavy: wrap in ``flock /tmp/bench.lock``)::

    .venv/bin/python benchmarks/bench_blocking.py REGISTER_DIR 2026-10 MODELS_DIR dedupe,residents,insurance 2 [every]

``every``: the sources' pairs grouped too (``popqa.linkage.model.GROUPED_PAIRS``, the deduplication's only
by default), to measure what grouping them would cost.

``--setting join_on_ids``: ``linkage.join_on_ids`` off and on instead (the sources' pairs joined to their
records on the ids, ``popqa.linkage.predict``; the pairs left as the audit makes them), with the seconds of
the scoring (the log lines of ``popqa.linkage.model``) in place of the pairs'. Figures in docs/benchmarks.md,
"twenty-fourth measurement"::

    .venv/bin/python benchmarks/bench_blocking.py REGISTER_DIR 2026-10 MODELS_DIR residents,insurance 2 --setting join_on_ids

The models run with ``memory_limit: 2500MB`` and ``memory_budget: 3300MB`` (``configs/mem33b.yaml``).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import tempfile
import time
from pathlib import Path


class _Seconds(logging.Handler):
    """The seconds the candidate pairs took, from the log lines that report them."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: float | None = None

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        m = re.search(r"candidate pairs of \d+ rules made in ([\d.]+) s", msg) or re.search(
            r"^Blocking time: ([\d.]+) seconds", msg) or re.search(r": pairs scored in ([\d.]+) s", msg)
        if m:
            self.seconds = float(m.group(1))


def main() -> None:
    from linkage_inputs import assert_same_pairs, off_and_on, pairs_file, write_inputs

    from popqa.linkage import model
    from popqa.linkage.config import LinkageConfig
    from popqa.linkage.model import run_splink

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S",
                        stream=sys.stderr)
    splink_blocking = logging.getLogger("splink.internals.blocking")
    logging.getLogger("splink").setLevel(logging.ERROR)
    splink_blocking.setLevel(logging.INFO)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data")
    ap.add_argument("period")
    ap.add_argument("models", type=Path)
    ap.add_argument("kinds")
    ap.add_argument("rounds", type=int)
    ap.add_argument("every", nargs="?", choices=("every",))
    ap.add_argument("--setting", choices=("group_blocked_pairs", "join_on_ids"), default="group_blocked_pairs")
    args = ap.parse_args()
    data, period, models, kinds, rounds = args.data, args.period, args.models, args.kinds.split(","), args.rounds
    seconds = _Seconds()
    timed = {"group_blocked_pairs": ("popqa.linkage.blocking", "splink.internals.blocking"),
             "join_on_ids": ("popqa.linkage.model",)}[args.setting]
    for name in timed:
        logging.getLogger(name).addHandler(seconds)
    if args.every:
        model.GROUPED_PAIRS.update(kinds)
    with tempfile.TemporaryDirectory(dir=Path(data).parent) as scratch:
        d = Path(scratch)
        persons, rights = write_inputs(data, period, kinds, d)
        rows = []
        for r, on in off_and_on(rounds):
            for k in kinds:
                cfg = LinkageConfig(memory_limit="2500MB", memory_budget="3300MB", model_files={k: str(models / f"{k}.json")},
                                    **{args.setting: on})
                seconds.seconds = None
                t0, c0 = time.perf_counter(), time.process_time()
                pairs = run_splink(persons, rights[k], k, cfg)
                rows.append({"round": r, "model": k, args.setting: on, "seconds": round(time.perf_counter() - t0, 1),
                             "cpu": round(time.process_time() - c0, 1),
                             ("blocking_s" if args.setting == "group_blocked_pairs" else "scoring_s"): seconds.seconds,
                             "pairs": len(pairs)})
                print(json.dumps(rows[-1]), flush=True)
                pairs.to_parquet(pairs_file(d, k, on, r))
        assert_same_pairs(d, kinds, rounds, key=["unique_id_l", "unique_id_r"])
        print(json.dumps({"same_pairs": True, "runs": rows}))


if __name__ == "__main__":
    main()
