"""What moving the register out of memory costs the link stage (issue 16): ``popqa.io.spill.Spill`` puts
every table of a register folder to Parquet and gets it back, as the audit's link stage does above
500,000 persons (``linkage.spill_register``). Prints one JSON line: seconds to put and to get every
table, the folder's size, and the process's resident memory (MiB) after reading, after the tables
left memory (the C heap's free pages handed back) and after they came back. Figures in
docs/benchmarks.md, "eighth measurement".

Usage (wrap in ``flock /tmp/bench.lock`` beside other benchmarks)::

    .venv/bin/python benchmarks/bench_spill.py REGISTER_DIR [--scratch DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from bench_link_models import _status


def _rss_mb() -> float:
    from popqa.stages import hand_back_free_memory

    hand_back_free_memory()  # not glibc: the figure includes free heap pages
    return _status("VmRSS")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("register")
    ap.add_argument("--scratch", default=None, help="where the files go (default: a temporary folder)")
    args = ap.parse_args()

    from popqa.io import read_register
    from popqa.io.spill import Spill

    reg = read_register(args.register)
    persons = len(reg.persons)
    rss_read = _rss_mb()
    folder = Path(args.scratch or tempfile.mkdtemp(prefix="popqa-spill-")) / "register"
    spill = Spill(folder)
    names = list(reg.tables)
    t0 = time.perf_counter()
    for name in names:
        spill.put(name, reg.tables[name])
        reg.tables[name] = None
    put_s = time.perf_counter() - t0
    size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
    rss_out = _rss_mb()
    t0 = time.perf_counter()
    for name in names:
        reg.tables[name] = spill.get(name)
    get_s = time.perf_counter() - t0
    rss_back = _rss_mb()
    spill.remove()
    if args.scratch is None:
        shutil.rmtree(folder.parent, ignore_errors=True)
    print(json.dumps({"register": args.register, "persons": persons, "tables": len(names),
                      "put_s": round(put_s, 2), "get_s": round(get_s, 2), "files_mb": round(size_mb),
                      "rss_after_read_mb": round(rss_read), "rss_tables_out_mb": round(rss_out),
                      "rss_tables_back_mb": round(rss_back)}))


if __name__ == "__main__":
    main()
