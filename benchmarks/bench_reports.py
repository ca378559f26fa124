"""Benchmark of the report step: a fresh kernel per report vs one kept kernel per worker, and the site.

Usage::

    # on an audited period (e.g. after `make demo`): N reports in one process, each way, then the site
    .venv/bin/python benchmarks/bench_reports.py --results out/demo/results --reports 3
    # only one of the two ways, or the site alone
    .venv/bin/python benchmarks/bench_reports.py --results out/demo/results --ways kept --no-site

Prints, per report, the wall seconds of execute and HTML export (``render_district``'s own
timings) and, for the site, the wall seconds of ``render_site`` over every audited period. Run it
under ``flock /tmp/bench.lock`` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--results", type=Path, required=True, help="results root (RESULTS/<period>/ inside)")
    ap.add_argument("--period", default=None, help="audited period (default: the latest)")
    ap.add_argument("--reports", type=int, default=3, help="2025-commune reports per way")
    ap.add_argument("--ways", nargs="+", default=["fresh", "kept"], choices=["fresh", "kept"])
    ap.add_argument("--lang", default="vi", choices=["vi", "en"])
    ap.add_argument("--no-site", action="store_true")
    args = ap.parse_args()

    from popqa.reporting.kernels import session
    from popqa.reporting.runner import render_district, template_path
    from popqa.store import ResultsStore

    store = ResultsStore(args.results)
    period = args.period or store.periods()[-1]
    res = store.period_dir(period).resolve()
    codes = json.loads((res / "province.json").read_text(encoding="utf-8"))["communes_2025"][: args.reports]
    out = Path(tempfile.mkdtemp(prefix="bench_reports_"))
    for way in args.ways:
        for c in codes:
            task = {"key": c, "lang": args.lang, "output": str(out / f"{way}-{c}.html"),
                    "parameters": {"district_code": c, "level": "commune_2025", "period": period,
                                   "audit_dir": str(res), "lang": args.lang},
                    "template": str(template_path()), "kernel_name": "python3", "execution_timeout": 600,
                    "start_timeout": 60, "retries": 0, "audit_id": None, "reuse_kernel": way == "kept"}
            r = render_district(task)
            print(f"{way:5s} {c} {r['status']:6s} total {r['seconds']:6.2f} s  execute "
                  f"{r.get('execute_seconds', float('nan')):6.2f} s  html {r.get('html_seconds', float('nan')):5.2f} s"
                  f"  kernel report #{r.get('kernel_reports', 1)}", flush=True)
    session("python3").shutdown()
    if not args.no_site:
        from popqa.reporting.site import render_site

        site = out / "site"
        site.mkdir()
        t0 = time.perf_counter()
        render_site(res, site, {}, geography="2025", store_root=args.results)
        print(f"render_site ({len(store.periods())} period(s), both languages): {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
