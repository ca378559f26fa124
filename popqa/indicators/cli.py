"""``popqa indicators``: the indicator registry, as a table, Markdown or CSV."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("indicators", help="list the indicators the audit computes",
                       description="List every registered indicator: id, unit, stage, direction and names.")
    p.add_argument("--format", choices=("table", "markdown", "csv"), default="table")
    p.set_defaults(handler=_indicators)


def _indicators(args: argparse.Namespace) -> int:
    from popqa.indicators.docs import registry_frame, registry_markdown

    if args.format == "markdown":
        sys.stdout.write(registry_markdown())
    elif args.format == "csv":
        registry_frame().to_csv(sys.stdout, index=False)
    else:
        df = registry_frame()
        for r in df.itertuples():
            sys.stdout.write(f"{r.indicator_id:<36} {r.unit:<18} {r.stage:<12} {r.name_en}\n")
    return 0
