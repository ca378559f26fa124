"""Benchmark the readers: a province's register from CSV (UTF-8 and TCVN3) and Parquet.

Usage::

    .venv/bin/python benchmarks/bench_io.py --scale 1.0
    .venv/bin/python benchmarks/bench_io.py --scale 0.3 --data /tmp/bench-io-0.3 --repeat 3

Generates the synthetic province once, writes it as CSV, as a TCVN3-encoded CSV (the
legacy encoding, with detection) and as Parquet, then times ``popqa.read_register`` on each
in a fresh process and reports its wall-clock seconds, its CPU seconds (user + system, less
sensitive to other work on a shared machine) and its peak memory (VmHWM).

``--data DIR`` keeps the generated folders in DIR and reuses them on the next run, so two
versions of the readers can be timed on the same files (put the other version first on
``PYTHONPATH``); ``--repeat N`` reads each folder N times and reports the fastest.
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
c = time.process_time()
from popqa.io import read_register
reg = read_register(sys.argv[1])
secs = time.perf_counter() - t
cpu = time.process_time() - c
print(json.dumps({"seconds": secs, "cpu": cpu, "persons": len(reg.persons), "households": len(reg.households),
                  "tables": len(reg.tables), "issues": len(reg.parse_issues),
                  "peak_mb": peak_mb()}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--data", help="keep the generated folders here and reuse them when present")
    ap.add_argument("--repeat", type=int, default=1, help="read each folder N times, report the fastest")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(args.data) if args.data else Path(tmp_dir)
        if not (tmp / "done").exists():
            _generate(tmp, args.scale, args.seed)
        rows = []
        for label, folder in (
            ("CSV UTF-8", tmp / "csv" / "register"),
            ("CSV TCVN3 (detected)", tmp / "tcvn3" / "register"),
            ("Parquet", tmp / "parquet" / "register"),
        ):
            runs = []
            for _ in range(max(args.repeat, 1)):
                out = subprocess.run([sys.executable, "-c", CHILD, str(folder)], capture_output=True, text=True)
                if out.returncode:
                    sys.stderr.write(out.stderr)
                    raise SystemExit(out.returncode)
                runs.append(json.loads(out.stdout))
            best = min(runs, key=lambda r: r["seconds"])
            best["cpu"] = min(r["cpu"] for r in runs)
            rows.append((label, best))
    print(f"scale {args.scale}: {rows[0][1]['persons']:,} persons, {rows[0][1]['households']:,} households, "
          f"{rows[0][1]['tables']} tables")
    print(f"{'format':<22} {'seconds':>8} {'cpu s':>8} {'peak MB':>8}")
    for label, r in rows:
        print(f"{label:<22} {r['seconds']:>8.1f} {r['cpu']:>8.1f} {r['peak_mb']:>8.0f}")


def _generate(tmp: Path, scale: float, seed: int) -> None:
    from popqa.io.encodings import encode
    from popqa.synth import generate_province

    sp = generate_province(scale=scale, seed=seed)
    sp.write(tmp / "csv", fmt="csv")
    sp.write(tmp / "parquet", fmt="parquet")
    legacy = tmp / "tcvn3" / "register"
    legacy.mkdir(parents=True, exist_ok=True)
    for f in (tmp / "csv" / "register").glob("*.csv"):
        (legacy / f.name).write_bytes(encode(f.read_text(encoding="utf-8"), "tcvn3"))
    (tmp / "done").write_text(f"scale {scale} seed {seed}\n")


if __name__ == "__main__":
    main()
