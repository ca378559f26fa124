"""The link stage with a model reused from last month's audit against the same stage training its own.

Two audits of the same export, each in a fresh process, back to back:

* **trained**: a new results folder; the link stage trains its five models (and stores them);
* **reused**: a results folder whose previous month is the first audit (a link to it, as if
  last month had been audited with the same data); the link stage reuses those models
  (``linkage.retrain_months``) and trains none.

Same data and the same model: the duplicate pairs, clusters and links must be identical, which
the script checks. Prints the link stage's seconds (wall and CPU, from the manifest) of both and
their ratio.

    .venv/bin/python benchmarks/bench_model_reuse.py --data out/demo/data/2026-10/register --period 2026-10
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import json, sys, time
from pathlib import Path
from popqa.pipeline import audit
from popqa.stages import STAGES
core = [s for s in STAGES if s.name not in ("reconcile", "demography", "labour")]
t = time.perf_counter()
res = audit(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), stages=core)
stages = {e["name"]: e for e in res.get("stages", [])}
print(json.dumps({"audit_s": time.perf_counter() - t, "link_s": res["timings"]["link"],
                  "link_cpu_s": stages.get("link", {}).get("cpu_seconds")}))
"""


def _audit(data: Path, period: str, results: Path) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, str(data), period, str(results)], capture_output=True,
                       text=True, cwd=results.parent)
    if r.returncode:
        sys.stderr.write(r.stderr[-4000:])
        raise SystemExit(1)
    return json.loads([x for x in r.stdout.splitlines() if x.startswith("{")][-1])


def _same(a: Path, b: Path) -> list[str]:
    import pandas as pd

    differ = []
    for rel in ("analyst/duplicate_pairs.parquet", "analyst/clusters.parquet", "analyst/findings.parquet"):
        x, y = pd.read_parquet(a / rel), pd.read_parquet(b / rel)
        if not x.equals(y):
            differ.append(rel)
    return differ


def main() -> int:
    from popqa.period import Period

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="a register folder (an export)")
    ap.add_argument("--period", required=True)
    ap.add_argument("--out", default=str(HERE / "out" / "model_reuse"))
    args = ap.parse_args()
    out = Path(args.out).resolve()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    data = Path(args.data).resolve()
    trained = _audit(data, args.period, out / "trained")
    # last month, as far as the second folder knows, is the first audit
    previous = str(Period.parse(args.period).previous())
    (out / "reused").mkdir()
    os.symlink((out / "trained" / args.period).resolve(), out / "reused" / previous)
    reused = _audit(data, args.period, out / "reused")
    models = json.loads((out / "reused" / args.period / "linkage" / "models" / "dedupe.json").read_text())
    differ = _same(out / "trained" / args.period, out / "reused" / args.period)
    rows = {
        "link stage, models trained": f"{trained['link_s']:.1f} s (CPU {trained['link_cpu_s']:.1f} s)",
        "link stage, models reused": f"{reused['link_s']:.1f} s (CPU {reused['link_cpu_s']:.1f} s)",
        "ratio reused / trained (wall)": f"{reused['link_s'] / trained['link_s']:.2f}",
        "audit trained / reused": f"{trained['audit_s']:.1f} s / {reused['audit_s']:.1f} s",
        "dedupe model reused from": str(models.get("reused_from")),
        "pairs, clusters, findings identical": "yes" if not differ else f"NO: {', '.join(differ)}",
    }
    for k, v in rows.items():
        print(f"{k}: {v}")
    (out / "bench.json").write_text(json.dumps(rows, indent=2))
    return 0 if not differ else 1


if __name__ == "__main__":
    raise SystemExit(main())
