"""``popqa synth``: generate the synthetic province (register + ground truth)."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "synth",
        help="generate the synthetic province (register tables and ground truth)",
        description=(
            "Generate a synthetic province from real administrative units: households, persons, "
            "twelve months of events, administrative sources, surveys, injected faults and the "
            "truth tables. Writes OUT/register/<table>.<ext> and OUT/truth/<name>.parquet."
        ),
    )
    p.add_argument("--scale", type=float, default=0.01, help="fraction of the real size (1.0 = 1,198,153 persons)")
    p.add_argument("--seed", type=int, default=20261, help="random seed (default 20261)")
    p.add_argument("--province", default="72",
                   help="legacy GSO province code (default 72 Tây Ninh); several as one register, e.g. 72,80 "
                        "(Tây Ninh and Long An: the 2025 province Tây Ninh), or all (the 63, the nation)")
    p.add_argument("--period", default="2026-10", help="last month of the twelve months of events, YYYY-MM")
    p.add_argument("--districts", default=None, help="comma-separated district codes to keep, e.g. 710,711")
    p.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="register file format")
    p.add_argument("--months", type=int, default=1,
                   help="monthly exports of the same population ending at --period (OUT/<period>/register)")
    p.add_argument("--out", required=True, help="output folder")
    p.set_defaults(handler=_synth)


def _synth(args: argparse.Namespace) -> int:
    from popqa.synth import generate_province

    districts = [d.strip() for d in args.districts.split(",") if d.strip()] if args.districts else None
    if args.months > 1:
        from popqa.synth.history import generate_history

        hist = generate_history(months=args.months, scale=args.scale, seed=args.seed,
                                province_code=args.province, period=args.period, districts=districts)
        out = hist.write(args.out, fmt=args.format)
        for p in hist.periods:
            reg = hist.exports[p]
            sys.stdout.write(f"wrote {out}/{p}/register ({len(reg.persons):,} persons, "
                             f"{len(reg.events) if reg.events is not None else 0:,} events)\n")
        return 0
    prov = generate_province(
        scale=args.scale,
        seed=args.seed,
        province_code=args.province,
        period=args.period,
        districts=districts,
    )
    out = prov.write(args.out, fmt=args.format)
    reg = prov.register
    meta = prov.metadata()
    legacy, new = list(meta["province_codes"]), list(meta["provinces_2025"])  # type: ignore[call-overload]
    if len(legacy) > 1:
        def _list(codes: list[str]) -> str:
            return ", ".join(codes) if len(codes) <= 6 else f"{len(codes)}"
        sys.stdout.write(f"legacy provinces {_list(legacy)} as 2025 province(s) {_list(new)}\n")
    sys.stdout.write(
        f"wrote {out}/register ({len(reg.households):,} households, {len(reg.persons):,} persons, "
        f"{len(reg.events) if reg.events is not None else 0:,} events) and {out}/truth "
        f"({len(prov.truth['faults']):,} injected faults)\n"
    )
    return 0
