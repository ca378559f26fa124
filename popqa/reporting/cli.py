"""``popqa audit``, ``popqa report`` and ``popqa run``."""

from __future__ import annotations

import argparse
import sys


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=None, help="district reports run at once (local pool)")
    p.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="local process pool (default) or a dask.distributed cluster")
    p.add_argument("--scheduler", default=None, help="dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--lang", choices=["vi", "en", "vi,en", "all"], default=None,
                   help="report language (default: config, vi); vi,en or all: both languages in one run "
                        "(one worker pool, each worker's kernel kept across languages, the site rendered once)")
    p.add_argument("--resume", action="store_true",
                   help="rerun only districts whose report is missing, failed, or from another audit")
    p.add_argument("--districts", nargs="+", default=None, metavar="CODE", help="only these units (2025 commune codes; district codes with --geography legacy)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--geography", choices=["2025", "legacy"], default="2025",
                   help="organise reports and site by the 2025 units (province, commune; default) or the legacy "
                        "three levels (one report per district)")


def _budget_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--memory-budget", default=None, metavar="SIZE",
                   help="memory this machine gives the linkage models, e.g. 3300MB or 6GB (linkage.memory_budget; "
                        "overrides the configuration): the models' peak stays near it whatever the register's size, "
                        "for some time (docs/scheduling.md); the audit id does not change")


def register(sub) -> None:
    p = sub.add_parser("audit", help="check, deduplicate, link and score a register export; write results",
                       description="Audit one register export and write Parquet/JSON results under RESULTS/PERIOD.")
    p.add_argument("--data", required=True, help="register folder (households, persons, events, sources)")
    p.add_argument("--period", required=True, help="YYYY-MM of the export")
    p.add_argument("--out", required=True, help="results root folder")
    p.add_argument("--config", default=None, help="YAML configuration")
    p.add_argument("--no-workbooks", action="store_true", help="skip the analyst XLSX workbooks")
    p.add_argument("--no-progress", action="store_true", help="no progress lines on stderr")
    p.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="check partitions in this process (default) or on a dask.distributed cluster")
    p.add_argument("--scheduler", default=None, help="dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--partition-by", choices=["district", "commune", "commune_2025"], default=None,
                   help="run the check stage partition by partition (default: the whole register at once "
                        "in this process, a legacy district on dask)")
    _budget_arg(p)
    p.set_defaults(handler=_audit)

    p = sub.add_parser("report", help="execute the district reports and render the supervisor site",
                       description="Execute the district report for each district and render the site.")
    p.add_argument("--results", required=True, help="results root written by popqa audit")
    p.add_argument("--out", required=True, help="site folder")
    p.add_argument("--period", default=None, help="YYYY-MM (default: the latest audited)")
    p.add_argument("--config", default=None, help="YAML configuration")
    _report_args(p)
    p.set_defaults(handler=_report)

    p = sub.add_parser("run", help="audit then report (optionally on a freshly generated synthetic province)",
                       description="popqa audit then popqa report; results in OUT/results, site in OUT/site.")
    p.add_argument("--data", default=None, help="register folder (or --synthetic)")
    p.add_argument("--period", required=True, help="YYYY-MM")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--config", default=None, help="YAML configuration")
    p.add_argument("--synthetic", action="store_true", help="generate the synthetic province into OUT/data first")
    p.add_argument("--scale", type=float, default=0.1, help="synthetic scale (1 = 1.2 M persons)")
    p.add_argument("--seed", type=int, default=20261, help="synthetic seed")
    _budget_arg(p)
    _report_args(p)
    p.set_defaults(handler=_run)


def _finish(run) -> int:
    out = sys.stdout
    if run.failed:
        for d, err in run.failed.items():
            sys.stderr.write(f"district {d} failed: {err}\n")
        sys.stderr.write(f"{len(run.failed)} district report(s) failed; see {run.site / 'manifest.json'}\n")
    out.write(f"{run.index.resolve()}\n")
    return 1 if run.failed else 0


def _report_kwargs(args) -> dict:
    return {"workers": args.workers, "executor": args.executor, "scheduler": args.scheduler, "lang": args.lang,
            "resume": args.resume, "districts": args.districts, "progress": not args.no_progress,
            "geography": args.geography}


def _audit(args) -> int:
    from popqa.pipeline import audit

    res = audit(args.data, args.period, args.out, args.config, workbooks=not args.no_workbooks,
                progress=not args.no_progress, executor=args.executor, scheduler=args.scheduler,
                partition_by=args.partition_by, memory_budget=args.memory_budget)
    sys.stdout.write(f"{res.results_dir.resolve()}\n")
    return 0


def _report(args) -> int:
    from popqa.pipeline import report

    return _finish(report(args.results, args.out, period=args.period, config=args.config, **_report_kwargs(args)))


def _run(args) -> int:
    from popqa.pipeline import run

    return _finish(run(args.data, args.period, args.out, args.config, synthetic=args.synthetic, scale=args.scale,
                       seed=args.seed, memory_budget=args.memory_budget, **_report_kwargs(args)))
