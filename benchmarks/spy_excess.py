"""Where a large audit costs more than its share (issue 16): two sampled profiles of ``bench_scale.py``, one
on the small register and one on the large, set side by side function by function.

Each profile is py-spy's raw output (``py-spy record --format raw --subprocesses``: one line per distinct
stack, its frames joined by ``;``, then its sample count). For each function the seconds it was on the
stack (``incl``) or at its top (``self``) are summed in both profiles, and its excess is the large run's
seconds less ``--ratio`` times the small run's: what it costs beyond growing as the register does. With
``--under FUNCTION`` only the stacks through that function count, grouped by the function it calls
(``child``) or by the first popqa function below it (``popqa``). py-spy is not one of popqa's dependencies
(``.venv/bin/pip install py-spy``); it samples from outside the process, so the audits' seconds stay near an
unprofiled run's. Figures in docs/benchmarks.md, "thirty-second measurement".

Usage::

    flock /tmp/bench.lock .venv/bin/py-spy record --rate 40 --subprocesses --format raw -o spy_12.txt -- \\
        .venv/bin/python benchmarks/bench_scale.py --data /work/big/m12/register --label spy12
    (the same for the large register, spy_33.txt)
    .venv/bin/python benchmarks/spy_excess.py spy_12.txt spy_33.txt --ratio 2.72 --mode incl --only popqa/
    .venv/bin/python benchmarks/spy_excess.py spy_12.txt spy_33.txt --under "demography_inputs (" --mode child
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

#: A stack's line: its frames (the process's own among them, its command line possibly spanning several
#: lines), a space and its samples; the next stack starts with a process frame.
_STACK = re.compile(r"(process .*?) (\d+)\n(?=process |\Z)", flags=re.S)


def _frames(stack: str) -> list[str]:
    """A stack's function frames, outermost first, without the process frames and the line numbers."""
    return [re.sub(r":\d+\)$", ")", f) for f in stack.split(";") if not f.startswith("process ")]


def samples(text: str, mode: str = "incl", under: str | None = None) -> Counter:
    """Samples per key of one raw profile: per function on the stack (``incl``, each function once per
    stack) or at its top (``self``); with ``under`` (a function's name as py-spy writes it, or a part of
    it), the stacks through it only, per function it calls (``child``) or per first popqa function below
    it (``popqa``).

    >>> raw = "process 1:\\"x\\";main (a.py:1);f (popqa/m.py:2);g (b.py:3) 5\\nprocess 1:\\"x\\";main (a.py:1);f (popqa/m.py:4) 3\\n"
    >>> dict(samples(raw, "incl"))
    {'main (a.py)': 8, 'f (popqa/m.py)': 8, 'g (b.py)': 5}
    >>> dict(samples(raw, "self"))
    {'g (b.py)': 5, 'f (popqa/m.py)': 3}
    >>> dict(samples(raw, "child", under="main ("))
    {'f (popqa/m.py)': 8}
    >>> dict(samples(raw, "child", under="f ("))
    {'g (b.py)': 5, '<self>': 3}
    """
    out: Counter = Counter()
    for stack, n in _STACK.findall(text):
        frames = _frames(stack)
        if under is not None:
            at = next((i for i, f in enumerate(frames) if under in f), None)
            if at is None:
                continue
            below = frames[at + 1:]
            if mode == "child":
                out[below[0] if below else "<self>"] += int(n)
            else:
                out[next((f for f in below if "popqa/" in f), "<self>")] += int(n)
        elif mode == "self":
            if frames:
                out[frames[-1]] += int(n)
        else:
            for f in dict.fromkeys(frames):
                out[f] += int(n)
    return out


def excess(small: Counter, large: Counter, ratio: float, rate: float) -> list[tuple[float, float, float, str]]:
    """(excess s, small s, large s, key) for every key of either profile, the largest excess first.

    >>> excess(Counter({"a": 40, "b": 40}), Counter({"a": 120, "b": 200}), 3.0, 40.0)
    [(2.0, 1.0, 5.0, 'b'), (0.0, 1.0, 3.0, 'a')]
    """
    rows = [((large.get(k, 0) - ratio * small.get(k, 0)) / rate, small.get(k, 0) / rate, large.get(k, 0) / rate, k)
            for k in set(small) | set(large)]
    return sorted(rows, key=lambda r: (-r[0], r[3]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("small", type=Path, help="py-spy's raw profile of the small register's audit")
    ap.add_argument("large", type=Path, help="the same of the large register's")
    ap.add_argument("--ratio", type=float, default=2.72, help="the registers' ratio of persons (3.38 / 1.25 M: 2.72)")
    ap.add_argument("--rate", type=float, default=40.0, help="py-spy's --rate, samples per second")
    ap.add_argument("--mode", choices=("incl", "self", "child", "popqa"), default="incl")
    ap.add_argument("--under", default=None, help="only the stacks through this function (child or popqa mode)")
    ap.add_argument("--only", default="", help="only the keys that contain this text (e.g. popqa/)")
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args(argv)
    if (args.under is None) != (args.mode in ("incl", "self")):
        ap.error("--under goes with --mode child or popqa, and they with it")
    texts = [p.read_text(encoding="utf-8") for p in (args.small, args.large)]
    small, large = (samples(t, args.mode, args.under) for t in texts)
    seconds = [sum(int(n) for _, n in _STACK.findall(t)) / args.rate for t in texts]
    print(f"sampled: {seconds[0]:.1f} s small, {seconds[1]:.1f} s large ({seconds[1] / seconds[0]:.2f}x)")
    print(f"{'excess s':>9} {'small s':>8} {'large s':>8}  function")
    rows = [r for r in excess(small, large, args.ratio, args.rate) if args.only in r[3]]
    for e, a, b, k in rows[:args.top]:
        print(f"{e:9.1f} {a:8.1f} {b:8.1f}  {k[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
