"""One source's linkage from frames in memory and from frames in files, step by step (issue 16).

The link stage of a local audit hands each model its frames in files (``popqa.linkage.frames.FrameFile``:
Parquet that the model's DuckDB reads itself) so that the process does not hold them. This script reads
one register, builds the persons' features and one source's frame once, then runs ``link_frames`` on them
in each mode given (``memory``: the frames as pandas; ``files``: both written to files first) and prints,
per mode, the seconds in all and the seconds of each step from popqa's own log lines: settling records by
their ID, the u estimate, each EM pass, the scoring, and what follows it (the links). ``--code DIR`` runs
another checkout's popqa (its folder goes first on the import path), to compare two commits on the same
frames. Figures in docs/benchmarks.md ("twenty-seventh measurement").

Usage (heavy: wrap in ``flock /tmp/bench.lock``)::

    .venv/bin/python benchmarks/bench_link_inputs.py REGISTER_DIR [--kind residents] [--modes files,memory]
        [--memory-limit 4GB] [--code DIR]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path


class _Steps(logging.Handler):
    """The times of popqa's log lines during one linkage, to tell its steps apart."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[float, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.created, record.getMessage()))


def _steps(lines: list[tuple[float, str]], start: float, end: float) -> dict[str, float]:
    """Seconds between the log lines that end each step (the first step from ``start``)."""
    marks = [("settled", "settled by their citizen ID"), ("u", "u estimated in"), ("em", "EM pass in"),
             ("scored", "pairs scored in"), ("links", "records,")]
    out: dict[str, float] = {}
    prev = start
    for when, msg in lines:
        for name, text in marks:
            if text in msg:
                key = name if name != "em" else f"em{sum(k.startswith('em') for k in out) + 1}"
                out[key] = round(when - prev, 1)
                prev = when
                break
    out["rest"] = round(end - prev, 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("register")
    ap.add_argument("--period", default="2026-10")
    ap.add_argument("--kind", default="residents")
    ap.add_argument("--modes", default="files,memory")
    ap.add_argument("--memory-limit", default="4GB", help="DuckDB's limit per model (the audit's above 2 M persons)")
    ap.add_argument("--code", default=None, help="the checkout whose popqa runs (default: this one)")
    args = ap.parse_args()
    sys.path.insert(0, str(Path(args.code).resolve() if args.code else Path(__file__).resolve().parents[1]))

    import popqa
    from popqa import textkeys
    from popqa.io import read_register
    from popqa.linkage.config import LinkageConfig
    from popqa.linkage.features import person_features, person_places, recent_move_ins
    from popqa.linkage.frames import FrameFile
    from popqa.linkage.link import _reference_year, link_frames, source_frame
    from popqa.period import Period

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("popqa").setLevel(logging.INFO)
    steps = _Steps()
    logging.getLogger("popqa.linkage").addHandler(steps)
    reg = read_register(args.register, period=args.period)
    persons = reg.persons
    moved = recent_move_ins(reg.get("events"), Period.parse(args.period).end, LinkageConfig().mover_months)
    feats = person_features(persons[textkeys.first_of_each(persons["person_id"])], move_in_ids=moved)
    right = source_frame(reg[args.kind], args.kind, persons=person_places(persons), reference_year=_reference_year(persons))
    cfg = LinkageConfig(memory_limit=args.memory_limit)
    with tempfile.TemporaryDirectory(dir=Path(args.register).parent) as tmp:
        for mode in args.modes.split(","):
            left, src = feats, right
            if mode == "files":
                left, src = FrameFile.write(feats, Path(tmp) / "l.parquet"), FrameFile.write(right, Path(tmp) / "r.parquet")
            steps.lines.clear()
            t0 = time.time()
            res = link_frames(left, src, args.kind, cfg)
            t1 = time.time()
            print(json.dumps({"popqa": str(Path(popqa.__file__).parent), "kind": args.kind, "mode": mode,
                              "records": len(right), "persons": len(feats), "seconds": round(t1 - t0, 1),
                              "linked": int(res.links["person_id"].notna().sum()),
                              **_steps(steps.lines, t0, t1)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
