"""Benchmark the readers: a province's register from CSV (UTF-8 and TCVN3) and Parquet.

Usage::

    .venv/bin/python benchmarks/bench_io.py --scale 1.0

Generates the synthetic province once, writes it as CSV, as a TCVN3-encoded CSV (the
legacy encoding, with detection) and as Parquet, then times ``popqa.read_register`` on each
in a fresh process and reports its peak memory (max RSS).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, sys, time
def peak_mb():
    # VmHWM is this process's own high-water mark (ru_maxrss would carry the parent's across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
t = time.perf_counter()
from popqa.io import read_register
reg = read_register(sys.argv[1])
secs = time.perf_counter() - t
print(json.dumps({"seconds": secs, "persons": len(reg.persons), "households": len(reg.households),
                  "tables": len(reg.tables), "issues": len(reg.parse_issues),
                  "peak_mb": peak_mb()}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=20261)
    args = ap.parse_args()

    from popqa.io.encodings import encode
    from popqa.synth import generate_province

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sp = generate_province(scale=args.scale, seed=args.seed)
        sp.write(tmp / "csv", fmt="csv")
        sp.write(tmp / "parquet", fmt="parquet")
        legacy = tmp / "tcvn3" / "register"
        legacy.mkdir(parents=True)
        for f in (tmp / "csv" / "register").glob("*.csv"):
            (legacy / f.name).write_bytes(encode(f.read_text(encoding="utf-8"), "tcvn3"))
        rows = []
        for label, folder in (
            ("CSV UTF-8", tmp / "csv" / "register"),
            ("CSV TCVN3 (detected)", legacy),
            ("Parquet", tmp / "parquet" / "register"),
        ):
            out = subprocess.run([sys.executable, "-c", CHILD, str(folder)], capture_output=True, text=True, check=True)
            r = json.loads(out.stdout)
            rows.append((label, r))
    print(f"scale {args.scale}: {rows[0][1]['persons']:,} persons, {rows[0][1]['households']:,} households, "
          f"{rows[0][1]['tables']} tables")
    print(f"{'format':<22} {'seconds':>8} {'peak MB':>8}")
    for label, r in rows:
        print(f"{label:<22} {r['seconds']:>8.1f} {r['peak_mb']:>8.0f}")


if __name__ == "__main__":
    main()
