"""``popqa dedupe`` and ``popqa link``: thin wrappers around :mod:`popqa.linkage`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

KINDS = ("civil_births", "civil_deaths", "residents", "insurance", "survey")


def register(sub: argparse._SubParsersAction) -> None:
    d = sub.add_parser(
        "dedupe",
        help="find duplicate persons in the register (Splink, DuckDB)",
        description="Score pairs of register persons that may be the same person, cluster them and "
        "write the pairs (person_id_l, person_id_r, match_probability, evidence) to --out and the "
        "clusters (person_id, cluster_id) beside it as <out>_clusters.<ext>.",
    )
    d.add_argument("--persons", required=True, help="persons table (CSV, XLSX or Parquet)")
    d.add_argument("--out", required=True, help="pairs file to write (.parquet or .csv)")
    d.add_argument("--households", help="households table, to attach collaborator_id to the findings")
    d.add_argument("--reviews", help="reviewed workbook (XLSX) whose decisions override the model")
    d.add_argument("--review-out", help="write the clerical-review workbook of uncertain pairs here (.xlsx)")
    d.add_argument("--findings-out", help="write the uniqueness findings here")
    d.add_argument("--calibration", help="calibration JSON of an earlier run (used when --reviews are too few to "
                   "fit a new one)")
    d.add_argument("--calibration-out", help="write the calibration fitted on --reviews here, for the next run")
    d.add_argument("--config", help="popqa YAML configuration")
    d.set_defaults(handler=_dedupe)

    link = sub.add_parser(
        "link",
        help="link an administrative or survey source to the register's persons",
        description="Score pairs between the register's persons (--left) and a source (--right), "
        "write them to --out and the best accepted person per source record beside it as "
        "<out>_links.<ext>.",
    )
    link.add_argument("--left", required=True, help="register persons table")
    link.add_argument("--right", required=True, help="source table")
    link.add_argument("--kind", required=True, choices=KINDS, help="what the source is")
    link.add_argument("--out", required=True, help="pairs file to write (.parquet or .csv)")
    link.add_argument("--config", help="popqa YAML configuration")
    link.set_defaults(handler=_link)


def _read(path: str, table: str) -> pd.DataFrame:
    from popqa.io import read_table

    frame, _issues = read_table(path, table)
    return frame


def _write(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        df.to_csv(path, index=False, encoding="utf-8")
    else:
        from popqa.store import parquet_frame

        parquet_frame(df, path)


def _beside(path: Path, what: str) -> Path:
    return path.with_name(f"{path.stem}_{what}{path.suffix or '.parquet'}")


def _config(path: str | None):
    from popqa.config import load_config

    return load_config(path)


def _dedupe(args: argparse.Namespace) -> int:
    from popqa.linkage import dedupe, read_reviews

    persons = _read(args.persons, "persons")
    households = _read(args.households, "households") if args.households else None
    reviews = read_reviews(args.reviews) if args.reviews else None
    calibration = None
    if args.calibration:
        from popqa.linkage.calibration import load_calibration

        calibration = load_calibration(args.calibration)
    result = dedupe(persons, _config(args.config), reviews=reviews, households=households, calibration=calibration)
    out = Path(args.out)
    _write(result.pairs, out)
    _write(result.clusters, _beside(out, "clusters"))
    if args.findings_out:
        _write(result.findings, Path(args.findings_out))
    if args.review_out:
        result.write_review(args.review_out, persons)
    n_dup = int((result.clusters["person_id"] != result.clusters["cluster_id"]).sum())
    sys.stdout.write(
        f"{len(persons)} persons, {len(result.pairs)} scored pairs, {n_dup} duplicate records, "
        f"{len(result.uncertain_pairs())} pairs to review\nwritten: {out}\n"
    )
    cal = result.calibration
    if cal is not None:
        sys.stdout.write(f"calibrated on {cal.n_reviews} reviewed pairs ({cal.method}): a duplicate needs match weight "
                         f"{cal.weight_threshold:.2f} (model: {cal.model_weight_threshold:.2f})\n")
        if args.calibration_out:
            cal.save(args.calibration_out)
            sys.stdout.write(f"written: {args.calibration_out}\n")
    elif result.calibration_note:
        sys.stdout.write(result.calibration_note + "\n")
    return 0


def _link(args: argparse.Namespace) -> int:
    from popqa.linkage import link
    from popqa.linkage.features import canonical_kind

    kind = canonical_kind(args.kind)
    persons = _read(args.left, "persons")
    source = _read(args.right, kind)
    result = link(persons, source, kind, _config(args.config))
    out = Path(args.out)
    _write(result.pairs, out)
    _write(result.links, _beside(out, "links"))
    linked = int(result.links["person_id"].notna().sum())
    sys.stdout.write(f"{len(result.links)} {kind} records, {linked} linked to a person\nwritten: {out}\n")
    return 0
