"""``popqa extract``: the lists other agencies ask the register for, with quality flags."""

from __future__ import annotations

import argparse
import sys

_KINDS = ("school_entry", "under6", "immunization", "voters", "military_registration", "military_service")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "extract",
        help="make data-sharing extracts (school entry, under 6, immunization, voters, military)",
        description="Make data-sharing extracts of the present persons: one row per person (probable "
                    "duplicates folded into one row), with flags for the entries to verify. Writes "
                    "<kind>.csv, one XLSX per commune, summary.json and a line of sharing-log.jsonl into --out "
                    "(personal data: never inside a site or a results folder). Kinds: " + ", ".join(_KINDS) + ".",
    )
    p.add_argument("--data", required=True, help="register folder (one file per contract table)")
    p.add_argument("--period", required=True, help="period YYYY-MM of the export (export date = its last day)")
    p.add_argument("--kind", required=True, action="append",
                   help="kind of extract (repeat, or comma-separate, for several; 'all' for every kind)")
    p.add_argument("--out", required=True, help="extracts folder")
    p.add_argument("--as-of", dest="as_of", help="reference date YYYY-MM-DD (default the export date)")
    p.add_argument("--school-year", dest="school_year",
                   help="school_entry: school year starting in September of YYYY (default: the next after June)")
    p.add_argument("--election-date", dest="election_date",
                   help="voters: election date YYYY-MM-DD (default the reference date)")
    p.add_argument("--results", help="results folder of the audit of this period: reuse its duplicate clusters "
                                     "and findings (else the checks and the deduplication run here)")
    p.add_argument("--collapse-at", dest="collapse_at", type=float,
                   help="list the records of one probable person as one row only where the deduplication linked "
                        "them at this probability or more (e.g. 0.99); the rest are listed apart, flagged "
                        "possible_duplicate (default: the linkage's clusters as they are)")
    p.add_argument("--config", help="YAML configuration (checks:, linkage:, language)")
    p.add_argument("--lang", choices=("vi", "en"), help="language of the workbooks (default the configuration's)")
    p.set_defaults(handler=_extract)


def _kinds(values: list[str]) -> list[str]:
    from popqa.errors import InputError

    kinds: list[str] = []
    for v in values:
        for k in (x.strip() for x in v.split(",")):
            if k == "all":
                kinds.extend(_KINDS)
            elif k in _KINDS:
                kinds.append(k)
            else:
                raise InputError(f"--kind: unknown kind {k!r}; one of {', '.join(_KINDS)} or all")
    return list(dict.fromkeys(kinds))


def _extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    import pandas as pd

    from popqa.config import load_config
    from popqa.errors import InputError
    from popqa.extracts.build import build_extract, extract_basis, extract_params
    from popqa.extracts.write import (
        _audit_artifacts,
        _audit_pairs,
        check_extract_dir,
        write_extract,
    )
    from popqa.io import read_register

    kinds = _kinds(args.kind)
    school_year = None
    if args.school_year is not None:
        if not args.school_year.isdigit():
            raise InputError(f"--school-year: {args.school_year!r} is not a year (YYYY)")
        school_year = int(args.school_year)
    for k in kinds:  # every date checked before any work
        extract_params(k, args.period, as_of=args.as_of, school_year=school_year, election_date=args.election_date)
    cfg = load_config(args.config)
    data = Path(args.data)
    if not data.is_dir():
        raise InputError("register folder not found", file=str(data))
    out = check_extract_dir(args.out, data_dir=data)
    reg = read_register(data, period=args.period)
    report = list(getattr(reg, "read_report", None) or [])
    provenance = {"data": str(data.resolve()),
                  "inputs": [{"file": r.get("file"), "sha256": r.get("sha256")} for r in report if r.get("sha256")]}
    if args.results:
        clusters, findings, prov = _audit_artifacts(args.results, args.period, report)
        pairs = _audit_pairs(args.results, args.period) if args.collapse_at is not None else None
        provenance.update(prov)
    else:
        from popqa.checks import run_checks
        from popqa.linkage import dedupe

        sys.stderr.write("popqa extract: no --results: running the checks and the deduplication …\n")
        findings = run_checks(reg, cfg)
        dd = dedupe(reg.persons, cfg.linkage, households=reg.get("households"))
        clusters, pairs = dd.clusters, dd.pairs
        if len(dd.findings):
            findings = pd.concat([findings, dd.findings], ignore_index=True)
    basis = extract_basis(reg, clusters=clusters, findings=findings, pairs=pairs, collapse_at=args.collapse_at)
    for k in kinds:
        table = build_extract(reg, k, period=args.period, as_of=args.as_of, school_year=school_year,
                              election_date=args.election_date, basis=basis)
        res = write_extract(table, out, lang=args.lang or cfg.language, provenance=provenance)
        s = res.summary
        sys.stdout.write(f"{k}: {s['persons']} persons, {s['flags'].get('any', 0)} to verify, {len(res.files) - 1} commune workbook(s) -> {out / (k + '.csv')}\n")
    sys.stdout.write(f"sharing log: {out / 'sharing-log.jsonl'}\n")
    return 0
