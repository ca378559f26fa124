"""The source models alone with ``linkage.narrow_register`` off and on (issue 16): the register read, the
persons' and the sources' linkage features written to files as the audit's link stage writes them, then
``link_frames`` for each source, off then on in even rounds and on then off in odd ones, with the seconds,
the pairs and the links of each; each run's pairs are written beside the features and compared frame for
frame between off and on. Figures in docs/benchmarks.md, "twenty-second measurement".

Usage (heavy: wrap in ``flock /tmp/bench.lock``)::

    .venv/bin/python benchmarks/bench_narrow.py REGISTER_DIR 2026-10 civil_births,civil_deaths,insurance 2

The models run with ``memory_limit: 2500MB`` and ``memory_budget: 3300MB`` (``configs/mem33b.yaml``).
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    from linkage_inputs import assert_same_pairs, off_and_on, pairs_file, write_inputs

    from popqa.linkage.config import LinkageConfig
    from popqa.linkage.link import link_frames

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S",
                        stream=sys.stderr)
    logging.getLogger("splink").setLevel(logging.ERROR)
    data, period, kinds, rounds = sys.argv[1], sys.argv[2], sys.argv[3].split(","), int(sys.argv[4])
    with tempfile.TemporaryDirectory(dir=Path(data).parent) as scratch:
        d = Path(scratch)
        persons, rights = write_inputs(data, period, kinds, d)
        rows = []
        for r, narrow in off_and_on(rounds):
            for k in kinds:
                cfg = LinkageConfig(memory_limit="2500MB", memory_budget="3300MB", narrow_register=narrow)
                t0 = time.perf_counter()
                out = link_frames(persons, rights[k], k, cfg)
                rows.append({"round": r, "source": k, "narrow": narrow, "seconds": round(time.perf_counter() - t0, 1),
                             "pairs": len(out.pairs), "linked": int(out.links["person_id"].notna().sum())})
                print(json.dumps(rows[-1]), flush=True)
                out.pairs.to_parquet(pairs_file(d, k, narrow, r))
        assert_same_pairs(d, kinds, rounds)
        print(json.dumps({"same_pairs": True, "runs": rows}))


if __name__ == "__main__":
    main()
