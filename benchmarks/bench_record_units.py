"""The records' unit table (``popqa.scorecard.core.record_units``, the findings stage's largest step) on a
register folder, with its tables left as the audit leaves them after the link stage (issue 16).

The administrative sources and the persons' columns of :data:`popqa.pipeline.LEFT_ON_DISK` are put in a
:class:`popqa.io.spill.Spill` in a scratch folder and the register holds them as tables on disk, as the
audit of a register above the spill threshold does; ``record_units`` is then timed ``--repeat`` times in one
process for each checkout given with ``--code`` (default: this one), the checkouts alternating in
``--rounds`` child processes each, so that a machine's drift falls on all of them. With ``--check`` the
frames of the checkouts are compared (the same values and dtypes, or the script fails).

``--step coverage`` times the coverage by the administrative sources instead, as the link and publish
stages count it from the sources left on disk: ``popqa.checks.coverage_findings`` (each checkout's own) and
each source's records and linked records per commune, both as a checkout before the thirty-second
measurement counted them (its two columns read as Python text, then pandas' grouping: ``grouped_s``) and,
where the checkout has it, with ``popqa.summaries.commune_coverage`` (``coded_s``). The links are every
source record but one in thirty, a share near the audit's (97.6 % of the police residence records at
3.38 M persons); the findings and counts do not depend on which.

Usage::

    .venv/bin/python benchmarks/bench_record_units.py --register /work/big/m33/register \\
        --code /work/big/wt_30 --code . --rounds 2
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, sys, time, tempfile
code, register, repeat, keep, step = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
sys.path.insert(0, code)
import popqa
from popqa.io import read_register
from popqa.io.register import TableOnDisk
from popqa.io.spill import Spill
from popqa.pipeline import LEFT_ON_DISK
from popqa.scorecard.core import record_units

reg = read_register(register)
persons = len(reg.persons)
scratch = tempfile.mkdtemp(prefix="bench-record-units-")
spill = Spill(scratch)
for name, held in LEFT_ON_DISK.items():
    if name in reg.tables:
        spill.put(name, reg.tables[name], keep=list(held))
        reg.tables[name] = TableOnDisk(spill, name)
times, extra = [], {}
if step == "record_units":
    for _ in range(repeat):
        t0 = time.perf_counter()
        frame = record_units(reg, reg.households["province_code"].mode().iloc[0])
        times.append(round(time.perf_counter() - t0, 2))
else:
    import pandas as pd
    from popqa import summaries, textkeys
    from popqa.checks import coverage_findings
    from popqa.contract import TABLES
    sources = [s for s in ("civil_births", "civil_deaths", "residents", "insurance") if s in reg.tables]
    links = {}
    for s in sources:
        ids = reg.columns(s, [TABLES[s].key])[TABLES[s].key]
        links[s] = pd.DataFrame({"source_id": ids, "person_id": ids.where(pd.RangeIndex(len(ids)) % 30 != 0)})
    extra = {"grouped_s": [], "coded_s": []}
    for _ in range(repeat):
        t0 = time.perf_counter()
        frame = coverage_findings(reg, links)
        times.append(round(time.perf_counter() - t0, 2))
        counts = {}
        t0 = time.perf_counter()
        for s in sources:  # as unit_results counted them before commune_coverage
            key = TABLES[s].key
            src = reg.columns(s, [key, "commune_code"])
            t = pd.DataFrame({"commune_code": src["commune_code"].astype("string"),
                              "linked": textkeys.isin(src[key], links[s].loc[links[s]["person_id"].notna(), "source_id"])})
            counts[s] = t.groupby("commune_code").agg(records=("linked", "size"), linked=("linked", "sum")).reset_index()
        extra["grouped_s"].append(round(time.perf_counter() - t0, 2))
        if hasattr(summaries, "commune_coverage"):
            t0 = time.perf_counter()
            for s in sources:
                key = TABLES[s].key
                src = reg.columns(s, [key, "commune_code"], arrow_text=True)
                coded = summaries.commune_coverage(
                    src["commune_code"], textkeys.isin(src[key], links[s].loc[links[s]["person_id"].notna(), "source_id"]))
                pd.testing.assert_frame_equal(coded, counts[s])
            extra["coded_s"].append(round(time.perf_counter() - t0, 2))
if keep != "-":
    frame.to_pickle(keep)
spill.remove()
print(json.dumps({"code": popqa.__file__, "step": step, "persons": persons, "rows": len(frame),
                  "seconds": times, **extra}))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--register", required=True, help="a register folder (its Parquet or CSV tables)")
    ap.add_argument("--code", action="append", help="a checkout to time (repeatable; default: this one)")
    ap.add_argument("--rounds", type=int, default=1, help="child processes per checkout, alternating")
    ap.add_argument("--repeat", type=int, default=2, help="timings in each child process")
    ap.add_argument("--check", action="store_true", help="the checkouts' frames must be the same")
    ap.add_argument("--step", choices=("record_units", "coverage"), default="record_units",
                    help="what is timed: the records' unit table, or the coverage by the sources")
    args = ap.parse_args(argv)
    codes = [str(Path(c).resolve()) for c in (args.code or [str(Path(__file__).resolve().parents[1])])]
    frames: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for i, code in enumerate(codes):
                keep = str(Path(tmp) / f"{i}.pkl") if args.check and r == 0 else "-"
                out = subprocess.run([sys.executable, "-c", CHILD, code, args.register, str(args.repeat), keep, args.step],
                                     capture_output=True, text=True)
                if out.returncode:
                    print(out.stderr, file=sys.stderr)
                    return out.returncode
                result = json.loads(out.stdout.strip().splitlines()[-1])
                print(json.dumps({"round": r + 1, **result}), flush=True)
                if keep != "-":
                    frames[code] = keep
        if args.check and len(frames) > 1:
            import pandas as pd

            first, *others = frames.values()
            want = pd.read_pickle(first)
            for other in others:
                pd.testing.assert_frame_equal(pd.read_pickle(other), want)
            print("the same frame from every checkout")
    return 0


if __name__ == "__main__":
    sys.exit(main())
