"""Whether two kept audits published the same results: the check behind "the same outputs" in docs/benchmarks.md.

Compares the results folders that ``bench_scale.py --keep DIR`` leaves (``DIR/results/PERIOD``): every Parquet
file frame for frame (values, dtypes, column order), every workbook's zip members byte for byte (but
``docProps/``, which holds the time it was written), and every JSON file as data, but the manifests and the
linkage models (``models/``: their run ids differ between any two runs). Prints one line with the counts and
one line per difference (at most 20); exits 0 when nothing differs, 1 otherwise.

Usage (light: a few seconds per thousand files)::

    .venv/bin/python benchmarks/compare_audits.py /work/big/keep33a /work/big/keep33n [--period 2026-10]
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

import pandas as pd


def compare(a: Path, b: Path) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Counts of what was compared, and ``(file, why)`` for each difference, between results folders."""
    bad: list[tuple[str, str]] = []
    counts = {"parquet": 0, "workbooks": 0, "members": 0, "json": 0}
    for ext in ("*.parquet", "*.xlsx", "*.json"):
        ra = {p.relative_to(a) for p in a.rglob(ext)}
        rb = {p.relative_to(b) for p in b.rglob(ext)}
        bad += [(str(rel), "only in one") for rel in sorted(ra ^ rb)]
        for rel in sorted(ra & rb):
            if ext == "*.parquet":
                counts["parquet"] += 1
                try:
                    pd.testing.assert_frame_equal(pd.read_parquet(a / rel), pd.read_parquet(b / rel))
                except AssertionError as exc:
                    bad.append((str(rel), str(exc).splitlines()[0][:200] if str(exc) else "differs"))
            elif ext == "*.xlsx":
                counts["workbooks"] += 1
                with zipfile.ZipFile(a / rel) as za, zipfile.ZipFile(b / rel) as zb:
                    if za.namelist() != zb.namelist():
                        bad.append((str(rel), "other members"))
                        continue
                    for name in za.namelist():
                        counts["members"] += 1
                        if not name.startswith("docProps/") and za.read(name) != zb.read(name):
                            bad.append((f"{rel}:{name}", "differs"))
            elif "models" not in rel.parts and rel.name != "manifest.json":
                counts["json"] += 1
                if json.loads((a / rel).read_text()) != json.loads((b / rel).read_text()):
                    bad.append((str(rel), "differs"))
    return counts, bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", help="a folder kept by bench_scale.py --keep (or a results folder's parent)")
    ap.add_argument("b")
    ap.add_argument("--period", default="2026-10")
    args = ap.parse_args(argv)
    a, b = (Path(p) / "results" / args.period for p in (args.a, args.b))
    for p in (a, b):
        if not p.is_dir():
            print(f"{p}: no such results folder", file=sys.stderr)
            return 2
    counts, bad = compare(a, b)
    print(f"{counts['parquet']} parquet, {counts['workbooks']} workbooks ({counts['members']} members), "
          f"{counts['json']} json compared; {len(bad)} differ")
    for rel, why in bad[:20]:
        print(f"{rel}: {why}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
