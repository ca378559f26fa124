"""``popqa units``: list administrative units and the 2025 crosswalk."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "units",
        help="list administrative units (legacy or 2025) or the legacy-to-2025 crosswalk",
        description="List communes of a province with their district, names and centroids.",
    )
    p.add_argument("--province", default=None, help="legacy province code (default: all)")
    p.add_argument("--kind", choices=["legacy", "2025", "crosswalk"], default="legacy")
    p.add_argument("--out", help="write CSV here instead of printing")
    p.set_defaults(handler=_units)


def _units(args: argparse.Namespace) -> int:
    from popqa import geo

    if args.kind == "legacy":
        df = geo.legacy_units(args.province)
    elif args.kind == "2025":
        df = geo.units_2025(args.province)
    else:
        df = geo.crosswalk(args.province)
    if args.out:
        df.to_csv(args.out, index=False)
    else:
        df.to_csv(sys.stdout, index=False)
    return 0
