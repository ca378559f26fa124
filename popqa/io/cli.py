"""``popqa read`` (a register folder into canonical Parquet) and ``popqa contract``."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "read",
        help="read a register folder and write its canonical Parquet form",
        description="Read households, persons, events and any admin/survey tables (CSV, XLSX or "
        "Parquet; UTF-8, Windows-1258, TCVN3 or VNI) and write one Parquet file per table.",
    )
    p.add_argument("--data", required=True, help="register folder (one file per contract table)")
    p.add_argument("--out", required=True, help="output folder for the canonical Parquet form")
    p.add_argument("--period", help="period YYYY-MM of the export")
    p.set_defaults(handler=_read)

    c = sub.add_parser(
        "contract",
        help="print the data contract (input tables and outputs) as Markdown",
        description="Print the data contract that popqa accepts, generated from popqa/contract.py.",
    )
    c.set_defaults(handler=_contract)


def _read(args: argparse.Namespace) -> int:
    from popqa.io import read_register

    reg = read_register(args.data, period=args.period)
    reg.to_parquet(args.out)
    for row in reg.summary().itertuples():
        sys.stdout.write(f"{row.table}: {row.rows} rows\n")
    sys.stdout.write(f"values that did not parse: {len(reg.parse_issues)}\nwritten: {args.out}\n")
    return 0


def _contract(args: argparse.Namespace) -> int:
    from popqa.contract import to_markdown

    sys.stdout.write(to_markdown())
    return 0
