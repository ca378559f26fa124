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
    p.add_argument(
        "--bad-rows",
        choices=("error", "set_aside"),
        default="error",
        help="a malformed row (cut-off last row, unterminated quote, wrong number of fields) "
        "stops the read (error, the default) or is set aside and reported (set_aside)",
    )
    p.set_defaults(handler=_read)

    c = sub.add_parser(
        "contract",
        help="print the data contract (input tables and outputs) as Markdown",
        description="Print the data contract that popqa accepts, generated from popqa/contract.py.",
    )
    c.set_defaults(handler=_contract)


def _read(args: argparse.Namespace) -> int:
    from popqa.io import ReadOptions, read_register

    reg = read_register(args.data, period=args.period, options=ReadOptions(bad_rows=args.bad_rows))
    reg.to_parquet(args.out)
    for rep in reg.read_report:
        aside = rep["rows_set_aside"]
        reasons = ", ".join(f"{n} {r}" for r, n in rep.get("set_aside_by_reason", {}).items())
        sys.stdout.write(
            f"{rep['table']}: {rep['rows_read']} rows read from {rep['file']}"
            + (f", {aside} set aside ({reasons})" if aside else "")
            + "\n"
        )
    sys.stdout.write(f"values that did not parse: {len(reg.parse_issues)}\nwritten: {args.out}\n")
    return 0


def _contract(args: argparse.Namespace) -> int:
    from popqa.contract import to_markdown

    sys.stdout.write(to_markdown())
    return 0
