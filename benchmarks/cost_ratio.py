"""The cost ratio of issue 16 ("the 3.3 M run costs at most 3 times the 1.2 M one, and peak memory stays
flat"), measured so that the machine's drift does not decide it.

The 2-core machine's speed drifts by 10-15 % within an hour, and more for the large audit than for the
small one (docs/benchmarks.md, twenty-seventh and twenty-eighth measurements): a ratio of one large run
to a small run of another half hour says as much about the hour as about the code. So the audits run
alternately, small, large, small, ..., small (``--pairs N``: N large runs between N + 1 small ones), one
at a time, and each large run is set against the mean of the two small runs around it, which shared
its part of the hour. Each bracket gives a ratio of wall seconds, of CPU seconds and of peaks; the
summary is their median, least and most. ``bench_scale.py`` times each audit (its results line is kept
in ``benchmarks/out/scale/results.jsonl`` as for any other run), so the audits are those of the scale
benchmark: a fresh process each, each code's defaults or ``--config``.

Usage (heavy: the whole sequence under the benchmark lock)::

    flock /tmp/bench.lock .venv/bin/python benchmarks/cost_ratio.py --small /work/big/m12/register \\
        --large /work/big/m33/register --pairs 2 --label head
    .venv/bin/python benchmarks/cost_ratio.py --labels head-12-1,head-33-1,head-12-2,head-33-2,head-12-3

``--labels`` computes the brackets from runs already in the results file (their labels in the order
they ran, small first; the sizes must alternate), without running anything. One JSON line per call is
appended to ``benchmarks/out/scale/cost_ratio.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "out" / "scale" / "results.jsonl"

#: The measures compared: a results line's key and its name in the summary.
MEASURES = (("audit_s", "wall"), ("cpu_s", "cpu"), ("peak_tree_mb", "peak"))


def brackets(runs: list[dict]) -> list[dict]:
    """Each large run against the mean of the small runs before and after it.

    ``runs`` are results lines in the order they ran, alternating small, large, small, ... (the first and
    the last small). A run's size is its ``persons``.

    >>> s = lambda t, c, p: {"persons": 100, "audit_s": t, "cpu_s": c, "peak_tree_mb": p, "label": "s"}
    >>> big = lambda t, c, p: {"persons": 270, "audit_s": t, "cpu_s": c, "peak_tree_mb": p, "label": "L"}
    >>> b = brackets([s(100, 120, 3000), big(290, 350, 3300), s(110, 130, 3000)])
    >>> b[0]["wall"], b[0]["cpu"], b[0]["peak"], b[0]["persons"]
    (2.762, 2.8, 1.1, 2.7)
    >>> brackets([s(100, 1, 1), s(100, 1, 1), big(1, 1, 1)])
    Traceback (most recent call last):
    ValueError: the runs must alternate small, large, small, ... from a small one: run 2 (s) is not larger than run 1
    """
    if len(runs) < 3 or len(runs) % 2 == 0:
        raise ValueError(f"give an odd number of runs, at least 3 (small, large, small), not {len(runs)}")
    for i, r in enumerate(runs):
        small, prev = i % 2 == 0, runs[i - 1] if i else None
        if prev is not None and (r["persons"] > prev["persons"]) == small:
            what = "smaller" if small else "larger"
            raise ValueError(f"the runs must alternate small, large, small, ... from a small one: run {i + 1} "
                             f"({r.get('label', '?')}) is not {what} than run {i}")
    if len({r["persons"] for r in runs[0::2]}) > 1 or len({r["persons"] for r in runs[1::2]}) > 1:
        raise ValueError("the small runs must all audit one register, the large ones another")
    out = []
    for i in range(1, len(runs), 2):
        before, large, after = runs[i - 1], runs[i], runs[i + 1]
        row = {"large": large.get("label"), "between": [before.get("label"), after.get("label")],
               "persons": round(large["persons"] / before["persons"], 3)}
        for key, name in MEASURES:
            row[name] = round(large[key] / ((before[key] + after[key]) / 2), 3)
        row["large_s"], row["small_s"] = large["audit_s"], [before["audit_s"], after["audit_s"]]
        out.append(row)
    return out


def summary(rows: list[dict]) -> dict:
    """The median, least and most of each ratio over the brackets.

    >>> summary([{"wall": 2.8, "cpu": 2.9, "peak": 1.4}, {"wall": 3.1, "cpu": 3.0, "peak": 1.5}])["wall"]
    {'median': 2.95, 'min': 2.8, 'max': 3.1}
    """
    return {name: {"median": round(statistics.median(r[name] for r in rows), 3),
                   "min": min(r[name] for r in rows), "max": max(r[name] for r in rows)} for _, name in MEASURES}


def _by_label(path: Path, labels: list[str]) -> list[dict]:
    found: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            if r.get("label") in labels:
                found[r["label"]] = r  # the last run of a label
    missing = [x for x in labels if x not in found]
    if missing:
        raise SystemExit(f"{path}: no run labelled {', '.join(missing)}")
    stopped = [x for x in labels if found[x].get("audit_s") is None]
    if stopped:
        raise SystemExit(f"{path}: run {', '.join(stopped)} did not finish")
    return [found[x] for x in labels]


def _run(data: str, label: str, args) -> None:
    cmd = [sys.executable, str(HERE / "bench_scale.py"), "--data", data, "--label", label,
           "--results", str(args.results)]
    for opt in ("code", "config"):
        if getattr(args, opt):
            cmd += [f"--{opt}", getattr(args, opt)]
    subprocess.run(cmd, check=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", help="the smaller register (e.g. the 1.25 M persons of old Tây Ninh)")
    ap.add_argument("--large", help="the larger register (e.g. the 3.38 M persons of the merged province)")
    ap.add_argument("--pairs", type=int, default=2, help="large runs, each between two small ones")
    ap.add_argument("--label", default="ratio", help="the runs are labelled LABEL-small-I and LABEL-large-I")
    ap.add_argument("--code", default=None, help="the popqa checkout to time (bench_scale.py --code)")
    ap.add_argument("--config", default=None, help="a popqa configuration for every audit (bench_scale.py --config)")
    ap.add_argument("--labels", default=None, help="comma-separated labels of runs already made, in their order: "
                                                   "compute the brackets only")
    ap.add_argument("--results", default=str(RESULTS), help="bench_scale.py's results file")
    ap.add_argument("--out", default=str(HERE / "out" / "scale" / "cost_ratio.jsonl"))
    args = ap.parse_args(argv)
    results = Path(args.results)
    if args.labels:
        labels = [x.strip() for x in args.labels.split(",") if x.strip()]
    else:
        if not (args.small and args.large) or args.pairs < 1:
            ap.error("give --small and --large (and --pairs of at least 1), or --labels")
        labels = []
        for i in range(1, args.pairs + 2):
            labels.append(f"{args.label}-small-{i}")
            _run(args.small, labels[-1], args)
            if i <= args.pairs:
                labels.append(f"{args.label}-large-{i}")
                _run(args.large, labels[-1], args)
    try:
        rows = brackets(_by_label(results, labels))
    except ValueError as exc:
        sys.stderr.write(f"cost_ratio: {exc}\n")
        return 2
    print("| large run | between | persons | wall | CPU | peak | large s | small s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['large']} | {', '.join(r['between'])} | {r['persons']}x | {r['wall']}x | {r['cpu']}x | "
              f"{r['peak']}x | {r['large_s']} | {' / '.join(str(s) for s in r['small_s'])} |")
    total = summary(rows)
    for _, name in MEASURES:
        s = total[name]
        print(f"{name}: median {s['median']}x (least {s['min']}x, most {s['max']}x) over {len(rows)} bracket(s)")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"labels": labels, "brackets": rows, "summary": total}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
