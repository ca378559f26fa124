"""``popqa check`` and ``popqa rules``."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="run the quality rules over a register folder and write the findings",
        description="Run every rule that the tables present allow; write the findings table "
        "(CSV or Parquet by the extension of --out). Exit code 0 when it ran, whatever it found.",
    )
    p.add_argument("--data", required=True, help="register folder (one file per contract table)")
    p.add_argument("--out", required=True, help="findings file (.csv or .parquet)")
    p.add_argument("--period", help="period YYYY-MM of the export (reference date = its last day)")
    p.add_argument("--config", help="YAML configuration (section checks:)")
    p.set_defaults(handler=_check)

    r = sub.add_parser("rules", help="list the quality rules and what to do about each",
                       description="List the rule catalogue: id, dimension, severity, table, message and the "
                                   "recommended action.")
    r.add_argument("--format", choices=("table", "markdown", "csv"), default="table")
    r.add_argument("--lang", choices=("vi", "en"), default="en", help="language of the table format")
    r.set_defaults(handler=_rules)


def _check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from popqa.checks import run_checks
    from popqa.config import load_config
    from popqa.errors import InputError
    from popqa.io import read_register
    from popqa.io.safe import safe_frame

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError("the findings file must end in .csv or .parquet", file=str(out))
    cfg = load_config(args.config)
    reg = read_register(args.data, period=args.period)
    if len(reg.persons) == 0:
        sys.stderr.write(f"warning: the persons table of {args.data} has no rows: nothing to check\n")
    findings = run_checks(reg, cfg)
    from popqa.store import atomic_write_bytes, write_parquet

    if out.suffix.lower() == ".csv":
        # a BOM so that Excel reads UTF-8 (Vietnamese) and text escaped against formula injection;
        # written to a temporary sibling and renamed: a full disk leaves no partial file
        text = safe_frame(findings).to_csv(index=False)
        atomic_write_bytes(out, text.encode("utf-8-sig"))
    else:
        write_parquet(out, findings)
    counts = findings["severity"].value_counts()
    sys.stdout.write(
        f"findings: {len(findings)} (error {counts.get('error', 0)}, warning {counts.get('warning', 0)}, "
        f"info {counts.get('info', 0)})\nwritten: {out}\n"
    )
    return 0


def _rules(args: argparse.Namespace) -> int:
    from popqa.checks.docs import catalogue_frame, rules_markdown, rules_text

    if args.format == "markdown":
        sys.stdout.write(rules_markdown())
    elif args.format == "csv":
        catalogue_frame().to_csv(sys.stdout, index=False)
    else:
        sys.stdout.write(rules_text(args.lang))
    return 0
