"""The report step of ``make demo``: two ``popqa report`` calls (``--lang vi`` then ``--lang en``)
with the code of another checkout, against one ``--lang vi,en`` call with this one, on the same
finished audits; then the visible text of every report compared (charts, scripts, styles and the
audit id left out), so a speed-up that loses content shows.

Reproduce (issue 13, docs/benchmarks.md "The report step of make demo")::

    make demo OUT=/tmp/demo1                                  # three audited months
    git worktree add /tmp/popqa-2d5e939 2d5e939               # the code before
    .venv/bin/python benchmarks/bench_report_langs.py --results /tmp/demo1/results \\
        --base-code /tmp/popqa-2d5e939 --out /tmp/report-langs --repeat 2

Run it under ``flock /tmp/bench.lock`` on a shared machine; the before and after runs alternate,
so a change of load affects both.
"""

from __future__ import annotations

import argparse
import glob
import html
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

POPQA = Path(sys.executable).with_name("popqa")


def _report(results: Path, out: Path, langs: str, code: Path | None, workers: int) -> float:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if code is not None:
        env["PYTHONPATH"] = str(code.resolve())
    t0 = time.perf_counter()
    subprocess.run([str(POPQA), "report", "--results", str(results), "--out", str(out), "--workers", str(workers),
                    "--lang", langs, "--no-progress"], check=True, env=env, cwd="/", stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def visible_text(path: str) -> str:
    """A report's text as a reader sees it, charts replaced by a marker."""
    s = Path(path).read_text(encoding="utf-8")
    s = re.sub(r'<svg [^>]*class="chart".*?</svg>', " CHART ", s, flags=re.S)
    s = re.sub(r"<img [^>]*>", " CHART ", s)
    s = re.sub(r"<(script|style)\b.*?</\1>", " ", s, flags=re.S | re.I)
    s = re.sub(r'<meta name="popqa-audit-id"[^>]*>', "", s)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", s)).split())


def compare(before: Path, after: Path) -> tuple[int, int]:
    """(reports compared, reports whose visible text differs)."""
    n = diff = 0
    for p in sorted(glob.glob(str(before / "communes" / "*.html")) + glob.glob(str(before / "province" / "*.html"))):
        q = Path(p.replace(str(before), str(after), 1))
        if not q.exists():
            print(f"missing in the after site: {q}")
            diff += 1
            continue
        n += 1
        diff += visible_text(p) != visible_text(str(q))
    return n, diff


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", required=True, help="a results folder with audited months")
    ap.add_argument("--base-code", required=True, help="checkout of the code before (its popqa/ on PYTHONPATH)")
    ap.add_argument("--out", default="/tmp/report-langs")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    results, out, base = Path(args.results).resolve(), Path(args.out), Path(args.base_code)
    rows = []
    for i in range(1, args.repeat + 1):
        b, a = out / f"before{i}", out / f"after{i}"
        for d in (a, b):
            shutil.rmtree(d, ignore_errors=True)
        before = _report(results, b, "vi", base, args.workers) + _report(results, b, "en", base, args.workers)
        after = _report(results, a, "vi,en", None, args.workers)
        n, diff = compare(b, a)
        rows.append((i, before, after, n, diff))
    print("| run | before: --lang vi + --lang en | after: --lang vi,en | before / after | reports compared | differ |")
    print("|---|---|---|---|---|---|")
    for i, before, after, n, diff in rows:
        print(f"| {i} | {before:.1f} s | {after:.1f} s | {before / after:.2f}x | {n} | {diff} |")
    return 1 if any(r[4] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
