"""Time and peak memory of ``generate_province`` (and writing it) at several scales.

Also reports how close the present persons' 5-year age-sex pyramid is to the
target of :mod:`popqa.synth.pyramid` (total variation distance, 0-14 and 65+
shares, males per 100 females).

Usage: .venv/bin/python benchmarks/bench_synth.py [--scales 0.01,0.1,1.0] [--write] [--province 72,80]
       [--out DIR]   (keep the written register and truth in DIR/<scale> instead of a temporary folder)
Each scale runs in a fresh process so peak RSS is that scale's own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, tempfile, time
from popqa.synth import generate_province
scale, write, province, keep = float(sys.argv[1]), sys.argv[2] == "1", sys.argv[3], sys.argv[4]
t0 = time.perf_counter()
prov = generate_province(scale=scale, province_code=province)
t1 = time.perf_counter()
if write and keep:
    prov.write(keep, fmt="parquet")
elif write:
    with tempfile.TemporaryDirectory() as d:
        prov.write(d, fmt="parquet")
t2 = time.perf_counter()
reg = prov.register
# age-sex pyramid of the present persons (status 1, no injected duplicate row) against the target
from popqa.synth.province import period_bounds
from popqa.synth.pyramid import broad_shares, pyramid_of, sex_ratio, target_pyramid, total_variation
p = reg.persons
p = p[(p["status"] == 1) & ~p["person_id"].isin(prov.truth["duplicates"]["person_id"])
      & p["birth_date"].notna() & p["sex"].isin([1, 2])].drop_duplicates("person_id")
age = (period_bounds(prov.period)[1] - p["birth_date"]).dt.days.to_numpy() / 365.25
pyr = pyramid_of(age, p["sex"].astype(int).to_numpy())
b = broad_shares(pyr)
print(json.dumps({
    "province": province, "scale": scale, "generate_s": round(t1 - t0, 1), "write_s": round(t2 - t1, 1),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "households": len(reg.households), "persons": len(reg.persons), "events": len(reg.events),
    "faults": len(prov.truth["faults"]), "duplicates": len(prov.truth["duplicates"]),
    "present_true": int(prov.truth["population"]["true_population"].sum()),
    "pyramid_tvd": round(total_variation(pyr, target_pyramid()), 4),
    "pct_0_14": round(100 * b["0-14"], 1), "pct_65_plus": round(100 * b["65+"], 1),
    "sex_ratio": round(sex_ratio(pyr), 1),
}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", default="0.01,0.1,1.0")
    ap.add_argument("--write", action="store_true", help="also time writing Parquet")
    ap.add_argument("--province", default="72", help="legacy code(s), e.g. 72,80 (the 2025 Tây Ninh) or all")
    ap.add_argument("--out", default="", help="keep the written output in OUT/<scale> (with --write)")
    args = ap.parse_args()
    rows = []
    for s in args.scales.split(","):
        keep = str(Path(args.out).resolve() / s) if args.out else ""
        out = subprocess.run(
            [sys.executable, "-c", CHILD, s, "1" if args.write else "0", args.province, keep],
            check=True, capture_output=True, text=True, cwd=tempfile.gettempdir(),
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    cols = list(rows[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(f"{r[c]:,}" if isinstance(r[c], int) else str(r[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()
